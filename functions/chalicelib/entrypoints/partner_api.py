"""Machine routes for partner hotlines and central units (Arts. 21, 22), authenticated by the key an
administrator issued to the partner (header X-Api-Key; only its hash is stored).

Each route imports the domain modules it calls when it is first called (partner_wire.py holds its
models): the machine clients' cold start loads no domain model (docs/benchmarks.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from ..domain.errors import Forbidden, NotFound
from ..wiring import deps
from .http import api, doc, parse, respond

if TYPE_CHECKING:
    from ..domain.partners import Partner

bp = Blueprint(__name__)
WIRE = "chalicelib.entrypoints.partner_wire"


def _partner() -> Partner:
    from ..domain import partners
    from ..reference_data import partners as known_partners

    key = (bp.current_request.headers.get("x-api-key") or "").strip()
    client = partners.require_key(deps().reference.api_client(partners.key_hash(key)) if key else None)
    partner = known_partners().get(client.partner)
    if partner is None:
        raise Forbidden("The partner of this key is no longer known.")
    return partner


@bp.route("/transfers", methods=["GET"], cors=True)
@api
@doc(f"Page[{WIRE}:TransferView]")
def list_transfers() -> Response:
    """The orders transferred to the calling partner, newest first."""
    from ..domain.ports import OrderQuery
    from .http import Page
    from .partner_wire import TransferView, transfer

    partner = _partner()
    page = deps().orders.find(OrderQuery(partner=partner.id, limit=100))
    return respond(Page[TransferView](items=[transfer(o) for o in page.items], next=page.next))


@bp.route("/transfers/{order_id}/result", methods=["POST"], cors=True)
@api
@doc(f"{WIRE}:TransferView", body=f"{WIRE}:ResultForm", conflicts=True)
def report_result(order_id: str) -> Response:
    """The partner's result for a transferred order: the requester reads it on the tracking page."""
    from ..domain import handling, partners
    from .partner_wire import ResultForm, transfer

    partner = _partner()
    d = deps()
    order = d.orders.get(order_id)
    if order is None:
        raise NotFound(f"No work order {order_id} was transferred to {partner.id}.")
    form = parse(bp.current_request, ResultForm)
    changed = partners.report(order, partner, form.result, d.clock.now())
    return respond(transfer(handling.commit(order, changed, orders=d.orders, workflows=d.workflows)))


@bp.route("/requests", methods=["POST"], cors=True)
@api
@doc("chalicelib.domain.intake:Receipt", body=f"{WIRE}:TransferIn", status=201, conflicts=True)
def transfer_in() -> Response:
    """A request the partner transfers to Beijing; its own number makes a retry answer the same order."""
    from ..domain import intake
    from ..domain.model import Channel, Origin, Submission
    from ..reference_data import emergency_words
    from .partner_wire import TransferIn

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
@doc("chalicelib.domain.views:PublicOrder")
def transferred_in(order_id: str) -> Response:
    """The state of a request the partner sent, as the requester would see it."""
    from ..domain.views import public_view

    partner = _partner()
    d = deps()
    order = d.orders.get(order_id)
    if order is None or order.origin is None or order.origin.partner != partner.id:
        raise NotFound(f"No work order {order_id} came from {partner.id}.")
    return respond(public_view(order, d.reference))
