"""Topic candidates (每月一题, Art. 25): categories scored by their signals and ranked, each with its
evidence — its baseline, districts, streets, months and example requests. The signals' weights and
thresholds are configuration (data/analytics.json)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .assessment import rate
from .catalogue import Catalogue
from .query_rows import Row, names

T = TypeVar("T")
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
    category_names, unit_names = names(reference)
    board = _Board(
        policy,
        month,
        category_names,
        unit_names,
        streets=_by_category(streets, lambda r: (r["street"], r["orders"])),
        texts=_by_category(examples, lambda r: (r["district"], r["text"])),
        series=_by_category(
            (r for r in trend if r["district"] is None),
            lambda r: MonthCount(month=r["month"], orders=r["orders"]),
        ),
        districts=_by_category((r for r in topics if r["district"] is not None), lambda r: r),
    )
    eligible = [r for r in topics if r["district"] is None and board.large_enough(r)]
    most = max((r["orders"] for r in eligible), default=0) or 1
    scored = [found for row in eligible if (found := board.candidate(row, most)) is not None]
    scored.sort(key=lambda pair: (-pair[0], -pair[1].orders, pair[1].key))
    return [c.model_copy(update={"rank": i + 1}) for i, (_, c) in enumerate(scored[: policy.candidates])]


@dataclass(frozen=True)
class _Board:
    """The month's rows grouped by category, and what a candidate is measured and named with."""

    policy: TopicPolicy
    month: str
    category_names: dict[str, str]
    unit_names: dict[str, str]
    streets: dict[str, list[tuple[str, int]]]
    texts: dict[str, list[tuple[str | None, str]]]
    series: dict[str, list[MonthCount]]
    districts: dict[str, list[Row]]

    def large_enough(self, row: Row) -> bool:
        """Enough requests to be a city's problem: city-wide, or in one of its districts."""
        return row["orders"] >= self.policy.least_orders_category or any(
            d["orders"] >= self.policy.least_orders_district for d in self.districts.get(row["category"], [])
        )

    def candidate(self, row: Row, most: int) -> tuple[float, Candidate] | None:
        """The category's candidate and its strength; None when only its size stands out."""
        category = row["category"]
        counts = sorted(self.streets.get(category, []), key=lambda s: (-s[1], s[0]))
        expected = baseline(row, self.month, self.policy)
        concentration = (
            round(sum(n for _, n in counts[:3]) / row["orders"], 4)
            if counts and row["orders"] and row["streets"] > 3
            else None
        )
        found = Candidate(
            key=category,
            rank=0,
            score=0.0,
            category=category,
            category_name=self.category_names.get(category, category),
            signals=[],
            orders=row["orders"],
            previous_orders=row["previous_orders"],
            baseline=expected,
            growth=growth_over(row["orders"], expected),
            followed_up=row["followed_up"],
            resolution_rate=rate(row["resolved"], row["followed_up"]),
            satisfaction_rate=rate(row["satisfied"], row["followed_up"]),
            requesters=row["requesters"],
            repeat_requesters=row["repeat_requesters"],
            streets=row["streets"],
            concentration=concentration,
            top_streets=[
                StreetCount(street=s, name=self.unit_names.get(s, s), orders=n) for s, n in counts[:5]
            ],
            trend=self.series.get(category, []),
            examples=[],
        )
        strengths = _strengths(found, most, self.policy)
        signals = [s for s, v in strengths.items() if v >= self.policy.notable.get(s, 1.0)]
        if not set(signals) - {"volume"}:
            return None  # large, and as large as it always is at this time of year
        weights = self.policy.weights
        strength = (
            100 * sum(weights.get(s, 0) * v for s, v in strengths.items()) / (sum(weights.values()) or 1)
        )
        districts = self.jumps(category)
        return strength, found.model_copy(
            update={
                "score": round(strength, 2),
                "signals": signals,
                "districts": districts,
                "examples": self.words(category, districts),
            }
        )

    def jumps(self, category: str) -> list[DistrictJump]:
        """The category's districts that jumped most over their own baselines."""
        found = []
        for row in self.districts.get(category, []):
            expected = baseline(row, self.month, self.policy)
            found.append(
                DistrictJump(
                    district=row["district"],
                    name=self.unit_names.get(row["district"], row["district"]),
                    orders=row["orders"],
                    baseline=expected.orders,
                    growth=growth_over(row["orders"], expected),
                )
            )
        found.sort(key=lambda d: (-(d.orders - (d.baseline or 0)), -d.orders, d.district))
        return found[: self.policy.districts]

    def words(self, category: str, districts: list[DistrictJump]) -> list[str]:
        """Three examples, from the districts where it jumped most first."""
        order = {d.district: i for i, d in enumerate(districts)}
        found = sorted(self.texts.get(category, []), key=lambda t: order.get(t[0] or "", len(order)))
        return [text for _, text in found[:3]]


def _by_category(rows: Iterable[Row], value: Callable[[Row], T]) -> dict[str, list[T]]:
    """What each row says, by the row's category, in the rows' order."""
    found: dict[str, list[T]] = defaultdict(list)
    for row in rows:
        found[row["category"]].append(value(row))
    return found


def _strengths(candidate: Candidate, most: int, policy: TopicPolicy) -> dict[str, float]:
    """Each signal's strength, 0..1; poor resolution and ratings count once enough were followed up."""
    judged = candidate.followed_up >= policy.least_followed_up
    resolution, satisfaction = candidate.resolution_rate, candidate.satisfaction_rate
    return {
        "volume": candidate.orders / most,
        "growth": jump(candidate.orders, candidate.baseline, policy.chance),
        "low_resolution": (1 - resolution) if judged and resolution is not None else 0.0,
        "low_satisfaction": (1 - satisfaction) if judged and satisfaction is not None else 0.0,
        "repeat_requesters": min(candidate.repeat_requesters / max(candidate.requesters, 1) * 3, 1.0),
        "concentrated": candidate.concentration or 0.0,
    }
