"""The public effectiveness board (Art. 34): how the city's districts and streets answered their
requests in a month, the most frequent kinds of request, and the 每月一题 topics adopted with their
volume since — read from what the monthly analytics run stored, never from the orders.

Only aggregates are published, and only from a minimum count: a district or street with fewer
dispatched orders than the rankings' minimum (`rates.least_dispatched`) is left out (counted, not
named), a rate whose own base is below it is not given, a category below it is not listed. Nothing
names a person: no order numbers, no words of a request, no requester, no staff member.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from .assessment import Assessment, Rates, rate
from .errors import NotFound
from .insights import CategoryMonth, MonthCount, MonthRun, StreetVolume, Topic
from .model import UnitKind

if TYPE_CHECKING:
    from .insights_store import Insights

# The most frequent categories the board lists.
TOP_CATEGORIES = 10


class BoardMonth(BaseModel):
    model_config = ConfigDict(defer_build=True)

    month: str
    ran_at: datetime
    orders: int


class BoardMonths(BaseModel):
    """Every month the monthly run has covered, newest first: each has a board."""

    model_config = ConfigDict(defer_build=True)

    items: list[BoardMonth]


class BoardUnit(Rates):
    """A district's or a street's month: the three rates and the counts behind each."""

    code: str
    name: str
    district: str | None = None  # a street's district
    district_name: str | None = None


class BoardCategory(BaseModel):
    model_config = ConfigDict(defer_build=True)

    code: str
    name: str
    orders: int
    resolution_rate: float | None
    satisfaction_rate: float | None


class BoardTopic(BaseModel):
    """An adopted topic: its requests in the month it was adopted, and in each month since."""

    model_config = ConfigDict(defer_build=True)

    title: str
    adopted_month: str
    category: str
    category_name: str
    district: str | None
    district_name: str | None
    lead_unit: str
    baseline_orders: int
    progress: list[MonthCount]
    latest_orders: int  # in the board's month (the baseline in the month it was adopted)
    change: float | None  # latest against baseline: -0.25 is a quarter fewer requests


class Board(BaseModel):
    """One month's board, the same figures as its JSON and CSV files."""

    model_config = ConfigDict(defer_build=True)

    month: str
    ran_at: datetime
    orders: int  # the month's requests
    least_count: int  # the smallest count a published figure rests on
    districts: list[BoardUnit]
    streets: list[BoardUnit]
    withheld_districts: int  # below the minimum count: counted, not named
    withheld_streets: int
    categories: list[BoardCategory]
    topics: list[BoardTopic]


def published_unit(row: Assessment, least: int, streets: dict[str, StreetVolume]) -> BoardUnit:
    """A unit's figures as published: a rate whose base is below `least` is not given."""
    street = streets.get(row.unit.id)

    def shown(part: int, whole: int) -> float | None:
        return rate(part, whole) if whole >= least else None

    return BoardUnit(
        code=row.unit.id,
        name=row.unit.name,
        district=street.district if street else None,
        district_name=street.district_name if street else None,
        dispatched=row.dispatched,
        responded=row.responded,
        followed_up=row.followed_up,
        resolved=row.resolved,
        satisfied=row.satisfied,
        response_rate=shown(row.responded, row.dispatched),
        resolution_rate=shown(row.resolved, row.followed_up),
        satisfaction_rate=shown(row.satisfied, row.followed_up),
    )


def published_units(
    rows: Iterable[Assessment], least: int, streets: dict[str, StreetVolume]
) -> tuple[list[BoardUnit], int]:
    """The units from `least` dispatched orders, most orders first, and how many were left out."""
    rows = list(rows)
    kept = [r for r in rows if r.dispatched >= least]
    kept.sort(key=lambda r: (-r.dispatched, r.unit.id))
    return [published_unit(r, least, streets) for r in kept], len(rows) - len(kept)


def top_categories(trend: Iterable[CategoryMonth], month: str, least: int) -> list[BoardCategory]:
    """The month's most frequent categories from `least` requests (the trend's city-wide rows)."""
    rows = sorted(
        (c for c in trend if c.month == month and c.orders >= least), key=lambda c: (-c.orders, c.category)
    )
    return [
        BoardCategory(
            code=c.category,
            name=c.name,
            orders=c.orders,
            resolution_rate=c.resolution_rate,
            satisfaction_rate=c.satisfaction_rate,
        )
        for c in rows[:TOP_CATEGORIES]
    ]


def topic_progress(topic: Topic, month: str) -> BoardTopic:
    """The topic as it stood in `month`: the months followed up to it."""
    progress = [p for p in topic.progress if p.month <= month]
    latest = next((p.orders for p in reversed(progress) if p.month == month), None)
    if latest is None:
        latest = progress[-1].orders if progress else topic.baseline_orders
    base = topic.baseline_orders
    return BoardTopic(
        title=topic.title,
        adopted_month=topic.month,
        category=topic.category,
        category_name=topic.category_name,
        district=topic.district,
        district_name=topic.district_name,
        lead_unit=topic.lead_unit.name,
        baseline_orders=base,
        progress=progress,
        latest_orders=latest,
        change=round((latest - base) / base, 4) if base else None,
    )


def assemble(
    run: MonthRun,
    districts: Sequence[Assessment],
    streets: Sequence[Assessment],
    street_places: Iterable[StreetVolume],
    trend: Iterable[CategoryMonth],
    topics: Iterable[Topic],
    least_dispatched: int,
) -> Board:
    """A month's board from its stored results; `least_dispatched` is the rankings' minimum."""
    least = max(least_dispatched, 1)
    places = {s.street: s for s in street_places}
    shown_districts, hidden_districts = published_units(districts, least, {})
    shown_streets, hidden_streets = published_units(streets, least, places)
    adopted = sorted((t for t in topics if t.month <= run.month), key=lambda t: (t.month, t.id), reverse=True)
    return Board(
        month=run.month,
        ran_at=run.ran_at,
        orders=run.orders,
        least_count=least,
        districts=shown_districts,
        streets=shown_streets,
        withheld_districts=hidden_districts,
        withheld_streets=hidden_streets,
        categories=top_categories(trend, run.month, least),
        topics=[topic_progress(t, run.month) for t in adopted],
    )


def months(store: Insights) -> BoardMonths:
    return BoardMonths(
        items=[BoardMonth(month=r.month, ran_at=r.ran_at, orders=r.orders) for r in store.months()]
    )


def board(store: Insights, month: str, least_dispatched: int) -> Board:
    """The month's board; NotFound when the monthly run has not covered it."""
    run = store.month_run(month)
    if run is None:
        raise NotFound("The monthly analysis has not covered that month.")
    return assemble(
        run,
        store.assessments(month, UnitKind.DISTRICT) or [],
        store.assessments(month, UnitKind.STREET) or [],
        store.streets(month),
        store.trend(month),
        store.topics(),
        least_dispatched,
    )
