"""What the monthly and daily analytics runs make of the query results (Arts. 24, 25, 32, 33;
DESIGN.md section 8): the runs' policy and plans and the record of a month's run, and the face of
the analytics for the rest of the house. The work itself is done beside it: units ranked by the
three rates within their own kind (rankings.py), topic candidates with their evidence
(topic_candidates.py) and the topics adopted from them (topics.py), the briefing's trends, streets
and recurrences (briefing.py), and daily hotspots, 未诉先办 (hotspots.py).

The queries only count (statemachines/queries/*.sql); the formulas, exclusions, weights and
thresholds are configuration (data/analytics.json), applied there.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from .beijing import BEIJING
from .briefing import CategoryMonth, Recurrence, StreetVolume, category_trend, recurrences, street_volumes
from .hotspots import Hotspot, HotspotPolicy, hotspot_message, hotspots
from .query_rows import Day, Month, Row
from .rankings import RatePolicy, rank_units
from .topic_candidates import (
    Baseline,
    Candidate,
    DistrictJump,
    MonthCount,
    StreetCount,
    TopicPolicy,
    baseline,
    growth_over,
    jump,
    topic_candidates,
)
from .topics import Topic, TopicForm, follow

__all__ = [
    "AnalyticsPolicy",
    "Baseline",
    "Candidate",
    "CategoryMonth",
    "DailyPlan",
    "Day",
    "DistrictJump",
    "Hotspot",
    "HotspotPolicy",
    "Month",
    "MonthCount",
    "MonthRun",
    "MonthlyPlan",
    "RatePolicy",
    "Recurrence",
    "Row",
    "StreetCount",
    "StreetVolume",
    "Topic",
    "TopicForm",
    "TopicPolicy",
    "baseline",
    "beijing_today",
    "category_trend",
    "daily_plan",
    "follow",
    "growth_over",
    "hotspot_message",
    "hotspots",
    "jump",
    "month_of",
    "monthly_plan",
    "quoted",
    "rank_units",
    "recurrences",
    "run_summary",
    "shift",
    "street_volumes",
    "topic_candidates",
]


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


# --- the run's record -----------------------------------------------------------------------


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
