"""One contract, two implementations: the in-memory fakes the unit tests use and the DynamoDB
adapters (on the local stack's moto, in tables of their own) must behave the same."""

import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest
from chalicelib import names
from chalicelib.adapters.dynamodb import DynamoWorkOrders
from chalicelib.adapters.dynamodb_reference import DynamoReference
from chalicelib.domain.deadlines import DEFAULT_LIMITS
from chalicelib.domain.errors import InvalidInput, StaleVersion
from chalicelib.domain.listing import FINISHED_WORK, OPEN_WORK
from chalicelib.domain.model import (
    Category,
    ExtensionDecision,
    ExtensionRequest,
    Location,
    ObjectionGrounds,
    Place,
    Requester,
    Status,
    WorkOrder,
)
from chalicelib.domain.model import Objection as ObjectionModel
from chalicelib.domain.ports import OrderQuery
from chalicelib.reference_data import all_units, categories, knowledge_base

from tests.fakes import MemoryReference, MemoryWorkOrders

_tables = itertools.count()
T0 = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)


@pytest.fixture(params=["memory", "dynamodb"])
def store(request, local_stack):
    if request.param == "memory":
        return MemoryWorkOrders()
    name = f"contract-orders-{next(_tables)}"
    local_stack.stack.create_table(names.WORK_ORDERS_TABLE, name)
    return DynamoWorkOrders(local_stack.stack.client("dynamodb"), name)


@pytest.fixture(params=["memory", "dynamodb"])
def reference(request, local_stack):
    if request.param == "memory":
        return MemoryReference()
    name = f"contract-reference-{next(_tables)}"
    local_stack.stack.create_table(names.REFERENCE_TABLE, name)
    found = DynamoReference(local_stack.stack.client("dynamodb"), name)
    found.seed(all_units(), list(categories()))
    return found


def order(n: int, unit: str, status: Status = Status.DISPATCHED, **changes) -> WorkOrder:
    return WorkOrder(
        id=f"26112600000{n:02d}",
        tracking_hash="x",
        type="complaint",
        status=status,
        content=f"第{n}号诉求 路灯不亮",
        # As the store reads it back: an order's place (a Location is a place with its district).
        location=Place(
            **changes.pop("location", Location(district="110101", street="110101004")).model_dump()
        ),
        requester=Requester(phone="13800001234"),
        first_receiver=unit,
        deadline=T0 + timedelta(hours=10 - n),
        created_at=T0 + timedelta(minutes=n),
        updated_at=T0,
        **changes,
    )


def objection(n: int) -> ObjectionModel:
    return ObjectionModel(
        id=f"x-{n}",
        unit="110101004",
        grounds=ObjectionGrounds.DUTY,
        reason="r",
        by="u",
        at=T0,
        resume_status="dispatched",
    )


def test_a_unit_inbox_is_sorted_by_deadline_and_filtered(store):
    for n in range(1, 6):
        store.create(order(n, "110101004", overdue=n == 2))
    store.create(order(6, "110101003"))

    inbox = store.find(OrderQuery(unit="110101004"))
    overdue = store.find(OrderQuery(unit="110101004", overdue=True))

    assert [o.id[-2:] for o in inbox.items] == ["05", "04", "03", "02", "01"]
    assert [o.id[-2:] for o in overdue.items] == ["02"]


def test_the_hotline_pages_through_a_status_newest_first(store):
    for n in range(1, 6):
        store.create(order(n, "110101004", Status.RECEIVED if n % 2 else Status.DISPATCHED))

    seen, cursor = [], None
    while True:
        page = store.find(OrderQuery(status="received", limit=2, cursor=cursor))
        seen += [o.id[-2:] for o in page.items]
        cursor = page.next
        if cursor is None:
            break

    assert seen == ["05", "03", "01"]


def test_every_status_without_a_filter_and_ping_pong(store):
    store.create(order(1, "110101004", Status.RECEIVED))
    store.create(order(2, "110101004", Status.OBJECTED, objections=[objection(1), objection(2)]))
    store.create(order(3, "110101004", Status.CLOSED))

    everything = store.find(OrderQuery(limit=10))
    pingpong = store.find(OrderQuery(pingpong=True))

    assert sorted(o.id[-2:] for o in everything.items) == ["01", "02", "03"]
    assert [o.id[-2:] for o in pingpong.items] == ["02"]


def test_the_appeal_queue_holds_the_appeals_awaiting_a_decision_oldest_first(store):
    from chalicelib.domain.appeal_records import Appeal, AppealDecision, AppealGrounds

    def appeal(minutes: int, decision: AppealDecision | None = None) -> Appeal:
        at = T0 + timedelta(days=1, minutes=minutes)
        return Appeal(
            unit="110101004",
            grounds=AppealGrounds.WRONG_UNIT,
            evidence="事发地属交道口街道辖区",
            by="andingmen.handler",
            at=at,
            until=at + timedelta(days=5),
            decision=decision,
        )

    store.create(order(1, "110101004", Status.CLOSED, appeal=appeal(30)))
    store.create(order(2, "110101004", Status.CLOSED, appeal=appeal(10)))
    store.create(order(3, "110101004", Status.CLOSED, appeal=appeal(5, AppealDecision.UPHELD)))
    store.create(order(4, "110101004", Status.CLOSED))
    store.create(order(5, "110101004", Status.IN_PROGRESS, overdue=True))
    first = store.find(OrderQuery(appeals=True))
    decided = first.items[0].model_copy(update={"appeal": appeal(10, AppealDecision.REJECTED), "version": 2})
    store.update(decided, expected_version=1)

    assert [o.id[-2:] for o in first.items] == ["02", "01"]
    assert [o.id[-2:] for o in store.find(OrderQuery(appeals=True)).items] == ["01"]


def test_a_search_matches_the_number_or_the_text(store):
    store.create(order(1, "110101004"))
    store.create(order(2, "110101004"))

    assert [o.id[-2:] for o in store.find(OrderQuery(text="第2号")).items] == ["02"]
    assert [o.id[-2:] for o in store.find(OrderQuery(text=order(1, "x").id)).items] == ["01"]


def test_an_update_needs_the_version_read(store):
    first = order(1, "110101004")
    store.create(first)
    signed = first.model_copy(update={"status": Status.SIGNED, "version": 2})

    store.update(signed, expected_version=1)

    with pytest.raises(StaleVersion):
        store.update(signed.model_copy(update={"version": 3}), expected_version=1)
    assert store.get(first.id).status is Status.SIGNED


def test_a_foreign_cursor_is_refused(store):
    with pytest.raises(InvalidInput):
        store.find(OrderQuery(cursor="bm90LWEtY3Vyc29y"))


def test_category_edits_are_versioned_with_history(reference):
    original = reference.category("street_lighting")
    changed = original.model_copy(update={"name": "路灯照明（改）", "version": 2, "updated_by": "admin1"})

    reference.put_category(changed, expected_version=1)

    with pytest.raises(StaleVersion):
        reference.put_category(changed.model_copy(update={"version": 3}), expected_version=1)
    assert reference.category("street_lighting").name == "路灯照明（改）"
    # The seeded version is kept as well: an edit never loses the version it replaces.
    assert [(c.version, c.name) for c in reference.category_history("street_lighting")] == [
        (2, "路灯照明（改）"),
        (1, original.name),
    ]


def test_a_new_category_and_seeding_never_overwrite_an_edit(reference):
    new = Category(code="test_new", name="新类别", group="municipal", kind="territorial", tier="7d")
    reference.put_category(new, expected_version=None)
    edited = reference.category("manhole_cover").model_copy(update={"tier": "24h", "version": 2})
    reference.put_category(edited, expected_version=1)

    written = reference.seed(all_units(), list(categories()))

    assert written == 0
    assert reference.category("manhole_cover").tier == "24h"
    with pytest.raises(StaleVersion):
        reference.put_category(new, expected_version=None)  # it exists now


def test_seeding_brings_new_knowledge_entries_and_refreshes_only_those_nobody_edited(reference):
    first, edited, third = knowledge_base()[:3]
    reference.seed([], [], [first, edited, third])
    reference.put_knowledge(edited.model_copy(update={"answer": "单位改写的答复，仍然有效。", "version": 2,
                                                      "updated_by": "admin1"}), 1)  # fmt: skip
    site = "https://www.beijing.gov.cn/"
    newer = [e.model_copy(update={"source_url": site}) for e in (first, edited, third)]
    added = first.model_copy(update={"id": "kb-contract-new-entry"})

    written = reference.seed([], [], [*newer, added])

    assert written == 3  # the two nobody edited take the shipped version; the new one is added
    urls = {reference.knowledge_entry(e.id).source_url for e in (first, third)}
    assert urls == {site}
    assert reference.knowledge_entry(edited.id).answer == "单位改写的答复，仍然有效。"
    assert reference.knowledge_entry(added.id) == added
    assert reference.seed([], [], [*newer, added]) == 0


def test_time_limits_start_at_the_defaults_and_change_by_version(reference):
    assert reference.time_limits() == DEFAULT_LIMITS

    reference.put_time_limits(DEFAULT_LIMITS.model_copy(update={"max_reopens": 2, "version": 2}), 1)

    assert reference.time_limits().max_reopens == 2
    with pytest.raises(StaleVersion):
        reference.put_time_limits(DEFAULT_LIMITS.model_copy(update={"version": 2}), 1)


def test_a_creation_range_reads_statuses_newest_first_with_exact_bounds(store):
    for n in range(1, 7):
        lighting = "street_lighting" if n % 2 else "manhole_cover"
        store.create(order(n, "110101004", Status.CLOSED if n == 4 else Status.RECEIVED, category=lighting))
    # Half a second after the upper bound: outside it, though the second is the same.
    late = order(7, "110101004", Status.RECEIVED).model_copy(
        update={"created_at": T0 + timedelta(minutes=5, milliseconds=500)}
    )
    store.create(late)
    beijing = timezone(timedelta(hours=8))

    ranged = store.find(
        OrderQuery(
            status="received",
            created_from=T0 + timedelta(minutes=2),
            created_to=(T0 + timedelta(minutes=5)).astimezone(beijing),
            limit=10,
        )
    )
    lighting = store.find(
        OrderQuery(status="received", category="street_lighting", created_from=T0 + timedelta(minutes=2))
    )
    until = store.find(OrderQuery(status="received", created_to=T0 + timedelta(minutes=2)))
    closed = store.find(OrderQuery(status="closed", created_from=T0, created_to=T0 + timedelta(hours=1)))
    inbox = store.find(OrderQuery(unit="110101004", created_from=T0 + timedelta(minutes=5)))

    assert [o.id[-2:] for o in ranged.items] == ["05", "03", "02"]
    assert [o.id[-2:] for o in lighting.items] == ["05", "03"]
    assert [o.id[-2:] for o in until.items] == ["02", "01"]
    assert [o.id[-2:] for o in closed.items] == ["04"]
    assert sorted(o.id[-2:] for o in inbox.items) == ["05", "06", "07"]


def test_an_order_waits_for_its_workflow_run_until_the_run_parks(store):
    waiting = order(1, "110101004", Status.RECEIVED)
    other = order(2, "110101004", Status.RECEIVED)
    settled = order(3, "110101004", Status.NOT_DISPATCHED)
    store.create(waiting, pending_run=0)
    store.create(other, pending_run=0)
    store.create(settled)
    later = T0 + timedelta(hours=1)

    listed = [(p.order_id, p.run) for p in store.pending_runs(later, 10)]
    young = store.pending_runs(T0, 10)
    store.park(waiting.id, waiting.version, "token-1")
    after_park = [p.order_id for p in store.pending_runs(later, 10)]

    assert listed == [(waiting.id, 0), (other.id, 0)]  # oldest first, settled orders never
    assert young == []
    assert after_park == [other.id]


def test_a_newer_run_is_not_taken_off_the_waiting_list_by_an_older_one(store):
    waiting = order(1, "110101004", Status.RECEIVED)
    store.create(waiting, pending_run=0)
    reinstated = waiting.model_copy(
        update={"version": 2, "reinstated": 1, "updated_at": T0 + timedelta(minutes=5)}
    )
    store.update(reinstated, expected_version=1, pending_run=1)
    later = T0 + timedelta(hours=1)

    store.run_settled(waiting.id, 0)
    still = [(p.order_id, p.run) for p in store.pending_runs(later, 10)]
    store.run_settled(waiting.id, 1)

    assert still == [(waiting.id, 1)]
    assert store.pending_runs(later, 10) == []
    assert store.get(waiting.id) == reinstated


OPEN = tuple(s.value for s in OPEN_WORK)


def board(store, **changes) -> list[str]:
    """The overdue board, page by page: open overdue orders, most overdue first."""
    seen, cursor = [], None
    while True:
        query = OrderQuery(overdue=True, statuses=OPEN, late_first=True, limit=1, cursor=cursor, **changes)
        page = store.find(query)
        seen += [o.id[-2:] for o in page.items]
        cursor = page.next
        if cursor is None:
            return seen


def test_the_overdue_board_is_open_overdue_orders_earliest_deadline_first(store):
    xicheng = Location(district="110102", street="110102003")
    store.create(order(1, "110101004", overdue=True))
    store.create(order(2, "110101003", overdue=True, location=xicheng))
    store.create(order(3, "110101004", Status.CLOSED, overdue=True))
    store.create(order(4, "110101004"))  # not overdue
    store.create(order(5, "110101004", Status.SIGNED, overdue=True))

    assert board(store) == ["05", "02", "01"]
    assert board(store, district="110102") == ["02"]
    assert board(store, unit="110101004") == ["05", "01"]


def test_an_order_replied_leaves_the_overdue_board(store):
    store.create(order(1, "110101004", overdue=True))
    store.create(order(2, "110101004", overdue=True))
    replied = store.get("2611260000002").model_copy(update={"status": Status.REPLIED, "version": 2})

    store.update(replied, expected_version=1)

    assert board(store) == ["01"]
    finished = store.find(OrderQuery(unit="110101004", statuses=tuple(s.value for s in FINISHED_WORK)))
    assert [o.id[-2:] for o in finished.items] == ["02"]


def test_the_queue_of_extension_requests_holds_open_requests_earliest_deadline_first(store):
    def asked(o: WorkOrder, decision: ExtensionDecision | None = None) -> WorkOrder:
        assert o.deadline is not None and o.first_receiver is not None
        request = ExtensionRequest(
            reason="等待材料",
            new_deadline=o.deadline + timedelta(days=1),
            deadline=o.deadline,
            unit=o.first_receiver,
            by="u",
            at=T0 + timedelta(hours=1),
            decision=decision,
            decided_at=T0 + timedelta(hours=2) if decision else None,
        )
        at = request.decided_at or request.at
        return o.model_copy(
            update={"extension_requests": [request], "version": o.version + 1, "updated_at": at}
        )

    orders = [
        order(n, unit, Status.SIGNED) for n, unit in ((1, "110101004"), (2, "110101004"), (3, "110101003"))
    ]
    for o in orders:
        store.create(o)
        store.update(asked(o), expected_version=1)
    # The first is refused; the second unit's replied meanwhile (its request lapses at the next step).
    store.update(asked(asked(orders[0]), ExtensionDecision.REFUSED), expected_version=2)
    replied = asked(orders[2]).model_copy(update={"status": Status.REPLIED, "version": 3})
    store.update(replied, expected_version=2)

    queue = store.find(OrderQuery(extension_pending=True))
    mine = store.find(OrderQuery(extension_pending=True, unit="110101003"))

    assert [o.id[-2:] for o in queue.items] == ["02"]
    assert mine.items == []
