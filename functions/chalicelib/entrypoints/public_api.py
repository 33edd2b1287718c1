"""Public routes: no sign-in. A requester submits, tracks and rates a request (API.md, Public).

Each route imports the domain modules it calls when it is first called, and names its models by
where they are (`doc("pkg.module:Name")`): the public function's cold start loads no domain model
it does not use (the API's import-time budget, docs/benchmarks.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from ..names import SHARED_BRIEFLY
from ..wiring import deps
from .http import api, doc, idempotency_key, parse, parse_query, respond

if TYPE_CHECKING:
    from ..domain.knowledge import Answer

bp = Blueprint(__name__)
FORMS = "chalicelib.entrypoints.public_forms"
VIEW = "chalicelib.domain.views:PublicOrder"


@bp.route("/divisions", methods=["GET"], cors=True)
@api
@doc("Page[chalicelib.reference_data:District]")
def list_divisions() -> Response:
    """Beijing's 16 districts with their 343 streets and townships."""
    from ..reference_data import District, divisions
    from .http import Page

    return respond(Page[District](items=list(divisions())), cache=SHARED_BRIEFLY)


@bp.route("/publication", methods=["GET"], cors=True)
@api
@doc("chalicelib.domain.publication:PublicationPolicy")
def publication_policy() -> Response:
    """What Open311 and the public pages publish of a request that is not confidential (the form
    says it beside the confidential box): always its category, street, unit, status and dates;
    its text, replies, address and point only as configured, masked."""
    return respond(deps().publication, cache=SHARED_BRIEFLY)


@bp.route("/categories", methods=["GET"], cors=True)
@api
@doc(f"Page[{FORMS}:PublicCategory]")
def list_categories() -> Response:
    """The dispatch catalogue's categories a requester may choose from."""
    from ..reference_data import catalogue_levels
    from .http import Page
    from .public_forms import PublicCategory

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
@doc(
    "chalicelib.domain.attachments:UploadTicket",
    body="chalicelib.domain.attachments:UploadForm",
    status=201,
)
def offer_upload() -> Response:
    """A presigned POST for one photo, video or recording; intake re-checks the file later."""
    from ..domain import attachments

    form = parse(bp.current_request, attachments.UploadForm)
    d = deps()
    return respond(attachments.ticket(form, d.uploads, d.clock.now()), 201)


@bp.route("/requests", methods=["POST"], cors=True)
@api
@doc(
    "chalicelib.domain.intake:Receipt",
    body="chalicelib.domain.model:Submission",
    status=201,
    conflicts=True,
    idempotent=True,
)
def submit_request() -> Response:
    """Submit a request (Art. 10): the answer carries the order number and the tracking code.

    Also answers 201 for a request that is not dispatched: an emergency (call the line named in
    `transfer_to`), a repeat merged into an open order, or a consultation answered on the spot."""
    from ..domain.model import Channel, Submission
    from .receiving import receive

    request = bp.current_request
    key = idempotency_key(request)
    return receive(parse(request, Submission), Channel.WEB, key)


@bp.route("/requests/{order_id}", methods=["GET"], cors=True)
@api
@doc(VIEW, query=f"{FORMS}:TrackingQuery")
def track_request(order_id: str) -> Response:
    """Track a request with its tracking code: status, deadline, public timeline, the reply.

    A wrong number and a wrong code answer the same 404."""
    from ..domain import follow_up
    from ..domain.views import public_view
    from .public_forms import TrackingQuery

    code = parse_query(bp.current_request, TrackingQuery).code
    d = deps()
    order = follow_up.find_by_code(d.orders, order_id, code)
    return respond(public_view(order, d.reference))


@bp.route("/requests/{order_id}/evaluation", methods=["POST"], cors=True)
@api
@doc(VIEW, body="chalicelib.domain.follow_up:EvaluationForm", conflicts=True)
def evaluate_request(order_id: str) -> Response:
    """Rate the handling once the unit replied (Art. 27): resolved or not, and satisfaction."""
    from ..domain import follow_up
    from ..domain.views import public_view

    form = parse(bp.current_request, follow_up.EvaluationForm)
    d = deps()
    order = follow_up.rate(
        order_id, form, orders=d.orders, workflows=d.workflows, clock=d.clock, limits=d.limits
    )
    return respond(public_view(order, d.reference))


@bp.route("/knowledge", methods=["GET"], cors=True)
@api
@doc("Page[chalicelib.domain.knowledge:Answer]", query=f"{FORMS}:KnowledgeQuery")
def search_knowledge() -> Response:
    """知识库: answers valid today, best first (Art. 31)."""
    from ..domain import knowledge
    from ..domain.beijing import BEIJING
    from .http import Page
    from .public_forms import KnowledgeQuery

    query = parse_query(bp.current_request, KnowledgeQuery)
    d = deps()
    today = d.clock.now().astimezone(BEIJING).date()
    found = knowledge.search(d.reference.knowledge(), query.q, today, query.limit)
    return respond(Page[knowledge.Answer](items=[_named(a) for a in found]))


def _named(answer: Answer) -> Answer:
    """The answer with its unit's name in place of the unit's id."""
    unit = deps().reference.unit(answer.unit)
    return answer.model_copy(update={"unit": unit.name}) if unit else answer


@bp.route("/suggestions", methods=["POST"], cors=True)
@api
@doc("chalicelib.domain.suggest:Suggestions", body=f"{FORMS}:SuggestionForm")
def suggestions() -> Response:
    """What the form (and the operator) is offered while a request is written: categories, type,
    urgency, units, an emergency line, knowledge-base answers."""
    from ..domain import suggest  # the model and the place names load with the first suggestion
    from ..domain.beijing import BEIJING
    from ..reference_data import catalogue_levels, emergency_words, gazetteer
    from .public_forms import SuggestionForm

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


@bp.route("/requests/{order_id}/dispatch", methods=["POST"], cors=True)
@api
@doc(VIEW, body=f"{FORMS}:DispatchAnywayForm", conflicts=True)
def dispatch_anyway(order_id: str) -> Response:
    """The requester read the on-the-spot answer and still wants the matter handled."""
    from ..domain import follow_up, handling, knowledge
    from ..domain.views import public_view
    from .public_forms import DispatchAnywayForm

    form = parse(bp.current_request, DispatchAnywayForm)
    d = deps()
    order = follow_up.find_by_code(d.orders, order_id, form.code)
    now = d.clock.now()
    changed = knowledge.dispatch_anyway(now, order, d.limits.deadline(now, order.tier))
    committed = handling.commit(order, changed, orders=d.orders, workflows=d.workflows)
    return respond(public_view(committed, d.reference))
