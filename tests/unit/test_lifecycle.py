"""The order's life with a fixed clock: dispatch, sign, contact, reply, follow-up, close, overdue."""

from datetime import timedelta

import pytest
from chalicelib.domain import follow_up, handling, intake, workflow
from chalicelib.domain.errors import Conflict, Forbidden, NotFound, StaleVersion
from chalicelib.domain.model import Channel, Staff, Status

HANDLER = Staff(username="andingmen.handler", roles=frozenset({"handler"}), unit="110101004")


@pytest.fixture
def dispatched(submission, orders, reference, workflows, clock, limits):
    receipt = intake.receive(
        submission,
        Channel.WEB,
        orders=orders,
        reference=reference,
        workflows=workflows,
        clock=clock,
        limits=limits,
    )
    workflow.dispatch(receipt.id, orders=orders, reference=reference, clock=clock, limits=limits)
    return receipt


def act(orders, workflows, clock, order_id, action, staff=HANDLER, version=None):
    order = orders.get(order_id)
    return handling.perform(
        order,
        order.version if version is None else version,
        staff,
        action,
        orders=orders,
        workflows=workflows,
        clock=clock,
    )


def test_dispatch_routes_and_waits_until_the_deadline(
    submission, orders, reference, workflows, clock, limits
):
    receipt = intake.receive(
        submission,
        Channel.WEB,
        orders=orders,
        reference=reference,
        workflows=workflows,
        clock=clock,
        limits=limits,
    )
    clock.advance(minutes=5)

    checkpoint = workflow.dispatch(receipt.id, orders=orders, reference=reference, clock=clock, limits=limits)

    order = orders.get(receipt.id)
    assert order.status is Status.DISPATCHED
    assert (order.first_receiver, order.copied_to) == ("110101004", ["110101"])
    assert checkpoint.wait_seconds == 24 * 3600 - 300
    assert checkpoint.version == order.version


def test_sign_contact_reply_move_the_order_and_wake_the_workflow(dispatched, orders, workflows, clock):
    orders.park(dispatched.id, orders.get(dispatched.id).version, "token-1")

    act(orders, workflows, clock, dispatched.id, handling.sign)
    act(orders, workflows, clock, dispatched.id, handling.contact("电话已联系"))
    order = act(orders, workflows, clock, dispatched.id, handling.reply("已修复", True))

    assert order.status is Status.REPLIED
    assert [e.action for e in order.timeline] == ["received", "dispatched", "signed", "contacted", "replied"]
    assert order.contacted_at == clock.now()
    assert workflows.resumed == ["token-1"]  # later wakes find the token spent: harmless


def test_reply_before_contact_is_refused(dispatched, orders, workflows, clock):
    act(orders, workflows, clock, dispatched.id, handling.sign)

    with pytest.raises(Conflict):
        act(orders, workflows, clock, dispatched.id, handling.reply("已修复", True))


def test_a_stale_version_loses(dispatched, orders, workflows, clock):
    version = orders.get(dispatched.id).version
    act(orders, workflows, clock, dispatched.id, handling.sign, version=version)

    with pytest.raises(StaleVersion):
        act(orders, workflows, clock, dispatched.id, handling.sign, version=version)


def test_only_the_first_receiver_acts(dispatched, orders, workflows, clock):
    district = Staff(username="dongcheng.handler", roles=frozenset({"handler"}), unit="110101")

    with pytest.raises(Forbidden):
        act(orders, workflows, clock, dispatched.id, handling.sign, staff=district)


def test_an_order_past_its_deadline_is_flagged_once_and_keeps_going(dispatched, orders, limits, clock):
    clock.advance(hours=25)

    first = workflow.advance(dispatched.id, orders=orders, clock=clock, limits=limits)
    second = workflow.advance(dispatched.id, orders=orders, clock=clock, limits=limits)

    order = orders.get(dispatched.id)
    assert order.overdue and order.status is Status.DISPATCHED
    assert [e.action for e in order.timeline].count("overdue") == 1
    assert first.phase is workflow.Phase.WAITING and second.version == first.version


def test_reply_starts_the_follow_up_and_silence_closes_it(dispatched, orders, workflows, clock, limits):
    for action in (handling.sign, handling.contact(None), handling.reply("已修复", True)):
        act(orders, workflows, clock, dispatched.id, action)

    started = workflow.advance(dispatched.id, orders=orders, clock=clock, limits=limits)
    assert orders.get(dispatched.id).status is Status.FOLLOW_UP
    assert started.wait_seconds == limits.follow_up_window

    clock.advance(seconds=limits.follow_up_window)
    done = workflow.advance(dispatched.id, orders=orders, clock=clock, limits=limits)
    order = orders.get(dispatched.id)
    assert done.phase is workflow.Phase.DONE
    assert (order.status, order.close_reason) == (Status.CLOSED, "not_evaluated")


def test_the_requester_rates_and_the_order_closes(dispatched, orders, workflows, clock, limits):
    for action in (handling.sign, handling.contact(None), handling.reply("已修复", True)):
        act(orders, workflows, clock, dispatched.id, action)
    form = follow_up.EvaluationForm(code=dispatched.tracking_code, resolved=True, satisfaction="satisfied")

    order = follow_up.evaluate(
        dispatched.id, form, channel="web", orders=orders, workflows=workflows, clock=clock
    )

    assert order.evaluation is not None
    assert (order.status, order.evaluation.satisfaction.value) == (Status.CLOSED, "satisfied")
    assert (
        workflow.advance(dispatched.id, orders=orders, clock=clock, limits=limits).phase
        is workflow.Phase.DONE
    )


def test_an_evaluation_needs_the_right_code_and_a_reply(dispatched, orders, workflows, clock):
    wrong = follow_up.EvaluationForm(code="AAAA-BBBB-CCCC", resolved=True, satisfaction="satisfied")
    right = wrong.model_copy(update={"code": dispatched.tracking_code})

    with pytest.raises(NotFound):
        follow_up.evaluate(
            dispatched.id, wrong, channel="web", orders=orders, workflows=workflows, clock=clock
        )
    with pytest.raises(Conflict):
        follow_up.evaluate(
            dispatched.id, right, channel="web", orders=orders, workflows=workflows, clock=clock
        )


def test_parking_after_a_change_tells_the_workflow_to_look_again(dispatched, orders, workflows, clock):
    seen = orders.get(dispatched.id).version
    act(orders, workflows, clock, dispatched.id, handling.sign)

    with pytest.raises(workflow.OrderChanged):
        workflow.park(dispatched.id, seen, "token-2", orders=orders)


def test_deadlines_are_policy_data(limits, clock):
    faster = limits.model_copy(update={"tiers": {**limits.tiers, "24h": 12 * 3600}})

    assert faster.deadline(clock.now(), "24h") - clock.now() == timedelta(hours=12)
