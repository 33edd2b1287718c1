"""In-memory fakes of the ports, for tests that need no AWS (and the contract suite). One
`MemoryReference` holds the reference data's ports together, as wiring's `reference` does."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.attachments import StoredUpload, Uploads
from chalicelib.domain.audit import AuditEntry
from chalicelib.domain.deadlines import DEFAULT_LIMITS, TimeLimits
from chalicelib.domain.errors import (
    Conflict,
    FieldProblem,
    InvalidInput,
    KeyTaken,
    NumberTaken,
    StaleVersion,
    WorkflowUnavailable,
)
from chalicelib.domain.extensions import awaiting
from chalicelib.domain.knowledge import KnowledgeEntry
from chalicelib.domain.model import Category, Unit, UnitKind, WorkOrder
from chalicelib.domain.partners import ApiClient
from chalicelib.domain.ports import (
    FailedRun,
    IdempotencyRecord,
    Notifier,
    OrderQuery,
    Page,
    PendingRun,
    RunState,
    RunStatus,
    Workflows,
    WorkOrders,
)
from chalicelib.domain.reference import Reference
from chalicelib.domain.smart_dispatch import DispatchModel, DispatchModels, ModelIndex
from chalicelib.domain.whistles import Whistle, Whistles
from chalicelib.reference_data import all_units, categories, knowledge_base


class MemoryWorkOrders(WorkOrders):
    def __init__(self) -> None:
        self.orders: dict[str, WorkOrder] = {}
        self.tokens: dict[str, str] = {}
        self.keys: dict[str, IdempotencyRecord] = {}
        self.pending: dict[str, PendingRun] = {}  # orders waiting for a workflow run
        self.writes = 0

    def create(
        self, order: WorkOrder, idempotency: IdempotencyRecord | None = None, pending_run: int | None = None
    ) -> None:
        if order.id in self.orders:
            raise NumberTaken()
        if idempotency and idempotency.key in self.keys:
            raise KeyTaken()
        self.orders[order.id] = order
        if idempotency:
            self.keys[idempotency.key] = idempotency
        if pending_run is not None:
            self.pending[order.id] = PendingRun(order.id, pending_run, order.updated_at)
        self.writes += 1

    def get(self, order_id: str) -> WorkOrder | None:
        return self.orders.get(order_id)

    def update(self, order: WorkOrder, expected_version: int, pending_run: int | None = None) -> str | None:
        stored = self.orders.get(order.id)
        if stored is None or stored.version != expected_version:
            raise StaleVersion()
        self.orders[order.id] = order
        if pending_run is not None:
            self.pending[order.id] = PendingRun(order.id, pending_run, order.updated_at)
        self.writes += 1
        return self.tokens.get(order.id)

    def park(self, order_id: str, expected_version: int, token: str) -> bool:
        stored = self.orders.get(order_id)
        if stored is None or stored.version != expected_version:
            return False
        self.tokens[order_id] = token
        self.pending.pop(order_id, None)
        self.writes += 1
        return True

    def pending_runs(self, written_before: datetime, limit: int) -> list[PendingRun]:
        found = sorted(
            (p for p in self.pending.values() if p.since < written_before),
            key=lambda p: (p.since, p.order_id),
        )
        return found[:limit]

    def run_settled(self, order_id: str, run: int) -> None:
        if (pending := self.pending.get(order_id)) is not None and pending.run == run:
            del self.pending[order_id]

    def recall(self, key: str) -> IdempotencyRecord | None:
        return self.keys.get(key)

    def find(self, query: OrderQuery) -> Page:
        def created(o: WorkOrder) -> bool:
            return (query.created_from is None or o.created_at >= query.created_from) and (
                query.created_to is None or o.created_at <= query.created_to
            )

        def matches(o: WorkOrder) -> bool:
            if query.extension_pending:
                return awaiting(o) and query.unit in (None, o.first_receiver)
            if query.assisting:
                return query.unit in o.assisting and (
                    query.statuses is None or o.status.value in query.statuses
                )
            if query.partner is not None:
                return o.reason == "transferred" and o.transfer_to == query.partner and created(o)
            return (
                created(o)
                and (query.unit is None or o.first_receiver == query.unit)
                and (query.status is None or o.status.value == query.status)
                and (query.statuses is None or o.status.value in query.statuses)
                and (query.district is None or o.location.district == query.district)
                and (query.overdue is None or o.overdue == query.overdue)
                and (not query.pingpong or len(o.objections) >= 2)
                and (not query.appeals or (o.appeal is not None and o.appeal.decision is None))
                and (query.text is None or query.text in o.content or query.text == o.id)
                and (query.requester is None or o.requester.phone == query.requester)
                and (query.category is None or o.category == query.category)
            )

        found = [o for o in self.orders.values() if matches(o)]
        if query.appeals:
            found.sort(key=lambda o: (o.appeal.at if o.appeal else o.created_at, o.id))
        elif (
            query.extension_pending
            or query.late_first
            or (query.unit is not None and query.requester is None)
        ):
            found.sort(key=lambda o: (o.deadline.isoformat() if o.deadline else "~", o.id))
        else:
            found.sort(key=lambda o: (o.created_at, o.id), reverse=True)
        try:
            start = int(query.cursor or 0)
        except ValueError as error:
            raise InvalidInput(
                "The cursor is not valid.", [FieldProblem("cursor", "not a cursor")]
            ) from error
        end = start + query.limit
        return Page(found[start:end], str(end) if end < len(found) else None)


class MemoryReference(Reference):
    def __init__(self, limits: TimeLimits = DEFAULT_LIMITS) -> None:
        self._units = {u.id: u for u in all_units()}
        self._categories = {c.code: c for c in categories()}
        self._history: dict[str, list[Category]] = {}
        self._knowledge = {e.id: e for e in knowledge_base()}
        self._clients: dict[str, ApiClient] = {}
        self._limits = limits
        self.trail: list[AuditEntry] = []

    def unit(self, unit_id: str) -> Unit | None:
        return self._units.get(unit_id)

    def units(self, kind: UnitKind | None = None) -> list[Unit]:
        return [u for u in self._units.values() if kind is None or u.kind is kind]

    def category(self, code: str) -> Category | None:
        return self._categories.get(code)

    def categories(self) -> list[Category]:
        return list(self._categories.values())

    def time_limits(self) -> TimeLimits:
        return self._limits

    def put_category(self, category: Category, expected_version: int | None) -> Category:
        stored = self._categories.get(category.code)
        if (stored.version if stored else None) != expected_version:
            raise StaleVersion()
        self._categories[category.code] = category
        history = self._history.setdefault(category.code, [])
        if stored is not None and not history:
            history.append(stored)  # the seeded version, as the DynamoDB store keeps it
        history.insert(0, category)
        return category

    def category_history(self, code: str) -> list[Category]:
        return list(self._history.get(code, []))

    def put_time_limits(self, limits: TimeLimits, expected_version: int) -> TimeLimits:
        if self._limits.version != expected_version:
            raise StaleVersion()
        self._limits = limits
        return limits

    def api_client(self, key_hash: str) -> ApiClient | None:
        return self._clients.get(key_hash)

    def put_api_client(self, client: ApiClient) -> None:
        self._clients[client.key_hash] = client

    def api_clients(self, limit: int, cursor: str | None) -> tuple[list[ApiClient], str | None]:
        ordered = sorted(self._clients.values(), key=lambda c: c.key_hash)
        start = int(cursor or 0)
        end = start + limit
        return ordered[start:end], str(end) if end < len(ordered) else None

    def revoke_api_client(self, key_id: str, at: datetime, by: str) -> ApiClient | None:
        found = [c for c in self._clients.values() if c.key_hash.startswith(key_id)]
        if len(found) != 1:
            return None
        if found[0].revoked_at is not None:
            raise Conflict("The key is revoked already.", "revoked")
        revoked = found[0].model_copy(update={"revoked_at": at, "revoked_by": by})
        self._clients[revoked.key_hash] = revoked
        return revoked

    def put_unit(self, unit: Unit, expected_version: int | None) -> Unit:
        stored = self._units.get(unit.id)
        if (stored.version if stored else None) != expected_version:
            raise StaleVersion()
        self._units[unit.id] = unit
        return unit

    def record(self, entry: AuditEntry) -> None:
        self.trail.insert(0, entry)

    def audit(self, actor: str | None, limit: int, cursor: str | None) -> tuple[list[AuditEntry], str | None]:
        found = [e for e in self.trail if actor is None or e.actor == actor]
        start = int(cursor or 0)
        end = start + limit
        return found[start:end], str(end) if end < len(found) else None

    def knowledge(self) -> list[KnowledgeEntry]:
        return list(self._knowledge.values())

    def knowledge_entry(self, entry_id: str) -> KnowledgeEntry | None:
        return self._knowledge.get(entry_id)

    def put_knowledge(self, entry: KnowledgeEntry, expected_version: int | None) -> KnowledgeEntry:
        stored = self._knowledge.get(entry.id)
        if (stored.version if stored else None) != expected_version:
            raise StaleVersion()
        self._knowledge[entry.id] = entry
        return entry

    def seed(
        self, units: list[Unit], categories: list[Category], knowledge: list[KnowledgeEntry] | None = None
    ) -> int:
        missing = [u for u in units if u.id not in self._units]
        new = [c for c in categories if c.code not in self._categories]
        # An entry nobody edited since it was seeded takes the shipped version.
        entries = [
            e
            for e in knowledge or []
            if (kept := self._knowledge.get(e.id)) is None
            or (kept.updated_by is None and kept.version == 1 and kept != e)
        ]
        self._units.update({u.id: u for u in missing})
        self._categories.update({c.code: c for c in new})
        self._knowledge.update({e.id: e for e in entries})
        return len(missing) + len(new) + len(entries)


class RecordingWorkflows(Workflows):
    def __init__(self) -> None:
        self.started: list[str] = []
        self.resumed: list[str] = []
        self.spent: set[str] = set()
        self.watched: list[str] = []

    def start(self, order_id: str, run: int = 0) -> None:
        name = f"{order_id}-r{run}" if run else order_id
        if name not in self.started:
            self.started.append(name)

    def watch_whistle(self, whistle_id: str, run: int) -> None:
        self.watched.append(f"{whistle_id}-{run}")

    def state(self, order_id: str, run: int) -> RunState | None:
        name = f"{order_id}-r{run}" if run else order_id
        return RunState(RunStatus.RUNNING) if name in self.started else None

    def redrive(self, order_id: str, run: int) -> bool:
        return False

    def failed_runs(self, limit: int) -> list[FailedRun]:
        return []

    def resume(self, token: str, order_id: str = "") -> bool:
        if token in self.spent:
            return False
        self.spent.add(token)
        self.resumed.append(token)
        return True


@dataclass
class Execution:
    order_id: str
    run: int
    status: RunStatus = RunStatus.RUNNING
    redrives: int = 0
    parked: bool = False  # the run stored a task token: it waits on the unit


class StepFunctionsDouble(Workflows):
    """Work-order executions by name, kept as Step Functions keeps them: a name starts once (a
    second start of a running one is taken, as AWS takes a start with the same name and input),
    a failed execution can be redriven. `refuse(operation)` decides whether a call is throttled
    (start, state, redrive); `lose_answer()` whether a start that went through answers an error
    all the same (the caller cannot tell the two apart)."""

    def __init__(
        self,
        refuse: Callable[[str], bool] = lambda operation: False,
        lose_answer: Callable[[], bool] = lambda: False,
    ) -> None:
        self.executions: dict[str, Execution] = {}
        self.refuse = refuse
        self.lose_answer = lose_answer
        self.calls: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.resumed: list[str] = []

    @staticmethod
    def name(order_id: str, run: int) -> str:
        return f"order-{order_id}-r{run}" if run else f"order-{order_id}"

    def _call(self, operation: str, name: str) -> None:
        self.calls[operation] += 1
        if self.refuse(operation):
            self.refused[operation] += 1
            raise WorkflowUnavailable(name)

    def start(self, order_id: str, run: int = 0) -> None:
        name = self.name(order_id, run)
        self._call("start", name)
        self.executions.setdefault(name, Execution(order_id, run))
        if self.lose_answer():
            self.refused["start answer lost"] += 1
            raise WorkflowUnavailable(name)

    def state(self, order_id: str, run: int) -> RunState | None:
        name = self.name(order_id, run)
        self._call("state", name)
        found = self.executions.get(name)
        return RunState(found.status, found.redrives) if found else None

    def redrive(self, order_id: str, run: int) -> bool:
        name = self.name(order_id, run)
        self._call("redrive", name)
        found = self.executions.get(name)
        if found is None or found.status not in (RunStatus.FAILED, RunStatus.TIMED_OUT):
            return False
        found.status, found.redrives = RunStatus.RUNNING, found.redrives + 1
        return True

    def failed_runs(self, limit: int) -> list[FailedRun]:
        return [
            FailedRun(e.order_id, e.run) for e in self.executions.values() if e.status is RunStatus.FAILED
        ][:limit]

    def watch_whistle(self, whistle_id: str, run: int) -> None:
        raise AssertionError("no whistles here")

    def resume(self, token: str, order_id: str = "") -> bool:
        self.resumed.append(token)
        return True


class MemoryWhistles(Whistles):
    def __init__(self) -> None:
        self.whistles: dict[str, Whistle] = {}

    def create(self, whistle: Whistle) -> None:
        if whistle.id in self.whistles:
            raise StaleVersion()
        self.whistles[whistle.id] = whistle

    def get(self, whistle_id: str) -> Whistle | None:
        return self.whistles.get(whistle_id)

    def update(self, whistle: Whistle, expected_version: int) -> None:
        stored = self.whistles.get(whistle.id)
        if stored is None or stored.version != expected_version:
            raise StaleVersion()
        self.whistles[whistle.id] = whistle

    def of_unit(
        self, unit: str, summoned: bool, limit: int, cursor: str | None
    ) -> tuple[list[Whistle], str | None]:
        found = [
            w
            for w in self.whistles.values()
            if (w.summons_of(unit) is not None if summoned else unit in (w.street, w.district))
        ]
        found.sort(key=lambda w: (w.created_at, w.id), reverse=True)
        return found[:limit], None


class RecordingNotifier(Notifier):
    def __init__(self) -> None:
        self.sms: list[tuple[str, str]] = []
        self.notices: list[tuple[str, str, str]] = []
        self.direct: list[tuple[str, str, str]] = []  # (channel, address, subject)

    def requester_sms(self, phone: str, message: str) -> None:
        self.sms.append((phone, message))

    def staff_notice(
        self, audience: str, subject: str, message: str, about: str | None = None, key: str | None = None
    ) -> None:
        self.notices.append((audience, subject, message))

    def staff_direct(self, channel: str, address: str, subject: str, message: str) -> None:
        self.direct.append((channel, address, subject))


class MemoryUploads(Uploads):
    """Storage for attachments: what a browser uploaded, and what orders kept."""

    def __init__(self) -> None:
        self.stored: dict[str, tuple[bytes, str, str]] = {}  # upload -> (bytes, content type, name)
        self.kept: set[str] = set()
        self.offers: list[tuple[str, str, int]] = []

    def put(self, upload: str, data: bytes, content_type: str, name: str = "photo.png") -> None:
        """What the browser's POST would store."""
        self.stored[upload] = (data, content_type, name)

    def offer(
        self, upload: str, content_type: str, max_size: int, name: str, valid_for: timedelta
    ) -> tuple[str, dict[str, str]]:
        self.offers.append((upload, content_type, max_size))
        return "memory://attachments", {"key": f"incoming/{upload}", "Content-Type": content_type}

    def inspect(self, upload: str) -> StoredUpload | None:
        if upload not in self.stored:
            return None
        data, content_type, name = self.stored[upload]
        return StoredUpload(size=len(data), content_type=content_type, name=name, head=data[:262])

    def keep(self, upload: str) -> None:
        self.kept.add(upload)

    def link(self, upload: str, name: str, valid_for: timedelta) -> str:
        return f"memory://attachments/{upload}?expires={int(valid_for.total_seconds())}"


class MemoryDispatchModels(DispatchModels):
    """The dispatch models' registry in memory, with the same conditional index as S3's."""

    def __init__(self) -> None:
        self.kept: dict[str, DispatchModel] = {}
        self._index = ModelIndex()
        self._tag = 0

    def index(self) -> tuple[ModelIndex, str | None]:
        return self._index, str(self._tag) if self._tag else None

    def save_index(self, index: ModelIndex, tag: str | None) -> None:
        if tag != (str(self._tag) if self._tag else None):
            raise StaleVersion("The models' index")
        self._index, self._tag = index, self._tag + 1

    def put(self, model: DispatchModel) -> None:
        assert model.version not in self.kept
        self.kept[model.version] = model

    def serving(self, shipped: DispatchModel) -> DispatchModel:
        return self.kept[self._index.serving] if self._index.serving else shipped
