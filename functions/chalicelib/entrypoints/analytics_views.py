"""The analytics routes' query, body and answer models (entrypoints/analytics_api.py): imported when
one of those routes is first called or the OpenAPI document is built, not with the API."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from ..domain.insights import (
    Candidate,
    CategoryMonth,
    Day,
    Hotspot,
    Month,
    MonthRun,
    Recurrence,
    StreetVolume,
    Topic,
)


class MonthQuery(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    month: Month | None = None  # the latest month that has run


class DayQuery(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    date: Day | None = None  # the latest day that has run


class Months(BaseModel):
    model_config = ConfigDict(defer_build=True)

    items: Annotated[list[MonthRun], Field(max_length=600)]


class TopicBoard(BaseModel):
    model_config = ConfigDict(defer_build=True)

    month: str | None
    run: MonthRun | None
    candidates: list[Candidate]
    adopted: list[Topic]


class Trends(BaseModel):
    model_config = ConfigDict(defer_build=True)

    month: str | None
    items: list[CategoryMonth]


class StreetMap(BaseModel):
    model_config = ConfigDict(defer_build=True)

    month: str | None
    items: list[StreetVolume]


class Recurrences(BaseModel):
    model_config = ConfigDict(defer_build=True)

    month: str | None
    items: list[Recurrence]


class Hotspots(BaseModel):
    model_config = ConfigDict(defer_build=True)

    day: str | None
    items: list[Hotspot]
    # The recurring places of the latest month that has run up to that day (as GET /recurrences).
    month: str | None = None
    recurrences: list[Recurrence] = []


class RunForm(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    month: Month


class RunStarted(BaseModel):
    model_config = ConfigDict(defer_build=True)

    month: str
    execution: str
