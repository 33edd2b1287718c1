"""Lists of orders for the staff portal, scoped to what the caller may see (DESIGN.md section 5)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .errors import FieldProblem, Forbidden, InvalidInput
from .model import Staff, Status
from .ports import OrderQuery, Page, WorkOrders

# Work still owed by someone: the hotline (received), or the unit until it replies.
OPEN_WORK = (
    Status.RECEIVED,
    Status.DISPATCHED,
    Status.SIGNED,
    Status.IN_PROGRESS,
    Status.OBJECTED,
    Status.REOPENED,
)
# Work done: replied (the requester rates it now) or settled.
FINISHED_WORK = tuple(s for s in Status if s not in OPEN_WORK)
STATES = {"open": OPEN_WORK, "finished": FINISHED_WORK}


class ListFilters(BaseModel):
    """The query string of GET /staff/work-orders."""

    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    # Open work or finished work (the inbox's two tabs).
    state: Literal["open", "finished"] | None = None
    overdue: bool | None = None
    pingpong: bool | None = None
    # The orders the unit assists with (协办) rather than those it received.
    assisting: bool = False
    unit: Annotated[str, StringConstraints(max_length=64)] | None = None
    # Orders whose extension request awaits a supervisor's decision (延期审批), earliest deadline
    # first; with `unit` alone (no other filter).
    extension: Literal["pending"] | None = None
    # The district of the order's place (6-digit code).
    district: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None = None
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50
    cursor: Annotated[str, StringConstraints(max_length=2000)] | None = None


def list_orders(filters: ListFilters, staff: Staff, *, orders: WorkOrders) -> Page:
    """A unit sees its own inbox, by deadline; the hotline centre sees every order, or one unit's.
    Open overdue orders (the overdue board) come most overdue first: by deadline, earliest first."""
    unit = filters.unit
    statuses = STATES[filters.state] if filters.state else None
    if filters.status and statuses and filters.status not in statuses:
        problem = FieldProblem("status", f"not a status of {filters.state} work")
        raise InvalidInput("The status does not belong to the work asked for.", [problem])
    if filters.assisting and unit is None and staff.hotline_centre:
        raise InvalidInput("Name the unit.", [FieldProblem("unit", "required with assisting")])
    if not staff.hotline_centre:
        if staff.unit is None:
            raise Forbidden("This account belongs to no unit.")
        if unit not in (None, staff.unit):
            raise Forbidden("A unit lists its own orders only.")
        unit = staff.unit
    _alone_with_extension(filters)
    query = OrderQuery(
        unit=unit,
        status=filters.status.value if filters.status else None,
        statuses=tuple(s.value for s in statuses) if statuses else None,
        district=filters.district,
        late_first=bool(filters.overdue) and filters.state == "open",
        overdue=filters.overdue,
        pingpong=filters.pingpong,
        assisting=filters.assisting,
        extension_pending=filters.extension == "pending",
        text=filters.q,
        limit=filters.limit,
        cursor=filters.cursor,
    )
    return orders.find(query)


def _alone_with_extension(filters: ListFilters) -> None:
    """The queue of extension requests is read from an index of its own: by unit, nothing else."""
    if filters.extension is None:
        return
    others = ("status", "state", "overdue", "pingpong", "district", "q")
    taken = [name for name in others if getattr(filters, name) is not None] + (
        ["assisting"] if filters.assisting else []
    )
    if taken:
        problems = [FieldProblem(name, "not with extension=pending") for name in taken]
        raise InvalidInput("Pending extension requests are filtered by unit only.", problems)
