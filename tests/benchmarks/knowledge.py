"""The knowledge base's answers on questions it was not tuned on (docs/benchmarks.md, Knowledge base).

- The questions: tests/benchmarks/data/knowledge_questions.json, written as citizens phrase them
  from the entries' topic names only, each with the entry that answers it or none. The relevance
  floor (`knowledge.OFFER_FLOOR`) was chosen on knowledge_dev.json, a separate small set, which
  is measured here too, and its best floor shown (the floor is the middle of that plateau).
- "Offered": at least one answer is offered while the request is written (`knowledge.offered`).
  Precision: of the questions offered an answer, those whose first answer is the right entry (an
  answer offered to a question no entry answers is a wrong offer). Recall: of the questions with
  an entry, those whose first offered answer is it. Also: the right entry anywhere among the
  offered, every offered answer's precision, answers offered per question, and the questions
  settled on the spot with no one choosing (`knowledge.on_the_spot`) and how many of those right.

Exits 1 when a set is smaller than the issue asks (150 questions with an entry, 80 without) or the
knowledge base has fewer than 120 entries."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
TODAY = date(2026, 12, 1)
LEAST = {"with": 150, "without": 80, "entries": 120}


@dataclass(frozen=True)
class Figures:
    questions: int
    with_entry: int
    offered: int
    right_first: int
    right_anywhere: int
    shown: int
    shown_right: int
    wrong_offers_without: int
    spot: int
    spot_right: int

    @property
    def precision(self) -> float:
        return self.right_first / self.offered if self.offered else 1.0

    @property
    def recall(self) -> float:
        return self.right_first / self.with_entry if self.with_entry else 0.0


def load(name: str) -> list[tuple[str, str | None]]:
    raw = json.loads((DATA / name).read_text(encoding="utf-8"))
    return [(q["text"], q["entry"]) for q in raw["questions"]]


def measure(questions: list[tuple[str, str | None]], floor: float | None = None) -> Figures:
    from chalicelib.domain import knowledge
    from chalicelib.reference_data import knowledge_base

    entries = list(knowledge_base())
    offered = right_first = right_anywhere = shown = shown_right = wrong_without = spot = spot_right = 0
    for text, wanted in questions:
        if floor is None:
            answers = knowledge.offered(entries, text, TODAY)
        else:  # the development set's curve: the same rule at another floor
            ranked = knowledge.search(entries, text, TODAY, limit=3)
            best = ranked[0].confidence if ranked else 0.0
            answers = [
                a
                for a in ranked
                if best >= floor and a.confidence >= floor and a.confidence >= knowledge.CLOSE * best
            ]
        ids = [a.id for a in answers]
        shown += len(ids)
        shown_right += sum(1 for i in ids if i == wanted)
        if ids:
            offered += 1
            right_first += ids[0] == wanted
            wrong_without += wanted is None
        right_anywhere += wanted is not None and wanted in ids
        settled = knowledge.on_the_spot(entries, text, TODAY)
        if settled is not None:
            spot += 1
            spot_right += settled.id == wanted
    return Figures(
        questions=len(questions),
        with_entry=sum(1 for _, w in questions if w),
        offered=offered,
        right_first=right_first,
        right_anywhere=right_anywhere,
        shown=shown,
        shown_right=shown_right,
        wrong_offers_without=wrong_without,
        spot=spot,
        spot_right=spot_right,
    )


def report(name: str, figures: Figures) -> None:
    without = figures.questions - figures.with_entry
    print(f"{name}: {figures.with_entry} questions with an entry, {without} without")
    print(f"  offered: precision {figures.precision:6.1%}, recall {figures.recall:6.1%}")
    anywhere = figures.right_anywhere / (figures.with_entry or 1)
    print(
        f"  the right entry anywhere among the offered: {anywhere:6.1%};"
        f" every answer shown: {figures.shown_right / (figures.shown or 1):6.1%} right,"
        f" {figures.shown / figures.questions:.2f} per question"
    )
    print(
        f"  questions no entry answers offered an answer anyway: {figures.wrong_offers_without} of {without}"
    )
    print(
        f"  settled on the spot with no one choosing: {figures.spot} of {figures.questions},"
        f" {figures.spot_right} of them with the right entry"
    )


def main() -> int:
    from chalicelib.domain import knowledge
    from chalicelib.reference_data import knowledge_base

    evaluation, development = load("knowledge_questions.json"), load("knowledge_dev.json")
    entries = len(knowledge_base())
    print(f"Knowledge base: {entries} entries; floor {knowledge.OFFER_FLOOR}, close {knowledge.CLOSE}")
    curve = [(f / 100, measure(development, f / 100)) for f in range(30, 81, 3)]
    best = max(
        2 * f.precision * f.recall / (f.precision + f.recall or 1) for _, f in curve
    )  # the plateau of the best F1
    plateau = [
        floor
        for floor, f in curve
        if abs(2 * f.precision * f.recall / (f.precision + f.recall or 1) - best) < 1e-9
    ]
    print(f"Development set: best F1 {best:.3f} at floors {plateau[0]:.2f}–{plateau[-1]:.2f}")
    report("Development set", measure(development))
    report("Evaluation set", measure(evaluation))
    counts = {
        "with": sum(1 for _, w in evaluation if w),
        "without": sum(1 for _, w in evaluation if not w),
        "entries": entries,
    }
    short = [f"{k} {counts[k]} < {n}" for k, n in LEAST.items() if counts[k] < n]
    if short:
        print("too small: " + ", ".join(short), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
