"""Every accepted order has a running workflow, whatever failed between the write and the start.

Intake (and a reinstatement) writes the order as waiting for its workflow run, then starts the
run; the run's first parked task token takes the order off the waiting list. When the start was
not taken (throttled, unreachable) or the process died before it, the order still waits, and
`reconcile` — scheduled every few minutes in AWS, run at start-up and periodically on the local
stack — starts the run under its own name, so a start that did go through is not doubled. A run
that failed (a task kept failing after the state machine's retries) is redriven while its order
is open.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel

from .errors import WorkflowUnavailable
from .model import Status, WorkOrder
from .ports import Clock, OrderQuery, RunStatus, Workflows, WorkOrders
from .triage import SETTLED

# A run started at intake parks its first token within seconds; younger waiting orders are left
# to their own start.
GRACE = timedelta(minutes=2)
# A run that failed this often after being redriven needs a person (the failed-executions alarm).
MAX_REDRIVES = 5
FAILED = (RunStatus.FAILED, RunStatus.TIMED_OUT)


class Reconciliation(BaseModel):
    """What one pass did."""

    started: int = 0  # runs that had never started
    redriven: int = 0  # failed runs of open orders, restarted where they failed
    running: int = 0  # started and not parked yet (dispatching, or retrying a failing task)
    not_needed: int = 0  # waiting orders that need no run any more (settled, closed, a newer run)
    unavailable: int = 0  # starts or redrives not taken this time: the next pass tries again
    left: int = 0  # failed too often, ended, or stopped by an operator: left to a person


def needs_run(order: WorkOrder) -> bool:
    """An open order: received, or held by a unit, or in follow-up; not settled, not closed."""
    return order.status not in SETTLED and order.status is not Status.CLOSED


def reconcile(
    *,
    orders: WorkOrders,
    workflows: Workflows,
    clock: Clock,
    grace: timedelta = GRACE,
    limit: int = 500,
) -> Reconciliation:
    done = Reconciliation()
    seen: set[tuple[str, int]] = set()
    for pending in orders.pending_runs(clock.now() - grace, limit):
        seen.add((pending.order_id, pending.run))
        order = orders.get(pending.order_id)
        if order is None or not needs_run(order) or order.reinstated != pending.run:
            orders.run_settled(pending.order_id, pending.run)
            done.not_needed += 1
            continue
        _bring_up(order, pending.run, orders, workflows, done)
    for failed in workflows.failed_runs(limit):
        if (failed.order_id, failed.run) in seen:
            continue
        seen.add((failed.order_id, failed.run))
        order = orders.get(failed.order_id)
        if order is not None and needs_run(order) and order.reinstated == failed.run:
            _bring_up(order, failed.run, orders, workflows, done)
    return done


def sweep(*, orders: WorkOrders, workflows: Workflows, page_size: int = 100) -> Reconciliation:
    """Every open order, whether or not it waits for a run: after the table was restored (from a
    point-in-time backup in AWS, from the snapshot of the local stack), its orders' runs are gone
    and none of them is on the waiting list. Walks the status index; not scheduled."""
    done = Reconciliation()
    for status in Status:
        if status in SETTLED or status is Status.CLOSED:
            continue
        cursor: str | None = None
        while True:
            page = orders.find(OrderQuery(status=status.value, limit=page_size, cursor=cursor))
            for order in page.items:
                _bring_up(order, order.reinstated, orders, workflows, done)
            if page.next is None:
                break
            cursor = page.next
    return done


def _bring_up(
    order: WorkOrder, run: int, orders: WorkOrders, workflows: Workflows, done: Reconciliation
) -> None:
    """Start the order's run if it never started, redrive it if it failed."""
    try:
        state = workflows.state(order.id, run)
        if state is None:
            workflows.start(order.id, run)
            done.started += 1
            return
        if state.status in (RunStatus.RUNNING, RunStatus.PENDING_REDRIVE):
            done.running += 1
            return
        if state.status in FAILED and state.redrives < MAX_REDRIVES and workflows.redrive(order.id, run):
            done.redriven += 1
            return
    except WorkflowUnavailable:
        done.unavailable += 1
        return
    # Succeeded (the run ended), stopped by an operator, failed too often or past the redrive
    # window: the same run cannot start again, and another pass would change nothing.
    orders.run_settled(order.id, run)
    done.left += 1
