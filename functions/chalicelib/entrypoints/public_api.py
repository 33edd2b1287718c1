"""Public routes: no sign-in. A requester submits, tracks and rates a request (API.md, Public)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from ..domain import follow_up, intake
from ..domain.errors import FieldProblem, InvalidInput
from ..domain.model import Channel, Staff, Submission
from ..domain.views import public_view
from ..reference_data import divisions, emergency_words
from ..wiring import deps
from .http import api, parse, respond

bp = Blueprint(__name__)


@bp.route("/divisions", methods=["GET"], cors=True)
@api
def list_divisions() -> Response:
    return respond({"items": [d.model_dump() for d in divisions()]})


@bp.route("/categories", methods=["GET"], cors=True)
@api
def list_categories() -> Response:
    items = deps().reference.categories()
    return respond(
        {"items": [c.model_dump(include={"code", "name", "group", "kind", "tier"}) for c in items]}
    )


def idempotency_key(request: Request) -> str | None:
    key = (request.headers.get("idempotency-key") or "").strip() or None
    if key is not None and len(key) > 128:
        raise InvalidInput(
            "Idempotency-Key is too long.", [FieldProblem("Idempotency-Key", "at most 128 chars")]
        )
    return key


def receive(
    submission: Submission, channel: Channel, key: str | None, recorded_by: Staff | None = None
) -> Response:
    """Intake (Art. 10) for the web form and for an operator's call alike: 201 with the receipt."""
    d = deps()
    receipt = intake.receive(
        submission,
        channel,
        orders=d.orders,
        reference=d.reference,
        workflows=d.workflows,
        clock=d.clock,
        limits=d.limits,
        emergencies=emergency_words(),
        idempotency_key=key,
        recorded_by=recorded_by,
    )
    return respond(receipt, 201)


@bp.route("/requests", methods=["POST"], cors=True)
@api
def submit_request() -> Response:
    request = bp.current_request
    key = idempotency_key(request)
    return receive(parse(request, Submission), Channel.WEB, key)


@bp.route("/requests/{order_id}", methods=["GET"], cors=True)
@api
def track_request(order_id: str) -> Response:
    params: Any = bp.current_request.query_params or {}
    code = str(params.get("code") or "")
    d = deps()
    order = follow_up.find_by_code(d.orders, order_id, code)
    return respond(public_view(order, d.reference))


@bp.route("/requests/{order_id}/evaluation", methods=["POST"], cors=True)
@api
def evaluate_request(order_id: str) -> Response:
    form = parse(bp.current_request, follow_up.EvaluationForm)
    d = deps()
    order = follow_up.rate(
        order_id, form, orders=d.orders, workflows=d.workflows, clock=d.clock, limits=d.limits
    )
    return respond(public_view(order, d.reference))
