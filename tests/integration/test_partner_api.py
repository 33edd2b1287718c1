"""Partner hotlines (Arts. 21, 22) on the local stack: a dispatcher transfers an order to Tianjin's
12345, which lists it with its key and reports back; the requester sees where it went and the
result; Tianjin transfers a request in and reads its progress."""

from tests.conftest import wait_until

KEY = {"x-api-key": "local-partner-tianjin"}


def test_an_order_transferred_to_tianjin_and_its_result(citizen, unit, api):
    receipt = citizen.submit(category=None, content="我在天津武清区买的房子开发商延期交房，想投诉")
    dispatcher = unit("dispatcher1")
    order = wait_until(lambda: (o := dispatcher.order(receipt["id"]).json())["status"] == "received" and o)

    unknown = dispatcher.act(receipt["id"], "transfer", partner="shanghai-12345")
    by_unit = unit().act(receipt["id"], "transfer", version=order["version"], partner="tianjin-12345")
    moved = dispatcher.act(receipt["id"], "transfer", partner="tianjin-12345", note="房屋位于天津市。")

    assert (unknown.status, unknown.json()["error"]["details"][0]["field"]) == (400, "partner")
    assert by_unit.status == 404
    assert moved.status == 200, moved.body
    assert (moved.json()["status"], moved.json()["reason"], moved.json()["transfer_to"]) == (
        "not_dispatched",
        "transferred",
        "tianjin-12345",
    )
    tracked = citizen.track(receipt)
    assert (tracked["timeline"][-1]["code"], tracked["timeline"][-1]["params"]) == (
        "settled",
        {"reason": "transferred", "transfer_to": "天津市12345政务服务便民热线"},
    )
    assert tracked["timeline"][-1]["note"] == "房屋位于天津市。"

    listed = api.get("/api/v1/partner/transfers", headers=KEY)
    assert listed.status == 200, listed.body
    mine = [t for t in listed.json()["items"] if t["id"] == receipt["id"]]
    assert mine and mine[0]["requester"]["phone"] == citizen.phone
    assert api.get("/api/v1/partner/transfers").status == 401
    assert api.get("/api/v1/partner/transfers", headers={"x-api-key": "guessed"}).status == 401

    empty = api.post(f"/api/v1/partner/transfers/{receipt['id']}/result", {"result": ""}, headers=KEY)
    result = api.post(
        f"/api/v1/partner/transfers/{receipt['id']}/result",
        {"result": "已转武清区住建委办理，开发商承诺月底交房。"},
        headers=KEY,
    )
    assert (empty.status, empty.json()["error"]["details"][0]["field"]) == (400, "result")
    assert result.status == 200, result.body
    tracked = citizen.track(receipt)
    assert tracked["timeline"][-1]["action"] == "partner_replied"
    assert "月底交房" in tracked["timeline"][-1]["note"]


def test_a_partner_transfers_a_request_in_and_follows_it(api, citizen):
    body = {
        "type": "complaint",
        "content": "在天津反映的问题：北京东城区安定门方家胡同垃圾好几天没人清运",
        "category": "garbage_collection",
        "location": {"district": "110101", "street": "110101004"},
        "requester": {"name": "张先生", "phone": "13512345678", "kind": "person"},
        "partner_reference": "TJ20261126001",
    }

    answer = api.post("/api/v1/partner/requests", body, headers=KEY)
    again = api.post("/api/v1/partner/requests", body, headers=KEY)
    no_key = api.post("/api/v1/partner/requests", body)

    assert answer.status == 201, answer.body
    receipt = answer.json()
    assert again.json()["id"] == receipt["id"]  # their number makes a retry harmless
    assert no_key.status == 401
    progress = wait_until(
        lambda: (
            (p := api.get(f"/api/v1/partner/requests/{receipt['id']}", headers=KEY).json())["status"]
            == "dispatched"
            and p
        )
    )
    assert progress["first_receiver"] == "安定门街道"
    other = api.get(f"/api/v1/partner/requests/{citizen.submit()['id']}", headers=KEY)
    assert other.status == 404


def test_an_administrator_issues_a_partner_key(api, unit):
    issued = unit("admin1").post("/partners/hebei-12345/keys")
    refused = unit("dispatcher1").post("/partners/hebei-12345/keys")

    assert issued.status == 201, issued.body
    assert refused.status == 403
    key = issued.json()["key"]
    assert api.get("/api/v1/partner/transfers", headers={"x-api-key": key}).status == 200
    assert unit("admin1").post("/partners/nowhere/keys").status == 404
