"""The knowledge base (Art. 31) and consultations answered on the spot (Art. 11 ¶1)."""

from datetime import date

import pytest
from chalicelib.domain import knowledge
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, StaleVersion
from chalicelib.domain.model import RequestType, Staff, Status
from chalicelib.reference_data import knowledge_base

from tests.unit.conftest import ADMIN, HANDLER

TODAY = date(2026, 11, 26)
WATER = Staff(username="water.handler", roles=frozenset({"handler"}), unit="bj-water")


def entries():
    return list(knowledge_base())


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("请问今年几号开始来暖气", "kb-heating-season"),
        ("公司拖欠工资三个月了怎么投诉", "kb-wage-arrears"),
        ("老旧小区加装电梯需要什么条件", "kb-elevator-retrofit"),
        ("我家停电了", "kb-power-outage"),
    ],
)
def test_a_clear_question_is_answered_on_the_spot(question, entry):
    answer = knowledge.on_the_spot(entries(), question, TODAY)

    assert answer is not None and answer.id == entry
    assert answer.confidence >= knowledge.ON_THE_SPOT


@pytest.mark.parametrize(
    "question",
    [
        "请问护照怎么办理",  # nothing in the knowledge base
        "垃圾分类厨余垃圾放哪个桶",  # two entries answer it about equally: the requester picks
        "我们小区的路灯坏了",
    ],
)
def test_an_unclear_match_is_not_answered_on_the_spot(question):
    assert knowledge.on_the_spot(entries(), question, TODAY) is None


def test_search_ranks_the_best_entry_first_and_leaves_out_expired_ones():
    found = knowledge.search(entries(), "暖气不热怎么办", TODAY)
    expired = [e.model_copy(update={"valid_to": date(2026, 1, 1)}) for e in entries()]

    assert found[0].id == "kb-heating-indoor-temperature"
    assert knowledge.search(expired, "暖气不热怎么办", TODAY) == []
    assert knowledge.search(entries(), "   ", TODAY) == []


def test_a_consultation_is_answered_on_the_spot_unless_the_requester_wants_it_dispatched(hotline):
    answered = hotline.receive(
        type=RequestType.CONSULTATION, category=None, content="请问今年几号开始来暖气？"
    )
    anyway = hotline.receive(
        type=RequestType.CONSULTATION, category=None, content="请问今年几号开始来暖气？", dispatch_anyway=True
    )
    complaint = hotline.receive(type=RequestType.COMPLAINT, category=None, content="请问今年几号开始来暖气？")

    order = hotline.order(answered)
    assert (order.status, order.deadline, order.answer and order.answer.entry) == (
        Status.ANSWERED,
        None,
        "kb-heating-season",
    )
    assert order.timeline[-1].action == "answered"
    assert "11月15日" in (order.timeline[-1].note or "")
    assert hotline.workflows.started == [anyway, complaint]
    assert hotline.order(anyway).status is hotline.order(complaint).status is Status.RECEIVED


def test_the_requester_asks_for_a_dispatch_after_the_answer(hotline):
    order_id = hotline.receive(type=RequestType.CONSULTATION, category=None, content="我家停电了")
    order = hotline.order(order_id)
    now = hotline.clock.now()

    again = knowledge.dispatch_anyway(now, order, hotline.limits.deadline(now, order.tier))

    assert (again.status, again.reinstated, again.deadline is not None) == (Status.RECEIVED, 1, True)
    with pytest.raises(Conflict):
        knowledge.dispatch_anyway(now, again, now)


def edit(**changes):
    entry = next(e for e in knowledge_base() if e.unit == "bj-water")
    body = entry.model_dump(exclude={"id", "version", "updated_by", "updated_at"}) | {"version": 1} | changes
    return entry.id, knowledge.KnowledgeEdit.model_validate(body)


def test_a_unit_keeps_its_own_entries_current_and_only_those(reference, clock):
    entry_id, change = edit(answer="停水信息可拨打96116查询，或关注北京自来水集团发布的停水通知。")

    saved = knowledge.save(entry_id, change, WATER, reference=reference, clock=clock)

    assert (saved.version, saved.updated_by) == (2, "water.handler")
    with pytest.raises(Forbidden):
        knowledge.save(entry_id, edit(version=2)[1], HANDLER, reference=reference, clock=clock)
    with pytest.raises(Forbidden):  # nor can it hand the entry to another unit
        knowledge.save(entry_id, edit(version=2, unit="bj-gas")[1], WATER, reference=reference, clock=clock)
    with pytest.raises(StaleVersion):
        knowledge.save(entry_id, edit(version=1)[1], ADMIN, reference=reference, clock=clock)
    with pytest.raises(InvalidInput) as bad:
        knowledge.save(
            entry_id, edit(version=2, valid_to=date(2020, 1, 1))[1], ADMIN, reference=reference, clock=clock
        )
    assert [p.field for p in bad.value.details] == ["valid_to"]
