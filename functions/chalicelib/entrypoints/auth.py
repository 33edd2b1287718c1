"""Who is calling a staff route: the authorizer API Gateway runs before any of them (Cognito ID
token, Bearer), the caller it verified, and the audit trail of what administrators change.

The authorizer's function imports this module alone (its handler is `staff_auth` here)."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from chalice import Blueprint
from chalice.app import AuthRequest, AuthResponse

from ..domain.errors import Forbidden, Unauthenticated
from ..domain.model import Staff
from ..names import STAFF_AUTHORIZER
from ..observability import logger
from ..wiring import deps

bp = Blueprint(__name__)

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


@bp.authorizer(name=STAFF_AUTHORIZER)
def staff_auth(request: AuthRequest) -> AuthResponse:
    return authorize(request)


def caller() -> Staff:
    """The staff member calling the current staff route."""
    return staff_from(bp.current_request.context)


def caller_in(roles: Set[str], refusal: str) -> Staff:
    """The caller, if they hold one of `roles` (domain/access.py); 403 with `refusal` otherwise."""
    staff = caller()
    if not staff.roles & roles:
        raise Forbidden(refusal)
    return staff


def audit(staff: Staff, action: str, target: str, **params: str) -> None:
    """An administrator's change, in the audit trail (after it succeeded)."""
    from ..domain.audit import entry

    d = deps()
    d.reference.record(entry(staff, d.clock.now(), action, target, **params))


def admin() -> Staff:
    """The caller, if an administrator (domain/access.py's ADMINS)."""
    from ..domain.access import ADMINS

    return caller_in(ADMINS, "Only an administrator may do this.")
