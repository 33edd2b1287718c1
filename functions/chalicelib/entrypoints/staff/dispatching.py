"""Dispatch and its alternatives (Arts. 11, 12, 21, 22): dispatching, triage, merging a duplicate,
reinstating, a transfer to a partner hotline and the decision on a unit's objection."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from chalice import Blueprint, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ...domain.access import Permission, require, require_visible
from ...domain.errors import FieldProblem, InvalidInput
from ...domain.model import MOBILE, Location, Version, WorkOrder
from ...wiring import deps
from ..auth import caller, staff_auth
from ..http import api, doc, parse, parse_query, respond
from .acting import ORDER, STAFF_ORDER, act
from .forms import Note, Reason, Versioned

if TYPE_CHECKING:
    from ...domain import handling

SUMMARIES = "Page[chalicelib.domain.views:StaffSummary]"

bp = Blueprint(__name__)


class DispatchForm(Versioned):
    # A pydantic field: each form gets its own copy of the default.
    units: Annotated[list[Annotated[str, StringConstraints(max_length=64)]], Field(max_length=5)] = []  # noqa: RUF012
    category: Annotated[str, StringConstraints(max_length=64)] | None = None
    reason: Reason | None = None


class MergeForm(Versioned):
    into: Annotated[str, StringConstraints(pattern=r"^\d{6,20}$")]


class ReinstateForm(Versioned):
    note: Reason


class DuplicateQuery(BaseModel):
    """What an operator knows during a call: the phone, the place, perhaps the category."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    phone: Annotated[str, StringConstraints(pattern=MOBILE.pattern)] | None = None
    district: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
    street: Annotated[str, StringConstraints(pattern=r"^\d{9}$")] | None = None
    category: Annotated[str, StringConstraints(max_length=64)] | None = None


class DecisionForm(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    decision: Literal["uphold", "reject"]
    reassign_to: Annotated[str, StringConstraints(max_length=64)] | None = None
    note: Note | None = None
    version: Version | None = None


class TransferForm(Versioned):
    partner: Annotated[str, StringConstraints(max_length=64)]
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


@bp.route(ORDER + "/dispatch", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=DispatchForm, conflicts=True)
def dispatch_order(order_id: str) -> Response:
    from ...domain import dispatch

    d = deps()
    return act(
        bp.current_request,
        order_id,
        Permission.DISPATCH,
        DispatchForm,
        lambda f: dispatch.dispatch_by(f.units, f.category, f.reason, d.reference, d.limits),
    )


def _summaries(orders: list[WorkOrder]) -> Response:
    from ...domain.views import StaffSummary, staff_summary
    from ..http import Page

    d = deps()
    now = d.clock.now()
    return respond(Page[StaffSummary](items=[staff_summary(o, d.reference, now) for o in orders]))


@bp.route(ORDER + "/triage", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body="chalicelib.entrypoints.staff.models:TriageForm", conflicts=True)
def triage_order(order_id: str) -> Response:
    from ...domain import triage
    from .models import TriageForm

    return act(
        bp.current_request,
        order_id,
        Permission.DISPATCH,
        TriageForm,
        lambda f: triage.decide(f.reason, f.transfer_to, f.note),
    )


@bp.route(ORDER + "/merge", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=MergeForm, conflicts=True)
def merge_order(order_id: str) -> Response:
    from ...domain import triage

    d = deps()

    def into(form: MergeForm) -> handling.Action:
        original = d.orders.get(form.into)
        if original is None:
            raise InvalidInput("Unknown order.", [FieldProblem("into", f"no work order {form.into}")])
        return triage.merge(original)

    return act(bp.current_request, order_id, Permission.DISPATCH, MergeForm, into)


@bp.route(ORDER + "/reinstate", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=ReinstateForm, conflicts=True)
def reinstate_order(order_id: str) -> Response:
    from ...domain import triage

    limits = deps().limits
    return act(
        bp.current_request,
        order_id,
        Permission.REINSTATE,
        ReinstateForm,
        lambda f: triage.reinstate(f.note, limits),
    )


@bp.route(ORDER + "/duplicates", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(SUMMARIES)
def order_duplicates(order_id: str) -> Response:
    from ...domain import triage

    staff = caller()
    require(staff, Permission.DISPATCH)
    d = deps()
    order = require_visible(staff, d.orders.get(order_id), order_id)
    found = triage.candidates(
        order.requester.phone,
        order.location,
        order.category,
        orders=d.orders,
        reference=d.reference,
        exclude=order.id,
    )
    return _summaries(found)


@bp.route("/duplicates", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(SUMMARIES, query=DuplicateQuery)
def duplicates() -> Response:
    """Candidate duplicates while an operator takes a call, before the order exists."""
    from ...domain import triage

    staff = caller()
    require(staff, Permission.DISPATCH)
    query = parse_query(bp.current_request, DuplicateQuery)
    d = deps()
    location = Location(district=query.district, street=query.street)
    found = triage.candidates(query.phone, location, query.category, orders=d.orders, reference=d.reference)
    return _summaries(found)


@bp.route("/objections/{objection_id}/decision", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=DecisionForm, conflicts=True)
def decide_objection(objection_id: str) -> Response:
    from ...domain import handling, objections
    from ...domain.views import staff_view

    staff = caller()
    require(staff, Permission.REVIEW_OBJECTION)
    d = deps()
    order_id = objections.order_of(objection_id)
    order = require_visible(staff, d.orders.get(order_id), order_id)
    form = parse(bp.current_request, DecisionForm)
    action = objections.decide(
        objection_id, form.decision, form.reassign_to, form.note, d.reference, d.limits
    )
    changed = handling.perform(
        order,
        form.version or order.version,
        staff,
        action,
        orders=d.orders,
        workflows=d.workflows,
        clock=d.clock,
    )
    return respond(staff_view(changed, staff, d.reference))


@bp.route(ORDER + "/transfer", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=TransferForm, conflicts=True)
def transfer_order(order_id: str) -> Response:
    from ...domain import partners
    from ...reference_data import partners as known_partners

    def to(form: TransferForm) -> handling.Action:
        partner = known_partners().get(form.partner)
        if partner is None:
            raise InvalidInput("Unknown partner.", [FieldProblem("partner", f"no partner {form.partner}")])
        return partners.transfer(partner, form.note)

    return act(bp.current_request, order_id, Permission.DISPATCH, TransferForm, to)
