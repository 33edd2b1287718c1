"""An order's 办理单 printed: an A4 PDF from the server, with the timeline, for anyone who may see
the order (the requester shown as the staff view shows them). Printing reads personal data, so it
is in the audit trail."""

from __future__ import annotations

from chalice import Blueprint, Response

from ...domain.access import require_visible
from ...wiring import deps
from ..auth import audit, caller, staff_auth
from ..http import api, doc, respond

bp = Blueprint(__name__)


@bp.route("/work-orders/{order_id}/sheet", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc("chalicelib.domain.handling_sheet:PrintedSheet", status=201)
def print_sheet(order_id: str) -> Response:
    """The order's 办理单 as an A4 PDF: a link valid ten minutes to a file kept a day."""
    # On the first print: the sheet's words and layout are no other route's import time.
    from ...domain.handling_sheet import SHEET_LINK, filename, handling_sheet
    from ...domain.views import staff_view

    staff = caller()
    d = deps()
    order = require_visible(staff, d.orders.get(order_id), order_id)
    sheet = handling_sheet(staff_view(order, staff, d.reference), staff.username, d.clock.now())
    printed = d.sheets.publish(sheet, filename(order.id), staff.username, SHEET_LINK)
    audit(staff, "order.printed", order.id, pages=str(printed.pages))
    return respond(printed, 201)
