"""Assessment appeals (考核申诉, Art. 32).

A unit that thinks a closed order was unfairly counted against it (dispatched to the wrong unit,
an unreasonable requester, a matter outside its duties) appeals with its evidence, within the
configured deadlines: so many days after the order closed, and no later than so many days after
the end of the month the order is assessed in (the month it was received, as the monthly run
counts). An assessment officer upholds or rejects it, with a reason; a unit appeals an order once.
An upheld appeal takes the order out of the unit's rates from the next monthly run of its month on
(facts.py's `appeal_upheld`, counted as excluded by statemachines/queries/rates.sql)."""

from __future__ import annotations

from datetime import datetime, timedelta

from .access import Permission, require
from .appeal_records import Appeal, AppealDecision, AppealGrounds
from .beijing import BEIJING
from .deadlines import TimeLimits
from .errors import Conflict
from .handling import Action
from .model import Staff, Status, TimelineEvent, WorkOrder
from .ports import OrderQuery, Page, WorkOrders

UPHOLD = "uphold"
REJECT = "reject"


def _month_end(at: datetime) -> datetime:
    """The first instant, Beijing time, of the month after the one `at` falls in."""
    local = at.astimezone(BEIJING)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return datetime(year, month, 1, tzinfo=BEIJING)


def appeal_until(order: WorkOrder, limits: TimeLimits) -> datetime | None:
    """The last instant the first receiver may appeal the order; None: the order counts in no
    unit's rates as a closed order does (not dispatched, or not closed yet)."""
    if order.status is not Status.CLOSED or order.closed_at is None:
        return None
    if order.first_receiver is None or order.dispatched_at is None:
        return None
    after_close = order.closed_at + timedelta(seconds=limits.appeal_after_close)
    after_month = _month_end(order.created_at) + timedelta(seconds=limits.appeal_after_month)
    return min(after_close, after_month)


def appealable(order: WorkOrder, limits: TimeLimits) -> bool:
    """Closed, counted in the unit's rates, not appealed before (its deadline aside)."""
    return (
        appeal_until(order, limits) is not None
        and order.appeal is None
        and not order.adjudicated_unreasonable
    )


def pending(order: WorkOrder) -> bool:
    return order.appeal is not None and order.appeal.decision is None


def lodge(grounds: AppealGrounds, evidence: str, limits: TimeLimits) -> Action:
    """The first receiver appeals the order, before its deadline, once."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        until = appeal_until(order, limits)
        if until is None:
            raise Conflict(
                f"The order is {order.status.value}; a unit appeals a closed order it handled.",
                "wrong_status",
            )
        if order.appeal is not None:
            raise Conflict("The unit has appealed this order already.", "already_appealed")
        if order.adjudicated_unreasonable:
            raise Conflict("The order is judged unreasonable: it does not count already.", "already_excluded")
        if now >= until:
            raise Conflict(f"The appeal deadline passed at {until.isoformat()}.", "appeal_deadline_passed")
        appeal = Appeal(
            unit=order.first_receiver or "",
            grounds=grounds,
            evidence=evidence,
            by=staff.username,
            at=now,
            until=until,
        )
        event = staff.event(now, "appealed", internal_note=evidence, code="appealed", grounds=grounds.value)
        return order.record(now, event, appeal=appeal)

    return act


def decide(decision: str, note: str) -> Action:
    """The assessment officer upholds the pending appeal (the order leaves the unit's rates) or
    rejects it (the order counts as it did); the reason is on the timeline either way."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        appeal = order.appeal
        if appeal is None:
            raise Conflict("No appeal is pending on this order.", "no_appeal")
        if appeal.decision is not None:
            raise Conflict("This appeal has been decided.", "appeal_decided")
        outcome = AppealDecision.UPHELD if decision == UPHOLD else AppealDecision.REJECTED
        decided = appeal.model_copy(
            update={
                "decision": outcome,
                "decided_by": staff.username,
                "decided_at": now,
                "decision_note": note,
            }
        )
        event = TimelineEvent(
            at=now,
            action=f"appeal_{outcome.value}",
            actor_role=staff.role,
            actor=staff.username,
            unit=appeal.unit,
            internal_note=note,
            code=f"appeal_{outcome.value}",
            params={"grounds": appeal.grounds.value},
        )
        return order.record(now, event, appeal=decided)

    return act


def queue(staff: Staff, limit: int, cursor: str | None, *, orders: WorkOrders) -> Page:
    """The appeals awaiting a decision, oldest first: the assessment officers' queue."""
    require(staff, Permission.DECIDE_APPEAL)
    return orders.find(OrderQuery(appeals=True, limit=limit, cursor=cursor))
