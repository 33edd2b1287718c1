"""The supervisors' queue of extension requests in the work-order table: one item per order whose
request is open, under EXTENSIONS#PENDING in the inbox index, by the deadline the request must be
decided before (domain/extensions.py)."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from ..domain.extensions import awaiting
from ..domain.model import WorkOrder
from ..domain.ports import OrderQuery

EXTENSION_SK = "EXTENSION_REQUEST"
EXTENSIONS_PENDING = "EXTENSIONS#PENDING"


def index_extension_request(client: Any, table: str, order: WorkOrder) -> None:
    """Put in the write that asks, deleted in the one that decides (or lapses) the request. An
    index, not state: an item left behind by a failure between the two writes is filtered out on
    reading (`queued`)."""
    request = order.extension_requests[-1]
    key = {"pk": {"S": f"ORDER#{order.id}"}, "sk": {"S": EXTENSION_SK}}
    if request.decision is None and request.at == order.updated_at:
        item = {
            **key,
            "order_id": {"S": order.id},
            "unit": {"S": request.unit},
            "gsi1pk": {"S": EXTENSIONS_PENDING},
            "gsi1sk": {"S": f"{request.deadline.astimezone(UTC).isoformat()}#{order.id}"},
        }
        client.put_item(TableName=table, Item=item)
    elif request.decided_at == order.updated_at:
        client.delete_item(TableName=table, Key=key)


def queued(orders: list[WorkOrder]) -> list[WorkOrder]:
    """The orders of the queue's items whose request a supervisor can still decide."""
    return [o for o in orders if awaiting(o)]


def queue_filters(query: OrderQuery) -> tuple[list[str], dict[str, str], dict[str, Any]]:
    """The queue's (and an assisting unit's) items carry no order attributes to filter on; the
    queue's carry the unit that asked."""
    if query.extension_pending and query.unit is not None:
        return ["#unit = :unit"], {"#unit": "unit"}, {":unit": {"S": query.unit}}
    return [], {}, {}
