"""Extension approval (Art. 15): the unit asks, a supervisor approves or refuses before the deadline,
a request never holds the deadline, and each tier limits how many and how long (fixed clock)."""

from datetime import timedelta

import pytest
from chalicelib.domain import extensions, handling
from chalicelib.domain.access import Permission, require
from chalicelib.domain.deadlines import DAY, Tier, TimeLimits
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.model import ExtensionDecision
from chalicelib.domain.notifications import Sms, StaffNotice, notices
from chalicelib.domain.views import public_view, staff_view

from tests.fakes import MemoryReference
from tests.unit.conftest import DISPATCHER, HANDLER, SUPERVISOR


def signed(hotline) -> str:
    """Given an order of the 24-hour tier (garbage collection) signed for by 安定门街道."""
    order_id = hotline.dispatched()
    hotline.act(order_id, handling.sign)
    return order_id


def test_an_approved_extension_moves_the_deadline_and_tells_the_requester_why(
    hotline, clock, limits, reference
):
    order_id = signed(hotline)
    before = hotline.order(order_id)
    later = before.deadline + timedelta(days=2)

    asked = hotline.act(order_id, extensions.ask("需协调环卫车辆，周末集中清运", later, limits))

    assert asked.deadline == before.deadline and asked.extensions == []
    assert asked.timeline[-1].action == "extension_requested"
    assert asked.timeline[-1].note is None  # the reason stays with the hotline until approved
    told = notices(before, asked)
    assert [n.audience for n in told if isinstance(n, StaffNotice)] == ["hotline:supervisor"]
    assert not any(isinstance(n, Sms) for n in told)
    assert [a.action for a in staff_view(asked, SUPERVISOR, reference).actions] == [
        "extension-decision",
        "urge",
    ]

    approved = hotline.act(order_id, extensions.decide(extensions.APPROVE, None, limits), SUPERVISOR)

    assert approved.deadline == later
    assert [(x.reason, x.previous_deadline, x.new_deadline, x.approved_by) for x in approved.extensions] == [
        ("需协调环卫车辆，周末集中清运", before.deadline, later, "supervisor1")
    ]
    assert approved.extension_requests[0].decision is ExtensionDecision.APPROVED
    told = notices(asked, approved)
    sms = [n.message for n in told if isinstance(n, Sms)]
    assert len(sms) == 1 and "需协调环卫车辆" in sms[0] and later.isoformat(timespec="minutes") in sms[0]
    assert [n.audience for n in told if isinstance(n, StaffNotice)] == ["unit:110101004"]
    tracked = public_view(approved, reference)
    assert (tracked.deadline, tracked.extensions[0].reason) == (later, "需协调环卫车辆，周末集中清运")
    # The workflow now waits towards the new deadline.
    clock.advance(hours=25)
    hotline.advance(order_id)
    assert not hotline.order(order_id).overdue


def test_a_refused_extension_keeps_the_deadline_and_its_reason_is_on_the_timeline(hotline, limits, reference):
    order_id = signed(hotline)
    deadline = hotline.order(order_id).deadline
    hotline.act(order_id, extensions.ask("人手不足", deadline + timedelta(days=1), limits))

    with pytest.raises(InvalidInput) as unexplained:
        hotline.act(order_id, extensions.decide(extensions.REFUSE, None, limits), SUPERVISOR)
    asked = hotline.order(order_id)
    refused = hotline.act(
        order_id, extensions.decide(extensions.REFUSE, "清运属日常工作，不属延期情形", limits), SUPERVISOR
    )

    assert unexplained.value.details[0].field == "reason"
    assert refused.deadline == deadline and refused.extensions == []
    assert refused.timeline[-1].action == "extension_refused"
    assert refused.timeline[-1].internal_note == "清运属日常工作，不属延期情形"
    told = notices(asked, refused)
    assert [n.audience for n in told if isinstance(n, StaffNotice)] == ["unit:110101004"]
    assert not any(isinstance(n, Sms) for n in told)
    assert "extension_refused" not in [e.action for e in public_view(refused, reference).timeline]
    # The unit may ask again, with a better reason.
    assert "extension" in [a.action for a in staff_view(refused, HANDLER, reference).actions]


def test_a_request_pending_at_the_deadline_lapses_and_the_order_becomes_overdue(hotline, clock, limits):
    order_id = signed(hotline)
    deadline = hotline.order(order_id).deadline
    hotline.act(order_id, extensions.ask("等待材料", deadline + timedelta(days=1), limits))

    clock.advance(hours=25)
    hotline.advance(order_id)
    order = hotline.order(order_id)

    assert order.overdue and order.deadline == deadline
    assert order.extension_requests[0].decision is ExtensionDecision.LAPSED
    lapsed = next(e for e in order.timeline if e.action == "extension_lapsed")
    assert lapsed.params == {"why": "deadline_passed"}
    with pytest.raises(Conflict) as late:
        hotline.act(order_id, extensions.decide(extensions.APPROVE, None, limits), SUPERVISOR)
    assert late.value.code == "no_extension_request"


def test_a_reply_lapses_the_open_request(hotline, limits):
    order_id = signed(hotline)
    hotline.act(order_id, handling.contact(None))
    hotline.act(
        order_id, extensions.ask("等待材料", hotline.order(order_id).deadline + timedelta(days=1), limits)
    )
    hotline.act(order_id, handling.reply("已清运", True))

    hotline.advance(order_id)

    assert hotline.order(order_id).extension_requests[0].decision is ExtensionDecision.LAPSED
    assert not extensions.awaiting(hotline.order(order_id))


def test_each_tier_limits_how_many_extensions_and_how_long(hotline, limits, reference):
    order_id = signed(hotline)
    deadline = hotline.order(order_id).deadline  # the 24-hour tier: one extension, 3 days at most
    offered = staff_view(hotline.order(order_id), HANDLER, reference).actions
    assert next(a for a in offered if a.action == "extension").latest == deadline + timedelta(days=3)

    with pytest.raises(InvalidInput) as too_long:
        hotline.act(order_id, extensions.ask("原因", deadline + timedelta(days=3, minutes=1), limits))
    hotline.act(order_id, extensions.ask("原因", deadline + timedelta(days=3), limits))
    with pytest.raises(Conflict) as one_at_a_time:
        hotline.act(order_id, extensions.ask("原因", deadline + timedelta(days=1), limits))
    hotline.act(order_id, extensions.decide(extensions.APPROVE, None, limits), SUPERVISOR)
    with pytest.raises(Conflict) as used_up:
        hotline.act(order_id, extensions.ask("原因", deadline + timedelta(days=3, hours=1), limits))

    assert too_long.value.details[0].field == "new_deadline"
    assert one_at_a_time.value.code == "extension_pending"
    assert used_up.value.code == "extension_limit"
    view = staff_view(hotline.order(order_id), HANDLER, reference)
    assert "extension" not in [a.action for a in view.actions]
    assert [b.reason for b in view.blocked if b.action == "extension"] == [
        "deadline_passed",
        "extension_limit",
    ]


def test_a_limit_lowered_while_a_request_waits_is_applied_at_approval(hotline, limits, reference):
    order_id = signed(hotline)
    deadline = hotline.order(order_id).deadline
    hotline.act(order_id, extensions.ask("原因", deadline + timedelta(days=2), limits))
    stricter = limits.model_copy(
        update={
            "tiers": {**limits.tiers, "24h": Tier(deadline=DAY, sign_for=3600, contact=3600, extended_by=DAY)}
        }
    )

    with pytest.raises(InvalidInput):
        hotline.act(order_id, extensions.decide(extensions.APPROVE, None, stricter), SUPERVISOR)
    view = staff_view(hotline.order(order_id), SUPERVISOR, MemoryReference(stricter))

    assert hotline.order(order_id).deadline == deadline
    assert view.actions[0].action == "extension-decision"
    assert view.actions[0].choices == {"decision": ["refuse"]}


def test_an_extension_is_asked_by_a_signed_unit_before_the_deadline_and_later_than_it(hotline, clock, limits):
    order_id = hotline.dispatched()
    deadline = hotline.order(order_id).deadline
    with pytest.raises(Conflict):
        hotline.act(order_id, extensions.ask("原因", deadline + timedelta(days=1), limits))
    hotline.act(order_id, handling.sign)

    with pytest.raises(InvalidInput) as earlier:
        hotline.act(order_id, extensions.ask("原因", deadline - timedelta(hours=1), limits))
    clock.advance(hours=25)
    with pytest.raises(Conflict) as passed:
        hotline.act(order_id, extensions.ask("原因", deadline + timedelta(days=1), limits))

    assert earlier.value.details[0].field == "new_deadline"
    assert passed.value.code == "deadline_passed"


def test_only_a_supervisor_decides(hotline, limits):
    order_id = signed(hotline)
    hotline.act(
        order_id, extensions.ask("原因", hotline.order(order_id).deadline + timedelta(days=1), limits)
    )
    order = hotline.order(order_id)

    for staff in (HANDLER, DISPATCHER):
        with pytest.raises(Forbidden):
            require(staff, Permission.DECIDE_EXTENSION, order)
    require(SUPERVISOR, Permission.DECIDE_EXTENSION, order)


def test_time_limits_stored_with_one_longest_extension_for_all_tiers_still_read():
    stored = TimeLimits().model_dump(mode="json") | {"max_extension": 15 * DAY}

    limits = TimeLimits.model_validate(stored)

    assert limits.tiers["24h"].extensions == 1 and limits.tiers["24h"].extended_by == 3 * DAY
