"""批量签收 / 批量派单 on the local stack: many orders at once, each by its own single-order action,
each reported (done, or the status and error its own call answers)."""

from botocore.exceptions import ClientError

from tests.conftest import wait_until
from tests.integration.test_openapi import conforms

# 垃圾分类 is a 7-day matter: its limits (a day to sign for it) do not fall due during a test at the
# test clock's pace, so no timer writes the orders between the list and the batch.
SORTING = {"category": "garbage_sorting", "content": "小区垃圾分类桶前没人值守，厨余垃圾混装混运"}


def _dispatched(citizen, handler, **changes):
    receipt = citizen.submit(**{**SORTING, **changes})
    return wait_until(lambda: (o := handler.order(receipt["id"]).json()).get("status") == "dispatched" and o)


def _received(citizen, dispatcher):
    receipt = citizen.submit(category=None, content="你好，有个情况想反映一下，麻烦尽快联系我")
    return wait_until(lambda: (o := dispatcher.order(receipt["id"]).json()).get("status") == "received" and o)


def test_a_handler_signs_for_five_orders_at_once_and_hears_of_each(citizen, unit):
    handler = unit()
    orders = [_dispatched(citizen, handler) for _ in range(4)]
    # One was signed for meanwhile (its version moved on); one is another unit's.
    assert handler.act(orders[3]["id"], "sign", version=orders[3]["version"]).status == 200
    elsewhere = citizen.submit(
        **SORTING, location={"district": "110101", "street": "110101003", "address": "东城区交道口街道"}
    )
    batch = [
        *({"id": o["id"], "version": o["version"]} for o in orders),
        {"id": elsewhere["id"], "version": 2},
    ]

    answer = handler.post("/batch/sign", {"items": batch})

    assert answer.status == 200, answer.body
    body = answer.json()
    outcome = {r["id"]: (r["ok"], r["status"], (r["error"] or {}).get("code")) for r in body["results"]}
    assert [r["id"] for r in body["results"]] == [i["id"] for i in batch]  # in the order selected
    assert outcome == {
        orders[0]["id"]: (True, 200, None),
        orders[1]["id"]: (True, 200, None),
        orders[2]["id"]: (True, 200, None),
        orders[3]["id"]: (False, 409, "stale_version"),
        elsewhere["id"]: (False, 404, "not_found"),
    }
    assert (body["action"], body["done"], body["failed"]) == ("sign", 3, 2)
    conforms(handler.api.get("/api/v1/openapi.json").json(), "/api/v1/staff/batch/sign", "post", answer)
    for done in orders[:3]:
        order = handler.order(done["id"]).json()
        assert order["status"] == "signed"
        assert (order["timeline"][-1]["action"], order["timeline"][-1]["actor"]) == (
            "signed",
            "andingmen.handler",
        )
        assert next(r for r in body["results"] if r["id"] == done["id"])["order"]["status"] == "signed"


def test_the_list_tells_which_orders_a_batch_may_take(citizen, unit):
    handler = unit()
    waiting = _dispatched(citizen, handler)
    signed = _dispatched(citizen, handler)
    handler.act(signed["id"], "sign")

    def listed(order):
        return handler.get(f"/work-orders?q={order['id']}").json()["items"][0]["batch"]

    assert listed(waiting) == ["sign"]
    assert listed(signed) == []


def test_a_dispatcher_dispatches_many_orders_by_the_catalogue_or_to_a_unit(citizen, unit):
    dispatcher = unit("dispatcher1")
    first, second, third = (_received(citizen, dispatcher) for _ in range(3))
    assert dispatcher.get(f"/work-orders?q={first['id']}").json()["items"][0]["batch"] == ["dispatch"]

    by_catalogue = dispatcher.post(
        "/batch/dispatch",
        {
            "items": [{"id": o["id"], "version": o["version"]} for o in (first, second)],
            "category": "garbage_sorting",
        },
    )
    to_unit = dispatcher.post(
        "/batch/dispatch",
        {
            "items": [
                {"id": third["id"], "version": third["version"]},
                {"id": first["id"], "version": first["version"]},
            ],
            "units": ["110101003"],
            "reason": "这一片归交道口街道管理",
        },
    )

    assert by_catalogue.status == 200, by_catalogue.body
    assert [r["ok"] for r in by_catalogue.json()["results"]] == [True, True], by_catalogue.body
    for o in (first, second):
        order = dispatcher.order(o["id"]).json()
        assert (order["status"], order["first_receiver"]["id"]) == ("dispatched", "110101004")
    results = to_unit.json()["results"]
    assert (results[0]["ok"], results[0]["order"]["first_receiver"]["id"]) == (True, "110101003")
    assert (results[1]["ok"], results[1]["status"], results[1]["error"]["code"]) == (
        False,
        409,
        "stale_version",
    )


def test_a_batch_dispatch_that_needs_a_unit_reports_it_for_each_order(citizen, unit):
    dispatcher = unit("dispatcher1")
    order = _received(citizen, dispatcher)

    answer = dispatcher.post("/batch/dispatch", {"items": [{"id": order["id"], "version": order["version"]}]})

    result = answer.json()["results"][0]
    assert (answer.status, result["ok"], result["status"]) == (200, False, 400)
    assert result["error"]["details"][0]["field"] == "units"
    assert dispatcher.order(order["id"]).json()["status"] == "received"  # untouched


def test_a_bad_batch_is_refused_whole_naming_the_field(citizen, unit):
    dispatcher = unit("dispatcher1")
    order = _received(citizen, dispatcher)
    item = {"id": order["id"], "version": order["version"]}

    twice = dispatcher.post("/batch/dispatch", {"items": [item, item], "category": "garbage_sorting"})
    empty = dispatcher.post("/batch/dispatch", {"items": []})
    too_many = dispatcher.post(
        "/batch/dispatch", {"items": [{"id": f"{i:08d}", "version": 1} for i in range(51)]}
    )
    unknown_unit = dispatcher.post(
        "/batch/dispatch", {"items": [item], "units": ["nowhere"], "reason": "试一试"}
    )
    unknown_category = dispatcher.post("/batch/dispatch", {"items": [item], "category": "no_such_thing"})
    chinese = dispatcher.api.post(
        "/api/v1/staff/batch/dispatch",
        {"items": []},
        headers={**dispatcher.headers, "accept-language": "zh-CN"},
    )

    for answer, field in (
        (twice, "items"),
        (empty, "items"),
        (too_many, "items"),
        (unknown_unit, "units.0"),
        (unknown_category, "category"),
    ):
        assert (answer.status, answer.json()["error"]["details"][0]["field"]) == (400, field), answer.body
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese.json()["error"]["details"][0]["message"])
    assert dispatcher.order(order["id"]).json()["status"] == "received"  # nothing was done


def test_only_those_who_may_take_the_action_batch_it(citizen, unit):
    handler = unit()
    order = _dispatched(citizen, handler)
    item = {"items": [{"id": order["id"], "version": order["version"]}]}

    assert unit("dispatcher1").post("/batch/sign", item).status == 403
    assert handler.post("/batch/dispatch", {**item, "category": "garbage_sorting"}).status == 403
    assert handler.api.post("/api/v1/staff/batch/sign", item).status == 401


class StalledWorkflows:
    """The workflow service failing for one order (its wake-up throttled), the rest as they are."""

    def __init__(self, real, order_id: str) -> None:
        self.real, self.order_id = real, order_id

    def __getattr__(self, name: str):
        return getattr(self.real, name)

    def resume(self, token: str, order_id: str) -> bool:
        if order_id == self.order_id:
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "Rate"}}, "SendTaskSuccess"
            )
        return bool(self.real.resume(token, order_id))


def test_an_order_that_fails_on_our_side_is_that_orders_result_alone(citizen, unit, monkeypatch):
    from chalicelib.wiring import deps

    handler = unit()
    stalled, fine = _dispatched(citizen, handler), _dispatched(citizen, handler)
    monkeypatch.setitem(vars(deps()), "workflows", StalledWorkflows(deps().workflows, stalled["id"]))

    answer = handler.post(
        "/batch/sign", {"items": [{"id": o["id"], "version": o["version"]} for o in (stalled, fine)]}
    )

    assert answer.status == 200, answer.body
    first, second = answer.json()["results"]
    assert (first["ok"], first["status"], first["error"]["code"]) == (False, 503, "unfinished")
    assert (second["ok"], second["order"]["status"]) == (True, "signed")
