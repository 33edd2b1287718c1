"""What the monthly and daily analytics runs make of the query results (Arts. 24, 25, 32, 33;
DESIGN.md section 8): units ranked by the three rates within their own kind, whistles on both
sides, topic candidates (每月一题) with their evidence, recurrences and daily hotspots (未诉先办).

The queries only count (statemachines/queries/*.sql); the formulas, exclusions, weights and
thresholds are configuration (data/analytics.json), applied here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .assessment import Assessment, Weights, assessed_as, ranked, rate, score
from .intake import BEIJING
from .model import UnitKind
from .ports import Reference
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


class TopicPolicy(BaseModel):
    """Which groups of requests become topic candidates, and how their signals weigh."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    least_orders_category: int = 30
    least_orders_district: int = 15
    candidates: int = 20
    least_followed_up: int = 5
    weights: dict[str, float] = {
        "volume": 0.3,
        "growth": 0.2,
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
            "topics": [this, previous, this, this],
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
    rates: Iterable[Row], summons: Iterable[Row], reference: Reference, policy: RatePolicy
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


def _with_districts(rows: Iterable[Row], reference: Reference) -> dict[str, Row]:
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


class Candidate(BaseModel):
    """A group of requests proposed as the month's topic, with the evidence for it."""

    model_config = ConfigDict(defer_build=True)

    key: str  # <category> or <category>@<district>
    rank: int
    score: float
    category: str
    category_name: str
    district: str | None = None
    district_name: str | None = None
    signals: list[str]
    orders: int
    previous_orders: int
    growth: float | None
    followed_up: int
    resolution_rate: float | None
    satisfaction_rate: float | None
    requesters: int
    repeat_requesters: int
    streets: int
    concentration: float | None  # share of the three streets with most requests
    top_streets: list[StreetCount]
    trend: list[MonthCount]
    examples: Annotated[list[str], Field(max_length=3)]


def _key(category: str, district: str | None) -> str:
    return f"{category}@{district}" if district else category


def _names(reference: Reference) -> tuple[dict[str, str], dict[str, str]]:
    categories = {c.code: c.name for c in reference.categories()}
    units = {u.id: u.name for u in reference.units()}
    return categories, units


def topic_candidates(
    topics: Sequence[Row],
    streets: Sequence[Row],
    examples: Sequence[Row],
    trend: Sequence[Row],
    reference: Reference,
    policy: TopicPolicy,
) -> list[Candidate]:
    """Categories, and categories within a district, scored by their signals (each 0..1, weighed
    by configuration) and ranked; only groups with enough requests to be a city's problem."""
    category_names, unit_names = _names(reference)
    by_group: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in streets:
        by_group[row["category"]].append((row["street"], row["orders"]))
        by_group[_key(row["category"], row["district"])].append((row["street"], row["orders"]))
    texts: dict[str, list[str]] = defaultdict(list)
    for row in examples:
        for group in (row["category"], _key(row["category"], row["district"])):
            if len(texts[group]) < 3:
                texts[group].append(row["text"])
    series: dict[str, list[MonthCount]] = defaultdict(list)
    for row in trend:
        series[_key(row["category"], row["district"])].append(
            MonthCount(month=row["month"], orders=row["orders"])
        )

    eligible = [
        r
        for r in topics
        if r["orders"]
        >= (policy.least_orders_district if r["district"] is not None else policy.least_orders_category)
    ]
    most = {
        level: max((r["orders"] for r in eligible if (r["district"] is None) == level), default=0)
        for level in (True, False)
    }
    scored: list[tuple[float, Candidate]] = []
    for row in eligible:
        key = _key(row["category"], row["district"])
        counts = sorted(by_group.get(key, []), key=lambda s: (-s[1], s[0]))
        followed = row["followed_up"]
        resolution = rate(row["resolved"], followed)
        satisfaction = rate(row["satisfied"], followed)
        growth = (
            round((row["orders"] - row["previous_orders"]) / row["previous_orders"], 4)
            if row["previous_orders"]
            else None
        )
        concentration = (
            round(sum(n for _, n in counts[:3]) / row["orders"], 4)
            if counts and row["orders"] and row["streets"] > 3
            else None
        )
        judged = followed >= policy.least_followed_up
        strengths = {
            "volume": row["orders"] / (most[row["district"] is None] or 1),
            "growth": min(max(growth or 0.0, 0.0), 1.0),
            "low_resolution": (1 - resolution) if judged and resolution is not None else 0.0,
            "low_satisfaction": (1 - satisfaction) if judged and satisfaction is not None else 0.0,
            "repeat_requesters": min(row["repeat_requesters"] / max(row["requesters"], 1) * 3, 1.0),
            "concentrated": concentration or 0.0,
        }
        weights = policy.weights
        strength = (
            100 * sum(weights.get(s, 0) * v for s, v in strengths.items()) / (sum(weights.values()) or 1)
        )
        scored.append(
            (
                strength,
                Candidate(
                    key=key,
                    rank=0,
                    score=round(strength, 2),
                    category=row["category"],
                    category_name=category_names.get(row["category"], row["category"]),
                    district=row["district"],
                    district_name=unit_names.get(row["district"]) if row["district"] else None,
                    signals=[s for s, v in strengths.items() if v >= policy.notable.get(s, 1.0)],
                    orders=row["orders"],
                    previous_orders=row["previous_orders"],
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
                    trend=series.get(key, []),
                    examples=texts.get(key, [])[:3],
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


def category_trend(trend: Iterable[Row], reference: Reference) -> list[CategoryMonth]:
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


def street_volumes(streets: Iterable[Row], reference: Reference) -> list[StreetVolume]:
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


def recurrences(rows: Iterable[Row], reference: Reference) -> list[Recurrence]:
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


def hotspots(day: str, rows: Iterable[Row], reference: Reference) -> list[Hotspot]:
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
