"""Assessment appeals (考核申诉): the first receiver appeals a closed order's effect on its rates,
an assessment officer decides, and the officers' queue of appeals awaiting a decision."""

from __future__ import annotations

from typing import Annotated, Literal

from chalice import Blueprint, Response
from pydantic import BaseModel, ConfigDict, StringConstraints

from ...domain import appeals
from ...domain.access import Permission
from ...domain.appeal_records import Appeal, AppealGrounds
from ...domain.views import StaffOrder, StaffSummary, staff_summary
from ...wiring import deps
from ..auth import caller, staff_auth
from ..http import Page, api, doc, parse_query, respond
from .acting import ORDER, act
from .forms import PageQuery, Versioned

bp = Blueprint(__name__)


class AppealForm(Versioned):
    grounds: AppealGrounds
    evidence: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]


class AppealDecisionForm(Versioned):
    decision: Literal["uphold", "reject"]
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]


class AppealItem(BaseModel):
    """An appeal awaiting a decision, with the order it is about."""

    model_config = ConfigDict(defer_build=True)

    order: StaffSummary
    appeal: Appeal


@bp.route(ORDER + "/appeal", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=AppealForm, conflicts=True)
def lodge_appeal(order_id: str) -> Response:
    """The first receiver appeals the closed order, with its grounds and evidence, before the deadline."""
    limits = deps().limits
    return act(
        bp.current_request,
        order_id,
        Permission.APPEAL,
        AppealForm,
        lambda f: appeals.lodge(f.grounds, f.evidence, limits),
    )


@bp.route(ORDER + "/appeal/decision", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=AppealDecisionForm, conflicts=True)
def decide_appeal(order_id: str) -> Response:
    """An assessment officer upholds the appeal (the order leaves the unit's rates) or rejects it."""
    return act(
        bp.current_request,
        order_id,
        Permission.DECIDE_APPEAL,
        AppealDecisionForm,
        lambda f: appeals.decide(f.decision, f.note),
    )


@bp.route("/appeals", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[AppealItem], query=PageQuery)
def appeal_queue() -> Response:
    staff = caller()
    query = parse_query(bp.current_request, PageQuery)
    d = deps()
    page = appeals.queue(staff, query.limit, query.cursor, orders=d.orders)
    now = d.clock.now()
    items = [
        AppealItem(order=staff_summary(o, d.reference, now), appeal=o.appeal)
        for o in page.items
        if o.appeal is not None
    ]
    return respond(Page[AppealItem](items=items, next=page.next))
