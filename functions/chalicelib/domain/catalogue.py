"""The catalogue port: handling units and the dispatch catalogue, data an admin edits.

The ports of the reference data (this one, the time limits, the API clients, the audit trail and
the knowledge base) are protocols: a rule that needs two of them asks for both at once
(knowledge.py's `EntriesAndCatalogue`), and one adapter may hold them all (reference.py)."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from .model import Category, Unit, UnitKind


class Catalogue(Protocol):
    @abstractmethod
    def unit(self, unit_id: str) -> Unit | None: ...

    @abstractmethod
    def units(self, kind: UnitKind | None = None) -> list[Unit]: ...

    @abstractmethod
    def category(self, code: str) -> Category | None: ...

    @abstractmethod
    def categories(self) -> list[Category]: ...

    @abstractmethod
    def put_category(self, category: Category, expected_version: int | None) -> Category:
        """Store a new version of a category (expected_version None: a new category), keeping the
        previous one in its history. Raises StaleVersion when another edit won."""

    @abstractmethod
    def category_history(self, code: str) -> list[Category]:
        """Every stored version of a category, newest first."""

    @abstractmethod
    def put_unit(self, unit: Unit, expected_version: int | None) -> Unit:
        """Store a unit (expected_version None: a new one), keeping its previous version;
        StaleVersion when another edit won or the new unit exists."""
