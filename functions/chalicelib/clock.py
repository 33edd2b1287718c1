"""Clocks. Rules never call datetime.now(); they ask the clock they were given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .domain.ports import Clock


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


class ScaledClock(Clock):
    """The demo clock: from `epoch` on, workflow time runs `factor` times faster than wall time.

    The local stack uses it so a 7-day deadline can be watched in minutes; moto's timers are
    divided by the same factor, so a deadline falls due when this clock reaches it."""

    def __init__(self, epoch: datetime, factor: float) -> None:
        self._epoch = epoch
        self._factor = factor

    @property
    def scale(self) -> float:
        return self._factor

    def now(self) -> datetime:
        wall = datetime.now(UTC)
        return self._epoch + timedelta(seconds=(wall - self._epoch).total_seconds() * self._factor)


class FixedClock(Clock):
    """A clock that moves only when told to: for tests and benchmarks."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)
