"""The stream consumer reads the work-order table's images through the DynamoDB adapter: an
order's item is the order, a whistle's item the whistle, every other item (idempotency keys,
summons and index items) nothing. The images are the items the stores write."""

from typing import Any

from chalicelib.adapters.dynamodb import DynamoWorkOrders
from chalicelib.adapters.dynamodb_streams import whistle, work_order
from chalicelib.adapters.dynamodb_whistles import DynamoWhistles
from chalicelib.domain.ports import IdempotencyRecord

from tests.unit.test_whistles import blown


class Written:
    """A DynamoDB client that keeps the items it is asked to write."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def put_item(self, **put: Any) -> None:
        self.items.append(put["Item"])

    def transact_write_items(self, TransactItems: list[dict[str, Any]]) -> None:
        self.items += [write["Put"]["Item"] for write in TransactItems]


def test_an_orders_item_reads_back_as_the_order_and_its_idempotency_key_as_nothing(hotline):
    order = hotline.order(hotline.receive())
    client = Written()

    DynamoWorkOrders(client, "orders").create(order, IdempotencyRecord("web:k1", "f", {"id": order.id}))
    stored, key = client.items

    read = work_order(stored)
    assert read is not None and read.model_dump() == order.model_dump()
    assert (whistle(stored), work_order(key), whistle(key)) == (None, None, None)
    assert (work_order(None), whistle({})) == (None, None)


def test_a_whistles_item_reads_back_as_the_whistle_and_its_index_items_as_nothing(clock, reference, limits):
    blew = blown(clock, reference, limits)
    client = Written()

    DynamoWhistles(client, "orders").create(blew)
    stored, *indexes = client.items

    assert whistle(stored) == blew and work_order(stored) is None
    assert len(indexes) == 3  # two summons and the district's
    assert [(whistle(i), work_order(i)) for i in indexes] == [(None, None)] * 3
