"""Verifying Cognito ID tokens: signature against the JWKS (URL from settings), issuer, audience, expiry."""

from __future__ import annotations

from typing import Any

import jwt

from ..domain.errors import Unauthenticated
from ..domain.model import Staff
from ..names import STAFF_ROLES, UNIT_ATTRIBUTE


class CognitoTokens:
    def __init__(self, jwks_url: str, issuer: str, audience: str) -> None:
        # The JWKS URL is configuration: locally it lives on the moto host, not on the issuer's.
        self._keys = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600, timeout=5)
        self._issuer = issuer
        self._audience = audience

    def verify(self, token: str) -> Staff:
        try:
            key = self._keys.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iss", "aud", "token_use"]},
            )
        except jwt.PyJWTError as error:
            raise Unauthenticated("The sign-in token is not valid.") from error
        if claims.get("token_use") != "id":
            raise Unauthenticated("An ID token is required.")
        roles = frozenset(g for g in claims.get("cognito:groups", []) if g in STAFF_ROLES)
        return Staff(
            username=str(claims.get("cognito:username") or claims["sub"]),
            roles=roles,
            unit=claims.get(f"custom:{UNIT_ATTRIBUTE}") or None,
        )
