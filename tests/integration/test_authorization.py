"""The authorization matrix: every staff route (read from the OpenAPI document, so a new route
without a rule here fails) × every role × the caller's own or another unit.

The order under test was received by 安定门街道 (own unit) with the city's lighting centre
assisting (dual dispatch); the street blew a whistle summoning the centre; 交道口街道 is another
street. An allowed caller gets past the authorizer and the scope and role checks (whatever the
empty body then earns: 200, 400, 409); a refused one gets 403, or 404 where the order or whistle
must not even be seen. Nobody gets in without a token."""

from typing import Any

import pytest

from tests.conftest import wait_until

HOTLINE = frozenset(
    {"operator1", "dispatcher1", "supervisor1", "analyst1", "admin1", "assessor1", "reviewer1"}
)
OWN = frozenset({"andingmen.handler", "andingmen.leader"})  # the first receiver, a street
OTHER = frozenset({"jiaodaokou.handler"})  # another street
ASSISTING = frozenset({"lighting.handler"})  # assists with the order; summoned by the whistle
EVERYONE = HOTLINE | OWN | OTHER | ASSISTING
SEES_ORDER = HOTLINE | OWN | ASSISTING
DISPATCH = frozenset({"operator1", "dispatcher1"})
ADMIN = frozenset({"admin1"})
ANALYSES = frozenset({"supervisor1", "analyst1", "admin1"})

ORDER = "/work-orders/{order_id}"
RULES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/me"): EVERYONE,
    ("GET", "/work-orders"): EVERYONE,
    ("POST", "/work-orders"): frozenset({"operator1"}),
    ("GET", ORDER): SEES_ORDER,
    ("GET", ORDER + "/attachments/{upload}"): SEES_ORDER,
    ("POST", ORDER + "/dispatch"): DISPATCH,
    ("POST", ORDER + "/triage"): DISPATCH,
    ("POST", ORDER + "/merge"): DISPATCH,
    ("POST", ORDER + "/transfer"): DISPATCH,
    ("POST", ORDER + "/reinstate"): frozenset({"dispatcher1"}),
    ("GET", ORDER + "/duplicates"): DISPATCH,
    ("GET", "/duplicates"): DISPATCH,
    **{
        ("POST", f"{ORDER}/{action}"): OWN
        for action in ("sign", "objection", "contact", "progress", "extension", "reply", "assists")
    },
    ("POST", ORDER + "/assists/{unit_id}/release"): OWN,
    **{("POST", f"{ORDER}/assist/{action}"): ASSISTING for action in ("sign", "report", "progress")},
    ("POST", ORDER + "/urge"): frozenset({"supervisor1", "dispatcher1"}),
    ("POST", ORDER + "/adjudication"): frozenset({"supervisor1"}),
    ("POST", ORDER + "/extension/decision"): frozenset({"supervisor1"}),
    ("POST", ORDER + "/follow-up"): frozenset({"operator1"}),
    ("POST", ORDER + "/revisit"): frozenset({"supervisor1"}),
    ("POST", ORDER + "/review"): frozenset({"reviewer1"}),  # 办结审核
    ("POST", "/objections/{objection_id}/decision"): frozenset({"dispatcher1"}),
    # 考核申诉: the first receiver appeals, an assessment officer decides and keeps the queue.
    ("POST", ORDER + "/appeal"): OWN,
    ("POST", ORDER + "/appeal/decision"): frozenset({"assessor1"}),
    ("GET", "/appeals"): frozenset({"assessor1"}),
    ("GET", "/units"): EVERYONE,
    ("PUT", "/units/{unit_id}"): ADMIN,
    ("GET", "/catalogue"): EVERYONE,
    ("PUT", "/catalogue/{code}"): ADMIN,
    ("GET", "/catalogue/{code}/history"): EVERYONE,
    ("GET", "/time-limits"): EVERYONE,
    ("PUT", "/time-limits"): ADMIN,
    ("POST", "/whistles"): OWN | OTHER,  # any street's staff
    ("GET", "/whistles"): EVERYONE,
    ("GET", "/whistles/{whistle_id}"): HOTLINE | OWN | ASSISTING,
    ("POST", "/whistles/{whistle_id}/summon"): OWN,
    ("POST", "/whistles/{whistle_id}/close"): OWN,
    ("POST", "/whistles/{whistle_id}/report"): ASSISTING,
    ("GET", "/knowledge"): EVERYONE,
    ("PUT", "/knowledge/{entry_id}"): ADMIN,  # the entry is the city management commission's
    ("GET", "/partners"): EVERYONE,
    ("POST", "/partners/{partner_id}/keys"): ADMIN,
    ("POST", "/open311/clients/{client}/keys"): ADMIN,
    ("GET", "/users"): ADMIN,
    ("POST", "/users"): ADMIN,
    ("PUT", "/users/{username}"): ADMIN,
    ("POST", "/users/{username}/password"): ADMIN,
    ("GET", "/api-clients"): ADMIN,
    ("POST", "/api-clients/{key_id}/revoke"): ADMIN,
    ("GET", "/audit"): ADMIN | {"supervisor1"},
    ("GET", "/analytics/assessments"): frozenset({"supervisor1", "analyst1"}),
    # Exports: a list as its caller may see it; the ranking as its readers may.
    ("POST", "/exports/work-orders"): EVERYONE,
    ("POST", "/exports/assessments"): frozenset({"supervisor1", "analyst1"}),
    **{("GET", f"/analytics/{view}"): ANALYSES for view in ("months", "topics", "trends", "streets")},
    ("POST", "/analytics/topics"): frozenset({"analyst1"}),
    # A unit's own recurrences and hotspots (the lists are filtered), everything for the hotline's readers.
    ("GET", "/analytics/recurrences"): ANALYSES | OWN | OTHER | ASSISTING,
    ("GET", "/analytics/hotspots"): ANALYSES | OWN | OTHER | ASSISTING,
    ("POST", "/analytics/runs"): frozenset({"analyst1", "admin1"}),
    ("GET", "/analytics/models"): ANALYSES,
    ("POST", "/analytics/models/{version}/serve"): frozenset({"analyst1"}),
    # 批量签收 / 批量派单: the single action's role (each order is then checked as its own call).
    ("POST", "/batch/sign"): OWN | OTHER | ASSISTING,
    ("POST", "/batch/dispatch"): DISPATCH,
    ("POST", "/caller-history"): frozenset({"operator1"}),  # 来电历史
    # The message centre: each member's own; the 办理单: whoever may see the order.
    **{(method, f"/messages{path}"): EVERYONE for method, path in (("GET", ""), ("GET", "/unread"))},
    ("POST", "/messages/read"): EVERYONE,
    ("GET", "/messages/preference"): EVERYONE,
    ("PUT", "/messages/preference"): EVERYONE,
    ("POST", ORDER + "/sheet"): SEES_ORDER,
}


@pytest.fixture(scope="module")
def world(api, id_token) -> dict[str, str]:
    """An order of 安定门街道 the lighting centre assists with, a whistle, a user and a key."""
    from tests.conftest import Citizen, Unit

    handler, admin = Unit(api, id_token("andingmen.handler")), Unit(api, id_token("admin1"))
    # Street lighting goes to both: the street leads, the city's lighting centre assists.
    order_id = Citizen(api).submit(category="street_lighting", content="路灯杆被车撞歪，灯罩掉落")["id"]
    wait_until(lambda: handler.order(order_id).json().get("status") == "dispatched")
    whistle = handler.post(
        "/whistles", {"matter": "路灯反复损坏，需要联合整治", "departments": ["bj-lighting"]}
    )
    assert whistle.status == 201, whistle.body
    user = admin.post("/users", {"username": "matrix.target", "roles": ["analyst"]})
    assert user.status in (201, 409), user.body
    admin.post("/open311/clients/matrix-app/keys")
    key = next(c for c in admin.get("/api-clients?limit=100").json()["items"] if c["client"] == "matrix-app")
    return {
        "order_id": order_id,
        "upload": "0" * 32,
        "unit_id": "bj-lighting",
        "objection_id": f"{order_id}-1",
        "whistle_id": whistle.json()["id"],
        "code": "street_lighting",
        "version": "no-such-model",
        "entry_id": "kb-heating-season",
        "partner_id": "tianjin-12345",
        "client": "matrix-app",
        "username": "matrix.target",
        "key_id": key["id"],
    }


def staff_routes(api) -> list[tuple[str, str]]:
    document = api.get("/api/v1/openapi.json").json()
    prefix = "/api/v1/staff"
    return sorted(
        (method.upper(), path.removeprefix(prefix))
        for path, item in document["paths"].items()
        if path.startswith(prefix)
        for method in item
        if method in ("get", "post", "put", "delete", "patch")
    )


def test_every_staff_route_has_a_rule(api):
    routes = set(staff_routes(api))
    assert routes - set(RULES) == set(), "a staff route without an authorization rule"
    assert set(RULES) - routes == set(), "a rule for a route that does not exist"


def _call(api, method: str, route: str, world: dict[str, str], token: str | None) -> Any:
    path = "/api/v1/staff" + route.format(**world)
    if route == "/units/{unit_id}":
        path = "/api/v1/staff/units/bj-matrix-test"
    headers = {"authorization": f"Bearer {token}"} if token else {}
    if method == "GET":
        return api.get(path, headers=headers)
    return getattr(api, method.lower())(path, {}, headers=headers)


@pytest.mark.parametrize("caller", sorted(EVERYONE))
def test_the_matrix(api, id_token, world, caller):
    token = id_token(caller)
    wrong: list[str] = []
    for method, route in staff_routes(api):
        answer = _call(api, method, route, world, token)
        allowed = caller in RULES[(method, route)]
        if route.endswith("/attachments/{upload}") and allowed:
            # The order is visible; the upload is not one of its attachments.
            ok = answer.status == 404 and "attachment" in answer.json()["error"]["message"]
        elif allowed:
            ok = answer.status not in (401, 403, 404) and answer.status < 500
        else:
            ok = answer.status in (403, 404)
        if not ok:
            wrong.append(f"{method} {route}: {answer.status} {answer.body[:160]!r} (allowed: {allowed})")
    assert not wrong, "\n".join(wrong)


def test_nobody_gets_in_without_a_token(api, world):
    refused = {_call(api, method, route, world, None).status for method, route in staff_routes(api)}
    assert refused == {401}
