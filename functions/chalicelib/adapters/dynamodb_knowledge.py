"""The knowledge base in the reference table: the entries, each edit kept."""

from __future__ import annotations

import time

from ..domain.knowledge import KnowledgeBase, KnowledgeEntry
from .dynamodb_documents import ReferenceTable, expecting


class DynamoKnowledgeBase(ReferenceTable, KnowledgeBase):
    def knowledge(self) -> list[KnowledgeEntry]:
        cached = self._cache.get(("KNOWLEDGE", "*"))
        if cached is None or time.monotonic() - cached[0] > self.CACHE_SECONDS:
            cached = (time.monotonic(), {"items": self._query("KNOWLEDGE")})
            self._cache[("KNOWLEDGE", "*")] = cached
        return [KnowledgeEntry.model_validate(d) for d in (cached[1] or {}).get("items", [])]

    def knowledge_entry(self, entry_id: str) -> KnowledgeEntry | None:
        if not entry_id:
            return None
        found = self._client.get_item(
            TableName=self._table, Key={"pk": {"S": "KNOWLEDGE"}, "sk": {"S": entry_id}}, ConsistentRead=True
        ).get("Item")
        return KnowledgeEntry.model_validate_json(found["doc"]["S"]) if found else None

    def put_knowledge(self, entry: KnowledgeEntry, expected_version: int | None) -> KnowledgeEntry:
        condition = expecting(expected_version)
        self._versioned_put(("KNOWLEDGE", entry.id), entry, entry.version, condition, "The knowledge entry")
        self._cache.pop(("KNOWLEDGE", "*"), None)
        return entry
