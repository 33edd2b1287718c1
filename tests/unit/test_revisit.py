"""差评二次回访: a bad rating opens a supervisor's task; the call's finding and the decision
(reopen, close, exclude from the rates) are on the timeline with the reason."""

from datetime import timedelta

import pytest
from chalicelib.domain import handling, notifications, revisit
from chalicelib.domain.allowed import allowed
from chalicelib.domain.deadlines import TimeLimits
from chalicelib.domain.errors import Conflict
from chalicelib.domain.facts import order_fact
from chalicelib.domain.model import Status
from chalicelib.domain.views import public_view
from pydantic import ValidationError

from tests.unit.conftest import SUPERVISOR


def rated_badly(hotline, resolved: bool = False, satisfaction: str = "dissatisfied") -> str:
    order_id = hotline.dispatched()
    hotline.handled(order_id)
    hotline.rate(order_id, resolved=resolved, satisfaction=satisfaction)
    return order_id


def offered(order):
    return next(a for a in allowed(order, SUPERVISOR, TimeLimits()) if a.action == "revisit")


def verdict(finding: str, decision: str) -> revisit.Verdict:
    return revisit.Verdict(finding=finding, decision=decision, reason="回访诉求人核实：路灯已按标准修复")


@pytest.mark.parametrize(("resolved", "satisfaction"), [(False, "satisfied"), (True, "dissatisfied")])
def test_an_unresolved_or_dissatisfied_rating_opens_a_supervisors_task(
    hotline, clock, resolved, satisfaction
):
    order_id = hotline.dispatched()
    before = hotline.handled(order_id)

    order = hotline.rate(order_id, resolved=resolved, satisfaction=satisfaction)

    due = clock.now() + timedelta(seconds=hotline.limits.revisit_window)
    assert (order.status, order.reopen_count, order.revisits[-1].due) == (Status.REVISIT, 0, due)
    assert (order.timeline[-1].code, order.timeline[-1].params) == (
        "revisit_opened",
        {"due": due.isoformat()},
    )
    assert "revisit" in [a.action for a in allowed(order, SUPERVISOR, TimeLimits())]
    told = notifications.notices(before, order)
    said = f"【12345】您的诉求（工单号{order_id}）的办理评价已收到，热线中心将电话回访核实情况后再作处理。"
    assert told[0] == notifications.Sms(order.requester.phone, said)
    assert told[1] == notifications.StaffNotice("hotline:supervisor", f"差评回访 {order_id}", told[1].message)
    # The requester waits: the tracking page shows the call back, not a new evaluation.
    assert public_view(order, hotline.reference).evaluation_due is False


def test_a_close_counts_the_rating_against_the_unit(hotline):
    order_id = rated_badly(hotline)

    order = hotline.act(
        order_id, revisit.decide(verdict("unit_at_fault", "close"), hotline.limits), SUPERVISOR
    )

    decided = order.timeline[-2]
    assert (order.status, order.close_reason, order.adjudicated_unreasonable) == (
        Status.CLOSED,
        "revisited",
        False,
    )
    assert (decided.code, decided.params, decided.actor) == (
        "revisit_close",
        {"finding": "unit_at_fault"},
        "supervisor1",
    )
    assert decided.internal_note == "回访诉求人核实：路灯已按标准修复"
    assert order_fact(order, b"k")["unreasonable"] is False
    assert hotline.advance(order_id).phase == "done"


@pytest.mark.parametrize("finding", ["unreasonable", "policy"])
def test_an_exclusion_closes_the_order_and_leaves_it_out_of_the_rates(hotline, finding):
    order_id = rated_badly(hotline)

    order = hotline.act(order_id, revisit.decide(verdict(finding, "exclude"), hotline.limits), SUPERVISOR)

    assert (order.status, order.adjudicated_unreasonable) == (Status.CLOSED, True)
    assert (order.revisits[-1].finding, order.revisits[-1].decision) == (finding, "exclude")
    assert order.evaluation is not None and order_fact(order, b"k")["unreasonable"] is True
    assert order.timeline[-2].code == "revisit_exclude"
    # The reason is the hotline's: the public timeline says only that the order closed.
    public = public_view(order, hotline.reference).timeline
    assert [e.action for e in public][-3:] == ["evaluated", "revisit_opened", "closed"]
    assert all(e.note != "回访诉求人核实：路灯已按标准修复" for e in public)


def test_the_decision_must_fit_the_finding():
    with pytest.raises(ValidationError) as excused:
        verdict("unit_at_fault", "exclude")
    with pytest.raises(ValidationError) as redone:
        verdict("policy", "reopen")

    assert [e["loc"] for e in excused.value.errors()] == [("decision",)]
    assert [e["loc"] for e in redone.value.errors()] == [("decision",)]


def test_the_choices_offer_reopening_only_while_the_limit_allows(hotline):
    order_id = rated_badly(hotline)
    first = offered(hotline.order(order_id))
    hotline.act(order_id, revisit.decide(verdict("unit_at_fault", "reopen"), hotline.limits), SUPERVISOR)
    hotline.act(order_id, handling.contact("再次联系"))
    hotline.act(order_id, handling.reply("已再次修复", True))
    hotline.advance(order_id)
    hotline.rate(order_id, resolved=False, satisfaction="dissatisfied")

    second = offered(hotline.order(order_id))

    assert first.choices["decision.unit_at_fault"] == ["reopen", "close"]
    assert second.choices["decision.unit_at_fault"] == ["close"]
    assert second.choices["decision.policy"] == ["close", "exclude"]


def test_a_decided_revisit_cannot_be_decided_again(hotline):
    order_id = rated_badly(hotline)
    order = hotline.order(order_id)
    hotline.act(order_id, revisit.decide(verdict("policy", "close"), hotline.limits), SUPERVISOR)

    with pytest.raises(Conflict) as again:
        hotline.act(
            order_id,
            revisit.decide(verdict("policy", "exclude"), hotline.limits),
            SUPERVISOR,
            order.version + 1,
        )

    assert again.value.code == "wrong_status"


def test_a_call_not_decided_in_time_is_flagged_late_once_and_the_supervisors_told(hotline, clock):
    order_id = rated_badly(hotline)
    waiting = hotline.advance(order_id)
    assert waiting.wait_seconds == hotline.limits.revisit_window

    clock.advance(seconds=hotline.limits.revisit_window)
    before = hotline.order(order_id)
    hotline.advance(order_id)
    hotline.advance(order_id)

    after = hotline.order(order_id)
    assert after.revisits[-1].late and [e.action for e in after.timeline].count("revisit_overdue") == 1
    told = notifications.notices(before, after)
    assert told == [
        notifications.StaffNotice("hotline:supervisor", f"差评回访超时 {order_id}", told[0].message)
    ]
    # Late or not, the supervisor still decides.
    decided = hotline.act(
        order_id, revisit.decide(verdict("unit_at_fault", "reopen"), hotline.limits), SUPERVISOR
    )
    assert decided.status is Status.REOPENED
