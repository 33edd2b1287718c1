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
from typing import TYPE_CHECKING

from pydantic import BaseModel

from . import co_handling, extensions, review, revisit
from .catalogue import Catalogue
from .deadlines import TimeLimits
from .dispatch import assign, dispatch_event, kept_route, route
from .errors import Conflict, NotFound, StaleVersion
from .handling import HANDLING
from .model import Category, Status, TimelineEvent, WorkOrder
from .ports import Clock, WorkOrders

if TYPE_CHECKING:
    from .smart_dispatch import DispatchModel


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
    order_id: str,
    *,
    orders: WorkOrders,
    reference: Catalogue,
    clock: Clock,
    limits: TimeLimits,
    model: DispatchModel | None = None,
) -> Checkpoint:
    """派单: send a received order where the catalogue says (Art. 12) and set the first checkpoint.

    An order without a category is dispatched automatically (智能派单) when the dispatch model is
    confident enough of one (`Suggester.automatic`); otherwise it waits for a dispatcher
    (`dispatch.dispatch_by`), who sees the suggestions."""
    order = _get(orders, order_id)
    if order.status is Status.RECEIVED:
        now = clock.now()
        changed = None
        if order.category is not None:
            # The route intake found serves, unless the order was reinstated or changed since.
            chosen = kept_route(order) or route(order.location, reference.category(order.category), reference)
            if chosen is not None:
                # The round starts at receipt: the requester was given that deadline.
                event = dispatch_event(now, chosen, None)
                changed = order.record(now, event, **assign(order, chosen, order.created_at, limits))
        elif model is not None and (found := _automatic(model, reference, order.content)):
            changed = automatically(order, *found, reference, limits, now)
        if changed is not None:
            with contextlib.suppress(StaleVersion):  # a dispatcher acted meanwhile: advance reads it
                orders.update(changed, expected_version=order.version)
    return advance(order_id, orders=orders, clock=clock, limits=limits)


def _automatic(model: DispatchModel, reference: Catalogue, text: str) -> tuple[Category, float] | None:
    from . import suggest  # the model's scorer loads with the first uncategorised order

    return suggest.current(model, reference).automatic(text)


def automatically(
    order: WorkOrder,
    category: Category,
    confidence: float,
    reference: Catalogue,
    limits: TimeLimits,
    now: datetime,
) -> WorkOrder | None:
    """The order sent along the catalogue for the category the model chose, its time limit that
    category's tier from receipt; the timeline says it was the model, which category and how sure."""
    chosen = route(order.location, category, reference)
    if chosen is None:
        return None
    tier = limits.tier_for(category.tier)
    prepared = order.model_copy(update={"tier": tier})
    event = dispatch_event(now, chosen, None).model_copy(
        update={
            "action": "auto_dispatched",
            "params": {
                **chosen.because,
                "category": category.code,
                "category_name": category.name,
                "confidence": f"{confidence:.2f}",
            },
        }
    )
    return prepared.record(
        now,
        event,
        **assign(prepared, chosen, order.created_at, limits, category=category.code, tier=tier),
    )


def advance(order_id: str, *, orders: WorkOrders, clock: Clock, limits: TimeLimits) -> Checkpoint:
    """Do what is due now and say how long to wait for the next checkpoint."""
    for _attempt in range(5):
        order = _get(orders, order_id)
        now = clock.now()
        changed, due = step(order, now, limits)
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


def step(order: WorkOrder, now: datetime, limits: TimeLimits) -> tuple[WorkOrder | None, datetime | None]:
    """The change due at `now` (or None) and the time of the next checkpoint (None: done). An
    extension request that can no longer be decided lapses first: it never holds the deadline."""
    settled = extensions.settle(order, now)
    changed, due = _step(settled or order, now, limits)
    return changed or settled, due


def _step(order: WorkOrder, now: datetime, limits: TimeLimits) -> tuple[WorkOrder | None, datetime | None]:
    if order.status in HANDLING and order.deadline is not None:
        return _watch(order, now, limits)
    if order.status is Status.IN_REVIEW:
        return review.watch(order, now, limits)
    if order.status is Status.REPLIED:
        # 回访 starts when the unit replies (Art. 23).
        until = now + _s(limits.follow_up_window)
        event = TimelineEvent(at=now, action="follow_up_started", actor_role="hotline")
        return order.record(now, event, status=Status.FOLLOW_UP, follow_up_until=until), until
    if order.status is Status.FOLLOW_UP and order.follow_up_until is not None:
        if now < order.follow_up_until:
            return None, order.follow_up_until
        event = TimelineEvent(at=now, action="closed", actor_role="hotline", note="not_evaluated")
        return order.record(
            now,
            event,
            status=Status.CLOSED,
            closed_at=now,
            close_reason="not_evaluated",
            follow_up_until=None,
        ), None
    if order.status is Status.REVISIT:
        return revisit.watch(order, now, limits)
    if order.status in (Status.CLOSED, Status.ANSWERED, Status.NOT_DISPATCHED, Status.MERGED):
        return None, None
    return None, now + _s(limits.overdue_recheck)


def _watch(order: WorkOrder, now: datetime, limits: TimeLimits) -> tuple[WorkOrder | None, datetime]:
    """The unit holds the order: sign-for and contact limits, reminders, the deadline, and the
    follow-up that starts at the deadline at the latest (Art. 23)."""
    assert order.deadline is not None
    unit = order.first_receiver
    events: list[TimelineEvent] = []
    changes: dict[str, object] = {}

    def system(action: str, code: str, **params: str) -> None:
        events.append(
            TimelineEvent(at=now, action=action, actor_role="system", unit=unit, code=code, params=params)
        )

    if order.status is Status.DISPATCHED and order.sign_by and now >= order.sign_by and not order.sign_late:
        changes["sign_late"] = True
        system("sign_overdue", "sign_overdue")
    contactable = order.status in (Status.DISPATCHED, Status.SIGNED, Status.REOPENED)
    if contactable and order.contact_by and now >= order.contact_by and not order.contact_late:
        changes["contact_late"] = True
        system("contact_overdue", "contact_overdue")
    assists, late = co_handling.due(order, now)
    if late:
        changes["assists"] = assists
        events.extend(late)
    points = _reminder_points(order, limits)
    passed = [pct for pct, at in points if at <= now and pct not in order.reminded]
    if passed and now < order.deadline:
        changes["reminded"] = sorted({*order.reminded, *passed})
        system("reminded", "reminded", percent=str(max(passed)))
    if now >= order.deadline and not order.overdue:
        # Overdue is a flag, not a status: the order keeps going (DESIGN.md section 3).
        changes |= {"overdue": True, "overdue_at": now}
        system("overdue", "overdue")
        if order.follow_up_until is None:
            changes["follow_up_until"] = now + _s(limits.follow_up_window)
            events.append(TimelineEvent(at=now, action="follow_up_started", actor_role="hotline"))
    elif order.follow_up_until is not None and now >= order.follow_up_until:
        changes["follow_up_until"] = None
        events.append(
            TimelineEvent(
                at=now,
                action="follow_up_lapsed",
                actor_role="hotline",
                code="follow_up_lapsed",
            )
        )
    changed = order.record(now, *events, **changes) if events else None
    return changed, _next_due(changed or order, now, limits)


def _next_due(current: WorkOrder, now: datetime, limits: TimeLimits) -> datetime:
    """The next limit, reminder or deadline the workflow wakes up for."""
    upcoming = [
        at for pct, at in _reminder_points(current, limits) if at > now and pct not in current.reminded
    ]
    if current.status is Status.DISPATCHED and current.sign_by and not current.sign_late:
        upcoming.append(current.sign_by)
    if current.contact_by and not current.contact_late and current.contacted_at is None:
        upcoming.append(current.contact_by)
    if not current.overdue:
        upcoming.append(current.deadline or now)
    if current.follow_up_until is not None:
        upcoming.append(current.follow_up_until)
    upcoming += [a.deadline for a in current.assists if a.open and not a.late]
    upcoming = [at for at in upcoming if at > now]
    return min(upcoming, default=now + _s(limits.overdue_recheck))


def _reminder_points(order: WorkOrder, limits: TimeLimits) -> list[tuple[int, datetime]]:
    if order.deadline is None or order.dispatched_at is None or order.overdue:
        return []
    span = order.deadline - order.dispatched_at
    return [(pct, order.dispatched_at + span * pct / 100) for pct in limits.reminders]


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
