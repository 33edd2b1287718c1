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

import random
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from .classifier import (
    LinearModel,
    Normaliser,
    expected_calibration_error,
    features,
    fit_vectors,
    softmax,
    train,
)
from .errors import Conflict, NotFound
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


EMERGENCY_LINES = ("110", "119", "120", "122")
EMERGENCY_RECALL = 0.995  # of the signs and the reader together, on k-fold predictions
NO_EMERGENCY = "none"
SETTLE_PRECISION = 0.95  # the reader's own calls that settle a request as an emergency


@dataclass(frozen=True)
class EmergencyExample:
    text: str
    line: str | None  # None: not an emergency in progress


@dataclass(eq=False)
class EmergencyModel:
    """The learned half of the emergency detector: a linear model over the text's n-grams and the
    signs' findings (`triage.signals`), read where the signs find nothing. At or above `settle`
    (the probability of an emergency) it is as sure as the signs, and the request is not
    dispatched; at or above `threshold` (recall first) the requester is asked whether it is an
    emergency happening now and shown the line to call."""

    model: LinearModel
    threshold: float
    settle: float = 1.0
    figures: dict[str, float] = field(default_factory=dict)

    def probability(self, text: str, found: Sequence[str]) -> list[tuple[str, float]]:
        vector = features(text, self.model.normalise)
        for signal in found:
            vector[f"§{signal}"] = SIGNAL_WEIGHT
        return softmax(self.model.labels, self.model.scores(vector), self.model.temperature)

    def line(self, text: str, signals: list[str], sure: bool = True) -> str | None:
        """The line of the most likely emergency, when it is at least `settle` likely (`sure`) or
        at least `threshold` likely."""
        ranked = self.probability(text, signals)
        none = next((p for label, p in ranked if label == NO_EMERGENCY), 0.0)
        if 1 - none < (self.settle if sure else self.threshold):
            return None
        return next(label for label, _ in ranked if label != NO_EMERGENCY)

    def to_data(self) -> dict[str, Any]:
        return {
            "model": self.model.to_data(),
            "threshold": self.threshold,
            "settle": self.settle,
            "figures": self.figures,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any], normalise: Normaliser | None) -> EmergencyModel:
        return cls(
            model=LinearModel.from_data(data["model"], normalise),
            threshold=float(data["threshold"]),
            settle=float(data.get("settle", 1.0)),
            figures={k: float(v) for k, v in (data.get("figures") or {}).items()},
        )


SIGNAL_WEIGHT = 0.5


@dataclass(eq=False)  # one loaded model is one thing: hashed by identity
class DispatchModel:
    categories: LinearModel
    types: LinearModel
    threshold: float
    figures: Figures | None = None
    version: str = "shipped"
    trained_on: int = 0
    notes: dict[str, Any] = field(default_factory=dict)
    emergencies: EmergencyModel | None = None

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
            "emergencies": self.emergencies.to_data() if self.emergencies else None,
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
            emergencies=EmergencyModel.from_data(data["emergencies"], normalise)
            if data.get("emergencies")
            else None,
        )


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
) -> DispatchModel:
    """Train on `examples` and the catalogue, then measure on `evaluation` and set the threshold."""
    normalise = normalise or Normaliser()
    codes = {c.code for c in catalogue}
    texts = [(e.text, e.category) for e in examples if e.category in codes]
    phrases = catalogue_phrases(catalogue)
    categories = train(texts, normalise=normalise, seed=seed, extra=phrases, min_count=2)
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

    def fit(rows: Sequence[tuple[str, str, list[str], str | None]]) -> EmergencyModel:
        vectors = []
        for text, label, found, _ in rows:
            vector = features(text, normalise)
            vector.update({f"§{s}": SIGNAL_WEIGHT for s in found})
            vectors.append((vector, label))
        model = fit_vectors(vectors, seed=seed)
        model.normalise = normalise
        return EmergencyModel(model=model, threshold=0.5)

    held: list[tuple[bool, bool, float]] = []  # (an emergency, the signs found it, p(emergency))
    order = list(range(len(labelled)))
    random.Random(seed).shuffle(order)
    for k in range(folds):
        test = set(order[k::folds])
        part = fit([row for i, row in enumerate(labelled) if i not in test])
        for i in test:
            text, label, found, by_signs = labelled[i]
            ranked = part.probability(text, found)
            none = next((p for name, p in ranked if name == NO_EMERGENCY), 0.0)
            held.append((label != NO_EMERGENCY, by_signs is not None, 1 - none))
    emergencies = [(signs, p) for is_emergency, signs, p in held if is_emergency]
    calm = [(signs, p) for is_emergency, signs, p in held if not is_emergency]
    threshold = 0.5
    for candidate in sorted({p for _, p in emergencies}, reverse=True):
        caught = sum(1 for signs, p in emergencies if signs or p >= candidate)
        threshold = candidate
        if caught >= EMERGENCY_RECALL * len(emergencies):
            break
    # Sure: the lowest probability at which the reader's own calls were right SETTLE_PRECISION of the time.
    settle = 1.0
    calls = sorted(((p, is_emergency) for is_emergency, signs, p in held if not signs), key=lambda t: -t[0])
    right = 0
    for n, (probability, is_emergency) in enumerate(calls, start=1):
        right += is_emergency
        if n >= MIN_AUTO_SUPPORT and right / n >= SETTLE_PRECISION:
            settle = probability
    final = fit(labelled)
    final.threshold = threshold
    final.settle = max(settle, threshold)
    final.figures = {
        "examples": float(len(labelled)),
        "cv_recall": sum(1 for s, p in emergencies if s or p >= threshold) / max(len(emergencies), 1),
        "cv_false_alarms": sum(1 for s, p in calm if s or p >= threshold) / max(len(calm), 1),
        "cv_recall_signs_only": sum(1 for s, _ in emergencies if s) / max(len(emergencies), 1),
        "cv_recall_sure": sum(1 for s, p in emergencies if s or p >= final.settle) / max(len(emergencies), 1),
        "cv_false_alarms_sure": sum(1 for s, p in calm if s or p >= final.settle) / max(len(calm), 1),
    }
    return final


# --- retraining and the registry of models (Art. 24's data, learned from) -----------------------

SHIPPED = "shipped"


class ModelInfo(BaseModel):
    """A trained model as the analysts see it."""

    version: str
    trained_on: int  # training texts
    history: int  # of which closed orders with their final category
    figures: Figures
    created_at: datetime | None  # None: built with the code


class ServingChange(BaseModel):
    at: datetime
    version: str
    by: str  # "retraining" or an analyst's user name
    reason: str


class ModelIndex(BaseModel):
    """Which model serves (None: the one shipped with the code), every model trained, every change."""

    serving: str | None = None
    models: list[ModelInfo] = []
    changes: list[ServingChange] = []


class DispatchModels(ABC):
    """Where trained models are kept and which one serves (adapters/models.py)."""

    @abstractmethod
    def index(self) -> tuple[ModelIndex, str | None]:
        """The index and its version tag (None when there is none yet)."""

    @abstractmethod
    def save_index(self, index: ModelIndex, tag: str | None) -> None:
        """Write the index if it is still at `tag`; StaleVersion otherwise."""

    @abstractmethod
    def put(self, model: DispatchModel) -> None:
        """Keep a model under its version (never overwritten)."""

    @abstractmethod
    def serving(self, shipped: DispatchModel) -> DispatchModel:
        """The model that serves now (read again every few minutes), or `shipped`."""


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
) -> Retrained:
    """Train a candidate on the written texts and the city's closed orders, measure it on the
    evaluation set, keep it, and serve it only when it measures better than the one serving."""
    candidate = build(
        [*written, *history], catalogue, evaluation, normalise=serving.categories.normalise, version=version
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


def serve(version: str, by: str, reason: str, *, now: datetime, models: DispatchModels) -> ModelIndex:
    """An analyst puts a kept model (or the shipped one) in service: a promotion or a roll-back."""
    index, tag = models.index()
    known = {m.version for m in index.models} | {SHIPPED}
    if version not in known:
        raise NotFound(f"No model {version}.")
    wanted = None if version == SHIPPED else version
    if index.serving == wanted:
        raise Conflict(f"Model {version} already serves.", "already_serving")
    updated = index.model_copy(
        update={
            "serving": wanted,
            "changes": [*index.changes, ServingChange(at=now, version=version, by=by, reason=reason)],
        }
    )
    models.save_index(updated, tag)
    return updated
