"""The order's life with a fixed clock: dispatch, sign, contact, interim report, reply (extensions:
test_extensions.py)."""

from datetime import timedelta

import pytest
from chalicelib.domain import handling, workflow
from chalicelib.domain.access import Permission, require
from chalicelib.domain.deadlines import Tier
from chalicelib.domain.errors import Conflict, Forbidden, StaleVersion
from chalicelib.domain.model import Staff, Status

from tests.unit.conftest import HANDLER, LEADER, OPERATOR


def test_dispatch_routes_and_waits_for_the_sign_for_limit(hotline, clock):
    order_id = hotline.receive(category="street_lighting")
    clock.advance(minutes=5)

    checkpoint = hotline.dispatch(order_id)

    order = hotline.order(order_id)
    assert order.status is Status.DISPATCHED
    assert (order.first_receiver, order.copied_to, order.assisting) == (
        "110101004",
        ["110101"],
        ["bj-lighting"],
    )
    # Street lighting is dual-dispatched, a 24-hour matter: sign within 2 hours, contact within 12.
    assert order.sign_by == order.created_at + timedelta(hours=2)
    assert order.contact_by == order.created_at + timedelta(hours=12)
    assert order.deadline == order.created_at + timedelta(hours=24)
    assert checkpoint.wait_seconds == 2 * 3600 - 300
    assert checkpoint.version == order.version


def test_sign_contact_reply_move_the_order_and_wake_the_workflow(hotline, orders, workflows, clock):
    order_id = hotline.dispatched()
    orders.park(order_id, hotline.order(order_id).version, "token-1")
    clock.advance(minutes=30)

    hotline.act(order_id, handling.sign)
    contacted = hotline.act(order_id, handling.contact("电话已联系"))
    order = hotline.act(order_id, handling.reply("已修复", True))

    assert order.status is Status.REPLIED
    assert [e.action for e in order.timeline] == ["received", "dispatched", "signed", "contacted", "replied"]
    assert (contacted.timeline[-1].code, contacted.timeline[-1].params) == ("contacted", {"minutes": "30"})
    assert workflows.resumed == ["token-1"]  # later wakes find the token spent: harmless


def test_reply_before_contact_is_refused(hotline):
    order_id = hotline.dispatched()
    hotline.act(order_id, handling.sign)

    with pytest.raises(Conflict) as raised:
        hotline.act(order_id, handling.reply("已修复", True))
    assert raised.value.code == "wrong_status"


def test_a_stale_version_loses(hotline):
    order_id = hotline.dispatched()
    version = hotline.order(order_id).version
    hotline.act(order_id, handling.sign, version=version)

    with pytest.raises(StaleVersion):
        hotline.act(order_id, handling.sign, version=version)


def test_only_the_first_receivers_staff_act(hotline):
    order_id = hotline.dispatched()
    order = hotline.order(order_id)
    district = Staff(username="dongcheng.handler", roles=frozenset({"handler"}), unit="110101")

    require(HANDLER, Permission.HANDLE, order)
    require(LEADER, Permission.HANDLE, order)
    with pytest.raises(Forbidden):
        require(district, Permission.HANDLE, order)  # copied, not the first receiver
    with pytest.raises(Forbidden):
        require(OPERATOR, Permission.HANDLE, order)


def test_an_interim_report_is_public_and_keeps_the_status(hotline):
    order_id = hotline.dispatched()
    hotline.act(order_id, handling.sign)

    order = hotline.act(order_id, handling.progress("已联系供电部门，等待更换线路"))

    assert order.status is Status.SIGNED
    assert (order.timeline[-1].action, order.timeline[-1].note) == (
        "progress",
        "已联系供电部门，等待更换线路",
    )


def test_parking_after_a_change_tells_the_workflow_to_look_again(hotline, orders):
    order_id = hotline.dispatched()
    seen = hotline.order(order_id).version
    hotline.act(order_id, handling.sign)

    with pytest.raises(workflow.OrderChanged):
        workflow.park(order_id, seen, "token-2", orders=orders)


def test_deadlines_and_limits_are_policy_data(limits, clock):
    faster = limits.model_copy(
        update={"tiers": {**limits.tiers, "24h": Tier(deadline=12 * 3600, sign_for=3600, contact=7200)}}
    )

    sign_by, contact_by, deadline = faster.round_limits(clock.now(), "24h")
    assert (sign_by, contact_by, deadline) == (
        clock.now() + timedelta(hours=1),
        clock.now() + timedelta(hours=2),
        clock.now() + timedelta(hours=12),
    )
