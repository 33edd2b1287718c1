"""The monthly briefing's figures beside the topic candidates: each category's months, every
street's requests (the heat grid), and the places asking again after closure (Art. 25)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from .assessment import rate
from .beijing import BEIJING
from .catalogue import Catalogue
from .query_rows import Row, names


class CategoryMonth(BaseModel):
    model_config = ConfigDict(defer_build=True)

    month: str
    category: str
    name: str
    orders: int
    resolution_rate: float | None
    satisfaction_rate: float | None


def category_trend(trend: Iterable[Row], reference: Catalogue) -> list[CategoryMonth]:
    """The city-wide rows of the trend query (its district rows are the candidates' evidence)."""
    category_names, _ = names(reference)
    return [
        CategoryMonth(
            month=r["month"],
            category=r["category"],
            name=category_names.get(r["category"], r["category"]),
            orders=r["orders"],
            resolution_rate=rate(r["resolved"], r["followed_up"]),
            satisfaction_rate=rate(r["satisfied"], r["followed_up"]),
        )
        for r in trend
        if r["district"] is None
    ]


class StreetVolume(BaseModel):
    model_config = ConfigDict(defer_build=True)

    street: str
    name: str
    district: str
    district_name: str
    orders: int


def street_volumes(streets: Iterable[Row], reference: Catalogue) -> list[StreetVolume]:
    """Every street's requests of the month, the briefing's heat grid."""
    _, unit_names = names(reference)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for row in streets:
        totals[(row["district"], row["street"])] += row["orders"]
    return sorted(
        (
            StreetVolume(
                street=street,
                name=unit_names.get(street, street),
                district=district,
                district_name=unit_names.get(district, district),
                orders=orders,
            )
            for (district, street), orders in totals.items()
        ),
        key=lambda s: (-s.orders, s.street),
    )


class Recurrence(BaseModel):
    """The same place and category again after closure: a problem to solve at its root."""

    model_config = ConfigDict(defer_build=True)

    place: str  # a keyed hash: the latest order names the place to whoever may open it
    category: str
    category_name: str
    district: str
    street: str
    street_name: str
    unit: str | None
    orders: int
    recurrences: int
    latest_order: str
    latest_at: datetime


def recurrences(rows: Iterable[Row], reference: Catalogue) -> list[Recurrence]:
    category_names, unit_names = names(reference)
    return [
        Recurrence(
            place=r["place"],
            category=r["category"],
            category_name=category_names.get(r["category"], r["category"]),
            district=r["district"],
            street=r["street"],
            street_name=unit_names.get(r["street"], r["street"]),
            unit=r["unit"],
            orders=r["orders"],
            recurrences=r["recurrences"],
            latest_order=r["latest_order"],
            latest_at=datetime.fromtimestamp(r["latest_at"], BEIJING),
        )
        for r in rows
    ]
