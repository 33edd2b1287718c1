"""The reference table whole: every store of it in one object (one cache), and the seeding of
the shipped units, catalogue and knowledge entries."""

from __future__ import annotations

from typing import Any

from ..domain.knowledge import KnowledgeEntry
from ..domain.model import Category, Unit
from ..domain.reference import Reference
from .dynamodb_audit import DynamoAuditTrail
from .dynamodb_catalogue import DynamoCatalogue
from .dynamodb_keys import DynamoApiClients
from .dynamodb_knowledge import DynamoKnowledgeBase
from .dynamodb_limits import DynamoTimeLimits


class DynamoReference(
    DynamoCatalogue, DynamoTimeLimits, DynamoApiClients, DynamoAuditTrail, DynamoKnowledgeBase, Reference
):
    def seed(
        self, units: list[Unit], categories: list[Category], knowledge: list[KnowledgeEntry] | None = None
    ) -> int:
        """Write what is missing in batches; an admin's edits stay as they are. A category or a
        knowledge entry nobody edited since it was seeded takes the shipped version (the catalogue
        grows levels and descriptions, the entries their sources), unless someone edits it
        meanwhile."""
        have_units = {u.id for u in self.units()}
        stored = {c.code: c for c in self.categories()}
        have_categories = set(stored)
        refreshed = 0
        for c in categories:
            old = stored.get(c.code)
            if old is None or old.updated_by is not None or old.version != 1 or old == c:
                continue
            refreshed += self._refresh("CATEGORY", c.code, c.model_dump_json())
        entries = {d["id"]: KnowledgeEntry.model_validate(d) for d in self._query("KNOWLEDGE")}
        for e in knowledge or []:
            kept = entries.get(e.id)
            if kept is None or kept.updated_by is not None or kept.version != 1 or kept == e:
                continue
            refreshed += self._refresh("KNOWLEDGE", e.id, e.model_dump_json())
        have_entries = set(entries)
        items = [("UNIT", u.id, u.model_dump_json()) for u in units if u.id not in have_units]
        items += [
            ("CATEGORY", c.code, c.model_dump_json()) for c in categories if c.code not in have_categories
        ]
        items += [
            ("KNOWLEDGE", e.id, e.model_dump_json()) for e in knowledge or [] if e.id not in have_entries
        ]
        for start in range(0, len(items), 25):
            batch = [
                {
                    "PutRequest": {
                        "Item": {"pk": {"S": pk}, "sk": {"S": sk}, "doc": {"S": doc}, "version": {"N": "1"}}
                    }
                }
                for pk, sk, doc in items[start : start + 25]
            ]
            pending: dict[str, Any] = {self._table: batch}
            while pending:
                pending = self._client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        self._cache.clear()
        return len(items) + refreshed

    def _refresh(self, pk: str, sk: str, doc: str) -> int:
        """Put the shipped version of a seeded item still at version 1 (1: put, 0: edited meanwhile)."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item={"pk": {"S": pk}, "sk": {"S": sk}, "doc": {"S": doc}, "version": {"N": "1"}},
                ConditionExpression="version = :one AND attribute_exists(pk)",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return 0
        return 1
