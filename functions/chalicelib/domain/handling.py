"""The first receiver's work on an order (Arts. 14, 15): sign for, contact the requester, report
interim progress, reply (an extension is asked for in extensions.py). Each action is one
conditional write."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime

from .errors import Conflict, StaleVersion, WorkflowUnavailable
from .model import Reply, Staff, Status, WorkOrder
from .ports import Clock, Workflows, WorkOrders

Action = Callable[[WorkOrder, Staff, datetime], WorkOrder]

# The statuses in which the unit holds the order and its deadline runs.
HANDLING = (Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS, Status.OBJECTED, Status.REOPENED)
# The statuses in which the unit works on it (it has signed for it and not yet replied).
WORKING = (Status.SIGNED, Status.IN_PROGRESS, Status.REOPENED)
# Before anyone signed for it: the hotline may still dispatch, redispatch or settle the order.
BEFORE_SIGNING = (Status.RECEIVED, Status.DISPATCHED)
# Signed for (or reopened) and the requester not yet contacted in this round.
CONTACTABLE = (Status.SIGNED, Status.REOPENED)


def expect(order: WorkOrder, *allowed: Status) -> None:
    if order.status not in allowed:
        wanted = " or ".join(s.value for s in allowed)
        raise Conflict(f"The order is {order.status.value}; this action needs {wanted}.", "wrong_status")


def sign(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
    """签收: the first receiver acknowledges the order."""
    expect(order, Status.DISPATCHED)
    late = order.sign_by is not None and now > order.sign_by
    return order.record(
        now,
        staff.event(now, "signed", code="signed_late" if late else None),
        status=Status.SIGNED,
        signed_at=now,
    )


def contact(note: str | None) -> Action:
    """The unit contacted the requester (Art. 15 (1)); the response time is measured to here."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        expect(order, *CONTACTABLE)
        start = order.dispatched_at or order.created_at
        minutes = math.ceil((now - start).total_seconds() / 60)
        late = order.contact_by is not None and now > order.contact_by
        return order.record(
            now,
            staff.event(
                now, "contacted", note, code="contacted_late" if late else "contacted", minutes=str(minutes)
            ),
            status=Status.IN_PROGRESS,
            contacted_at=now,
        )

    return act


def progress(note: str) -> Action:
    """阶段性办理情况: an interim report, owed when the deadline cannot be met (Art. 14)."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        expect(order, *WORKING)
        return order.record(now, staff.event(now, "progress", note))

    return act


def reply(result: str, resolved_claim: bool) -> Action:
    """办结反馈: the result, fed back to the requester and the hotline (Art. 15 (3))."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        ready_to_reply(order)
        answer = Reply(result=result, resolved_claim=resolved_claim, at=now)
        return order.record(now, staff.event(now, "replied", result), status=Status.REPLIED, reply=answer)

    return act


def ready_to_reply(order: WorkOrder) -> None:
    """A reply needs the order in progress and every assisting unit's report in (Art. 14)."""
    expect(order, Status.IN_PROGRESS)
    waiting = [a.unit for a in order.assists if a.open]
    if waiting:
        raise Conflict(
            f"Assisting units have not reported yet: {', '.join(waiting)}; wait or release them.",
            "assists_pending",
        )


def perform(
    order: WorkOrder,
    version: int,
    staff: Staff,
    action: Action,
    *,
    orders: WorkOrders,
    workflows: Workflows,
    clock: Clock,
) -> WorkOrder:
    """Apply an action the caller is allowed (the entry point checked scope and role): the version
    it read, then the status, then one conditional write, then wake the workflow.

    When the wake-up comes too late (a timer spent the token meanwhile) nothing is lost: the
    workflow reads the stored order at its next step."""
    if order.version != version:
        raise StaleVersion()
    changed = action(order, staff, clock.now())
    return commit(order, changed, orders=orders, workflows=workflows)


def commit(order: WorkOrder, changed: WorkOrder, *, orders: WorkOrders, workflows: Workflows) -> WorkOrder:
    """Write `changed` if the order is still as read, and wake the workflow waiting on it (or start
    a new run of it when a dispatcher reinstated the order)."""
    if changed.reinstated > order.reinstated:
        # Written as waiting for the new run: a start not taken is the reconciler's to make.
        orders.update(changed, expected_version=order.version, pending_run=changed.reinstated)
        start_run(workflows, changed.id, changed.reinstated)
        return changed
    token = orders.update(changed, expected_version=order.version)
    if token:
        workflows.resume(token, changed.id)
    return changed


def start_run(workflows: Workflows, order_id: str, run: int) -> bool:
    """Start the order's run now if Step Functions takes it. A stored order is accepted whatever
    happens here: one whose start was not taken waits for the reconciler, which starts it within
    minutes (the order was written as waiting for that run)."""
    try:
        workflows.start(order_id, run)
    except WorkflowUnavailable:
        return False
    return True
