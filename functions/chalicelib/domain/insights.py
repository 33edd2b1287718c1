"""What the monthly and daily analytics runs make of the query results (Arts. 24, 25, 32, 33;
DESIGN.md section 8): units ranked by the three rates within their own kind, whistles on both
sides, topic candidates (每月一题) with their evidence, recurrences and daily hotspots (未诉先办).

The queries only count (statemachines/queries/*.sql); the formulas, exclusions, weights and
thresholds are configuration (data/analytics.json), applied here.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from .assessment import Assessment, Weights, assessed_as, ranked, rate, score
from .beijing import BEIJING
from .catalogue import Catalogue
from .model import UnitKind
from .views import UnitView

Month = Annotated[str, StringConstraints(pattern=r"^20\d\d-(0[1-9]|1[0-2])$")]
Day = Annotated[str, StringConstraints(pattern=r"^20\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")]
Row = Mapping[str, Any]
WEEK = 7 * 86400


class RatePolicy(BaseModel):
    """How the three rates are computed and weighed (Art. 32)."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    # A unit responded when it contacted the requester (or only signed) within the limit.
    response_basis: Literal["contact", "sign"] = "contact"
    satisfied_includes_basically: bool = True
    # Art. 11 para. 3 outcomes and merged duplicates: reason codes that never count.
    excluded_reasons: tuple[str, ...] = (
        "emergency",
        "legal_channel",
        "duplicate",
        "secrets_privacy",
        "outside_duties",
        "unlawful",
        "transferred",
    )
    exclude_unreasonable: bool = True
    weights: Weights = Weights()
    # A summoned department's reports within the limit (Art. 33) count in its score with this weight.
    report_weight: float = 0.1
    # A unit with fewer dispatched orders in the month is listed apart, not ranked (样本不足).
    least_dispatched: Annotated[int, Field(ge=0)] = 20


Profile = Annotated[tuple[float, ...], Field(min_length=12, max_length=12)]


class TopicPolicy(BaseModel):
    """Which categories become topic candidates, how their signals weigh, and what their volume is
    measured against: the same month of earlier years when the facts hold it, otherwise last
    month's volume carried over by the category's seasonal profile (a season's volume in each
    calendar month, January first; a category without one is taken as even through the year)."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    least_orders_category: int = 30
    least_orders_district: int = 15
    candidates: int = 20
    least_followed_up: int = 5
    years_back: int = Field(default=3, ge=0)
    weights: dict[str, float] = {
        "volume": 0.2,
        "growth": 0.3,
        "low_resolution": 0.15,
        "low_satisfaction": 0.15,
        "repeat_requesters": 0.1,
        "concentrated": 0.1,
    }
    # A signal is named in the candidate's evidence when its strength reaches this.
    notable: dict[str, float] = {
        "volume": 0.5,
        "growth": 0.25,
        "low_resolution": 0.3,
        "low_satisfaction": 0.25,
        "repeat_requesters": 0.3,
        "concentrated": 0.5,
    }
    # A jump counts only beyond what chance would explain: this many standard deviations of the
    # difference between the count and its baseline (both taken as Poisson counts) are taken off
    # before it is weighed.
    chance: float = Field(default=2.0, ge=0)
    seasons: dict[str, Profile] = {}
    season_of: dict[str, str] = {}
    districts: int = 5  # districts named in a candidate's evidence

    @model_validator(mode="after")
    def _profiles(self) -> TopicPolicy:
        unknown = sorted(set(self.season_of.values()) - set(self.seasons))
        if unknown:
            raise ValueError(f"categories refer to seasons not described: {', '.join(unknown)}")
        if any(v <= 0 for profile in self.seasons.values() for v in profile):
            raise ValueError("a season's volume is positive in every month")
        return self

    def season(self, category: str) -> Profile | None:
        name = self.season_of.get(category)
        return self.seasons[name] if name else None


class HotspotPolicy(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    least_orders: int = 5
    ratio: float = 3.0
    # Months read around the eight weeks of baseline before the day.
    months_back: int = 3


class AnalyticsPolicy(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True, extra="ignore")

    rates: RatePolicy = RatePolicy()
    topics: TopicPolicy = TopicPolicy()
    hotspots: HotspotPolicy = HotspotPolicy()
    trend_months: int = 6


# --- plans: which month or days, and each query's execution parameters ---------------------------


def quoted(value: str) -> str:
    """A string as an Athena execution parameter: a SQL literal, bound by Athena, not formatted in."""
    return "'" + value.replace("'", "''") + "'"


def month_of(day: date) -> str:
    return day.strftime("%Y-%m")


def shift(month: str, months: int) -> str:
    year, number = (int(p) for p in month.split("-"))
    index = year * 12 + number - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def beijing_today(now: datetime) -> date:
    return now.astimezone(BEIJING).date()


class MonthlyPlan(BaseModel):
    model_config = ConfigDict(defer_build=True)

    run: Literal["monthly"] = "monthly"
    month: Month
    # The month before 2000-01 is 1999-12: the run of the first month a caller may ask for has one.
    previous: Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
    parameters: dict[str, list[str]]
    retrain: bool = True  # retrain the dispatch model after storing the month


class DailyPlan(BaseModel):
    model_config = ConfigDict(defer_build=True)

    run: Literal["daily"] = "daily"
    first_day: Day
    last_day: Day
    parameters: dict[str, list[str]]


# The months of closed orders a retraining of the dispatch model learns from.
TRAINING_MONTHS = 6


def monthly_plan(
    month: str | None, now: datetime, policy: AnalyticsPolicy, retrain: bool = True
) -> MonthlyPlan:
    """The month asked for, or the one that just ended (the run on the 1st at 02:00, which also
    retrains the dispatch model; a re-run of a month retrains only when asked to)."""
    month = month or month_of(beijing_today(now).replace(day=1) - timedelta(days=1))
    rates = policy.rates
    exclude = "true" if rates.exclude_unreasonable else "false"
    this, previous = quoted(month), quoted(shift(month, -1))
    return MonthlyPlan(
        month=month,
        previous=shift(month, -1),
        retrain=retrain,
        parameters={
            "rates": [this, quoted(",".join(rates.excluded_reasons)), exclude],
            "summons": [this, quoted(f"{month}-01")],
            "topics": [
                this,
                previous,
                quoted(shift(month, -12 * policy.topics.years_back)),
                this,
                this,
                this,
                previous,
                this,
                this,
            ],
            "streets": [this],
            "examples": [this],
            "trend": [quoted(shift(month, 1 - policy.trend_months)), this],
            "recurrence": [quoted(shift(month, -2)), this, this, this],
            "training": [quoted(shift(month, 1 - TRAINING_MONTHS)), this],
        },
    )


def daily_plan(first: str | None, last: str | None, now: datetime, policy: AnalyticsPolicy) -> DailyPlan:
    """Yesterday's changes (the run at 01:00), or the days asked for (a backfill); the hotspots
    are those of the week up to the end of the last day."""
    yesterday = (beijing_today(now) - timedelta(days=1)).isoformat()
    last = last or first or yesterday
    first = first or last
    if first > last:
        raise ValueError("the first day comes after the last")
    end_day = date.fromisoformat(last) + timedelta(days=1)
    end = int(datetime(end_day.year, end_day.month, end_day.day, tzinfo=BEIJING).timestamp())
    back = policy.hotspots
    first_month = shift(month_of(end_day), -back.months_back)
    return DailyPlan(
        first_day=first,
        last_day=last,
        parameters={
            "compact": [quoted(first), quoted(last)],
            "hotspots": [
                quoted(first_month),
                quoted(month_of(date.fromisoformat(last))),
                str(end),
                str(end),
                str(end),
                str(back.least_orders),
                repr(float(back.ratio)),
            ],
        },
    )


# --- the three rates, ranked within each kind --------------------------------------------------


def rank_units(
    rates: Iterable[Row], summons: Iterable[Row], reference: Catalogue, policy: RatePolicy
) -> dict[UnitKind, list[Assessment]]:
    """Each unit's rates and composite score, ranked among its own kind; whistles on both sides:
    a summoned department's reports in time count in its score, a street's whistles are shown. A
    district's counts are the sums over its jurisdiction (`assessment.assessed_as`)."""
    summons = list(summons)
    reports = _with_districts([r for r in summons if r["side"] == "department"], reference)
    blown = _with_districts([r for r in summons if r["side"] == "street"], reference)
    weights = policy.weights
    by_kind: dict[UnitKind, list[Assessment]] = defaultdict(list)
    for row in _with_districts(rates, reference).values():
        unit = reference.unit(row["unit"])
        if unit is None:
            continue
        responded = row["contacted_in_time"] if policy.response_basis == "contact" else row["signed_in_time"]
        satisfied = row["satisfied"] + (
            row["basically_satisfied"] if policy.satisfied_includes_basically else 0
        )
        report = reports.get(unit.id)
        report_rate = rate(report["reported_in_time"], report["summoned"]) if report else None
        scored = (
            (weights.response, rate(responded, row["dispatched"])),
            (weights.resolution, rate(row["resolved"], row["followed_up"])),
            (weights.satisfaction, rate(satisfied, row["followed_up"])),
            (policy.report_weight, report_rate),
        )
        street = blown.get(unit.id)
        by_kind[unit.kind].append(
            Assessment(
                unit=UnitView(id=unit.id, name=unit.name, kind=unit.kind.value),
                rank=None,
                dispatched=row["dispatched"],
                excluded=row["excluded"],
                responded=responded,
                followed_up=row["followed_up"],
                resolved=row["resolved"],
                satisfied=satisfied,
                overdue=row["overdue"],
                response_rate=scored[0][1],
                resolution_rate=scored[1][1],
                satisfaction_rate=scored[2][1],
                summoned=report["summoned"] if report else None,
                reported_in_time=report["reported_in_time"] if report else None,
                report_rate=report_rate,
                whistles=street["whistles"] if street else None,
                whistles_closed=street["closed"] if street else None,
                score=score(scored),
            )
        )
    return {kind: ranked(rows, policy.least_dispatched) for kind, rows in by_kind.items()}


def _with_districts(rows: Iterable[Row], reference: Catalogue) -> dict[str, Row]:
    """The rows by unit, and each district's: the sums of its own row (only ever counted there) and
    its streets' and departments' rows."""
    units: dict[str, Row] = {}
    districts: dict[str, dict[str, Any]] = {}
    for row in rows:
        district = assessed_as(row["unit"], UnitKind.DISTRICT, reference)
        if district != row["unit"]:
            units[row["unit"]] = row
        if district is None:
            continue
        total = districts.setdefault(district, {"unit": district})
        for name, value in row.items():
            if name not in ("unit", "side") and isinstance(value, int):
                total[name] = total.get(name, 0) + value
    return {**units, **districts}


# --- topic candidates ---------------------------------------------------------------------------


class StreetCount(BaseModel):
    model_config = ConfigDict(defer_build=True)

    street: str
    name: str
    orders: int


class MonthCount(BaseModel):
    model_config = ConfigDict(defer_build=True)

    month: str
    orders: int


Basis = Literal["same_month", "season", "previous_month", "none"]


class Baseline(BaseModel):
    """The volume a group was expected to have this month, and what that expectation rests on:
    the mean of the same month in earlier years (`years` of them), last month's volume carried
    over by the category's seasonal profile, or last month's volume as it was (no profile), or
    nothing (no requests last month and no history)."""

    model_config = ConfigDict(defer_build=True)

    basis: Basis
    orders: float | None
    years: int = 0
    # How far the expectation itself may be off by chance (its standard deviation, the counts it
    # is made of taken as Poisson): wide when it rests on a few requests carried over a season.
    spread: float = 0.0


class DistrictJump(BaseModel):
    """A district's share of a candidate, measured against its own baseline."""

    model_config = ConfigDict(defer_build=True)

    district: str
    name: str
    orders: int
    baseline: float | None
    growth: float | None


class Candidate(BaseModel):
    """A category proposed as the month's topic, with the evidence for it; its districts are
    evidence, not candidates of their own."""

    model_config = ConfigDict(defer_build=True)

    key: str  # <category>; adopted topics of earlier months may be <category>@<district>
    rank: int
    score: float
    category: str
    category_name: str
    district: str | None = None
    district_name: str | None = None
    signals: list[str]
    orders: int
    previous_orders: int
    baseline: Baseline
    growth: float | None  # against the baseline
    followed_up: int
    resolution_rate: float | None
    satisfaction_rate: float | None
    requesters: int
    repeat_requesters: int
    streets: int
    concentration: float | None  # share of the three streets with most requests
    top_streets: list[StreetCount]
    districts: list[DistrictJump] = []
    trend: list[MonthCount]
    examples: Annotated[list[str], Field(max_length=3)]


def _key(category: str, district: str | None) -> str:
    return f"{category}@{district}" if district else category


def _names(reference: Catalogue) -> tuple[dict[str, str], dict[str, str]]:
    categories = {c.code: c.name for c in reference.categories()}
    units = {u.id: u.name for u in reference.units()}
    return categories, units


def baseline(row: Row, month: str, policy: TopicPolicy) -> Baseline:
    """What `row` (a topics query row of `month`) was expected to count."""
    years = int(row.get("same_month_years") or 0)
    if years:
        mean = row["same_month_orders"] / years
        return Baseline(
            basis="same_month", orders=round(mean, 2), years=years, spread=round(math.sqrt(mean / years), 2)
        )
    previous = row["previous_orders"]
    if not previous:
        return Baseline(basis="none", orders=None)
    profile = policy.season(row["category"])
    if profile is None:
        return Baseline(basis="previous_month", orders=float(previous), spread=round(math.sqrt(previous), 2))
    number = int(month[5:7])
    factor = profile[number - 1] / profile[(number - 2) % 12]
    return Baseline(
        basis="season", orders=round(previous * factor, 2), spread=round(factor * math.sqrt(previous), 2)
    )


def growth_over(orders: int, expected: Baseline) -> float | None:
    """The jump over the baseline (0.5: half as many again); None when nothing was expected."""
    if not expected.orders:
        return None
    return round((orders - expected.orders) / expected.orders, 4)


def jump(orders: int, expected: Baseline, chance: float) -> float:
    """The growth signal's strength, 0..1: the jump over the baseline beyond chance; a group with
    no baseline (nothing last month, no history) is new, and as strong as a doubling."""
    if not expected.orders:
        return 1.0 if orders else 0.0
    beyond = orders - expected.orders - chance * math.sqrt(expected.orders + expected.spread**2)
    return min(max(beyond / expected.orders, 0.0), 1.0)


def topic_candidates(
    topics: Sequence[Row],
    streets: Sequence[Row],
    examples: Sequence[Row],
    trend: Sequence[Row],
    reference: Catalogue,
    policy: TopicPolicy,
    month: str,
) -> list[Candidate]:
    """Categories scored by their signals (each 0..1, weighed by configuration) and ranked, one
    candidate per category with its districts as evidence. A category is a candidate when it has
    enough requests to be a city's problem (city-wide, or in one district) and something beyond its
    size stands out: a jump over its baseline, poor resolution or ratings, people asking again, a
    few streets bearing most of it. A season's usual volume is not a jump: the heating season's
    first month is measured against earlier Novembers, or October carried over by the season."""
    category_names, unit_names = _names(reference)
    by_category: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in streets:
        by_category[row["category"]].append((row["street"], row["orders"]))
    texts: dict[str, list[tuple[str | None, str]]] = defaultdict(list)
    for row in examples:
        texts[row["category"]].append((row["district"], row["text"]))
    series: dict[str, list[MonthCount]] = defaultdict(list)
    for row in trend:
        if row["district"] is None:
            series[row["category"]].append(MonthCount(month=row["month"], orders=row["orders"]))
    district_rows: dict[str, list[Row]] = defaultdict(list)
    for row in topics:
        if row["district"] is not None:
            district_rows[row["category"]].append(row)

    def words(category: str, districts: list[DistrictJump]) -> list[str]:
        """Three examples, from the districts where it jumped most first."""
        order = {d.district: i for i, d in enumerate(districts)}
        found = sorted(texts.get(category, []), key=lambda t: order.get(t[0] or "", len(order)))
        return [text for _, text in found[:3]]

    def jumps(category: str) -> list[DistrictJump]:
        found = []
        for row in district_rows.get(category, []):
            expected = baseline(row, month, policy)
            found.append(
                DistrictJump(
                    district=row["district"],
                    name=unit_names.get(row["district"], row["district"]),
                    orders=row["orders"],
                    baseline=expected.orders,
                    growth=growth_over(row["orders"], expected),
                )
            )
        found.sort(key=lambda d: (-(d.orders - (d.baseline or 0)), -d.orders, d.district))
        return found[: policy.districts]

    eligible = [
        r
        for r in topics
        if r["district"] is None
        and (
            r["orders"] >= policy.least_orders_category
            or any(d["orders"] >= policy.least_orders_district for d in district_rows.get(r["category"], []))
        )
    ]
    most = max((r["orders"] for r in eligible), default=0) or 1
    scored: list[tuple[float, Candidate]] = []
    for row in eligible:
        category = row["category"]
        counts = sorted(by_category.get(category, []), key=lambda s: (-s[1], s[0]))
        followed = row["followed_up"]
        resolution = rate(row["resolved"], followed)
        satisfaction = rate(row["satisfied"], followed)
        expected = baseline(row, month, policy)
        growth = growth_over(row["orders"], expected)
        concentration = (
            round(sum(n for _, n in counts[:3]) / row["orders"], 4)
            if counts and row["orders"] and row["streets"] > 3
            else None
        )
        judged = followed >= policy.least_followed_up
        strengths = {
            "volume": row["orders"] / most,
            "growth": jump(row["orders"], expected, policy.chance),
            "low_resolution": (1 - resolution) if judged and resolution is not None else 0.0,
            "low_satisfaction": (1 - satisfaction) if judged and satisfaction is not None else 0.0,
            "repeat_requesters": min(row["repeat_requesters"] / max(row["requesters"], 1) * 3, 1.0),
            "concentrated": concentration or 0.0,
        }
        signals = [s for s, v in strengths.items() if v >= policy.notable.get(s, 1.0)]
        if not set(signals) - {"volume"}:
            continue  # large, and as large as it always is at this time of year
        districts = jumps(category)
        weights = policy.weights
        strength = (
            100 * sum(weights.get(s, 0) * v for s, v in strengths.items()) / (sum(weights.values()) or 1)
        )
        scored.append(
            (
                strength,
                Candidate(
                    key=category,
                    rank=0,
                    score=round(strength, 2),
                    category=category,
                    category_name=category_names.get(category, category),
                    signals=signals,
                    orders=row["orders"],
                    previous_orders=row["previous_orders"],
                    baseline=expected,
                    growth=growth,
                    followed_up=followed,
                    resolution_rate=resolution,
                    satisfaction_rate=satisfaction,
                    requesters=row["requesters"],
                    repeat_requesters=row["repeat_requesters"],
                    streets=row["streets"],
                    concentration=concentration,
                    top_streets=[
                        StreetCount(street=s, name=unit_names.get(s, s), orders=n) for s, n in counts[:5]
                    ],
                    districts=districts,
                    trend=series.get(category, []),
                    examples=words(category, districts),
                ),
            )
        )
    scored.sort(key=lambda pair: (-pair[0], -pair[1].orders, pair[1].key))
    return [c.model_copy(update={"rank": i + 1}) for i, (_, c) in enumerate(scored[: policy.candidates])]


# --- trends, streets, recurrences and hotspots ---------------------------------------------------


class CategoryMonth(BaseModel):
    model_config = ConfigDict(defer_build=True)

    month: str
    category: str
    name: str
    orders: int
    resolution_rate: float | None
    satisfaction_rate: float | None


def category_trend(trend: Iterable[Row], reference: Catalogue) -> list[CategoryMonth]:
    """The city-wide rows of the trend query (its district rows are the candidates' evidence)."""
    category_names, _ = _names(reference)
    return [
        CategoryMonth(
            month=r["month"],
            category=r["category"],
            name=category_names.get(r["category"], r["category"]),
            orders=r["orders"],
            resolution_rate=rate(r["resolved"], r["followed_up"]),
            satisfaction_rate=rate(r["satisfied"], r["followed_up"]),
        )
        for r in trend
        if r["district"] is None
    ]


class StreetVolume(BaseModel):
    model_config = ConfigDict(defer_build=True)

    street: str
    name: str
    district: str
    district_name: str
    orders: int


def street_volumes(streets: Iterable[Row], reference: Catalogue) -> list[StreetVolume]:
    """Every street's requests of the month, the briefing's heat grid."""
    _, unit_names = _names(reference)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for row in streets:
        totals[(row["district"], row["street"])] += row["orders"]
    return sorted(
        (
            StreetVolume(
                street=street,
                name=unit_names.get(street, street),
                district=district,
                district_name=unit_names.get(district, district),
                orders=orders,
            )
            for (district, street), orders in totals.items()
        ),
        key=lambda s: (-s.orders, s.street),
    )


class Recurrence(BaseModel):
    """The same place and category again after closure: a problem to solve at its root."""

    model_config = ConfigDict(defer_build=True)

    place: str  # a keyed hash: the latest order names the place to whoever may open it
    category: str
    category_name: str
    district: str
    street: str
    street_name: str
    unit: str | None
    orders: int
    recurrences: int
    latest_order: str
    latest_at: datetime


def recurrences(rows: Iterable[Row], reference: Catalogue) -> list[Recurrence]:
    category_names, unit_names = _names(reference)
    return [
        Recurrence(
            place=r["place"],
            category=r["category"],
            category_name=category_names.get(r["category"], r["category"]),
            district=r["district"],
            street=r["street"],
            street_name=unit_names.get(r["street"], r["street"]),
            unit=r["unit"],
            orders=r["orders"],
            recurrences=r["recurrences"],
            latest_order=r["latest_order"],
            latest_at=datetime.fromtimestamp(r["latest_at"], BEIJING),
        )
        for r in rows
    ]


class Hotspot(BaseModel):
    """A street's week in a category well above its own baseline: a warning before more calls."""

    model_config = ConfigDict(defer_build=True)

    day: str
    street: str
    street_name: str
    district: str
    category: str
    category_name: str
    this_week: int
    baseline: float


def hotspots(day: str, rows: Iterable[Row], reference: Catalogue) -> list[Hotspot]:
    category_names, unit_names = _names(reference)
    return [
        Hotspot(
            day=day,
            street=r["street"],
            street_name=unit_names.get(r["street"], r["street"]),
            district=r["district"],
            category=r["category"],
            category_name=category_names.get(r["category"], r["category"]),
            this_week=r["this_week"],
            baseline=r["baseline"],
        )
        for r in rows
    ]


def hotspot_message(spot: Hotspot) -> str:
    return (
        f"近7天{spot.street_name}「{spot.category_name}」诉求{spot.this_week}件，"
        f"此前8周平均每周{spot.baseline:g}件。请提前研判、主动治理（未诉先办）。"
    )


# --- the run's record and the adopted topics --------------------------------------------------


class MonthRun(BaseModel):
    model_config = ConfigDict(defer_build=True)

    month: str
    ran_at: datetime
    orders: int
    units: int
    candidates: int
    recurrences: int


def run_summary(run: MonthRun) -> dict[str, Any]:
    """What the analysts are told (the state machine publishes it)."""
    return {
        "month": run.month,
        "subject": f"{run.month} 月度分析已完成",
        "message": (
            f"{run.month}：诉求{run.orders}件，考评单位{run.units}个，每月一题候选{run.candidates}个，"
            f"反复诉求点位{run.recurrences}处。请在工作台查看并确定本月选题。"
        ),
        "orders": run.orders,
        "candidates": run.candidates,
    }


class TopicForm(BaseModel):
    """An analyst adopts a candidate as a topic and names the unit that leads it."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    month: Month
    key: Annotated[str, StringConstraints(min_length=2, max_length=120)]
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]
    lead_unit: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class Topic(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str  # <month>:<candidate key>
    month: str
    key: str
    title: str
    category: str
    category_name: str
    district: str | None
    district_name: str | None
    lead_unit: UnitView
    note: str | None
    adopted_by: str
    adopted_at: datetime
    baseline_orders: int  # the candidate's requests in the month it was adopted
    progress: list[MonthCount] = []  # its requests in each month since
    version: int = 1


def follow(topic: Topic, month: str, topics_rows: Iterable[Row]) -> Topic:
    """The topic's requests in `month` (a later month's run), replacing an earlier figure."""
    if month <= topic.month:
        return topic
    found = next(
        (
            r["orders"]
            for r in topics_rows
            if r["category"] == topic.category and r["district"] == topic.district
        ),
        0,
    )
    kept = [p for p in topic.progress if p.month != month]
    progress = sorted([*kept, MonthCount(month=month, orders=found)], key=lambda p: p.month)
    return topic.model_copy(update={"progress": progress, "version": topic.version + 1})
