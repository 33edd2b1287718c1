"""Machine routes for partner hotlines and central units (Arts. 21, 22), authenticated by the key an
administrator issued to the partner (header X-Api-Key; only its hash is stored)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from chalice import Blueprint, Response
from pydantic import BaseModel, ConfigDict, StringConstraints

from ..domain import handling, intake, partners
from ..domain.errors import Forbidden, NotFound
from ..domain.intake import Receipt
from ..domain.model import Channel, Origin, Place, Submission, WorkOrder
from ..domain.ports import OrderQuery
from ..domain.views import PublicOrder, public_view
from ..reference_data import emergency_words
from ..reference_data import partners as known_partners
from ..wiring import deps
from .http import Page, api, doc, parse, respond

bp = Blueprint(__name__)


def _partner() -> partners.Partner:
    key = (bp.current_request.headers.get("x-api-key") or "").strip()
    client = partners.require_key(deps().reference.api_client(partners.key_hash(key)) if key else None)
    partner = known_partners().get(client.partner)
    if partner is None:
        raise Forbidden("The partner of this key is no longer known.")
    return partner


class TransferredRequester(BaseModel):
    name: str | None
    phone: str | None
    kind: str
    confidential: bool


class TransferView(BaseModel):
    """What a partner needs to handle an order: the matter, the place and how to reach the requester."""

    id: str
    type: str
    content: str
    location: Place  # an Open311 request may be transferred before anyone placed it
    requester: TransferredRequester
    created_at: datetime
    status: str
    transferred: bool
    results: list[str]


def _transfer(order: WorkOrder) -> TransferView:
    hidden = order.confidential
    return TransferView(
        id=order.id,
        type=order.type.value,
        content=order.content,
        location=order.location,
        requester=TransferredRequester(
            name=None if hidden else order.requester.name,
            phone=None if hidden else order.requester.phone,
            kind=order.requester.kind.value,
            confidential=hidden,
        ),
        created_at=order.created_at,
        status=order.status.value,
        transferred=order.reason == "transferred",
        results=[e.note or "" for e in order.timeline if e.action == "partner_replied"],
    )


@bp.route("/transfers", methods=["GET"], cors=True)
@api
@doc(Page[TransferView])
def list_transfers() -> Response:
    """The orders transferred to the calling partner, newest first."""
    partner = _partner()
    page = deps().orders.find(OrderQuery(partner=partner.id, limit=100))
    return respond(Page[TransferView](items=[_transfer(o) for o in page.items], next=page.next))


class ResultForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    result: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]


@bp.route("/transfers/{order_id}/result", methods=["POST"], cors=True)
@api
@doc(TransferView, body=ResultForm, conflicts=True)
def report_result(order_id: str) -> Response:
    """The partner's result for a transferred order: the requester reads it on the tracking page."""
    partner = _partner()
    d = deps()
    order = d.orders.get(order_id)
    if order is None:
        raise NotFound(f"No work order {order_id} was transferred to {partner.id}.")
    form = parse(bp.current_request, ResultForm)
    changed = partners.report(order, partner, form.result, d.clock.now())
    return respond(_transfer(handling.commit(order, changed, orders=d.orders, workflows=d.workflows)))


class TransferIn(Submission):
    """A request a partner transfers to Beijing: the public body plus the partner's own number."""

    partner_reference: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


@bp.route("/requests", methods=["POST"], cors=True)
@api
@doc(Receipt, body=TransferIn, status=201, conflicts=True)
def transfer_in() -> Response:
    """A request the partner transfers to Beijing; its own number makes a retry answer the same order."""
    partner = _partner()
    form = parse(bp.current_request, TransferIn)
    d = deps()
    receipt = intake.receive(
        Submission.model_validate(form.model_dump(exclude={"partner_reference"})),
        Channel.PARTNER_HOTLINE,
        orders=d.orders,
        reference=d.reference,
        workflows=d.workflows,
        clock=d.clock,
        limits=d.limits,
        emergencies=emergency_words(),
        idempotency_key=f"partner:{partner.id}:{form.partner_reference}",
        origin=Origin(partner=partner.id, reference=form.partner_reference),
    )
    return respond(receipt, 201)


@bp.route("/requests/{order_id}", methods=["GET"], cors=True)
@api
@doc(PublicOrder)
def transferred_in(order_id: str) -> Response:
    """The state of a request the partner sent, as the requester would see it."""
    partner = _partner()
    d = deps()
    order = d.orders.get(order_id)
    if order is None or order.origin is None or order.origin.partner != partner.id:
        raise NotFound(f"No work order {order_id} came from {partner.id}.")
    return respond(public_view(order, d.reference))
