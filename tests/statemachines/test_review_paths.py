"""Path tests of the reply review (办结审核) on moto's executor with the real handlers: a perfunctory
reply flagged and returned, the unit replying again, the reviewer passing it; the deadline while a
reply waits, as the policy says."""

import time

from chalicelib.domain.model import Status

from tests.conftest import execution_arn, states_entered, wait_until
from tests.integration.test_notifications import sent_sms, staff_notices
from tests.statemachines.test_work_order_paths import MANHOLE, act_and_follow, actions, wait_parked

GOOD = "环卫所当日派车清运方家胡同口垃圾桶3桶，已增设1个垃圾桶，改为每日清运两次，已电话告知诉求人。"


def replied(sfn, arn, handler, order_id: str, result: str) -> dict:
    wait_parked(sfn, arn)
    act_and_follow(sfn, arn, handler, order_id, "sign")
    act_and_follow(sfn, arn, handler, order_id, "contact", note="已电话联系诉求人")
    return act_and_follow(sfn, arn, handler, order_id, "reply", result=result, resolved_claim=True)


def test_a_returned_reply_goes_back_to_the_unit_and_the_next_one_passes(citizen, unit, sfn, local_stack):
    receipt = citizen.submit()
    order_id, arn = receipt["id"], execution_arn(local_stack, receipt["id"])
    handler, reviewer = unit(), unit("reviewer1")

    flagged = replied(sfn, arn, handler, order_id, "已处理。")
    assert (flagged["status"], flagged["review"]["flags"]) == ("in_review", ["too_short"])
    assert citizen.track(receipt)["reply"] is None
    returned = act_and_follow(
        sfn, arn, reviewer, order_id, "review", decision="return", reason="未写明清运结果"
    )
    assert (returned["status"], returned["review"]["returns"]) == ("in_progress", 1)
    wait_until(
        lambda: any(a == "unit:110101004" and "未写明清运结果" in m for a, m in staff_notices(local_stack))
    )

    act_and_follow(sfn, arn, handler, order_id, "reply", result=GOOD, resolved_claim=True)
    passed = act_and_follow(sfn, arn, reviewer, order_id, "review", decision="pass")

    assert passed["status"] == Status.REPLIED
    wait_until(lambda: citizen.track(receipt)["status"] == Status.FOLLOW_UP)
    wait_until(lambda: any("已有办理结果" in m for m in sent_sms(citizen.phone)))
    tracked = citizen.track(receipt)
    assert tracked["reply"]["result"] == GOOD
    assert "已处理。" not in [e["note"] for e in tracked["timeline"]]  # the returned reply stays inside
    assert citizen.rate(receipt).status == 200
    wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED")
    assert actions(handler.order(order_id).json()).count("review_returned") == 1
    assert len(states_entered(sfn, arn)) <= 12  # the budget with review on (DESIGN.md section 9)


def test_the_deadline_runs_in_review_unless_the_policy_stops_it(citizen, unit, sfn, local_stack, time_limits):
    handler, reviewer = unit(), unit("reviewer1")
    running = citizen.submit(**MANHOLE)  # a 2-hour matter: two wall seconds at the test time scale
    replied(sfn, execution_arn(local_stack, running["id"]), handler, running["id"], GOOD)
    wait_until(lambda: handler.order(running["id"]).json()["overdue"])
    assert handler.order(running["id"]).json()["status"] == "in_review"

    time_limits(review_clock_runs=False)
    paused = citizen.submit(**MANHOLE)
    arn = execution_arn(local_stack, paused["id"])
    before = replied(sfn, arn, handler, paused["id"], "已处理。")
    time.sleep(2.5)  # the 2-hour deadline passes while the reply waits
    assert not handler.order(paused["id"]).json()["overdue"]
    returned = act_and_follow(
        sfn, arn, reviewer, paused["id"], "review", decision="return", reason="请写明结果"
    )

    assert returned["deadline"] > before["deadline"]  # the review's time given back
    assert not returned["overdue"]
