"""What the workflow does as time passes: sign-for and contact limits, reminders, the deadline
with its escalation, and the follow-up (Arts. 13, 14, 23)."""

from datetime import timedelta

from chalicelib.domain import handling, workflow
from chalicelib.domain.model import Status
from chalicelib.domain.notifications import StaffNotice, notices


def actions(order):
    return [e.action for e in order.timeline]


def test_an_unsigned_order_past_the_sign_for_limit_tells_the_unit_leader(hotline, clock):
    order_id = hotline.dispatched()
    before = hotline.order(order_id)
    clock.advance(hours=2)

    checkpoint = hotline.advance(order_id)

    order = hotline.order(order_id)
    assert order.sign_late and actions(order)[-1] == "sign_overdue"
    assert StaffNotice(
        "leader:110101004", f"工单未签收 {order_id}", f"工单{order_id}已超过签收时限仍未签收。"
    ) in notices(before, order)
    # Next: the reminder at half of the 24 hours.
    assert checkpoint.wait_seconds == 10 * 3600


def test_signing_in_time_skips_the_sign_for_checkpoint(hotline, clock):
    order_id = hotline.dispatched()
    hotline.act(order_id, handling.sign)
    hotline.act(order_id, handling.contact(None))

    checkpoint = hotline.advance(order_id)

    assert checkpoint.wait_seconds == 12 * 3600  # straight to the 50 % reminder
    assert not hotline.order(order_id).sign_late


def test_reminders_at_half_and_four_fifths_then_overdue_with_escalation(hotline, clock):
    order_id = hotline.dispatched()
    hotline.act(order_id, handling.sign)
    hotline.act(order_id, handling.contact(None))

    clock.advance(hours=12)
    hotline.advance(order_id)
    assert hotline.order(order_id).reminded == [50]
    clock.advance(hours=7.2)
    before = hotline.order(order_id)
    checkpoint = hotline.advance(order_id)
    reminded = hotline.order(order_id)
    assert reminded.reminded == [50, 80]
    assert any(
        isinstance(n, StaffNotice) and n.audience == "unit:110101004" and "80%" in n.message
        for n in notices(before, reminded)
    )
    assert checkpoint.wait_seconds == round(4.8 * 3600)

    clock.advance(hours=4.8)
    hotline.advance(order_id)

    order = hotline.order(order_id)
    assert order.overdue and order.status is Status.IN_PROGRESS  # a flag, not a status
    assert actions(order)[-4:] == ["reminded", "reminded", "overdue", "follow_up_started"]
    told = {n.audience for n in notices(reminded, order) if isinstance(n, StaffNotice)}
    assert told == {"unit:110101004", "leader:110101004", "hotline:supervisor"}


def test_the_overdue_flag_is_set_once_and_the_order_keeps_going(hotline, clock):
    order_id = hotline.dispatched()
    clock.advance(hours=25)

    first = hotline.advance(order_id)
    second = hotline.advance(order_id)

    order = hotline.order(order_id)
    assert order.overdue and order.status is Status.DISPATCHED
    assert actions(order).count("overdue") == 1
    assert first.phase is workflow.Phase.WAITING and second.version == first.version
    hotline.act(order_id, handling.sign)  # the unit can still act
    assert hotline.order(order_id).status is Status.SIGNED


def test_follow_up_starts_at_the_deadline_at_the_latest_and_lapses_without_an_answer(hotline, clock, limits):
    order_id = hotline.dispatched()
    clock.advance(hours=24)
    hotline.advance(order_id)
    assert hotline.order(order_id).follow_up_until == clock.now() + timedelta(seconds=limits.follow_up_window)

    clock.advance(seconds=limits.follow_up_window)
    hotline.advance(order_id)

    order = hotline.order(order_id)
    assert order.follow_up_until is None and actions(order)[-1] == "follow_up_lapsed"
    assert order.status is Status.DISPATCHED  # the unit still owes the reply


def test_reply_starts_the_follow_up_and_silence_closes_it_as_not_evaluated(hotline, clock, limits):
    order_id = hotline.dispatched()
    started = hotline.handled(order_id)
    assert started.status is Status.FOLLOW_UP

    clock.advance(seconds=limits.follow_up_window)
    done = hotline.advance(order_id)

    order = hotline.order(order_id)
    assert done.phase is workflow.Phase.DONE
    assert (order.status, order.close_reason) == (Status.CLOSED, "not_evaluated")


def test_an_order_without_a_category_waits_for_a_dispatcher(hotline):
    order_id = hotline.receive(category=None)

    checkpoint = hotline.dispatch(order_id)

    assert hotline.order(order_id).status is Status.RECEIVED
    assert checkpoint.phase is workflow.Phase.WAITING
