"""Assessment appeals (考核申诉): the first receiver appeals a closed order's effect on its rates,
an assessment officer decides, and the officers' queue of appeals awaiting a decision."""

from __future__ import annotations

from typing import Annotated, Literal

from chalice import Blueprint, Response
from pydantic import StringConstraints

from ...domain.access import Permission
from ...wiring import deps
from ..auth import caller, staff_auth
from ..http import api, doc, parse_query, respond
from .acting import ORDER, STAFF_ORDER, act
from .forms import PageQuery, Versioned

bp = Blueprint(__name__)
MODELS = "chalicelib.entrypoints.staff.models"


class AppealDecisionForm(Versioned):
    decision: Literal["uphold", "reject"]
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]


@bp.route(ORDER + "/appeal", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=f"{MODELS}:AppealForm", conflicts=True)
def lodge_appeal(order_id: str) -> Response:
    """The first receiver appeals the closed order, with its grounds and evidence, before the deadline."""
    from ...domain import appeals
    from .models import AppealForm

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
@doc(STAFF_ORDER, body=AppealDecisionForm, conflicts=True)
def decide_appeal(order_id: str) -> Response:
    """An assessment officer upholds the appeal (the order leaves the unit's rates) or rejects it."""
    from ...domain import appeals

    return act(
        bp.current_request,
        order_id,
        Permission.DECIDE_APPEAL,
        AppealDecisionForm,
        lambda f: appeals.decide(f.decision, f.note),
    )


@bp.route("/appeals", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(f"Page[{MODELS}:AppealItem]", query=PageQuery)
def appeal_queue() -> Response:
    from ...domain import appeals
    from ...domain.views import staff_summary
    from ..http import Page
    from .models import AppealItem

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
