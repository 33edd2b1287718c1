"""Fault injection over 1,200 submissions on the four intake channels (tests/benchmarks/faults.py
has the faults and how they are counted; docs/benchmarks.md the figures)."""

from tests.benchmarks.faults import simulate


def test_whatever_fails_no_order_is_lost_duplicated_or_left_without_a_workflow():
    outcome = simulate(1200, seed=20261206)

    assert outcome.submissions >= 1000 and set(outcome.channels) == {
        "public",
        "operator",
        "partner",
        "open311",
    }
    for fault in (
        "StartExecution throttled",
        "StartExecution started the run but answered an error",
        "dispatch task attempt raised",
        "run failed (task failed every attempt)",
        "stream consumer raised",
        "order number taken",
        "same key written concurrently",
        "concurrent dispatch won the write",
        "order changed before parking",
    ):
        assert outcome.injected[fault] > 0, fault
    assert outcome.reconciled["started"] > 0 and outcome.reconciled["redriven"] > 0
    assert outcome.problems == []
    assert (outcome.refused, outcome.lost, outcome.duplicated) == (0, 0, 0)
    assert (outcome.open_without_workflow, outcome.settled_with_a_run) == (0, 0)
    assert outcome.open_orders > 900
    assert outcome.dead_lettered > 0  # a record the consumer always fails on is kept, not dropped


def test_without_the_reconciler_the_same_faults_leave_orders_without_a_workflow():
    outcome = simulate(400, seed=20261206, reconciler=False)

    assert (outcome.refused, outcome.lost, outcome.duplicated) == (0, 0, 0)
    assert outcome.open_without_workflow > 50
