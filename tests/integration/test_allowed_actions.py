"""The staff view of an order tells each caller what it may do now, and each action it offers is
a route that takes what the action says it needs."""

from typing import Any

from tests.conftest import wait_until

# An offered action's route, as docs/api.md names it ({id}: the order; {objection}, {unit}: choices).
ROUTES = {
    "assist-sign": "/assist/sign",
    "assist-report": "/assist/report",
    "assist-progress": "/assist/progress",
    "release": "/assists/{unit}/release",
    "extension-decision": "/extension/decision",
    "appeal-decision": "/appeal/decision",
}


def dispatched(citizen, **changes):
    receipt = citizen.submit(**changes)
    wait_until(lambda: citizen.track(receipt)["status"] == "dispatched")
    return receipt


def offered(order: dict[str, Any]) -> list[str]:
    return [a["action"] for a in order["actions"]]


def body_fields(document: dict[str, Any], path: str) -> set[str]:
    content = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    schema = document["components"]["schemas"][content["$ref"].rsplit("/", 1)[-1]]
    return set(schema["properties"])


def test_each_caller_is_offered_what_it_may_do_with_a_dispatched_order(citizen, unit):
    receipt = dispatched(citizen, category="street_lighting")  # the street leads, the lighting centre assists

    street = unit().order(receipt["id"]).json()
    lighting = unit("lighting.handler").order(receipt["id"]).json()
    district = unit("dongcheng.handler").order(receipt["id"]).json()
    dispatcher = unit("dispatcher1").order(receipt["id"]).json()

    assert offered(street) == ["sign", "objection", "release"]
    assert street["actions"][1]["choices"] == {"grounds": ["duty", "jurisdiction"]}
    assert street["actions"][2]["choices"] == {"unit": ["bj-lighting"]}
    assert offered(lighting) == ["assist-sign", "assist-report", "assist-progress"]
    assert (offered(district), district["blocked"]) == ([], [])
    assert offered(dispatcher) == ["dispatch", "triage", "merge", "transfer", "urge"]


def test_after_signing_the_handler_is_offered_the_next_steps_and_told_when_they_close(citizen, unit):
    receipt = dispatched(citizen)
    handler = unit()
    assert handler.act(receipt["id"], "sign").status == 200
    assert handler.act(receipt["id"], "contact").status == 200

    order = handler.order(receipt["id"]).json()

    assert offered(order) == ["progress", "assists", "extension", "reply"]
    extension = order["actions"][2]
    assert extension["needs"] == ["reason", "new_deadline"]
    assert extension["until"] == order["deadline"]
    passed = {"action": "extension", "reason": "deadline_passed", "since": order["deadline"]}
    assert order["blocked"] == [passed]


def test_every_offered_action_names_fields_its_route_takes(api, citizen, unit):
    document = api.get("/api/v1/openapi.json").json()
    receipt = dispatched(citizen, category="street_lighting")
    views = [
        unit(name).order(receipt["id"]).json()
        for name in ("andingmen.handler", "lighting.handler", "dispatcher1", "operator1", "supervisor1")
    ]

    checked = set()
    for view in views:
        for action in view["actions"]:
            name = action["action"]
            tail = ROUTES.get(name, f"/{name}")
            path = "/api/v1/staff/work-orders/{order_id}" + tail.replace("{unit}", "{unit_id}")
            assert set(action["needs"]) <= body_fields(document, path), name
            checked.add(name)
    assert len(checked) >= 10
