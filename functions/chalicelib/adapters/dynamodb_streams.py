"""The work-order table's stream records read back as domain objects: an item's image (DynamoDB's
typed JSON, as the stream delivers it) is a work order, a whistle, or nothing the consumer reads
(idempotency keys, summons and index items)."""

from __future__ import annotations

from typing import Any

from ..domain.model import WorkOrder
from ..domain.whistles import Whistle
from .dynamodb import ORDER_SK

Image = dict[str, Any]
# The sort key of a whistle's own item (DynamoWhistles); its summons and district items are indexes.
WHISTLE_SK = "WHISTLE"


def _document(image: Image | None, sort_key: str) -> str | None:
    """The stored document of an item with this sort key, or None."""
    if not image or image.get("sk", {}).get("S") != sort_key or "doc" not in image:
        return None
    return str(image["doc"]["S"])


def work_order(image: Image | None) -> WorkOrder | None:
    """The work order an image holds, if it holds one."""
    doc = _document(image, ORDER_SK)
    return WorkOrder.model_validate_json(doc) if doc is not None else None


def whistle(image: Image | None) -> Whistle | None:
    """The whistle an image holds, if it holds one."""
    doc = _document(image, WHISTLE_SK)
    return Whistle.model_validate_json(doc) if doc is not None else None
