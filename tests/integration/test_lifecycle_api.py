"""The staff API for the whole life of an order, on the local stack: intake from a call, the
dispatcher's queue, objections, extensions, urges, phone follow-up, lists, the catalogue and the
time limits an admin edits, and concurrent actions."""

import threading
from datetime import datetime, timedelta

from tests.conftest import wait_until
from tests.integration.test_staff_api import dispatched

CALL = {
    "type": "help",
    "content": "家里燃气表附近有燃气异味，老人独居",
    "category": "gas_leak",
    "location": {"district": "110101", "street": "110101004", "address": "安定门外大街1号院"},
    "requester": {"name": "王女士", "phone": "13600005555", "kind": "person"},
    "channel": "phone",
}


def test_an_operator_records_a_call_and_the_catalogue_routes_it(unit):
    operator = unit("operator1")

    answer = operator.post("/work-orders", CALL)

    assert answer.status == 201, answer.body
    receipt = answer.json()
    order = wait_until(
        lambda: (o := operator.get(f"/work-orders/{receipt['id']}").json())["status"] == "dispatched" and o
    )
    assert (order["channel"], order["first_receiver"]["id"], order["copied_to"]) == ("phone", "bj-gas", [])
    assert (order["timeline"][0]["actor_role"], order["timeline"][0]["actor"]) == ("operator", "operator1")
    assert datetime.fromisoformat(order["deadline"]) - datetime.fromisoformat(
        order["created_at"]
    ) == timedelta(hours=2)


def test_only_operators_record_calls(unit):
    assert unit().post("/work-orders", CALL).status == 403


def test_an_uncategorised_request_the_model_is_unsure_of_waits_in_the_dispatchers_queue(citizen, unit):
    # Given a request that says too little for the dispatch model to be sure of a category
    receipt = citizen.submit(category=None, content="你好，有个情况想反映一下，麻烦尽快联系我")
    dispatcher = unit("dispatcher1")
    wait_until(
        lambda: any(
            i["id"] == receipt["id"] for i in dispatcher.get("/work-orders?status=received").json()["items"]
        )
    )

    order = dispatcher.get(f"/work-orders/{receipt['id']}").json()
    refused = unit().act(receipt["id"], "dispatch", version=order["version"], category="compound_facilities")
    answer = dispatcher.post(
        f"/work-orders/{receipt['id']}/dispatch", version=order["version"], category="compound_facilities"
    )

    assert order["status"] == "received"
    assert refused.status == 404  # a unit cannot even see an undispatched order
    assert answer.status == 200, answer.body
    dispatched_order = answer.json()
    assert (dispatched_order["status"], dispatched_order["first_receiver"]["id"]) == (
        "dispatched",
        "110101004",
    )
    assert dispatched_order["timeline"][-1]["actor"] == "dispatcher1"
    assert unit().order(receipt["id"]).status == 200


def test_a_clear_uncategorised_request_is_dispatched_automatically_along_the_catalogue(citizen, unit):
    # Given the reform's seed case, submitted on the web without a category
    receipt = citizen.submit(category=None, content="方家胡同的路灯很昏暗，部分被树挡住，晚上街坊经常摔跤")

    # When its workflow dispatches it
    order = wait_until(
        lambda: (o := unit("dispatcher1").order(receipt["id"]).json())["status"] == "dispatched" and o
    )

    # Then the catalogue's route for street lighting was taken with no dispatcher, and said so
    assert order["category"]["code"] == "street_lighting"
    assert order["first_receiver"]["id"] == "110101004"
    assert [u["id"] for u in order["copied_to"]] == ["110101"]
    event = order["timeline"][-1]
    assert (event["action"], event["actor_role"], event["params"]["category"]) == (
        "auto_dispatched",
        "system",
        "street_lighting",
    )
    assert float(event["params"]["confidence"]) >= 0.5


def test_an_override_without_a_reason_names_the_field(citizen, unit):
    receipt = dispatched(citizen, category="manhole_cover", content="井盖破损，车辆经过时响声很大")
    dispatcher = unit("dispatcher1")
    version = dispatcher.get(f"/work-orders/{receipt['id']}").json()["version"]

    answer = dispatcher.post(f"/work-orders/{receipt['id']}/dispatch", version=version, units=["110101003"])

    assert answer.status == 400
    assert answer.json()["error"]["details"][0]["field"] == "reason"


def test_the_dispatcher_sees_objections_and_ping_pong(citizen, unit):
    receipt = dispatched(citizen, category="manhole_cover", content="井盖缺失，位置在两个街道交界处")
    andingmen, jiaodaokou, dispatcher = unit(), unit("jiaodaokou.handler"), unit("dispatcher1")
    first = andingmen.act(
        receipt["id"], "objection", grounds="jurisdiction", reason="位于交道口街道一侧"
    ).json()
    assert dispatcher.get("/work-orders?status=objected").json()["items"][0]["id"] == receipt["id"]
    dispatcher.post(
        f"/objections/{first['objections'][0]['id']}/decision", decision="uphold", reassign_to="110101003"
    )
    wait_until(lambda: jiaodaokou.order(receipt["id"]).status == 200)

    second = jiaodaokou.act(receipt["id"], "objection", grounds="jurisdiction", reason="位于安定门街道一侧")

    assert second.status == 200, second.body
    assert second.json()["pingpong"] is True
    pingpong = unit("supervisor1").get("/work-orders?pingpong=true").json()["items"]
    assert receipt["id"] in [i["id"] for i in pingpong]
    decided_twice = dispatcher.post(f"/objections/{first['objections'][0]['id']}/decision", decision="reject")
    assert decided_twice.status == 409


def test_a_handler_cannot_decide_objections(citizen, unit):
    receipt = dispatched(citizen, category="manhole_cover", content="井盖缺失，请尽快处理")
    objected = unit().act(receipt["id"], "objection", grounds="duty", reason="非本单位职责").json()

    answer = unit().post(f"/objections/{objected['objections'][0]['id']}/decision", decision="reject")

    assert answer.status == 403


def test_an_extension_is_shown_to_the_requester_once_approved_and_a_bad_one_names_the_field(citizen, unit):
    receipt = dispatched(citizen)
    handler, supervisor = unit(), unit("supervisor1")
    signed = handler.act(receipt["id"], "sign").json()
    deadline = datetime.fromisoformat(signed["deadline"])

    naive = handler.act(receipt["id"], "extension", reason="需更换电缆", new_deadline="2026-12-30T10:00:00")
    earlier = handler.act(
        receipt["id"],
        "extension",
        reason="需更换电缆",
        new_deadline=(deadline - timedelta(hours=1)).isoformat(),
    )
    asked = handler.act(
        receipt["id"],
        "extension",
        reason="需更换地下电缆",
        new_deadline=(deadline + timedelta(days=3)).isoformat(),
    )
    waiting = citizen.track(receipt)
    queue = supervisor.get("/work-orders?extension=pending&limit=100").json()["items"]
    by_handler = handler.act(receipt["id"], "extension/decision", decision="approve")
    approved = supervisor.act(receipt["id"], "extension/decision", decision="approve")

    assert [naive.status, earlier.status, asked.status] == [400, 400, 200]
    assert naive.json()["error"]["details"][0]["field"] == "new_deadline"
    assert asked.json()["extension_requests"][0]["decision"] is None
    assert (waiting["extensions"], waiting["deadline"]) == ([], signed["deadline"])
    assert receipt["id"] in [o["id"] for o in queue]
    assert by_handler.status == 403
    assert approved.status == 200, approved.body
    tracked = citizen.track(receipt)
    assert tracked["extensions"][0]["reason"] == "需更换地下电缆"
    assert datetime.fromisoformat(tracked["deadline"]) == deadline + timedelta(days=3)
    queue = supervisor.get("/work-orders?extension=pending&limit=100").json()["items"]
    assert receipt["id"] not in [o["id"] for o in queue]


def test_a_refused_extension_keeps_the_deadline_and_tells_the_unit_why(citizen, unit):
    receipt = dispatched(citizen)
    handler, supervisor = unit(), unit("supervisor1")
    deadline = handler.act(receipt["id"], "sign").json()["deadline"]
    later = (datetime.fromisoformat(deadline) + timedelta(days=1)).isoformat()
    handler.act(receipt["id"], "extension", reason="人手不足", new_deadline=later)

    unexplained = supervisor.act(receipt["id"], "extension/decision", decision="refuse")
    refused = supervisor.act(
        receipt["id"], "extension/decision", decision="refuse", reason="日常清运，不属延期情形"
    )
    again = supervisor.act(receipt["id"], "extension/decision", decision="approve")

    assert unexplained.status == 400
    assert unexplained.json()["error"]["details"][0]["field"] == "reason"
    assert refused.status == 200, refused.body
    seen = handler.order(receipt["id"]).json()
    assert seen["deadline"] == deadline
    assert seen["timeline"][-1]["action"] == "extension_refused"
    assert seen["timeline"][-1]["internal_note"] == "日常清运，不属延期情形"
    assert "extension" in [a["action"] for a in seen["actions"]]
    assert (again.status, again.json()["error"]["code"]) == (409, "no_extension_request")
    assert citizen.track(receipt)["extensions"] == []


def test_the_queue_of_extension_requests_is_filtered_by_unit_only(unit):
    supervisor = unit("supervisor1")

    mixed = supervisor.get("/work-orders?extension=pending&status=signed")
    other_unit = unit().get("/work-orders?extension=pending&unit=110101003")

    assert mixed.status == 400 and mixed.json()["error"]["details"][0]["field"] == "status"
    assert other_unit.status == 403


def test_interim_report_and_urge(citizen, unit):
    receipt = dispatched(citizen)
    handler, supervisor = unit(), unit("supervisor1")
    handler.act(receipt["id"], "sign")

    report = handler.act(receipt["id"], "progress", note="已报修，等待配件")
    urged = supervisor.act(receipt["id"], "urge", note="诉求人再次来电")
    not_allowed = handler.act(receipt["id"], "urge")

    assert (report.status, urged.status, not_allowed.status) == (200, 200, 403)
    assert urged.json()["urges"] == 1
    public = [e["action"] for e in citizen.track(receipt)["timeline"]]
    assert "progress" in public and "urged" not in public  # urges are the hotline's business


def test_an_operator_takes_the_follow_up_by_phone(citizen, unit):
    receipt = dispatched(citizen)
    handler = unit()
    for action, body in (
        ("sign", {}),
        ("contact", {}),
        ("reply", {"result": "已修复", "resolved_claim": True}),
    ):
        handler.act(receipt["id"], action, **body)
    # 办结审核: the hotline's reviewer passes the reply before the requester sees it.
    unit("reviewer1").act(receipt["id"], "review", decision="pass")
    wait_until(lambda: citizen.track(receipt)["status"] == "follow_up")

    answer = unit("operator1").act(
        receipt["id"], "follow-up", resolved=True, satisfaction="basically_satisfied", comment="电话回访"
    )

    assert answer.status == 200, answer.body
    assert (answer.json()["status"], answer.json()["evaluation"]["channel"]) == ("closed", "phone")


def test_a_unit_lists_its_own_inbox_by_deadline_and_the_hotline_pages_through_everything(citizen, unit):
    mine = [dispatched(citizen)["id"] for _ in range(2)]
    handler, operator = unit(), unit("operator1")

    inbox = handler.get("/work-orders?limit=100").json()["items"]
    other = handler.get("/work-orders?unit=110101003")
    first = operator.get("/work-orders?status=dispatched&limit=1").json()
    second = operator.get(f"/work-orders?status=dispatched&limit=1&cursor={first['next']}").json()
    bad = operator.get("/work-orders?cursor=not-a-cursor")
    bad_status = operator.get("/work-orders?status=lost")

    assert set(mine) <= {i["id"] for i in inbox}
    assert all(i["first_receiver"]["id"] == "110101004" for i in inbox)
    deadlines = [i["deadline"] for i in inbox]
    assert deadlines == sorted(deadlines)
    assert other.status == 403
    assert first["items"][0]["id"] != second["items"][0]["id"]
    assert bad.status == 400 and bad.json()["error"]["details"][0]["field"] == "cursor"
    assert bad_status.status == 400 and bad_status.json()["error"]["details"][0]["field"] == "status"


def test_concurrent_actions_have_exactly_one_winner(citizen, unit):
    receipt = dispatched(citizen)
    handler = unit()
    version = handler.order(receipt["id"]).json()["version"]
    answers: list[int] = []

    def sign() -> None:
        answers.append(handler.act(receipt["id"], "sign", version=version).status)

    threads = [threading.Thread(target=sign) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [200, 409, 409, 409]
    assert [e["action"] for e in handler.order(receipt["id"]).json()["timeline"]].count("signed") == 1


def test_an_admin_edits_the_catalogue_with_versions_and_history(api, unit):
    admin = unit("admin1")
    code = f"test_{datetime.now().strftime('%H%M%S%f')}"
    body = {
        "name": "测试类别",
        "major": "utilities",
        "group": "utilities_water",
        "kind": "sectoral",
        "tier": "7d",
        "department": "bj-water",
    }

    created = admin.put(f"/catalogue/{code}", {**body, "keywords": ["测试"]})
    changed = admin.put(f"/catalogue/{code}", {**body, "name": "测试类别二", "version": 1})
    stale = admin.put(f"/catalogue/{code}", {**body, "version": 1})
    bad = admin.put(f"/catalogue/{code}", {**body, "department": "nowhere", "version": 2})
    not_admin = unit("dispatcher1").put(f"/catalogue/{code}", {**body, "version": 2})

    assert [created.status, changed.status, stale.status, bad.status, not_admin.status] == [
        200,
        200,
        409,
        400,
        403,
    ]
    assert (changed.json()["version"], changed.json()["updated_by"]) == (2, "admin1")
    assert bad.json()["error"]["details"][0]["field"] == "department"
    history = admin.get(f"/catalogue/{code}/history").json()["items"]
    assert [(h["version"], h["name"]) for h in history] == [(2, "测试类别二"), (1, "测试类别")]
    public = next(c for c in api.get("/api/v1/public/categories").json()["items"] if c["code"] == code)
    assert {k: public[k] for k in ("name", "major", "group", "group_name", "kind", "tier")} == {
        "name": "测试类别二",
        "major": "utilities",
        "group": "utilities_water",
        "group_name": "供水",
        "kind": "sectoral",
        "tier": "7d",
    }


def test_an_admin_edits_the_time_limits(unit, time_limits):
    before = unit().get("/time-limits").json()

    after = time_limits(max_reopens=2)
    stale = unit("admin1").put("/time-limits", {"version": before["version"], "limits": {"max_reopens": 3}})
    refused = unit().put("/time-limits", {"version": after["version"], "limits": {}})
    invalid = unit("admin1").put(
        "/time-limits", {"version": after["version"], "limits": {"reminders": [80, 50]}}
    )

    assert (after["max_reopens"], after["version"], after["updated_by"]) == (
        2,
        before["version"] + 1,
        "admin1",
    )
    assert [stale.status, refused.status, invalid.status] == [409, 403, 400]
    assert invalid.json()["error"]["details"][0]["field"].startswith("limits")
