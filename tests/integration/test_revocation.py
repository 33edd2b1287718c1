"""Revocation: disabling an account, changing its roles or unit, or resetting its password makes the
tokens it already holds stop working within the authorizer's cache period (at most a minute; one
second here), on the local stack's real authorizer and moto's Cognito and DynamoDB."""

import secrets
import time
from collections.abc import Iterator

import pytest

from tests.conftest import Unit, wait_until

CACHE_SECONDS = 1.0


@pytest.fixture
def short_cache() -> Iterator[float]:
    """The authorizer's revocation cache for one second, as STAFF_REVOCATION_CACHE_SECONDS sets it."""
    import os

    from chalicelib import names, wiring

    os.environ[names.ENV_REVOCATION_CACHE_SECONDS] = str(CACHE_SECONDS)
    wiring.use(None)
    yield CACHE_SECONDS
    del os.environ[names.ENV_REVOCATION_CACHE_SECONDS]
    wiring.use(None)


@pytest.fixture
def admin(api, id_token):
    return Unit(api, id_token("admin1"))


@pytest.fixture
def signed_in(local_stack, admin):
    """A new account, signed in with its own password: (username, password, sign_in())."""
    from chalicelib import names

    client = local_stack.stack.client("cognito-idp")
    client_id = local_stack.stack.outputs[names.ENV_USER_POOL_CLIENT_ID]
    username = f"rvk.{secrets.token_hex(3)}"
    created = admin.post("/users", {"username": username, "roles": ["operator"]})
    assert created.status == 201, created.body
    password = "Revocation-2026!"
    first = client.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": created.json()["temporary_password"]},
    )
    client.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=first["Session"],
        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": password},
    )

    def sign_in() -> str:
        answer = client.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
        return str(answer["AuthenticationResult"]["IdToken"])

    return username, sign_in


def _me(api, token: str):
    return api.get("/api/v1/staff/me", headers={"authorization": f"Bearer {token}"})


def _next_second() -> None:
    """Token times have whole seconds: one issued in the second of a revocation is refused too."""
    time.sleep(1.02 - time.time() % 1)


def test_a_disabled_account_is_refused_at_once(api, admin, signed_in):
    username, sign_in = signed_in
    token = sign_in()
    assert _me(api, token).status == 200

    disabled = admin.put(f"/users/{username}", {"roles": ["operator"], "unit": None, "enabled": False})

    assert disabled.status == 200, disabled.body
    refused = _me(api, token)
    assert refused.status == 401
    assert refused.json()["error"]["code"] == "unauthorized"


def test_a_revocation_written_elsewhere_bites_within_the_cache_period(
    api, admin, signed_in, short_cache, local_stack
):
    """Another container (here: another reader of the same table) revokes: this authorizer, which
    has just read "not revoked", refuses the token once its cache entry expires."""
    from chalicelib import names
    from chalicelib.adapters.revocations import DynamoRevocations

    username, sign_in = signed_in
    token = sign_in()
    assert _me(api, token).status == 200  # the authorizer has read the account's record now
    elsewhere = DynamoRevocations(
        local_stack.stack.client("dynamodb"), names.REFERENCE_TABLE.local_name, cache_seconds=60
    )
    elsewhere.revoke(username)
    began = time.monotonic()

    wait_until(lambda: _me(api, token).status == 401, timeout=short_cache + 2)

    assert time.monotonic() - began <= short_cache + 2


def test_new_roles_end_the_old_token_and_a_new_sign_in_carries_them(api, admin, signed_in):
    username, sign_in = signed_in
    old = sign_in()
    assert _me(api, old).json()["roles"] == ["operator"]

    moved = admin.put(f"/users/{username}", {"roles": ["dispatcher"], "unit": None, "enabled": True})

    assert moved.status == 200, moved.body
    assert _me(api, old).status == 401
    _next_second()
    new = _me(api, sign_in())
    assert (new.status, new.json()["roles"]) == (200, ["dispatcher"])


def test_an_unchanged_save_keeps_the_token(api, admin, signed_in):
    username, sign_in = signed_in
    token = sign_in()

    same = admin.put(f"/users/{username}", {"roles": ["operator"], "unit": None, "enabled": True})

    assert same.status == 200, same.body
    assert _me(api, token).status == 200


def test_a_password_reset_ends_the_old_token(api, admin, signed_in):
    username, sign_in = signed_in
    token = sign_in()
    assert _me(api, token).status == 200

    reset = admin.post(f"/users/{username}/password")

    assert reset.status == 200, reset.body
    assert _me(api, token).status == 401
