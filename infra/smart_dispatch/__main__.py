"""`make model`: train the dispatch model on the written training texts and the catalogue, measure
it on the evaluation set, and write it where the functions load it from (git-ignored: it is built
from the data, as the frontend is). Prints the figures docs/benchmarks.md keeps."""

from __future__ import annotations

import argparse
import gzip
import json
import time
from pathlib import Path

from infra.aws.project import REFERENCE_DATA

SHIPPED_MODEL = REFERENCE_DATA / "model" / "dispatch.json.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=SHIPPED_MODEL)
    args = parser.parse_args()
    from chalicelib.domain import dispatch_training, smart_dispatch, triage
    from chalicelib.reference_data import (
        categories,
        dispatch_examples,
        emergency_examples,
        emergency_signs,
        evaluation_examples,
        normaliser,
    )

    started = time.perf_counter()
    model = dispatch_training.build(
        dispatch_examples(), categories(), evaluation_examples(), normalise=normaliser()
    )
    # The emergency reader learns from the written emergencies and near misses, and from every
    # ordinary request of the dispatch training texts (none of them an emergency in progress).
    signs = emergency_signs()
    ordinary = [smart_dispatch.EmergencyExample(e.text, None) for e in dispatch_examples()]
    model.emergencies = dispatch_training.train_emergencies(
        [*emergency_examples(), *ordinary],
        lambda text: triage.signals(text, signs),
        lambda text: triage.sign_line(text, signs),
        normalise=normaliser(),
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(model.to_data(), ensure_ascii=False, separators=(",", ":")).encode()
    args.out.write_bytes(gzip.compress(body, compresslevel=9, mtime=0))
    figures = model.figures
    assert figures is not None
    print(
        f"dispatch model: {model.trained_on} training texts, {len(model.categories.labels)} categories, "
        f"{len(model.categories.weights)} features, {args.out.stat().st_size / 1e6:.1f} MB, "
        f"built in {time.perf_counter() - started:.0f} s"
    )
    print(
        f"evaluation ({figures.requests} requests): top-1 {figures.top1:.1%}, top-3 {figures.top3:.1%}, "
        f"大类 top-1 {figures.major_top1:.1%}, ECE {figures.ece:.3f}; "
        f"automatic at ≥ {figures.threshold:.3f}: "
        f"{figures.auto_rate:.1%} of requests, {figures.auto_precision:.1%} right "
        f"({figures.auto_precision_cross:.1%} with the threshold chosen on the other half)"
    )
    e, cut = model.emergencies.figures, model.emergencies.threshold
    print(
        f"emergency reader: {e['examples']:.0f} examples; on k-fold predictions the signs alone find "
        f"{e['cv_recall_signs_only']:.1%} of emergencies, with the reader at ≥ {cut:.3f} "
        f"{e['cv_recall']:.1%}, false alarms {e['cv_false_alarms']:.1%}; sure at ≥ "
        f"{model.emergencies.settle:.3f}: {e['cv_recall_sure']:.1%}, "
        f"false alarms {e['cv_false_alarms_sure']:.1%}"
    )


if __name__ == "__main__":
    main()
