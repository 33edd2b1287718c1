"""The automatic check of replies (办结审核) on replies it was not tuned on (docs/benchmarks.md,
Reply review).

- The replies: tests/benchmarks/data/reply_review_eval.jsonl, labelled acceptable / perfunctory by
  their writer before the check existed (SOURCES.md). The check's phrase lists and thresholds were
  tuned on reply_review_development.jsonl only, which is measured here too, marked as such.
- A perfunctory reply is the positive class. Precision: of the replies flagged, those labelled
  perfunctory. Recall: of the perfunctory replies, those flagged. Also per written flaw: how many
  the check flagged at all; and the high-confidence passes (the ones review may skip) with how many
  of them are perfunctory.

`--set development` prints the development set's misses one by one (the tuning view); the
evaluation set is only ever counted. Exits 1 when the evaluation set has fewer than 300 replies."""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
SETS = {"development": "reply_review_development.jsonl", "evaluation": "reply_review_eval.jsonl"}
LEAST = 300


@dataclass
class Figures:
    replies: int = 0
    perfunctory: int = 0
    flagged: int = 0
    flagged_right: int = 0
    skipped: int = 0
    skipped_perfunctory: int = 0
    by_flaw: Counter[str] = field(default_factory=Counter)
    caught_by_flaw: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.flagged_right / self.flagged if self.flagged else 1.0

    @property
    def recall(self) -> float:
        return self.flagged_right / self.perfunctory if self.perfunctory else 0.0


def load(name: str) -> list[dict[str, object]]:
    with (DATA / SETS[name]).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def measure(rows: list[dict[str, object]]) -> Figures:
    from chalicelib.domain.reply_quality import check
    from chalicelib.reference_data import categories

    catalogue = {c.code: c for c in categories()}
    figures = Figures()
    for row in rows:
        category = catalogue.get(str(row["category"]))
        found = check(str(row["reply"]), bool(row["resolved_claim"]), str(row["request"]), category)
        bad = row["label"] == "perfunctory"
        figures.replies += 1
        figures.perfunctory += bad
        if found.flags:
            figures.flagged += 1
            figures.flagged_right += bad
        if found.high_confidence:
            figures.skipped += 1
            figures.skipped_perfunctory += bad
        if bad:
            figures.by_flaw[str(row["flaw"])] += 1
            figures.caught_by_flaw[str(row["flaw"])] += bool(found.flags)
        if bad != bool(found.flags):
            flags = ",".join(found.flags) or "-"
            figures.misses.append(f"{row['id']} {row['flaw']} [{flags}] {row['reply']}")
    return figures


def report(name: str, figures: Figures) -> None:
    print(f"{name}: {figures.replies} replies, {figures.perfunctory} perfunctory")
    print(f"  flagged: precision {figures.precision:6.1%}, recall {figures.recall:6.1%}")
    caught = ", ".join(f"{k} {figures.caught_by_flaw[k]}/{n}" for k, n in sorted(figures.by_flaw.items()))
    print(f"  perfunctory replies flagged, by written flaw: {caught}")
    print(
        f"  high-confidence passes (may skip review): {figures.skipped},"
        f" {figures.skipped_perfunctory} of them perfunctory"
    )


def main() -> int:
    if "--set" in sys.argv and sys.argv[sys.argv.index("--set") + 1] == "development":
        figures = measure(load("development"))
        report("Development set (tuned on)", figures)
        print("\n".join(figures.misses))
        return 0
    report("Development set (tuned on)", measure(load("development")))
    evaluation = load("evaluation")
    report("Evaluation set", measure(evaluation))
    if len(evaluation) < LEAST:
        print(f"The evaluation set has {len(evaluation)} replies; the issue asks for {LEAST}.")
        return 1
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "functions"))
    sys.exit(main())
