"""A month's ranking of one kind of unit (Art. 32): the monthly run's figures once the month has
run, live figures from the work orders before."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .assessment import Assessments, assess, month_bounds, ranked
from .beijing import BEIJING
from .catalogue import Catalogue
from .insights_store import Insights
from .model import UnitKind, WorkOrder
from .ports import OrderQuery, WorkOrders

if TYPE_CHECKING:
    from .insights import RatePolicy

# A live ranking reads at most this many orders of the month; the analytics pipeline has no limit.
LIVE_ORDERS = 20_000


def unit_ranking(
    month: str,
    kind: UnitKind,
    *,
    policy: RatePolicy,
    insights: Insights,
    orders: WorkOrders,
    reference: Catalogue,
) -> Assessments:
    """Every unit of `kind` for the month, ranked, with those listed apart last: the monthly run's
    figures once it has run (with whistles on both sides), live figures before. The minimum volume
    is the one configured now, also for a month that ran before it changed."""
    least = policy.least_dispatched
    stored = insights.assessments(month, kind)
    if stored is not None:
        run = insights.month_run(month)
        return Assessments(
            month=month,
            kind=kind,
            source="monthly",
            ran_at=run.ran_at if run else None,
            weights=policy.weights,
            orders=sum(a.dispatched + (a.excluded or 0) for a in stored),
            least_dispatched=least,
            items=ranked(stored, least),
        )
    found, truncated = _month_orders(month, orders)
    return Assessments(
        month=month,
        kind=kind,
        weights=policy.weights,
        truncated=truncated,
        orders=len(found),
        least_dispatched=least,
        items=assess(found, kind, reference, policy.weights, least),
    )


def _month_orders(month: str, orders: WorkOrders) -> tuple[list[WorkOrder], bool]:
    """The orders created in the month, at most LIVE_ORDERS of them (and whether more were left)."""
    start, end = month_bounds(month, BEIJING)
    found: list[WorkOrder] = []
    cursor: str | None = None
    while len(found) < LIVE_ORDERS:
        page = orders.find(OrderQuery(created_from=start, created_to=end, limit=100, cursor=cursor))
        found += page.items
        cursor = page.next
        if cursor is None:
            break
    return found, cursor is not None
