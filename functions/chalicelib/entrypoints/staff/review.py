"""办结审核: a reviewer at the hotline passes a unit's reply to the requester or returns it."""

from __future__ import annotations

from chalice import Blueprint, Response

from ...domain import review
from ...domain.access import Permission
from ...domain.views import StaffOrder
from ...wiring import deps
from ..auth import staff_auth
from ..http import api, doc
from .acting import ORDER, act
from .forms import Reason, Versioned

bp = Blueprint(__name__)


class ReviewForm(Versioned):
    decision: review.Decision
    # Required to return a reply (the unit is told why); a note to a pass is optional.
    reason: Reason | None = None


@bp.route(ORDER + "/review", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=ReviewForm, conflicts=True)
def review_reply(order_id: str) -> Response:
    """A reviewer passes the reply in review (the requester is told) or returns it with a reason."""
    limits = deps().limits
    return act(
        bp.current_request,
        order_id,
        Permission.REVIEW_REPLY,
        ReviewForm,
        lambda f: review.decide(f.decision, f.reason, limits),
    )
