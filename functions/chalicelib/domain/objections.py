"""Dispatch objections (派单异议 / 退单 / 改派, Art. 12 ¶3 and Art. 14).

The first receiver cannot refuse an order. Its one way out is an objection on duty or
jurisdiction grounds, which a dispatcher reviews: upheld, the order is reassigned (its history
kept); rejected, the unit must handle it and cannot object again."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from .catalogue import Catalogue
from .deadlines import TimeLimits
from .dispatch import assign, chosen
from .errors import Conflict, FieldProblem, InvalidInput, NotFound
from .handling import Action, expect
from .model import Objection, ObjectionGrounds, Staff, Status, TimelineEvent, WorkOrder

UPHOLD = "uphold"
REJECT = "reject"
# Orders objected to this often are shown to supervisors as ping-pong (推诿扯皮).
PINGPONG_OBJECTIONS = 2
# Before or after signing for it, the first receiver may object.
OBJECTABLE = (Status.DISPATCHED, Status.SIGNED)


def order_of(objection_id: str) -> str:
    """An objection's id is `<order id>-<n>`."""
    order_id, _, n = objection_id.rpartition("-")
    if not (order_id.isdigit() and n.isdigit()):
        raise NotFound(f"No objection {objection_id}.")
    return order_id


def pingpong(order: WorkOrder) -> bool:
    return len(order.objections) >= PINGPONG_OBJECTIONS


def rejected(order: WorkOrder) -> bool:
    """The first receiver objected to this order before and was rejected: it handles the order."""
    return any(o.unit == order.first_receiver and o.decision == "rejected" for o in order.objections)


def object_to(grounds: ObjectionGrounds, reason: str) -> Action:
    """The first receiver objects before or after signing for the order, once per unit and order
    when its objection was rejected."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        expect(order, *OBJECTABLE)
        unit = order.first_receiver or ""
        if rejected(order):
            raise Conflict(
                "An objection of this unit to this order was rejected: the unit handles it (Art. 14).",
                "objection_rejected",
            )
        objection = Objection(
            id=f"{order.id}-{len(order.objections) + 1}",
            unit=unit,
            grounds=grounds,
            reason=reason,
            by=staff.username,
            at=now,
            resume_status=order.status,
        )
        return order.record(
            now,
            staff.event(now, "objected", internal_note=reason, code="objected", grounds=grounds.value),
            status=Status.OBJECTED,
            objections=[*order.objections, objection],
        )

    return act


def decide(
    objection_id: str,
    decision: str,
    reassign_to: str | None,
    note: str | None,
    reference: Catalogue,
    limits: TimeLimits,
) -> Action:
    """The dispatcher's review: uphold and reassign, or reject and send the order back."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        pending = order.open_objection()
        if pending is None or pending.id != objection_id:
            if any(o.id == objection_id for o in order.objections):
                raise Conflict("This objection has been decided.", "already_decided")
            raise NotFound(f"No objection {objection_id}.")
        decided = {"decided_by": staff.username, "decided_at": now, "decision_note": note}
        if decision == REJECT:
            objection = pending.model_copy(update={**decided, "decision": "rejected"})
            return order.record(
                now,
                staff.event(now, "objection_rejected", internal_note=note),
                status=pending.resume_status,
                objections=_replace(order, objection),
            )
        if not reassign_to:
            raise InvalidInput(
                "Upholding an objection names the unit to reassign to.",
                [FieldProblem("reassign_to", "required when the decision is uphold")],
            )
        if reassign_to == pending.unit:
            raise InvalidInput(
                "The order cannot be reassigned to the unit that objected.",
                [FieldProblem("reassign_to", "is the unit that objected")],
            )
        route = chosen([reassign_to], reference, "objection_upheld")
        keep = tuple(u for i in order.assisting if i != reassign_to and (u := reference.unit(i)) is not None)
        route = replace(route, assisting=keep)
        objection = pending.model_copy(update={**decided, "decision": "upheld", "reassigned_to": reassign_to})
        reassigned = TimelineEvent(
            at=now,
            action="reassigned",
            actor_role=staff.role,
            actor=staff.username,
            unit=reassign_to,
            internal_note=note,
            code="objection_upheld",
            params={"objection": pending.id, "from": pending.unit},
        )
        return order.record(
            now,
            staff.event(now, "objection_upheld", internal_note=note),
            reassigned,
            objections=_replace(order, objection),
            **assign(order, route, now, limits),
        )

    return act


def _replace(order: WorkOrder, objection: Objection) -> list[Objection]:
    return [objection if o.id == objection.id else o for o in order.objections]
