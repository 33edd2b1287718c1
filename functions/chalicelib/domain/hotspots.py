"""Daily hotspots (未诉先办): a street's week in a category well above its own baseline, told to
the street before more calls come."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from .catalogue import Catalogue
from .query_rows import Row, names


class HotspotPolicy(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    least_orders: int = 5
    ratio: float = 3.0
    # Months read around the eight weeks of baseline before the day.
    months_back: int = 3


class Hotspot(BaseModel):
    """A street's week in a category well above its own baseline: a warning before more calls."""

    model_config = ConfigDict(defer_build=True)

    day: str
    street: str
    street_name: str
    district: str
    category: str
    category_name: str
    this_week: int
    baseline: float


def hotspots(day: str, rows: Iterable[Row], reference: Catalogue) -> list[Hotspot]:
    category_names, unit_names = names(reference)
    return [
        Hotspot(
            day=day,
            street=r["street"],
            street_name=unit_names.get(r["street"], r["street"]),
            district=r["district"],
            category=r["category"],
            category_name=category_names.get(r["category"], r["category"]),
            this_week=r["this_week"],
            baseline=r["baseline"],
        )
        for r in rows
    ]


def hotspot_message(spot: Hotspot) -> str:
    return (
        f"近7天{spot.street_name}「{spot.category_name}」诉求{spot.this_week}件，"
        f"此前8周平均每周{spot.baseline:g}件。请提前研判、主动治理（未诉先办）。"
    )
