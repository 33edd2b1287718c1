"""办结审核: a reviewer at the hotline passes a unit's reply to the requester or returns it."""

from __future__ import annotations

from chalice import Blueprint, Response

from ...domain.access import Permission
from ...wiring import deps
from ..auth import staff_auth
from ..http import api, doc
from .acting import ORDER, STAFF_ORDER, act

bp = Blueprint(__name__)
MODELS = "chalicelib.entrypoints.staff.models"


@bp.route(ORDER + "/review", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER, body=f"{MODELS}:ReviewForm", conflicts=True)
def review_reply(order_id: str) -> Response:
    """A reviewer passes the reply in review (the requester is told) or returns it with a reason."""
    from ...domain import review
    from .models import ReviewForm

    limits = deps().limits
    return act(
        bp.current_request,
        order_id,
        Permission.REVIEW_REPLY,
        ReviewForm,
        lambda f: review.decide(f.decision, f.reason, limits),
    )
