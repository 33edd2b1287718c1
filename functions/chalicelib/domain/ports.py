"""Ports: what the rules need from the world. Adapters implement them; tests pass fakes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .model import Category, Unit, WorkOrder


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


class WorkOrders(ABC):
    """The work-order store. Every change is conditional on the version the caller read."""

    @abstractmethod
    def create(self, order: WorkOrder, idempotency: IdempotencyRecord | None = None) -> None:
        """Store a new order, and atomically its idempotency record when there is one.

        Raises NumberTaken when the order number exists and KeyTaken when the key does."""

    @abstractmethod
    def get(self, order_id: str) -> WorkOrder | None: ...

    @abstractmethod
    def update(self, order: WorkOrder, expected_version: int) -> str | None:
        """Write the order if its stored version is still `expected_version`.

        Returns the workflow task token stored on the order (so the caller can resume the
        workflow), and raises StaleVersion when another change won."""

    @abstractmethod
    def park(self, order_id: str, expected_version: int, token: str) -> bool:
        """Store the workflow's task token unless the order changed since `expected_version`."""

    @abstractmethod
    def recall(self, key: str) -> IdempotencyRecord | None:
        """The record stored under an idempotency key."""


class Reference(ABC):
    """Divisions, handling units and the dispatch catalogue."""

    @abstractmethod
    def unit(self, unit_id: str) -> Unit | None: ...

    @abstractmethod
    def category(self, code: str) -> Category | None: ...

    @abstractmethod
    def save(self, units: list[Unit], categories: list[Category]) -> int:
        """Store units and categories; returns how many were written."""


class Workflows(ABC):
    @abstractmethod
    def start(self, order_id: str) -> None:
        """Start the order's workflow; starting it twice is harmless."""

    @abstractmethod
    def resume(self, token: str) -> bool:
        """Wake the workflow waiting on `token`; False when the token is spent or timed out."""


class Notifier(ABC):
    @abstractmethod
    def requester_sms(self, phone: str, message: str) -> None: ...

    @abstractmethod
    def unit_notice(self, unit_id: str, subject: str, message: str) -> None: ...
