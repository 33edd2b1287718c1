"""DynamoDB adapters: the work-order store, whistles and the reference data (units, catalogue)."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel

from ..domain.audit import AuditEntry
from ..domain.deadlines import DEFAULT_LIMITS, TimeLimits
from ..domain.errors import Conflict, FieldProblem, InvalidInput, KeyTaken, NumberTaken, StaleVersion
from ..domain.knowledge import KnowledgeEntry
from ..domain.listing import OPEN_WORK
from ..domain.model import Category, Status, Unit, UnitKind, WorkOrder
from ..domain.partners import ApiClient
from ..domain.ports import (
    IdempotencyRecord,
    OrderQuery,
    Page,
    PendingRun,
    Reference,
    Whistles,
    WorkOrders,
)
from ..domain.whistles import Whistle
from ..names import (
    WORK_ORDERS_INBOX_INDEX,
    WORK_ORDERS_OVERDUE_INDEX,
    WORK_ORDERS_PENDING_INDEX,
    WORK_ORDERS_REQUESTER_INDEX,
    WORK_ORDERS_STATUS_INDEX,
)

ORDER_SK = "ORDER"
TIME_LIMITS = "time_limits"
# The hotline's list without a status walks the statuses in this order, newest orders first.
LIST_STATUSES = tuple(Status)
# One partition of the sparse overdue index: only open overdue orders are in it, and their writes
# are few (an order enters when its deadline passes and leaves when the unit replies).
OVERDUE_PARTITION = "OVERDUE"


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


def _conditional_failed(error: ClientError) -> bool:
    return bool(error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException")


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
            if _conditional_failed(error):
                raise StaleVersion() from error
            raise
        if order.assists:
            self._index_assists(order)
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
            if _conditional_failed(error):
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
            if not _conditional_failed(error):
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

    def find(self, query: OrderQuery) -> Page:
        """A unit's inbox from the inbox index (deadline first); the hotline's lists from the status
        index (newest first), walking every status when none is given. Filters apply per page,
        so a page is filled by reading on until it has `limit` orders or nothing is left."""
        if query.late_first and query.unit is None:
            late = WORK_ORDERS_OVERDUE_INDEX
            partitions = [(late.name, late.partition_key, OVERDUE_PARTITION, True)]
        elif query.partner is not None:
            inbox = WORK_ORDERS_INBOX_INDEX
            partitions = [(inbox.name, inbox.partition_key, f"PARTNER#{query.partner}", False)]
        elif query.unit is not None and query.assisting:
            inbox = WORK_ORDERS_INBOX_INDEX
            partitions = [(inbox.name, inbox.partition_key, f"ASSISTS#{query.unit}", True)]
        elif query.requester is not None:
            mine = WORK_ORDERS_REQUESTER_INDEX
            partitions = [(mine.name, mine.partition_key, _requester_key(query.requester), False)]
        elif query.unit is not None:
            inbox = WORK_ORDERS_INBOX_INDEX
            partitions = [(inbox.name, inbox.partition_key, f"UNIT#{query.unit}", True)]
        else:
            statuses = [query.status] if query.status else [s.value for s in LIST_STATUSES]
            if query.statuses is not None:
                statuses = [s for s in statuses if s in query.statuses]
            by_status = WORK_ORDERS_STATUS_INDEX
            partitions = [(by_status.name, by_status.partition_key, f"STATUS#{s}", False) for s in statuses]
        position, start_key = _decode_cursor(query.cursor, len(partitions))
        # The status index is sorted by creation time: a creation range is a range of its keys.
        ranged = partitions[0][0] == WORK_ORDERS_STATUS_INDEX.name
        key_range, range_names, range_values = _created_range(query, WORK_ORDERS_STATUS_INDEX.sort_key)
        # An assisting unit's items carry no order attributes to filter on.
        filters, names, values = ([], {}, {}) if query.assisting else _filters(query)
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
            page = _query_page(self._client, **kwargs)
            items = page.get("Items", [])
            if query.assisting:
                ids = [item["order_id"]["S"] for item in items]
                found += [
                    o
                    for o in self._orders(ids)
                    if query.unit in o.assisting
                    and (query.statuses is None or o.status.value in query.statuses)
                ]
            else:
                found += [WorkOrder.model_validate_json(item["doc"]["S"]) for item in items]
            start_key = page.get("LastEvaluatedKey")
            if start_key is None:
                position += 1
        next_cursor = _encode_cursor(position, start_key) if position < len(partitions) else None
        return Page(found, next_cursor)


def _created_range(query: OrderQuery, attribute: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The condition on the creation key (`<created, UTC ISO>#<id>`) for a creation range, or ""."""
    if query.created_from is None and query.created_to is None:
        return "", {}, {}
    names = {"#created": attribute}
    values: dict[str, Any] = {}
    if query.created_from is not None:
        values[":created_from"] = {"S": query.created_from.astimezone(UTC).isoformat()}
    if query.created_to is not None:
        # "~" sorts after "#<id>": an order created at exactly created_to is in the range.
        values[":created_to"] = {"S": query.created_to.astimezone(UTC).isoformat() + "#~"}
    if query.created_from is not None and query.created_to is not None:
        return "#created BETWEEN :created_from AND :created_to", names, values
    if query.created_from is not None:
        return "#created >= :created_from", names, values
    return "#created <= :created_to", names, values


def _filters(query: OrderQuery) -> tuple[list[str], dict[str, str], dict[str, Any]]:
    filters: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    if query.category is not None:
        # The item carries no category attribute; the document holds it as compact JSON.
        filters.append("contains(#doc, :category)")
        names["#doc"] = "doc"
        values[":category"] = {"S": json.dumps({"category": query.category}, separators=(",", ":"))[1:-1]}
    walks_statuses = query.unit is None and query.requester is None and not query.late_first
    if not walks_statuses and query.status:
        filters.append("#status = :status")
        names["#status"] = "status"
        values[":status"] = {"S": query.status}
    if not walks_statuses and query.statuses is not None:
        listed = {f":st{i}": {"S": s} for i, s in enumerate(query.statuses)}
        filters.append(f"#status IN ({', '.join(listed)})")
        names["#status"] = "status"
        values |= listed
    if query.district is not None:
        # The document holds the place as compact JSON; "district" is a key of the place only.
        filters.append("contains(#doc, :district)")
        names["#doc"] = "doc"
        values[":district"] = {"S": json.dumps({"district": query.district}, separators=(",", ":"))[1:-1]}
    if query.overdue is not None:
        filters.append("#overdue = :overdue")
        names["#overdue"] = "overdue"
        values[":overdue"] = {"BOOL": query.overdue}
    if query.pingpong:
        filters.append("#objections >= :pingpong")
        names["#objections"] = "objections"
        values[":pingpong"] = {"N": "2"}
    if query.text:
        filters.append("(contains(#doc, :text) OR #id = :text)")
        names |= {"#doc": "doc", "#id": "id"}
        values[":text"] = {"S": query.text}
    return filters, names, values


def _encode_cursor(position: int, key: dict[str, Any] | None) -> str:
    raw = json.dumps({"p": position, "k": key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _bad_cursor() -> InvalidInput:
    return InvalidInput("The cursor is not valid.", [FieldProblem("cursor", "not a cursor of this list")])


def _is_key(key: Any) -> bool:
    """A DynamoDB key as a cursor carries it: a table's and an index's key attributes (at most four),
    each a string or a number."""
    return isinstance(key, dict) and 0 < len(key) <= 4 and all(_is_key_value(v) for v in key.values())


def _is_key_value(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    text = value.get("S", value.get("N"))
    if not isinstance(text, str) or not 0 < len(text) <= 1024:
        return False
    if "S" in value:
        return True
    try:
        return len(text) <= 40 and abs(float(text)) < 1e38
    except ValueError:
        return False


def _decode_cursor(cursor: str | None, partitions: int) -> tuple[int, dict[str, Any] | None]:
    if not cursor:
        return 0, None
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        position, key = int(raw["p"]), raw["k"]
        if not 0 <= position < partitions or not (key is None or _is_key(key)):
            raise ValueError("out of range")
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError) as error:
        raise _bad_cursor() from error
    return position, key


def _query_page(client: Any, **kwargs: Any) -> dict[str, Any]:
    """One query; a start key DynamoDB refuses (a cursor of another list, or made up) is a 400."""
    try:
        return dict(client.query(**kwargs))
    except ClientError as error:
        if (
            "ExclusiveStartKey" in kwargs
            and error.response.get("Error", {}).get("Code") == "ValidationException"
        ):
            raise _bad_cursor() from error
        raise


class DynamoReference(Reference):
    """Units, the catalogue and the time limits, read through a short per-container cache: they
    change rarely, and an admin's edit reaches every container within CACHE_SECONDS.

        unit            pk=UNIT                     sk=<unit id>
        category        pk=CATEGORY                 sk=<code>
        its versions    pk=CATEGORY_HISTORY#<code>  sk=V#<version, 6 digits>
        time limits     pk=CONFIG                   sk=time_limits (versions under CONFIG_HISTORY#...)
        knowledge       pk=KNOWLEDGE                sk=<entry id> (versions under KNOWLEDGE_HISTORY#<id>)
        partner keys    pk=API_KEY                  sk=<sha256 of the key>
        units' versions pk=UNIT_HISTORY#<id>        sk=V#<version, 6 digits>
        audit trail     pk=AUDIT                    sk=<ISO time>#<entry id>, actor
    """

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
            page = _query_page(self._client, **kwargs)
            docs += [json.loads(item["doc"]["S"]) for item in page.get("Items", [])]
            if "LastEvaluatedKey" not in page:
                return docs
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

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

    def time_limits(self) -> TimeLimits:
        doc = self._doc("CONFIG", TIME_LIMITS)
        return TimeLimits.model_validate(doc) if doc else DEFAULT_LIMITS

    def put_category(self, category: Category, expected_version: int | None) -> Category:
        condition = (
            ("attribute_not_exists(pk)", {})
            if expected_version is None
            else ("version = :expected", {":expected": {"N": str(expected_version)}})
        )
        self._versioned_put(
            ("CATEGORY", category.code),
            f"CATEGORY_HISTORY#{category.code}",
            category,
            category.version,
            condition,
            "The category",
        )
        self._cache.pop(("CATEGORY", category.code), None)
        return category

    def category_history(self, code: str) -> list[Category]:
        return [
            Category.model_validate(d) for d in self._query(f"CATEGORY_HISTORY#{code}", newest_first=True)
        ]

    def api_client(self, key_hash: str) -> ApiClient | None:
        doc = self._doc("API_KEY", key_hash)
        return ApiClient.model_validate(doc) if doc else None

    def put_api_client(self, client: ApiClient) -> None:
        self._client.put_item(
            TableName=self._table,
            Item={
                "pk": {"S": "API_KEY"},
                "sk": {"S": client.key_hash},
                "doc": {"S": client.model_dump_json()},
            },
            ConditionExpression="attribute_not_exists(pk)",
        )
        self._cache.pop(("API_KEY", client.key_hash), None)

    def api_clients(self, limit: int, cursor: str | None) -> tuple[list[ApiClient], str | None]:
        docs, after = self._page("API_KEY", limit, cursor)
        return [ApiClient.model_validate(d) for d in docs], after

    def revoke_api_client(self, key_id: str, at: datetime, by: str) -> ApiClient | None:
        found = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :id)",
            ExpressionAttributeValues={":pk": {"S": "API_KEY"}, ":id": {"S": key_id}},
            ConsistentRead=True,
        ).get("Items", [])
        if len(found) != 1:
            return None
        client = ApiClient.model_validate_json(found[0]["doc"]["S"])
        if client.revoked_at is not None:
            raise Conflict("The key is revoked already.", "revoked")
        revoked = client.model_copy(update={"revoked_at": at, "revoked_by": by})
        try:
            self._client.put_item(
                TableName=self._table,
                Item={
                    **found[0],
                    "doc": {"S": revoked.model_dump_json()},
                    "revoked_at": {"S": at.isoformat()},
                },
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(revoked_at)",
            )
        except ClientError as error:
            if _conditional_failed(error):
                raise Conflict("The key is revoked already.", "revoked") from error
            raise
        self._cache.pop(("API_KEY", client.key_hash), None)
        return revoked

    def put_unit(self, unit: Unit, expected_version: int | None) -> Unit:
        condition = (
            ("attribute_not_exists(pk)", {})
            if expected_version is None
            else ("version = :expected", {":expected": {"N": str(expected_version)}})
        )
        self._versioned_put(
            ("UNIT", unit.id), f"UNIT_HISTORY#{unit.id}", unit, unit.version, condition, "The unit"
        )
        self._cache.pop(("UNIT", unit.id), None)
        return unit

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

    def _page(
        self, pk: str, limit: int, cursor: str | None, newest_first: bool = False, actor: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a partition; with `actor`, only that actor's items (filtered by DynamoDB)."""
        _, start = _decode_cursor(cursor, 1)
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
        page = _query_page(self._client, **kwargs)
        docs = [json.loads(item["doc"]["S"]) for item in page.get("Items", [])]
        last = page.get("LastEvaluatedKey")
        return docs, _encode_cursor(0, last) if last else None

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
        condition = (
            ("attribute_not_exists(pk)", {})
            if expected_version is None
            else ("version = :expected", {":expected": {"N": str(expected_version)}})
        )
        self._versioned_put(
            ("KNOWLEDGE", entry.id),
            f"KNOWLEDGE_HISTORY#{entry.id}",
            entry,
            entry.version,
            condition,
            "The knowledge entry",
        )
        self._cache.pop(("KNOWLEDGE", "*"), None)
        return entry

    def put_time_limits(self, limits: TimeLimits, expected_version: int) -> TimeLimits:
        stored = self._doc("CONFIG", TIME_LIMITS)
        condition = (
            ("attribute_not_exists(pk)", {})
            if stored is None
            else ("version = :expected", {":expected": {"N": str(expected_version)}})
        )
        if stored is None and expected_version != DEFAULT_LIMITS.version:
            raise StaleVersion("The time limits")
        self._versioned_put(
            ("CONFIG", TIME_LIMITS),
            f"CONFIG_HISTORY#{TIME_LIMITS}",
            limits,
            limits.version,
            condition,
            "The time limits",
        )
        self._cache.pop(("CONFIG", TIME_LIMITS), None)
        return limits

    def _versioned_put(
        self,
        key: tuple[str, str],
        history_pk: str,
        doc: BaseModel,
        version: int,
        condition: tuple[str, dict[str, Any]],
        what: str,
    ) -> None:
        """The new version and its history entry, both or neither, if nobody else edited meanwhile."""
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
            if error.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                raise StaleVersion(what) from error
            raise

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
            if error.response.get("Error", {}).get("Code") == "TransactionCanceledException":
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
        _position, start_key = _decode_cursor(cursor, 1)
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
        page = _query_page(self._client, **kwargs)
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
        return found, _encode_cursor(0, last) if last else None
