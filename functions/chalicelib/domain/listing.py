"""Lists of orders for the staff portal, scoped to what the caller may see (DESIGN.md section 5)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .errors import FieldProblem, Forbidden, InvalidInput
from .model import Staff, Status
from .ports import OrderQuery, Page, WorkOrders


class ListFilters(BaseModel):
    """The query string of GET /staff/work-orders."""

    model_config = ConfigDict(extra="forbid")

    status: Status | None = None
    overdue: bool | None = None
    pingpong: bool | None = None
    # The orders the unit assists with (协办) rather than those it received.
    assisting: bool = False
    unit: Annotated[str, StringConstraints(max_length=64)] | None = None
    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)] | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50
    cursor: Annotated[str, StringConstraints(max_length=2000)] | None = None


def list_orders(filters: ListFilters, staff: Staff, *, orders: WorkOrders) -> Page:
    """A unit sees its own inbox, by deadline; the hotline centre sees every order, or one unit's."""
    unit = filters.unit
    if filters.assisting and unit is None and staff.hotline_centre:
        raise InvalidInput("Name the unit.", [FieldProblem("unit", "required with assisting")])
    if not staff.hotline_centre:
        if staff.unit is None:
            raise Forbidden("This account belongs to no unit.")
        if unit not in (None, staff.unit):
            raise Forbidden("A unit lists its own orders only.")
        unit = staff.unit
    query = OrderQuery(
        unit=unit,
        status=filters.status.value if filters.status else None,
        overdue=filters.overdue,
        pingpong=filters.pingpong,
        assisting=filters.assisting,
        text=filters.q,
        limit=filters.limit,
        cursor=filters.cursor,
    )
    return orders.find(query)
