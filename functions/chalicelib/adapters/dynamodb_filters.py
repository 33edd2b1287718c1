"""A work-order list's filters as DynamoDB expressions: the creation range on an index's sort key
and the conditions on the items a query reads (adapters/dynamodb.py walks the partitions)."""

from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from ..domain.ports import OrderQuery


def created_range(query: OrderQuery, attribute: str) -> tuple[str, dict[str, str], dict[str, Any]]:
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


def item_filters(query: OrderQuery) -> tuple[list[str], dict[str, str], dict[str, Any]]:
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
