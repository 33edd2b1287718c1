"""The monthly retraining on generated history whose words drift (issue 15, item 5).

    make bench        (or: .venv/bin/python -m tests.benchmarks.retraining, from the repo root)

The integration tests' history (infra/local/history.py: 6,000 orders from August to October 2026,
seed 7), in which 28 categories' requests take up new words over the months, is compacted and
queried as the October run does it (statemachines/queries/compact.sql, then training.sql with the
plan's parameters, on the local stack's engine, infra/local/athena.py). A candidate is trained on
the written texts and those closed orders with the retraining's recipe (domain/dispatch_training.py)
and measured, with the shipped model, on what the retraining measures on: the evaluation set and
the slice in drifted words (data/drift_evaluation.jsonl), each also apart.

Prints the figures before and after; exits 1 if the candidate would not be promoted.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from infra.local.athena import LocalAthena, compact, query_text
from infra.local.history import HistoryPlan, write_directory

# isort: split
from chalicelib.domain import dispatch_training, insights, smart_dispatch
from chalicelib.domain.model import RequestType
from chalicelib.reference_data import (
    analytics_policy,
    categories,
    dispatch_examples,
    drift_examples,
    evaluation_examples,
    shipped_model,
)

PLAN = HistoryPlan("2026-08", "2026-10", 6000, seed=7, emerging="ebike_nonstandard", emerging_month="2026-09")
MONTH = "2026-10"


def history(root: Path) -> list[smart_dispatch.Example]:
    """The closed orders the October run's training query finds, as the Retrain task reads them."""
    write_directory(PLAN, root, progress=False)
    engine = LocalAthena(root)
    try:
        compact(engine, "2026-08-01", "2026-10-31")
        plan = insights.monthly_plan(MONTH, datetime(2026, 11, 1, tzinfo=UTC), analytics_policy())
        found = engine.execute(query_text("training"), plan.parameters["training"]).records()
    finally:
        engine.close()
    return [
        smart_dispatch.Example(text=str(r["text"]), category=str(r["category"]), type=RequestType(r["type"]))
        for r in found
    ]


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        learned = history(Path(directory))
    catalogue = categories()
    written, drifted = evaluation_examples(), drift_examples()
    evaluation = [*written, *drifted]
    shipped = shipped_model()
    started = time.perf_counter()
    candidate = dispatch_training.build(
        [*dispatch_examples(), *learned],
        catalogue,
        evaluation,
        normalise=shipped.categories.normalise,
        version="candidate",
    )
    took = time.perf_counter() - started
    print(f"retraining on {len(learned)} closed orders and the written texts: {took:.0f} s")
    print("| model | measured on | requests | top-1 | top-3 | 大类 top-1 | ECE | automatic | precision |")
    print("|---|---|---|---|---|---|---|---|---|")
    figures = {}
    for name, model in (("shipped", shipped), ("retrained", candidate)):
        for label, requests in (("all", evaluation), ("evaluation set", written), ("drift slice", drifted)):
            f = dispatch_training.measure(model, requests, catalogue)
            figures[(name, label)] = f
            print(
                f"| {name} | {label} | {f.requests} | {f.top1:.1%} | {f.top3:.1%} | {f.major_top1:.1%} "
                f"| {f.ece:.3f} | {f.auto_rate:.1%} | {f.auto_precision_cross:.1%} |"
            )
    promoted = dispatch_training.better(figures[("retrained", "all")], figures[("shipped", "all")])
    print(f"promoted: {promoted}")
    sys.exit(0 if promoted else 1)


if __name__ == "__main__":
    main()
