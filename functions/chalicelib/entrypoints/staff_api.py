"""Staff routes (Cognito ID token). Every answer is scoped to what the caller may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from chalice import AuthResponse, Blueprint, Response
from chalice.app import AuthRequest
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..domain import handling
from ..domain.access import require_visible
from ..domain.model import Staff
from ..domain.views import staff_view
from ..names import STAFF_AUTHORIZER
from ..wiring import deps
from .auth import authorize, staff_from
from .http import api, parse, respond

bp = Blueprint(__name__)


@bp.authorizer(name=STAFF_AUTHORIZER)
def staff_auth(request: AuthRequest) -> AuthResponse:
    return authorize(request)


F = TypeVar("F", bound="Versioned")
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class Versioned(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Annotated[int, Field(ge=1)]


class ContactForm(Versioned):
    note: Note | None = None


class ReplyForm(Versioned):
    result: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]
    resolved_claim: bool


def _staff() -> Staff:
    return staff_from(bp.current_request.context)


@bp.route("/me", methods=["GET"], cors=True, authorizer=staff_auth)
@api
def me() -> Response:
    staff = _staff()
    unit = deps().reference.unit(staff.unit) if staff.unit else None
    return respond(
        {
            "user": staff.username,
            "roles": sorted(staff.roles),
            "unit": {"id": unit.id, "name": unit.name, "kind": unit.kind.value} if unit else None,
        }
    )


@bp.route("/work-orders/{order_id}", methods=["GET"], cors=True, authorizer=staff_auth)
@api
def get_order(order_id: str) -> Response:
    staff = _staff()
    d = deps()
    order = require_visible(staff, d.orders.get(order_id), order_id)
    return respond(staff_view(order, staff, d.reference))


def _act(order_id: str, form_model: type[F], action: Callable[[F], handling.Action]) -> Response:
    """Credentials (authorizer), then scope, then input, then version and status (API.md)."""
    staff = _staff()
    d = deps()
    order = require_visible(staff, d.orders.get(order_id), order_id)
    form = parse(bp.current_request, form_model)
    changed = handling.perform(
        order, form.version, staff, action(form), orders=d.orders, workflows=d.workflows, clock=d.clock
    )
    return respond(staff_view(changed, staff, d.reference))


@bp.route("/work-orders/{order_id}/sign", methods=["POST"], cors=True, authorizer=staff_auth)
@api
def sign(order_id: str) -> Response:
    return _act(order_id, Versioned, lambda _form: handling.sign)


@bp.route("/work-orders/{order_id}/contact", methods=["POST"], cors=True, authorizer=staff_auth)
@api
def contact(order_id: str) -> Response:
    return _act(order_id, ContactForm, lambda form: handling.contact(form.note))


@bp.route("/work-orders/{order_id}/reply", methods=["POST"], cors=True, authorizer=staff_auth)
@api
def reply(order_id: str) -> Response:
    return _act(order_id, ReplyForm, lambda form: handling.reply(form.result, form.resolved_claim))
