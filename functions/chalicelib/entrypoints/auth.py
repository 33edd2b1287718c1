"""The staff authorizer: API Gateway calls it before any staff route (Cognito ID token, Bearer)."""

from __future__ import annotations

from typing import Any

from chalice.app import AuthRequest, AuthResponse

from ..domain.errors import Unauthenticated
from ..domain.model import Staff
from ..observability import logger
from ..wiring import deps

# API Gateway answers 401 when an authorizer fails with exactly this message.
UNAUTHORIZED = "Unauthorized"


class AuthorizerDenied(Exception):
    def __init__(self) -> None:
        super().__init__(UNAUTHORIZED)


def authorize(request: AuthRequest) -> AuthResponse:
    scheme, _, token = (request.token or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise AuthorizerDenied()
    d = deps()
    try:
        staff, issued_at = d.tokens.verify_token(token)
    except Unauthenticated as error:
        logger.info("staff token rejected", reason=str(error.__cause__ or error))
        raise AuthorizerDenied() from error
    # Disabled, given new roles or a new password since the token was issued: it no longer counts.
    # `iat` has whole seconds, so a token of the very second of the revocation is refused too.
    revoked = d.revocations.revoked_at(staff.username)
    if revoked is not None and issued_at <= revoked:
        logger.info("staff token rejected", reason="revoked", username=staff.username)
        raise AuthorizerDenied()
    return AuthResponse(
        routes=["*"],
        principal_id=staff.username,
        context={
            "username": staff.username,
            "roles": ",".join(sorted(staff.roles)),
            "unit": staff.unit or "",
        },
    )


def staff_from(context: dict[str, Any]) -> Staff:
    """The staff member the authorizer verified, from the request context it filled in."""
    found = context.get("authorizer") or {}
    if not found.get("username"):
        raise Unauthenticated()
    roles = frozenset(r for r in str(found.get("roles", "")).split(",") if r)
    return Staff(username=found["username"], roles=roles, unit=found.get("unit") or None)
