"""批量签收 / 批量派单 and 来电历史 in the domain, with the fakes: each order of a batch is its own
action and its own outcome; a caller's history is their orders by phone, newest first."""

import pytest
from chalicelib.domain import batch, callers, handling
from chalicelib.domain.allowed import batch_actions
from chalicelib.domain.deadlines import TimeLimits
from chalicelib.domain.errors import InvalidInput
from pydantic import ValidationError

from tests.unit.conftest import DISPATCHER, HANDLER, OPERATOR, OTHER_STREET


def _from(hotline, phone):
    return hotline.submission.requester.model_copy(update={"phone": phone})


def _batch(hotline, *order_ids):
    return batch.Batch(items=[{"id": i, "version": hotline.order(i).version} for i in order_ids])


def test_each_order_of_a_batch_is_its_own_action_and_a_refusal_stops_none_of_the_others(hotline):
    first, signed, last = (hotline.dispatched(requester=_from(hotline, f"1380000000{i}")) for i in range(3))
    chosen = _batch(hotline, first, signed, last)
    hotline.act(signed, handling.sign)

    outcomes = batch.each(
        chosen, lambda order_id, version: hotline.act(order_id, handling.sign, version=version)
    )

    assert [(o.id, o.error.code if o.error else None) for o in outcomes] == [
        (first, None),
        (signed, "stale_version"),
        (last, None),
    ]
    assert [hotline.order(i).status.value for i in (first, signed, last)] == ["signed"] * 3
    assert [e.action for e in hotline.order(first).timeline].count("signed") == 1


def test_a_batch_names_each_order_once_and_holds_one_page_at_most(hotline):
    order_id = hotline.dispatched()
    item = {"id": order_id, "version": 1}

    for items in ([], [item, item], [{"id": f"{i:08d}", "version": 1} for i in range(batch.MAX_BATCH + 1)]):
        with pytest.raises(ValidationError) as refused:
            batch.Batch(items=items)
        assert refused.value.errors()[0]["loc"][0] == "items"


def test_a_batch_dispatch_to_an_unknown_unit_or_category_is_refused_before_any_order(reference, limits):
    with pytest.raises(InvalidInput) as unit:
        batch.dispatch_all(["110101004", "nowhere"], None, "归属调整", reference, limits)
    with pytest.raises(InvalidInput) as category:
        batch.dispatch_all([], "no_such_category", None, reference, limits)

    assert unit.value.details[0].field == "units.1"
    assert category.value.details[0].field == "category"


def test_the_list_offers_a_batch_action_only_to_whoever_may_take_it_now(hotline):
    received, dispatched = hotline.receive(category=None), hotline.dispatched()

    assert batch_actions(hotline.order(dispatched), HANDLER, TimeLimits()) == ["sign"]
    assert batch_actions(hotline.order(dispatched), OTHER_STREET, TimeLimits()) == []
    assert batch_actions(hotline.order(received), DISPATCHER, TimeLimits()) == ["dispatch"]
    hotline.act(dispatched, handling.sign)
    assert batch_actions(hotline.order(dispatched), HANDLER, TimeLimits()) == []


def test_a_callers_history_is_their_orders_newest_first_and_its_reading_names_no_number(hotline, clock):
    older = hotline.receive()
    newer = hotline.receive(category="street_lighting", content="胡同里的路灯晚上不亮了")
    someone_else = hotline.receive(requester=_from(hotline, "13900005678"))

    found = callers.history("13800001234", 50, None, hotline.orders)
    audited = callers.reading(OPERATOR, clock.now(), "13800001234", found)

    assert {o.id for o in found.items} == {older, newer} and someone_else not in [o.id for o in found.items]
    assert (audited.action, audited.actor, audited.target) == (
        "caller_history.read",
        "operator1",
        "138****1234",
    )
    assert audited.params["count"] == "2"
    assert "13800001234" not in audited.model_dump_json()
