"""What the receiving unit does with an order, and what an assisting unit, a supervisor and an
operator do on it (Arts. 12-14, 17-20, 23): each route one action through `act`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from chalice import Blueprint, Response
from pydantic import AfterValidator, Field, StringConstraints

from ...domain.access import Permission
from ...domain.model import ObjectionGrounds
from ...wiring import deps
from ..auth import staff_auth
from ..http import api, doc
from .acting import ORDER, STAFF_ORDER, act
from .forms import Note, Reason, Versioned, aware

bp = Blueprint(__name__)


class ContactForm(Versioned):
    note: Note | None = None


class ProgressForm(Versioned):
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]


class ReplyForm(Versioned):
    result: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]
    resolved_claim: bool


class ObjectionForm(Versioned):
    grounds: ObjectionGrounds
    reason: Reason


class AssistForm(Versioned):
    units: Annotated[
        list[Annotated[str, StringConstraints(max_length=64)]], Field(min_length=1, max_length=5)
    ]
    deadline: Annotated[datetime, AfterValidator(aware)]


class AssistReportForm(Versioned):
    result: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]


class ReleaseForm(Versioned):
    reason: Reason


class UrgeForm(Versioned):
    note: Note | None = None


class AdjudicationForm(Versioned):
    unreasonable: bool
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=2000)]


@bp.route(ORDER + "/sign", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=Versioned, conflicts=True)
def sign(order_id: str) -> Response:
    from ...domain import handling

    return act(bp.current_request, order_id, Permission.HANDLE, Versioned, lambda _f: handling.sign)


@bp.route(ORDER + "/objection", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=ObjectionForm, conflicts=True)
def object_to(order_id: str) -> Response:
    from ...domain import objections

    return act(
        bp.current_request,
        order_id,
        Permission.HANDLE,
        ObjectionForm,
        lambda f: objections.object_to(f.grounds, f.reason),
    )


@bp.route(ORDER + "/contact", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=ContactForm, conflicts=True)
def contact(order_id: str) -> Response:
    from ...domain import handling

    return act(
        bp.current_request, order_id, Permission.HANDLE, ContactForm, lambda f: handling.contact(f.note)
    )


@bp.route(ORDER + "/progress", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=ProgressForm, conflicts=True)
def progress(order_id: str) -> Response:
    from ...domain import handling

    return act(
        bp.current_request, order_id, Permission.HANDLE, ProgressForm, lambda f: handling.progress(f.note)
    )


@bp.route(ORDER + "/reply", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=ReplyForm, conflicts=True)
def reply(order_id: str) -> Response:
    """The unit's reply, checked and put to the hotline's review (办结审核, review.py)."""
    from ...domain import review

    d = deps()
    return act(
        bp.current_request,
        order_id,
        Permission.HANDLE,
        ReplyForm,
        lambda f: review.submit(f.result, f.resolved_claim, d.reference, d.limits),
    )


@bp.route(ORDER + "/assists", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=AssistForm, conflicts=True)
def request_assists(order_id: str) -> Response:
    from ...domain import co_handling

    reference = deps().reference
    return act(
        bp.current_request,
        order_id,
        Permission.HANDLE,
        AssistForm,
        lambda f: co_handling.request(f.units, f.deadline, reference),
    )


@bp.route(ORDER + "/assists/{unit_id}/release", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=ReleaseForm, conflicts=True)
def release_assist(order_id: str, unit_id: str) -> Response:
    from ...domain import co_handling

    return act(
        bp.current_request,
        order_id,
        Permission.HANDLE,
        ReleaseForm,
        lambda f: co_handling.release(unit_id, f.reason),
    )


@bp.route(ORDER + "/assist/sign", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=Versioned, conflicts=True)
def sign_assist(order_id: str) -> Response:
    from ...domain import co_handling

    return act(bp.current_request, order_id, Permission.ASSIST, Versioned, lambda _f: co_handling.sign)


@bp.route(ORDER + "/assist/report", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=AssistReportForm, conflicts=True)
def report_assist(order_id: str) -> Response:
    from ...domain import co_handling

    return act(
        bp.current_request,
        order_id,
        Permission.ASSIST,
        AssistReportForm,
        lambda f: co_handling.report(f.result),
    )


@bp.route(ORDER + "/assist/progress", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=ProgressForm, conflicts=True)
def explain_assist(order_id: str) -> Response:
    from ...domain import co_handling

    return act(
        bp.current_request, order_id, Permission.ASSIST, ProgressForm, lambda f: co_handling.explain(f.note)
    )


@bp.route(ORDER + "/urge", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=UrgeForm, conflicts=True)
def urge(order_id: str) -> Response:
    from ...domain import supervision

    return act(bp.current_request, order_id, Permission.URGE, UrgeForm, lambda f: supervision.urge(f.note))


@bp.route(ORDER + "/adjudication", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=AdjudicationForm, conflicts=True)
def adjudicate(order_id: str) -> Response:
    """A supervisor judges a rated request unreasonable, or withdraws that: excluded from the rates."""
    from ...domain import supervision

    return act(
        bp.current_request,
        order_id,
        Permission.ADJUDICATE,
        AdjudicationForm,
        lambda f: supervision.adjudicate(f.unreasonable, f.reason),
    )


@bp.route(ORDER + "/follow-up", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body="chalicelib.entrypoints.staff.models:PhoneFollowUpForm", conflicts=True)
def follow_up_by_phone(order_id: str) -> Response:
    from ...domain import follow_up
    from .models import PhoneFollowUpForm

    limits = deps().limits
    return act(
        bp.current_request,
        order_id,
        Permission.TAKE_FOLLOW_UP,
        PhoneFollowUpForm,
        lambda f: follow_up.by_phone(f, limits),
    )
