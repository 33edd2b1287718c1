"""Administrators manage accounts, units and machine keys on the local stack (moto's Cognito and
DynamoDB); every change lands in the audit trail. Supervisors rank units by the three rates."""

import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tests.conftest import wait_until

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def admin(unit):
    return unit("admin1")


@pytest.fixture
def idp(local_stack):
    from chalicelib import names

    client = local_stack.stack.client("cognito-idp")
    return client, local_stack.stack.outputs[names.ENV_USER_POOL_CLIENT_ID]


def _name() -> str:
    return f"jdk.{secrets.token_hex(3)}"


def test_an_admin_creates_an_account_that_signs_in_with_a_new_password(admin, idp, api):
    client, client_id = idp
    username = _name()
    created = admin.post("/users", {"username": username, "roles": ["handler"], "unit": "110101003"})

    assert created.status == 201, created.body
    body = created.json()
    assert body["user"]["unit"] == {"id": "110101003", "name": "交道口街道", "kind": "street"}
    assert (body["user"]["roles"], body["user"]["status"]) == (["handler"], "FORCE_CHANGE_PASSWORD")
    first = client.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": body["temporary_password"]},
    )
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    done = client.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=first["Session"],
        ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": "Jiaodaokou-2026!"},
    )
    token = done["AuthenticationResult"]["IdToken"]
    me = api.get("/api/v1/staff/me", headers={"authorization": f"Bearer {token}"})
    assert (me.status, me.json()["unit"]["id"], me.json()["roles"]) == (200, "110101003", ["handler"])

    listed = admin.get(f"/users?q={username}")
    assert [u["username"] for u in listed.json()["items"]] == [username]
    trail = admin.get("/audit?actor=admin1").json()["items"]
    created = [e for e in trail if e["action"] == "user.created" and e["target"] == username]
    # What changed is kept as codes the portal words, not as English sentences.
    assert [e["params"] for e in created] == [{"roles": "handler", "unit": "110101003"}]


def test_account_rules_name_the_field(admin):
    no_unit = admin.post("/users", {"username": _name(), "roles": ["handler"]})
    mixed = admin.post(
        "/users", {"username": _name(), "roles": ["handler", "dispatcher"], "unit": "110101003"}
    )
    hotline_unit = admin.post("/users", {"username": _name(), "roles": ["operator"], "unit": "110101003"})
    unknown = admin.post("/users", {"username": _name(), "roles": ["handler"], "unit": "999999999"})
    bad_name = admin.post("/users", {"username": "X", "roles": ["operator"]})
    taken = admin.post("/users", {"username": "operator1", "roles": ["operator"]})
    self_disable = admin.put("/users/admin1", {"roles": ["admin"], "unit": None, "enabled": False})

    def field(answer):
        return answer.status, answer.json()["error"]["details"][0]["field"]

    assert field(no_unit) == (400, "unit")
    assert field(mixed) == (400, "roles")
    assert field(hotline_unit) == (400, "unit")
    assert field(unknown) == (400, "unit")
    assert field(bad_name) == (400, "username")
    assert (taken.status, taken.json()["error"]["code"]) == (409, "user_exists")
    assert field(self_disable) == (400, "enabled")


def test_a_changed_or_disabled_account_loses_its_old_powers(admin, idp, api):
    client, client_id = idp
    username = _name()
    password = admin.post("/users", {"username": username, "roles": ["operator"]}).json()[
        "temporary_password"
    ]
    moved = admin.put(f"/users/{username}", {"roles": ["handler"], "unit": "110101004", "enabled": True})
    disabled = admin.put(f"/users/{username}", {"roles": ["handler"], "unit": "110101004", "enabled": False})
    reset = admin.post(f"/users/{username}/password")

    assert moved.status == 200, moved.body
    assert (moved.json()["roles"], moved.json()["unit"]["id"]) == (["handler"], "110101004")
    assert disabled.json()["enabled"] is False
    with pytest.raises(client.exceptions.NotAuthorizedException):
        client.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
    assert reset.status == 200 and reset.json()["temporary_password"] != password
    actions = [e["action"] for e in admin.get("/audit").json()["items"] if e["target"] == username]
    assert actions[:3] == ["user.password_reset", "user.updated", "user.updated"]


def test_only_admins_manage_accounts(unit):
    for who in ("supervisor1", "andingmen.handler", "operator1"):
        assert unit(who).get("/users").status == 403
        assert unit(who).post("/users", {"username": _name(), "roles": ["operator"]}).status == 403


def test_units_are_added_and_renamed_conditionally(admin, unit):
    slug = f"bj-test-{secrets.token_hex(3)}"
    created = admin.put(f"/units/{slug}", {"name": "北京市测试服务中心", "kind": "enterprise", "version": 0})
    again = admin.put(f"/units/{slug}", {"name": "北京市测试服务中心", "kind": "enterprise", "version": 0})
    renamed = admin.put(f"/units/{slug}", {"name": "北京市测试服务公司", "kind": "enterprise", "version": 1})
    bad_street = admin.put(
        "/units/12345", {"name": "某街道", "kind": "street", "district": "110101", "version": 0}
    )
    handler = unit().put(f"/units/{slug}", {"name": "x" * 5, "kind": "enterprise", "version": 2})

    assert created.status == 200, created.body
    assert (again.status, again.json()["error"]["code"]) == (409, "stale_version")
    assert (renamed.status, renamed.json()["version"]) == (200, 2)
    listed = {u["id"]: u for u in admin.get("/units?kind=enterprise").json()["items"]}
    assert listed[slug]["name"] == "北京市测试服务公司"
    assert (bad_street.status, bad_street.json()["error"]["details"][0]["field"]) == (400, "unit_id")
    assert handler.status == 403


def test_a_revoked_partner_key_stops_working(admin, api):
    issued = admin.post("/partners/tianjin-12345/keys").json()
    before = api.get("/api/v1/partner/transfers", headers={"x-api-key": issued["key"]})
    clients = admin.get("/api-clients?limit=100").json()["items"]
    mine = [c for c in clients if c["client"] == "tianjin-12345" and c["created_at"] == issued["created_at"]]
    assert len(mine) == 1
    revoked = admin.post(f"/api-clients/{mine[0]['id']}/revoke")
    twice = admin.post(f"/api-clients/{mine[0]['id']}/revoke")
    after = api.get("/api/v1/partner/transfers", headers={"x-api-key": issued["key"]})

    assert before.status == 200, before.body
    assert (revoked.status, revoked.json()["revoked_by"]) == (200, "admin1")
    assert twice.status == 409
    assert after.status == 401
    assert admin.post("/api-clients/0000000000000000/revoke").status == 404


def test_supervisors_rank_units_by_the_three_rates_of_the_month(citizen, unit, api):
    handler, supervisor = unit(), unit("supervisor1")
    receipt = citizen.submit()
    order_id = receipt["id"]
    wait_until(lambda: handler.order(order_id).json().get("status") == "dispatched")
    for action, body in (
        ("sign", {}),
        ("contact", {"note": "电话联系诉求人"}),
        ("reply", {"result": "已修复路灯", "resolved_claim": True}),
    ):
        # The workflow parks the order meanwhile (a new version): a 409 is retried, as the portal does.
        def done(action: str = action, body: dict[str, Any] = body) -> bool:
            return bool(handler.act(order_id, action, **body).status == 200)

        wait_until(done)
    # 办结审核: the hotline's reviewer passes the reply before the requester sees it.
    assert unit("reviewer1").act(order_id, "review", decision="pass").status == 200
    # The workflow starts the follow-up after the reply (a new version): the rating retries a 409 too.
    rated = wait_until(lambda: (answer := citizen.rate(receipt)).status != 409 and answer)
    assert rated.status == 200, rated.body
    month = datetime.now(BEIJING).strftime("%Y-%m")

    ranking = supervisor.get(f"/analytics/assessments?month={month}&kind=street")
    bad = supervisor.get("/analytics/assessments?month=2026-13")
    denied = handler.get(f"/analytics/assessments?month={month}")

    assert ranking.status == 200, ranking.body
    body = ranking.json()
    # A street with fewer orders than the minimum volume is listed apart, unranked.
    apart = supervisor.get(f"/analytics/assessments?month={month}&kind=street&group=insufficient&limit=500")
    row = next(i for i in body["items"] + apart.json()["items"] if i["unit"]["id"] == "110101004")
    assert row["dispatched"] >= 1 and row["followed_up"] >= 1
    assert 0 <= row["satisfaction_rate"] <= 1
    assert (row["rank"] is None) == row["insufficient"] == (row["dispatched"] < body["least_dispatched"])
    assert [i["rank"] for i in body["items"] if i["rank"]] == list(
        range(1, len([i for i in body["items"] if i["rank"]]) + 1)
    )
    assert {i["unit"]["kind"] for i in body["items"] + apart.json()["items"]} == {"street"}
    # 东城区 answers for its streets' orders (and its departments' and its own), asked after them.
    districts = [
        i
        for group in ("ranked", "insufficient")
        for i in supervisor.get(f"/analytics/assessments?month={month}&kind=district&group={group}").json()[
            "items"
        ]
    ]
    dongcheng = next(i for i in districts if i["unit"]["id"] == "110101")
    its_streets = [i for i in body["items"] + apart.json()["items"] if i["unit"]["id"].startswith("110101")]
    assert dongcheng["dispatched"] >= sum(i["dispatched"] for i in its_streets) >= row["dispatched"]
    assert (bad.status, bad.json()["error"]["details"][0]["field"]) == (400, "month")
    assert denied.status == 403


def test_editing_a_seeded_category_keeps_the_seeded_version_in_its_history(admin):
    seeded = admin.get("/catalogue").json()["items"][-1]
    code = seeded["code"]
    editable = {k: seeded[k] for k in ("name", "group", "kind", "tier", "department", "keywords")}
    renamed = admin.put(f"/catalogue/{code}", {**editable, "name": "临时名称", "version": seeded["version"]})
    restored = admin.put(f"/catalogue/{code}", {**editable, "version": renamed.json()["version"]})
    stale = admin.put(f"/catalogue/{code}", {**editable, "version": seeded["version"]})

    assert (renamed.status, restored.status) == (200, 200), (renamed.body, restored.body)
    history = admin.get(f"/catalogue/{code}/history").json()["items"]
    assert [h["name"] for h in history][-2:] == ["临时名称", seeded["name"]]
    assert [h["version"] for h in history] == sorted((h["version"] for h in history), reverse=True)
    assert stale.json()["error"]["message"].startswith("The setting changed meanwhile")


# --- a directory that fails part-way ------------------------------------------------------------

# The directory calls that change an account (reads always pass).
CHANGES = frozenset(
    {
        "admin_add_user_to_group",
        "admin_remove_user_from_group",
        "admin_update_user_attributes",
        "admin_delete_user_attributes",
        "admin_enable_user",
        "admin_disable_user",
        "admin_user_global_sign_out",
        "admin_set_user_password",
    }
)


class FailingIdp:
    """moto's Cognito client whose `fail_on`-th change (and, with `then_all`, every one after it)
    is throttled, as Cognito answers under load."""

    def __init__(self, client: Any, fail_on: int, then_all: bool = False) -> None:
        self._client, self.fail_on, self.then_all = client, fail_on, then_all
        self.changes: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)
        if name not in CHANGES:
            return method

        def change(**kwargs: Any) -> Any:
            from botocore.exceptions import ClientError

            self.changes.append(name)
            count = len(self.changes)
            if count == self.fail_on or (self.then_all and count > self.fail_on):
                raise ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "Rate"}}, name)
            return method(**kwargs)

        return change


@pytest.fixture
def failing_directory(local_stack, monkeypatch):
    """Swap the API's directory for one on a failing client, as wiring builds it."""
    from chalicelib import names
    from chalicelib.adapters.cognito_directory import CognitoDirectory
    from chalicelib.wiring import deps

    def install(fail_on: int, then_all: bool = False) -> FailingIdp:
        idp = FailingIdp(local_stack.stack.client("cognito-idp"), fail_on, then_all)
        pool = local_stack.stack.outputs[names.ENV_USER_POOL_ID]
        monkeypatch.setitem(vars(deps()), "directory", CognitoDirectory(idp, pool))
        return idp

    return install


def _account(admin, username: str) -> dict[str, Any]:
    (found,) = admin.get(f"/users?q={username}").json()["items"]
    return {k: found[k] for k in ("roles", "unit", "enabled")}


def _failures(admin, username: str) -> list[dict[str, Any]]:
    return [e for e in admin.get("/audit?actor=admin1&limit=100").json()["items"] if e["target"] == username]


# disable, add operator, remove handler, delete the unit, end the sessions: a failure at each step.
@pytest.mark.parametrize("fail_on", [1, 2, 3, 4, 5])
def test_a_change_the_directory_fails_part_way_leaves_the_account_as_it_was(
    admin, failing_directory, fail_on
):
    username = _name()
    assert (
        admin.post("/users", {"username": username, "roles": ["handler"], "unit": "110101003"}).status == 201
    )
    before = _account(admin, username)
    idp = failing_directory(fail_on)

    answer = admin.put(f"/users/{username}", {"roles": ["operator"], "unit": None, "enabled": False})

    assert (answer.status, answer.json()["error"]["code"]) == (503, "account_unchanged"), answer.body
    assert len(idp.changes) == 2 * fail_on - 1  # each step done before the failing one is undone
    assert (
        _account(admin, username)
        == before
        == {
            "roles": ["handler"],
            "unit": {"id": "110101003", "name": "交道口街道", "kind": "street"},
            "enabled": True,
        }
    )
    (failed,) = [e for e in _failures(admin, username) if e["action"] == "user.update_failed"]
    assert failed["params"]["restored"] == "true"  # the portal: 账号已恢复原状
    assert {k: failed["params"][k] for k in ("roles_before", "roles", "unit_before", "unit", "enabled")} == {
        "roles_before": "handler",
        "roles": "operator",
        "unit_before": "110101003",
        "unit": "",
        "enabled": "false",
    }


def test_a_change_that_cannot_be_put_back_says_so_in_the_answer_and_the_trail(admin, failing_directory):
    username = _name()
    assert (
        admin.post("/users", {"username": username, "roles": ["handler"], "unit": "110101003"}).status == 201
    )
    failing_directory(2, then_all=True)  # disabled, then nothing more works, the undoing included

    answer = admin.put(f"/users/{username}", {"roles": ["operator"], "unit": None, "enabled": False})

    assert (answer.status, answer.json()["error"]["code"]) == (503, "account_incomplete"), answer.body
    (failed,) = [e for e in _failures(admin, username) if e["action"] == "user.update_failed"]
    assert (failed["params"]["restored"], failed["params"]["step"]) == ("false", "add operator")


def test_a_new_account_whose_roles_fail_is_kept_disabled_without_roles(admin, failing_directory):
    username = _name()
    failing_directory(2)  # the first role is given, the second fails

    answer = admin.post("/users", {"username": username, "roles": ["dispatcher", "operator"]})

    assert (answer.status, answer.json()["error"]["code"]) == (503, "account_disabled"), answer.body
    assert _account(admin, username) == {"roles": [], "unit": None, "enabled": False}
    (failed,) = [e for e in _failures(admin, username) if e["action"] == "user.create_failed"]
    assert failed["params"]["restored"] == "true"  # kept disabled, without roles


def test_an_edit_is_checked_whole_before_anything_changes(admin):
    """The case that once answered 500 with the roles changed and nothing else: an empty unit."""
    username = _name()
    assert admin.post("/users", {"username": username, "roles": ["operator"]}).status == 201

    empty_unit = admin.put(f"/users/{username}", {"roles": ["dispatcher"], "unit": "", "enabled": False})
    unknown_role = admin.put(f"/users/{username}", {"roles": ["dispatcher", "mayor"], "enabled": False})
    unknown_unit = admin.put(
        f"/users/{username}", {"roles": ["handler"], "unit": "999999999", "enabled": False}
    )
    nobody = admin.put("/users/nobody.here", {"roles": ["dispatcher"], "unit": "", "enabled": False})

    assert (empty_unit.status, empty_unit.json()["error"]["details"][0]["field"]) == (400, "unit")
    assert (unknown_role.status, unknown_role.json()["error"]["details"][0]["field"]) == (400, "roles.1")
    assert (unknown_unit.status, unknown_unit.json()["error"]["details"][0]["field"]) == (400, "unit")
    assert nobody.status == 404
    assert _account(admin, username) == {"roles": ["operator"], "unit": None, "enabled": True}
