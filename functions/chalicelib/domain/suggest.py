"""Suggestions while a request is written (DESIGN.md section 4): the category with its 大类 and
中类, the request type, the urgency, the place, the units, an emergency line and knowledge-base
answers. The category comes from the dispatch model (smart_dispatch.py); a category an admin
added after the model was trained is suggested from its keywords until a retraining learns it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache

from pydantic import BaseModel

from .catalogue import Catalogue
from .dispatch import route
from .errors import InvalidInput
from .knowledge import Answer, KnowledgeEntry, offered
from .model import Category, Location, RequestType, Unit
from .places import Gazetteer, PlaceSuggestion
from .smart_dispatch import DispatchModel
from .triage import EmergencyWords, emergency_line, possible_emergency

# The probability given to categories the model does not know whose keywords the text has.
KEYWORD_SHARE = 0.5


class Suggester:
    """The dispatch model over today's catalogue: categories an admin removed are not suggested,
    categories it added are suggested from their keywords."""

    def __init__(self, model: DispatchModel, catalogue: Sequence[Category]) -> None:
        self.model = model
        self.catalogue = {c.code: c for c in catalogue}
        known = set(model.categories.labels)
        self.keywords = {
            c.code: tuple(k for k in c.keywords if len(k) >= 2) for c in catalogue if c.code not in known
        }

    def category(self, text: str, top: int = 3) -> list[tuple[str, float]]:
        ranked = [(code, p) for code, p in self.model.category(text) if code in self.catalogue]
        total = sum(p for _, p in ranked) or 1.0
        ranked = [(code, p / total) for code, p in ranked]
        hits = {code: n for code, words in self.keywords.items() if (n := sum(1 for k in words if k in text))}
        if hits:
            found = sum(hits.values())
            ranked = [(code, KEYWORD_SHARE * n / found) for code, n in hits.items()] + [
                (code, p * (1 - KEYWORD_SHARE)) for code, p in ranked
            ]
            ranked.sort(key=lambda p: -p[1])
        return ranked[:top]

    def majors(self, text: str, top: int = 3) -> list[tuple[str, float]]:
        """The 大类, their categories' probabilities summed."""
        totals: dict[str, float] = defaultdict(float)
        for code, p in self.category(text, top=len(self.catalogue)):
            totals[self.catalogue[code].major] += p
        return sorted(totals.items(), key=lambda t: -t[1])[:top]

    def automatic(self, text: str) -> tuple[Category, float] | None:
        """The category to dispatch to with no dispatcher: the first suggestion, when the model
        knows it and is at least as confident as its threshold (smart_dispatch.py)."""
        ranked = self.category(text, top=1)
        if not ranked:
            return None
        code, p = ranked[0]
        if p < self.model.threshold or code not in self.model.categories.labels:
            return None
        return self.catalogue[code], p

    def type(self, text: str) -> tuple[RequestType, float]:
        return self.model.type(text)


@lru_cache(maxsize=4)
def suggester(model: DispatchModel, catalogue: tuple[Category, ...]) -> Suggester:
    """One suggester per model and catalogue (both immutable once loaded)."""
    return Suggester(model, catalogue)


def current(model: DispatchModel, reference: Catalogue) -> Suggester:
    return suggester(model, tuple(sorted(reference.categories(), key=lambda c: c.code)))


class CategorySuggestion(BaseModel):
    code: str
    name: str
    kind: str
    tier: str
    confidence: float  # calibrated: of suggestions at 0.8, about eight in ten are right
    major: str
    major_name: str
    group: str
    group_name: str


class MajorSuggestion(BaseModel):
    code: str
    name: str
    confidence: float


class UnitSuggestion(BaseModel):
    id: str
    name: str
    kind: str
    role: str  # first_receiver | copied | assisting


class Suggestions(BaseModel):
    categories: list[CategorySuggestion]
    majors: list[MajorSuggestion]
    automatic: bool  # the workflow would dispatch it to the first category with no dispatcher
    type: RequestType
    type_confidence: float
    urgency: str | None  # the time-limit tier of the best category
    units: list[UnitSuggestion]
    place: PlaceSuggestion | None  # the district and street the text names
    model: str  # the version of the dispatch model that suggested them
    emergency: str | None  # an emergency in progress: the request will not be dispatched
    possible_emergency: str | None  # recall first: ask whether it is one, and show the line
    answers: list[Answer]


def suggest(
    text: str,
    location: Location | None,
    *,
    model: DispatchModel,
    reference: Catalogue,
    levels: Mapping[str, str],
    gazetteer: Gazetteer,
    emergencies: EmergencyWords,
    knowledge: list[KnowledgeEntry],
    today: date,
) -> Suggestions:
    """What the form or the operator is offered while the request is being written. Units are
    routed at the location given, or else at the place the text names."""
    chooser = current(model, reference)
    by_code = chooser.catalogue
    ranked = [_category(by_code[code], p, levels) for code, p in chooser.category(text)]
    majors = [
        MajorSuggestion(code=code, name=levels.get(code, code), confidence=round(p, 3))
        for code, p in chooser.majors(text)
    ]
    kind, kind_confidence = chooser.type(text)
    place = gazetteer.find(text)
    where = location or (Location(district=place.district, street=place.street) if place else None)
    units: list[UnitSuggestion] = []
    if where is not None and ranked:
        try:
            chosen = route(where, by_code[ranked[0].code], reference)
        except InvalidInput:
            chosen = None
        if chosen is not None:
            units.append(_unit(chosen.first_receiver, "first_receiver"))
            units += [_unit(u, "copied") for u in chosen.copied_to]
            units += [_unit(u, "assisting") for u in chosen.assisting]
    return Suggestions(
        categories=ranked,
        majors=majors,
        automatic=chooser.automatic(text) is not None,
        type=kind,
        type_confidence=round(kind_confidence, 3),
        urgency=ranked[0].tier if ranked else None,
        units=units,
        place=place,
        model=model.version,
        emergency=emergency_line(text, emergencies),
        possible_emergency=possible_emergency(text, emergencies),
        answers=offered(knowledge, text, today, limit=3),
    )


def _category(c: Category, p: float, levels: Mapping[str, str]) -> CategorySuggestion:
    return CategorySuggestion(
        code=c.code,
        name=c.name,
        kind=c.kind.value,
        tier=c.tier,
        confidence=round(p, 3),
        major=c.major,
        major_name=levels.get(c.major, c.major),
        group=c.group,
        group_name=levels.get(c.group, c.group),
    )


def _unit(unit: Unit, role: str) -> UnitSuggestion:
    return UnitSuggestion(id=unit.id, name=unit.name, kind=unit.kind.value, role=role)
