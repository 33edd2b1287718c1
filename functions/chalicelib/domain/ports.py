"""Ports: what the rules need from the world. Adapters implement them; tests pass fakes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .deadlines import TimeLimits
from .model import Category, Unit, UnitKind, WorkOrder

if TYPE_CHECKING:
    from .accounts import Account, AccountChange
    from .assessment import Assessment
    from .audit import AuditEntry
    from .exports import ExportFile, Sheet
    from .insights import Candidate, CategoryMonth, Hotspot, MonthRun, Recurrence, StreetVolume, Topic
    from .knowledge import KnowledgeEntry
    from .partners import ApiClient
    from .whistles import Whistle


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


class Workbooks(ABC):
    """Spreadsheets for staff to download: written as the rows come, kept a day."""

    @abstractmethod
    def publish(self, sheet: Sheet, filename: str, owner: str, valid_for: timedelta) -> ExportFile:
        """Write the sheet, store it under the owner's name and answer a link valid for `valid_for`."""


class Reference(ABC):
    """Handling units, the dispatch catalogue and the time limits: data an admin edits."""

    @abstractmethod
    def unit(self, unit_id: str) -> Unit | None: ...

    @abstractmethod
    def units(self, kind: UnitKind | None = None) -> list[Unit]: ...

    @abstractmethod
    def category(self, code: str) -> Category | None: ...

    @abstractmethod
    def categories(self) -> list[Category]: ...

    @abstractmethod
    def time_limits(self) -> TimeLimits: ...

    @abstractmethod
    def put_category(self, category: Category, expected_version: int | None) -> Category:
        """Store a new version of a category (expected_version None: a new category), keeping the
        previous one in its history. Raises StaleVersion when another edit won."""

    @abstractmethod
    def category_history(self, code: str) -> list[Category]:
        """Every stored version of a category, newest first."""

    @abstractmethod
    def put_time_limits(self, limits: TimeLimits, expected_version: int) -> TimeLimits:
        """Store new time limits; raises StaleVersion when another edit won."""

    @abstractmethod
    def api_client(self, key_hash: str) -> ApiClient | None:
        """The machine client holding the key with this hash."""

    @abstractmethod
    def put_api_client(self, client: ApiClient) -> None: ...

    @abstractmethod
    def api_clients(self, limit: int, cursor: str | None) -> tuple[list[ApiClient], str | None]:
        """A page of the issued machine keys (their hashes), in hash order."""

    @abstractmethod
    def revoke_api_client(self, key_id: str, at: datetime, by: str) -> ApiClient | None:
        """Revoke the key whose hash starts with `key_id`; None if there is none. Raises Conflict
        when it is revoked already."""

    @abstractmethod
    def put_unit(self, unit: Unit, expected_version: int | None) -> Unit:
        """Store a unit (expected_version None: a new one), keeping its previous version;
        StaleVersion when another edit won or the new unit exists."""

    @abstractmethod
    def record(self, entry: AuditEntry) -> None:
        """Add an entry to the administrators' audit trail."""

    @abstractmethod
    def audit(self, actor: str | None, limit: int, cursor: str | None) -> tuple[list[AuditEntry], str | None]:
        """A page of the audit trail, newest first, optionally one actor's."""

    @abstractmethod
    def knowledge(self) -> list[KnowledgeEntry]:
        """Every knowledge-base entry (valid or not)."""

    @abstractmethod
    def knowledge_entry(self, entry_id: str) -> KnowledgeEntry | None: ...

    @abstractmethod
    def put_knowledge(self, entry: KnowledgeEntry, expected_version: int | None) -> KnowledgeEntry:
        """Store a new version of an entry, keeping the previous one; StaleVersion when another
        edit won."""

    @abstractmethod
    def seed(
        self, units: list[Unit], categories: list[Category], knowledge: list[KnowledgeEntry] | None = None
    ) -> int:
        """Add the units, categories and knowledge entries that are missing, never overwriting an
        admin's edits; returns how many were written."""


class Directory(ABC):
    """The staff accounts (Cognito: groups are the roles, custom:unit the unit)."""

    @abstractmethod
    def accounts(
        self, role: str | None, prefix: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Account], str | None]:
        """A page of accounts, one role's or all, optionally those whose name starts with `prefix`."""

    @abstractmethod
    def account(self, username: str) -> Account | None: ...

    @abstractmethod
    def create(
        self, username: str, email: str | None, roles: list[str], unit: str | None, password: str
    ) -> Account:
        """A new account whose temporary `password` must be changed at the first sign-in; Conflict
        when the name is taken."""

    @abstractmethod
    def update(self, change: AccountChange) -> Account:
        """Apply a checked change whole: when the directory fails part-way, what was changed is put
        back and AccountChangeFailed raised."""

    @abstractmethod
    def reset_password(self, username: str, password: str) -> None:
        """A new temporary password, to be changed at the next sign-in."""


class Revocations(ABC):
    """When each staff account's tokens were last revoked (disabled, new roles or unit, new
    password): a token issued at or before that moment is refused."""

    @abstractmethod
    def revoke(self, username: str) -> datetime:
        """Revoke every token of `username` issued until now; returns the moment recorded."""

    @abstractmethod
    def revoked_at(self, username: str) -> datetime | None:
        """The latest revocation of `username`'s tokens, if any (may be a short while stale)."""


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


class Whistles(ABC):
    """The whistles (吹哨) store. Every change is conditional on the version the caller read."""

    @abstractmethod
    def create(self, whistle: Whistle) -> None: ...

    @abstractmethod
    def get(self, whistle_id: str) -> Whistle | None: ...

    @abstractmethod
    def update(self, whistle: Whistle, expected_version: int) -> None:
        """Raises StaleVersion when another change won."""

    @abstractmethod
    def of_unit(
        self, unit: str, summoned: bool, limit: int, cursor: str | None
    ) -> tuple[list[Whistle], str | None]:
        """A page of the whistles a street blew (summoned False; for a district, those of its
        streets) or a department was summoned to, newest first."""


class Notifier(ABC):
    @abstractmethod
    def requester_sms(self, phone: str, message: str) -> None: ...

    @abstractmethod
    def staff_notice(self, audience: str, subject: str, message: str) -> None:
        """Tell an audience (unit:<id>, leader:<id>, hotline:<role>) by e-mail or in the portal."""


@dataclass(frozen=True)
class StoredUpload:
    """What storage holds for an upload: its size, the type it was sent as, the name the requester
    gave it, and its first bytes (enough to tell what the file really is)."""

    size: int
    content_type: str
    name: str
    head: bytes


class Uploads(ABC):
    """Where attachments are stored: uploaded straight from the browser, kept once an order has them."""

    @abstractmethod
    def offer(
        self, upload: str, content_type: str, max_size: int, name: str, valid_for: timedelta
    ) -> tuple[str, dict[str, str]]:
        """A presigned POST (url, form fields) that accepts one file of that type and size for a
        while."""

    @abstractmethod
    def inspect(self, upload: str) -> StoredUpload | None:
        """What was uploaded, or None when nothing was (or the upload expired)."""

    @abstractmethod
    def keep(self, upload: str) -> None:
        """Keep the upload as an order's attachment (uploads never attached are removed after a day)."""

    @abstractmethod
    def link(self, upload: str, name: str, valid_for: timedelta) -> str:
        """A short-lived link to download a kept attachment."""


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


class FactsSink(ABC):
    """Where de-identified facts go: newline-delimited JSON per table and day."""

    @abstractmethod
    def append(self, prefix: str, day: str, batch: str, rows: list[dict[str, Any]]) -> None: ...
