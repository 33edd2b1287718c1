"""差评二次回访 through the staff API on the local stack: a bad rating waits in the supervisors'
queue; the supervisor's finding and decision close it out of the rates or send it back."""

from tests.conftest import wait_until
from tests.integration.test_staff_api import dispatched


def rated_badly(citizen, unit, **rating):
    receipt = dispatched(citizen)
    handler = unit()
    for action, body in (
        ("sign", {}),
        ("contact", {"note": "已电话联系"}),
        ("reply", {"result": "已安排清运", "resolved_claim": True}),
    ):
        assert handler.act(receipt["id"], action, **body).status == 200
    # 办结审核: the hotline's reviewer passes the reply on to the requester.
    assert unit("reviewer1").act(receipt["id"], "review", decision="pass").status == 200
    wait_until(lambda: citizen.track(receipt)["evaluation_due"])
    assert (
        citizen.rate(receipt, **({"resolved": False, "satisfaction": "dissatisfied"} | rating)).status == 200
    )
    return receipt


def test_a_bad_rating_waits_in_the_supervisors_queue_and_an_exclusion_closes_it(citizen, unit):
    receipt = rated_badly(citizen, unit, resolved=True)
    supervisor = unit("supervisor1")

    queue = wait_until(lambda: supervisor.get("/work-orders?status=revisit&limit=100").json()["items"])
    order = supervisor.order(receipt["id"]).json()
    tracked = citizen.track(receipt)
    offered = next(a for a in order["actions"] if a["action"] == "revisit")
    refused = unit().act(
        receipt["id"], "revisit", finding="policy", decision="exclude", reason="评价针对收费政策"
    )
    answer = supervisor.act(
        receipt["id"],
        "revisit",
        finding="policy",
        decision="exclude",
        reason="评价针对收费政策，非承办单位原因",
    )

    assert receipt["id"] in [o["id"] for o in queue]
    assert (order["status"], tracked["status"], tracked["evaluation_due"]) == ("revisit", "revisit", False)
    assert (offered["needs"], offered["choices"]["decision.policy"]) == (
        ["finding", "decision", "reason"],
        ["close", "exclude"],
    )
    assert refused.status == 403
    assert answer.status == 200, answer.body
    closed = answer.json()
    decided = closed["timeline"][-2]
    assert (closed["status"], closed["adjudicated_unreasonable"]) == ("closed", True)
    assert (decided["code"], decided["params"], decided["internal_note"]) == (
        "revisit_exclude",
        {"finding": "policy"},
        "评价针对收费政策，非承办单位原因",
    )


def test_a_decision_that_does_not_fit_the_finding_is_refused_in_the_callers_language(citizen, unit):
    receipt = rated_badly(citizen, unit)
    supervisor = unit("supervisor1")
    path = f"/api/v1/staff/work-orders/{receipt['id']}/revisit"
    version = supervisor.order(receipt["id"]).json()["version"]
    body = {"version": version, "finding": "unit_at_fault", "decision": "exclude", "reason": "单位未实际处理"}

    chinese = supervisor.api.post(path, body, headers=supervisor.headers)
    english = supervisor.api.post(path, body, headers={**supervisor.headers, "accept-language": "en"})

    assert (chinese.status, english.status) == (400, 400)
    assert chinese.json()["error"]["details"] == [
        {"field": "decision", "message": "审核结论与回访核实情况不符"}
    ]
    assert english.json()["error"]["details"] == [
        {"field": "decision", "message": "Decision does not fit the finding"}
    ]


def test_a_reopening_sends_the_order_back_to_the_unit_with_the_reason_on_the_timeline(citizen, unit):
    receipt = rated_badly(citizen, unit)
    supervisor = unit("supervisor1")

    answer = supervisor.act(
        receipt["id"], "revisit", finding="unit_at_fault", decision="reopen", reason="回访核实：垃圾仍未清运"
    )
    again = supervisor.act(
        receipt["id"], "revisit", finding="unit_at_fault", decision="close", reason="再次提交同一决定"
    )

    assert answer.status == 200, answer.body
    order = answer.json()
    assert (order["status"], order["reopen_count"]) == ("reopened", 1)
    assert [e["action"] for e in order["timeline"]][-4:] == [
        "evaluated",
        "revisit_opened",
        "revisited",
        "reopened",
    ]
    assert (again.status, again.json()["error"]["code"]) == (409, "wrong_status")
    assert unit().act(receipt["id"], "contact", note="再次上门").status == 200
