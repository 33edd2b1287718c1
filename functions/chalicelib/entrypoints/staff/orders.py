"""Work orders as the staff see them: the caller, the lists and their exports, an operator's call
recorded, one order and its attachments."""

from __future__ import annotations

from typing import Literal

from chalice import Blueprint, Response
from pydantic import BaseModel, ConfigDict

from ...domain import attachments
from ...domain.access import Permission, require, require_visible
from ...domain.allowed import batch_actions
from ...domain.intake import Receipt
from ...domain.listing import ListFilters, list_orders
from ...domain.model import Channel, Submission
from ...domain.views import StaffOrder, StaffSummary, UnitView, staff_summary, staff_view
from ...wiring import deps
from ..auth import caller, staff_auth
from ..http import Page, api, doc, idempotency_key, parse, parse_query, respond
from ..receiving import receive
from .forms import EXPORT_LINK

bp = Blueprint(__name__)


class StaffSubmission(Submission):
    """A request recorded by an operator from a call, a partner line or the enterprise line."""

    channel: Literal[Channel.PHONE, Channel.APP, Channel.ENTERPRISE_LINE, Channel.PARTNER_HOTLINE] = (
        Channel.PHONE
    )


class MeView(BaseModel):
    model_config = ConfigDict(defer_build=True)

    user: str
    roles: list[str]
    unit: UnitView | None


@bp.route("/me", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(MeView)
def me() -> Response:
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
@doc(Page[StaffSummary], query=ListFilters)
def list_work_orders() -> Response:
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
@doc("chalicelib.domain.exports:ExportFile", body=ListFilters, status=201)
def export_work_orders() -> Response:
    """The list the filters select (all its pages, scoped as the list is) as an Excel file: a link
    valid ten minutes to a file kept a day."""
    from ...domain import exports  # with the first export (the function's import time)

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
@doc(Receipt, body=StaffSubmission, status=201, idempotent=True)
def record_call() -> Response:
    staff = caller()
    require(staff, Permission.INTAKE)
    request = bp.current_request
    key = idempotency_key(request)
    form = parse(request, StaffSubmission)
    submission = Submission.model_validate(form.model_dump(exclude={"channel"}))
    return receive(submission, form.channel, key, recorded_by=staff)


@bp.route("/work-orders/{order_id}", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder)
def get_order(order_id: str) -> Response:
    staff = caller()
    d = deps()
    order = require_visible(staff, d.orders.get(order_id), order_id)
    return respond(staff_view(order, staff, d.reference))


@bp.route("/work-orders/{order_id}/attachments/{upload}", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(attachments.DownloadLink)
def attachment_link(order_id: str, upload: str) -> Response:
    """A five-minute download link for one of the order's attachments, for whoever may see the order."""
    staff = caller()
    d = deps()
    order = require_visible(staff, d.orders.get(order_id), order_id)
    return respond(attachments.download(order, upload, d.uploads))
