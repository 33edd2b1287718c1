"""差评二次回访: a supervisor records what the call back to a badly rating requester found and
decides the order's way on (reopen, close, or exclude from the rates)."""

from __future__ import annotations

from chalice import Blueprint, Response

from ...domain import revisit
from ...domain.access import Permission
from ...domain.views import StaffOrder
from ...wiring import deps
from ..auth import staff_auth
from ..http import api, doc
from .acting import ORDER, act
from .forms import Versioned

bp = Blueprint(__name__)


class RevisitForm(Versioned, revisit.Verdict):
    pass


@bp.route(ORDER + "/revisit", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=RevisitForm, conflicts=True)
def decide_revisit(order_id: str) -> Response:
    """The supervisor's decision on a second follow-up, with the finding and the reason."""
    limits = deps().limits
    return act(
        bp.current_request,
        order_id,
        Permission.REVISIT,
        RevisitForm,
        lambda f: revisit.decide(f, limits),
    )
