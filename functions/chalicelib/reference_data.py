"""The reference data that ships with the functions: divisions, units derived from them, catalogue."""

from __future__ import annotations

import csv
import gzip
import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from .domain.classifier import Normaliser
from .domain.knowledge import KnowledgeEntry
from .domain.model import Category, RequestType, Unit, UnitKind
from .domain.partners import Partner
from .domain.places import Division, Gazetteer
from .domain.smart_dispatch import DispatchModel, EmergencyExample, Example
from .domain.triage import EmergencyWords

if TYPE_CHECKING:
    from .domain.classifier import Normaliser
    from .domain.insights import AnalyticsPolicy
    from .domain.places import Gazetteer
    from .domain.publication import PublicationPolicy
    from .domain.smart_dispatch import DispatchModel, EmergencyExample, Example

DATA = Path(__file__).resolve().parent / "data"


class Street(BaseModel):
    code: str
    name: str


class District(BaseModel):
    code: str
    name: str
    streets: list[Street]


@cache
def divisions() -> tuple[District, ...]:
    """Beijing's 16 districts and their 343 streets/townships (data/SOURCES.md)."""
    districts: dict[str, District] = {}
    with (DATA / "beijing_divisions.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            district = districts.setdefault(
                row["district_code"],
                District(code=row["district_code"], name=row["district_name"], streets=[]),
            )
            district.streets.append(Street(code=row["code"], name=row["name"]))
    return tuple(districts.values())


def division_units() -> list[Unit]:
    """Every district government (its 6-digit code) and street office (its 9-digit code)."""
    units: list[Unit] = []
    for district in divisions():
        units.append(Unit(id=district.code, name=f"{district.name}人民政府", kind=UnitKind.DISTRICT))
        units.extend(
            Unit(id=s.code, name=s.name, kind=UnitKind.STREET, district=district.code)
            for s in district.streets
        )
    return units


def department_units() -> list[Unit]:
    """City departments and public-service enterprises that receive sectoral orders."""
    raw = json.loads((DATA / "departments.json").read_text(encoding="utf-8"))
    return [Unit.model_validate(u) for u in raw]


def district_department_units() -> list[Unit]:
    """The departments every district has, as units `<district code>-<suffix>`."""
    raw = json.loads((DATA / "district_departments.json").read_text(encoding="utf-8"))
    return [
        Unit(
            id=f"{district.code}-{d['suffix']}",
            name=f"{district.name}{d['name']}",
            kind=UnitKind.DEPARTMENT,
            district=district.code,
        )
        for district in divisions()
        for d in raw
    ]


def all_units() -> list[Unit]:
    return division_units() + department_units() + district_department_units()


@cache
def categories() -> tuple[Category, ...]:
    raw = json.loads((DATA / "categories.json").read_text(encoding="utf-8"))
    return tuple(Category.model_validate(c) for c in raw)


@cache
def emergency_signs() -> EmergencyWords:
    """Signs of emergencies in progress per emergency line, and of a sign not happening now
    (data/emergencies.json)."""
    raw = json.loads((DATA / "emergencies.json").read_text(encoding="utf-8"))
    return EmergencyWords(lines=raw["lines"], not_now=raw["not_now"], simplified=simplified())


@cache
def emergency_words() -> EmergencyWords:
    """The signs with the learned reader of the shipped model (`make model`) for what they miss."""
    return emergency_signs().with_model(shipped_model().emergencies)


@cache
def emergency_examples() -> tuple[EmergencyExample, ...]:
    """Emergencies in progress and near misses written to develop the signs and train the reader
    (data/emergency_training/*.jsonl, SOURCES.md)."""
    from .domain.smart_dispatch import EmergencyExample

    rows = [e for path in sorted((DATA / "emergency_training").glob("*.jsonl")) for e in _lines(path)]
    return tuple(EmergencyExample(e["text"], e["line"] if e["emergency"] else None) for e in rows)


@cache
def simplified() -> dict[str, str]:
    """Traditional characters and their simplified forms (data/t2s.json, SOURCES.md)."""
    path = DATA / "t2s.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))["characters"]) if path.exists() else {}


@cache
def knowledge_base() -> tuple[KnowledgeEntry, ...]:
    """The knowledge-base entries that ship with the code (data/knowledge.json, SOURCES.md)."""
    raw = json.loads((DATA / "knowledge.json").read_text(encoding="utf-8"))
    return tuple(KnowledgeEntry.model_validate(e) for e in raw["entries"])


@cache
def dispatch_examples() -> tuple[Example, ...]:
    """Requests written to train the dispatch model (data/dispatch_examples.json and
    data/training/*.jsonl, SOURCES.md)."""
    from .domain.smart_dispatch import Example

    raw = json.loads((DATA / "dispatch_examples.json").read_text(encoding="utf-8"))["examples"]
    for path in sorted((DATA / "training").glob("*.jsonl")):
        raw += _lines(path)
    return tuple(Example(text=e["text"], category=e["category"], type=RequestType(e["type"])) for e in raw)


@cache
def evaluation_examples() -> tuple[Example, ...]:
    """Requests written apart from every training text, to measure the dispatch model on
    (data/evaluation/*.jsonl, SOURCES.md); never trained on."""
    from .domain.smart_dispatch import Example

    raw = [e for path in sorted((DATA / "evaluation").glob("*.jsonl")) for e in _lines(path)]
    return tuple(Example(text=e["text"], category=e["category"], type=RequestType(e["type"])) for e in raw)


@cache
def drift_examples() -> tuple[Example, ...]:
    """Requests in the new words the generated history's texts drift to, written apart from them
    (data/drift_evaluation.jsonl, SOURCES.md): a retraining measures on them with the evaluation
    set; never trained on."""
    from .domain.smart_dispatch import Example

    raw = _lines(DATA / "drift_evaluation.jsonl")
    return tuple(Example(text=e["text"], category=e["category"], type=RequestType(e["type"])) for e in raw)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@cache
def catalogue_levels() -> dict[str, str]:
    """The names of the catalogue's 大类 and 中类 by code (data/catalogue_levels.json)."""
    raw = json.loads((DATA / "catalogue_levels.json").read_text(encoding="utf-8"))
    return {level["code"]: level["name"] for level in raw["majors"] + raw["groups"]}


@cache
def gazetteer() -> Gazetteer:
    """Beijing's districts, streets and well-known places, to read the place from a text."""
    from .domain.places import Gazetteer

    rows = [
        Division(code=s.code, name=s.name, district_code=d.code, district_name=d.name)
        for d in divisions()
        for s in d.streets
    ]
    raw = json.loads((DATA / "places.json").read_text(encoding="utf-8"))
    return Gazetteer(rows, raw["places"], raw.get("weak", ()))


def normaliser() -> Normaliser:
    from .domain.classifier import Normaliser

    return Normaliser(simplified())


SHIPPED_MODEL = DATA / "model" / "dispatch.json.gz"


@cache
def shipped_model() -> DispatchModel:
    """The dispatch model built with the code (`make model`), until a retraining run promotes
    another."""
    from .domain.smart_dispatch import DispatchModel

    with gzip.open(SHIPPED_MODEL, "rt", encoding="utf-8") as f:
        return DispatchModel.from_data(json.load(f), normaliser())


@cache
def partners() -> dict[str, Partner]:
    """Partner hotlines and central units in Beijing (data/partners.json)."""
    raw = json.loads((DATA / "partners.json").read_text(encoding="utf-8"))
    return {p["id"]: Partner.model_validate(p) for p in raw["partners"]}


def analytics_policy() -> AnalyticsPolicy:
    """The analytics configuration (data/analytics.json): the rates' formulas, exclusions and
    weights, the topic signals' weights and thresholds, the hotspot rule."""
    from .domain.insights import AnalyticsPolicy

    raw = json.loads((DATA / "analytics.json").read_text(encoding="utf-8"))
    return AnalyticsPolicy.model_validate(raw)


@cache
def publication_policy() -> PublicationPolicy:
    """What is published of a request (data/publication.json, SOURCES.md)."""
    from .domain.publication import PublicationPolicy

    return PublicationPolicy.model_validate_json((DATA / "publication.json").read_text(encoding="utf-8"))
