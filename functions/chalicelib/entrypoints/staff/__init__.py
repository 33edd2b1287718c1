"""The staff portal's routes (Cognito ID token), a blueprint per resource; every answer is scoped to
what the caller may see. Checks run in the order API.md names: credentials (the authorizer), scope
and role, input, then version and status. The staff function registers them (audiences/staff.py)."""
