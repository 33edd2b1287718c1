"""Verifying Cognito ID tokens: signature against the JWKS (URL from settings), issuer, audience, expiry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

import jwt

from ..domain.errors import Unauthenticated
from ..domain.model import Staff
from ..names import STAFF_ROLES, UNIT_ATTRIBUTE


class VerifiedToken(NamedTuple):
    staff: Staff
    issued_at: datetime


class CognitoTokens:
    def __init__(self, jwks_url: str, issuer: str, audience: str) -> None:
        # The JWKS URL is configuration: locally it lives on the moto host, not on the issuer's.
        self._keys = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600, timeout=5)
        self._issuer = issuer
        self._audience = audience

    def verify(self, token: str) -> Staff:
        return self.verify_token(token).staff

    def verify_token(self, token: str) -> VerifiedToken:
        """The staff member the token names and when it was issued (`iat`, for revocation)."""
        try:
            key = self._keys.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "iss", "aud", "token_use"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthenticated("The sign-in token is not valid.") from error
        if claims.get("token_use") != "id":
            raise Unauthenticated("An ID token is required.")
        roles = frozenset(g for g in claims.get("cognito:groups", []) if g in STAFF_ROLES)
        staff = Staff(
            username=str(claims.get("cognito:username") or claims["sub"]),
            roles=roles,
            unit=claims.get(f"custom:{UNIT_ATTRIBUTE}") or None,
        )
        return VerifiedToken(staff, datetime.fromtimestamp(int(claims["iat"]), UTC))
