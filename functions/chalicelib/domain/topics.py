"""Adopted topics (每月一题, Art. 25): an analyst adopts a candidate and names the unit that leads it;
each later month's run follows its requests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from .query_rows import Month, Row
from .topic_candidates import MonthCount
from .views import UnitView


class TopicForm(BaseModel):
    """An analyst adopts a candidate as a topic and names the unit that leads it."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    month: Month
    key: Annotated[str, StringConstraints(min_length=2, max_length=120)]
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]
    lead_unit: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class Topic(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str  # <month>:<candidate key>
    month: str
    key: str
    title: str
    category: str
    category_name: str
    district: str | None
    district_name: str | None
    lead_unit: UnitView
    note: str | None
    adopted_by: str
    adopted_at: datetime
    baseline_orders: int  # the candidate's requests in the month it was adopted
    progress: list[MonthCount] = []  # its requests in each month since
    version: int = 1


def follow(topic: Topic, month: str, topics_rows: Iterable[Row]) -> Topic:
    """The topic's requests in `month` (a later month's run), replacing an earlier figure."""
    if month <= topic.month:
        return topic
    found = next(
        (
            r["orders"]
            for r in topics_rows
            if r["category"] == topic.category and r["district"] == topic.district
        ),
        0,
    )
    kept = [p for p in topic.progress if p.month != month]
    progress = sorted([*kept, MonthCount(month=month, orders=found)], key=lambda p: p.month)
    return topic.model_copy(update={"progress": progress, "version": topic.version + 1})
