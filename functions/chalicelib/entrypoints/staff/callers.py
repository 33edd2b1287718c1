"""来电历史: the operator taking a call sees the caller's earlier orders. The phone number travels
in the body, not the address, so that no access log or browser history keeps it; each reading is
audited."""

from __future__ import annotations

from typing import Annotated

from chalice import Blueprint, Response
from pydantic import StringConstraints

from ...domain.access import CALLER_HISTORY_READERS
from ...domain.model import MOBILE
from ...wiring import deps
from ..auth import caller_in, staff_auth
from ..http import api, doc, parse, respond
from .forms import PageQuery

bp = Blueprint(__name__)


class CallerQuery(PageQuery):
    """Whose history: the caller's mobile number (the one the intake form takes)."""

    phone: Annotated[str, StringConstraints(pattern=MOBILE.pattern)]


@bp.route("/caller-history", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc("Page[chalicelib.domain.views:StaffSummary]", body=CallerQuery)
def caller_history() -> Response:
    """The caller's earlier orders, newest first, for the operator taking the call (audited)."""
    from ...domain import callers
    from ...domain.views import StaffSummary, staff_summary
    from ..http import Page

    staff = caller_in(CALLER_HISTORY_READERS, "A caller's history is for the operators taking calls.")
    query = parse(bp.current_request, CallerQuery)
    d = deps()
    found = callers.history(query.phone, query.limit, query.cursor, d.orders)
    now = d.clock.now()
    # Recorded before anything is shown: no history leaves without its reading in the audit trail.
    d.reference.record(callers.reading(staff, now, query.phone, found))
    items = [staff_summary(o, d.reference, now) for o in found.items]
    return respond(Page[StaffSummary](items=items, next=found.next))
