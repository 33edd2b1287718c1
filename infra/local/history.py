"""History: months of de-identified order facts, for the analytics demo and its benchmark.

The analytics (unit rates, trends, topics, recurrences, hotspots) only show what they are for when
the facts hold something to find, and the benchmark needs millions of rows. Replaying that many
orders through the domain would take hours, so the orders are drawn as numpy arrays, a month at a
time, from what the project itself knows: the divisions and the catalogue it ships, the dispatch
rule (`dispatch.route`, once per category and street), the tiers' time limits, and the workflow's
rules for late flags, reminders, reopening and closing. What is assumed is stated here: districts
ask in proportion to their population, some categories have seasons, each unit has a latent
quality that drives its timeliness and its requesters' verdicts, a few hundred places keep coming
back, a few streets flare up in a category in the final weeks, and some people call again and again.
The words drift: for some categories, citizens take up new words over the months (a new app, a new
service, new slang for the same problem), so that a model trained before hears them less well.
Streets also blow whistles (吹哨报到, Art. 33): a few a month, each summoning one to three of their
district's departments or the city's, who report for duty within the limit or late or not at all.

Every row is the final state of one order as the stream export would have written it after its
last change before the end of the range, in the schema of `facts.ORDER_COLUMNS`, partitioned by
the Beijing day of that change; a whistle's rows (one per summoned department) are those of
`facts.summons_facts` the same way. Requesters and places are keyed hashes of synthetic identities
under the analytics key. DuckDB builds the rows and writes the JSON; the same plan gives the same
bytes.

    python -m infra.local.history --from 2026-08 --to 2026-10 --orders 60000 --out DIR \
        [--emerging ebike_nonstandard --emerging-month 2026-09]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any, cast

import duckdb
import numpy as np
from numpy.typing import NDArray
from tqdm import tqdm  # type: ignore[import-untyped]

# isort: split
from chalicelib import names
from chalicelib.domain import facts
from chalicelib.domain.beijing import BEIJING
from chalicelib.domain.deadlines import DEFAULT_LIMITS
from chalicelib.domain.dispatch import route
from chalicelib.domain.model import (
    Category,
    CategoryKind,
    Channel,
    Location,
    RequesterKind,
    RequestType,
    Satisfaction,
    Status,
    UnitKind,
)
from chalicelib.domain.reference import Reference
from chalicelib.domain.triage import Reason
from chalicelib.reference_data import all_units, categories, divisions

Array = NDArray[Any]

TEXTS = Path(__file__).resolve().parent / "data" / "history_texts.json"
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
DAY = 86_400
HOUR = 3_600
UTC_OFFSET = 8 * HOUR  # Beijing
NEVER = np.int64(2**62)
WRITERS = min(4, os.cpu_count() or 1)  # days turned into JSON at once

# Resident population by district, 7th national population census (1 November 2020): 北京市统计局,
# 北京市第七次全国人口普查公报（第二号）, 19 May 2021. Requests per district follow it.
DISTRICT_POPULATION: dict[str, int] = {
    "110101": 708_829,  # 东城区
    "110102": 1_106_214,  # 西城区
    "110105": 3_452_460,  # 朝阳区
    "110106": 2_019_764,  # 丰台区
    "110107": 567_851,  # 石景山区
    "110108": 3_133_469,  # 海淀区
    "110109": 392_606,  # 门头沟区
    "110111": 1_312_778,  # 房山区
    "110112": 1_840_295,  # 通州区
    "110113": 1_324_044,  # 顺义区
    "110114": 2_269_487,  # 昌平区
    "110115": 1_993_591,  # 大兴区
    "110116": 441_040,  # 怀柔区
    "110117": 457_313,  # 平谷区
    "110118": 527_683,  # 密云区
    "110119": 345_671,  # 延庆区
}
STREET_SKEW = 0.6  # sigma of the log-normal spread of streets' volumes within a district

# Share of all requests per 大类 of the catalogue; its categories share it unevenly (from the seed).
MAJOR_SHARE: dict[str, float] = {
    "housing": 0.20,
    "urban_construction": 0.17,
    "traffic": 0.10,
    "labour": 0.08,
    "market": 0.08,
    "utilities": 0.08,
    "ecology": 0.05,
    "education": 0.04,
    "medical": 0.04,
    "public_services": 0.03,
    "civil_affairs": 0.03,
    "social_order": 0.02,
    "culture_tourism_sport": 0.02,
    "agriculture": 0.02,
    "public_health": 0.01,
    "natural_resources": 0.01,
    "tax": 0.01,
    "business": 0.01,
    "family_planning": 0.005,
    "justice": 0.005,
}
# Categories Beijing's hotline hears far more of than the rest of their 大类.
FREQUENT: dict[str, float] = {
    "construction_noise": 4.0,
    "commercial_noise": 3.0,
    "square_dance_noise": 3.0,
    "heating_insufficient": 3.0,
    "property_service": 2.0,
    "property_fees": 2.0,
    "wage_arrears": 3.0,
    "illegal_parking": 2.0,
    "garbage_collection": 2.0,
}
CATEGORY_SKEW = 0.5

# Volume by calendar month, January first. Beijing heats from 15 November to 15 March; noise and
# water peak in the summer and the rainy season; enrolment in spring.
SEASONS: dict[str, tuple[float, ...]] = {
    "heating": (4.0, 3.2, 1.6, 0.15, 0.03, 0.02, 0.02, 0.02, 0.03, 0.3, 3.0, 4.2),
    "summer": (0.6, 0.6, 0.8, 1.0, 1.2, 1.6, 1.8, 1.7, 1.2, 0.9, 0.7, 0.6),
    "rain": (0.3, 0.3, 0.4, 0.6, 0.9, 1.6, 2.8, 2.4, 1.1, 0.6, 0.4, 0.3),
    "growth": (0.5, 0.5, 0.8, 1.2, 1.4, 1.5, 1.6, 1.5, 1.2, 1.0, 0.7, 0.5),
    "enrolment": (0.6, 0.6, 0.9, 1.6, 2.2, 2.0, 1.6, 1.4, 1.2, 0.6, 0.5, 0.5),
}
SEASON_OF: dict[str, str] = {
    "heating_insufficient": "heating",
    "heating_outage": "heating",
    "construction_noise": "summer",
    "commercial_noise": "summer",
    "square_dance_noise": "summer",
    "water_outage": "rain",
    "water_main_burst": "rain",
    "drainage_flooding": "rain",
    "greening_maintenance": "growth",
    "fallen_trees": "growth",
    "pest_control": "growth",
    "school_enrollment": "enrolment",
    "school_district": "enrolment",
    "kindergarten_places": "enrolment",
}
WEEKDAY = (1.08, 1.04, 1.02, 1.0, 0.98, 0.86, 0.74)  # Monday first
# Requests per Beijing hour of the day: office hours, and the evenings when noise keeps people up.
OFFICE_HOURS = (0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.6, 1.5, 3.5, 5.0, 5.2, 4.6,
                3.2, 3.8, 4.6, 4.7, 4.3, 3.6, 2.6, 2.4, 2.2, 1.8, 1.2, 0.6)  # fmt: skip
EVENING_HOURS = (1.4, 0.8, 0.4, 0.2, 0.2, 0.4, 1.2, 2.0, 2.6, 2.8, 2.8, 2.6,
                 2.2, 2.4, 2.6, 2.6, 2.6, 2.8, 3.4, 4.6, 5.4, 5.6, 4.6, 2.6)  # fmt: skip
EVENING = frozenset({"construction_noise", "commercial_noise", "square_dance_noise"})

CHANNELS: dict[Channel, float] = {
    Channel.PHONE: 0.70,
    Channel.APP: 0.12,
    Channel.WEB: 0.09,
    Channel.PARTNER_HOTLINE: 0.04,
    Channel.ENTERPRISE_LINE: 0.03,
    Channel.OPEN311: 0.02,
}
ORGANISATIONS = 0.02  # of the requesters who are not enterprises on their own line
MOBILE_PREFIXES = (130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 155, 156, 157, 158,
                   159, 166, 176, 177, 180, 181, 182, 183, 185, 186, 187, 188, 189, 198, 199)  # fmt: skip

NOT_DISPATCHED: dict[Reason, float] = {
    Reason.OUTSIDE_DUTIES: 0.34,
    Reason.LEGAL_CHANNEL: 0.24,
    Reason.TRANSFERRED: 0.16,
    Reason.UNLAWFUL: 0.10,
    Reason.EMERGENCY: 0.10,
    Reason.SECRETS_PRIVACY: 0.06,
}
SHARE_NOT_DISPATCHED = 0.03
SHARE_MERGED = 0.02
SHARE_ANSWERED = 0.05  # consultations the knowledge base answers on the spot
SHARE_CONFIDENTIAL = 0.02
SHARE_PHONE_IN_TEXT = 0.06  # a callback number in the words, masked as the export masks it
SHARE_NO_ADDRESS = 0.02
SHARE_FREQUENT = 0.12  # orders filed by people who call again and again
FREQUENT_PER_MONTH = 4  # orders per frequent caller and month
ONE_THING = 0.5  # of the frequent callers' orders, those about the one problem that bothers them
ORDERS_PER_PLACE = 3  # over the range, for the ordinary places of a street

# The unit's latent quality z ~ N(0, 1) moves each probability on the logit scale.
SIGN_LATE = (-2.6, -1.1)  # logit = a + b z
CONTACT_LATE = (-2.8, -1.3)
REPLY_LATE = (-2.9, -1.1)
RESOLVED = (2.0, 1.0)
RESOLVED_AFTER_REOPENING = (0.6, 1.0)
SATISFIED_IF_RESOLVED = (1.8, 0.8)
DISSATISFIED_IF_RESOLVED = 0.04
DISSATISFIED_IF_NOT = (0.0, -0.7)
EVALUATED = 0.85  # requesters who answer the follow-up
EXTENDED = 0.04  # orders of the 7- and 15-day tiers whose deadline is extended once
UNREASONABLE = 0.08  # dissatisfied verdicts the hotline centre judges unreasonable
MANUAL_DISPATCH = 0.15  # orders a dispatcher routes by hand instead of the catalogue at once
# Citizens' words change: new services, new places, new slang for the same problems (the texts
# under "drift" in history_texts.json). Of a drifting category's requests, this share is worded
# anew by the end of the range, none at its start.
DRIFT_LAST = 0.8

PROBLEM_PLACES = 400  # at most; a place's number follows its street's ordinary places
PROBLEM_GAP_DAYS = 16.0  # median time between two requests from a problem place
PROBLEM_DIFFICULTY = -1.0  # they come back because they are hard to resolve
BURSTS = 5
BURST_DAYS = 14
BURST_RATIO = (4.0, 8.0)
BURST_LEAST = 14  # extra orders per burst, however small the plan
EXTRAS_SHARE = 0.08  # problem places and bursts together, at most, of all orders
# A plan may name a category that becomes a new problem in one month (its last by default): this
# many times its usual month's requests on top of them, from a handful of streets, harder to
# resolve than most.
EMERGING_RATIO = 3.0
EMERGING_LEAST = 60
EMERGING_STREETS = 8
EMERGING_DIFFICULTY = -0.8

ORDERS_PER_WHISTLE = 500  # a street blows a whistle for every so many orders of a month
WHISTLES_LEAST = 12  # a month, however small the plan
SUMMONED = (0.55, 0.3, 0.15)  # chance of summoning one, two or three departments
CITY_DEPARTMENT = 0.25  # of the summoned departments, those of the city rather than the district
REPORT_MEDIAN = 900.0  # seconds to report for duty, for a department of average quality
REPORT_SPREAD = 0.7  # sigma of the log-normal report time; quality z shortens it by e^(-0.6 z)
NOT_REPORTED = (-3.2, -0.8)  # logit of never reporting
WHISTLE_CLOSED = 0.85  # whistles the street closes, a few days after the last report
WHISTLE_DAYS = 3.0  # median days from the summons to the closing

KIND_ORDER = tuple(RequesterKind)
TYPE_ORDER = tuple(RequestType)
CHANNEL_ORDER = tuple(CHANNELS)
STATUS_ORDER = tuple(Status)
SATISFACTION_ORDER = tuple(Satisfaction)
REASON_ORDER = (*NOT_DISPATCHED, "answered", Reason.DUPLICATE)
DISPATCHED, ANSWERED, SETTLED, MERGED = 0, 1, 2, 3
SATISFIED, BASICALLY, DISSATISFIED = (SATISFACTION_ORDER.index(s) for s in Satisfaction)


@dataclass(frozen=True)
class HistoryPlan:
    first_month: str  # 'YYYY-MM'
    last_month: str  # 'YYYY-MM', inclusive
    orders: int  # total orders over the range
    seed: int = 12345
    key: bytes = names.ANALYTICS_KEY_LOCAL.encode()
    emerging: str | None = None  # a category code: a new problem in one month of the range
    emerging_month: str | None = None  # 'YYYY-MM', that month; the last by default

    def __post_init__(self) -> None:
        if self.orders < 0 or self.seed < 0:
            raise ValueError("orders and seed are non-negative")
        if self.emerging is not None and self.emerging not in {c.code for c in categories()}:
            raise ValueError(f"not a category of the catalogue: {self.emerging!r}")
        if self.emerging_month is not None and not (
            _month(self.first_month) <= _month(self.emerging_month) <= _month(self.last_month)
        ):
            raise ValueError("the new problem's month is outside the range")
        if _month(self.first_month) > _month(self.last_month):
            raise ValueError("the first month is after the last")

    def months(self) -> list[date]:
        """The first day of every month of the range and of the month after it."""
        first, last = _month(self.first_month), _month(self.last_month)
        count = (last.year - first.year) * 12 + last.month - first.month + 2
        return [
            date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
            for i in range(count)
        ]


def _month(text: str) -> date:
    found = MONTH.match(text)
    if found is None:
        raise ValueError(f"not a month (YYYY-MM): {text!r}")
    return date(int(found.group(1)), int(found.group(2)), 1)


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=BEIJING).timestamp())


def _epoch_day(instant: Array) -> Array:
    """The Beijing date of epoch seconds, as days since 1970-01-01."""
    return (instant + UTC_OFFSET) // DAY


# --- what the project knows: divisions, catalogue, routes, texts --------------------------------


class _Units:
    """The part of the reference that routing reads: units by id."""

    def __init__(self) -> None:
        self._units = {u.id: u for u in all_units()}

    def unit(self, unit_id: str) -> Any:
        return self._units.get(unit_id)


@dataclass(frozen=True)
class _Catalogue:
    streets: tuple[str, ...]
    street_names: tuple[str, ...]
    street_districts: tuple[str, ...]
    township: Array  # bool per street: a 镇 or 乡, where villages and rural requests are
    codes: tuple[str, ...]
    group_share: Array  # per category
    season: Array  # (category, calendar month)
    evening: Array  # bool per category
    rural: Array  # bool per category
    local: Array  # bool per category: a problem of a place the street office leads on
    limits: Array  # (category, [sign for, contact, deadline]) in seconds
    units: tuple[str, ...]
    unit_of: Array  # (category, street) -> index into units
    templates: tuple[str, ...]
    template_type: Array  # index into TYPE_ORDER
    first_template: Array  # per category
    template_count: Array  # per category
    first_drift: Array  # per category: its texts in the words that spread over the range
    drift_count: Array  # per category; 0: its wording does not change
    compounds: tuple[str, ...]
    villages: tuple[str, ...]


def _routes(catalogue: tuple[Category, ...]) -> tuple[tuple[str, ...], Array]:
    """The receiving unit of every category in every street, by the dispatch rule itself."""
    reference = cast(Reference, _Units())
    chosen: list[list[str]] = []
    for category in catalogue:
        row: list[str] = []
        for district in divisions():
            for street in district.streets:
                found = route(Location(district=district.code, street=street.code), category, reference)
                assert found is not None
                row.append(found.first_receiver.id)
        chosen.append(row)
    units = tuple(sorted({u for row in chosen for u in row}))
    index = {u: i for i, u in enumerate(units)}
    return units, np.array([[index[u] for u in row] for row in chosen], dtype=np.int32)


def _templates(
    catalogue: tuple[Category, ...],
    raw: dict[str, Any],
    texts: list[str],
    types: list[int],
    fallback: bool = True,
) -> Array:
    """Every category's request texts from `raw`, appended to `texts` and `types`; their span
    (first, count) per category. Where none are written, the catalogue's first keyword in a
    sentence, or none (`fallback` false)."""
    spans: list[tuple[int, int]] = []
    for category in catalogue:
        keyword = category.keywords[0] if category.keywords else category.name
        unwritten = [["complaint", f"反映{{place}}的{keyword}问题"]] if fallback else []
        written = raw.get(category.code) or unwritten
        spans.append((len(texts), len(written)))
        for kind, text in written:
            types.append(TYPE_ORDER.index(RequestType(kind)))
            texts.append(text.removesuffix("。"))
    return np.array(spans, dtype=np.int32)


@cache
def _catalogue() -> _Catalogue:
    catalogue = categories()
    streets = [(s, d) for d in divisions() for s in d.streets]
    raw = json.loads(TEXTS.read_text(encoding="utf-8"))
    units, unit_of = _routes(catalogue)
    texts: list[str] = []
    types: list[int] = []
    spans = _templates(catalogue, raw["templates"], texts, types)
    drift_spans = _templates(catalogue, raw["drift"], texts, types, fallback=False)
    tiers = DEFAULT_LIMITS.tiers
    majors = [c.major for c in catalogue]
    major_size = {m: majors.count(m) for m in majors}
    return _Catalogue(
        streets=tuple(s.code for s, _ in streets),
        street_names=tuple(s.name for s, _ in streets),
        street_districts=tuple(d.code for _, d in streets),
        township=np.array([s.name.endswith(("镇", "乡")) for s, _ in streets]),
        codes=tuple(c.code for c in catalogue),
        group_share=np.array(
            [
                MAJOR_SHARE.get(c.major, 0.01) / major_size[c.major] * FREQUENT.get(c.code, 1.0)
                for c in catalogue
            ]
        ),
        season=np.array([SEASONS.get(SEASON_OF.get(c.code, ""), (1.0,) * 12) for c in catalogue]),
        evening=np.array([c.code in EVENING for c in catalogue]),
        rural=np.array([c.major == "agriculture" for c in catalogue]),
        local=np.array(
            [
                c.kind is not CategoryKind.SECTORAL and c.major != "agriculture" and c.tier in ("24h", "7d")
                for c in catalogue
            ]
        ),
        limits=np.array(
            [
                (t.sign_for, t.contact, t.deadline)
                for t in (tiers[DEFAULT_LIMITS.tier_for(c.tier)] for c in catalogue)
            ],
            dtype=np.int64,
        ),
        units=units,
        unit_of=unit_of,
        templates=tuple(texts),
        template_type=np.array(types, dtype=np.int8),
        first_template=spans[:, 0],
        template_count=spans[:, 1],
        first_drift=drift_spans[:, 0],
        drift_count=drift_spans[:, 1],
        compounds=tuple(raw["compounds"]),
        villages=tuple(raw["villages"]),
    )


# --- what the seed decides: volumes, qualities, the calendar ------------------------------------


def _rng(plan: HistoryPlan, *stream: int) -> np.random.Generator:
    return np.random.default_rng([plan.seed, *stream])


@dataclass(frozen=True)
class _World:
    plan: HistoryPlan
    catalogue: _Catalogue
    street_weight: Array
    township_weight: Array
    category_weight: Array
    quality: Array  # per unit
    places: Array  # ordinary places per street
    frequent: Array  # frequent callers per street who ask about anything
    bothered: Array  # frequent callers per street and category who ask about that one thing
    answered: float  # chance that a consultation is answered on the spot
    id_step: int
    id_offset: int


@dataclass(frozen=True)
class _Calendar:
    first_day: int  # epoch day of the first day
    start: Array  # epoch second of each day's Beijing midnight
    month: Array  # index into the plan's months
    calendar_month: Array  # 1..12
    weekday: Array
    end: int  # the first instant after the range: the state of the orders is as of then
    month_names: tuple[str, ...]


def _calendar(plan: HistoryPlan) -> _Calendar:
    months = plan.months()
    first, after = months[0], months[-1]
    days = [first + timedelta(days=i) for i in range((after - first).days)]
    index = {(m.year, m.month): i for i, m in enumerate(months)}
    return _Calendar(
        first_day=(first - date(1970, 1, 1)).days,
        start=np.array([_epoch(d) for d in days], dtype=np.int64),
        month=np.array([index[(d.year, d.month)] for d in days], dtype=np.int32),
        calendar_month=np.array([d.month for d in days], dtype=np.int32),
        weekday=np.array([d.weekday() for d in days], dtype=np.int32),
        end=_epoch(after),
        month_names=tuple(m.strftime("%Y-%m") for m in months[:-1]),
    )


def _street_weights(rng: np.random.Generator, catalogue: _Catalogue) -> Array:
    """Each street's share of the requests: its district's population, spread unevenly over its streets."""
    district_of = np.array(catalogue.street_districts)
    spread = rng.lognormal(0.0, STREET_SKEW, len(district_of))
    share = np.zeros(len(spread))
    for district in np.unique(district_of):
        mine = district_of == district
        share[mine] = spread[mine] / spread[mine].sum() * DISTRICT_POPULATION.get(str(district), 500_000)
    return share / share.sum()


def _consulting(catalogue: _Catalogue, category_weight: Array) -> float:
    """The expected share of dispatchable consultations, which the on-the-spot answers are drawn from."""
    consultation = catalogue.template_type == TYPE_ORDER.index(RequestType.CONSULTATION)
    share = np.add.reduceat(consultation, catalogue.first_template) / catalogue.template_count
    return float(category_weight @ share) * (1 - SHARE_NOT_DISPATCHED - SHARE_MERGED)


def _world(plan: HistoryPlan, calendar: _Calendar) -> _World:
    catalogue = _catalogue()
    rng = _rng(plan, 0)
    street_weight = _street_weights(rng, catalogue)
    township = street_weight * catalogue.township
    category_weight = catalogue.group_share * rng.lognormal(0.0, CATEGORY_SKEW, len(catalogue.codes))
    category_weight /= category_weight.sum()
    consulting = _consulting(catalogue, category_weight)
    expected = plan.orders * street_weight
    monthly = expected / len(calendar.month_names)
    step = int(rng.integers(1, 10**6)) * 10 + 3
    return _World(
        plan=plan,
        catalogue=catalogue,
        street_weight=street_weight,
        township_weight=township / township.sum(),
        category_weight=category_weight,
        quality=rng.normal(0.0, 1.0, len(catalogue.units)),
        places=np.maximum(12, np.round(expected / ORDERS_PER_PLACE)).astype(np.int64),
        frequent=np.maximum(
            1, np.round(monthly * SHARE_FREQUENT * (1 - ONE_THING) / FREQUENT_PER_MONTH)
        ).astype(np.int64),
        bothered=np.maximum(
            1, np.round(np.outer(monthly, category_weight) * SHARE_FREQUENT * ONE_THING / FREQUENT_PER_MONTH)
        ).astype(np.int64),
        answered=min(0.9, SHARE_ANSWERED / consulting) if consulting else 0.0,
        id_step=step,
        id_offset=int(rng.integers(0, 10**7)),
    )


# --- orders: when, what, where, who -------------------------------------------------------------


def _instants(rng: np.random.Generator, calendar: _Calendar, day: Array, evening: Array) -> Array:
    """Creation instants on the given days, at the hours people call about such things."""
    hours = np.where(
        evening,
        rng.choice(24, len(day), p=np.array(EVENING_HOURS) / sum(EVENING_HOURS)),
        rng.choice(24, len(day), p=np.array(OFFICE_HOURS) / sum(OFFICE_HOURS)),
    )
    return calendar.start[day] + hours * HOUR + rng.integers(0, HOUR, len(day))


def _streets(rng: np.random.Generator, world: _World, category: Array) -> Array:
    """Streets in proportion to their volume; rural requests come from townships only."""
    street = np.empty(len(category), dtype=np.int64)
    rural = world.catalogue.rural[category]
    street[~rural] = rng.choice(len(world.street_weight), int((~rural).sum()), p=world.street_weight)
    street[rural] = rng.choice(len(world.street_weight), int(rural.sum()), p=world.township_weight)
    return street


def _ordinary_places(rng: np.random.Generator, world: _World, street: Array) -> Array:
    place = rng.integers(0, world.places[street])
    return np.where(rng.random(len(street)) < SHARE_NO_ADDRESS, -1, place)


def _frequent_callers(rng: np.random.Generator, world: _World, street: Array, category: Array) -> Array:
    """Synthetic ids of people who call again and again, about anything in their street or about the
    one thing that bothers them; above any order's sequence number."""
    anything = 10**12 + street * 10**6 + rng.integers(0, world.frequent[street])
    one_thing = (
        10**13 + (street * 1000 + category) * 10**4 + rng.integers(0, world.bothered[street, category])
    )
    return np.where(rng.random(len(street)) < ONE_THING, one_thing, anything)


@dataclass(frozen=True)
class _Orders:
    """Orders before their lifecycle, one array per attribute."""

    created: Array
    category: Array
    street: Array
    place: Array  # per street; -1: no address
    caller: Array  # frequent caller id, or -1: a requester of their own
    difficulty: Array  # added to the unit's quality when the requester judges the result
    outcome: Array  # -1: drawn like any other order's

    def __len__(self) -> int:
        return len(self.created)

    def take(self, index: Array) -> _Orders:
        return _Orders(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @staticmethod
    def joined(parts: list[_Orders]) -> _Orders:
        return _Orders(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(_Orders)}
        )


def _ordinary(
    rng: np.random.Generator, world: _World, calendar: _Calendar, cells: Array, days: Array
) -> _Orders:
    """The month's orders of every category on every day, as counted in `cells` (day, category)."""
    n_categories = cells.shape[1]
    counts = cells[days].ravel()
    day = np.repeat(np.repeat(days, n_categories), counts)
    category = np.repeat(np.tile(np.arange(n_categories), len(days)), counts)
    street = _streets(rng, world, category)
    created = _instants(rng, calendar, day, world.catalogue.evening[category])
    caller = np.where(
        rng.random(len(day)) < SHARE_FREQUENT, _frequent_callers(rng, world, street, category), -1
    )
    return _Orders(
        created=created,
        category=category,
        street=street,
        place=_ordinary_places(rng, world, street),
        caller=caller,
        difficulty=np.zeros(len(day)),
        outcome=np.full(len(day), -1),
    )


def _local_categories(world: _World, season: Array) -> tuple[Array, Array]:
    """The categories of a place's own problem, and how likely each is in the given season."""
    candidates = np.flatnonzero(world.catalogue.local)
    weights = world.category_weight[candidates] * season[candidates]
    return candidates, weights / weights.sum()


def _problem_places(world: _World, calendar: _Calendar, budget: int) -> _Orders:
    """A few hundred places whose problem comes back, each a chain of requests over the range."""
    plan, catalogue = world.plan, world.catalogue
    rng = _rng(plan, 3)
    count = int(min(max(plan.orders // 6000, 20), PROBLEM_PLACES, plan.orders // 60))
    season = catalogue.season[:, calendar.calendar_month - 1].mean(axis=1)
    candidates, weights = _local_categories(world, season)
    category = rng.choice(candidates, count, p=weights)
    street = rng.choice(len(world.street_weight), count, p=world.street_weight)
    days = len(calendar.start)
    links = int(np.ceil(days / (PROBLEM_GAP_DAYS * 0.5))) + 2
    gaps = PROBLEM_GAP_DAYS * rng.lognormal(0.0, 0.45, (count, links))
    at = np.cumsum(gaps, axis=1) - gaps[:, :1] * rng.random((count, 1))
    chain, link = np.nonzero(at < days)
    keep = rng.random(len(chain)) < min(1.0, budget / max(1, len(chain)))
    chain, link = chain[keep], link[keep]
    day = at[chain, link].astype(np.int64)
    streets = street[chain]
    own = rng.random(len(chain)) < 0.5
    return _Orders(
        created=_instants(rng, calendar, day, np.zeros(len(day), dtype=bool)),
        category=category[chain],
        street=streets,
        place=world.places[streets] + chain,
        caller=np.where(own, _frequent_callers(rng, world, streets, category[chain]), -1),
        difficulty=np.full(len(day), PROBLEM_DIFFICULTY),
        outcome=np.where(rng.random(len(day)) < SHARE_MERGED, MERGED, DISPATCHED),
    )


def _bursts(world: _World, calendar: _Calendar, budget: int) -> _Orders:
    """A few streets where a category's weekly volume jumps several times in the final weeks."""
    plan, catalogue = world.plan, world.catalogue
    rng = _rng(plan, 4)
    count = BURSTS if plan.orders >= 2000 else plan.orders // 400
    candidates, weights = _local_categories(world, catalogue.season[:, calendar.calendar_month[-1] - 1])
    category = rng.choice(candidates, count, replace=False, p=weights)
    busy = np.argsort(-world.street_weight)[: max(count, len(world.street_weight) // 4)]
    street = rng.choice(busy, count, replace=False)
    days = len(calendar.start)
    window = min(BURST_DAYS, days)
    weekly = plan.orders * world.street_weight[street] * world.category_weight[category] * 7 / days
    extra = np.maximum(BURST_LEAST, np.round((rng.uniform(*BURST_RATIO, count) - 1) * weekly * window / 7))
    extra = np.minimum(extra, max(0, budget) // max(1, count)).astype(np.int64)
    burst = np.repeat(np.arange(count), extra)
    # Rising towards the end: most of a burst falls in the last week.
    day = days - window + (window * np.sqrt(rng.random(len(burst)))).astype(np.int64)
    streets = street[burst]
    site = rng.random(len(burst)) < 0.6
    return _Orders(
        created=_instants(rng, calendar, np.minimum(day, days - 1), catalogue.evening[category[burst]]),
        category=category[burst],
        street=streets,
        place=np.where(
            site, world.places[streets] + PROBLEM_PLACES + burst, rng.integers(0, world.places[streets])
        ),
        caller=np.where(
            rng.random(len(burst)) < SHARE_FREQUENT,
            _frequent_callers(rng, world, streets, category[burst]),
            -1,
        ),
        difficulty=np.zeros(len(burst)),
        outcome=np.where(rng.random(len(burst)) < SHARE_MERGED, MERGED, DISPATCHED),
    )


def _emerging(world: _World, calendar: _Calendar) -> _Orders:
    """The plan's new problem: its category's requests several times over in its month, from a few
    streets, at new places."""
    plan, catalogue = world.plan, world.catalogue
    rng = _rng(plan, 5)
    category = catalogue.codes.index(plan.emerging or "")
    monthly = plan.orders / len(calendar.month_names) * world.category_weight[category]
    count = int(max(EMERGING_LEAST, round(EMERGING_RATIO * monthly)))
    busy = np.argsort(-world.street_weight)[: max(EMERGING_STREETS, len(world.street_weight) // 4)]
    chosen = rng.choice(busy, EMERGING_STREETS, replace=False)
    streets = rng.choice(chosen, count)
    month = calendar.month_names.index(plan.emerging_month or plan.last_month)
    day = rng.choice(np.flatnonzero(calendar.month == month), count)
    kind = np.full(count, category)
    return _Orders(
        created=_instants(rng, calendar, day, catalogue.evening[kind]),
        category=kind,
        street=streets,
        place=world.places[streets] + 2 * PROBLEM_PLACES + rng.integers(0, 40, count),
        caller=np.where(rng.random(count) < SHARE_FREQUENT, _frequent_callers(rng, world, streets, kind), -1),
        difficulty=np.full(count, EMERGING_DIFFICULTY),
        outcome=np.where(rng.random(count) < SHARE_MERGED, MERGED, DISPATCHED),
    )


def _cells(world: _World, calendar: _Calendar, total: int) -> Array:
    """How many ordinary orders of each category each day: seasons, weekdays, category weights."""
    catalogue = world.catalogue
    weight = (
        world.category_weight[None, :]
        * catalogue.season[:, calendar.calendar_month - 1].T
        * np.array(WEEKDAY)[calendar.weekday][:, None]
    )
    return _rng(world.plan, 1).multinomial(total, (weight / weight.sum()).ravel()).reshape(weight.shape)


def _chunks(world: _World, calendar: _Calendar) -> Iterator[_Orders]:
    """Every order of the plan, one month of creation at a time."""
    plan = world.plan
    budget = int(plan.orders * EXTRAS_SHARE)
    problems = _problem_places(world, calendar, budget // 2)
    bursts = _bursts(world, calendar, budget - len(problems))
    extras = _Orders.joined([problems, bursts] + ([_emerging(world, calendar)] if plan.emerging else []))
    if len(extras) > plan.orders:
        extras = extras.take(np.arange(0))
    cells = _cells(world, calendar, plan.orders - len(extras))
    extra_month = calendar.month[_epoch_day(extras.created) - calendar.first_day]
    for month in range(len(calendar.month_names)):
        days = np.flatnonzero(calendar.month == month)
        ordinary = _ordinary(_rng(plan, 2, month), world, calendar, cells, days)
        yield _Orders.joined([ordinary, extras.take(np.flatnonzero(extra_month == month))])


# --- the lifecycle: what the unit did, and where each order stood at the end -------------------


def _chance(logit: tuple[float, float], z: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-(logit[0] + logit[1] * z)))


def _seconds(values: Array) -> Array:
    return np.floor(values).astype(np.int64)


def _satisfaction(rng: np.random.Generator, resolved: Array, z: Array) -> Array:
    u = rng.random(len(z))
    satisfied = _chance(SATISFIED_IF_RESOLVED, z)
    if_resolved = np.where(
        u < satisfied, SATISFIED, np.where(u < 1 - DISSATISFIED_IF_RESOLVED, BASICALLY, DISSATISFIED)
    )
    dissatisfied = _chance(DISSATISFIED_IF_NOT, z)
    basically = dissatisfied + (1 - dissatisfied) * 0.7
    if_not = np.where(u < dissatisfied, DISSATISFIED, np.where(u < basically, BASICALLY, SATISFIED))
    return np.where(resolved, if_resolved, if_not)


@dataclass(frozen=True)
class _Round:
    """One handling round, from (re)dispatch to the requester's verdict or the follow-up's end."""

    start: Array
    contact_by: Array
    contacted: Array
    due: Array
    replied: Array
    evaluated: Array  # NEVER: the requester did not answer the follow-up
    closed: Array
    resolved: Array
    satisfaction: Array


@dataclass(frozen=True)
class _Unit:
    """Who handles the orders and how well: the latent quality and the tier's limits per order."""

    z: Array
    difficulty: Array
    limits: Array  # [sign for, contact, deadline]


def _round(
    rng: np.random.Generator,
    unit: _Unit,
    start: Array,
    ready: Array,
    extension: Array,
    resolved: tuple[float, float],
) -> _Round:
    """Contact, reply and verdict of a round that starts at `start`, the unit able to act from `ready`."""
    n, z = len(start), unit.z
    contact_for, span = np.minimum(unit.limits[:, 1], unit.limits[:, 2]), unit.limits[:, 2]
    contact_by = start + contact_for
    late = (rng.random(n) < _chance(CONTACT_LATE, z)) | (ready >= contact_by)
    contacted = np.where(
        late,
        np.maximum(contact_by, ready) + 60 + _seconds(0.5 * contact_for * rng.lognormal(0.0, 0.8, n)),
        ready + _seconds(0.95 * rng.beta(1.5, 3.0, n) * np.maximum(contact_by - ready, 0)),
    )
    due = start + span + extension
    late = (rng.random(n) < _chance(REPLY_LATE, z)) | (contacted >= due)
    replied = np.where(
        late,
        np.maximum(due, contacted) + 60 + _seconds(0.25 * span * rng.lognormal(0.0, 0.8, n)),
        contacted + _seconds(0.95 * rng.beta(2.0, 2.5, n) * np.maximum(due - contacted, 0)),
    )
    window = DEFAULT_LIMITS.follow_up_window
    answer = replied + _seconds(np.minimum(8 * HOUR * rng.lognormal(0.0, 1.0, n), window - 60))
    evaluated = np.where(rng.random(n) < EVALUATED, answer, NEVER)
    verdict = rng.random(n) < _chance(resolved, z + unit.difficulty)
    return _Round(
        start=start,
        contact_by=contact_by,
        contacted=contacted,
        due=due,
        replied=replied,
        evaluated=evaluated,
        closed=np.where(evaluated < NEVER, evaluated, replied + window),
        resolved=verdict,
        satisfaction=_satisfaction(rng, verdict, z),
    )


def _reopened(rng: np.random.Generator, unit: _Unit, index: Array, start: Array) -> _Round:
    """The second round of the orders at `index`, from their first verdict; the others have none."""
    part = _Unit(unit.z[index], unit.difficulty[index], unit.limits[index])
    at = start[index]
    done = _round(rng, part, at, at, np.zeros(len(index), dtype=np.int64), RESOLVED_AFTER_REOPENING)

    def spread(values: Array, fill: Any) -> Array:
        everywhere = np.full(len(start), fill, dtype=values.dtype)
        everywhere[index] = values
        return everywhere

    fills = {"resolved": False, "satisfaction": -1}
    return _Round(**{f.name: spread(getattr(done, f.name), fills.get(f.name, NEVER)) for f in fields(_Round)})


@dataclass(frozen=True)
class _Timeline:
    """Every step of a dispatched order as it would happen if the range had no end."""

    dispatched: Array
    sign_by: Array
    signed: Array
    due: Array  # the first round's deadline before any extension
    extended: Array  # when the deadline was extended; NEVER: it was not
    first: _Round
    reopen: Array  # the first verdict was unresolved and dissatisfied: a second round (Art. 23)
    second: _Round
    closed: Array
    judged: Array  # when the hotline centre judged the verdict unreasonable; NEVER: it did not


def _timeline(rng: np.random.Generator, unit: _Unit, created: Array) -> _Timeline:
    n = len(created)
    sign_for, span = unit.limits[:, 0], unit.limits[:, 2]
    manual = rng.random(n) < MANUAL_DISPATCH
    delay = np.where(manual, 1800 * rng.lognormal(0.0, 0.9, n), 90 * rng.lognormal(0.0, 0.8, n))
    dispatched = created + _seconds(delay)
    sign_by = dispatched + np.minimum(sign_for, span)
    signed = np.where(
        rng.random(n) < _chance(SIGN_LATE, unit.z),
        sign_by + 60 + _seconds(0.4 * sign_for * rng.lognormal(0.0, 0.8, n)),
        dispatched + _seconds(0.95 * rng.beta(1.3, 4.0, n) * (sign_by - dispatched)),
    )
    extends = (span >= 7 * DAY) & (rng.random(n) < EXTENDED)
    # By default the 7- and 15-day tiers may be extended by their own span (Tier.extended_by).
    extension = np.where(extends, span, 0)
    first = _round(rng, unit, dispatched, signed, extension, RESOLVED)
    due = dispatched + span
    # Asked for while the unit works on it, before the reply and the original deadline (Art. 15).
    asked = first.contacted + (np.minimum(first.replied, due) - first.contacted) // 2
    extended = np.where(extends & (first.contacted < due), asked, NEVER)
    reopen = (first.evaluated < NEVER) & ~first.resolved & (first.satisfaction == DISSATISFIED)
    second = _reopened(rng, unit, np.flatnonzero(reopen), first.evaluated)
    closed = np.where(reopen, second.closed, first.closed)
    # The verdict on record at the close: the second round's if it had one, else the first's.
    verdict = np.where(second.evaluated < NEVER, second.satisfaction, first.satisfaction)
    unhappy = (first.evaluated < NEVER) & (verdict == DISSATISFIED)
    later = closed + _seconds(2 * DAY * rng.lognormal(0.0, 0.5, n))
    judged = np.where(unhappy & (rng.random(n) < UNREASONABLE), later, NEVER)
    return _Timeline(dispatched, sign_by, signed, due, extended, first, reopen, second, closed, judged)


def _writes(timeline: _Timeline, created: Array, end: int) -> tuple[Array, Array]:
    """How many writes an order saw before the end (its version) and the last one (changed_at):
    the unit's steps, the workflow's flags and reminders, the follow-up and the verdicts."""
    version = np.ones(len(created), dtype=np.int64)
    changed = created.copy()

    def write(at: Array, when: Array | bool = True, count: int = 1) -> None:
        nonlocal version, changed
        seen = (at < end) & when
        version = version + seen * count
        changed = np.maximum(changed, np.where(seen, at, 0))

    t = timeline
    write(t.dispatched)
    write(t.sign_by, t.signed > t.sign_by)
    write(t.signed)
    write(t.extended, t.extended < NEVER)
    for handled, taking_part in ((t.first, True), (t.second, t.reopen)):
        write(handled.contact_by, taking_part & (handled.contacted > handled.contact_by))
        write(handled.contacted, taking_part)
        for percent in DEFAULT_LIMITS.reminders:
            reminder = handled.start + (handled.due - handled.start) * percent // 100
            write(reminder, taking_part & (reminder < handled.replied))
        write(handled.due, taking_part & (handled.replied > handled.due))
        write(handled.replied, taking_part, count=2)  # the reply, then the follow-up starts
        write(handled.closed, taking_part)
    write(t.judged, t.judged < NEVER)
    return version, changed


def _as_of(timeline: _Timeline, end: int) -> dict[str, Array]:
    """The dispatched orders' columns at the end of the range: 0 for a null instant, -1 for null."""
    t = timeline

    def seen(at: Array) -> Array:
        return at < end

    def shown(at: Array) -> Array:
        return np.where(seen(at), at, 0)

    second = t.reopen & seen(t.first.evaluated)

    def current(later: Array, earlier: Array) -> Array:
        return np.where(second, later, earlier)

    contact_by = current(t.second.contact_by, t.first.contact_by)
    contacted = current(t.second.contacted, t.first.contacted)
    replied = current(t.second.replied, t.first.replied)
    due = current(t.second.due, np.where(seen(t.extended), t.first.due, t.due))
    later = second & seen(t.second.evaluated)
    evaluated = np.where(later, t.second.evaluated, t.first.evaluated)
    verdict = seen(evaluated)
    statuses = (
        (~seen(t.dispatched), Status.RECEIVED),
        (seen(t.closed), Status.CLOSED),
        (second & ~seen(contacted), Status.REOPENED),
        (seen(replied), Status.FOLLOW_UP),
        (seen(contacted), Status.IN_PROGRESS),
        (seen(t.signed), Status.SIGNED),
    )
    started = seen(t.dispatched)
    return {
        "status": np.select(
            [when for when, _ in statuses],
            [STATUS_ORDER.index(s) for _, s in statuses],
            STATUS_ORDER.index(Status.DISPATCHED),
        ),
        "dispatched_at": np.where(started, current(t.first.evaluated, t.dispatched), 0),
        "signed_at": shown(t.signed),
        "sign_late": seen(t.sign_by) & (t.signed > t.sign_by) & ~second,
        "contacted_at": shown(contacted),
        "contact_late": seen(contact_by) & (contacted > contact_by),
        "replied_at": shown(replied),
        "deadline": np.where(started, due, 0),
        "overdue": seen(due) & (replied > due),
        "extensions": seen(t.extended).astype(np.int64),
        "reopened": second.astype(np.int64),
        "evaluated_at": shown(evaluated),
        "resolved": np.where(verdict, np.where(later, t.second.resolved, t.first.resolved), -1),
        "satisfaction": np.where(verdict, np.where(later, t.second.satisfaction, t.first.satisfaction), -1),
        "closed_at": shown(t.closed),
        "unreasonable": seen(t.judged),
    }


# --- the rows: who asked, what became of the request, and the columns of the facts --------------


def _outcomes(rng: np.random.Generator, world: _World, orders: _Orders, template_type: Array) -> Array:
    """Dispatched, answered on the spot, settled without a unit (Art. 11 ¶3) or merged."""
    n = len(orders)
    u = rng.random(n)
    drawn = np.where(
        u < SHARE_NOT_DISPATCHED,
        SETTLED,
        np.where(u < SHARE_NOT_DISPATCHED + SHARE_MERGED, MERGED, DISPATCHED),
    )
    consultation = template_type == TYPE_ORDER.index(RequestType.CONSULTATION)
    drawn = np.where((drawn == DISPATCHED) & consultation & (rng.random(n) < world.answered), ANSWERED, drawn)
    return np.where(orders.outcome >= 0, orders.outcome, drawn)


def _settled(rng: np.random.Generator, outcome: Array, created: Array, end: int) -> dict[str, Array]:
    """Orders no unit handles: the reason, and when the hotline settled them."""
    n = len(outcome)
    reasons = list(NOT_DISPATCHED)
    chosen = rng.choice(len(reasons), n, p=list(NOT_DISPATCHED.values()))
    reason = np.select(
        [outcome == SETTLED, outcome == ANSWERED, outcome == MERGED],
        [chosen, REASON_ORDER.index("answered"), REASON_ORDER.index(Reason.DUPLICATE)],
        -1,
    )
    # Emergencies, duplicates and answers are settled at intake; the rest by a dispatcher, after
    # the catalogue had dispatched the order.
    by_dispatcher = (outcome == SETTLED) & (chosen != reasons.index(Reason.EMERGENCY))
    at = np.where(by_dispatcher, created + _seconds(1200 * rng.lognormal(0.0, 1.0, n)), created)
    done = at < end
    status = np.select(
        [~done, outcome == ANSWERED, outcome == MERGED],
        [STATUS_ORDER.index(s) for s in (Status.RECEIVED, Status.ANSWERED, Status.MERGED)],
        STATUS_ORDER.index(Status.NOT_DISPATCHED),
    )
    return {
        "status": status,
        "reason": np.where(done, reason, -1),
        "version": np.where(done & by_dispatcher, 3, 1),
        "changed": np.where(done, at, created),
    }


def _people(rng: np.random.Generator, world: _World, orders: _Orders, seq: Array) -> dict[str, Array]:
    """Who asked, how, and in which words."""
    catalogue, n = world.catalogue, len(orders)
    # Frequent callers are people; enterprises call on their own line.
    person = orders.caller >= 0
    channel = rng.choice(len(CHANNEL_ORDER), n, p=list(CHANNELS.values()))
    on_own_line = channel == CHANNEL_ORDER.index(Channel.ENTERPRISE_LINE)
    channel = np.where(person & on_own_line, CHANNEL_ORDER.index(Channel.PHONE), channel)
    organisation = rng.random(n) < ORGANISATIONS
    kind = np.select(
        [on_own_line & ~person, organisation & ~person],
        [KIND_ORDER.index(RequesterKind.ENTERPRISE), KIND_ORDER.index(RequesterKind.ORGANISATION)],
        KIND_ORDER.index(RequesterKind.PERSON),
    )
    count = catalogue.template_count[orders.category]
    template = catalogue.first_template[orders.category] + (rng.random(n) * count).astype(np.int64)
    township = catalogue.township[orders.street] & (orders.place >= 0)
    compound = ~catalogue.township[orders.street] & (orders.place >= 0)
    villages, compounds = len(catalogue.villages), len(catalogue.compounds)
    return {
        "requester": np.where(orders.caller >= 0, orders.caller, seq),
        "channel": channel,
        "kind": kind,
        "template": template,
        "type": catalogue.template_type[template].astype(np.int64),
        "confidential": rng.random(n) < SHARE_CONFIDENTIAL,
        "phone": rng.random(n) < SHARE_PHONE_IN_TEXT,
        "prefix": rng.choice(np.array(MOBILE_PREFIXES), n),
        "suffix": rng.integers(0, 10_000, n),
        "village": np.where(township, orders.place % villages, -1),
        "compound": np.where(compound, orders.place % compounds, -1),
        "building": orders.place // compounds % 24 + 1,
    }


def _drifted(world: _World, calendar: _Calendar, orders: _Orders, chunk: int, template: Array) -> Array:
    """The texts, some in new words: of a drifting category's requests, a share that grows
    linearly from none at the start of the range to DRIFT_LAST at its end is worded anew."""
    catalogue, n = world.catalogue, len(orders)
    rng = _rng(world.plan, 11, chunk)  # a stream of its own: the other draws stay as they were
    first = int(calendar.start[0])
    progress = (orders.created - first) / max(calendar.end - first, 1)
    count = catalogue.drift_count[orders.category]
    new_words = (count > 0) & (rng.random(n) < DRIFT_LAST * progress)
    chosen = catalogue.first_drift[orders.category] + (rng.random(n) * count).astype(np.int64)
    return np.where(new_words, chosen, template)


def _numbers(world: _World, calendar: _Calendar, created: Array, seq: Array) -> tuple[Array, Array]:
    """Order numbers as intake gives them: the Beijing date, then 7 digits unique within the day."""
    day = _epoch_day(created) - calendar.first_day
    order = np.lexsort((seq, created))
    ranked = day[order]
    rank = np.empty(len(created), dtype=np.int64)
    rank[order] = np.arange(len(created)) - np.searchsorted(ranked, ranked, side="left")
    return day, (rank * world.id_step + world.id_offset) % 10**7


def _columns(
    world: _World, calendar: _Calendar, orders: _Orders, chunk: int, first_seq: int
) -> dict[str, Array]:
    """One chunk of orders as numeric columns, ready for the SQL that makes the rows."""
    rng = _rng(world.plan, 5, chunk)
    n, end = len(orders), calendar.end
    seq = first_seq + np.arange(n, dtype=np.int64)
    people = _people(rng, world, orders, seq)
    people["template"] = _drifted(world, calendar, orders, chunk, people["template"])
    people["type"] = world.catalogue.template_type[people["template"]].astype(np.int64)
    outcome = _outcomes(rng, world, orders, people["type"])
    unit_index = world.catalogue.unit_of[orders.category, orders.street]
    unit = _Unit(
        z=world.quality[unit_index],
        difficulty=orders.difficulty,
        limits=world.catalogue.limits[orders.category],
    )
    timeline = _timeline(rng, unit, orders.created)
    handled = _as_of(timeline, end)
    version, changed = _writes(timeline, orders.created, end)
    settled = _settled(rng, outcome, orders.created, end)
    dispatched = outcome == DISPATCHED
    started = dispatched & (handled["dispatched_at"] > 0)
    columns = {name: np.where(dispatched, values, np.zeros_like(values)) for name, values in handled.items()}
    columns["status"] = np.where(dispatched, handled["status"], settled["status"])
    columns["resolved"] = np.where(dispatched, handled["resolved"], -1)
    columns["satisfaction"] = np.where(dispatched, handled["satisfaction"], -1)
    created_day, number = _numbers(world, calendar, orders.created, seq)
    changed = np.where(dispatched, changed, settled["changed"])
    return {
        **columns,
        **people,
        "created": orders.created,
        "created_day": created_day,
        "number": number,
        "category": orders.category,
        "street": orders.street,
        "place": orders.place,
        "unit": np.where(started, unit_index, -1),
        "version": np.where(dispatched, version, settled["version"]),
        "changed": changed,
        "changed_day": _epoch_day(changed) - calendar.first_day,
        "reason": np.where(dispatched, -1, settled["reason"]),
    }


_DUCK_TYPES = {"string": "VARCHAR", "int": "INTEGER", "bigint": "BIGINT", "boolean": "BOOLEAN"}
_INSTANTS = (
    "dispatched_at",
    "signed_at",
    "contacted_at",
    "replied_at",
    "deadline",
    "evaluated_at",
    "closed_at",
)


def _keyed_hash(message: str) -> str:
    """facts.keyed_hash in SQL: HMAC-SHA256 from the key's inner and outer pads ($inner, $outer)."""
    return f"left(sha256($outer || unhex(sha256($inner || encode({message})))), 32)"


def _expressions() -> dict[str, str]:
    """The SQL of every column of a row, from the numeric columns of a chunk."""
    text = (
        "CASE WHEN NOT confidential THEN replace($templates[template + 1], '{place}', "
        "$street_names[street + 1] || coalesce($villages[nullif(village, -1) + 1], '') "
        # The building number masked as the export masks house numbers (domain/deidentify.py).
        "|| coalesce($compounds[nullif(compound, -1) + 1] || repeat('*', length(building::VARCHAR)) "
        "|| '号楼', '')) "
        "|| CASE WHEN phone THEN '，联系电话' || prefix || '****' || lpad(suffix::VARCHAR, 4, '0') "
        "ELSE '' END "
        "|| '。' END"
    )
    place = "'place-' || $streets[street + 1] || '-' || place"
    return {
        "id": "$day_codes[created_day + 1] || lpad(number::VARCHAR, 7, '0')",
        "version": "version",
        "changed_at": "changed",
        "created_at": "created",
        "type": "$types[type + 1]",
        "channel": "$channels[channel + 1]",
        "status": "$statuses[status + 1]",
        "category": "$categories[category + 1]",
        "district": "$districts[street + 1]",
        "street": "$streets[street + 1]",
        "place": f"CASE WHEN place >= 0 THEN {_keyed_hash(place)} END",
        "requester": _keyed_hash("'person-' || requester"),
        "requester_kind": "$kinds[kind + 1]",
        "unit": "$units[nullif(unit, -1) + 1]",
        **{instant: f"nullif({instant}, 0)" for instant in _INSTANTS},
        "sign_late": "sign_late",
        "contact_late": "contact_late",
        "overdue": "overdue",
        "extensions": "extensions",
        "reopened": "reopened",
        "resolved": "CASE resolved WHEN 1 THEN true WHEN 0 THEN false END",
        "satisfaction": "$satisfactions[nullif(satisfaction, -1) + 1]",
        "reason": "$reasons[nullif(reason, -1) + 1]",
        "unreasonable": "unreasonable",
        "appeal_upheld": "false",  # the history holds no appeals
        "returns": "0",  # the generated history predates the review of replies
        "text": text,
        "day": "$days[changed_day + 1]",
        "month": "$months[created_day + 1]",
    }


def _schema() -> list[tuple[str, str]]:
    return [(c, _DUCK_TYPES[t]) for c, t in facts.ORDER_COLUMNS] + [("day", "VARCHAR"), ("month", "VARCHAR")]


def _parameters(world: _World, calendar: _Calendar) -> dict[str, Any]:
    """The names behind the numeric codes, and the key's pads."""
    catalogue = world.catalogue
    key = world.plan.key
    block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    days = [date(1970, 1, 1) + timedelta(days=calendar.first_day + i) for i in range(len(calendar.start))]
    return {
        "inner": bytes(b ^ 0x36 for b in block),
        "outer": bytes(b ^ 0x5C for b in block),
        "day_codes": [d.strftime("%y%m%d") for d in days],
        "days": [d.isoformat() for d in days],
        "months": [d.strftime("%Y-%m") for d in days],
        "types": [t.value for t in TYPE_ORDER],
        "channels": [c.value for c in CHANNEL_ORDER],
        "statuses": [s.value for s in STATUS_ORDER],
        "categories": list(catalogue.codes),
        "districts": list(catalogue.street_districts),
        "streets": list(catalogue.streets),
        "street_names": list(catalogue.street_names),
        "kinds": [k.value for k in KIND_ORDER],
        "units": list(catalogue.units),
        "satisfactions": [s.value for s in SATISFACTION_ORDER],
        "reasons": [str(r) for r in REASON_ORDER],
        "templates": list(catalogue.templates),
        "villages": list(catalogue.villages),
        "compounds": list(catalogue.compounds),
    }


def _load(
    db: duckdb.DuckDBPyConnection, world: _World, calendar: _Calendar, parameters: dict[str, Any], bar: Any
) -> None:
    """Every order of the plan as a JSON line in the table `rows`, a month of creation at a time."""
    expressions = _expressions()
    row = ", ".join(f"CAST({expressions[c]} AS {t}) AS {c}" for c, t in _schema())
    db.execute("CREATE TABLE rows (changed_at BIGINT, id VARCHAR, line VARCHAR)")
    insert = (
        f"INSERT INTO rows SELECT changed_at, id, to_json(f)::VARCHAR FROM (SELECT {row} FROM chunk) AS f"
    )
    first_seq = 0
    for index, orders in enumerate(_chunks(world, calendar)):
        db.register("chunk", _columns(world, calendar, orders, index, first_seq))
        db.execute(insert, parameters)
        db.unregister("chunk")
        first_seq += len(orders)
        bar.update()


def _day(db: duckdb.DuckDBPyConnection, start: int) -> bytes:
    """The rows whose last change fell on the Beijing day from `start`, in the order of the changes."""
    cursor = db.cursor()
    try:
        found = cursor.execute(
            "SELECT encode(string_agg(line, chr(10) ORDER BY changed_at, id) || chr(10)) FROM rows "
            "WHERE changed_at >= ? AND changed_at < ?",
            [start, start + DAY],
        ).fetchone()
    finally:
        cursor.close()
    return bytes(found[0]) if found and found[0] is not None else b""


# --- whistles: streets summon departments (Art. 33) -------------------------------------------


def _departments() -> tuple[dict[str, list[str]], list[str]]:
    """The departments a street may summon: its district's, by district, and the city's."""
    district: dict[str, list[str]] = {}
    city: list[str] = []
    for unit in all_units():
        if unit.kind is UnitKind.DEPARTMENT:
            if unit.district:
                district.setdefault(unit.district, []).append(unit.id)
            else:
                city.append(unit.id)
    return district, city


def _whistles(world: _World, calendar: _Calendar) -> dict[str, list[str]]:
    """The summons rows (JSON lines in `facts.summons_facts`' order) per Beijing day of their last change."""
    rng = _rng(world.plan, 9)
    catalogue = world.catalogue
    by_district, city = _departments()
    quality = dict(zip(catalogue.units, world.quality.tolist(), strict=True))
    limit = DEFAULT_LIMITS.whistle_report
    days: dict[str, list[str]] = {}
    seen: set[str] = set()
    for month_index, month in enumerate(calendar.month_names):
        month_days = calendar.start[calendar.month == month_index]
        expected = max(WHISTLES_LEAST, world.plan.orders / len(calendar.month_names) / ORDERS_PER_WHISTLE)
        for _ in range(int(rng.poisson(expected))):
            street = int(rng.choice(len(catalogue.streets), p=world.street_weight))
            district = catalogue.street_districts[street]
            blown = int(rng.choice(month_days)) + int(rng.integers(8 * HOUR + 1800, 17 * HOUR + 1800))
            whistle = ""
            while not whistle or whistle in seen:  # the number a whistle gets (whistles.new_whistle_id)
                whistle = f"W{datetime.fromtimestamp(blown, BEIJING):%y%m%d}{int(rng.integers(0, 10**6)):06d}"
            seen.add(whistle)
            pool = by_district.get(district, [])
            count = 1 + int(rng.choice(len(SUMMONED), p=SUMMONED))
            summoned: list[str] = []
            while len(summoned) < min(count, len(pool) + len(city)):
                source = city if not pool or rng.random() < CITY_DEPARTMENT else pool
                unit = str(rng.choice(source))
                if unit not in summoned:
                    summoned.append(unit)
            reports: list[int | None] = []
            for unit in summoned:
                z = quality.setdefault(unit, float(rng.normal()))
                silent = rng.random() < 1 / (1 + np.exp(-(NOT_REPORTED[0] + NOT_REPORTED[1] * z)))
                took = REPORT_MEDIAN * np.exp(-0.6 * z + REPORT_SPREAD * rng.normal())
                reported = None if silent else blown + int(took)
                reports.append(reported if reported is not None and reported < calendar.end else None)
            closed: int | None = None
            if rng.random() < WHISTLE_CLOSED:
                closed = max([blown, *(r for r in reports if r is not None)]) + int(
                    WHISTLE_DAYS * DAY * np.exp(0.6 * rng.normal())
                )
                closed = closed if closed < calendar.end else None
            late = [r is None or r > blown + limit for r in reports]
            # Blown, each report, each escalation (a department silent past its limit), closed.
            version = 1 + sum(r is not None for r in reports) + sum(r is None for r in reports)
            version += closed is not None
            changed = max([blown, *(r for r in reports if r is not None), closed or blown])
            day = datetime.fromtimestamp(changed, BEIJING).strftime("%Y-%m-%d")
            for unit, reported, was_late in zip(summoned, reports, late, strict=True):
                row = {
                    "whistle": whistle,
                    "version": version,
                    "changed_at": changed,
                    "month": month,
                    "street": catalogue.streets[street],
                    "district": district,
                    "department": unit,
                    "summoned_at": blown,
                    "report_by": blown + limit,
                    "reported_at": reported,
                    "late": was_late,
                    "whistle_closed_at": closed,
                    "day": day,
                }
                days.setdefault(day, []).append(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
    return days


def object_key(plan: HistoryPlan, day: str, table: names.AnalyticsTable = names.ORDER_CHANGES) -> str:
    """Where a day's rows of `table` go, relative to the analytics bucket."""
    return f"{table.prefix}{table.partition}={day}/history-{plan.seed}.json"


def generate(plan: HistoryPlan, progress: bool = True) -> Iterator[tuple[str, bytes]]:
    """(S3 key relative to the bucket, NDJSON bytes) per day."""
    calendar = _calendar(plan)
    world = _world(plan, calendar)
    parameters = _parameters(world, calendar)
    days = parameters["days"]
    steps = len(calendar.month_names) + len(days)
    db = duckdb.connect()
    try:
        db.execute("SET enable_progress_bar = false")
        with (
            tqdm(total=steps, desc="history", unit="step", disable=not progress, file=sys.stderr) as bar,
            ThreadPoolExecutor(WRITERS) as pool,
        ):
            _load(db, world, calendar, parameters, bar)
            # A day's query runs on one core: a few at once, yielded in order.
            pending: deque[tuple[str, Future[bytes]]] = deque()
            for day, start in zip(days, calendar.start.tolist(), strict=True):
                pending.append((day, pool.submit(_day, db, start)))
                while pending and (len(pending) > WRITERS or pending[0][1].done()):
                    yield from _ready(plan, *pending.popleft(), bar)
            while pending:
                yield from _ready(plan, *pending.popleft(), bar)
    finally:
        db.close()
    for day, lines in sorted(_whistles(world, calendar).items()):
        yield object_key(plan, day, names.SUMMONS_CHANGES), "".join(f"{line}\n" for line in lines).encode()


def _ready(plan: HistoryPlan, day: str, body: Future[bytes], bar: Any) -> Iterator[tuple[str, bytes]]:
    rows = body.result()
    bar.update()
    if rows:
        yield object_key(plan, day), rows


def _orders(key: str, body: bytes) -> int:
    return body.count(b"\n") if key.startswith(names.ORDER_CHANGES.prefix) else 0


def write_directory(plan: HistoryPlan, root: Path, progress: bool = True) -> int:
    """Write the days' files under `root` (a mirror of the bucket's keys); the orders written."""
    orders = 0
    for key, body in generate(plan, progress):
        path = root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        orders += _orders(key, body)
    return orders


def write_bucket(plan: HistoryPlan, s3: Any, bucket: str, progress: bool = True) -> int:
    """Put the days' files into `bucket` through a boto3 S3 client; the orders written."""
    orders = 0
    for key, body in generate(plan, progress):
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        orders += _orders(key, body)
    return orders


# --- the command line ---------------------------------------------------------------------------


class _Counted:
    """A boto3 client's put_object, counting the files and bytes that went through it."""

    def __init__(self, s3: Any) -> None:
        self.s3, self.files, self.bytes = s3, 0, 0

    def put_object(self, Bucket: str, Key: str, Body: bytes) -> Any:
        self.files += 1
        self.bytes += len(Body)
        return self.s3.put_object(Bucket=Bucket, Key=Key, Body=Body)


def _directory_totals(root: Path, plan: HistoryPlan) -> tuple[int, int]:
    files = [
        f
        for table in (names.ORDER_CHANGES, names.SUMMONS_CHANGES)
        for f in (root / table.prefix).glob(f"*/history-{plan.seed}.json")
    ]
    return len(files), sum(f.stat().st_size for f in files)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write de-identified order facts for the analytics.")
    parser.add_argument("--from", dest="first", required=True, help="first month, YYYY-MM")
    parser.add_argument("--to", dest="last", required=True, help="last month, YYYY-MM (inclusive)")
    parser.add_argument("--orders", type=int, required=True, help="orders over the whole range")
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--emerging", help="a category code that becomes a new problem in one month")
    parser.add_argument("--emerging-month", help="that month, YYYY-MM (the last by default)")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="a directory that mirrors the analytics bucket")
    target.add_argument("--s3-endpoint", help="an S3 endpoint, e.g. the local stack's moto")
    parser.add_argument("--bucket", default=names.ANALYTICS_BUCKET_LOCAL)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    plan = HistoryPlan(
        args.first,
        args.last,
        args.orders,
        args.seed,
        emerging=args.emerging,
        emerging_month=args.emerging_month,
    )
    began = time.monotonic()
    if args.out is not None:
        rows = write_directory(plan, args.out, progress=not args.quiet)
        (files, size), where = _directory_totals(args.out, plan), str(args.out)
    else:
        import boto3

        s3 = _Counted(
            boto3.client(
                "s3",
                endpoint_url=args.s3_endpoint,
                region_name=names.LOCAL_REGION,
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )
        )
        rows = write_bucket(plan, s3, args.bucket, progress=not args.quiet)
        files, size, where = s3.files, s3.bytes, f"s3://{args.bucket} at {args.s3_endpoint}"
    took = time.monotonic() - began
    print(
        f"{rows} orders and the streets' whistles in {files} daily files, {size} bytes,"
        f" in {took:.1f} s: {where}"
    )


if __name__ == "__main__":
    main()
