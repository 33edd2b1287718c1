"""Work orders as the staff see them: the caller, the lists and their exports, an operator's call
recorded, one order and its attachments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from ...domain.access import Permission, require, require_visible
from ...wiring import deps
from ..auth import caller, staff_auth
from ..http import api, doc, idempotency_key, parse, parse_query, respond
from .acting import STAFF_ORDER
from .forms import EXPORT_LINK

if TYPE_CHECKING:
    from ...domain.views import StaffSummary

bp = Blueprint(__name__)
# The routes' models load with their first call (the staff function's import time).
MODELS = "chalicelib.entrypoints.staff.models"
FILTERS = "chalicelib.domain.listing:ListFilters"


@bp.route("/me", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(f"{MODELS}:MeView")
def me() -> Response:
    from ...domain.views import UnitView
    from .models import MeView

    staff = caller()
    unit = deps().reference.unit(staff.unit) if staff.unit else None
    return respond(
        MeView(
            user=staff.username,
            roles=sorted(staff.roles),
            unit=UnitView(id=unit.id, name=unit.name, kind=unit.kind.value) if unit else None,
        )
    )


@bp.route("/work-orders", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc("Page[chalicelib.domain.views:StaffSummary]", query=FILTERS)
def list_work_orders() -> Response:
    from ...domain.allowed import batch_actions
    from ...domain.listing import ListFilters, list_orders
    from ...domain.views import StaffSummary, staff_summary
    from ..http import Page

    staff = caller()
    filters = parse_query(bp.current_request, ListFilters)
    d = deps()
    page = list_orders(filters, staff, orders=d.orders)
    now, limits = d.clock.now(), d.limits
    # Each with the batch actions open to the caller on it (批量派单 / 批量签收: the list's selection).
    items = [
        staff_summary(o, d.reference, now).model_copy(update={"batch": batch_actions(o, staff, limits)})
        for o in page.items
    ]
    return respond(Page[StaffSummary](items=items, next=page.next))


@bp.route("/exports/work-orders", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc("chalicelib.domain.exports:ExportFile", body=FILTERS, status=201)
def export_work_orders() -> Response:
    """The list the filters select (all its pages, scoped as the list is) as an Excel file: a link
    valid ten minutes to a file kept a day."""
    from ...domain import exports  # with the first export (the function's import time)
    from ...domain.listing import ListFilters, list_orders
    from ...domain.views import staff_summary

    staff = caller()
    filters = parse(bp.current_request, ListFilters)
    d = deps()
    now = d.clock.now()

    def pages(cursor: str | None) -> tuple[list[StaffSummary], str | None]:
        page = list_orders(
            filters.model_copy(update={"limit": 100, "cursor": cursor}), staff, orders=d.orders
        )
        return [staff_summary(o, d.reference, now) for o in page.items], page.next

    rows, truncated = exports.capped(pages)
    title = "超期工单" if filters.overdue and filters.state == "open" else "工单列表"
    sheet = exports.Sheet(title=title, headers=exports.ORDER_HEADERS, rows=exports.order_rows(rows))
    made = d.workbooks.publish(sheet, exports.filename(title, now), staff.username, EXPORT_LINK)
    return respond(made.model_copy(update={"truncated": truncated()}), 201)


@bp.route("/work-orders", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc("chalicelib.domain.intake:Receipt", body=f"{MODELS}:StaffSubmission", status=201, idempotent=True)
def record_call() -> Response:
    from ...domain.model import Submission
    from ..receiving import receive
    from .models import StaffSubmission

    staff = caller()
    require(staff, Permission.INTAKE)
    request = bp.current_request
    key = idempotency_key(request)
    form = parse(request, StaffSubmission)
    submission = Submission.model_validate(form.model_dump(exclude={"channel"}))
    return receive(submission, form.channel, key, recorded_by=staff)


@bp.route("/work-orders/{order_id}", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(STAFF_ORDER)
def get_order(order_id: str) -> Response:
    from ...domain.views import staff_view

    staff = caller()
    d = deps()
    order = require_visible(staff, d.orders.get(order_id), order_id)
    return respond(staff_view(order, staff, d.reference))


@bp.route("/work-orders/{order_id}/attachments/{upload}", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc("chalicelib.domain.attachments:DownloadLink")
def attachment_link(order_id: str, upload: str) -> Response:
    """A five-minute download link for one of the order's attachments, for whoever may see the order."""
    from ...domain import attachments

    staff = caller()
    d = deps()
    order = require_visible(staff, d.orders.get(order_id), order_id)
    return respond(attachments.download(order, upload, d.uploads))
