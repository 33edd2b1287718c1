"""The workflow reconciler's Lambda (names.FN_RECONCILE_WORKFLOWS): every open order has a run."""

from __future__ import annotations

from typing import Any

from ..domain import reconcile
from ..observability import MetricUnit, logger, metrics
from ..wiring import deps


def reconcile_workflows(event: dict[str, Any]) -> dict[str, Any]:
    """One pass (the schedule's input is ignored): start runs that never started, redrive failed
    runs of open orders. What it did is logged, and each start or redrive counted as a metric."""
    d = deps()
    done = reconcile.reconcile(orders=d.orders, workflows=d.workflows, clock=d.clock)
    counts = done.model_dump()
    if done.started or done.redriven or done.left or done.unavailable:
        logger.warning("workflows reconciled", **counts)
    for name, value in (("WorkflowsStartedLate", done.started), ("WorkflowsRedriven", done.redriven)):
        if value:
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    return counts
