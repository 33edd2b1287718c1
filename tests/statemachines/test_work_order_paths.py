"""Path tests of statemachines/work_order.asl.json on moto's executor, with the real handlers."""

from chalicelib.domain.model import Status

from tests.conftest import execution_arn, history_types, states_entered, wait_until

HAPPY_PATH = [
    "Dispatch",
    "Closed?",
    "Await unit",  # dispatched, waiting for the unit to sign
    "Advance",
    "Closed?",
    "Await unit",  # signed
    "Advance",
    "Closed?",
    "Await unit",  # contacted
    "Advance",
    "Closed?",
    "Await unit",  # replied -> follow-up started
    "Advance",
    "Closed?",
    "Closed",  # evaluated -> closed
]


def test_happy_path_signed_replied_rated_on_time(citizen, unit, sfn, local_stack):
    receipt = citizen.submit()
    handler = unit()
    arn = execution_arn(local_stack, receipt["id"])
    wait_until(lambda: states_entered(sfn, arn)[-1:] == ["Await unit"])

    for action, body in (
        ("sign", {}),
        ("contact", {"note": "已电话联系诉求人"}),
        ("reply", {"result": "已更换灯泡，路灯恢复照明", "resolved_claim": True}),
    ):
        before = len(states_entered(sfn, arn))
        assert handler.act(receipt["id"], action, **body).status == 200
        wait_until(lambda n=before: len(states_entered(sfn, arn)) >= n + 3)  # type: ignore[misc]
    assert citizen.track(receipt)["status"] == Status.FOLLOW_UP
    assert citizen.rate(receipt).status == 200

    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED")
    entered = states_entered(sfn, arn)
    assert entered == HAPPY_PATH
    assert len(entered) <= 20  # DESIGN.md section 9: an ordinary order costs at most 20 transitions
    assert [e["action"] for e in citizen.track(receipt)["timeline"]] == [
        "received",
        "dispatched",
        "signed",
        "contacted",
        "replied",
        "follow_up_started",
        "evaluated",
        "closed",
    ]


def test_overdue_path_flags_the_order_and_the_workflow_goes_on(citizen, unit, sfn, local_stack):
    # A missing manhole cover is a 2-hour matter: two wall seconds at the test time scale.
    receipt = citizen.submit(category="manhole_cover", content="路口井盖丢失，非常危险，请尽快处理")
    arn = execution_arn(local_stack, receipt["id"])

    tracked = wait_until(lambda: (t := citizen.track(receipt))["overdue"] and t, timeout=15)

    assert tracked["status"] == "dispatched"  # overdue is a flag, not a status
    assert [e["action"] for e in tracked["timeline"]][-1] == "overdue"
    assert "TaskTimedOut" in history_types(sfn, arn)
    wait_until(lambda: states_entered(sfn, arn)[-1:] == ["Await unit"])
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"

    # The unit can still sign, and the workflow follows.
    before = len(states_entered(sfn, arn))
    assert unit().act(receipt["id"], "sign").status == 200
    wait_until(lambda: len(states_entered(sfn, arn)) >= before + 3)
    assert citizen.track(receipt)["status"] == "signed"
