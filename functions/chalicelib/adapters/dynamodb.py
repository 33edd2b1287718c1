"""The work-order store in DynamoDB: one item per order, its indexes (inbox, status, requester,
overdue board, pending workflow runs) and the idempotency records of intake. The other stores of
DynamoDB sit beside it, one module a feature (dynamodb_whistles.py, dynamodb_catalogue.py, ...)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from ..domain.errors import KeyTaken, NumberTaken, StaleVersion
from ..domain.listing import OPEN_WORK
from ..domain.model import Status, WorkOrder
from ..domain.ports import IdempotencyRecord, OrderQuery, Page, PendingRun, WorkOrders
from ..names import (
    WORK_ORDERS_INBOX_INDEX,
    WORK_ORDERS_OVERDUE_INDEX,
    WORK_ORDERS_PENDING_INDEX,
    WORK_ORDERS_REQUESTER_INDEX,
    WORK_ORDERS_STATUS_INDEX,
)
from .dynamodb_extensions import EXTENSIONS_PENDING, index_extension_request, queue_filters, queued
from .dynamodb_filters import created_range, item_filters
from .dynamodb_pages import (
    conditional_failed,
    decode_cursor,
    encode_cursor,
    query_page,
    transaction_cancelled,
)

ORDER_SK = "ORDER"
# The hotline's list without a status walks the statuses in this order, newest orders first.
LIST_STATUSES = tuple(Status)
# One partition of the sparse overdue index: only open overdue orders are in it, and their writes
# are few (an order enters when its deadline passes and leaves when the unit replies).
OVERDUE_PARTITION = "OVERDUE"
# The assessment officers' queue shares that sparse index: a closed order with a pending appeal
# (appeals.py) is never open work, so it is never in the overdue partition as well.
APPEALS_PARTITION = "APPEALS"


def _order_key(order_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": ORDER_SK}}


def _requester_key(phone: str) -> str:
    return "REQUESTER#" + hashlib.sha256(phone.encode()).hexdigest()


def _order_item(order: WorkOrder) -> dict[str, Any]:
    """The order as one item: its document plus the attributes the indexes and conditions need."""
    created = f"{order.created_at.astimezone(UTC).isoformat()}#{order.id}"
    item: dict[str, Any] = {
        **_order_key(order.id),
        "id": {"S": order.id},
        "status": {"S": order.status.value},
        "version": {"N": str(order.version)},
        "doc": {"S": order.model_dump_json()},
        "gsi2pk": {"S": f"STATUS#{order.status.value}"},
        "gsi2sk": {"S": created},
        "gsi3pk": {"S": _requester_key(order.requester.phone)},
        "gsi3sk": {"S": created},
        "overdue": {"BOOL": order.overdue},
        "objections": {"N": str(len(order.objections))},
    }
    if order.first_receiver:
        deadline = order.deadline.astimezone(UTC).isoformat() if order.deadline else "~"
        item["gsi1pk"] = {"S": f"UNIT#{order.first_receiver}"}
        item["gsi1sk"] = {"S": f"{deadline}#{order.id}"}
    elif order.reason == "transferred" and order.transfer_to:
        # A partner lists what was transferred to it from the same index.
        item["gsi1pk"] = {"S": f"PARTNER#{order.transfer_to}"}
        item["gsi1sk"] = {"S": created}
    if order.overdue and order.deadline and order.status in OPEN_WORK:
        late = WORK_ORDERS_OVERDUE_INDEX
        item[late.partition_key] = {"S": OVERDUE_PARTITION}
        item[late.sort_key] = {"S": f"{order.deadline.astimezone(UTC).isoformat()}#{order.id}"}
    if order.appeal is not None and order.appeal.decision is None:
        late = WORK_ORDERS_OVERDUE_INDEX
        item[late.partition_key] = {"S": APPEALS_PARTITION}
        item[late.sort_key] = {"S": f"{order.appeal.at.astimezone(UTC).isoformat()}#{order.id}"}
    return item


# Orders waiting for a workflow run: a sparse index, sharded by the id's last digit so a burst of
# intake does not write one index partition.
PENDING_RUN = "workflow_run"
PENDING_SHARDS = tuple(str(d) for d in range(10))
_PENDING_NAMES = {
    "#run": PENDING_RUN,
    "#pk4": WORK_ORDERS_PENDING_INDEX.partition_key,
    "#sk4": WORK_ORDERS_PENDING_INDEX.sort_key,
}


def _pending(order: WorkOrder, run: int) -> dict[str, Any]:
    """The attributes that put the order in the pending-run index."""
    index = WORK_ORDERS_PENDING_INDEX
    return {
        PENDING_RUN: {"N": str(run)},
        index.partition_key: {"S": f"WORKFLOW_PENDING#{order.id[-1]}"},
        index.sort_key: {"S": f"{order.updated_at.astimezone(UTC).isoformat()}#{order.id}"},
    }


class DynamoWorkOrders(WorkOrders):
    def __init__(self, client: Any, table: str) -> None:
        self._client = client
        self._table = table

    def create(
        self, order: WorkOrder, idempotency: IdempotencyRecord | None = None, pending_run: int | None = None
    ) -> None:
        item = _order_item(order)
        if pending_run is not None:
            item |= _pending(order, pending_run)
        put_order = {
            "Put": {
                "TableName": self._table,
                "Item": item,
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        if idempotency is None:
            try:
                self._client.put_item(**put_order["Put"])
            except ClientError as error:
                if conditional_failed(error):
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
            if not transaction_cancelled(error):
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

    def update(self, order: WorkOrder, expected_version: int, pending_run: int | None = None) -> str | None:
        item = _order_item(order)
        if pending_run is not None:
            item |= _pending(order, pending_run)
        names: dict[str, str] = {}
        values: dict[str, Any] = {":expected": {"N": str(expected_version)}}
        sets: list[str] = []
        for i, (attribute, value) in enumerate(a for a in item.items() if a[0] not in ("pk", "sk")):
            names[f"#a{i}"] = attribute
            values[f":v{i}"] = value
            sets.append(f"#a{i} = :v{i}")
        names["#version"] = "version"
        # An order that left the overdue board (replied, or its deadline extended) leaves its index;
        # one no unit holds any more (settled by a dispatcher after dispatch, transferred) leaves
        # the inbox it was in.
        gone = [
            k
            for index in (WORK_ORDERS_OVERDUE_INDEX, WORK_ORDERS_INBOX_INDEX)
            for k in (index.partition_key, index.sort_key)
            if k not in item
        ]
        for i, attribute in enumerate(gone):
            names[f"#r{i}"] = attribute
        remove = (" REMOVE " + ", ".join(f"#r{i}" for i in range(len(gone)))) if gone else ""
        try:
            answer = self._client.update_item(
                TableName=self._table,
                Key=_order_key(order.id),
                UpdateExpression="SET " + ", ".join(sets) + remove,
                ConditionExpression="#version = :expected",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if conditional_failed(error):
                raise StaleVersion() from error
            raise
        if order.assists:
            self._index_assists(order)
        if order.extension_requests:
            index_extension_request(self._client, self._table, order)
        token = answer["Attributes"].get("task_token", {}).get("S")
        return str(token) if token else None

    def park(self, order_id: str, expected_version: int, token: str) -> bool:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=_order_key(order_id),
                # A run that parks is alive: the order leaves the pending-run index in the same write.
                UpdateExpression="SET task_token = :token REMOVE #run, #pk4, #sk4",
                ConditionExpression="#version = :expected",
                ExpressionAttributeNames={"#version": "version", **_PENDING_NAMES},
                ExpressionAttributeValues={":token": {"S": token}, ":expected": {"N": str(expected_version)}},
            )
        except ClientError as error:
            if conditional_failed(error):
                return False
            raise
        return True

    def pending_runs(self, written_before: datetime, limit: int) -> list[PendingRun]:
        index = WORK_ORDERS_PENDING_INDEX
        before = written_before.astimezone(UTC).isoformat()
        found: list[PendingRun] = []
        for shard in PENDING_SHARDS:
            kwargs: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": index.name,
                "KeyConditionExpression": "#pk = :shard AND #sk < :before",
                "ExpressionAttributeNames": {"#pk": index.partition_key, "#sk": index.sort_key},
                "ExpressionAttributeValues": {
                    ":shard": {"S": f"WORKFLOW_PENDING#{shard}"},
                    ":before": {"S": before},
                },
                "Limit": limit,
            }
            while True:
                page = self._client.query(**kwargs)
                for item in page.get("Items", []):
                    since, _, order_id = item[index.sort_key]["S"].rpartition("#")
                    found.append(
                        PendingRun(order_id, int(item[PENDING_RUN]["N"]), datetime.fromisoformat(since))
                    )
                if "LastEvaluatedKey" not in page or len(found) >= limit * len(PENDING_SHARDS):
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        found.sort(key=lambda p: (p.since, p.order_id))
        return found[:limit]

    def run_settled(self, order_id: str, run: int) -> None:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=_order_key(order_id),
                UpdateExpression="REMOVE #run, #pk4, #sk4",
                ConditionExpression="#run = :run",
                ExpressionAttributeNames=_PENDING_NAMES,
                ExpressionAttributeValues={":run": {"N": str(run)}},
            )
        except ClientError as error:
            if not conditional_failed(error):
                raise

    def _index_assists(self, order: WorkOrder) -> None:
        """One item per assisting unit under ASSISTS#<unit> in the inbox index (by its part's
        deadline), put after each write of an order that has assists. An index, not state: a
        repeated put is harmless, and a unit that no longer assists is filtered out on reading."""
        writes: list[dict[str, Any]] = [
            {
                "PutRequest": {
                    "Item": {
                        "pk": {"S": f"ORDER#{order.id}"},
                        "sk": {"S": f"ASSIST#{a.unit}"},
                        "order_id": {"S": order.id},
                        "gsi1pk": {"S": f"ASSISTS#{a.unit}"},
                        "gsi1sk": {"S": f"{a.deadline.astimezone(UTC).isoformat()}#{order.id}"},
                    }
                }
            }
            for a in order.assists
        ]
        for start in range(0, len(writes), 25):
            pending: dict[str, Any] = {self._table: writes[start : start + 25]}
            while pending:
                pending = self._client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}

    def _orders(self, ids: list[str]) -> list[WorkOrder]:
        """Orders by number, in the order given (BatchGetItem)."""
        found: dict[str, WorkOrder] = {}
        keys = [_order_key(i) for i in dict.fromkeys(ids)]
        for start in range(0, len(keys), 100):
            pending: dict[str, Any] = {self._table: {"Keys": keys[start : start + 100]}}
            while pending:
                answer = self._client.batch_get_item(RequestItems=pending)
                for item in answer.get("Responses", {}).get(self._table, []):
                    order = WorkOrder.model_validate_json(item["doc"]["S"])
                    found[order.id] = order
                pending = answer.get("UnprocessedKeys") or {}
        return [found[i] for i in ids if i in found]

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

    def _read(self, query: OrderQuery, items: list[dict[str, Any]]) -> list[WorkOrder]:
        """The orders of a page's items: an assisting unit's items point to orders still assisted."""
        if query.extension_pending:  # the queue of extension requests: to orders still awaiting a decision
            return queued(self._orders([item["order_id"]["S"] for item in items]))
        if not query.assisting:
            return [WorkOrder.model_validate_json(item["doc"]["S"]) for item in items]
        ids = [item["order_id"]["S"] for item in items]
        return [
            o
            for o in self._orders(ids)
            if query.unit in o.assisting and (query.statuses is None or o.status.value in query.statuses)
        ]

    def find(self, query: OrderQuery) -> Page:
        """A unit's inbox from the inbox index (deadline first); the hotline's lists from the status
        index (newest first), walking every status when none is given. Filters apply per page,
        so a page is filled by reading on until it has `limit` orders or nothing is left."""
        partitions = _partitions(query)
        position, start_key = decode_cursor(query.cursor, len(partitions))
        # The status index is sorted by creation time: a creation range is a range of its keys.
        ranged = partitions[0][0] == WORK_ORDERS_STATUS_INDEX.name
        key_range, range_names, range_values = created_range(query, WORK_ORDERS_STATUS_INDEX.sort_key)
        # An assisting unit's items carry no order attributes to filter on.
        filters, names, values = (
            queue_filters(query) if query.assisting or query.extension_pending else item_filters(query)
        )
        if key_range and not ranged and not query.assisting:
            filters.append(key_range)
        if key_range and not query.assisting:
            names |= range_names
            values |= range_values
        found: list[WorkOrder] = []
        while position < len(partitions) and len(found) < query.limit:
            index, key, value, ascending = partitions[position]
            condition = "#key = :key" + (f" AND {key_range}" if key_range and ranged else "")
            kwargs: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": index,
                "KeyConditionExpression": condition,
                "ExpressionAttributeNames": {"#key": key, **names},
                "ExpressionAttributeValues": {":key": {"S": value}, **values},
                "ScanIndexForward": ascending,
                "Limit": query.limit - len(found),
            }
            if filters:
                kwargs["FilterExpression"] = " AND ".join(filters)
            if start_key:
                kwargs["ExclusiveStartKey"] = start_key
            page = query_page(self._client, **kwargs)
            found += self._read(query, page.get("Items", []))
            start_key = page.get("LastEvaluatedKey")
            if start_key is None:
                position += 1
        next_cursor = encode_cursor(position, start_key) if position < len(partitions) else None
        return Page(found, next_cursor)


# Where a query reads: (index, its partition key, the partition, ascending), one after another.
Partition = tuple[str, str, str, bool]


def _partitions(query: OrderQuery) -> list[Partition]:
    inbox, late, mine = WORK_ORDERS_INBOX_INDEX, WORK_ORDERS_OVERDUE_INDEX, WORK_ORDERS_REQUESTER_INDEX
    if query.late_first and query.unit is None:
        return [(late.name, late.partition_key, OVERDUE_PARTITION, True)]
    if query.appeals:
        return [(late.name, late.partition_key, APPEALS_PARTITION, True)]
    if query.partner is not None:
        return [(inbox.name, inbox.partition_key, f"PARTNER#{query.partner}", False)]
    if query.extension_pending:
        return [(inbox.name, inbox.partition_key, EXTENSIONS_PENDING, True)]
    if query.unit is not None and query.assisting:
        return [(inbox.name, inbox.partition_key, f"ASSISTS#{query.unit}", True)]
    if query.requester is not None:
        return [(mine.name, mine.partition_key, _requester_key(query.requester), False)]
    if query.unit is not None:
        return [(inbox.name, inbox.partition_key, f"UNIT#{query.unit}", True)]
    statuses = [query.status] if query.status else [s.value for s in LIST_STATUSES]
    if query.statuses is not None:
        statuses = [s for s in statuses if s in query.statuses]
    by_status = WORK_ORDERS_STATUS_INDEX
    return [(by_status.name, by_status.partition_key, f"STATUS#{s}", False) for s in statuses]
