"""The reference table: what an admin edits, one JSON document an item, each edit kept as a new
version beside the previous ones. Every store of it (dynamodb_catalogue.py, dynamodb_limits.py,
dynamodb_keys.py, dynamodb_audit.py, dynamodb_knowledge.py) reads and writes through this base:

    unit            pk=UNIT                     sk=<unit id>
    category        pk=CATEGORY                 sk=<code>
    its versions    pk=CATEGORY_HISTORY#<code>  sk=V#<version, 6 digits>
    time limits     pk=CONFIG                   sk=time_limits (versions under CONFIG_HISTORY#...)
    knowledge       pk=KNOWLEDGE                sk=<entry id> (versions under KNOWLEDGE_HISTORY#<id>)
    partner keys    pk=API_KEY                  sk=<sha256 of the key>
    units' versions pk=UNIT_HISTORY#<id>        sk=V#<version, 6 digits>
    audit trail     pk=AUDIT                    sk=<ISO time>#<entry id>, actor
"""

from __future__ import annotations

import json
import time
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel

from ..domain.errors import StaleVersion
from .dynamodb_pages import decode_cursor, encode_cursor, query_page, transaction_cancelled

# A condition on the version read: none stored yet (None), or that one.
Condition = tuple[str, dict[str, Any]]


def expecting(expected_version: int | None) -> Condition:
    if expected_version is None:
        return "attribute_not_exists(pk)", {}
    return "version = :expected", {":expected": {"N": str(expected_version)}}


class ReferenceTable:
    """Documents read through a short per-container cache: they change rarely, and an admin's edit
    reaches every container within CACHE_SECONDS."""

    CACHE_SECONDS = 60.0

    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table
        self._cache: dict[tuple[str, str], tuple[float, dict[str, Any] | None]] = {}

    def _doc(self, pk: str, sk: str) -> dict[str, Any] | None:
        if not sk:  # DynamoDB refuses an empty key; no unit, category or entry is named ""
            return None
        cached = self._cache.get((pk, sk))
        if cached is None or time.monotonic() - cached[0] > self.CACHE_SECONDS:
            found = self._client.get_item(TableName=self._table, Key={"pk": {"S": pk}, "sk": {"S": sk}})
            item = found.get("Item")
            cached = (time.monotonic(), json.loads(item["doc"]["S"]) if item else None)
            self._cache[(pk, sk)] = cached
        return cached[1]

    def _query(self, pk: str, newest_first: bool = False) -> list[dict[str, Any]]:
        docs: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "ScanIndexForward": not newest_first,
        }
        while True:
            page = query_page(self._client, **kwargs)
            docs += [json.loads(item["doc"]["S"]) for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return docs
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _page(
        self, pk: str, limit: int, cursor: str | None, newest_first: bool = False, actor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a partition; with `actor`, only that actor's items (filtered by DynamoDB)."""
        _, start = decode_cursor(cursor, 1)
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "ScanIndexForward": not newest_first,
            "Limit": limit,
        }
        if actor:
            kwargs["FilterExpression"] = "actor = :actor"
            kwargs["ExpressionAttributeValues"][":actor"] = {"S": actor}
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = query_page(self._client, **kwargs)
        docs = [json.loads(item["doc"]["S"]) for item in page.get("Items", [])]
        last = page.get("LastEvaluatedKey")
        return docs, encode_cursor(0, last) if last else None

    def _versioned_put(
        self, key: tuple[str, str], doc: BaseModel, version: int, condition: Condition, what: str
    ) -> None:
        """The new version and its history entry (under <pk>_HISTORY#<sk>), both or neither, if
        nobody else edited meanwhile; the cached copy is forgotten."""
        history_pk = f"{key[0]}_HISTORY#{key[1]}"
        body = doc.model_dump_json()
        put: dict[str, Any] = {
            "TableName": self._table,
            "Item": {
                "pk": {"S": key[0]},
                "sk": {"S": key[1]},
                "doc": {"S": body},
                "version": {"N": str(version)},
            },
            "ConditionExpression": condition[0],
        }
        if condition[1]:
            put["ExpressionAttributeValues"] = condition[1]
        history = {
            "TableName": self._table,
            "Item": {"pk": {"S": history_pk}, "sk": {"S": f"V#{version:06d}"}, "doc": {"S": body}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
        writes = [{"Put": put}, {"Put": history}, *self._unrecorded(key, history_pk)]
        try:
            self._client.transact_write_items(TransactItems=writes)
        except ClientError as error:
            if transaction_cancelled(error):
                raise StaleVersion(what) from error
            raise
        self._cache.pop(key, None)

    def _unrecorded(self, key: tuple[str, str], history_pk: str) -> list[dict[str, Any]]:
        """The version being replaced, when its history has no row yet (it was seeded): written in
        the same transaction, so an edit never loses the version it replaces."""
        stored = self._client.get_item(
            TableName=self._table, Key={"pk": {"S": key[0]}, "sk": {"S": key[1]}}, ConsistentRead=True
        ).get("Item")
        if stored is None or "version" not in stored:
            return []
        sk = f"V#{int(stored['version']['N']):06d}"
        if self._client.get_item(
            TableName=self._table, Key={"pk": {"S": history_pk}, "sk": {"S": sk}}, ConsistentRead=True
        ).get("Item"):
            return []
        row = {"pk": {"S": history_pk}, "sk": {"S": sk}, "doc": stored["doc"]}
        return [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": row,
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ]
