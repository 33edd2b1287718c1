"""Extension requests (Art. 15): the first receiver asks for a later deadline, a supervisor of the
hotline centre approves or refuses it before the deadline."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from chalice import Blueprint, Response
from pydantic import AfterValidator

from ...domain.access import Permission
from ...wiring import deps
from ..auth import staff_auth
from ..http import api, doc
from .acting import ORDER, STAFF_ORDER, act
from .forms import Reason, Versioned, aware

bp = Blueprint(__name__)


class ExtensionForm(Versioned):
    reason: Reason
    new_deadline: Annotated[datetime, AfterValidator(aware)]


class ExtensionDecisionForm(Versioned):
    decision: Literal["approve", "refuse"]
    # Required to refuse (the unit reads it on the timeline); to approve, a note for the hotline.
    reason: Reason | None = None


@bp.route(ORDER + "/extension", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=ExtensionForm, conflicts=True)
def ask_extension(order_id: str) -> Response:
    """The first receiver asks for a later deadline; the deadline moves only when approved."""
    from ...domain import extensions

    limits = deps().limits
    return act(
        bp.current_request,
        order_id,
        Permission.HANDLE,
        ExtensionForm,
        lambda f: extensions.ask(f.reason, f.new_deadline, limits),
    )


@bp.route(ORDER + "/extension/decision", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=ExtensionDecisionForm, conflicts=True)
def decide_extension(order_id: str) -> Response:
    """A supervisor approves the open extension request or refuses it with a reason."""
    from ...domain import extensions

    limits = deps().limits
    return act(
        bp.current_request,
        order_id,
        Permission.DECIDE_EXTENSION,
        ExtensionDecisionForm,
        lambda f: extensions.decide(f.decision, f.reason, limits),
    )
