"""The administrators' audit trail, in the reference table newest first."""

from __future__ import annotations

from datetime import UTC

from ..domain.audit import AuditEntry, AuditTrail
from .dynamodb_documents import ReferenceTable


class DynamoAuditTrail(ReferenceTable, AuditTrail):
    def record(self, entry: AuditEntry) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                "pk": {"S": "AUDIT"},
                "sk": {"S": f"{entry.at.astimezone(UTC).isoformat()}#{entry.id}"},
                "doc": {"S": entry.model_dump_json()},
                "actor": {"S": entry.actor},
            },
        )

    def audit(self, actor: str | None, limit: int, cursor: str | None) -> tuple[list[AuditEntry], str | None]:
        docs, after = self._page("AUDIT", limit, cursor, newest_first=True, actor=actor)
        return [AuditEntry.model_validate(d) for d in docs], after
