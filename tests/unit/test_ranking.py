"""The month's ranking of one kind of unit: the monthly run's figures once the month has run, live
figures from the work orders before (domain/ranking.py)."""

from dataclasses import dataclass
from typing import Any, cast

from chalicelib.domain.assessment import Assessment
from chalicelib.domain.insights import RatePolicy
from chalicelib.domain.insights_store import Insights
from chalicelib.domain.model import UnitKind
from chalicelib.domain.ranking import unit_ranking
from chalicelib.domain.views import UnitView


def row(unit: str, dispatched: int, score: float) -> Assessment:
    return Assessment(
        unit=UnitView(id=unit, name=unit, kind="street"),
        rank=None,
        dispatched=dispatched,
        responded=dispatched,
        followed_up=dispatched,
        resolved=dispatched,
        satisfied=dispatched,
        response_rate=1.0,
        resolution_rate=score,
        satisfaction_rate=score,
        score=score,
        excluded=1,
    )


@dataclass
class StoredMonth:
    """What the insights store holds of a month (None: the month has not run)."""

    stored: list[Assessment] | None

    def assessments(self, month: str, kind: UnitKind) -> list[Assessment] | None:
        return self.stored

    def month_run(self, month: str) -> Any:
        return None


def test_a_month_that_ran_is_ranked_from_its_stored_figures_with_the_small_units_apart(orders, reference):
    stored = [row("110101004", 3, 0.99), row("110101001", 40, 0.8), row("110101002", 50, 0.9)]

    ranking = unit_ranking(
        "2026-10",
        UnitKind.STREET,
        policy=RatePolicy(least_dispatched=20),
        insights=cast(Insights, StoredMonth(stored)),
        orders=orders,
        reference=reference,
    )

    assert ranking.source == "monthly"
    assert ranking.orders == 3 + 40 + 50 + 3  # dispatched and excluded alike
    assert [(a.unit.id, a.rank, a.insufficient) for a in ranking.items] == [
        ("110101002", 1, False),
        ("110101001", 2, False),
        ("110101004", None, True),
    ]


def test_a_month_that_has_not_run_is_ranked_live_from_its_orders(hotline, orders, reference, clock):
    # Given an order of this month dispatched to its street
    street = orders.get(hotline.dispatched()).first_receiver
    month = clock.now().strftime("%Y-%m")

    ranking = unit_ranking(
        month,
        UnitKind.STREET,
        policy=RatePolicy(least_dispatched=0),
        insights=cast(Insights, StoredMonth(None)),
        orders=orders,
        reference=reference,
    )

    assert ranking.source == "live"
    assert ranking.orders == 1
    assert not ranking.truncated
    assert [(a.unit.id, a.dispatched) for a in ranking.items if a.dispatched] == [(street, 1)]
