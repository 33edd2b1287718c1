"""Path test of statemachines/whistle.asl.json on moto's executor, with the real handlers: a street
blows the whistle, one department reports in time, the other misses the report limit and is
escalated to the district, reports late, and the street closes the whistle.

Workflow time runs 3600x faster (tests/conftest.py): a three-hour report limit passes in three
wall seconds."""

from chalicelib import names

from tests.conftest import states_entered, wait_until
from tests.integration.test_notifications import staff_notices

MATTER = "方家胡同私搭乱建占用消防通道，需要住建、城管联合执法"


def whistle_arn(local_stack, whistle_id: str, run: int) -> str:
    machine = local_stack.stack.outputs[names.ENV_WHISTLE_STATE_MACHINE_ARN]
    return machine.replace(":stateMachine:", ":execution:") + f":whistle-{whistle_id}-{run}"


def test_a_whistle_with_a_missed_report(unit, sfn, local_stack, time_limits):
    time_limits(whistle_report=3 * 3600)
    street, housing, enforcement = unit(), unit("dongcheng.housing"), unit("dongcheng.enforcement")

    answer = street.post("/whistles", matter=MATTER, departments=["110101-housing", "110101-enforcement"])
    assert answer.status == 201, answer.body
    whistle = answer.json()
    arn = whistle_arn(local_stack, whistle["id"], 1)
    reported = housing.post(f"/whistles/{whistle['id']}/report", note="已到现场")

    assert reported.status == 200, reported.body
    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED", timeout=15)
    assert states_entered(sfn, arn) == [
        "Check reports",
        "Everyone reported?",
        "Wait for the report limit",
        "Check reports",  # the limit passed: the department that did not report is escalated
        "Everyone reported?",
        "Done",
    ]
    escalated = street.get(f"/whistles/{whistle['id']}").json()
    by_unit = {s["unit"]["id"]: s for s in escalated["summons"]}
    assert (by_unit["110101-housing"]["late"], by_unit["110101-housing"]["reported_at"] is not None) == (
        False,
        True,
    )
    assert (
        by_unit["110101-enforcement"]["late"],
        by_unit["110101-enforcement"]["escalated_at"] is not None,
    ) == (
        True,
        True,
    )
    assert [e["action"] for e in escalated["timeline"]] == ["whistle_blown", "reported", "report_missed"]
    wait_until(
        lambda: (
            {("unit:110101", whistle["id"]), ("leader:110101-enforcement", whistle["id"])}
            <= {(a, whistle["id"]) for a, m in staff_notices(local_stack) if whistle["id"] in m}
        )
    )

    # 事不完，人不撤: the late department still reports; the street closes when the matter is done.
    late = enforcement.post(f"/whistles/{whistle['id']}/report", note="已到场，开始拆除")
    assert late.status == 200, late.body
    version = late.json()["version"]
    assert housing.post(f"/whistles/{whistle['id']}/close", version=version, result="已拆除").status == 403
    closed = street.post(f"/whistles/{whistle['id']}/close", version=version, result="违建已拆除，通道已打通")
    assert closed.status == 200, closed.body
    assert closed.json()["status"] == "closed"
    summoned = enforcement.get("/whistles?summoned=true").json()["items"]
    assert [(w["id"], w["status"]) for w in summoned if w["id"] == whistle["id"]] == [
        (whistle["id"], "closed")
    ]
    mine = street.get("/whistles").json()["items"]
    assert whistle["id"] in [w["id"] for w in mine]
