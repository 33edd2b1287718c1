"""Public routes: no sign-in. A requester submits, tracks and rates a request (API.md, Public)."""

from __future__ import annotations

from typing import Annotated

from chalice import Blueprint, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..domain import attachments, follow_up, handling, intake, knowledge
from ..domain.beijing import BEIJING
from ..domain.model import CategoryKind, Channel, Location, Submission
from ..domain.publication import PublicationPolicy
from ..domain.views import PublicOrder, public_view
from ..names import SHARED_BRIEFLY
from ..reference_data import District, catalogue_levels, divisions, emergency_words, gazetteer
from ..wiring import deps
from .http import Page, api, doc, idempotency_key, parse, parse_query, respond
from .receiving import receive

bp = Blueprint(__name__)


@bp.route("/divisions", methods=["GET"], cors=True)
@api
@doc(Page[District])
def list_divisions() -> Response:
    """Beijing's 16 districts with their 343 streets and townships."""
    return respond(Page[District](items=list(divisions())), cache=SHARED_BRIEFLY)


@bp.route("/publication", methods=["GET"], cors=True)
@api
@doc(PublicationPolicy)
def publication_policy() -> Response:
    """What Open311 and the public pages publish of a request that is not confidential (the form
    says it beside the confidential box): always its category, street, unit, status and dates;
    its text, replies, address and point only as configured, masked."""
    return respond(deps().publication, cache=SHARED_BRIEFLY)


class PublicCategory(BaseModel):
    """A 小类 of the catalogue with its 中类 (`group`) and 大类 (`major`)."""

    code: str
    name: str
    major: str
    major_name: str
    group: str
    group_name: str
    description: str
    kind: CategoryKind
    tier: str


@bp.route("/categories", methods=["GET"], cors=True)
@api
@doc(Page[PublicCategory])
def list_categories() -> Response:
    """The dispatch catalogue's categories a requester may choose from."""
    levels = catalogue_levels()
    items = [
        PublicCategory.model_validate(
            {
                **c.model_dump(),
                "major_name": levels.get(c.major, c.major),
                "group_name": levels.get(c.group, c.group),
            }
        )
        for c in deps().reference.categories()
    ]
    return respond(Page[PublicCategory](items=items), cache=SHARED_BRIEFLY)


@bp.route("/uploads", methods=["POST"], cors=True)
@api
@doc(attachments.UploadTicket, body=attachments.UploadForm, status=201)
def offer_upload() -> Response:
    """A presigned POST for one photo, video or recording; intake re-checks the file later."""
    form = parse(bp.current_request, attachments.UploadForm)
    d = deps()
    return respond(attachments.ticket(form, d.uploads, d.clock.now()), 201)


@bp.route("/requests", methods=["POST"], cors=True)
@api
@doc(intake.Receipt, body=Submission, status=201, conflicts=True, idempotent=True)
def submit_request() -> Response:
    """Submit a request (Art. 10): the answer carries the order number and the tracking code.

    Also answers 201 for a request that is not dispatched: an emergency (call the line named in
    `transfer_to`), a repeat merged into an open order, or a consultation answered on the spot."""
    request = bp.current_request
    key = idempotency_key(request)
    return receive(parse(request, Submission), Channel.WEB, key)


class TrackingQuery(BaseModel):
    code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = ""


@bp.route("/requests/{order_id}", methods=["GET"], cors=True)
@api
@doc(PublicOrder, query=TrackingQuery)
def track_request(order_id: str) -> Response:
    """Track a request with its tracking code: status, deadline, public timeline, the reply.

    A wrong number and a wrong code answer the same 404."""
    code = parse_query(bp.current_request, TrackingQuery).code
    d = deps()
    order = follow_up.find_by_code(d.orders, order_id, code)
    return respond(public_view(order, d.reference))


@bp.route("/requests/{order_id}/evaluation", methods=["POST"], cors=True)
@api
@doc(PublicOrder, body=follow_up.EvaluationForm, conflicts=True)
def evaluate_request(order_id: str) -> Response:
    """Rate the handling once the unit replied (Art. 27): resolved or not, and satisfaction."""
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
@doc(Page[knowledge.Answer], query=KnowledgeQuery)
def search_knowledge() -> Response:
    """知识库: answers valid today, best first (Art. 31)."""
    query = parse_query(bp.current_request, KnowledgeQuery)
    d = deps()
    today = d.clock.now().astimezone(BEIJING).date()
    found = knowledge.search(d.reference.knowledge(), query.q, today, query.limit)
    return respond(Page[knowledge.Answer](items=[_named(a) for a in found]))


def _named(answer: knowledge.Answer) -> knowledge.Answer:
    """The answer with its unit's name in place of the unit's id."""
    unit = deps().reference.unit(answer.unit)
    return answer.model_copy(update={"unit": unit.name}) if unit else answer


class SuggestionForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]
    location: Location | None = None


@bp.route("/suggestions", methods=["POST"], cors=True)
@api
@doc("chalicelib.domain.suggest:Suggestions", body=SuggestionForm)
def suggestions() -> Response:
    """What the form (and the operator) is offered while a request is written: categories, type,
    urgency, units, an emergency line, knowledge-base answers."""
    from ..domain import suggest  # the model and the place names load with the first suggestion

    form = parse(bp.current_request, SuggestionForm)
    d = deps()
    found = suggest.suggest(
        form.content,
        form.location,
        model=d.dispatch_model,
        reference=d.reference,
        levels=catalogue_levels(),
        gazetteer=gazetteer(),
        emergencies=emergency_words(),
        knowledge=d.reference.knowledge(),
        today=d.clock.now().astimezone(BEIJING).date(),
    )
    return respond(found.model_copy(update={"answers": [_named(a) for a in found.answers]}))


class DispatchAnywayForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(max_length=40)]


@bp.route("/requests/{order_id}/dispatch", methods=["POST"], cors=True)
@api
@doc(PublicOrder, body=DispatchAnywayForm, conflicts=True)
def dispatch_anyway(order_id: str) -> Response:
    """The requester read the on-the-spot answer and still wants the matter handled."""
    form = parse(bp.current_request, DispatchAnywayForm)
    d = deps()
    order = follow_up.find_by_code(d.orders, order_id, form.code)
    now = d.clock.now()
    changed = knowledge.dispatch_anyway(now, order, d.limits.deadline(now, order.tier))
    committed = handling.commit(order, changed, orders=d.orders, workflows=d.workflows)
    return respond(public_view(committed, d.reference))
