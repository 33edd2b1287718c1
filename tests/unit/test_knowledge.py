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
        "请问北京动物园门票多少钱",  # nothing in the knowledge base
        "垃圾分类厨余垃圾放哪个桶",  # two entries answer it about equally: the requester picks
        "我们小区的路灯坏了",
    ],
)
def test_an_unclear_match_is_not_answered_on_the_spot(question):
    assert knowledge.on_the_spot(entries(), question, TODAY) is None


def test_the_knowledge_base_holds_what_the_hotline_is_asked_most_each_with_its_source():
    shipped = entries()
    asked = ("居住证", "积分落户", "社保转移", "公积金", "医保", "小学入学", "养老金", "供暖", "停车",
             "垃圾分类", "身份证", "护照", "不动产", "结婚登记", "生育登记", "残疾人证", "低保", "老年卡",
             "交通违法", "驾驶证", "营业执照", "个税", "劳动仲裁", "租房", "物业费", "燃气", "水费",
             "电费")  # fmt: skip

    assert len(shipped) >= 120
    for topic in asked:
        assert knowledge.offered(shipped, f"请问{topic}怎么办理", TODAY), topic
    for entry in shipped:
        # The issuing body, then the document; the official site of the body that publishes it.
        body, _, document = entry.source_policy.partition("：")
        assert body and len(document) >= 4, entry.id
        assert entry.source_url and entry.source_url.startswith("https://"), entry.id


def test_a_residence_permit_question_is_offered_the_residence_permit_only():
    for question in ("居住证怎么办理", "我是外地户口，想在北京办个居住证，要准备什么材料"):
        offered = {a.id for a in knowledge.offered(entries(), question, TODAY)}

        assert "kb-residence-permit-apply" in offered
        assert not offered & {
            "kb-primary-school-enrolment",
            "kb-out-of-town-medical",
            "kb-points-based-hukou",
        }


@pytest.mark.parametrize(
    "question",
    ["我们小区的路灯坏了好几天了", "楼下饭馆油烟太大", "请问北京动物园门票多少钱", "地铁末班车是几点"],
)
def test_nothing_is_offered_below_the_relevance_floor(question):
    assert knowledge.search(entries(), question, TODAY)  # some entry shares words with it
    assert knowledge.offered(entries(), question, TODAY) == []


def test_an_answer_the_requester_accepts_settles_the_consultation_on_the_spot(hotline):
    question = "垃圾分类厨余垃圾放哪个桶"  # two entries answer it: no one answer is sure enough alone
    offered = [a.id for a in knowledge.offered(entries(), question, TODAY)]

    chosen = hotline.receive(type=RequestType.CONSULTATION, category=None, content=question,
                             answered_by="kb-kitchen-waste")  # fmt: skip
    unchosen = hotline.receive(type=RequestType.CONSULTATION, category=None, content=question)

    assert "kb-kitchen-waste" in offered and knowledge.on_the_spot(entries(), question, TODAY) is None
    order = hotline.order(chosen)
    assert (order.status, order.deadline, order.answer and order.answer.entry) == (
        Status.ANSWERED,
        None,
        "kb-kitchen-waste",
    )
    assert (order.timeline[-1].action, order.timeline[-1].actor_role) == ("answered", "requester")
    assert hotline.order(unchosen).status is Status.RECEIVED
    assert hotline.workflows.started == [unchosen]


def test_only_an_answer_offered_for_the_words_of_a_consultation_settles_it(hotline):
    with pytest.raises(InvalidInput) as unrelated:
        hotline.receive(type=RequestType.CONSULTATION, category=None, content="垃圾分类厨余垃圾放哪个桶",
                        answered_by="kb-passport")  # fmt: skip
    with pytest.raises(InvalidInput) as complaint:
        hotline.receive(type=RequestType.COMPLAINT, category=None, content="垃圾分类厨余垃圾放哪个桶",
                        answered_by="kb-kitchen-waste")  # fmt: skip
    anyway = hotline.receive(type=RequestType.CONSULTATION, category=None, content="垃圾分类厨余垃圾放哪个桶",
                             answered_by="kb-kitchen-waste", dispatch_anyway=True)  # fmt: skip

    assert (
        [p.field for p in unrelated.value.details]
        == [p.field for p in complaint.value.details]
        == ["answered_by"]
    )
    assert hotline.order(anyway).status is Status.RECEIVED and len(hotline.orders.orders) == 1


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
