"""The analytics routes' query, body and answer models (entrypoints/staff/analytics.py): imported when
one of those routes is first called or the OpenAPI document is built, not with the API."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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
from ..domain.smart_dispatch import DispatchModel, ModelInfo, ServingChange


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
    retrain: bool = False  # also retrain the dispatch model, as the scheduled run does


class RunStarted(BaseModel):
    model_config = ConfigDict(defer_build=True)

    month: str
    execution: str


class DispatchModels(BaseModel):
    """The dispatch models, newest first after the shipped one; `serving` names the one in use."""

    serving: str
    items: list[ModelInfo]
    changes: list[ServingChange]


class ServeForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200)]


def shipped_info(model: DispatchModel) -> ModelInfo:
    """The model shipped with the code, as the list shows it."""
    assert model.figures is not None
    return ModelInfo(
        version="shipped",
        trained_on=model.trained_on,
        history=0,
        figures=model.figures,
        created_at=None,  # built with the code
    )
