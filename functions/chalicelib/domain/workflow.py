"""What the order's workflow does at each step: dispatch, then watch deadlines until it closes.

The Step Functions execution (statemachines/work_order.asl.json) is a loop: wait on a task token
until the next checkpoint, then `advance`, which reads the stored order and the clock and decides
what is due. Everything is derived from the stored order, so a wake-up that comes early, late or
twice does no harm (DESIGN.md section 3).
"""

from __future__ import annotations

import contextlib
import math
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel

from .deadlines import TimeLimits
from .dispatch import route
from .errors import Conflict, NotFound, StaleVersion
from .model import Status, TimelineEvent, WorkOrder
from .ports import Clock, Reference, WorkOrders

HANDLING = (Status.DISPATCHED, Status.SIGNED, Status.IN_PROGRESS)


class Phase(StrEnum):
    WAITING = "waiting"
    DONE = "done"


class Checkpoint(BaseModel):
    """The workflow's next step: wait `wait_seconds` (workflow time) for the order at `version`."""

    order_id: str
    phase: Phase
    version: int
    wait_seconds: int = 1


class OrderChanged(Exception):
    """The order changed between reading it and parking the workflow: look again at once."""


def dispatch(
    order_id: str, *, orders: WorkOrders, reference: Reference, clock: Clock, limits: TimeLimits
) -> Checkpoint:
    """派单: route a received order to its first receiver (Art. 12) and set the first checkpoint."""
    order = _get(orders, order_id)
    if order.status is Status.RECEIVED:
        now = clock.now()
        chosen = route(order.location, reference)
        event = TimelineEvent(
            at=now,
            action="dispatched",
            actor_role="system",
            unit=chosen.first_receiver.id,
            internal_note=chosen.why,
        )
        changed = order.model_copy(
            update={
                "status": Status.DISPATCHED,
                "first_receiver": chosen.first_receiver.id,
                "copied_to": [u.id for u in chosen.copied_to],
                "version": order.version + 1,
                "updated_at": now,
                "timeline": [*order.timeline, event],
            }
        )
        with contextlib.suppress(StaleVersion):  # someone acted meanwhile; advance reads what is stored
            orders.update(changed, expected_version=order.version)
    return advance(order_id, orders=orders, clock=clock, limits=limits)


def advance(order_id: str, *, orders: WorkOrders, clock: Clock, limits: TimeLimits) -> Checkpoint:
    """Do what is due now and say how long to wait for the next checkpoint."""
    for _attempt in range(5):
        order = _get(orders, order_id)
        now = clock.now()
        changed, due = _step(order, now, limits)
        if changed is None:
            return _checkpoint(order, due, now)
        try:
            orders.update(changed, expected_version=order.version)
        except StaleVersion:
            continue
        return _checkpoint(changed, due, now)
    raise Conflict("The order keeps changing; the workflow will look again.", "busy")


def park(order_id: str, version: int, token: str, *, orders: WorkOrders) -> None:
    """Store the task token the workflow now waits on, unless the order moved on meanwhile."""
    if not orders.park(order_id, version, token):
        raise OrderChanged(order_id)


def _step(order: WorkOrder, now: datetime, limits: TimeLimits) -> tuple[WorkOrder | None, datetime | None]:
    """The change due at `now` (or None) and the time of the next checkpoint (None: done)."""
    if order.status in HANDLING and order.deadline is not None:
        if now < order.deadline:
            return None, order.deadline
        if not order.overdue:
            # Overdue is a flag, not a status: the order keeps going (DESIGN.md section 3).
            event = TimelineEvent(at=now, action="overdue", actor_role="system", unit=order.first_receiver)
            return _with(order, now, event, overdue=True, overdue_at=now), now + _s(limits.overdue_recheck)
        return None, now + _s(limits.overdue_recheck)
    if order.status is Status.REPLIED:
        # 回访 starts when the unit replies (Art. 23).
        until = now + _s(limits.follow_up_window)
        event = TimelineEvent(at=now, action="follow_up_started", actor_role="hotline")
        return _with(order, now, event, status=Status.FOLLOW_UP, follow_up_until=until), until
    if order.status is Status.FOLLOW_UP and order.follow_up_until is not None:
        if now < order.follow_up_until:
            return None, order.follow_up_until
        event = TimelineEvent(at=now, action="closed", actor_role="hotline", note="not_evaluated")
        return _with(
            order, now, event, status=Status.CLOSED, closed_at=now, close_reason="not_evaluated"
        ), None
    if order.status is Status.CLOSED:
        return None, None
    return None, now + _s(limits.overdue_recheck)


def _with(order: WorkOrder, now: datetime, event: TimelineEvent, **changes: object) -> WorkOrder:
    return order.model_copy(
        update={
            **changes,
            "version": order.version + 1,
            "updated_at": now,
            "timeline": [*order.timeline, event],
        }
    )


def _checkpoint(order: WorkOrder, due: datetime | None, now: datetime) -> Checkpoint:
    if due is None:
        return Checkpoint(order_id=order.id, phase=Phase.DONE, version=order.version)
    seconds = max(1, math.ceil((due - now).total_seconds()))
    return Checkpoint(order_id=order.id, phase=Phase.WAITING, version=order.version, wait_seconds=seconds)


def _s(seconds: int) -> timedelta:
    return timedelta(seconds=seconds)


def _get(orders: WorkOrders, order_id: str) -> WorkOrder:
    order = orders.get(order_id)
    if order is None:
        raise NotFound(f"No work order {order_id}.")
    return order
