"""来电历史 on the local stack: the operator sees the caller's earlier orders, found through the
hashed requester index; only operators; each reading audited."""

import secrets

from tests.integration.test_openapi import conforms


def test_an_operator_sees_the_callers_earlier_orders_newest_first(citizen, unit):
    phone = f"139{secrets.randbelow(10**8):08d}"
    requester = {"name": "王女士", "phone": phone, "kind": "person"}
    older = citizen.submit(requester=requester)
    newer = citizen.submit(requester=requester, category="street_lighting", content="胡同里的路灯晚上不亮了")
    someone_else = citizen.submit()
    operator = unit("operator1")

    answer = operator.post("/caller-history", {"phone": phone})

    assert answer.status == 200, answer.body
    items = answer.json()["items"]
    assert [o["id"] for o in items] == [newer["id"], older["id"]]
    assert someone_else["id"] not in [o["id"] for o in items]
    assert items[1]["category"]["code"] == "garbage_collection"
    conforms(operator.api.get("/api/v1/openapi.json").json(), "/api/v1/staff/caller-history", "post", answer)


def test_each_reading_of_a_callers_history_is_audited_without_the_number(citizen, unit):
    phone = f"137{secrets.randbelow(10**8):08d}"
    receipt = citizen.submit(requester={"name": "赵先生", "phone": phone, "kind": "person"})
    unit("operator1").post("/caller-history", {"phone": phone})

    trail = unit("admin1").get("/audit?actor=operator1&limit=100").json()["items"]

    reading = next(
        e for e in trail if e["action"] == "caller_history.read" and e["target"].endswith(phone[-4:])
    )
    assert reading["target"] == f"{phone[:3]}****{phone[-4:]}"
    assert reading["params"] == {"count": "1", "orders": receipt["id"]}
    assert phone not in str(reading)


def test_only_operators_read_a_callers_history_and_a_bad_number_is_named(unit):
    operator = unit("operator1")

    bad = operator.post("/caller-history", {"phone": "12345"})
    chinese = operator.api.post(
        "/api/v1/staff/caller-history",
        {"phone": "12345"},
        headers={**operator.headers, "accept-language": "zh-CN"},
    )

    assert (bad.status, bad.json()["error"]["details"][0]["field"]) == (400, "phone")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese.json()["error"]["details"][0]["message"])
    assert unit().post("/caller-history", {"phone": "13800001234"}).status == 403
    assert unit("dispatcher1").post("/caller-history", {"phone": "13800001234"}).status == 403
