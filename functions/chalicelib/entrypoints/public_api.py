"""Public routes: no sign-in. A requester submits, tracks and rates a request (API.md, Public)."""

from __future__ import annotations

from typing import Annotated, Any

from chalice import Blueprint, Response
from chalice.app import Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..domain import attachments, follow_up, handling, intake, knowledge, suggest
from ..domain.errors import FieldProblem, InvalidInput
from ..domain.intake import BEIJING
from ..domain.model import Channel, Location, Staff, Submission
from ..domain.views import public_view
from ..reference_data import dispatch_examples, divisions, emergency_words
from ..wiring import deps
from .http import api, parse, parse_query, respond

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
        knowledge=d.reference.knowledge(),
        idempotency_key=key,
        recorded_by=recorded_by,
        uploads=d.uploads,
    )
    return respond(receipt, 201)


@bp.route("/uploads", methods=["POST"], cors=True)
@api
def offer_upload() -> Response:
    """A presigned POST for one photo, video or recording; intake re-checks the file later."""
    form = parse(bp.current_request, attachments.UploadForm)
    d = deps()
    return respond(attachments.ticket(form, d.uploads, d.clock.now()), 201)


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


class KnowledgeQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    limit: Annotated[int, Field(ge=1, le=20)] = 5


@bp.route("/knowledge", methods=["GET"], cors=True)
@api
def search_knowledge() -> Response:
    """知识库: answers valid today, best first (Art. 31)."""
    query = parse_query(bp.current_request, KnowledgeQuery)
    d = deps()
    today = d.clock.now().astimezone(BEIJING).date()
    found = knowledge.search(d.reference.knowledge(), query.q, today, query.limit)
    return respond({"items": [_named(a) for a in found], "next": None})


def _named(answer: knowledge.Answer) -> dict[str, Any]:
    unit = deps().reference.unit(answer.unit)
    return {**answer.model_dump(mode="json"), "unit": unit.name if unit else answer.unit}


class SuggestionForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]
    location: Location | None = None


@bp.route("/suggestions", methods=["POST"], cors=True)
@api
def suggestions() -> Response:
    """What the form (and the operator) is offered while a request is written: categories, type,
    urgency, units, an emergency line, knowledge-base answers."""
    form = parse(bp.current_request, SuggestionForm)
    d = deps()
    found = suggest.suggest(
        form.content,
        form.location,
        examples=dispatch_examples(),
        reference=d.reference,
        emergencies=emergency_words(),
        knowledge=d.reference.knowledge(),
        today=d.clock.now().astimezone(BEIJING).date(),
    )
    body = found.model_dump(mode="json")
    body["answers"] = [_named(a) for a in found.answers]
    return respond(body)


class DispatchAnywayForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(max_length=40)]


@bp.route("/requests/{order_id}/dispatch", methods=["POST"], cors=True)
@api
def dispatch_anyway(order_id: str) -> Response:
    """The requester read the on-the-spot answer and still wants the matter handled."""
    form = parse(bp.current_request, DispatchAnywayForm)
    d = deps()
    order = follow_up.find_by_code(d.orders, order_id, form.code)
    now = d.clock.now()
    changed = knowledge.dispatch_anyway(now, order, d.limits.deadline(now, order.tier))
    committed = handling.commit(order, changed, orders=d.orders, workflows=d.workflows)
    return respond(public_view(committed, d.reference))
