"""The rules behind the work lists: which limits a unit missed (Art. 13), open and finished work,
the minimum volume to be ranked, and a ranking's pages."""

import pytest
from chalicelib.domain import handling
from chalicelib.domain.assessment import Assessment, AssessmentQuery, ranked, ranking_page
from chalicelib.domain.deadlines import missed_limits
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.exports import capped
from chalicelib.domain.listing import FINISHED_WORK, OPEN_WORK, ListFilters, list_orders
from chalicelib.domain.model import Requester, Status
from chalicelib.domain.views import UnitView

from tests.unit.conftest import HANDLER


def test_a_limit_passed_before_the_workflow_noticed_is_already_missed(hotline, clock):
    order_id = hotline.dispatched()
    clock.advance(hours=3)  # 24-hour tier: sign for within 2 hours

    # The workflow's checkpoint has not run: the flag comes from the order's own times.
    order = hotline.order(order_id)
    assert not order.sign_late
    assert missed_limits(order, clock.now()) == (True, False)
    clock.advance(hours=10)
    assert missed_limits(order, clock.now()) == (True, True)


def test_signing_and_contacting_in_time_misses_nothing_however_late_it_is_now(hotline, clock):
    order_id = hotline.dispatched()
    hotline.act(order_id, handling.sign)
    hotline.act(order_id, handling.contact("电话已联系"))
    clock.advance(days=5)

    assert missed_limits(hotline.order(order_id), clock.now()) == (False, False)


def test_signing_after_the_limit_stays_missed_after_signing(hotline, clock):
    order_id = hotline.dispatched()
    clock.advance(hours=3)
    hotline.act(order_id, handling.sign)

    assert missed_limits(hotline.order(order_id), clock.now()) == (True, False)


def test_an_order_never_dispatched_has_no_limits_to_miss(hotline, clock):
    order_id = hotline.receive()
    clock.advance(days=3)

    assert missed_limits(hotline.order(order_id), clock.now()) == (False, False)


def test_open_and_finished_work_split_every_status():
    assert set(OPEN_WORK) | set(FINISHED_WORK) == set(Status)
    assert not set(OPEN_WORK) & set(FINISHED_WORK)
    assert Status.REPLIED in FINISHED_WORK and Status.REOPENED in OPEN_WORK


def test_the_inbox_lists_open_or_finished_work(hotline, orders):
    # Two requesters (the same phone about the same place would be merged).
    waiting = hotline.dispatched()
    done = hotline.dispatched(requester=Requester(name="王女士", phone="13900005678"))
    hotline.handled(done)

    def listed(state: str) -> list[str]:
        return [o.id for o in list_orders(ListFilters(state=state), HANDLER, orders=orders).items]

    assert listed("open") == [waiting]
    assert listed("finished") == [done]
    with pytest.raises(InvalidInput) as error:
        list_orders(ListFilters(state="open", status=Status.CLOSED), HANDLER, orders=orders)
    assert error.value.details[0].field == "status"


def row(unit: str, dispatched: int, score: float | None) -> Assessment:
    return Assessment(
        unit=UnitView(id=unit, name=unit, kind="street"),
        rank=None,
        dispatched=dispatched,
        responded=dispatched,
        followed_up=dispatched,
        resolved=dispatched,
        satisfied=dispatched,
        response_rate=None,
        resolution_rate=None,
        satisfaction_rate=None,
        score=score,
    )


def test_four_orders_at_100_do_not_rank_above_400_at_98():
    rows = ranked(
        [row("small", 4, 100.0), row("large", 400, 98.0), row("middle", 30, 90.0)], least_dispatched=20
    )

    assert [(a.unit.id, a.rank, a.insufficient) for a in rows] == [
        ("large", 1, False),
        ("middle", 2, False),
        ("small", None, True),
    ]


def test_a_ranking_pages_each_group_with_its_cursor():
    rows = ranked([row(f"u{i:02}", 30 + i, float(i)) for i in range(5)] + [row("tiny", 2, 100.0)], 20)

    first, after, ranked_units, apart = ranking_page(rows, AssessmentQuery(month="2026-10", limit=2))
    second, last, _, _ = ranking_page(rows, AssessmentQuery(month="2026-10", limit=2, cursor=after))
    tiny, none, _, _ = ranking_page(rows, AssessmentQuery(month="2026-10", group="insufficient"))

    assert [a.rank for a in first + second] == [1, 2, 3, 4] and last is not None
    assert (ranked_units, apart) == (5, 1)
    assert [a.unit.id for a in tiny] == ["tiny"] and none is None
    with pytest.raises(InvalidInput) as error:
        ranking_page(rows, AssessmentQuery(month="2026-10", cursor="bm90LWpzb24"))
    assert error.value.details[0].field == "cursor"


def test_an_export_reads_every_page_and_says_when_it_stopped_short():
    pages = {None: ([1, 2], "a"), "a": ([3, 4], "b"), "b": ([5], None)}
    read, more = capped(lambda cursor: pages[cursor])
    assert list(read) == [1, 2, 3, 4, 5] and not more()

    read, more = capped(lambda cursor: pages[cursor], most=3)
    assert list(read) == [1, 2, 3] and more()


def test_a_ranking_filtered_by_name_keeps_the_city_wide_ranks():
    rows = ranked([row("东城甲", 40, 90.0), row("西城乙", 50, 95.0), row("东城丙", 3, 100.0)], 20)

    found, _, ranked_units, apart = ranking_page(rows, AssessmentQuery(month="2026-10", q="东城"))

    assert [(a.unit.id, a.rank) for a in found] == [("东城甲", 2)]
    assert (ranked_units, apart) == (1, 1)
