"""差评二次回访: a supervisor records what the call back to a badly rating requester found and
decides the order's way on (reopen, close, or exclude from the rates)."""

from __future__ import annotations

from chalice import Blueprint, Response

from ...domain.access import Permission
from ...wiring import deps
from ..auth import staff_auth
from ..http import api, doc
from .acting import ORDER, STAFF_ORDER, act

bp = Blueprint(__name__)
MODELS = "chalicelib.entrypoints.staff.models"


@bp.route(ORDER + "/revisit", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=f"{MODELS}:RevisitForm", conflicts=True)
def decide_revisit(order_id: str) -> Response:
    """The supervisor's decision on a second follow-up, with the finding and the reason."""
    from ...domain import revisit
    from .models import RevisitForm

    limits = deps().limits
    return act(
        bp.current_request,
        order_id,
        Permission.REVISIT,
        RevisitForm,
        lambda f: revisit.decide(f, limits),
    )
