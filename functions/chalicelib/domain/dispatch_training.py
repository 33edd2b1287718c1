"""Training and measuring the dispatch models (智能派单, DESIGN.md section 4): by `make model`
(infra/smart_dispatch) from the written texts, and by the monthly retraining from the city's closed
orders as well.

The threshold is the lowest confidence at which the suggestions at or above it were right at
least `AUTO_PRECISION` of the time on the evaluation set; the figures say how many requests that
dispatches and how precisely, and the same measured on each half with the threshold chosen on the
other (so the precision is not only the one it was chosen for)."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from pydantic import BaseModel

from .classifier import Normaliser, expected_calibration_error, features, fit_vectors, train
from .model import Category
from .smart_dispatch import (
    NO_EMERGENCY,
    SIGNAL_WEIGHT,
    DispatchModel,
    DispatchModels,
    EmergencyExample,
    EmergencyModel,
    Example,
    Figures,
    ModelInfo,
    ServingChange,
)

AUTO_PRECISION = 0.97
MIN_AUTO_SUPPORT = 20  # suggestions at or above a threshold before its precision is believed
EMERGENCY_RECALL = 0.995  # of the signs and the reader together, on k-fold predictions
SETTLE_PRECISION = 0.95  # the reader's own calls that settle a request as an emergency


def catalogue_phrases(catalogue: Sequence[Category]) -> list[tuple[str, str]]:
    """Each category's name, keywords and description, trained on with the requests (so a category
    is known by its words even before many requests name it)."""
    found: list[tuple[str, str]] = []
    for c in catalogue:
        found += [(c.name, c.code), *((k, c.code) for k in c.keywords)]
        if c.description:
            found.append((c.description, c.code))
    return found


def build(
    examples: Sequence[Example],
    catalogue: Sequence[Category],
    evaluation: Sequence[Example],
    *,
    normalise: Normaliser | None = None,
    version: str = "shipped",
    seed: int = 12345,
    folds: int = 3,
) -> DispatchModel:
    """Train on `examples` and the catalogue, then measure on `evaluation` and set the threshold;
    each classifier's confidence is fitted on `folds` folds (none below 2)."""
    normalise = normalise or Normaliser()
    codes = {c.code for c in catalogue}
    texts = [(e.text, e.category) for e in examples if e.category in codes]
    phrases = catalogue_phrases(catalogue)
    categories = train(texts, normalise=normalise, seed=seed, extra=phrases, min_count=2, folds=folds)
    types = train([(e.text, e.type.value) for e in examples], normalise=normalise, seed=seed, folds=folds)
    model = DispatchModel(categories=categories, types=types, threshold=1.0, version=version)
    model.trained_on = len(texts)
    model.figures = measure(model, evaluation, catalogue)
    model.threshold = model.figures.threshold
    return model


def measure(model: DispatchModel, evaluation: Sequence[Example], catalogue: Sequence[Category]) -> Figures:
    major_of = {c.code: c.major for c in catalogue}
    pairs: list[tuple[float, bool]] = []
    top1 = top3 = majors = types = 0
    for e in evaluation:
        ranked = model.category(e.text)
        codes = [code for code, _ in ranked[:3]]
        right = codes[0] == e.category
        top1 += right
        top3 += e.category in codes
        majors += best_major(ranked, major_of) == major_of.get(e.category)
        types += model.type(e.text)[0] is e.type
        pairs.append((ranked[0][1], right))
    n = len(evaluation) or 1
    threshold, crossed = honest_threshold(pairs)
    auto = [right for confidence, right in pairs if confidence >= threshold]
    return Figures(
        requests=len(evaluation),
        top1=top1 / n,
        top3=top3 / n,
        major_top1=majors / n,
        ece=expected_calibration_error(pairs),
        mean_confidence=sum(c for c, _ in pairs) / n,
        threshold=threshold,
        auto_rate=len(auto) / n,
        auto_precision=sum(auto) / len(auto) if auto else 1.0,
        auto_precision_cross=sum(crossed) / len(crossed) if crossed else 1.0,
        type_accuracy=types / n,
    )


def best_major(ranked: Sequence[tuple[str, float]], major_of: Mapping[str, str]) -> str | None:
    """The 大类 whose categories are together the most likely."""
    totals: dict[str, float] = defaultdict(float)
    for code, probability in ranked:
        if code in major_of:
            totals[major_of[code]] += probability
    return max(totals, key=totals.__getitem__) if totals else None


def choose_threshold(pairs: Sequence[tuple[float, bool]], precision: float = AUTO_PRECISION) -> float:
    """The lowest confidence whose suggestions at or above it are right at least `precision` of
    the time, counting at least MIN_AUTO_SUPPORT of them; 1.0 (never) when none is."""
    ordered = sorted(pairs, key=lambda p: -p[0])
    right = 0
    best = 1.0
    for i, (confidence, correct) in enumerate(ordered, start=1):
        right += correct
        if i >= MIN_AUTO_SUPPORT and right / i >= precision:
            best = confidence
    return best


def honest_threshold(
    pairs: Sequence[tuple[float, bool]], precision: float = AUTO_PRECISION
) -> tuple[float, list[bool]]:
    """The threshold whose precision holds on requests it was not chosen on, and the suggestions
    it let through there. A threshold chosen for `precision` on the very pairs it is measured on
    reaches it by construction; chosen on one half and measured on the other it may fall short.
    The target is raised half a point at a time until a threshold chosen on either half is right
    at least `precision` of the time on the other; the threshold is then the one that target gives
    on all the pairs (1.0, never, when no target does)."""
    halves = (pairs[0::2], pairs[1::2])
    target = precision
    while target <= 1.0:
        crossed: list[bool] = []
        for chosen_on, measured_on in (halves, halves[::-1]):
            cut = choose_threshold(chosen_on, target)
            crossed += [right for confidence, right in measured_on if confidence >= cut]
        if len(crossed) >= MIN_AUTO_SUPPORT and sum(crossed) / len(crossed) >= precision:
            return choose_threshold(pairs, target), crossed
        target = round(target + 0.005, 3)
    return 1.0, []


def better(candidate: Figures, serving: Figures | None) -> bool:
    """Promote a retrained model only when it measures better: more right first suggestions, no
    worse calibrated, dispatching as precisely."""
    if serving is None:
        return True
    return (
        candidate.top1 > serving.top1
        and candidate.ece <= max(serving.ece, 0.05)
        and candidate.auto_precision_cross >= min(serving.auto_precision_cross, AUTO_PRECISION)
    )


Labelled = tuple[str, str, list[str], str | None]  # text, line or NO_EMERGENCY, signs found, sign line
Held = tuple[bool, bool, float]  # an emergency, the signs found it, p(emergency) on a held-out fold


def train_emergencies(
    examples: Sequence[EmergencyExample],
    signals: Callable[[str], list[str]],
    sign_line: Callable[[str], str | None],
    *,
    normalise: Normaliser | None = None,
    seed: int = 12345,
    folds: int = 3,
) -> EmergencyModel:
    """The learned emergency reader, its threshold the highest at which the signs and the reader
    together, on k-fold predictions, find at least EMERGENCY_RECALL of the emergencies."""
    normalise = normalise or Normaliser()
    labelled = [(e.text, e.line or NO_EMERGENCY, signals(e.text), sign_line(e.text)) for e in examples]
    held = _held_out(labelled, normalise, seed, folds)
    emergencies = [(signs, p) for is_emergency, signs, p in held if is_emergency]
    threshold = _recall_threshold(emergencies)
    final = _fit_reader(labelled, normalise, seed)
    final.threshold = threshold
    final.settle = max(_settle(held), threshold)
    final.figures = _reader_figures(len(labelled), held, threshold, final.settle)
    return final


def _fit_reader(rows: Sequence[Labelled], normalise: Normaliser, seed: int) -> EmergencyModel:
    vectors = []
    for text, label, found, _ in rows:
        vector = features(text, normalise)
        vector.update({f"§{s}": SIGNAL_WEIGHT for s in found})
        vectors.append((vector, label))
    model = fit_vectors(vectors, seed=seed)
    model.normalise = normalise
    return EmergencyModel(model=model, threshold=0.5)


def _held_out(labelled: Sequence[Labelled], normalise: Normaliser, seed: int, folds: int) -> list[Held]:
    """Each example read by a reader trained on the other folds."""
    held: list[Held] = []
    order = list(range(len(labelled)))
    random.Random(seed).shuffle(order)
    for k in range(folds):
        test = set(order[k::folds])
        part = _fit_reader([row for i, row in enumerate(labelled) if i not in test], normalise, seed)
        for i in test:
            text, label, found, by_signs = labelled[i]
            ranked = part.probability(text, found)
            none = next((p for name, p in ranked if name == NO_EMERGENCY), 0.0)
            held.append((label != NO_EMERGENCY, by_signs is not None, 1 - none))
    return held


def _recall_threshold(emergencies: Sequence[tuple[bool, float]]) -> float:
    """The highest probability at which the signs and the reader together find EMERGENCY_RECALL."""
    threshold = 0.5
    for candidate in sorted({p for _, p in emergencies}, reverse=True):
        caught = sum(1 for signs, p in emergencies if signs or p >= candidate)
        threshold = candidate
        if caught >= EMERGENCY_RECALL * len(emergencies):
            break
    return threshold


def _settle(held: Sequence[Held]) -> float:
    """Sure: the lowest probability at which the reader's own calls (where the signs found nothing)
    were right SETTLE_PRECISION of the time."""
    return choose_threshold(
        [(p, is_emergency) for is_emergency, signs, p in held if not signs], SETTLE_PRECISION
    )


def _reader_figures(examples: int, held: Sequence[Held], threshold: float, settle: float) -> dict[str, float]:
    emergencies = [(signs, p) for is_emergency, signs, p in held if is_emergency]
    calm = [(signs, p) for is_emergency, signs, p in held if not is_emergency]
    return {
        "examples": float(examples),
        "cv_recall": sum(1 for s, p in emergencies if s or p >= threshold) / max(len(emergencies), 1),
        "cv_false_alarms": sum(1 for s, p in calm if s or p >= threshold) / max(len(calm), 1),
        "cv_recall_signs_only": sum(1 for s, _ in emergencies if s) / max(len(emergencies), 1),
        "cv_recall_sure": sum(1 for s, p in emergencies if s or p >= settle) / max(len(emergencies), 1),
        "cv_false_alarms_sure": sum(1 for s, p in calm if s or p >= settle) / max(len(calm), 1),
    }


# --- retraining (Art. 24's data, learned from) -----------------------------------------------


class Retrained(BaseModel):
    version: str
    promoted: bool
    trained_on: int
    history: int
    figures: Figures
    serving_figures: Figures | None


def retrain(
    written: Sequence[Example],
    history: Sequence[Example],
    catalogue: Sequence[Category],
    evaluation: Sequence[Example],
    *,
    serving: DispatchModel,
    version: str,
    now: datetime,
    models: DispatchModels,
    folds: int = 3,
) -> Retrained:
    """Train a candidate on the written texts and the city's closed orders, measure it on the
    evaluation set, keep it, and serve it only when it measures better than the one serving."""
    candidate = build(
        [*written, *history],
        catalogue,
        evaluation,
        normalise=serving.categories.normalise,
        version=version,
        folds=folds,
    )
    candidate.emergencies = serving.emergencies
    assert candidate.figures is not None
    promoted = better(candidate.figures, serving.figures)
    models.put(candidate)
    index, tag = models.index()
    info = ModelInfo(
        version=version,
        trained_on=candidate.trained_on,
        history=len(history),
        figures=candidate.figures,
        created_at=now,
    )
    changes = index.changes
    if promoted:
        before = serving.figures.top1 if serving.figures else 0.0
        # Shown as it is in the portal's history of changes: the words are the hotline's.
        reason = f"评估集首选类别准确率由 {before:.1%} 提高到 {candidate.figures.top1:.1%}"
        changes = [*changes, ServingChange(at=now, version=version, by="retraining", reason=reason)]
    models.save_index(
        index.model_copy(
            update={
                "models": [*index.models, info],
                "serving": version if promoted else index.serving,
                "changes": changes,
            }
        ),
        tag,
    )
    return Retrained(
        version=version,
        promoted=promoted,
        trained_on=candidate.trained_on,
        history=len(history),
        figures=candidate.figures,
        serving_figures=serving.figures,
    )
