"""考核申诉: the first receiver appeals a closed order's effect on its rates within the configured
deadlines; an assessment officer upholds (the order leaves the unit's rates) or rejects it."""

from datetime import UTC, datetime, timedelta

import pytest
from chalicelib.domain import appeals, handling, supervision
from chalicelib.domain.appeal_records import AppealGrounds
from chalicelib.domain.deadlines import DAY, TimeLimits
from chalicelib.domain.errors import Conflict
from chalicelib.domain.facts import order_fact
from chalicelib.domain.model import Requester, Staff
from chalicelib.domain.notifications import StaffNotice, notices
from chalicelib.domain.ports import OrderQuery

from tests.unit.conftest import HANDLER, SUPERVISOR

ASSESSOR = Staff(username="assessor1", roles=frozenset({"assessor"}))
EVIDENCE = "诉求为楼内私搭电线，属供电企业与物业职责，本街道已告知并无权处置"


def closed(hotline, phone: str = "13800001234") -> str:
    """Given an order the street handled and the requester rated, and so closed."""
    order_id = hotline.dispatched(requester=Requester(phone=phone))
    hotline.handled(order_id)
    hotline.rate(order_id)
    return order_id


def lodge(limits: TimeLimits, grounds: AppealGrounds = AppealGrounds.OUTSIDE_DUTIES) -> handling.Action:
    return appeals.lodge(grounds, EVIDENCE, limits)


def test_an_upheld_appeal_takes_the_order_out_of_the_units_rates(hotline, limits):
    order_id = closed(hotline)
    assert order_fact(hotline.order(order_id), b"k")["appeal_upheld"] is False

    appealed = hotline.act(order_id, lodge(limits))
    queued = hotline.orders.find(OrderQuery(appeals=True)).items
    upheld = hotline.act(order_id, appeals.decide(appeals.UPHOLD, "经核实确属供电企业职责"), ASSESSOR)

    assert [o.id for o in queued] == [order_id]
    assert appealed.appeal is not None and appealed.appeal.grounds is AppealGrounds.OUTSIDE_DUTIES
    assert appealed.timeline[-1].internal_note == EVIDENCE and appealed.timeline[-1].code == "appealed"
    assert [e.action for e in upheld.timeline][-2:] == ["appealed", "appeal_upheld"]
    assert upheld.timeline[-1].internal_note == "经核实确属供电企业职责"
    assert upheld.status.value == "closed" and upheld.evaluation is not None
    assert order_fact(upheld, b"k")["appeal_upheld"] is True
    assert hotline.orders.find(OrderQuery(appeals=True)).items == []


def test_a_rejected_appeal_leaves_the_order_counted_and_is_final(hotline, limits):
    order_id = closed(hotline)
    hotline.act(order_id, lodge(limits, AppealGrounds.WRONG_UNIT))

    rejected = hotline.act(order_id, appeals.decide(appeals.REJECT, "事发地属安定门街道辖区"), ASSESSOR)
    with pytest.raises(Conflict) as again:
        hotline.act(order_id, lodge(limits))
    with pytest.raises(Conflict) as decided:
        hotline.act(order_id, appeals.decide(appeals.UPHOLD, "改判"), ASSESSOR)

    assert rejected.timeline[-1].action == "appeal_rejected"
    assert order_fact(rejected, b"k")["appeal_upheld"] is False
    assert (again.value.code, decided.value.code) == ("already_appealed", "appeal_decided")


def test_the_deadlines_for_appealing_are_the_configured_ones(hotline, clock):
    """Received and closed on 26 November (Beijing): the month ends on 1 December 00:00."""
    limits = TimeLimits(appeal_after_close=20 * DAY, appeal_after_month=3 * DAY)
    order_id = closed(hotline)
    month_end = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)

    assert appeals.appeal_until(hotline.order(order_id), limits) == month_end + timedelta(days=3)
    shorter = TimeLimits(appeal_after_close=2 * DAY, appeal_after_month=10 * DAY)
    assert appeals.appeal_until(hotline.order(order_id), shorter) == clock.now() + timedelta(days=2)

    clock.advance(seconds=int((month_end + timedelta(days=3) - clock.now()).total_seconds()))
    with pytest.raises(Conflict) as late:
        hotline.act(order_id, lodge(limits))
    assert late.value.code == "appeal_deadline_passed"
    assert hotline.order(order_id).appeal is None


def test_only_a_closed_order_that_still_counts_is_appealed(hotline, limits):
    open_id = hotline.dispatched()
    with pytest.raises(Conflict) as still_open:
        hotline.act(open_id, lodge(limits))
    judged_id = closed(hotline, "13900002222")
    hotline.act(judged_id, supervision.adjudicate(True, "依法不予支持"), SUPERVISOR)
    with pytest.raises(Conflict) as judged:
        hotline.act(judged_id, lodge(limits))
    with pytest.raises(Conflict) as nothing:
        hotline.act(closed(hotline, "13900003333"), appeals.decide(appeals.UPHOLD, "理由成立"), ASSESSOR)

    assert (still_open.value.code, judged.value.code, nothing.value.code) == (
        "wrong_status",
        "already_excluded",
        "no_appeal",
    )
    assert HANDLER.unit == hotline.order(open_id).first_receiver


def test_the_assessors_are_told_of_an_appeal_and_the_unit_of_the_decision(hotline, limits):
    order_id = closed(hotline)
    before = hotline.order(order_id)
    appealed = hotline.act(order_id, lodge(limits))
    upheld = hotline.act(order_id, appeals.decide(appeals.UPHOLD, "经核实确属供电企业职责"), ASSESSOR)

    assert [(n.audience, n.subject) for n in notices(before, appealed) if isinstance(n, StaffNotice)] == [
        ("hotline:assessor", f"考核申诉 {order_id}")
    ]
    assert [(n.audience, n.message) for n in notices(appealed, upheld) if isinstance(n, StaffNotice)] == [
        ("unit:110101004", f"工单{order_id}的考核申诉成立，该单不计入本单位考评。")
    ]
