"""The reference data held together: what an admin edits, in one store (the reference table).

Wiring hands this out as one object; a rule asks only for the port of its own feature, so no
module of the domain imports this one."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from .audit import AuditTrail
from .catalogue import Catalogue
from .deadlines import TimeLimitsStore
from .knowledge import KnowledgeBase, KnowledgeEntry
from .model import Category, Unit
from .partners import ApiClients


class Reference(Catalogue, TimeLimitsStore, ApiClients, AuditTrail, KnowledgeBase, Protocol):
    @abstractmethod
    def seed(
        self, units: list[Unit], categories: list[Category], knowledge: list[KnowledgeEntry] | None = None
    ) -> int:
        """Add the units, categories and knowledge entries that are missing, never overwriting an
        admin's edits; returns how many were written."""
