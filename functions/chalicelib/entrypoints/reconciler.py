"""The workflow reconciler's Lambda (names.FN_RECONCILE_WORKFLOWS): every open order has a run."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..domain import reconcile
from ..observability import MetricUnit, logger, metrics
from ..wiring import deps


class Pass(BaseModel):
    """The schedule sends `{}`: the orders waiting for a run and the failed runs. `{"sweep": true}`
    (by hand, after restoring the table) looks at every open order."""

    sweep: bool = False


def reconcile_workflows(event: dict[str, Any]) -> dict[str, Any]:
    """One pass: start runs that never started, redrive failed runs of open orders. What it did is
    logged, and each start or redrive counted as a metric."""
    task = Pass.model_validate(event or {})
    d = deps()
    if task.sweep:
        done = reconcile.sweep(orders=d.orders, workflows=d.workflows)
    else:
        done = reconcile.reconcile(orders=d.orders, workflows=d.workflows, clock=d.clock)
    counts = done.model_dump()
    if done.started or done.redriven or done.left or done.unavailable:
        logger.warning("workflows reconciled", **counts)
    for name, value in (("WorkflowsStartedLate", done.started), ("WorkflowsRedriven", done.redriven)):
        if value:
            metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
    return counts
