"""The knowledge base and suggestions on the local stack: public search, suggestions while typing,
a consultation answered on the spot and sent on at the requester's wish, units keeping entries."""

import secrets

from tests.conftest import wait_until


def test_the_public_searches_the_knowledge_base(api):
    answer = api.get("/api/v1/public/knowledge?q=几号开始来暖气")
    empty = api.get("/api/v1/public/knowledge?q=")

    assert answer.status == 200, answer.body
    first = answer.json()["items"][0]
    assert (first["id"], first["unit"]) == ("kb-heating-season", "北京市城市管理委员会")
    assert "11月15日" in first["answer"]
    assert (empty.status, empty.json()["error"]["details"][0]["field"]) == (400, "q")


def test_suggestions_while_typing(api):
    answer = api.post(
        "/api/v1/public/suggestions",
        {
            "content": "胡同里的路灯好几天晚上都不亮了",
            "location": {"district": "110101", "street": "110101004"},
        },
    )
    emergency = api.post("/api/v1/public/suggestions", {"content": "楼道里着火了，烟很大"})
    bad = api.post("/api/v1/public/suggestions", {"content": "路灯", "location": {"district": "1"}})

    assert answer.status == 200, answer.body
    body = answer.json()
    assert body["categories"][0]["code"] == "street_lighting"
    assert {"code", "name", "kind", "confidence"} <= set(body["categories"][0])
    assert body["units"][0] == {
        "id": "110101004",
        "name": "安定门街道",
        "kind": "street",
        "role": "first_receiver",
    }
    assert (body["emergency"], emergency.json()["emergency"]) == (None, "119")
    assert (bad.status, bad.json()["error"]["details"][0]["field"]) == (400, "location.district")


def test_a_consultation_answered_on_the_spot_is_sent_on_when_the_requester_asks(citizen, unit):
    receipt = citizen.submit(type="consultation", category=None, content="老旧小区加装电梯需要什么条件？")

    assert (receipt["status"], receipt["deadline"]) == ("answered", None)
    assert receipt["answer"]["entry"] == "kb-elevator-retrofit"
    tracked = citizen.track(receipt)
    assert tracked["timeline"][-1]["action"] == "answered"
    wrong_code = citizen.api.post(
        f"/api/v1/public/requests/{receipt['id']}/dispatch", {"code": "XXXX-XXXX-XXXX"}
    )
    anyway = citizen.api.post(
        f"/api/v1/public/requests/{receipt['id']}/dispatch", {"code": receipt["tracking_code"]}
    )

    assert wrong_code.status == 404
    assert anyway.status == 200, anyway.body
    assert (anyway.json()["status"], anyway.json()["deadline"] is not None) == ("received", True)
    dispatcher = unit("dispatcher1")
    wait_until(lambda: dispatcher.order(receipt["id"]).json()["status"] == "received")
    dispatched = dispatcher.act(receipt["id"], "dispatch", category="elevator_retrofit")
    assert (dispatched.status, dispatched.json()["first_receiver"]["id"]) == (200, "110101004")
    again = citizen.api.post(
        f"/api/v1/public/requests/{receipt['id']}/dispatch", {"code": receipt["tracking_code"]}
    )
    assert again.status == 409


def test_a_unit_keeps_its_entry_current_and_another_unit_cannot(unit):
    entry_id = f"kb-street-light-repair-{secrets.randbelow(10**6)}"
    answer = "城市道路的路灯由市城市照明管理中心维护，路灯不亮可拨打12345反映并说明位置。"
    body: dict[str, object] = {
        "question": "路灯不亮找谁修？",
        "answer": answer,
        "source_policy": "北京市城市照明管理有关规定",
        "unit": "bj-lighting",
        "category": "street_lighting",
        "valid_from": "2026-01-01",
        "valid_to": None,
        "keywords": ["路灯不亮", "路灯坏了"],
    }

    by_another_unit = unit().put(f"/knowledge/{entry_id}", body)
    created = unit("admin1").put(f"/knowledge/{entry_id}", body)
    others = unit().put(f"/knowledge/{entry_id}", {**body, "version": 1})
    saved = unit("lighting.handler").put(
        f"/knowledge/{entry_id}", {**body, "answer": answer + "（已复核）", "version": 1}
    )
    stale = unit("lighting.handler").put(f"/knowledge/{entry_id}", {**body, "version": 1})
    bad = unit("admin1").put(f"/knowledge/{entry_id}", {**body, "unit": "nowhere", "version": 2})

    assert (by_another_unit.status, others.status) == (403, 403)
    assert created.status == 200, created.body
    assert saved.status == 200, saved.body
    assert (saved.json()["version"], saved.json()["updated_by"]) == (2, "lighting.handler")
    assert (stale.status, stale.json()["error"]["code"]) == (409, "stale_version")
    assert (bad.status, bad.json()["error"]["details"][0]["field"]) == (400, "unit")
    found = unit("operator1").get("/knowledge?q=路灯不亮找谁修").json()["items"]
    assert found[0]["id"] == entry_id


def test_a_residence_permit_question_is_offered_the_residence_permit_and_nothing_beside(api):
    question = "我是外地户口，想在北京办居住证，要准备什么材料？"
    answer = api.post("/api/v1/public/suggestions", {"content": question})
    unrelated = api.post("/api/v1/public/suggestions", {"content": "请问北京动物园门票多少钱"})

    assert answer.status == 200, answer.body
    offered = answer.json()["answers"]
    assert [a["id"] for a in offered] == ["kb-residence-permit-apply"]
    assert offered[0]["source_url"].startswith("https://") and "：" in offered[0]["source_policy"]
    assert unrelated.json()["answers"] == []


def test_a_garbage_sorting_answer_the_requester_accepts_is_not_dispatched(citizen, api):
    question = "垃圾分类以后，厨余垃圾该扔哪个桶？"
    offered = api.post("/api/v1/public/suggestions", {"content": question}).json()["answers"]
    body = {"type": "consultation", "category": None, "content": question}

    receipt = citizen.submit(**body, answered_by=offered[0]["id"])
    refused = citizen.api.post(
        "/api/v1/public/requests",
        {**body, "answered_by": "kb-passport", "location": {"district": "110101"},
         "requester": {"phone": "13800007777", "kind": "person"}},
    )  # fmt: skip

    assert offered and offered[0]["id"].startswith("kb-")
    assert (receipt["status"], receipt["deadline"]) == ("answered", None)
    assert receipt["answer"]["entry"] == offered[0]["id"]
    assert citizen.track(receipt)["timeline"][-1]["action"] == "answered"
    assert (refused.status, refused.json()["error"]["details"][0]["field"]) == (400, "answered_by")
