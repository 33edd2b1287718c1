"""Co-handling (Art. 14): assisting units report to the first receiver within their own deadline."""

from datetime import timedelta

import pytest
from chalicelib.domain import co_handling, handling
from chalicelib.domain.access import Permission, require
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.model import AssistStatus, Staff
from chalicelib.domain.notifications import StaffNotice, notices

from tests.unit.conftest import HANDLER

LIGHTING = Staff(username="lighting.handler", roles=frozenset({"handler"}), unit="bj-lighting")
HOUSING = Staff(username="housing.handler", roles=frozenset({"handler"}), unit="110101-housing")


def working(hotline, **changes) -> str:
    order_id = hotline.dispatched(**changes)
    hotline.act(order_id, handling.sign)
    hotline.act(order_id, handling.contact(None))
    return order_id


def test_dual_dispatch_gives_the_department_its_part_by_the_orders_deadline(hotline):
    order_id = hotline.dispatched(category="street_lighting")

    order = hotline.order(order_id)

    assert [(a.unit, a.status, a.deadline) for a in order.assists] == [
        ("bj-lighting", AssistStatus.REQUESTED, order.deadline)
    ]


def test_the_first_receiver_adds_an_assisting_unit_with_its_own_deadline(hotline, clock, reference):
    order_id = working(hotline)
    by = clock.now() + timedelta(hours=6)
    before = hotline.order(order_id)

    order = hotline.act(order_id, co_handling.request(["110101-housing"], by, reference))

    assert (order.assisting, order.assists[0].deadline) == (["110101-housing"], by)
    assert StaffNotice(
        "unit:110101-housing",
        f"协办工单 {order_id}",
        f"工单{order_id}请本单位协助办理，并在期限内向承办单位反馈。",
    ) in notices(before, order)
    require(HOUSING, Permission.ASSIST, order)


def test_an_assist_needs_a_known_unit_and_a_deadline_within_the_orders(hotline, clock, reference):
    order_id = working(hotline)
    late = hotline.order(order_id).deadline + timedelta(hours=1)

    with pytest.raises(InvalidInput) as raised:
        hotline.act(order_id, co_handling.request(["nowhere", "110101004"], late, reference))

    assert [d.field for d in raised.value.details] == ["units.0", "units.1", "deadline"]


def test_the_first_receiver_cannot_reply_before_every_assist_is_reported(hotline, clock, reference):
    order_id = working(hotline, category="street_lighting")

    with pytest.raises(Conflict) as waiting:
        hotline.act(order_id, handling.reply("已修复", True))
    hotline.act(order_id, co_handling.sign, LIGHTING)
    before = hotline.order(order_id)
    reported = hotline.act(order_id, co_handling.report("已更换灯具"), LIGHTING)
    replied = hotline.act(order_id, handling.reply("已修复", True))

    assert waiting.value.code == "assists_pending"
    assert (reported.assists[0].status, reported.assists[0].result, reported.assists[0].late) == (
        AssistStatus.REPORTED,
        "已更换灯具",
        False,
    )
    assert StaffNotice(
        "unit:110101004", f"协办反馈 {order_id}", f"工单{order_id}的协办单位已反馈办理结果。"
    ) in notices(before, reported)
    assert replied.status == "replied"


def test_a_released_assist_no_longer_holds_the_reply(hotline):
    order_id = working(hotline, category="street_lighting")

    hotline.act(order_id, co_handling.release("bj-lighting", "街道已自行修复"))

    assert hotline.act(order_id, handling.reply("已修复", True)).status == "replied"


def test_a_late_assisting_unit_is_flagged_and_counted_against_it_not_the_first_receiver(
    hotline, clock, reference
):
    order_id = working(hotline)
    hotline.act(
        order_id, co_handling.request(["110101-housing"], clock.now() + timedelta(hours=2), reference)
    )
    before = hotline.order(order_id)
    clock.advance(hours=2)

    hotline.advance(order_id)

    order = hotline.order(order_id)
    assert order.assists[0].late and not order.overdue
    event = order.timeline[-1]
    assert (event.action, event.unit) == ("assist_overdue", "110101-housing")
    told = {n.audience for n in notices(before, order) if isinstance(n, StaffNotice)}
    assert told == {"unit:110101-housing", "leader:110101-housing", "unit:110101004"}
    # It explains why and reports later; the report stays marked late.
    hotline.act(order_id, co_handling.explain("需查阅产权档案，预计明日反馈"), HOUSING)
    assert hotline.act(order_id, co_handling.report("产权属小区物业"), HOUSING).assists[0].late


def test_only_an_assisting_units_staff_act_on_its_part(hotline):
    order_id = working(hotline, category="street_lighting")
    order = hotline.order(order_id)

    with pytest.raises(Forbidden):
        require(HANDLER, Permission.ASSIST, order)
    with pytest.raises(Forbidden):
        hotline.act(order_id, co_handling.sign, HOUSING)
