"""Staff routes on the local stack: Cognito tokens from moto, verified against its JWKS."""

from tests.conftest import wait_until


def dispatched(citizen, **changes):
    receipt = citizen.submit(**changes)
    wait_until(lambda: citizen.track(receipt)["status"] == "dispatched")
    return receipt


def test_staff_routes_need_a_valid_token(api):
    assert api.get("/api/v1/staff/me").status == 401
    forged = api.get("/api/v1/staff/me", headers={"authorization": "Bearer eyJhbGciOiJub25lIn0.e30."})
    assert forged.status == 401
    assert forged.json()["error"]["code"] == "unauthorized"


def test_me_tells_the_role_and_unit(unit):
    me = unit().api.get("/api/v1/staff/me", headers=unit().headers).json()

    assert me == {
        "user": "andingmen.handler",
        "roles": ["handler"],
        "unit": {"id": "110101004", "name": "安定门街道", "kind": "street"},
    }


def test_the_first_receiver_sees_the_order_with_its_timeline(citizen, unit):
    receipt = dispatched(citizen)

    order = unit().order(receipt["id"]).json()

    assert order["first_receiver"] == {"id": "110101004", "name": "安定门街道", "kind": "street"}
    assert order["copied_to"] == [{"id": "110101", "name": "东城区人民政府", "kind": "district"}]
    assert [e["action"] for e in order["timeline"]] == ["received", "dispatched"]
    assert order["requester"]["phone"] == citizen.phone


def test_another_unit_cannot_see_the_order(citizen, unit):
    receipt = dispatched(citizen, category="garbage_collection", content="垃圾桶满了好几天没人清运")

    assert unit("lighting.handler").order(receipt["id"]).status == 404
    assert unit("lighting.handler").act(receipt["id"], "sign", version=2).status == 404


def test_a_co_handling_department_sees_the_dual_dispatched_order_but_cannot_sign_it(citizen, unit):
    receipt = dispatched(citizen, category="street_lighting")  # the street leads, the lighting centre assists
    lighting = unit("lighting.handler")

    order = lighting.order(receipt["id"]).json()

    assert [u["id"] for u in order["assisting"]] == ["bj-lighting"]
    assert lighting.act(receipt["id"], "sign").status == 403


def test_a_copied_district_sees_but_cannot_act(citizen, unit):
    receipt = dispatched(citizen)
    district = unit("dongcheng.handler")

    assert district.order(receipt["id"]).status == 200
    assert district.act(receipt["id"], "sign").status == 403


def test_a_confidential_requester_is_hidden_from_the_unit(citizen, unit):
    receipt = dispatched(citizen, confidential=True)

    requester = unit().order(receipt["id"]).json()["requester"]

    assert requester["phone"] is None and requester["name"] is None


def test_a_stale_version_or_a_wrong_status_is_a_409(citizen, unit):
    receipt = dispatched(citizen)
    handler = unit()
    version = handler.order(receipt["id"]).json()["version"]

    assert handler.act(receipt["id"], "sign", version=version).status == 200
    stale = handler.act(receipt["id"], "sign", version=version)
    early = handler.act(receipt["id"], "reply", result="已处理", resolved_claim=True)

    assert (stale.status, stale.json()["error"]["code"]) == (409, "stale_version")
    assert (early.status, early.json()["error"]["code"]) == (409, "wrong_status")


def test_bad_action_input_names_the_field(citizen, unit):
    receipt = dispatched(citizen)

    answer = unit().act(receipt["id"], "sign", version="two")

    assert answer.status == 400
    assert answer.json()["error"]["details"][0]["field"] == "version"


def test_an_assisting_unit_lists_the_orders_it_assists_with(citizen, unit):
    receipt = citizen.submit(category="street_lighting", content="路灯杆被车撞歪，灯罩掉落")
    lighting = unit("lighting.handler")

    def assisted() -> list[str]:
        return [o["id"] for o in lighting.get("/work-orders?assisting=true&limit=100").json()["items"]]

    listed = wait_until(lambda: receipt["id"] in (found := assisted()) and found)
    own = [o["id"] for o in lighting.get("/work-orders").json()["items"]]
    unnamed = unit("supervisor1").get("/work-orders?assisting=true")

    assert receipt["id"] in listed
    assert receipt["id"] not in own  # its own inbox holds what it received, not what it assists with
    assert (unnamed.status, unnamed.json()["error"]["details"][0]["field"]) == (400, "unit")
    assert unit("supervisor1").get("/work-orders?assisting=true&unit=bj-lighting").status == 200
