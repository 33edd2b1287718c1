"""The whistles (吹哨) store in DynamoDB."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from botocore.exceptions import ClientError

from ..domain.errors import StaleVersion
from ..domain.whistles import Whistle, Whistles
from ..names import WORK_ORDERS_INBOX_INDEX
from .dynamodb_pages import decode_cursor, encode_cursor, query_page, transaction_cancelled


class DynamoWhistles(Whistles):
    """Whistles share the work-order table (and its stream, which tells the departments):

        whistle     pk=WHISTLE#<id>  sk=WHISTLE          gsi1pk=WHISTLES#<street>    gsi1sk=<created>#<id>
        district    pk=WHISTLE#<id>  sk=DISTRICT         gsi1pk=WHISTLES#<district>  gsi1sk=<created>#<id>
        summons     pk=WHISTLE#<id>  sk=SUMMONS#<unit>   gsi1pk=SUMMONED#<unit>      gsi1sk=<created>#<id>

    A street lists the whistles it blew, its district those of all its streets (a department late
    to report is escalated to it), a department those it was summoned to, from the inbox index
    under prefixes of their own (street and district codes differ in length); each write puts the
    whistle and its index items together."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def _items(self, whistle: Whistle) -> list[dict[str, Any]]:
        created = f"{whistle.created_at.astimezone(UTC).isoformat()}#{whistle.id}"
        keys = [(f"SUMMONS#{s.unit}", f"SUMMONED#{s.unit}") for s in whistle.summons]
        keys.append(("DISTRICT", f"WHISTLES#{whistle.district}"))
        return [
            {
                "pk": {"S": f"WHISTLE#{whistle.id}"},
                "sk": {"S": sk},
                "id": {"S": whistle.id},
                "gsi1pk": {"S": gsi1pk},
                "gsi1sk": {"S": created},
            }
            for sk, gsi1pk in keys
        ]

    def _whistle_item(self, whistle: Whistle) -> dict[str, Any]:
        return {
            "pk": {"S": f"WHISTLE#{whistle.id}"},
            "sk": {"S": "WHISTLE"},
            "id": {"S": whistle.id},
            "version": {"N": str(whistle.version)},
            "status": {"S": whistle.status.value},
            "doc": {"S": whistle.model_dump_json()},
            "gsi1pk": {"S": f"WHISTLES#{whistle.street}"},
            "gsi1sk": {"S": f"{whistle.created_at.astimezone(UTC).isoformat()}#{whistle.id}"},
        }

    def _write(self, whistle: Whistle, condition: str, values: dict[str, Any]) -> None:
        put: dict[str, Any] = {
            "TableName": self._table,
            "Item": self._whistle_item(whistle),
            "ConditionExpression": condition,
        }
        if values:
            put["ExpressionAttributeValues"] = values
        writes = [{"Put": put}] + [
            {"Put": {"TableName": self._table, "Item": item}} for item in self._items(whistle)
        ]
        try:
            self._client.transact_write_items(TransactItems=writes)
        except ClientError as error:
            if transaction_cancelled(error):
                raise StaleVersion("The whistle") from error
            raise

    def create(self, whistle: Whistle) -> None:
        self._write(whistle, "attribute_not_exists(pk)", {})

    def get(self, whistle_id: str) -> Whistle | None:
        key = {"pk": {"S": f"WHISTLE#{whistle_id}"}, "sk": {"S": "WHISTLE"}}
        item = self._client.get_item(TableName=self._table, Key=key, ConsistentRead=True).get("Item")
        return Whistle.model_validate_json(item["doc"]["S"]) if item else None

    def update(self, whistle: Whistle, expected_version: int) -> None:
        self._write(whistle, "version = :expected", {":expected": {"N": str(expected_version)}})

    def of_unit(
        self, unit: str, summoned: bool, limit: int, cursor: str | None
    ) -> tuple[list[Whistle], str | None]:
        _position, start_key = decode_cursor(cursor, 1)
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": WORK_ORDERS_INBOX_INDEX.name,
            "KeyConditionExpression": "gsi1pk = :key",
            "ExpressionAttributeValues": {":key": {"S": f"{'SUMMONED' if summoned else 'WHISTLES'}#{unit}"}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start_key:
            kwargs["ExclusiveStartKey"] = start_key
        page = query_page(self._client, **kwargs)
        # A street's items hold the whistle; a district's and a department's point to it.
        found = [
            w
            for item in page.get("Items", [])
            if (
                w := Whistle.model_validate_json(item["doc"]["S"])
                if "doc" in item
                else self.get(item["id"]["S"])
            )
        ]
        last = page.get("LastEvaluatedKey")
        return found, encode_cursor(0, last) if last else None
