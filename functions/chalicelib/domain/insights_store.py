"""The analytics' ports: what the monthly and daily runs found (kept by month and day, with the
topics analysts adopted), and the rows an Athena query produced."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from .assessment import Assessment
from .insights import Candidate, CategoryMonth, Hotspot, MonthRun, Recurrence, StreetVolume, Topic
from .model import UnitKind


class Insights(ABC):
    """What the analytics runs found, by month and day, and the topics analysts adopted."""

    @abstractmethod
    def store_month(
        self,
        run: MonthRun,
        assessments: dict[UnitKind, list[Assessment]],
        candidates: list[Candidate],
        trend: list[CategoryMonth],
        streets: list[StreetVolume],
        recurrences: list[Recurrence],
    ) -> None:
        """Replace the month's results; the run's record is written last."""

    @abstractmethod
    def month_run(self, month: str) -> MonthRun | None: ...

    @abstractmethod
    def months(self) -> list[MonthRun]:
        """Every month that has run, newest first."""

    @abstractmethod
    def assessments(self, month: str, kind: UnitKind) -> list[Assessment] | None: ...

    @abstractmethod
    def candidates(self, month: str) -> list[Candidate]: ...

    @abstractmethod
    def trend(self, month: str) -> list[CategoryMonth]: ...

    @abstractmethod
    def streets(self, month: str) -> list[StreetVolume]: ...

    @abstractmethod
    def recurrences(self, month: str) -> list[Recurrence]: ...

    @abstractmethod
    def store_hotspots(self, day: str, spots: list[Hotspot]) -> None: ...

    @abstractmethod
    def hotspots(self, day: str | None) -> tuple[str | None, list[Hotspot]]:
        """The day's hotspots, or the latest day's when `day` is None."""

    @abstractmethod
    def topics(self) -> list[Topic]: ...

    @abstractmethod
    def put_topic(self, topic: Topic, expected_version: int | None) -> None:
        """Add (expected None) or replace the topic at `expected_version`; else StaleVersion."""


class QueryResults(ABC):
    """The rows an Athena query produced, typed by its column types."""

    @abstractmethod
    def rows(self, execution_id: str) -> list[dict[str, Any]]: ...
