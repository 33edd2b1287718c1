"""Smart dispatch (DESIGN.md section 4): from the request text, suggest the category, the request
type, the urgency and the units, each with a confidence; the operator confirms or overrides.

A multinomial naive Bayes classifier over character unigrams and bigrams (text.terms), trained on
written examples (data/dispatch_examples.json) plus each category's name and keywords from the
catalogue. Every category is equally likely before the text is read (how many examples one has
says nothing about how often people call about it). A category with no written examples (one an
admin just added) is known only by its name and keywords: each of its keywords found verbatim in
the text adds KEYWORD_BOOST to its log score, so it is suggested from its keywords alone. Naive
Bayes is overconfident, so the confidence is the posterior softened by a temperature.

The constants were chosen on 3-fold cross-validation of the training examples (τ 8: the mean
confidence of the top suggestion, 0.59, matches that accuracy, 0.60, with two thirds of the
examples). Boosting keywords of every category helped that cross-validation (0.78) but cost 3
points on the held-out set (docs/benchmarks.md), so only example-less categories get it.
`make bench` measures accuracy on the held-out set."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from pydantic import BaseModel

from .dispatch import route
from .errors import InvalidInput
from .knowledge import Answer, KnowledgeEntry, search
from .model import Category, Location, RequestType, Unit
from .ports import Reference
from .text import terms
from .triage import EmergencyWords, emergency_line

# Smoothing, how many times a category's name and each keyword count as a training example, and
# the keyword boost and the temperature that calibrates the confidence (see above).
ALPHA = 0.05
CATALOGUE_WEIGHT = 2
KEYWORD_BOOST = 24.0
TEMPERATURE = 8.0


@dataclass(frozen=True)
class Example:
    text: str
    category: str
    type: RequestType


class NaiveBayes:
    """Multinomial naive Bayes with additive smoothing over term counts."""

    def __init__(
        self,
        documents: Iterable[tuple[Sequence[str], str]],
        alpha: float = ALPHA,
        temperature: float = 1.0,
        uniform_prior: bool = False,
    ) -> None:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        documents_per_label: Counter[str] = Counter()
        for words, label in documents:
            counts[label].update(words)
            documents_per_label[label] += 1
        self.labels = sorted(counts)
        self.vocabulary = {w for c in counts.values() for w in c}
        total = sum(documents_per_label.values())
        size = len(self.vocabulary)
        self.prior = {
            k: 0.0 if uniform_prior else math.log(documents_per_label[k] / total) for k in self.labels
        }
        self.temperature = temperature
        self.denominator = {k: math.log(sum(counts[k].values()) + alpha * size) for k in self.labels}
        self.log_count = {k: {w: math.log(n + alpha) for w, n in counts[k].items()} for k in self.labels}
        self.unseen = math.log(alpha)

    def log_scores(self, words: Sequence[str]) -> dict[str, float]:
        """Each label's log prior plus the log likelihood of the words it has seen in any label."""
        known = [w for w in words if w in self.vocabulary]
        scores = {}
        for label in self.labels:
            logs = self.log_count[label]
            scores[label] = (
                self.prior[label]
                + sum(logs.get(w, self.unseen) for w in known)
                - len(known) * self.denominator[label]
            )
        return scores

    def posteriors(
        self, words: Sequence[str], boost: dict[str, float] | None = None
    ) -> list[tuple[str, float]]:
        """Every label with its probability (log scores plus `boost`, tempered), most likely first."""
        scores = self.log_scores(words)
        for label, extra in (boost or {}).items():
            if label in scores:
                scores[label] += extra
        top = max(scores.values())
        weights = {k: math.exp((v - top) / self.temperature) for k, v in scores.items()}
        total = sum(weights.values())
        return sorted(((k, w / total) for k, w in weights.items()), key=lambda p: -p[1])


class Suggester:
    """Category and request-type classifiers trained on the examples and the catalogue."""

    def __init__(self, examples: Sequence[Example], catalogue: Sequence[Category]) -> None:
        codes = {c.code for c in catalogue}
        documents = [(terms(e.text), e.category) for e in examples if e.category in codes]
        for category in catalogue:
            for phrase in (category.name, *category.keywords):
                documents += [(terms(phrase), category.code)] * CATALOGUE_WEIGHT
        self.categories = NaiveBayes(documents, temperature=TEMPERATURE, uniform_prior=True)
        trained = {e.category for e in examples}
        self.keywords = {
            c.code: tuple(k for k in c.keywords if len(k) >= 2) for c in catalogue if c.code not in trained
        }
        self.types = NaiveBayes(((terms(e.text), e.type.value) for e in examples), temperature=TEMPERATURE)

    def category(self, text: str, top: int = 3) -> list[tuple[str, float]]:
        boost = {
            code: KEYWORD_BOOST * hits
            for code, words in self.keywords.items()
            if (hits := sum(1 for k in words if k in text))
        }
        return self.categories.posteriors(terms(text), boost)[:top]

    def type(self, text: str) -> tuple[RequestType, float]:
        label, probability = self.types.posteriors(terms(text))[0]
        return RequestType(label), probability


@lru_cache(maxsize=2)
def _suggester(examples: tuple[Example, ...], catalogue: tuple[Category, ...]) -> Suggester:
    return Suggester(examples, catalogue)


class CategorySuggestion(BaseModel):
    code: str
    name: str
    kind: str
    tier: str
    confidence: float


class UnitSuggestion(BaseModel):
    id: str
    name: str
    kind: str
    role: str  # first_receiver | copied | assisting


class Suggestions(BaseModel):
    categories: list[CategorySuggestion]
    type: RequestType
    type_confidence: float
    urgency: str | None  # the time-limit tier of the best category
    units: list[UnitSuggestion]
    emergency: str | None
    answers: list[Answer]


def suggest(
    text: str,
    location: Location | None,
    *,
    examples: tuple[Example, ...],
    reference: Reference,
    emergencies: EmergencyWords,
    knowledge: list[KnowledgeEntry],
    today: date,
) -> Suggestions:
    """What the form or the operator is offered while the request is being written."""
    catalogue = tuple(sorted(reference.categories(), key=lambda c: c.code))
    by_code = {c.code: c for c in catalogue}
    suggester = _suggester(examples, catalogue)
    ranked = [
        CategorySuggestion(
            code=code,
            name=by_code[code].name,
            kind=by_code[code].kind.value,
            tier=by_code[code].tier,
            confidence=round(p, 3),
        )
        for code, p in suggester.category(text)
    ]
    kind, kind_confidence = suggester.type(text)
    units: list[UnitSuggestion] = []
    if location is not None and ranked:
        try:
            chosen = route(location, by_code[ranked[0].code], reference)
        except InvalidInput:
            chosen = None
        if chosen is not None:
            units.append(_unit(chosen.first_receiver, "first_receiver"))
            units += [_unit(u, "copied") for u in chosen.copied_to]
            units += [_unit(u, "assisting") for u in chosen.assisting]
    return Suggestions(
        categories=ranked,
        type=kind,
        type_confidence=round(kind_confidence, 3),
        urgency=ranked[0].tier if ranked else None,
        units=units,
        emergency=emergency_line(text, emergencies),
        answers=search(knowledge, text, today, limit=3),
    )


def _unit(unit: Unit, role: str) -> UnitSuggestion:
    return UnitSuggestion(id=unit.id, name=unit.name, kind=unit.kind.value, role=role)
