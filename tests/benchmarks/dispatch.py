"""Smart dispatch on data it was not trained on (docs/benchmarks.md, Smart dispatch).

- The dispatch model `make model` built (functions/chalicelib/data/model/dispatch.json.gz) on the
  evaluation set (functions/chalicelib/data/evaluation/*.jsonl, written apart from every training
  text): category top-1 and top-3, 大类 top-1, expected calibration error, the automatic-dispatch
  threshold with the share it dispatches and how precisely, per style of request (call summaries,
  app messages, web forms, letters) and a reliability table (confidence bins against accuracy).
- The place read from the text, where the evaluation item has a location.
- Suggestion latency of `Suggester.category` on the evaluation texts (up to 1,500 characters):
  p50 and p95 wall time in this process; the model's size on disk.
- Emergencies: recall and false alarms on tests/benchmarks/data/emergency_eval.jsonl, a set
  written apart from the signs' development set.

Exits 1 when a target of the issue is missed."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from infra.aws.project import REFERENCE_DATA

DATA = Path(__file__).resolve().parent / "data"
TARGETS = {"top1": 0.80, "major_top1": 0.90, "p95_ms": 20.0, "emergency_recall": 0.99}


def main() -> int:
    from chalicelib.domain import suggest
    from chalicelib.domain.classifier import expected_calibration_error
    from chalicelib.domain.triage import emergency_line, possible_emergency, sign_line
    from chalicelib.reference_data import (
        SHIPPED_MODEL,
        categories,
        dispatch_examples,
        emergency_words,
        evaluation_examples,
        gazetteer,
        shipped_model,
    )

    model = shipped_model()
    figures = model.figures
    assert figures is not None
    catalogue = categories()
    chooser = suggest.Suggester(model, catalogue)
    raw = [
        json.loads(line)
        for path in sorted((REFERENCE_DATA / "evaluation").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(raw) == len(evaluation_examples())
    timings: list[float] = []
    by_style: dict[str, list[bool]] = defaultdict(list)
    pairs: list[tuple[float, bool]] = []
    places = places_right = located = 0
    misses: Counter[tuple[str, str]] = Counter()
    for item in raw:
        started = time.perf_counter()
        ranked = chooser.category(item["text"])
        timings.append((time.perf_counter() - started) * 1000)
        right = ranked[0][0] == item["category"]
        pairs.append((ranked[0][1], right))
        by_style[item.get("style", "written 2026-11")].append(right)
        if not right:
            misses[(item["category"], ranked[0][0])] += 1
        where = item.get("location")
        located += bool(where)
        if where and (place := gazetteer().find(item["text"])):
            places += 1
            places_right += place.district == where["district"]
    timings.sort()
    p50 = statistics.median(timings)
    p95 = timings[int(len(timings) * 0.95)]
    print(
        f"Smart dispatch: {len(catalogue)} categories, {model.trained_on} training texts "
        f"({len(dispatch_examples())} written), model {SHIPPED_MODEL.stat().st_size / 1e6:.1f} MB"
    )
    print(f"Evaluation set: {figures.requests} requests written apart from the training texts")
    rows = [
        ("category top-1", figures.top1, f"≥ {TARGETS['top1']:.0%}"),
        ("category top-3", figures.top3, ""),
        ("大类 top-1", figures.major_top1, f"≥ {TARGETS['major_top1']:.0%}"),
        ("request type", figures.type_accuracy, ""),
        ("mean confidence", figures.mean_confidence, ""),
    ]
    for what, value, target in rows:
        print(f"  {what:<26}{value:>8.1%}   {target}")
    print(f"  {'ECE (10 bins)':<26}{figures.ece:>8.3f}")
    print(
        f"  automatic dispatch at ≥ {figures.threshold:.3f}: {figures.auto_rate:.1%} of requests, "
        f"{figures.auto_precision:.1%} right ({figures.auto_precision_cross:.1%} with the threshold "
        "chosen on the other half)"
    )
    print(
        "  by style: "
        + ", ".join(f"{s} {sum(v) / len(v):.1%} (n={len(v)})" for s, v in sorted(by_style.items()))
    )
    print("  reliability (confidence → accuracy, n):")
    bins: dict[int, list[bool]] = defaultdict(list)
    for confidence, right in pairs:
        bins[min(int(confidence * 10), 9)].append(right)
    for b in sorted(bins):
        v = bins[b]
        print(f"    {b / 10:.1f}–{(b + 1) / 10:.1f}: {sum(v) / len(v):6.1%} (n={len(v)})")
    print(f"  ECE of the model as shipped (weights rounded): {expected_calibration_error(pairs):.3f}")
    print(f"  place from the text: found for {places} of {len(raw)}, district right for {places_right}")
    print(f"  suggestion latency: p50 {p50:.2f} ms, p95 {p95:.2f} ms (target ≤ {TARGETS['p95_ms']:.0f} ms)")
    print("  most frequent confusions (correct → suggested):")
    for (wanted, got), count in misses.most_common(8):
        print(f"    {wanted} → {got}: {count}")

    words = emergency_words()
    text = (DATA / "emergency_eval.jsonl").read_text(encoding="utf-8")
    emergencies: list[dict[str, Any]] = [json.loads(line) for line in text.splitlines() if line]
    print(
        f"Emergencies ({sum(e['emergency'] for e in emergencies)} in progress, "
        f"{sum(not e['emergency'] for e in emergencies)} near misses), written apart from the training:"
    )
    recall = 0.0
    for name, read in (
        ("signs alone", lambda t: sign_line(t, words)),
        ("settled (not dispatched)", lambda t: emergency_line(t, words)),
        ("shown the line (recall first)", lambda t: possible_emergency(t, words)),
    ):
        found = [(item, read(item["text"])) for item in emergencies]
        positives = [(i, got) for i, got in found if i["emergency"]]
        negatives = [(i, got) for i, got in found if not i["emergency"]]
        recall = sum(1 for _, got in positives if got) / len(positives)
        alarms = sum(1 for _, got in negatives if got) / len(negatives)
        same = sum(1 for i, got in positives if got == i["line"]) / len(positives)
        print(f"  {name:<31} recall {recall:6.1%}, false alarms {alarms:6.1%}, the line written {same:6.1%}")

    missed = [
        name
        for name, ok in (
            ("category top-1", figures.top1 >= TARGETS["top1"]),
            ("大类 top-1", figures.major_top1 >= TARGETS["major_top1"]),
            ("latency p95", p95 <= TARGETS["p95_ms"]),
            ("emergency recall", recall >= TARGETS["emergency_recall"]),
        )
        if not ok
    ]
    if missed:
        print("targets missed: " + ", ".join(missed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
