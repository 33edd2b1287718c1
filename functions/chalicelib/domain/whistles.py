"""街乡吹哨、部门报到 (Arts. 16, 33): a street or township summons departments to a matter it cannot
solve alone; each must report for duty within the report limit, a department that misses it is
escalated to the district, and the whistle stays open until the street closes it (事不完，人不撤).

Both sides are assessed (Art. 33): the whistle keeps who summoned whom, when each reported and
who was late."""

from __future__ import annotations

import math
import secrets
from abc import ABC, abstractmethod
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel

from .access import may_see
from .catalogue import Catalogue
from .deadlines import TimeLimits
from .errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound, StaleVersion
from .model import Staff, TimelineEvent, UnitKind, WorkOrder
from .ports import Clock

SUMMONABLE = (UnitKind.DEPARTMENT, UnitKind.ENTERPRISE)
WHISTLE_ROLES = frozenset({"handler", "unit_leader"})


class WhistleStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Summons(BaseModel):
    """One department's part: summoned, due to report by `report_by`, reported (or not)."""

    unit: str
    summoned_at: datetime
    report_by: datetime
    reported_at: datetime | None = None
    reported_by: str | None = None
    note: str | None = None
    late: bool = False  # missed the report limit: counts against the department (Art. 33)
    escalated_at: datetime | None = None  # when the district was told


class Whistle(BaseModel):
    id: str
    street: str  # the unit that blew the whistle
    district: str
    matter: str
    work_order_id: str | None = None
    status: WhistleStatus = WhistleStatus.OPEN
    created_at: datetime
    updated_at: datetime
    created_by: str
    summons: list[Summons] = []
    result: str | None = None
    closed_at: datetime | None = None
    version: int = 1
    timeline: list[TimelineEvent] = []

    def summons_of(self, unit: str) -> Summons | None:
        return next((s for s in self.summons if s.unit == unit), None)

    def record(self, now: datetime, *events: TimelineEvent, **changes: object) -> Whistle:
        return self.model_copy(
            update={
                **changes,
                "version": self.version + 1,
                "updated_at": now,
                "timeline": [*self.timeline, *events],
            }
        )


class Whistles(ABC):
    """The whistles (吹哨) store. Every change is conditional on the version the caller read."""

    @abstractmethod
    def create(self, whistle: Whistle) -> None: ...

    @abstractmethod
    def get(self, whistle_id: str) -> Whistle | None: ...

    @abstractmethod
    def update(self, whistle: Whistle, expected_version: int) -> None:
        """Raises StaleVersion when another change won."""

    @abstractmethod
    def of_unit(
        self, unit: str, summoned: bool, limit: int, cursor: str | None
    ) -> tuple[list[Whistle], str | None]:
        """A page of the whistles a street blew (summoned False; for a district, those of its
        streets) or a department was summoned to, newest first."""


def new_whistle_id(now: datetime) -> str:
    return "W" + now.strftime("%y%m%d") + f"{secrets.randbelow(10**6):06d}"


def street_of(staff: Staff, reference: Catalogue) -> str:
    """Only a street or township's own staff blow its whistle."""
    unit = reference.unit(staff.unit) if staff.unit else None
    if not staff.roles & WHISTLE_ROLES or unit is None or unit.kind is not UnitKind.STREET:
        raise Forbidden("Only a street or township's handlers and leaders blow the whistle.")
    return unit.id


def _summonable(units: list[str], reference: Catalogue, already: list[str]) -> list[str]:
    for i, unit_id in enumerate(units):
        unit = reference.unit(unit_id)
        if unit is None or unit.kind not in SUMMONABLE:
            raise InvalidInput(
                "Only departments and public-service enterprises are summoned.",
                [FieldProblem(f"departments.{i}", f"{unit_id} is not a department")],
            )
        if unit_id in already or unit_id in units[:i]:
            raise InvalidInput(
                "A department is summoned once.", [FieldProblem(f"departments.{i}", "already summoned")]
            )
    return units


def _summons(units: list[str], now: datetime, limits: TimeLimits) -> list[Summons]:
    report_by = now + timedelta(seconds=limits.whistle_report)
    return [Summons(unit=u, summoned_at=now, report_by=report_by) for u in units]


def blow(
    matter: str,
    departments: list[str],
    order: WorkOrder | None,
    staff: Staff,
    now: datetime,
    *,
    reference: Catalogue,
    limits: TimeLimits,
) -> Whistle:
    """吹哨: summon departments to a matter, on an order the street holds or on its own."""
    street = street_of(staff, reference)
    if order is not None and not may_see(staff, order):
        raise InvalidInput(
            "Unknown work order.", [FieldProblem("work_order_id", "not an order of this unit")]
        )
    _summonable(departments, reference, [])
    unit = reference.unit(street)
    assert unit is not None and unit.district is not None
    return Whistle(
        id=new_whistle_id(now),
        street=street,
        district=unit.district,
        matter=matter,
        work_order_id=order.id if order else None,
        created_at=now,
        updated_at=now,
        created_by=staff.username,
        summons=_summons(departments, now, limits),
        timeline=[staff.event(now, "whistle_blown", matter, code="summoned", units=",".join(departments))],
    )


def require_own(whistle: Whistle, staff: Staff) -> None:
    if staff.unit != whistle.street or not staff.roles & WHISTLE_ROLES:
        raise Forbidden("Only the street that blew the whistle can do this.")


def _open(whistle: Whistle) -> None:
    if whistle.status is not WhistleStatus.OPEN:
        raise Conflict("The whistle is closed.", "whistle_closed")


def summon(
    whistle: Whistle,
    departments: list[str],
    staff: Staff,
    now: datetime,
    *,
    reference: Catalogue,
    limits: TimeLimits,
) -> Whistle:
    """Summon more departments to an open whistle."""
    require_own(whistle, staff)
    _open(whistle)
    _summonable(departments, reference, [s.unit for s in whistle.summons])
    return whistle.record(
        now,
        staff.event(now, "summoned", code="summoned", units=",".join(departments)),
        summons=[*whistle.summons, *_summons(departments, now, limits)],
    )


def require_summoned(whistle: Whistle, staff: Staff) -> Summons:
    mine = whistle.summons_of(staff.unit or "")
    if mine is None or not staff.roles & WHISTLE_ROLES:
        raise Forbidden("Only a summoned department's handlers and leaders report for duty.")
    return mine


def report(whistle: Whistle, note: str | None, staff: Staff, now: datetime) -> Whistle:
    """报到: a summoned department reports for duty (late when past its report limit)."""
    mine = require_summoned(whistle, staff)
    _open(whistle)
    if mine.reported_at is not None:
        raise Conflict("This department has already reported for duty.", "already_reported")
    late = mine.late or now > mine.report_by
    reported = mine.model_copy(
        update={"reported_at": now, "reported_by": staff.username, "note": note, "late": late}
    )
    return whistle.record(
        now,
        staff.event(now, "reported", note, code="reported_late" if late else None),
        summons=[reported if s.unit == mine.unit else s for s in whistle.summons],
    )


def close(whistle: Whistle, result: str, staff: Staff, now: datetime) -> Whistle:
    """事不完，人不撤: only the street closes the whistle, with what was done."""
    require_own(whistle, staff)
    _open(whistle)
    return whistle.record(
        now,
        staff.event(now, "whistle_closed", result),
        status=WhistleStatus.CLOSED,
        result=result,
        closed_at=now,
    )


def due(whistle: Whistle, now: datetime) -> tuple[Whistle | None, datetime | None]:
    """Escalate every department past its report limit (once) and say when to look next."""
    if whistle.status is not WhistleStatus.OPEN:
        return None, None
    events: list[TimelineEvent] = []
    summons: list[Summons] = []
    for s in whistle.summons:
        if s.reported_at is None and s.escalated_at is None and now >= s.report_by:
            s = s.model_copy(update={"late": True, "escalated_at": now})
            events.append(
                TimelineEvent(
                    at=now,
                    action="report_missed",
                    actor_role="system",
                    unit=s.unit,
                    code="report_missed",
                )
            )
        summons.append(s)
    changed = whistle.record(now, *events, summons=summons) if events else None
    waiting = [s.report_by for s in summons if s.reported_at is None and s.escalated_at is None]
    return changed, min(waiting, default=None)


def visible(whistle: Whistle | None, staff: Staff, whistle_id: str) -> Whistle:
    """The street, the summoned departments, their district and the hotline centre see a whistle."""
    if whistle is not None and (
        staff.hotline_centre
        or staff.unit in (whistle.street, whistle.district)
        or whistle.summons_of(staff.unit or "") is not None
    ):
        return whistle
    raise NotFound(f"No whistle {whistle_id}.")


class WhistleCheck(BaseModel):
    """The whistle timer's next step: wait `wait_seconds`, or stop (phase done)."""

    whistle_id: str
    phase: str
    wait_seconds: int = 1


def check(whistle_id: str, *, whistles: Whistles, clock: Clock) -> WhistleCheck:
    """Escalate what is due now and say how long to wait for the next report limit."""
    for _attempt in range(5):
        whistle = whistles.get(whistle_id)
        if whistle is None:
            raise NotFound(f"No whistle {whistle_id}.")
        now = clock.now()
        changed, next_at = due(whistle, now)
        if changed is not None:
            try:
                whistles.update(changed, expected_version=whistle.version)
            except StaleVersion:
                continue
        if next_at is None:
            return WhistleCheck(whistle_id=whistle_id, phase="done")
        seconds = max(1, math.ceil((next_at - now).total_seconds()))
        return WhistleCheck(whistle_id=whistle_id, phase="waiting", wait_seconds=seconds)
    raise Conflict("The whistle keeps changing; the timer will look again.", "busy")
