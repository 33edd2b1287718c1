"""Co-handling (协办, Art. 14): the first receiver leads; assisting units cooperate and report.

The first receiver adds assisting units, each with its own deadline. An assisting unit signs for
its part, reports its result to the first receiver, or — when it cannot finish in time — explains
why in an interim report. One that misses its deadline is flagged; that counts against it, not
against the first receiver. The first receiver replies only once every assist is reported or
released."""

from __future__ import annotations

from datetime import datetime

from .catalogue import Catalogue
from .errors import Conflict, FieldProblem, Forbidden, InvalidInput
from .handling import WORKING, Action, expect
from .model import Assist, AssistStatus, Staff, Status, TimelineEvent, WorkOrder

# The statuses in which assisting units work: the first receiver still holds the order.
ASSISTABLE = (Status.DISPATCHED, *WORKING)


def request(units: list[str], deadline: datetime, reference: Catalogue) -> Action:
    """The first receiver asks other units to assist, by `deadline` (at most the order's own)."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        expect(order, *WORKING)
        problems: list[FieldProblem] = []
        for i, unit_id in enumerate(units):
            known = order.assist(unit_id)
            if reference.unit(unit_id) is None:
                problems.append(FieldProblem(f"units.{i}", f"no unit {unit_id}"))
            elif unit_id == order.first_receiver or (known is not None and known.open):
                problems.append(FieldProblem(f"units.{i}", f"{unit_id} already handles this order"))
        if deadline <= now or (order.deadline is not None and deadline > order.deadline):
            problems.append(
                FieldProblem("deadline", "must be in the future and not after the order's deadline")
            )
        if problems:
            raise InvalidInput("The assisting units cannot be added.", problems)
        added = [Assist(unit=u, deadline=deadline, requested_at=now) for u in units]
        kept = [a for a in order.assists if a.unit not in units]
        events = [
            staff.event(
                now, "assist_requested", code="assist_requested", unit=u, deadline=deadline.isoformat()
            )
            for u in units
        ]
        return order.record(now, *events, assists=[*kept, *added])

    return act


def _own(order: WorkOrder, staff: Staff) -> Assist:
    assist = order.assist(staff.unit or "")
    if assist is None:
        raise Forbidden("Only an assisting unit's staff act on its part of the order.")
    return assist


def _changed(
    order: WorkOrder, assist: Assist, now: datetime, event: TimelineEvent, **changes: object
) -> WorkOrder:
    updated = assist.model_copy(update=changes)
    return order.record(now, event, assists=[updated if a.unit == assist.unit else a for a in order.assists])


def sign(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
    """The assisting unit acknowledges its part."""
    assist = _own(order, staff)
    expect(order, *ASSISTABLE)
    if assist.status is not AssistStatus.REQUESTED:
        raise Conflict(f"This assist is {assist.status.value}.", "wrong_status")
    return _changed(
        order, assist, now, staff.event(now, "assist_signed"), status=AssistStatus.SIGNED, signed_at=now
    )


def report(result: str) -> Action:
    """The assisting unit reports its result to the first receiver (Art. 14)."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        assist = _own(order, staff)
        expect(order, *ASSISTABLE)
        if not assist.open:
            raise Conflict(f"This assist is {assist.status.value}.", "wrong_status")
        late = assist.late or now > assist.deadline
        return _changed(
            order,
            assist,
            now,
            staff.event(now, "assist_reported", internal_note=result),
            status=AssistStatus.REPORTED,
            reported_at=now,
            result=result,
            late=late,
        )

    return act


def explain(note: str) -> Action:
    """It cannot finish in time: the reason and the progress so far, to the first receiver."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        assist = _own(order, staff)
        expect(order, *ASSISTABLE)
        if not assist.open:
            raise Conflict(f"This assist is {assist.status.value}.", "wrong_status")
        return order.record(now, staff.event(now, "assist_progress", internal_note=note))

    return act


def release(unit: str, reason: str) -> Action:
    """The first receiver no longer needs an assisting unit's part."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        expect(order, *ASSISTABLE)
        assist = order.assist(unit)
        if assist is None:
            raise InvalidInput("No such assisting unit.", [FieldProblem("unit", f"{unit} does not assist")])
        if not assist.open:
            raise Conflict(f"This assist is {assist.status.value}.", "wrong_status")
        event = staff.event(now, "assist_released", internal_note=reason, code="assist_released", unit=unit)
        return _changed(order, assist, now, event, status=AssistStatus.RELEASED)

    return act


def pending(order: WorkOrder) -> list[Assist]:
    return [a for a in order.assists if a.open]


def due(order: WorkOrder, now: datetime) -> tuple[list[Assist], list[TimelineEvent]]:
    """Assists whose deadline passed unreported: flagged once, counted against their unit."""
    assists: list[Assist] = []
    events: list[TimelineEvent] = []
    for assist in order.assists:
        if assist.open and not assist.late and now >= assist.deadline:
            assist = assist.model_copy(update={"late": True})
            events.append(
                TimelineEvent(
                    at=now,
                    action="assist_overdue",
                    actor_role="system",
                    unit=assist.unit,
                    code="assist_overdue",
                )
            )
        assists.append(assist)
    return assists, events
