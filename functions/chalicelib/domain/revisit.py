"""差评二次回访: a dissatisfied or unresolved rating is not sent back to the unit at once. A
supervisor calls the requester back within the time limit (TimeLimits.revisit_window), records
what the call found and decides: reopen to the same unit (重办), close with the rating counted, or
close and leave the order out of the unit's rates (the exclusion of 不合理诉求认定, DESIGN.md
section 8). Each decision is on the timeline with its finding and reason."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationInfo, field_validator

from .deadlines import TimeLimits, new_round
from .errors import Conflict
from .handling import Action, expect
from .model import Evaluation, Satisfaction, Staff, Status, TimelineEvent, WorkOrder
from .revisit_record import Finding, Revisit, RevisitDecision

# The decisions each finding allows: a unit that did not do the work is not excused, and a request
# found unreasonable (or a rating of a policy) is not handled again.
FITTING: dict[Finding, tuple[RevisitDecision, ...]] = {
    Finding.UNIT_AT_FAULT: (RevisitDecision.REOPEN, RevisitDecision.CLOSE),
    Finding.UNREASONABLE: (RevisitDecision.CLOSE, RevisitDecision.EXCLUDE),
    Finding.POLICY: (RevisitDecision.CLOSE, RevisitDecision.EXCLUDE),
}
DOES_NOT_FIT = "does not fit the finding"


class Verdict(BaseModel):
    """What the supervisor found on calling back, what is decided, and why."""

    model_config = ConfigDict(extra="forbid")

    finding: Finding
    decision: RevisitDecision
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=2000)]

    @field_validator("decision")
    @classmethod
    def _fits(cls, decision: RevisitDecision, info: ValidationInfo) -> RevisitDecision:
        finding = info.data.get("finding")
        if finding is not None and decision not in FITTING[finding]:
            raise ValueError(DOES_NOT_FIT)
        return decision


def bad(evaluation: Evaluation) -> bool:
    """A rating that calls for a second follow-up: not resolved, or dissatisfied."""
    return not evaluation.resolved or evaluation.satisfaction is Satisfaction.DISSATISFIED


def open_revisit(
    order: WorkOrder, now: datetime, evaluated: TimelineEvent, evaluation: Evaluation, limits: TimeLimits
) -> WorkOrder:
    """The rated order waits for a supervisor's call instead of going back to the unit."""
    due = now + timedelta(seconds=limits.revisit_window)
    task = Revisit(opened_at=now, due=due, may_reopen=order.reopen_count < limits.max_reopens)
    opened = _about(order, now, "revisit_opened", "hotline", due=due.isoformat())
    return order.record(
        now,
        evaluated,
        opened,
        status=Status.REVISIT,
        evaluation=evaluation,
        follow_up_until=None,
        revisits=[*order.revisits, task],
    )


def pending(order: WorkOrder) -> Revisit | None:
    """The second follow-up waiting for a decision, if the order is in one."""
    last = order.revisits[-1] if order.revisits else None
    return last if order.status is Status.REVISIT and last is not None and last.decision is None else None


def decisions(order: WorkOrder) -> dict[str, list[str | bool]]:
    """The findings and, for each, the decisions open now: what the portal offers."""
    task = pending(order)
    may_reopen = task is not None and task.may_reopen
    open_now = [d for d in RevisitDecision if d is not RevisitDecision.REOPEN or may_reopen]
    choices: dict[str, list[str | bool]] = {
        "finding": [f.value for f in Finding],
        "decision": [d.value for d in open_now],
    }
    for finding, fitting in FITTING.items():
        choices[f"decision.{finding.value}"] = [d.value for d in fitting if d in open_now]
    return choices


def decide(verdict: Verdict, limits: TimeLimits) -> Action:
    """The supervisor's decision after the call, with its finding and reason on the timeline."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        expect(order, Status.REVISIT)
        task = pending(order)
        if task is None:
            raise Conflict("The order has no second follow-up to decide.", "wrong_status")
        if verdict.decision is RevisitDecision.REOPEN and not task.may_reopen:
            raise Conflict("The order was reopened as often as the time limits allow.", "reopen_limit")
        done = task.model_copy(
            update={
                "finding": verdict.finding,
                "decision": verdict.decision,
                "reason": verdict.reason,
                "decided_by": staff.username,
                "decided_at": now,
            }
        )
        decided = staff.event(
            now,
            "revisited",
            internal_note=verdict.reason,
            code=f"revisit_{verdict.decision.value}",
            finding=verdict.finding.value,
        )
        revisits = [*order.revisits[:-1], done]
        if verdict.decision is RevisitDecision.REOPEN:
            return _reopen(order, now, decided, revisits, limits)
        excluded = verdict.decision is RevisitDecision.EXCLUDE or order.adjudicated_unreasonable
        return close(order, now, "revisited", decided, revisits=revisits, adjudicated_unreasonable=excluded)

    return act


def _reopen(
    order: WorkOrder, now: datetime, decided: TimelineEvent, revisits: list[Revisit], limits: TimeLimits
) -> WorkOrder:
    """重办: back to the same unit for a new round with a fresh deadline (Art. 23)."""
    reopened = TimelineEvent(at=now, action="reopened", actor_role="hotline", unit=order.first_receiver)
    return order.record(
        now,
        decided,
        reopened,
        status=Status.REOPENED,
        revisits=revisits,
        reopen_count=order.reopen_count + 1,
        reply=None,
        contacted_at=None,
        **new_round(now, order.tier, limits),
    )


def watch(order: WorkOrder, now: datetime, limits: TimeLimits) -> tuple[WorkOrder | None, datetime]:
    """The workflow's look at an order waiting for its second follow-up: flag the call late once
    the time limit passed (the supervisors are told), then wait for the decision."""
    task = pending(order)
    recheck = now + timedelta(seconds=limits.overdue_recheck)
    if task is None or task.late:
        return None, recheck
    if now < task.due:
        return None, task.due
    late = _about(order, now, "revisit_overdue", "system")
    changed = order.record(now, late, revisits=[*order.revisits[:-1], task.model_copy(update={"late": True})])
    return changed, recheck


def close(order: WorkOrder, now: datetime, how: str, *events: TimelineEvent, **changes: object) -> WorkOrder:
    """The order closed after its follow-up: `how` says by what (evaluated, revisited)."""
    closed = TimelineEvent(at=now, action="closed", actor_role="hotline", note=how)
    return order.record(
        now,
        *events,
        closed,
        status=Status.CLOSED,
        closed_at=now,
        close_reason=how,
        follow_up_until=None,
        **changes,
    )


def _about(order: WorkOrder, now: datetime, code: str, actor_role: str, **params: str) -> TimelineEvent:
    """An event of the call-back about the unit's order, the code its action."""
    return TimelineEvent(
        at=now, action=code, actor_role=actor_role, unit=order.first_receiver, code=code, params=params
    )
