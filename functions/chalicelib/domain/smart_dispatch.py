"""Smart dispatch (智能派单, DESIGN.md section 4): the trained models as they serve, and the
registry of which one serves.

A `DispatchModel` is what ships (data/model/dispatch.json.gz, built by `make model`) or what a
retraining run promotes: a category classifier, a request-type classifier, the confidence at or
above which an uncategorised request is dispatched automatically, and the figures it earned on
the evaluation set — requests written apart from every training text, never trained on. How a
model is trained and measured, and when a retrained one is promoted: dispatch_training.py."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from .classifier import LinearModel, Normaliser, features, softmax
from .errors import Conflict, NotFound
from .model import RequestType

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
NO_EMERGENCY = "none"


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
