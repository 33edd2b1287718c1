"""In-memory fakes of the ports, for tests that need no AWS (and the contract suite)."""

from __future__ import annotations

from chalicelib.domain.errors import KeyTaken, NumberTaken, StaleVersion
from chalicelib.domain.model import Category, Unit, WorkOrder
from chalicelib.domain.ports import IdempotencyRecord, Notifier, Reference, Workflows, WorkOrders
from chalicelib.reference_data import all_units, categories


class MemoryWorkOrders(WorkOrders):
    def __init__(self) -> None:
        self.orders: dict[str, WorkOrder] = {}
        self.tokens: dict[str, str] = {}
        self.keys: dict[str, IdempotencyRecord] = {}
        self.writes = 0

    def create(self, order: WorkOrder, idempotency: IdempotencyRecord | None = None) -> None:
        if order.id in self.orders:
            raise NumberTaken()
        if idempotency and idempotency.key in self.keys:
            raise KeyTaken()
        self.orders[order.id] = order
        if idempotency:
            self.keys[idempotency.key] = idempotency
        self.writes += 1

    def get(self, order_id: str) -> WorkOrder | None:
        return self.orders.get(order_id)

    def update(self, order: WorkOrder, expected_version: int) -> str | None:
        stored = self.orders.get(order.id)
        if stored is None or stored.version != expected_version:
            raise StaleVersion()
        self.orders[order.id] = order
        self.writes += 1
        return self.tokens.get(order.id)

    def park(self, order_id: str, expected_version: int, token: str) -> bool:
        stored = self.orders.get(order_id)
        if stored is None or stored.version != expected_version:
            return False
        self.tokens[order_id] = token
        self.writes += 1
        return True

    def recall(self, key: str) -> IdempotencyRecord | None:
        return self.keys.get(key)


class MemoryReference(Reference):
    def __init__(self) -> None:
        self.units = {u.id: u for u in all_units()}
        self.categories = {c.code: c for c in categories()}

    def unit(self, unit_id: str) -> Unit | None:
        return self.units.get(unit_id)

    def category(self, code: str) -> Category | None:
        return self.categories.get(code)

    def save(self, units: list[Unit], categories: list[Category]) -> int:
        self.units.update({u.id: u for u in units})
        self.categories.update({c.code: c for c in categories})
        return len(units) + len(categories)


class RecordingWorkflows(Workflows):
    def __init__(self) -> None:
        self.started: list[str] = []
        self.resumed: list[str] = []
        self.spent: set[str] = set()

    def start(self, order_id: str) -> None:
        if order_id not in self.started:
            self.started.append(order_id)

    def resume(self, token: str) -> bool:
        if token in self.spent:
            return False
        self.spent.add(token)
        self.resumed.append(token)
        return True


class RecordingNotifier(Notifier):
    def __init__(self) -> None:
        self.sms: list[tuple[str, str]] = []
        self.notices: list[tuple[str, str, str]] = []

    def requester_sms(self, phone: str, message: str) -> None:
        self.sms.append((phone, message))

    def unit_notice(self, unit_id: str, subject: str, message: str) -> None:
        self.notices.append((unit_id, subject, message))
