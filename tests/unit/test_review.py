"""办结审核: a unit's reply waits for the hotline's reviewer, who passes it or returns it; the
automatic check flags perfunctory replies; the policy says what skips review and whether the
deadline runs meanwhile."""

from datetime import timedelta

import pytest
from chalicelib.domain import handling, review
from chalicelib.domain.allowed import allowed
from chalicelib.domain.deadlines import TimeLimits
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.model import Staff, Status
from chalicelib.domain.notifications import Sms, StaffNotice, notices
from chalicelib.domain.reply_quality import Flag, check
from chalicelib.domain.views import public_view, staff_view

from tests.unit.conftest import HANDLER

REVIEWER = Staff(username="reviewer1", roles=frozenset({"reviewer"}))
GOOD = (
    "环卫所于11月26日上午派车清运方家胡同口垃圾桶，共清运3桶，"
    "已增设1个垃圾桶，并改为每日清运两次。已电话告知诉求人。"
)


def replied(hotline, result: str, limits: TimeLimits | None = None, resolved: bool = True):
    """Given an order signed and contacted, when the unit replies `result`."""
    order_id = hotline.dispatched()
    hotline.act(order_id, handling.sign)
    hotline.act(order_id, handling.contact("电话已联系"))
    hotline.act(order_id, review.submit(result, resolved, hotline.reference, limits or hotline.limits))
    return order_id


def test_a_bare_done_is_flagged_returned_then_a_real_reply_passes(hotline, orders):
    order_id = replied(hotline, "已处理。")
    in_review = hotline.order(order_id)
    assert in_review.status is Status.IN_REVIEW
    assert in_review.quality is not None and in_review.quality.flags == (Flag.TOO_SHORT,)
    assert [a.action for a in allowed(in_review, REVIEWER, TimeLimits())] == ["review"]
    assert "review" not in [a.action for a in allowed(in_review, HANDLER, TimeLimits())]

    returned = hotline.act(order_id, review.decide(review.RETURN, "未说明清运情况", hotline.limits), REVIEWER)

    assert (returned.status, returned.returns, returned.reply) == (Status.IN_PROGRESS, 1, None)
    assert (returned.timeline[-1].action, returned.timeline[-1].internal_note) == (
        "review_returned",
        "未说明清运情况",
    )
    told = f"工单{order_id}的办结答复未通过审核，请重新办理并答复：未说明清运情况"
    assert StaffNotice("unit:110101004", f"答复退回 {order_id}", told) in notices(in_review, returned)

    hotline.act(order_id, review.submit(GOOD, True, hotline.reference, hotline.limits))
    again = hotline.order(order_id)
    assert again.quality is not None and again.quality.flags == ()
    passed = hotline.act(order_id, review.decide(review.PASS, None, hotline.limits), REVIEWER)

    assert passed.status is Status.REPLIED
    assert [e.action for e in passed.timeline[-2:]] == ["review_passed", "replied"]
    assert (passed.timeline[-1].unit, passed.timeline[-1].note) == ("110101004", GOOD)
    told = f"【12345】您的诉求（工单号{order_id}）已有办理结果，请查询。"
    assert Sms(passed.requester.phone, told) in notices(again, passed)
    hotline.advance(order_id)
    assert hotline.order(order_id).status is Status.FOLLOW_UP
    assert hotline.order(order_id).returns == 1  # still counted against the unit


def test_the_requester_sees_the_reply_only_once_it_passed(hotline):
    order_id = replied(hotline, GOOD)
    order = hotline.order(order_id)

    public = public_view(order, hotline.reference)
    assert public.reply is None
    assert GOOD not in [e.note for e in public.timeline]
    assert staff_view(order, REVIEWER, hotline.reference).reply is not None

    passed = hotline.act(order_id, review.decide(review.PASS, None, hotline.limits), REVIEWER)
    assert public_view(passed, hotline.reference).reply is not None


def test_reviewers_are_told_a_reply_waits(hotline):
    order_id = hotline.dispatched()
    hotline.act(order_id, handling.sign)
    before = hotline.act(order_id, handling.contact(None))
    after = hotline.act(order_id, review.submit(GOOD, True, hotline.reference, hotline.limits))

    told = notices(before, after)
    waiting = f"工单{order_id}的办结答复待审核。"
    assert StaffNotice("hotline:reviewer", f"办结审核 {order_id}", waiting) in told
    assert not [n for n in told if isinstance(n, Sms)]  # the requester hears nothing yet


def test_a_return_needs_its_reason(hotline):
    order_id = replied(hotline, "已处理。")

    with pytest.raises(InvalidInput) as raised:
        hotline.act(order_id, review.decide(review.RETURN, None, hotline.limits), REVIEWER)
    assert [p.field for p in raised.value.details] == ["reason"]


def test_only_a_reply_in_review_is_decided(hotline):
    order_id = hotline.dispatched()

    with pytest.raises(Conflict) as raised:
        hotline.act(order_id, review.decide(review.PASS, None, hotline.limits), REVIEWER)
    assert raised.value.code == "wrong_status"


def test_a_confident_pass_skips_review_only_when_the_policy_says_so(hotline):
    skipping = TimeLimits(review_skips_confident=True)

    skipped = hotline.order(replied(hotline, GOOD, skipping))
    kept = hotline.order(replied(hotline, GOOD))
    flagged = hotline.order(replied(hotline, "已处理。", skipping))

    assert (skipped.status, skipped.timeline[-1].action, skipped.timeline[-1].code) == (
        Status.REPLIED,
        "replied",
        "review_skipped",
    )
    assert kept.status is Status.IN_REVIEW
    assert flagged.status is Status.IN_REVIEW


def test_the_deadline_runs_in_review_when_the_policy_says_so(hotline, clock):
    order_id = replied(hotline, GOOD)
    clock.advance(days=8)  # past the 7-day deadline of garbage collection

    hotline.advance(order_id)

    order = hotline.order(order_id)
    assert (order.status, order.overdue, order.timeline[-1].code) == (Status.IN_REVIEW, True, "overdue")


def test_a_paused_deadline_gives_the_unit_the_review_time_back(hotline, clock):
    paused = TimeLimits(review_clock_runs=False)
    hotline.limits = paused
    order_id = replied(hotline, "已处理。", paused)
    deadline = hotline.order(order_id).deadline
    assert deadline is not None
    clock.advance(days=8)

    hotline.advance(order_id)
    assert not hotline.order(order_id).overdue
    returned = hotline.act(order_id, review.decide(review.RETURN, "请写明清运结果", paused), REVIEWER)

    assert returned.deadline == deadline + timedelta(days=8)
    assert not returned.overdue


@pytest.mark.parametrize(
    ("reply", "resolved", "flag"),
    [
        ("已协调。", True, Flag.TOO_SHORT),
        ("您好，您反映的问题我单位高度重视，已安排专人跟进，感谢您的支持与监督。", True, Flag.BOILERPLATE),
        ("关于垃圾桶清运问题，已转区城管委，目前正在协调中。", True, Flag.CONTRADICTS_CLAIM),
        ("我们会督促环卫部门加强清运管理。", False, Flag.PROMISE_WITHOUT_DATE),
        ("关于路灯不亮的问题，路灯已于11月20日修复。", True, Flag.OFF_SUBJECT),
        ("您反映的垃圾桶问题，请您与物业联系解决。", False, Flag.NO_ACTION),
    ],
)
def test_the_check_flags_what_a_reviewer_would_return(reply, resolved, flag):
    found = check(reply, resolved, "胡同口垃圾桶满了好几天没人清运，气味很大", None)

    assert flag in found.flags
    assert not found.high_confidence


def test_the_check_passes_a_reply_with_what_was_done_and_when():
    found = check(GOOD, True, "胡同口垃圾桶满了好几天没人清运，气味很大", None)

    assert found.flags == ()
    assert found.high_confidence
