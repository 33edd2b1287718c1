"""A linear text classifier for smart dispatch (智能派单, DESIGN.md section 4), pure Python so the
same code trains at build time and in the retraining Lambda, and scores in the API in a few ms.

- Features: the text normalised (traditional characters to simplified, full-width to half-width,
  digits to one symbol) and cut into character 1-, 2- and 3-grams over runs of Chinese, each Latin
  run whole; counts are sublinear (1 + log tf) and the vector has unit length.
- Training: averaged multiclass passive-aggressive updates (PA-I, Crammer et al. 2006): per
  example only the true label and the best-scoring wrong one change, so a pass over ten thousand
  requests and three hundred labels takes seconds.
- Confidence: a softmax over the scores at a temperature fitted on predictions for examples the
  model was not trained on (k-fold), so "0.9" means right about nine times in ten.
- Shipped as data (`to_data` / `from_data`): labels, biases, and per feature its non-zero weights."""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

_RUN = re.compile(r"[a-z]+|[0-9]+|[\u3400-\u9fff]+")
FORMAT = "jiesu-linear-1"
PRUNE = 4e-2  # weights smaller than this are left out of the model (they change no ranking)


@dataclass(frozen=True)
class Normaliser:
    """Traditional → simplified characters (a one-character table shipped as data)."""

    simplified: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, text: str) -> str:
        text = unicodedata.normalize("NFKC", text).lower()
        if self.simplified:
            text = "".join(self.simplified.get(ch, ch) for ch in text)
        return text


def features(text: str, normalise: Normaliser) -> dict[str, float]:
    """The unit-length feature vector of a text (see the module's docstring)."""
    counts: Counter[str] = Counter()
    for run in _RUN.findall(normalise(text)):
        if run[0].isdigit():
            counts["#"] += 1
            continue
        if run[0].isascii():
            counts[run] += 1
            continue
        counts.update(run)
        counts.update(run[i : i + 2] for i in range(len(run) - 1))
        counts.update(run[i : i + 3] for i in range(len(run) - 2))
    weighted = {f: 1.0 + math.log(n) for f, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in weighted.values())) or 1.0
    return {f: v / norm for f, v in weighted.items()}


@dataclass
class LinearModel:
    labels: list[str]
    weights: dict[str, dict[int, float]]  # feature → label index → weight
    bias: list[float]
    temperature: float = 1.0
    normalise: Normaliser = field(default_factory=Normaliser)

    def scores(self, vector: Mapping[str, float]) -> list[float]:
        result = list(self.bias)
        for feature, value in vector.items():
            row = self.weights.get(feature)
            if row:
                for label, weight in row.items():
                    result[label] += weight * value
        return result

    def probabilities(self, text: str) -> list[tuple[str, float]]:
        """Every label with its calibrated probability, most likely first."""
        return softmax(self.labels, self.scores(features(text, self.normalise)), self.temperature)

    def to_data(self, precision: int = 4) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "labels": self.labels,
            "bias": [round(b, precision) for b in self.bias],
            "temperature": self.temperature,
            "weights": {
                f: [[i, round(w, precision)] for i, w in sorted(row.items()) if round(w, precision)]
                for f, row in sorted(self.weights.items())
            },
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any], normalise: Normaliser | None = None) -> LinearModel:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} model")
        return cls(
            labels=list(data["labels"]),
            weights={f: {int(i): float(w) for i, w in row} for f, row in data["weights"].items()},
            bias=[float(b) for b in data["bias"]],
            temperature=float(data["temperature"]),
            normalise=normalise or Normaliser(),
        )


def softmax(labels: Sequence[str], scores: Sequence[float], temperature: float) -> list[tuple[str, float]]:
    top = max(scores)
    weights = [math.exp((s - top) / temperature) for s in scores]
    total = sum(weights)
    return sorted(((k, w / total) for k, w in zip(labels, weights, strict=True)), key=lambda p: -p[1])


def train(
    documents: Sequence[tuple[str, str]],
    *,
    normalise: Normaliser | None = None,
    epochs: int = 10,
    aggressiveness: float = 0.5,
    seed: int = 12345,
    min_count: int = 1,
    folds: int = 3,
    extra: Sequence[tuple[str, str]] = (),
) -> LinearModel:
    """A model of `documents` (text, label) and `extra` (short phrases, always trained on), with
    its temperature fitted on k-fold predictions for the documents alone."""
    normalise = normalise or Normaliser()
    vectors = [(features(text, normalise), label) for text, label in documents]
    always = [(features(text, normalise), label) for text, label in extra]
    model = _fit(vectors + always, epochs, aggressiveness, seed, min_count)
    model.normalise = normalise
    model.temperature = _temperature(vectors, always, epochs, aggressiveness, seed, min_count, folds)
    return model


def _temperature(
    vectors: Sequence[tuple[dict[str, float], str]],
    always: Sequence[tuple[dict[str, float], str]],
    epochs: int,
    aggressiveness: float,
    seed: int,
    min_count: int,
    folds: int,
) -> float:
    """The temperature fitted on k-fold predictions for `vectors` (`always` in every fold's training)."""
    if folds < 2 or len(vectors) < folds * 2:
        return 1.0
    held_out: list[tuple[list[float], int]] = []
    order = list(range(len(vectors)))
    random.Random(seed).shuffle(order)
    for k in range(folds):
        test = set(order[k::folds])
        kept = [v for i, v in enumerate(vectors) if i not in test]
        part = _fit([*kept, *always], epochs, aggressiveness, seed, min_count)
        index = {label: i for i, label in enumerate(part.labels)}
        held_out += [
            (part.scores(vectors[i][0]), index[vectors[i][1]]) for i in test if vectors[i][1] in index
        ]
    return fit_temperature(held_out)


def fit_vectors(
    vectors: Sequence[tuple[dict[str, float], str]],
    *,
    epochs: int = 10,
    aggressiveness: float = 0.5,
    seed: int = 12345,
    folds: int = 3,
) -> LinearModel:
    """A model of ready-made feature vectors (the caller adds features of its own), its temperature
    fitted on k-fold predictions."""
    model = _fit(vectors, epochs, aggressiveness, seed, 1)
    model.temperature = _temperature(vectors, [], epochs, aggressiveness, seed, 1, folds)
    return model


def _fit(
    vectors: Sequence[tuple[dict[str, float], str]],
    epochs: int,
    aggressiveness: float,
    seed: int,
    min_count: int,
) -> LinearModel:
    # numpy for training only (the build and the retraining run have it); scoring needs none.
    import numpy as np

    labels = sorted({label for _, label in vectors})
    index = {label: i for i, label in enumerate(labels)}
    seen: Counter[str] = Counter(f for vector, _ in vectors for f in vector)
    names = sorted(f for f, n in seen.items() if n >= min_count)
    column = {f: i for i, f in enumerate(names)}
    rows = []
    for vector, label in vectors:
        kept = [(column[f], v) for f, v in vector.items() if f in column]
        idx = np.array([c for c, _ in kept], dtype=np.int64)
        val = np.array([v for _, v in kept], dtype=np.float32)
        rows.append((idx, val, index[label]))
    # w: current weights (the last row is the bias); u: the same updates scaled by when they
    # happened, so that w - u / step is the average of every step's weights.
    w = np.zeros((len(names) + 1, len(labels)), dtype=np.float32)
    u = np.zeros_like(w)
    bias = len(names)
    step = 1
    shuffle = random.Random(seed)
    order = list(range(len(rows)))
    for _epoch in range(epochs):
        shuffle.shuffle(order)
        for i in order:
            idx, val, truth = rows[i]
            scores = val @ w[idx] + w[bias]
            truth_score = float(scores[truth])
            scores[truth] = -np.inf
            rival = int(scores.argmax())
            loss = 1.0 - (truth_score - float(scores[rival]))
            if loss > 0:
                # ||x||² is 1 for the features and 1 for the bias; the truth's and the rival's rows move.
                tau = min(aggressiveness, loss / (2 * (1.0 + 1.0)))
                w[idx, truth] += tau * val
                w[idx, rival] -= tau * val
                u[idx, truth] += step * tau * val
                u[idx, rival] -= step * tau * val
                w[bias, truth] += tau
                w[bias, rival] -= tau
                u[bias, truth] += step * tau
                u[bias, rival] -= step * tau
            step += 1
    averaged = w - u / step
    weights: dict[str, dict[int, float]] = {}
    for j, name in enumerate(names):
        row = averaged[j]
        nonzero = np.flatnonzero(np.abs(row) > PRUNE)
        if nonzero.size:
            weights[name] = {int(k): float(row[k]) for k in nonzero}
    return LinearModel(labels=labels, weights=weights, bias=[float(b) for b in averaged[bias]])


def fit_temperature(held_out: Sequence[tuple[Sequence[float], int]]) -> float:
    """The temperature that makes held-out predictions most likely (least negative log likelihood)."""
    if not held_out:
        return 1.0

    def nll(temperature: float) -> float:
        total = 0.0
        for scores, truth in held_out:
            top = max(scores)
            log_sum = math.log(sum(math.exp((s - top) / temperature) for s in scores))
            total -= (scores[truth] - top) / temperature - log_sum
        return total

    candidates = [0.02 * 1.15**k for k in range(40)]
    return min(candidates, key=nll)


def expected_calibration_error(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> float:
    """How far confidence is from accuracy, averaged over equal-width confidence bins by their size."""
    if not pairs:
        return 0.0
    buckets: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for confidence, right in pairs:
        buckets[min(int(confidence * bins), bins - 1)].append((confidence, right))
    error = 0.0
    for items in buckets.values():
        mean_confidence = sum(c for c, _ in items) / len(items)
        accuracy = sum(1 for _, r in items if r) / len(items)
        error += len(items) / len(pairs) * abs(mean_confidence - accuracy)
    return error
