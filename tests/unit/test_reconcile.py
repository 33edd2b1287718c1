"""Every accepted order has a running workflow, whatever fails between the write and the start."""

from datetime import timedelta

import pytest
from chalicelib.domain import handling, intake, reconcile, triage, workflow
from chalicelib.domain.model import Channel, Status
from chalicelib.domain.ports import RunStatus
from chalicelib.reference_data import emergency_words

from tests.fakes import StepFunctionsDouble
from tests.unit.conftest import DISPATCHER


@pytest.fixture
def throttled():
    """Step Functions refusing every start, and answering every other call."""
    return StepFunctionsDouble(refuse=lambda operation: operation == "start")


def receive(submission, orders, reference, workflows, clock, limits, key=None, **changes):
    return intake.receive(
        submission.model_copy(update=changes),
        Channel.WEB,
        orders=orders,
        reference=reference,
        workflows=workflows,
        clock=clock,
        limits=limits,
        emergencies=emergency_words(),
        idempotency_key=key,
    )


def later(clock, minutes=3):
    clock.advance(minutes=minutes)


def reconcile_with(orders, workflows, clock):
    return reconcile.reconcile(orders=orders, workflows=workflows, clock=clock)


def test_an_order_is_accepted_when_its_workflow_start_is_throttled(
    submission, orders, reference, throttled, clock, limits
):
    receipt = receive(submission, orders, reference, throttled, clock, limits)

    assert receipt.status is Status.RECEIVED
    assert orders.get(receipt.id).status is Status.RECEIVED
    assert throttled.refused["start"] == 1
    assert [(p.order_id, p.run) for p in orders.pending_runs(clock.now() + timedelta(seconds=1), 10)] == [
        (receipt.id, 0)
    ]


def test_the_reconciler_starts_the_run_a_throttled_intake_could_not(
    submission, orders, reference, throttled, clock, limits
):
    receipt = receive(submission, orders, reference, throttled, clock, limits)
    throttled.refuse = lambda operation: False
    later(clock)

    done = reconcile_with(orders, throttled, clock)

    assert done.started == 1
    assert set(throttled.executions) == {f"order-{receipt.id}"}


def test_an_order_leaves_the_waiting_list_when_its_run_parks(
    submission, orders, reference, workflows, clock, limits
):
    receipt = receive(submission, orders, reference, workflows, clock, limits)
    checkpoint = workflow.dispatch(receipt.id, orders=orders, reference=reference, clock=clock, limits=limits)

    workflow.park(receipt.id, checkpoint.version, "token-1", orders=orders)

    later(clock)
    assert orders.pending_runs(clock.now(), 10) == []


def test_a_run_that_started_but_has_not_parked_is_not_started_again(
    submission, orders, reference, clock, limits
):
    sfn = StepFunctionsDouble()
    receipt = receive(submission, orders, reference, sfn, clock, limits)
    later(clock)

    done = reconcile_with(orders, sfn, clock)

    assert (done.started, done.running) == (0, 1)
    assert sfn.calls["start"] == 1
    assert set(sfn.executions) == {f"order-{receipt.id}"}


def test_a_start_whose_answer_was_lost_is_not_doubled(submission, orders, reference, clock, limits):
    lost = iter([True])
    sfn = StepFunctionsDouble(lose_answer=lambda: next(lost, False))
    receipt = receive(submission, orders, reference, sfn, clock, limits)
    later(clock)

    done = reconcile_with(orders, sfn, clock)

    assert done.running == 1
    assert list(sfn.executions) == [f"order-{receipt.id}"]


def test_an_order_waiting_less_than_the_grace_period_is_left_to_its_own_start(
    submission, orders, reference, throttled, clock, limits
):
    receive(submission, orders, reference, throttled, clock, limits)
    clock.advance(seconds=30)
    throttled.refuse = lambda operation: False

    done = reconcile_with(orders, throttled, clock)

    assert done.started == 0 and throttled.executions == {}


def test_a_settled_order_waits_for_no_run(submission, orders, reference, throttled, clock, limits):
    receipt = receive(
        submission, orders, reference, throttled, clock, limits, content="我家着火了，快来人救火"
    )

    assert receipt.status is Status.NOT_DISPATCHED
    later(clock)
    assert orders.pending_runs(clock.now(), 10) == []


def test_an_order_settled_before_its_run_started_needs_none(
    submission, orders, reference, throttled, clock, limits
):
    receipt = receive(submission, orders, reference, throttled, clock, limits)
    order = orders.get(receipt.id)
    handling.perform(
        order,
        order.version,
        DISPATCHER,
        triage.decide(triage.Reason.OUTSIDE_DUTIES, None, "not a government matter"),
        orders=orders,
        workflows=throttled,
        clock=clock,
    )
    throttled.refuse = lambda operation: False
    later(clock)

    done = reconcile_with(orders, throttled, clock)

    assert (done.started, done.not_needed) == (0, 1)
    assert orders.pending_runs(clock.now(), 10) == []


def test_a_reinstated_order_whose_new_run_was_throttled_gets_it_from_the_reconciler(
    submission, orders, reference, throttled, clock, limits
):
    receipt = receive(
        submission, orders, reference, throttled, clock, limits, content="我家着火了，快来人救火"
    )
    order = orders.get(receipt.id)

    handling.perform(
        order,
        order.version,
        DISPATCHER,
        triage.reinstate("不是紧急情况", limits),
        orders=orders,
        workflows=throttled,
        clock=clock,
    )
    throttled.refuse = lambda operation: False
    later(clock)
    done = reconcile_with(orders, throttled, clock)

    assert done.started == 1
    assert set(throttled.executions) == {f"order-{receipt.id}-r1"}


def test_a_failed_run_of_an_open_order_is_redriven_and_a_closed_ones_is_not(
    submission, orders, reference, clock, limits
):
    sfn = StepFunctionsDouble()
    open_one = receive(submission, orders, reference, sfn, clock, limits)
    closed_one = receive(
        submission,
        orders,
        reference,
        sfn,
        clock,
        limits,
        requester=submission.requester.model_copy(update={"phone": "13900001111"}),
    )
    for receipt in (open_one, closed_one):
        checkpoint = workflow.dispatch(
            receipt.id, orders=orders, reference=reference, clock=clock, limits=limits
        )
        workflow.park(receipt.id, checkpoint.version, f"token-{receipt.id}", orders=orders)
        sfn.executions[f"order-{receipt.id}"].status = RunStatus.FAILED
    closed = orders.get(closed_one.id)
    orders.update(closed.record(clock.now(), status=Status.CLOSED, closed_at=clock.now()), closed.version)

    done = reconcile_with(orders, sfn, clock)

    assert done.redriven == 1
    assert sfn.executions[f"order-{open_one.id}"].status is RunStatus.RUNNING
    assert sfn.executions[f"order-{closed_one.id}"].status is RunStatus.FAILED


def test_a_run_that_keeps_failing_is_left_to_a_person(submission, orders, reference, clock, limits):
    sfn = StepFunctionsDouble()
    receipt = receive(submission, orders, reference, sfn, clock, limits)
    execution = sfn.executions[f"order-{receipt.id}"]
    execution.status, execution.redrives = RunStatus.FAILED, reconcile.MAX_REDRIVES
    later(clock)

    done = reconcile_with(orders, sfn, clock)

    assert (done.redriven, done.left) == (0, 1)
    assert orders.pending_runs(clock.now(), 10) == []


def test_a_throttled_pass_leaves_the_order_for_the_next(
    submission, orders, reference, throttled, clock, limits
):
    receipt = receive(submission, orders, reference, throttled, clock, limits)
    later(clock)

    first = reconcile_with(orders, throttled, clock)
    throttled.refuse = lambda operation: False
    second = reconcile_with(orders, throttled, clock)

    assert (first.unavailable, second.started) == (1, 1)
    assert set(throttled.executions) == {f"order-{receipt.id}"}
