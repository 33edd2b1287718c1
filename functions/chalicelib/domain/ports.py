"""The ports every feature shares: the clock, the work-order store and the workflows, plus the
notices that any of them sends. A feature's own port sits beside it (catalogue.py, deadlines.py,
audit.py, knowledge.py, partners.py, accounts.py, whistles.py, attachments.py, exports.py, facts.py,
insights_store.py). Adapters implement them; tests pass fakes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from .model import WorkOrder


class Clock(ABC):
    @abstractmethod
    def now(self) -> datetime:
        """The current time, timezone-aware."""

    @property
    def scale(self) -> float:
        """How many workflow seconds pass per wall second (1 everywhere but the demo stack)."""
        return 1.0


@dataclass(frozen=True)
class IdempotencyRecord:
    """The answer given to a request sent with an Idempotency-Key, and the body it answered."""

    key: str
    fingerprint: str
    response: dict[str, Any]
    ttl_seconds: int = 24 * 3600


@dataclass(frozen=True)
class OrderQuery:
    """A page of orders: a unit's inbox (by deadline) or the hotline's view by status (newest first)."""

    unit: str | None = None
    status: str | None = None
    statuses: tuple[str, ...] | None = None  # any of these (open or finished work)
    district: str | None = None  # the district of the order's place
    # Open overdue orders, earliest deadline first (the overdue board): from the overdue index
    # without a unit, from the unit's inbox (already by deadline) with one.
    late_first: bool = False
    overdue: bool | None = None
    pingpong: bool | None = None
    assisting: bool = False  # with unit: the orders that unit assists with, by its part's deadline
    # Orders whose extension request awaits a supervisor (extensions.awaiting), earliest deadline
    # first; with unit: that unit's.
    extension_pending: bool = False
    appeals: bool = False  # the orders whose unit's appeal awaits a decision, oldest appeal first
    text: str | None = None
    requester: str | None = None  # a phone number: that requester's orders, newest first
    partner: str | None = None  # the orders transferred to that partner, newest first
    category: str | None = None  # a catalogue code
    # Created in [created_from, created_to] (either bound may be left open); read as a range of the
    # status index when the query walks statuses (Open311's requests by date).
    created_from: datetime | None = None
    created_to: datetime | None = None
    limit: int = 50
    cursor: str | None = None


@dataclass(frozen=True)
class Page:
    items: list[WorkOrder]
    next: str | None


@dataclass(frozen=True)
class PendingRun:
    """An order written as needing workflow run `run` (0: the first, k: after the k-th
    reinstatement) at `since`, whose run has not yet parked a task token."""

    order_id: str
    run: int
    since: datetime


class RunStatus(StrEnum):
    """Where a workflow run stands (Step Functions' execution statuses)."""

    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    TIMED_OUT = "TIMED_OUT"
    ABORTED = "ABORTED"
    PENDING_REDRIVE = "PENDING_REDRIVE"


@dataclass(frozen=True)
class RunState:
    status: RunStatus
    redrives: int = 0


@dataclass(frozen=True)
class FailedRun:
    order_id: str
    run: int


class WorkOrders(ABC):
    """The work-order store. Every change is conditional on the version the caller read."""

    @abstractmethod
    def create(
        self, order: WorkOrder, idempotency: IdempotencyRecord | None = None, pending_run: int | None = None
    ) -> None:
        """Store a new order, and atomically its idempotency record when there is one. With
        `pending_run` the order is written as waiting for that workflow run (`pending_runs`).

        Raises NumberTaken when the order number exists and KeyTaken when the key does."""

    @abstractmethod
    def get(self, order_id: str) -> WorkOrder | None: ...

    @abstractmethod
    def update(self, order: WorkOrder, expected_version: int, pending_run: int | None = None) -> str | None:
        """Write the order if its stored version is still `expected_version` (with `pending_run`:
        in the same write, as waiting for that workflow run).

        Returns the workflow task token stored on the order (so the caller can resume the
        workflow), and raises StaleVersion when another change won."""

    @abstractmethod
    def park(self, order_id: str, expected_version: int, token: str) -> bool:
        """Store the workflow's task token unless the order changed since `expected_version`.
        A run that parks is alive: the order no longer waits for one (`pending_runs`)."""

    @abstractmethod
    def pending_runs(self, written_before: datetime, limit: int) -> list[PendingRun]:
        """Orders written as waiting for a workflow run before `written_before` whose run has not
        parked since, oldest first (at most `limit`)."""

    @abstractmethod
    def run_settled(self, order_id: str, run: int) -> None:
        """The order waits for run `run` no longer (it is running, or no run is needed); a later
        run the order waits for is left as it is."""

    @abstractmethod
    def recall(self, key: str) -> IdempotencyRecord | None:
        """The record stored under an idempotency key."""

    @abstractmethod
    def find(self, query: OrderQuery) -> Page:
        """A page of orders matching `query`; raises InvalidInput for a cursor it did not issue."""


class Workflows(ABC):
    @abstractmethod
    def start(self, order_id: str, run: int = 0) -> None:
        """Start the order's workflow (`run` > 0: again, after a dispatcher reinstated it);
        starting the same run twice is harmless. Raises WorkflowUnavailable when the start was
        not taken (throttled, unreachable)."""

    @abstractmethod
    def state(self, order_id: str, run: int) -> RunState | None:
        """Where the order's run stands; None when it was never started. Raises
        WorkflowUnavailable when Step Functions does not answer."""

    @abstractmethod
    def redrive(self, order_id: str, run: int) -> bool:
        """Restart a failed run from the step that failed; False when it cannot be redriven (past
        the redrive window, or not failed any more). Raises WorkflowUnavailable when not taken."""

    @abstractmethod
    def failed_runs(self, limit: int) -> list[FailedRun]:
        """Work-order runs that failed (their orders may have closed since), newest first."""

    @abstractmethod
    def resume(self, token: str, order_id: str) -> bool:
        """Wake the workflow waiting on `token` with the order's next checkpoint, so it goes on
        without a step of its own to work it out; False when the token is spent or timed out."""

    @abstractmethod
    def watch_whistle(self, whistle_id: str, run: int) -> None:
        """Start the timer that escalates missed reports (one run per batch of summons)."""


class Notifier(ABC):
    @abstractmethod
    def requester_sms(self, phone: str, message: str) -> None: ...

    @abstractmethod
    def staff_notice(
        self, audience: str, subject: str, message: str, about: str | None = None, key: str | None = None
    ) -> None:
        """Tell an audience (unit:<id>, leader:<id>, hotline:<role>) in the portal's message centre
        and by the channels its members chose; `about` names the order, `key` the change it came
        from (the same notice from the same change is kept and sent once)."""

    @abstractmethod
    def staff_direct(self, channel: str, address: str, subject: str, message: str) -> None:
        """Tell one staff member by the channel they chose (sms: a mobile number, email: an address)."""
