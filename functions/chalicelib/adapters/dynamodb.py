"""DynamoDB adapters: the work-order store and the reference data (units, catalogue)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from ..domain.errors import KeyTaken, NumberTaken, StaleVersion
from ..domain.model import Category, Unit, WorkOrder
from ..domain.ports import IdempotencyRecord, Reference, WorkOrders

ORDER_SK = "ORDER"


def _order_key(order_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": ORDER_SK}}


def _order_item(order: WorkOrder) -> dict[str, Any]:
    """The order as one item: its document plus the attributes the indexes and conditions need."""
    item: dict[str, Any] = {
        **_order_key(order.id),
        "id": {"S": order.id},
        "status": {"S": order.status.value},
        "version": {"N": str(order.version)},
        "doc": {"S": order.model_dump_json()},
        "gsi2pk": {"S": f"STATUS#{order.status.value}"},
        "gsi2sk": {"S": f"{order.created_at.astimezone(UTC).isoformat()}#{order.id}"},
    }
    if order.first_receiver:
        deadline = order.deadline.astimezone(UTC).isoformat() if order.deadline else "~"
        item["gsi1pk"] = {"S": f"UNIT#{order.first_receiver}"}
        item["gsi1sk"] = {"S": f"{deadline}#{order.id}"}
    return item


def _conditional_failed(error: ClientError) -> bool:
    return bool(error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")


class DynamoWorkOrders(WorkOrders):
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def create(self, order: WorkOrder, idempotency: IdempotencyRecord | None = None) -> None:
        put_order = {
            "Put": {
                "TableName": self._table,
                "Item": _order_item(order),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        if idempotency is None:
            try:
                self._client.put_item(**put_order["Put"])
            except ClientError as error:
                if _conditional_failed(error):
                    raise NumberTaken() from error
                raise
            return
        expires = datetime.now(UTC) + timedelta(seconds=idempotency.ttl_seconds)
        put_key = {
            "Put": {
                "TableName": self._table,
                "Item": {
                    "pk": {"S": f"IDEMPOTENCY#{idempotency.key}"},
                    "sk": {"S": "IDEMPOTENCY"},
                    "fingerprint": {"S": idempotency.fingerprint},
                    "response": {"S": json.dumps(idempotency.response, ensure_ascii=False)},
                    "expires_at": {"N": str(int(expires.timestamp()))},
                },
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        try:
            self._client.transact_write_items(TransactItems=[put_order, put_key])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
                raise KeyTaken() from error
            if reasons and reasons[0] == "ConditionalCheckFailed":
                raise NumberTaken() from error
            raise

    def get(self, order_id: str) -> WorkOrder | None:
        found = self._client.get_item(TableName=self._table, Key=_order_key(order_id), ConsistentRead=True)
        item = found.get("Item")
        return WorkOrder.model_validate_json(item["doc"]["S"]) if item else None

    def update(self, order: WorkOrder, expected_version: int) -> str | None:
        item = _order_item(order)
        names: dict[str, str] = {}
        values: dict[str, Any] = {":expected": {"N": str(expected_version)}}
        sets: list[str] = []
        for i, (attribute, value) in enumerate(a for a in item.items() if a[0] not in ("pk", "sk")):
            names[f"#a{i}"] = attribute
            values[f":v{i}"] = value
            sets.append(f"#a{i} = :v{i}")
        names["#version"] = "version"
        try:
            answer = self._client.update_item(
                TableName=self._table,
                Key=_order_key(order.id),
                UpdateExpression="SET " + ", ".join(sets),
                ConditionExpression="#version = :expected",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if _conditional_failed(error):
                raise StaleVersion() from error
            raise
        token = answer["Attributes"].get("task_token", {}).get("S")
        return str(token) if token else None

    def park(self, order_id: str, expected_version: int, token: str) -> bool:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=_order_key(order_id),
                UpdateExpression="SET task_token = :token",
                ConditionExpression="#version = :expected",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":token": {"S": token}, ":expected": {"N": str(expected_version)}},
            )
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    def recall(self, key: str) -> IdempotencyRecord | None:
        found = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": f"IDEMPOTENCY#{key}"}, "sk": {"S": "IDEMPOTENCY"}},
            ConsistentRead=True,
        )
        item = found.get("Item")
        if not item or int(item["expires_at"]["N"]) < datetime.now(UTC).timestamp():
            return None
        return IdempotencyRecord(key, item["fingerprint"]["S"], json.loads(item["response"]["S"]))


class DynamoReference(Reference):
    """Units and categories, read through a small per-container cache (they change rarely)."""

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table
        self._cache: dict[str, dict[str, Any] | None] = {}

    def _doc(self, pk: str) -> dict[str, Any] | None:
        if pk not in self._cache:
            found = self._client.get_item(TableName=self._table, Key={"pk": {"S": pk}, "sk": {"S": "DOC"}})
            item = found.get("Item")
            self._cache[pk] = json.loads(item["doc"]["S"]) if item else None
        return self._cache[pk]

    def unit(self, unit_id: str) -> Unit | None:
        doc = self._doc(f"UNIT#{unit_id}")
        return Unit.model_validate(doc) if doc else None

    def category(self, code: str) -> Category | None:
        doc = self._doc(f"CATEGORY#{code}")
        return Category.model_validate(doc) if doc else None

    def save(self, units: list[Unit], categories: list[Category]) -> int:
        """Write the reference data in batches; returns how many items were written."""
        items = [(f"UNIT#{u.id}", u.model_dump_json()) for u in units]
        items += [(f"CATEGORY#{c.code}", c.model_dump_json()) for c in categories]
        for start in range(0, len(items), 25):
            batch = [
                {"PutRequest": {"Item": {"pk": {"S": pk}, "sk": {"S": "DOC"}, "doc": {"S": doc}}}}
                for pk, doc in items[start : start + 25]
            ]
            pending: dict[str, Any] = {self._table: batch}
            while pending:
                pending = self._client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        self._cache.clear()
        return len(items)
