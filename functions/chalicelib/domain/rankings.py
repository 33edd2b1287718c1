"""The three rates of each unit, ranked within its own kind (Arts. 32, 33; DESIGN.md section 8):
a summoned department's reports in time count in its score, a street's whistles are shown beside
it. The formulas, exclusions and weights are configuration (data/analytics.json)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .assessment import Assessment, Weights, assessed_as, ranked, rate, score
from .catalogue import Catalogue
from .model import UnitKind
from .query_rows import Row
from .views import UnitView


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
                returned=row.get("returned"),
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
