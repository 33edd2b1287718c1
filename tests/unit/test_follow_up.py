"""Follow-up and evaluation (Arts. 8, 23): close, or reopen to the same unit through a
supervisor's second follow-up (差评二次回访), by web or by phone."""

from datetime import timedelta

import pytest
from chalicelib.domain import follow_up, handling, revisit
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.model import Status

from tests.unit.conftest import HANDLER, OPERATOR, SUPERVISOR

UNIT_AT_FAULT = revisit.Verdict(finding="unit_at_fault", decision="reopen", reason="回访核实：线路未更换")


def test_the_requester_rates_and_the_order_closes(hotline):
    order_id = hotline.dispatched()
    hotline.handled(order_id)

    order = hotline.rate(order_id, resolved=True, satisfaction="satisfied")

    assert (order.status, order.close_reason, order.evaluation.satisfaction) == (
        Status.CLOSED,
        "evaluated",
        "satisfied",
    )
    assert hotline.advance(order_id).phase == "done"


def test_unresolved_and_dissatisfied_reopens_to_the_same_unit_with_a_new_deadline(hotline, clock):
    order_id = hotline.dispatched()
    hotline.handled(order_id)
    clock.advance(hours=2)

    rated = hotline.rate(order_id, resolved=False, satisfaction="dissatisfied")
    clock.advance(hours=1)
    order = hotline.act(order_id, revisit.decide(UNIT_AT_FAULT, hotline.limits), SUPERVISOR)

    assert rated.status is Status.REVISIT  # the supervisor's second follow-up decides first
    assert (order.status, order.first_receiver, order.reopen_count) == (Status.REOPENED, "110101004", 1)
    assert order.deadline == clock.now() + timedelta(hours=24)
    assert order.reply is None
    assert [e.action for e in order.timeline][-4:] == ["evaluated", "revisit_opened", "revisited", "reopened"]
    # The unit contacts the requester again and replies again; a second follow-up follows.
    hotline.act(order_id, handling.contact("再次上门查看"))
    hotline.act(order_id, handling.reply("已更换整条线路", True))
    hotline.advance(order_id)
    assert hotline.order(order_id).status is Status.FOLLOW_UP


def test_reopening_stops_at_the_configured_count(hotline, limits):
    order_id = hotline.dispatched()
    hotline.handled(order_id)
    hotline.rate(order_id, resolved=False, satisfaction="dissatisfied")
    hotline.act(order_id, revisit.decide(UNIT_AT_FAULT, limits), SUPERVISOR)
    hotline.act(order_id, handling.contact(None))
    hotline.act(order_id, handling.reply("已处理", True))
    hotline.advance(order_id)
    hotline.rate(order_id, resolved=False, satisfaction="dissatisfied")

    with pytest.raises(Conflict) as again:
        hotline.act(order_id, revisit.decide(UNIT_AT_FAULT, limits), SUPERVISOR)
    close = revisit.Verdict(finding="unit_at_fault", decision="close", reason="已重办一次，仍未解决")
    order = hotline.act(order_id, revisit.decide(close, limits), SUPERVISOR)

    assert limits.max_reopens == 1 and again.value.code == "reopen_limit"
    assert (order.status, order.reopen_count) == (Status.CLOSED, 1)


def test_dissatisfied_but_resolved_opens_a_second_follow_up(hotline):
    order_id = hotline.dispatched()
    hotline.handled(order_id)

    order = hotline.rate(order_id, resolved=True, satisfaction="dissatisfied")

    assert order.status is Status.REVISIT


def test_an_operator_takes_the_evaluation_by_phone(hotline):
    order_id = hotline.dispatched()
    hotline.handled(order_id)
    answers = follow_up.Answers(resolved=True, satisfaction="basically_satisfied", comment="电话回访")

    order = hotline.act(order_id, follow_up.by_phone(answers, hotline.limits), OPERATOR)

    assert (order.status, order.evaluation.channel) == (Status.CLOSED, "phone")
    assert (order.timeline[-2].action, order.timeline[-2].actor) == ("evaluated", "operator1")


def test_at_the_deadline_without_a_reply_the_requester_may_already_rate(hotline, clock):
    order_id = hotline.dispatched()
    hotline.act(order_id, handling.sign, HANDLER)
    clock.advance(hours=24)
    hotline.advance(order_id)

    unresolved = hotline.rate(order_id, resolved=False, satisfaction="dissatisfied")

    assert unresolved.status is Status.SIGNED and unresolved.evaluation is not None  # the unit goes on
    with pytest.raises(Conflict):
        hotline.rate(order_id)  # that follow-up is answered


def test_an_evaluation_needs_the_right_code_and_a_due_follow_up(hotline):
    order_id = hotline.dispatched()
    form = follow_up.EvaluationForm(code="AAAA-BBBB-CCCC", resolved=True, satisfaction="satisfied")

    with pytest.raises(NotFound):
        follow_up.rate(
            order_id,
            form,
            orders=hotline.orders,
            workflows=hotline.workflows,
            clock=hotline.clock,
            limits=hotline.limits,
        )
    with pytest.raises(Conflict):
        hotline.rate(order_id)
