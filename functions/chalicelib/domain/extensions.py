"""延期审批 (Art. 15): the first receiver asks for a later deadline with a reason; a supervisor of the
hotline centre approves it (the deadline moves, the requester is told the reason and the new
deadline) or refuses it with a reason (the old deadline stands).

A request does not hold the deadline: one still undecided when the deadline passes lapses and the
order becomes overdue like any other. Each tier limits how many extensions one handling round may
have and how far past the round's own deadline they may move it (TimeLimits, Tier)."""

from __future__ import annotations

from datetime import datetime, timedelta

from .deadlines import TimeLimits
from .errors import Conflict, FieldProblem, InvalidInput
from .handling import WORKING, Action, expect
from .model import (
    Extension,
    ExtensionDecision,
    ExtensionRequest,
    Staff,
    Status,
    TimelineEvent,
    WorkOrder,
)

APPROVE = "approve"
REFUSE = "refuse"


def granted(order: WorkOrder) -> list[Extension]:
    """The extensions of the current handling round (a reassignment or a reopening starts a new one)."""
    start = order.dispatched_at
    return [x for x in order.extensions if start is None or x.at >= start]


def room(order: WorkOrder, limits: TimeLimits) -> tuple[int, datetime | None]:
    """How many more extensions the round may have, and the latest deadline they may reach."""
    tier = limits.tier_of(order)
    this_round = granted(order)
    base = this_round[0].previous_deadline if this_round else order.deadline
    latest = base + timedelta(seconds=tier.extended_by) if base is not None else None
    return tier.extensions - len(this_round), latest


def more_allowed(order: WorkOrder, limits: TimeLimits) -> bool:
    """The order's tier allows one more extension in this round, and a later deadline still."""
    left, latest = room(order, limits)
    return left > 0 and (latest is None or order.deadline is None or latest > order.deadline)


def _within_limits(order: WorkOrder, new_deadline: datetime, now: datetime, limits: TimeLimits) -> None:
    current = order.deadline
    if current is None or now >= current:
        raise Conflict(
            "The deadline has passed; an extension is asked for and decided before it.", "deadline_passed"
        )
    latest = room(order, limits)[1]
    if not more_allowed(order, limits):
        raise Conflict(
            "The order's tier allows no more extensions in this handling round.", "extension_limit"
        )
    if new_deadline <= current:
        raise InvalidInput(
            "The new deadline must be later than the current one.",
            [FieldProblem("new_deadline", f"must be after {current.isoformat()}")],
        )
    if latest is not None and new_deadline > latest:
        raise InvalidInput(
            "The extension is longer than the order's tier allows.",
            [FieldProblem("new_deadline", f"at most {latest.isoformat()}")],
        )


def ask(reason: str, new_deadline: datetime, limits: TimeLimits) -> Action:
    """The first receiver asks for a later deadline, before the current one and within its tier's
    limits, one request at a time; the deadline stays as it is until a supervisor approves."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        expect(order, *WORKING)
        if order.open_extension_request() is not None:
            raise Conflict(
                "An extension request of this order awaits the hotline's decision.", "extension_pending"
            )
        _within_limits(order, new_deadline, now, limits)
        assert order.deadline is not None  # _within_limits saw one
        request = ExtensionRequest(
            reason=reason,
            new_deadline=new_deadline,
            deadline=order.deadline,
            unit=order.first_receiver or "",
            by=staff.username,
            at=now,
        )
        event = staff.event(
            now,
            "extension_requested",
            internal_note=reason,
            code="extension_requested",
            new_deadline=new_deadline.isoformat(),
        )
        return order.record(now, event, extension_requests=[*order.extension_requests, request])

    return act


def decide(decision: str, reason: str | None, limits: TimeLimits) -> Action:
    """A supervisor approves the open request (checked again against the tier's limits, which an
    admin may have changed meanwhile) or refuses it, saying why; both before the deadline."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        request = order.open_extension_request()
        if request is None:
            raise Conflict("No extension request of this order awaits a decision.", "no_extension_request")
        expect(order, *WORKING)
        if decision == REFUSE and not reason:
            raise InvalidInput(
                "A refusal says why.", [FieldProblem("reason", "required when the decision is refuse")]
            )
        if _lapses(order, request, now) is not None:
            raise Conflict(
                "The deadline has passed; the request can no longer be decided.", "deadline_passed"
            )
        stamp = {"decided_by": staff.username, "decided_at": now, "decision_note": reason}
        if decision == REFUSE:
            refused = request.model_copy(update={**stamp, "decision": ExtensionDecision.REFUSED})
            event = staff.event(
                now,
                "extension_refused",
                internal_note=reason,
                code="extension_refused",
                new_deadline=request.new_deadline.isoformat(),
            )
            return order.record(now, event, extension_requests=_replace(order, refused))
        _within_limits(order, request.new_deadline, now, limits)
        approved = request.model_copy(update={**stamp, "decision": ExtensionDecision.APPROVED})
        return _approve(order, approved, staff, now)

    return act


def _approve(order: WorkOrder, request: ExtensionRequest, staff: Staff, now: datetime) -> WorkOrder:
    extension = Extension(
        reason=request.reason,
        previous_deadline=request.deadline,
        new_deadline=request.new_deadline,
        unit=request.unit,
        at=now,
        approved_by=staff.username,
    )
    # The public reads the unit's reason and the new deadline on this entry, named for the unit (Art. 15).
    event = staff.event(
        now,
        "extended",
        request.reason,
        request.decision_note,
        code="extended",
        previous_deadline=request.deadline.isoformat(),
    ).model_copy(update={"unit": request.unit})
    return order.record(
        now,
        event,
        deadline=request.new_deadline,
        extensions=[*order.extensions, extension],
        extension_requests=_replace(order, request),
        reminded=[],  # the reminders count again towards the new deadline
    )


def _lapses(order: WorkOrder, request: ExtensionRequest, now: datetime) -> str | None:
    """Why an open request can no longer be decided, or None while it can (an objection under
    review only pauses it)."""
    if order.first_receiver != request.unit:
        return "reassigned"
    if order.deadline != request.deadline:
        return "deadline_changed"
    if now >= request.deadline:
        return "deadline_passed"
    if order.status not in (*WORKING, Status.OBJECTED):
        return "replied"
    return None


def settle(order: WorkOrder, now: datetime) -> WorkOrder | None:
    """The order with its open request lapsed when it can no longer be decided (the workflow looks at
    every checkpoint, the deadline's among them), or None."""
    request = order.open_extension_request()
    why = _lapses(order, request, now) if request is not None else None
    if request is None or why is None:
        return None
    lapsed = request.model_copy(update={"decision": ExtensionDecision.LAPSED, "decided_at": now})
    event = TimelineEvent(
        at=now,
        action="extension_lapsed",
        actor_role="system",
        unit=request.unit,
        code="extension_lapsed",
        params={"why": why},
    )
    return order.record(now, event, extension_requests=_replace(order, lapsed))


def approvable(order: WorkOrder, limits: TimeLimits) -> bool:
    """The open request is within the tier's limits as they stand (else it can only be refused)."""
    request = order.open_extension_request()
    if request is None:
        return False
    try:
        _within_limits(order, request.new_deadline, request.at, limits)
    except (Conflict, InvalidInput):
        return False
    return True


def awaiting(order: WorkOrder) -> bool:
    """The order has a request a supervisor can decide before the deadline (the queue of pending
    requests; an objection under review takes an order out of it for a while)."""
    request = order.open_extension_request()
    return request is not None and order.status in WORKING and _lapses(order, request, request.at) is None


def _replace(order: WorkOrder, request: ExtensionRequest) -> list[ExtensionRequest]:
    return [*order.extension_requests[:-1], request]
