"""The three rates of 接诉即办 per unit and month (Arts. 24, 32; DESIGN.md section 8), computed
live from the work orders until the analytics pipeline stores them.

- response rate: dispatched orders whose requester was contacted within the contact limit;
- resolution rate: followed-up orders the requester called resolved;
- satisfaction rate: followed-up orders rated satisfied or basically satisfied.

Orders settled without dispatch (Art. 11 ¶3) have no receiving unit and so never count. Units are
ranked among their own kind by a weighted score of the rates they have (configuration). A district
answers for every order in its jurisdiction (Art. 12: it receives the copy of its streets' orders
and coordinates the rest), so its figures are those of its streets, its own departments and the
orders it received itself."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .catalogue import Catalogue
from .errors import FieldProblem, InvalidInput
from .model import Satisfaction, UnitKind, WorkOrder
from .views import UnitView

SATISFIED = frozenset({Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED})


class Weights(BaseModel):
    """The composite score's weights (they need not sum to 1: the score is normalised)."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    response: float = 0.1
    resolution: float = 0.45
    satisfaction: float = 0.45


WEIGHTS = Weights()


class AssessmentQuery(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    month: Annotated[str, StringConstraints(pattern=r"^20\d\d-(0[1-9]|1[0-2])$")]
    kind: UnitKind = UnitKind.STREET
    # The ranked units, or those listed apart for too few orders to rank (样本不足).
    group: Literal["ranked", "insufficient"] = "ranked"
    # Part of a unit's name: only the units whose name contains it (their ranks stay the city's).
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)] | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 50
    cursor: Annotated[str, StringConstraints(max_length=200)] | None = None


class Rates(BaseModel):
    """A unit's three rates of a month and the counts behind them."""

    model_config = ConfigDict(defer_build=True)

    dispatched: int
    responded: int
    followed_up: int
    resolved: int
    satisfied: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None


class Assessment(Rates):
    unit: UnitView
    rank: int | None
    score: float | None
    # Fewer dispatched orders than the minimum to be ranked: listed apart, without a rank.
    insufficient: bool = False
    # From the monthly run only (the live figures leave them out):
    excluded: int | None = None  # orders not counted (configured reasons, judged unreasonable)
    overdue: int | None = None
    returned: int | None = None  # replies the hotline's review (办结审核) returned to the unit
    # Whistles on both sides (Art. 33): a summoned department's reports, a street's whistles.
    summoned: int | None = None
    reported_in_time: int | None = None
    report_rate: float | None = None
    whistles: int | None = None
    whistles_closed: int | None = None


class Assessments(BaseModel):
    model_config = ConfigDict(defer_build=True)

    month: str
    kind: UnitKind
    source: str = "live"  # "live" from the orders, or "monthly" from the stored monthly run
    ran_at: datetime | None = None
    weights: Weights
    # More orders than a live computation reads: the figures cover the first `orders` only.
    truncated: bool = False
    orders: int
    # The least dispatched orders a unit needs to be ranked, and how many units are in each group.
    least_dispatched: int = 0
    group: Literal["ranked", "insufficient"] = "ranked"
    ranked_units: int = 0
    insufficient_units: int = 0
    items: Annotated[list[Assessment], Field(max_length=1000)]
    next: str | None = None


class _Tally:
    def __init__(self) -> None:
        self.dispatched = self.responded = self.followed_up = self.resolved = self.satisfied = 0

    def add(self, order: WorkOrder) -> None:
        self.dispatched += 1
        if order.contacted_at is not None and not order.contact_late:
            self.responded += 1
        if order.evaluation is not None:
            self.followed_up += 1
            self.resolved += order.evaluation.resolved
            self.satisfied += order.evaluation.satisfaction in SATISFIED


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def score(weighed: Iterable[tuple[float, float | None]]) -> float | None:
    """100 × the weighted mean of the rates a unit has (a rate it lacks, or weighed 0, is left out)."""
    counted = [(w, r) for w, r in weighed if r is not None and w > 0]
    total = sum(w for w, _ in counted)
    return round(100 * sum(w * r for w, r in counted) / total, 2) if total else None


def ranked(rows: list[Assessment], least_dispatched: int = 0) -> list[Assessment]:
    """By score, then by volume; units without a score last and unranked. A unit with fewer than
    `least_dispatched` dispatched orders is not ranked: its rates are too few orders to compare (4
    orders at 100 % above 400 at 98 %); it comes after the ranked units, by volume."""

    def small(a: Assessment) -> bool:
        return a.dispatched < least_dispatched

    rows = sorted(
        rows,
        key=lambda a: (
            small(a),
            a.score is None,
            -(a.score or 0) if not small(a) else 0,
            -a.dispatched,
            a.unit.id,
        ),
    )
    out: list[Assessment] = []
    for a in rows:
        rankable = a.score is not None and not small(a)
        out.append(
            a.model_copy(update={"rank": len(out) + 1 if rankable else None, "insufficient": small(a)})
        )
    return out


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["o"]
        if not isinstance(offset, int) or offset < 0:
            raise ValueError("negative")
    except (ValueError, KeyError, TypeError, binascii.Error) as error:
        raise InvalidInput(
            "The cursor is not valid.", [FieldProblem("cursor", "not a cursor of this list")]
        ) from error
    return offset


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def ranking_page(
    rows: list[Assessment], query: AssessmentQuery
) -> tuple[list[Assessment], str | None, int, int]:
    """One page of the ranked units, or of those listed apart; and how many are in each group."""
    if query.q:
        rows = [a for a in rows if query.q in a.unit.name]
    apart = [a for a in rows if a.insufficient]
    ranked_rows = [a for a in rows if not a.insufficient]
    chosen = apart if query.group == "insufficient" else ranked_rows
    start = _offset(query.cursor)
    end = start + query.limit
    return chosen[start:end], _cursor(end) if end < len(chosen) else None, len(ranked_rows), len(apart)


def month_bounds(month: str, zone: tzinfo) -> tuple[datetime, datetime]:
    """The month's first and last instant in the hotline's time zone."""
    year, number = (int(p) for p in month.split("-"))
    start = datetime(year, number, 1, tzinfo=zone)
    following = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
    return start, following - timedelta(microseconds=1)


def assessed_as(unit_id: str, kind: UnitKind, reference: Catalogue) -> str | None:
    """The unit of `kind` an order received by `unit_id` counts for: the receiver itself, or for a
    district the district whose jurisdiction the receiver is in."""
    unit = reference.unit(unit_id)
    if unit is None:
        return None
    if kind is UnitKind.DISTRICT and unit.kind is not UnitKind.DISTRICT:
        return unit.district
    return unit.id if unit.kind is kind else None


def assess(
    orders: Iterable[WorkOrder],
    kind: UnitKind,
    reference: Catalogue,
    weights: Weights = WEIGHTS,
    least_dispatched: int = 0,
) -> list[Assessment]:
    """Rates per unit of `kind`, ranked by score (then by volume); unrated units last."""
    tallies: dict[str, _Tally] = {}
    for order in orders:
        if order.first_receiver and order.dispatched_at is not None:
            counted = assessed_as(order.first_receiver, kind, reference)
            if counted is not None:
                tallies.setdefault(counted, _Tally()).add(order)
    rows: list[Assessment] = []
    for unit_id, tally in tallies.items():
        unit = reference.unit(unit_id)
        if unit is None:
            continue
        rates = (
            (weights.response, rate(tally.responded, tally.dispatched)),
            (weights.resolution, rate(tally.resolved, tally.followed_up)),
            (weights.satisfaction, rate(tally.satisfied, tally.followed_up)),
        )
        rows.append(
            Assessment(
                unit=UnitView(id=unit.id, name=unit.name, kind=unit.kind.value),
                rank=None,
                dispatched=tally.dispatched,
                responded=tally.responded,
                followed_up=tally.followed_up,
                resolved=tally.resolved,
                satisfied=tally.satisfied,
                response_rate=rates[0][1],
                resolution_rate=rates[1][1],
                satisfaction_rate=rates[2][1],
                score=score(rates),
            )
        )
    return ranked(rows, least_dispatched)
