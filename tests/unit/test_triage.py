"""Art. 11 ¶3: what is not dispatched, what merges, and how a dispatcher takes it back."""

import pytest
from chalicelib.domain import handling, triage, workflow
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.model import Location, Requester, Status
from chalicelib.domain.notifications import Sms, notices
from chalicelib.reference_data import emergency_words

from tests.unit.conftest import DISPATCHER, OPERATOR


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("楼下饭馆着火了，烟很大", "119"),
        ("我爸突然晕倒了，叫不醒", "120"),
        ("有人在小区门口持刀伤人", "110"),
        ("路口两辆车追尾了，有人受伤", "122"),
        ("路灯杆被车撞歪，灯罩掉落", None),  # damage to report, not an accident in progress
        ("去年小区着火的事故原因调查结果出来了吗", None),
    ],
)
def test_emergency_lines_are_recognised_from_what_is_happening(text, line):
    assert triage.emergency_line(text, emergency_words()) == line


def test_an_emergency_is_recorded_without_a_deadline_or_a_workflow(hotline):
    order_id = hotline.receive(content="楼下饭馆着火了，烟很大，快来人")

    order = hotline.order(order_id)

    assert (order.status, order.reason, order.transfer_to, order.deadline) == (
        Status.NOT_DISPATCHED,
        "emergency",
        "119",
        None,
    )
    assert hotline.workflows.started == []
    assert notices(None, order) == [Sms(order.requester.phone, notices(None, order)[0].message)]
    assert "请立即拨打119" in notices(None, order)[0].message


def test_a_repeat_merges_into_the_oldest_open_order_of_the_same_matter(hotline):
    first = hotline.dispatched()
    repeat = hotline.receive(content="垃圾还是没人清运，再反映一次")
    elsewhere = hotline.receive(location=Location(district="110101", street="110101003"))
    someone_else = hotline.receive(requester=Requester(phone="13911112222"))

    assert (hotline.order(repeat).status, hotline.order(repeat).merged_into) == (Status.MERGED, first)
    assert hotline.order(elsewhere).status is Status.RECEIVED
    assert hotline.order(someone_else).status is Status.RECEIVED


def test_a_closed_order_takes_no_repeat(hotline):
    first = hotline.dispatched()
    hotline.handled(first)
    hotline.rate(first)

    again = hotline.receive(content="垃圾桶又满了")

    assert hotline.order(again).status is Status.RECEIVED


def test_triage_decisions_need_their_facts_and_an_order_not_yet_signed(hotline):
    with pytest.raises(InvalidInput) as no_line:
        triage.decide(triage.Reason.EMERGENCY, None, None)
    with pytest.raises(InvalidInput) as line_for_courts:
        triage.decide(triage.Reason.LEGAL_CHANNEL, "110", None)
    with pytest.raises(InvalidInput) as merging:
        triage.decide(triage.Reason.DUPLICATE, None, None)
    order_id = hotline.dispatched()
    hotline.act(order_id, handling.sign)

    with pytest.raises(Conflict):
        hotline.act(order_id, triage.decide(triage.Reason.UNLAWFUL, None, None), DISPATCHER)
    assert [p.field for p in no_line.value.details] == ["transfer_to"]
    assert [p.field for p in line_for_courts.value.details] == ["transfer_to"]
    assert [p.field for p in merging.value.details] == ["reason"]


def test_a_dispatched_order_sent_elsewhere_leaves_the_units_and_ends_its_workflow(hotline):
    order_id = hotline.dispatched()

    settled = hotline.act(order_id, triage.decide(triage.Reason.OUTSIDE_DUTIES, None, None), DISPATCHER)

    assert (settled.first_receiver, settled.copied_to, settled.deadline) == (None, [], None)
    assert settled.timeline[-1].action == "not_dispatched"
    assert (settled.timeline[-1].code, settled.timeline[-1].params) == (
        "settled",
        {"reason": "outside_duties"},
    )
    assert hotline.advance(order_id).phase is workflow.Phase.DONE


def test_reinstating_receives_the_order_again_and_starts_a_new_run(hotline):
    order_id = hotline.receive(content="楼下饭馆着火了，烟很大，快来人")

    with pytest.raises(Conflict):
        hotline.act(hotline.dispatched(), triage.reinstate("补充情况", hotline.limits), DISPATCHER)
    again = hotline.act(
        order_id, triage.reinstate("火已扑灭，诉求人反映的是饭馆油烟问题", hotline.limits), DISPATCHER
    )

    assert (again.status, again.reason, again.transfer_to, again.reinstated) == (
        Status.RECEIVED,
        None,
        None,
        1,
    )
    assert again.deadline is not None
    assert f"{order_id}-r1" in hotline.workflows.started
    hotline.dispatch(order_id)
    assert hotline.order(order_id).status is Status.DISPATCHED


def test_an_operator_cannot_merge_into_an_order_that_is_closed(hotline):
    original = hotline.dispatched()
    hotline.handled(original)
    hotline.rate(original)
    call = hotline.receive(category=None, requester=Requester(phone="13911112222"))

    with pytest.raises(Conflict):
        hotline.act(call, triage.merge(hotline.order(original)), OPERATOR)
