"""Path tests of statemachines/work_order.asl.json on moto's executor, with the real handlers.

Workflow time runs 3600x faster (tests/conftest.py): a 2-hour matter falls due two wall seconds
after dispatch, its sign-for limit after half a second."""

import json
import time
from datetime import datetime, timedelta

from botocore.exceptions import ClientError
from chalicelib import wiring
from chalicelib.domain.model import Status

from tests.conftest import execution_arn, history_types, states_entered, wait_until
from tests.integration.test_notifications import sent_sms, staff_notices

# Each wake-up brings the order's next checkpoint (worked out by the API that wrote the change),
# so an action costs one transition: the next wait; the one that closes the order ends it.
HAPPY_PATH = [
    "Dispatch",
    "Closed?",
    "Await unit",  # dispatched, waiting for the unit to sign
    "Await unit",  # signed
    "Await unit",  # contacted
    "Await unit",  # replied: the reply waits for the hotline's review (办结审核)
    "Await unit",  # the reviewer passed it -> follow-up started
    "Closed",  # evaluated -> closed
]
MANHOLE = {"category": "manhole_cover", "content": "路口井盖丢失，非常危险，请尽快处理"}


def actions(tracked_or_order) -> list[str]:
    return [e["action"] for e in tracked_or_order["timeline"]]


def wait_parked(sfn, arn, after: int = 0) -> None:
    """Until the workflow waits on the unit again, having entered at least `after` more states."""
    wait_until(lambda: len(entered := states_entered(sfn, arn)) > after and entered[-1] == "Await unit")


def act_and_follow(sfn, arn, staff, order_id, action, **body):
    before = len(states_entered(sfn, arn))
    answer = staff.act(order_id, action, **body)
    assert answer.status == 200, answer.body
    wait_parked(sfn, arn, before)
    return answer.json()


def handle(sfn, arn, handler, order_id: str, reviewer) -> None:
    """The unit signs, contacts the requester and replies, the hotline's reviewer passes the reply,
    the workflow following each step."""
    wait_parked(sfn, arn)
    act_and_follow(sfn, arn, handler, order_id, "sign")
    act_and_follow(sfn, arn, handler, order_id, "contact", note="已电话联系诉求人")
    act_and_follow(
        sfn, arn, handler, order_id, "reply", result="已安排环卫车辆清运，垃圾桶已清空", resolved_claim=True
    )
    act_and_follow(sfn, arn, reviewer, order_id, "review", decision="pass")


def test_happy_path_signed_replied_rated_on_time(citizen, unit, sfn, local_stack):
    receipt = citizen.submit()
    arn = execution_arn(local_stack, receipt["id"])

    handle(sfn, arn, unit(), receipt["id"], unit("reviewer1"))
    assert citizen.track(receipt)["status"] == Status.FOLLOW_UP
    assert citizen.rate(receipt).status == 200

    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED")
    entered = states_entered(sfn, arn)
    assert entered == HAPPY_PATH
    assert len(entered) <= 20  # DESIGN.md section 9: an ordinary order costs at most 20 transitions
    assert actions(citizen.track(receipt)) == [
        "received",
        "dispatched",
        "signed",
        "contacted",
        "replied",
        "follow_up_started",
        "evaluated",
        "closed",
    ]


def test_objection_upheld_reassigns_and_the_new_unit_carries_on(citizen, unit, sfn, local_stack):
    receipt = citizen.submit(**MANHOLE)
    arn = execution_arn(local_stack, receipt["id"])
    wait_parked(sfn, arn)
    andingmen, jiaodaokou, dispatcher = unit(), unit("jiaodaokou.handler"), unit("dispatcher1")

    objected = act_and_follow(
        sfn,
        arn,
        andingmen,
        receipt["id"],
        "objection",
        grounds="jurisdiction",
        reason="井盖位于交道口街道辖区",
    )
    before = len(states_entered(sfn, arn))
    decided = dispatcher.post(
        f"/objections/{objected['objections'][0]['id']}/decision", decision="uphold", reassign_to="110101003"
    )
    assert decided.status == 200, decided.body
    wait_parked(sfn, arn, before)

    order = jiaodaokou.order(receipt["id"]).json()
    assert (order["status"], order["first_receiver"]["id"]) == ("dispatched", "110101003")
    assert order["objections"][0]["decision"] == "upheld"
    assert andingmen.order(receipt["id"]).status == 404  # the history stays; the old unit's access goes
    act_and_follow(sfn, arn, jiaodaokou, receipt["id"], "sign")
    public = citizen.track(receipt)
    assert actions(public)[-2:] == ["reassigned", "signed"]
    assert public["timeline"][-2]["unit"] == "交道口街道"
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"


def test_objection_rejected_sends_it_back_to_the_unit(citizen, unit, sfn, local_stack):
    receipt = citizen.submit(**MANHOLE)
    arn = execution_arn(local_stack, receipt["id"])
    wait_parked(sfn, arn)
    andingmen, dispatcher = unit(), unit("dispatcher1")
    objected = act_and_follow(
        sfn, arn, andingmen, receipt["id"], "objection", grounds="duty", reason="非本单位职责"
    )

    before = len(states_entered(sfn, arn))
    decided = dispatcher.post(
        f"/objections/{objected['objections'][0]['id']}/decision", decision="reject", note="属街道职责"
    )
    assert decided.status == 200, decided.body
    wait_parked(sfn, arn, before)

    again = andingmen.act(receipt["id"], "objection", grounds="duty", reason="再次申请")
    assert (again.status, again.json()["error"]["code"]) == (409, "objection_rejected")
    signed = act_and_follow(sfn, arn, andingmen, receipt["id"], "sign")
    assert signed["status"] == "signed"


def last_wait(sfn, arn: str) -> int:
    """How long (workflow seconds) the workflow last parked for, as the state's input says."""
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    entered = [e["stateEnteredEventDetails"] for e in events if "stateEnteredEventDetails" in e]
    return json.loads(next(e for e in reversed(entered) if e["name"] == "Await unit")["input"])[
        "wait_seconds"
    ]


def test_an_approved_extension_moves_the_deadline_and_the_workflow_waits_for_the_new_one(
    citizen, unit, sfn, local_stack
):
    # Given a 24-hour order (24 wall seconds: time for the unit to ask and a supervisor to decide)
    receipt = citizen.submit()
    arn = execution_arn(local_stack, receipt["id"])
    wait_parked(sfn, arn)
    handler, supervisor = unit(), unit("supervisor1")
    signed = act_and_follow(sfn, arn, handler, receipt["id"], "sign")
    act_and_follow(sfn, arn, handler, receipt["id"], "contact", note="已电话联系诉求人")
    deadline = datetime.fromisoformat(signed["deadline"])
    later = deadline + timedelta(days=3)  # as far as the 24-hour tier allows

    asked = act_and_follow(
        sfn,
        arn,
        handler,
        receipt["id"],
        "extension",
        reason="需协调环卫车辆，等待调度",
        new_deadline=later.isoformat(),
    )
    extended = act_and_follow(sfn, arn, supervisor, receipt["id"], "extension/decision", decision="approve")

    assert asked["deadline"] == signed["deadline"]
    assert datetime.fromisoformat(extended["deadline"]) == later
    # The next checkpoint (the first reminder towards the new deadline) lies past the old deadline.
    assert datetime.fromisoformat(extended["updated_at"]) + timedelta(seconds=last_wait(sfn, arn)) > deadline
    tracked = citizen.track(receipt)
    assert tracked["extensions"][0]["reason"] == "需协调环卫车辆，等待调度"
    wait_until(lambda: any("需协调环卫车辆" in m for m in sent_sms(citizen.phone)))


def test_a_request_still_pending_at_the_deadline_lapses_and_the_order_becomes_overdue(
    citizen, unit, sfn, local_stack
):
    receipt = citizen.submit(**MANHOLE)
    arn = execution_arn(local_stack, receipt["id"])
    wait_parked(sfn, arn)
    handler = unit()
    signed = act_and_follow(sfn, arn, handler, receipt["id"], "sign")
    later = datetime.fromisoformat(signed["deadline"]) + timedelta(hours=20)
    act_and_follow(
        sfn, arn, handler, receipt["id"], "extension", reason="等待材料", new_deadline=later.isoformat()
    )

    order = wait_until(lambda: (o := handler.order(receipt["id"]).json()).get("overdue") and o, timeout=15)
    late = unit("supervisor1").act(receipt["id"], "extension/decision", decision="approve")

    assert order["deadline"] == signed["deadline"]
    assert order["extension_requests"][0]["decision"] == "lapsed"
    assert actions(order).index("extension_lapsed") < actions(order).index("overdue")
    assert (late.status, late.json()["error"]["code"]) == (409, "no_extension_request")
    assert citizen.track(receipt)["extensions"] == []


def test_reminders_then_overdue_escalation_and_the_order_keeps_going(citizen, unit, sfn, local_stack):
    receipt = citizen.submit(requester={"phone": "13900002222", "kind": "person"}, **MANHOLE)
    arn = execution_arn(local_stack, receipt["id"])

    order = wait_until(lambda: (o := unit().order(receipt["id"]).json()).get("overdue") and o, timeout=15)

    assert order["status"] == "dispatched"  # overdue is a flag, not a status
    timeline = actions(order)
    for step in ("sign_overdue", "reminded", "overdue", "follow_up_started"):
        assert step in timeline
    assert timeline.index("reminded") < timeline.index("overdue")
    assert "TaskTimedOut" in history_types(sfn, arn)
    wait_until(
        lambda: (
            {"unit:110101004", "leader:110101004", "hotline:supervisor"}
            <= {audience for audience, message in staff_notices(local_stack) if receipt["id"] in message}
        )
    )
    wait_parked(sfn, arn)
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    assert act_and_follow(sfn, arn, unit(), receipt["id"], "sign")["status"] == "signed"


def test_follow_up_reopens_to_the_same_unit_when_unresolved_and_dissatisfied(citizen, unit, sfn, local_stack):
    receipt = citizen.submit()
    arn = execution_arn(local_stack, receipt["id"])
    handler = unit()
    handle(sfn, arn, handler, receipt["id"], unit("reviewer1"))

    before = len(states_entered(sfn, arn))
    assert citizen.rate(receipt, resolved=False, satisfaction="dissatisfied").status == 200
    wait_parked(sfn, arn, before)
    # The supervisor's second follow-up (差评二次回访) decides: the unit did not do the work.
    waiting = handler.order(receipt["id"]).json()["status"]
    act_and_follow(
        sfn,
        arn,
        unit("supervisor1"),
        receipt["id"],
        "revisit",
        finding="unit_at_fault",
        decision="reopen",
        reason="回访核实：垃圾仍未清运",
    )

    order = handler.order(receipt["id"]).json()
    assert waiting == "revisit"
    assert (order["status"], order["reopen_count"], order["first_receiver"]["id"]) == (
        "reopened",
        1,
        "110101004",
    )
    act_and_follow(sfn, arn, handler, receipt["id"], "contact", note="再次上门")
    act_and_follow(sfn, arn, handler, receipt["id"], "reply", result="已更换整条线路", resolved_claim=True)
    act_and_follow(sfn, arn, unit("reviewer1"), receipt["id"], "review", decision="pass")
    assert citizen.rate(receipt).status == 200
    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED")
    assert actions(citizen.track(receipt))[-4:] == ["replied", "follow_up_started", "evaluated", "closed"]


def test_a_second_follow_up_that_excludes_the_order_ends_the_workflow(citizen, unit, sfn, local_stack):
    receipt = citizen.submit()
    arn = execution_arn(local_stack, receipt["id"])
    handle(sfn, arn, unit(), receipt["id"], unit("reviewer1"))
    before = len(states_entered(sfn, arn))
    assert citizen.rate(receipt, resolved=True, satisfaction="dissatisfied").status == 200
    wait_parked(sfn, arn, before)

    answer = unit("supervisor1").act(
        receipt["id"],
        "revisit",
        finding="unreasonable",
        decision="exclude",
        reason="诉求超出政策规定，已解释",
    )

    assert answer.status == 200, answer.body
    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED")
    assert states_entered(sfn, arn)[-1] == "Closed"
    assert actions(citizen.track(receipt))[-3:] == ["evaluated", "revisit_opened", "closed"]


def test_no_evaluation_closes_as_not_evaluated(citizen, unit, sfn, local_stack, time_limits):
    time_limits(follow_up_window=3600)  # one wall second at the test time scale
    receipt = citizen.submit()
    arn = execution_arn(local_stack, receipt["id"])
    handler = unit()
    handle(sfn, arn, handler, receipt["id"], unit("reviewer1"))

    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED", timeout=10)

    tracked = citizen.track(receipt)
    assert tracked["status"] == "closed"
    assert tracked["timeline"][-1] | {"at": None} == {
        "at": None,
        "action": "closed",
        "unit": None,
        "note": "not_evaluated",
        "code": None,
        "params": {},
    }


class FlakyOrders:
    """The order store with one failure of `park` (a throttled DynamoDB write) for the order
    whose content is `content`."""

    def __init__(self, real, content: str) -> None:
        self.real = real
        self.content = content
        self.failed = False

    def park(self, order_id: str, version: int, token: str) -> bool:
        if not self.failed and self.real.get(order_id).content == self.content:
            self.failed = True
            raise ClientError(
                {"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "UpdateItem"
            )
        return self.real.park(order_id, version, token)

    def __getattr__(self, name: str):
        return getattr(self.real, name)


def test_a_failing_lambda_task_is_retried_and_the_order_goes_on(citizen, unit, sfn, local_stack):
    dependencies = wiring.deps()
    real = dependencies.orders
    content = f"小区门口垃圾桶满溢，三天无人清运 {time.time()}"
    flaky = FlakyOrders(real, content)
    dependencies.__dict__["orders"] = flaky  # the port the Lambda tasks use, in this process
    try:
        receipt = citizen.submit(category="garbage_collection", content=content)
        arn = execution_arn(local_stack, receipt["id"])
        wait_parked(sfn, arn)
        wait_until(lambda: flaky.failed)
    finally:
        dependencies.__dict__["orders"] = real

    assert "LambdaFunctionFailed" in history_types(sfn, arn) or "TaskFailed" in history_types(sfn, arn)
    assert states_entered(sfn, arn)[:3] == ["Dispatch", "Closed?", "Await unit"]
    assert act_and_follow(sfn, arn, unit(), receipt["id"], "sign")["status"] == "signed"


def test_co_handling_with_a_late_assisting_unit(citizen, unit, sfn, local_stack):
    receipt = citizen.submit(category="street_lighting", content="路灯杆被车撞歪，灯罩掉落")
    arn = execution_arn(local_stack, receipt["id"])
    wait_parked(sfn, arn)
    street, lighting = unit(), unit("lighting.handler")
    act_and_follow(sfn, arn, street, receipt["id"], "sign")
    contacted = act_and_follow(sfn, arn, street, receipt["id"], "contact")
    by = datetime.fromisoformat(contacted["updated_at"]) + timedelta(hours=1)  # one wall second

    # The street asks the district housing commission too; the lighting centre came with the dispatch.
    act_and_follow(
        sfn, arn, street, receipt["id"], "assists", units=["110101-housing"], deadline=by.isoformat()
    )
    act_and_follow(sfn, arn, lighting, receipt["id"], "assist/sign")
    act_and_follow(sfn, arn, lighting, receipt["id"], "assist/report", result="已更换灯杆和灯具")
    order = wait_until(
        lambda: (o := street.order(receipt["id"]).json())["timeline"][-1]["action"] == "assist_overdue" and o
    )

    housing = {a["unit"]: a for a in order["assists"]}["110101-housing"]
    assert housing["late"] and not order["overdue"]  # against the assisting unit, not the first receiver
    wait_until(
        lambda: (
            {"unit:110101-housing", "leader:110101-housing"}
            <= {audience for audience, message in staff_notices(local_stack) if receipt["id"] in message}
        )
    )
    early = street.act(receipt["id"], "reply", result="已修复", resolved_claim=True)
    assert (early.status, early.json()["error"]["code"]) == (409, "assists_pending")
    act_and_follow(
        sfn,
        arn,
        street,
        receipt["id"],
        "assists/110101-housing/release",
        reason="灯杆产权已查明，无需住建协助",
    )
    replied = act_and_follow(
        sfn, arn, street, receipt["id"], "reply", result="灯杆已扶正，照明恢复", resolved_claim=True
    )
    assert replied["status"] == "in_review"
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
