"""The catalogue in the reference table: handling units and dispatch categories, each edit kept."""

from __future__ import annotations

from ..domain.catalogue import Catalogue
from ..domain.model import Category, Unit, UnitKind
from .dynamodb_documents import ReferenceTable, expecting


class DynamoCatalogue(ReferenceTable, Catalogue):
    def unit(self, unit_id: str) -> Unit | None:
        doc = self._doc("UNIT", unit_id)
        return Unit.model_validate(doc) if doc else None

    def units(self, kind: UnitKind | None = None) -> list[Unit]:
        found = [Unit.model_validate(d) for d in self._query("UNIT")]
        return [u for u in found if kind is None or u.kind is kind]

    def category(self, code: str) -> Category | None:
        doc = self._doc("CATEGORY", code)
        return Category.model_validate(doc) if doc else None

    def categories(self) -> list[Category]:
        return [Category.model_validate(d) for d in self._query("CATEGORY")]

    def put_category(self, category: Category, expected_version: int | None) -> Category:
        condition = expecting(expected_version)
        self._versioned_put(
            ("CATEGORY", category.code), category, category.version, condition, "The category"
        )
        return category

    def category_history(self, code: str) -> list[Category]:
        return [
            Category.model_validate(d) for d in self._query(f"CATEGORY_HISTORY#{code}", newest_first=True)
        ]

    def put_unit(self, unit: Unit, expected_version: int | None) -> Unit:
        self._versioned_put(("UNIT", unit.id), unit, unit.version, expecting(expected_version), "The unit")
        return unit
