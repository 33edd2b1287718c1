"""Dispatch objections (Art. 12 ¶3, Art. 14): the only way out for the first receiver."""

from datetime import timedelta

import pytest
from chalicelib.domain import handling, objections
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.model import ObjectionGrounds, Staff, Status
from chalicelib.domain.notifications import StaffNotice, notices

from tests.unit.conftest import DISPATCHER

JIAODAOKOU = Staff(username="jiaodaokou.handler", roles=frozenset({"handler"}), unit="110101003")


def objected(hotline):
    order_id = hotline.dispatched(category="manhole_cover")
    hotline.act(order_id, objections.object_to(ObjectionGrounds.JURISDICTION, "井盖位于交道口街道辖区"))
    return order_id


def decide(hotline, objection_id, decision, reassign_to=None):
    order_id = objections.order_of(objection_id)
    action = objections.decide(
        objection_id, decision, reassign_to, "核实属实", hotline.reference, hotline.limits
    )
    return hotline.act(order_id, action, DISPATCHER)


def test_an_objection_waits_for_the_dispatcher_and_tells_them(hotline):
    order_id = hotline.dispatched(category="manhole_cover")
    before = hotline.order(order_id)

    order = hotline.act(order_id, objections.object_to(ObjectionGrounds.JURISDICTION, "不属于本街道辖区"))

    assert order.status is Status.OBJECTED
    assert [(o.id, o.grounds, o.decision) for o in order.objections] == [
        (f"{order_id}-1", "jurisdiction", None)
    ]
    assert any(
        isinstance(n, StaffNotice) and n.audience == "hotline:dispatcher" for n in notices(before, order)
    )


def test_an_upheld_objection_reassigns_with_a_fresh_deadline_and_keeps_the_history(hotline, clock):
    order_id = objected(hotline)
    clock.advance(hours=1)

    order = decide(hotline, f"{order_id}-1", objections.UPHOLD, "110101003")

    assert (order.status, order.first_receiver, order.copied_to) == (
        Status.DISPATCHED,
        "110101003",
        ["110101"],
    )
    assert order.deadline == clock.now() + timedelta(hours=2)  # a 2-hour matter, counted from reassignment
    assert order.objections[0].decision == "upheld" and order.objections[0].reassigned_to == "110101003"
    assert [e.action for e in order.timeline][-4:] == [
        "dispatched",
        "objected",
        "objection_upheld",
        "reassigned",
    ]
    # The new unit signs for it; the old one no longer may.
    hotline.act(order_id, handling.sign, JIAODAOKOU)


def test_a_rejected_objection_sends_the_order_back_and_cannot_be_repeated(hotline):
    order_id = objected(hotline)

    order = decide(hotline, f"{order_id}-1", objections.REJECT)

    assert (order.status, order.first_receiver) == (Status.DISPATCHED, "110101004")
    with pytest.raises(Conflict) as again:
        hotline.act(order_id, objections.object_to(ObjectionGrounds.DUTY, "再次申请"))
    assert again.value.code == "objection_rejected"
    hotline.act(order_id, handling.sign)  # the unit must handle it


def test_upholding_names_another_unit(hotline):
    order_id = objected(hotline)

    with pytest.raises(InvalidInput) as missing:
        decide(hotline, f"{order_id}-1", objections.UPHOLD)
    with pytest.raises(InvalidInput) as same:
        decide(hotline, f"{order_id}-1", objections.UPHOLD, "110101004")

    assert missing.value.details[0].field == same.value.details[0].field == "reassign_to"


def test_an_objection_is_decided_once(hotline):
    order_id = objected(hotline)
    decide(hotline, f"{order_id}-1", objections.REJECT)

    with pytest.raises(Conflict):
        decide(hotline, f"{order_id}-1", objections.REJECT)
    with pytest.raises(NotFound):
        decide(hotline, f"{order_id}-9", objections.REJECT)


def test_objection_ping_pong_is_visible(hotline):
    order_id = objected(hotline)
    decide(hotline, f"{order_id}-1", objections.UPHOLD, "110101003")
    hotline.act(order_id, objections.object_to(ObjectionGrounds.JURISDICTION, "应属安定门"), JIAODAOKOU)

    order = hotline.order(order_id)

    assert objections.pingpong(order)
    assert [o.unit for o in order.objections] == ["110101004", "110101003"]


def test_no_objection_once_the_unit_is_working(hotline):
    order_id = hotline.dispatched(category="manhole_cover")
    hotline.act(order_id, handling.sign)
    hotline.act(order_id, handling.contact(None))

    with pytest.raises(Conflict):
        hotline.act(order_id, objections.object_to(ObjectionGrounds.DUTY, "不属于本单位职责"))
