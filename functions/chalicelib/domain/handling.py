"""A handling unit's actions on an order: sign for, contact the requester, reply (Arts. 14, 15)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from .access import require_first_receiver, require_role
from .errors import Conflict, StaleVersion
from .model import Reply, Staff, Status, TimelineEvent, WorkOrder
from .ports import Clock, Workflows, WorkOrders

Action = Callable[[WorkOrder, Staff, datetime], tuple[WorkOrder, TimelineEvent]]


def _expect(order: WorkOrder, *allowed: Status) -> None:
    if order.status not in allowed:
        wanted = " or ".join(s.value for s in allowed)
        raise Conflict(f"The order is {order.status.value}; this action needs {wanted}.", "wrong_status")


def _event(staff: Staff, now: datetime, action: str, note: str | None = None) -> TimelineEvent:
    role = "handler" if "handler" in staff.roles else sorted(staff.roles)[0]
    return TimelineEvent(
        at=now, action=action, actor_role=role, actor=staff.username, unit=staff.unit, note=note
    )


def sign(order: WorkOrder, staff: Staff, now: datetime) -> tuple[WorkOrder, TimelineEvent]:
    """签收: the first receiver acknowledges the order."""
    _expect(order, Status.DISPATCHED)
    return order.model_copy(update={"status": Status.SIGNED, "signed_at": now}), _event(staff, now, "signed")


def contact(note: str | None) -> Action:
    """The unit contacted the requester (Art. 15 (1)); the response time is measured to here."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> tuple[WorkOrder, TimelineEvent]:
        _expect(order, Status.SIGNED)
        changed = order.model_copy(update={"status": Status.IN_PROGRESS, "contacted_at": now})
        return changed, _event(staff, now, "contacted", note)

    return act


def reply(result: str, resolved_claim: bool) -> Action:
    """办结反馈: the result, fed back to the requester and the hotline (Art. 15 (3))."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> tuple[WorkOrder, TimelineEvent]:
        _expect(order, Status.IN_PROGRESS)
        answer = Reply(result=result, resolved_claim=resolved_claim, at=now)
        return order.model_copy(update={"status": Status.REPLIED, "reply": answer}), _event(
            staff, now, "replied", result
        )

    return act


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
    """Apply a unit action to an order the caller may see: role, then version and status, then
    one conditional write.

    The workflow is woken afterwards. When the wake-up comes too late (the token was spent by a
    timer that fired meanwhile) nothing is lost: the workflow reads the stored order next time."""
    require_role(staff, "handler", "unit_leader")
    require_first_receiver(staff, order)
    if order.version != version:
        raise StaleVersion()
    now = clock.now()
    changed, event = action(order, staff, now)
    changed = changed.model_copy(
        update={"version": version + 1, "updated_at": now, "timeline": [*order.timeline, event]}
    )
    token = orders.update(changed, expected_version=version)
    if token:
        workflows.resume(token)
    return changed
