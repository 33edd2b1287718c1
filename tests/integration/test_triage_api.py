"""Art. 11 ¶3 on the local stack: emergencies told the line to call, repeats merged into the open
order, a dispatcher's triage decisions, and the way back."""

from botocore.exceptions import ClientError

from tests.conftest import execution_arn, wait_until
from tests.integration.test_notifications import sent_sms


def test_an_emergency_is_recorded_and_the_requester_told_to_call_119(citizen, sfn, local_stack):
    receipt = citizen.submit(type="help", category=None, content="我家楼下饭馆着火了，烟很大，快来人")

    assert (receipt["status"], receipt["reason"], receipt["transfer_to"]) == (
        "not_dispatched",
        "emergency",
        "119",
    )
    assert receipt["deadline"] is None
    tracked = citizen.track(receipt)
    assert [e["action"] for e in tracked["timeline"]] == ["received", "not_dispatched"]
    assert (tracked["timeline"][-1]["code"], tracked["timeline"][-1]["params"]) == (
        "settled",
        {"reason": "emergency", "transfer_to": "119"},
    )
    wait_until(lambda: any("请立即拨打119" in m for m in sent_sms(citizen.phone)))
    try:  # nothing to dispatch: no workflow was started
        sfn.describe_execution(executionArn=execution_arn(local_stack, receipt["id"]))
        started = True
    except ClientError:
        started = False
    assert not started


def test_a_repeat_from_the_same_phone_is_merged_into_the_open_order(citizen, unit):
    first = citizen.submit()
    requester = {"name": "刘先生", "phone": citizen.phone, "kind": "person"}

    repeat = citizen.submit(requester=requester, content="垃圾桶还是满的，已经第三天了，催一下")
    other_matter = citizen.submit(
        requester=requester, category="street_lighting", content="胡同里的路灯晚上不亮了"
    )

    assert (repeat["status"], repeat["reason"], repeat["merged_into"]) == ("merged", "duplicate", first["id"])
    assert other_matter["status"] == "received"
    tracked = citizen.track(repeat)
    assert tracked["merged_into"] == first["id"]
    assert tracked["timeline"][-1]["params"] == {"reason": "duplicate", "merged_into": first["id"]}
    wait_until(lambda: any(first["id"] in m and "合并" in m for m in sent_sms(citizen.phone)))
    # The first receiver works on the original only: the repeat is not in any unit's inbox.
    assert unit().order(repeat["id"]).status == 404


def test_operators_see_candidate_duplicates_during_a_call(citizen, unit):
    first = citizen.submit()
    operator = unit("operator1")

    by_phone = operator.get(f"/duplicates?phone={citizen.phone}&district=110101&street=110101004")
    at_the_place = "/duplicates?district=110101&street=110101004&category=garbage_collection"
    bad = operator.get("/duplicates?district=abc")

    assert by_phone.status == 200, by_phone.body
    assert first["id"] in [o["id"] for o in by_phone.json()["items"]]
    # Once dispatched, others' orders about the same place and category show too.
    wait_until(lambda: first["id"] in [o["id"] for o in operator.get(at_the_place).json()["items"]])
    assert (bad.status, bad.json()["error"]["details"][0]["field"]) == (400, "district")
    assert unit().get(f"/duplicates?phone={citizen.phone}&district=110101").status == 403


def test_a_dispatcher_sends_a_matter_for_the_courts_to_the_legal_channel_and_can_take_it_back(
    citizen, unit, sfn, local_stack
):
    receipt = citizen.submit(category=None, content="我和邻居的房屋买卖合同纠纷，法院判决不公，要求改判")
    dispatcher = unit("dispatcher1")
    order = wait_until(lambda: (o := dispatcher.order(receipt["id"]).json())["status"] == "received" and o)

    no_line = dispatcher.act(receipt["id"], "triage", version=order["version"], reason="emergency")
    by_unit = unit().act(receipt["id"], "triage", version=order["version"], reason="legal_channel")
    settled = dispatcher.act(
        receipt["id"],
        "triage",
        version=order["version"],
        reason="legal_channel",
        note="可向人民法院申请再审。",
    )

    assert (no_line.status, no_line.json()["error"]["details"][0]["field"]) == (400, "transfer_to")
    assert by_unit.status == 404
    assert settled.status == 200, settled.body
    assert (settled.json()["status"], settled.json()["reason"]) == ("not_dispatched", "legal_channel")
    tracked = citizen.track(receipt)
    assert tracked["timeline"][-1]["action"] == "not_dispatched"
    assert tracked["timeline"][-1]["params"] == {"reason": "legal_channel"}
    assert tracked["timeline"][-1]["note"] == "可向人民法院申请再审。"
    wait_until(lambda: any("法定途径" in m and "再审" in m for m in sent_sms(citizen.phone)))
    assert dispatcher.act(receipt["id"], "triage", reason="unlawful").status == 409

    # Reinstated, the order is received again and a new run of its workflow waits for dispatch.
    refused = unit("operator1").act(receipt["id"], "reinstate", note="诉求人补充了新的情况")
    again = dispatcher.act(receipt["id"], "reinstate", note="诉求人补充了新的情况")

    assert refused.status == 403
    assert again.status == 200, again.body
    assert (again.json()["status"], again.json()["reason"], again.json()["deadline"] is not None) == (
        "received",
        None,
        True,
    )
    run = execution_arn(local_stack, receipt["id"]) + "-r1"
    wait_until(lambda: sfn.describe_execution(executionArn=run)["status"] == "RUNNING")
    dispatched = dispatcher.act(receipt["id"], "dispatch", category="garbage_collection")
    assert (dispatched.status, dispatched.json()["status"]) == (200, "dispatched")


def test_an_operator_merges_a_call_into_an_open_order_but_not_into_a_closed_one(citizen, unit):
    original = citizen.submit()
    call = citizen.submit(category=None, content="方家胡同口的垃圾没人收，味道很大")
    operator = unit("operator1")
    wait_until(lambda: operator.order(call["id"]).json()["status"] == "received")

    unknown = operator.act(call["id"], "merge", into="2611269999999")
    itself = operator.act(call["id"], "merge", into=call["id"])
    merged = operator.act(call["id"], "merge", into=original["id"])

    assert (unknown.status, unknown.json()["error"]["details"][0]["field"]) == (400, "into")
    assert (itself.status, itself.json()["error"]["details"][0]["field"]) == (400, "into")
    assert merged.status == 200, merged.body
    assert (merged.json()["status"], merged.json()["merged_into"]) == ("merged", original["id"])
    assert citizen.track(call)["merged_into"] == original["id"]
