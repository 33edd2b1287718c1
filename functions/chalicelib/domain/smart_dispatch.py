"""Smart dispatch (智能派单, DESIGN.md section 4): the trained models, how they are measured, and
when the workflow may dispatch without a dispatcher.

A `DispatchModel` is what ships (data/model/dispatch.json.gz, built by `make model`) or what a
retraining run promotes: a category classifier, a request-type classifier, the confidence at or
above which an uncategorised request is dispatched automatically, and the figures it earned on
the evaluation set — requests written apart from every training text, never trained on.

The threshold is the lowest confidence at which the suggestions at or above it were right at
least `AUTO_PRECISION` of the time on the evaluation set; the figures say how many requests that
dispatches and how precisely, and the same measured on each half with the threshold chosen on the
other (so the precision is not only the one it was chosen for)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from .classifier import LinearModel, Normaliser, expected_calibration_error, train
from .model import Category, RequestType

AUTO_PRECISION = 0.97
MIN_AUTO_SUPPORT = 20  # suggestions at or above a threshold before its precision is believed
FORMAT = "jiesu-dispatch-1"


@dataclass(frozen=True)
class Example:
    """A request with its correct category and type: written, or an order's final category."""

    text: str
    category: str
    type: RequestType


class Figures(BaseModel):
    """How a model did on the evaluation set."""

    requests: int
    top1: float  # the first suggested category is right
    top3: float
    major_top1: float  # the most likely 大类 (its categories' probabilities summed) is right
    ece: float  # expected calibration error of the first suggestion's confidence
    mean_confidence: float
    threshold: float  # auto-dispatch at or above
    auto_rate: float  # share of requests at or above the threshold
    auto_precision: float  # right among those
    auto_precision_cross: float  # the same, each half with the threshold chosen on the other
    type_accuracy: float


@dataclass(eq=False)  # one loaded model is one thing: hashed by identity
class DispatchModel:
    categories: LinearModel
    types: LinearModel
    threshold: float
    figures: Figures | None = None
    version: str = "shipped"
    trained_on: int = 0
    notes: dict[str, Any] = field(default_factory=dict)

    def category(self, text: str) -> list[tuple[str, float]]:
        return self.categories.probabilities(text)

    def type(self, text: str) -> tuple[RequestType, float]:
        label, probability = self.types.probabilities(text)[0]
        return RequestType(label), probability

    def to_data(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": self.version,
            "trained_on": self.trained_on,
            "threshold": self.threshold,
            "figures": self.figures.model_dump() if self.figures else None,
            "notes": self.notes,
            "categories": self.categories.to_data(),
            "types": self.types.to_data(),
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any], normalise: Normaliser | None = None) -> DispatchModel:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} model")
        return cls(
            categories=LinearModel.from_data(data["categories"], normalise),
            types=LinearModel.from_data(data["types"], normalise),
            threshold=float(data["threshold"]),
            figures=Figures.model_validate(data["figures"]) if data.get("figures") else None,
            version=str(data.get("version") or "shipped"),
            trained_on=int(data.get("trained_on") or 0),
            notes=dict(data.get("notes") or {}),
        )


def documents(examples: Sequence[Example], catalogue: Sequence[Category]) -> list[tuple[str, str]]:
    """Training texts: the examples of known categories, then each category's name, keywords
    and description (so a category is known by its words even before many requests name it)."""
    codes = {c.code for c in catalogue}
    found = [(e.text, e.category) for e in examples if e.category in codes]
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
) -> DispatchModel:
    """Train on `examples` and the catalogue, then measure on `evaluation` and set the threshold."""
    normalise = normalise or Normaliser()
    codes = {c.code for c in catalogue}
    texts = [(e.text, e.category) for e in examples if e.category in codes]
    phrases = documents([], catalogue)
    categories = train(texts, normalise=normalise, seed=seed, extra=phrases)
    types = train([(e.text, e.type.value) for e in examples], normalise=normalise, seed=seed)
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
    threshold = choose_threshold(pairs)
    auto = [right for confidence, right in pairs if confidence >= threshold]
    halves = (pairs[0::2], pairs[1::2])
    crossed: list[bool] = []
    for chosen_on, measured_on in (halves, halves[::-1]):
        cut = choose_threshold(chosen_on)
        crossed += [right for confidence, right in measured_on if confidence >= cut]
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
