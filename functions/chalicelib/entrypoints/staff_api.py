"""Staff routes (Cognito ID token). Every answer is scoped to what the caller may see.

Checks run in the order API.md names: credentials (the authorizer), scope and role, input,
then version and status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Literal, TypeVar

from chalice import AuthResponse, Blueprint, Response
from chalice.app import AuthRequest
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from ..domain import (
    attachments,
    co_handling,
    dispatch,
    exports,
    follow_up,
    handling,
    knowledge,
    objections,
    partners,
    policy,
    supervision,
    triage,
    whistles,
)
from ..domain.access import Permission, require, require_visible
from ..domain.beijing import BEIJING
from ..domain.deadlines import TimeLimits
from ..domain.errors import FieldProblem, Forbidden, InvalidInput, NotFound, StaleVersion
from ..domain.exports import ExportFile
from ..domain.intake import Receipt
from ..domain.listing import ListFilters, list_orders
from ..domain.model import (
    MOBILE,
    Category,
    Channel,
    Location,
    ObjectionGrounds,
    Staff,
    Submission,
    Unit,
    UnitKind,
    Version,
    WorkOrder,
)
from ..domain.views import (
    StaffOrder,
    StaffSummary,
    UnitView,
    WhistleView,
    staff_summary,
    staff_view,
    whistle_view,
)
from ..names import STAFF_AUTHORIZER
from ..reference_data import partners as known_partners
from ..wiring import deps
from .auth import authorize, staff_from
from .http import Page, api, doc, idempotency_key, parse, parse_query, respond
from .public_api import receive

bp = Blueprint(__name__)


@bp.authorizer(name=STAFF_AUTHORIZER)
def staff_auth(request: AuthRequest) -> AuthResponse:
    return authorize(request)


F = TypeVar("F", bound="Versioned")
W = TypeVar("W", bound=BaseModel)
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)]


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a time zone, e.g. 2026-11-30T18:00:00+08:00")
    return value


class Versioned(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    version: Version


class ContactForm(Versioned):
    note: Note | None = None


class ProgressForm(Versioned):
    note: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]


class ExtensionForm(Versioned):
    reason: Reason
    new_deadline: Annotated[datetime, AfterValidator(_aware)]


class ReplyForm(Versioned):
    result: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]
    resolved_claim: bool


class ObjectionForm(Versioned):
    grounds: ObjectionGrounds
    reason: Reason


class DispatchForm(Versioned):
    units: Annotated[list[Annotated[str, StringConstraints(max_length=64)]], Field(max_length=5)] = []
    category: Annotated[str, StringConstraints(max_length=64)] | None = None
    reason: Reason | None = None


class AssistForm(Versioned):
    units: Annotated[
        list[Annotated[str, StringConstraints(max_length=64)]], Field(min_length=1, max_length=5)
    ]
    deadline: Annotated[datetime, AfterValidator(_aware)]


class AssistReportForm(Versioned):
    result: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]


class ReleaseForm(Versioned):
    reason: Reason


class TriageForm(Versioned):
    reason: triage.Reason
    transfer_to: Annotated[str, StringConstraints(max_length=8)] | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class MergeForm(Versioned):
    into: Annotated[str, StringConstraints(pattern=r"^\d{6,20}$")]


class ReinstateForm(Versioned):
    note: Reason


class DuplicateQuery(BaseModel):
    """What an operator knows during a call: the phone, the place, perhaps the category."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    phone: Annotated[str, StringConstraints(pattern=MOBILE.pattern)] | None = None
    district: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
    street: Annotated[str, StringConstraints(pattern=r"^\d{9}$")] | None = None
    category: Annotated[str, StringConstraints(max_length=64)] | None = None


class UrgeForm(Versioned):
    note: Note | None = None


class AdjudicationForm(Versioned):
    unreasonable: bool
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=2000)]


class PhoneFollowUpForm(Versioned, follow_up.Answers):
    pass


class DecisionForm(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    decision: Literal["uphold", "reject"]
    reassign_to: Annotated[str, StringConstraints(max_length=64)] | None = None
    note: Note | None = None
    version: Version | None = None


class StaffSubmission(Submission):
    """A request recorded by an operator from a call, a partner line or the enterprise line."""

    channel: Literal[Channel.PHONE, Channel.APP, Channel.ENTERPRISE_LINE, Channel.PARTNER_HOTLINE] = (
        Channel.PHONE
    )


class UnitFilter(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    kind: UnitKind | None = None


class MeView(BaseModel):
    model_config = ConfigDict(defer_build=True)

    user: str
    roles: list[str]
    unit: UnitView | None


class PartnerKey(BaseModel):
    """A new partner key: shown this once, stored only as its hash."""

    model_config = ConfigDict(defer_build=True)

    partner: str
    key: str
    created_at: datetime


class Open311Key(BaseModel):
    """A new Open311 api_key: shown this once, stored only as its hash."""

    model_config = ConfigDict(defer_build=True)

    client: str
    key: str
    created_at: datetime


class KnowledgeListing(knowledge.KnowledgeEntry):
    confidence: float | None = None


def _staff() -> Staff:
    return staff_from(bp.current_request.context)


def _audit(staff: Staff, action: str, target: str, **params: str) -> None:
    """An administrator's change, in the audit trail (after it succeeded)."""
    from ..domain.audit import entry

    d = deps()
    d.reference.record(entry(staff, d.clock.now(), action, target, **params))


@bp.route("/me", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(MeView)
def me() -> Response:
    staff = _staff()
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
    staff = _staff()
    filters = parse_query(bp.current_request, ListFilters)
    d = deps()
    page = list_orders(filters, staff, orders=d.orders)
    now = d.clock.now()
    return respond(
        Page[StaffSummary](items=[staff_summary(o, d.reference, now) for o in page.items], next=page.next)
    )


EXPORT_LINK = timedelta(minutes=10)


@bp.route("/exports/work-orders", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(ExportFile, body=ListFilters, status=201)
def export_work_orders() -> Response:
    """The list the filters select (all its pages, scoped as the list is) as an Excel file: a link
    valid ten minutes to a file kept a day."""
    staff = _staff()
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
    staff = _staff()
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
    staff = _staff()
    d = deps()
    order = require_visible(staff, d.orders.get(order_id), order_id)
    return respond(staff_view(order, staff, d.reference))


@bp.route("/work-orders/{order_id}/attachments/{upload}", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(attachments.DownloadLink)
def attachment_link(order_id: str, upload: str) -> Response:
    """A five-minute download link for one of the order's attachments, for whoever may see the order."""
    staff = _staff()
    d = deps()
    order = require_visible(staff, d.orders.get(order_id), order_id)
    return respond(attachments.download(order, upload, d.uploads))


def _act(
    order_id: str, permission: Permission, form_model: type[F], action: Callable[[F], handling.Action]
) -> Response:
    staff = _staff()
    d = deps()
    order = require_visible(staff, d.orders.get(order_id), order_id)
    require(staff, permission, order)
    form = parse(bp.current_request, form_model)
    changed = handling.perform(
        order, form.version, staff, action(form), orders=d.orders, workflows=d.workflows, clock=d.clock
    )
    return respond(staff_view(changed, staff, d.reference))


ORDER = "/work-orders/{order_id}"


@bp.route(ORDER + "/dispatch", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=DispatchForm, conflicts=True)
def dispatch_order(order_id: str) -> Response:
    d = deps()
    return _act(
        order_id,
        Permission.DISPATCH,
        DispatchForm,
        lambda f: dispatch.dispatch_by(f.units, f.category, f.reason, d.reference, d.limits),
    )


def _summaries(orders: list[WorkOrder]) -> Response:
    d = deps()
    now = d.clock.now()
    return respond(Page[StaffSummary](items=[staff_summary(o, d.reference, now) for o in orders]))


@bp.route(ORDER + "/triage", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=TriageForm, conflicts=True)
def triage_order(order_id: str) -> Response:
    return _act(
        order_id, Permission.DISPATCH, TriageForm, lambda f: triage.decide(f.reason, f.transfer_to, f.note)
    )


@bp.route(ORDER + "/merge", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=MergeForm, conflicts=True)
def merge_order(order_id: str) -> Response:
    d = deps()

    def into(form: MergeForm) -> handling.Action:
        original = d.orders.get(form.into)
        if original is None:
            raise InvalidInput("Unknown order.", [FieldProblem("into", f"no work order {form.into}")])
        return triage.merge(original)

    return _act(order_id, Permission.DISPATCH, MergeForm, into)


@bp.route(ORDER + "/reinstate", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=ReinstateForm, conflicts=True)
def reinstate_order(order_id: str) -> Response:
    limits = deps().limits
    return _act(order_id, Permission.REINSTATE, ReinstateForm, lambda f: triage.reinstate(f.note, limits))


@bp.route(ORDER + "/duplicates", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[StaffSummary])
def order_duplicates(order_id: str) -> Response:
    staff = _staff()
    require(staff, Permission.DISPATCH)
    d = deps()
    order = require_visible(staff, d.orders.get(order_id), order_id)
    found = triage.candidates(
        order.requester.phone,
        order.location,
        order.category,
        orders=d.orders,
        reference=d.reference,
        exclude=order.id,
    )
    return _summaries(found)


@bp.route("/duplicates", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[StaffSummary], query=DuplicateQuery)
def duplicates() -> Response:
    """Candidate duplicates while an operator takes a call, before the order exists."""
    staff = _staff()
    require(staff, Permission.DISPATCH)
    query = parse_query(bp.current_request, DuplicateQuery)
    d = deps()
    location = Location(district=query.district, street=query.street)
    found = triage.candidates(query.phone, location, query.category, orders=d.orders, reference=d.reference)
    return _summaries(found)


@bp.route(ORDER + "/sign", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=Versioned, conflicts=True)
def sign(order_id: str) -> Response:
    return _act(order_id, Permission.HANDLE, Versioned, lambda _f: handling.sign)


@bp.route(ORDER + "/objection", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=ObjectionForm, conflicts=True)
def object_to(order_id: str) -> Response:
    return _act(
        order_id, Permission.HANDLE, ObjectionForm, lambda f: objections.object_to(f.grounds, f.reason)
    )


@bp.route(ORDER + "/contact", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=ContactForm, conflicts=True)
def contact(order_id: str) -> Response:
    return _act(order_id, Permission.HANDLE, ContactForm, lambda f: handling.contact(f.note))


@bp.route(ORDER + "/progress", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=ProgressForm, conflicts=True)
def progress(order_id: str) -> Response:
    return _act(order_id, Permission.HANDLE, ProgressForm, lambda f: handling.progress(f.note))


@bp.route(ORDER + "/extension", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=ExtensionForm, conflicts=True)
def extend(order_id: str) -> Response:
    limits = deps().limits
    return _act(
        order_id,
        Permission.HANDLE,
        ExtensionForm,
        lambda f: handling.extend(f.reason, f.new_deadline, limits),
    )


@bp.route(ORDER + "/reply", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=ReplyForm, conflicts=True)
def reply(order_id: str) -> Response:
    return _act(order_id, Permission.HANDLE, ReplyForm, lambda f: handling.reply(f.result, f.resolved_claim))


@bp.route(ORDER + "/assists", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=AssistForm, conflicts=True)
def request_assists(order_id: str) -> Response:
    reference = deps().reference
    return _act(
        order_id, Permission.HANDLE, AssistForm, lambda f: co_handling.request(f.units, f.deadline, reference)
    )


@bp.route(ORDER + "/assists/{unit_id}/release", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=ReleaseForm, conflicts=True)
def release_assist(order_id: str, unit_id: str) -> Response:
    return _act(order_id, Permission.HANDLE, ReleaseForm, lambda f: co_handling.release(unit_id, f.reason))


@bp.route(ORDER + "/assist/sign", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=Versioned, conflicts=True)
def sign_assist(order_id: str) -> Response:
    return _act(order_id, Permission.ASSIST, Versioned, lambda _f: co_handling.sign)


@bp.route(ORDER + "/assist/report", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=AssistReportForm, conflicts=True)
def report_assist(order_id: str) -> Response:
    return _act(order_id, Permission.ASSIST, AssistReportForm, lambda f: co_handling.report(f.result))


@bp.route(ORDER + "/assist/progress", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=ProgressForm, conflicts=True)
def explain_assist(order_id: str) -> Response:
    return _act(order_id, Permission.ASSIST, ProgressForm, lambda f: co_handling.explain(f.note))


@bp.route(ORDER + "/urge", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=UrgeForm, conflicts=True)
def urge(order_id: str) -> Response:
    return _act(order_id, Permission.URGE, UrgeForm, lambda f: supervision.urge(f.note))


@bp.route(ORDER + "/adjudication", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=AdjudicationForm, conflicts=True)
def adjudicate(order_id: str) -> Response:
    """A supervisor judges a rated request unreasonable, or withdraws that: excluded from the rates."""
    return _act(
        order_id,
        Permission.ADJUDICATE,
        AdjudicationForm,
        lambda f: supervision.adjudicate(f.unreasonable, f.reason),
    )


@bp.route(ORDER + "/follow-up", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=PhoneFollowUpForm, conflicts=True)
def follow_up_by_phone(order_id: str) -> Response:
    limits = deps().limits
    return _act(
        order_id, Permission.TAKE_FOLLOW_UP, PhoneFollowUpForm, lambda f: follow_up.by_phone(f, limits)
    )


@bp.route("/objections/{objection_id}/decision", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=DecisionForm, conflicts=True)
def decide_objection(objection_id: str) -> Response:
    staff = _staff()
    require(staff, Permission.REVIEW_OBJECTION)
    d = deps()
    order_id = objections.order_of(objection_id)
    order = require_visible(staff, d.orders.get(order_id), order_id)
    form = parse(bp.current_request, DecisionForm)
    action = objections.decide(
        objection_id, form.decision, form.reassign_to, form.note, d.reference, d.limits
    )
    changed = handling.perform(
        order,
        form.version or order.version,
        staff,
        action,
        orders=d.orders,
        workflows=d.workflows,
        clock=d.clock,
    )
    return respond(staff_view(changed, staff, d.reference))


@bp.route("/units", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[Unit], query=UnitFilter)
def list_units() -> Response:
    _staff()
    kind = parse_query(bp.current_request, UnitFilter).kind
    return respond(Page[Unit](items=deps().reference.units(kind)))


@bp.route("/catalogue", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[Category])
def list_catalogue() -> Response:
    _staff()
    return respond(Page[Category](items=deps().reference.categories()))


@bp.route("/catalogue/{code}", methods=["PUT"], cors=True, authorizer=staff_auth)
@api
@doc(Category, body=policy.CategoryEdit, conflicts=True)
def save_category(code: str) -> Response:
    staff = _staff()
    require(staff, Permission.EDIT_POLICY)
    edit = parse(bp.current_request, policy.CategoryEdit)
    d = deps()
    saved = policy.save_category(code, edit, staff, reference=d.reference, clock=d.clock, limits=d.limits)
    _audit(staff, "category.saved", code, version=str(saved.version), name=saved.name, tier=saved.tier)
    return respond(saved)


@bp.route("/catalogue/{code}/history", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[Category])
def category_history(code: str) -> Response:
    _staff()
    versions = policy.history(code, deps().reference)
    return respond(Page[Category](items=versions))


@bp.route("/time-limits", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(TimeLimits)
def get_time_limits() -> Response:
    _staff()
    return respond(deps().limits)


@bp.route("/time-limits", methods=["PUT"], cors=True, authorizer=staff_auth)
@api
@doc(TimeLimits, body=policy.LimitsEdit, conflicts=True)
def save_time_limits() -> Response:
    staff = _staff()
    require(staff, Permission.EDIT_POLICY)
    edit = parse(bp.current_request, policy.LimitsEdit)
    d = deps()
    saved = policy.save_time_limits(edit, staff, reference=d.reference, clock=d.clock)
    _audit(staff, "time_limits.saved", "time_limits", version=str(saved.version))
    return respond(saved)


# --- 街乡吹哨、部门报到 (Arts. 16, 33) ---------------------------------------------------------

Departments = Annotated[
    list[Annotated[str, StringConstraints(min_length=1, max_length=64)]], Field(min_length=1, max_length=10)
]


class WhistleForm(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    matter: Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=1000)]
    departments: Departments
    work_order_id: Annotated[str, StringConstraints(pattern=r"^\d{6,20}$")] | None = None


class SummonForm(Versioned):
    departments: Departments


class ReportForm(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    note: Note | None = None


class CloseWhistleForm(Versioned):
    result: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]


class WhistleFilter(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    unit: Annotated[str, StringConstraints(max_length=64)] | None = None
    summoned: bool = False
    limit: Annotated[int, Field(ge=1, le=100)] = 50
    cursor: Annotated[str, StringConstraints(max_length=2000)] | None = None


@bp.route("/whistles", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(WhistleView, body=WhistleForm, status=201)
def blow_whistle() -> Response:
    staff = _staff()
    d = deps()
    whistles.street_of(staff, d.reference)
    form = parse(bp.current_request, WhistleForm)
    order = None
    if form.work_order_id is not None:
        order = d.orders.get(form.work_order_id)
        if order is None:
            problem = FieldProblem("work_order_id", "no such work order")
            raise InvalidInput("Unknown work order.", [problem])
    whistle = whistles.blow(
        form.matter, form.departments, order, staff, d.clock.now(), reference=d.reference, limits=d.limits
    )
    d.whistles.create(whistle)
    d.workflows.watch_whistle(whistle.id, whistle.version)
    return respond(whistle_view(whistle, d.reference), 201)


@bp.route("/whistles", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[WhistleView], query=WhistleFilter)
def list_whistles() -> Response:
    """A street's whistles, or (summoned=true) those a department was summoned to."""
    staff = _staff()
    query = parse_query(bp.current_request, WhistleFilter)
    unit = query.unit or staff.unit
    if unit is None:
        raise InvalidInput("Name the unit.", [FieldProblem("unit", "required for hotline staff")])
    if unit != staff.unit and not staff.hotline_centre:
        raise Forbidden("A unit lists its own whistles.")
    d = deps()
    found, cursor = d.whistles.of_unit(unit, query.summoned, query.limit, query.cursor)
    return respond(Page[WhistleView](items=[whistle_view(w, d.reference) for w in found], next=cursor))


@bp.route("/whistles/{whistle_id}", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(WhistleView)
def get_whistle(whistle_id: str) -> Response:
    staff = _staff()
    d = deps()
    whistle = whistles.visible(d.whistles.get(whistle_id), staff, whistle_id)
    return respond(whistle_view(whistle, d.reference))


def _change_whistle(
    whistle_id: str,
    form_model: type[W],
    may: Callable[[whistles.Whistle, Staff], object],
    change: Callable[[whistles.Whistle, Staff, W], whistles.Whistle],
) -> whistles.Whistle:
    """Read the whistle once; then scope and who may act, input, its status, and last the version
    (API.md's order); one conditional write."""
    staff, d = _staff(), deps()
    whistle = whistles.visible(d.whistles.get(whistle_id), staff, whistle_id)
    may(whistle, staff)
    form = parse(bp.current_request, form_model)
    changed = change(whistle, staff, form)
    version = getattr(form, "version", None)
    if version is not None and version != whistle.version:
        raise StaleVersion("The whistle")
    d.whistles.update(changed, expected_version=whistle.version)
    return changed


@bp.route("/whistles/{whistle_id}/summon", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(WhistleView, body=SummonForm, conflicts=True)
def summon_departments(whistle_id: str) -> Response:
    d = deps()
    changed = _change_whistle(
        whistle_id,
        SummonForm,
        whistles.require_own,
        lambda w, staff, f: whistles.summon(
            w, f.departments, staff, d.clock.now(), reference=d.reference, limits=d.limits
        ),
    )
    d.workflows.watch_whistle(whistle_id, changed.version)
    return respond(whistle_view(changed, d.reference))


@bp.route("/whistles/{whistle_id}/report", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(WhistleView, body=ReportForm, conflicts=True)
def report_for_duty(whistle_id: str) -> Response:
    d = deps()
    changed = _change_whistle(
        whistle_id,
        ReportForm,
        whistles.require_summoned,
        lambda w, staff, f: whistles.report(w, f.note, staff, d.clock.now()),
    )
    return respond(whistle_view(changed, d.reference))


@bp.route("/whistles/{whistle_id}/close", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(WhistleView, body=CloseWhistleForm, conflicts=True)
def close_whistle(whistle_id: str) -> Response:
    d = deps()
    changed = _change_whistle(
        whistle_id,
        CloseWhistleForm,
        whistles.require_own,
        lambda w, staff, f: whistles.close(w, f.result, staff, d.clock.now()),
    )
    return respond(whistle_view(changed, d.reference))


# --- 知识库 (Art. 31) ---------------------------------------------------------------------------


class KnowledgeFilter(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    q: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    unit: Annotated[str, StringConstraints(max_length=64)] | None = None


@bp.route("/knowledge", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[KnowledgeListing], query=KnowledgeFilter)
def list_knowledge() -> Response:
    """Every entry (expired ones too, for their units to renew), or a search of the valid ones."""
    _staff()
    query = parse_query(bp.current_request, KnowledgeFilter)
    d = deps()
    entries = d.reference.knowledge()
    if query.q:
        today = d.clock.now().astimezone(BEIJING).date()
        found = {a.id: a.confidence for a in knowledge.search(entries, query.q, today, limit=20)}
        items = [
            KnowledgeListing(**dict(e), confidence=found[e.id])
            for e in sorted(entries, key=lambda e: -found.get(e.id, -1))
            if e.id in found
        ]
    else:
        items = [KnowledgeListing(**dict(e)) for e in sorted(entries, key=lambda e: e.id)]
    if query.unit:
        items = [i for i in items if i.unit == query.unit]
    return respond(Page[KnowledgeListing](items=items))


@bp.route("/knowledge/{entry_id}", methods=["PUT"], cors=True, authorizer=staff_auth)
@api
@doc(knowledge.KnowledgeEntry, body=knowledge.KnowledgeEdit, conflicts=True)
def save_knowledge(entry_id: str) -> Response:
    staff = _staff()
    d = deps()
    knowledge.require_keeper(staff, d.reference.knowledge_entry(entry_id))
    edit = parse(bp.current_request, knowledge.KnowledgeEdit)
    saved = knowledge.save(entry_id, edit, staff, reference=d.reference, clock=d.clock)
    _audit(staff, "knowledge.saved", entry_id, version=str(saved.version), question=saved.question)
    return respond(saved)


# --- 京津冀 and central units (Arts. 21, 22) ------------------------------------------------------


class TransferForm(Versioned):
    partner: Annotated[str, StringConstraints(max_length=64)]
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


@bp.route(ORDER + "/transfer", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(StaffOrder, body=TransferForm, conflicts=True)
def transfer_order(order_id: str) -> Response:
    def to(form: TransferForm) -> handling.Action:
        partner = known_partners().get(form.partner)
        if partner is None:
            raise InvalidInput("Unknown partner.", [FieldProblem("partner", f"no partner {form.partner}")])
        return partners.transfer(partner, form.note)

    return _act(order_id, Permission.DISPATCH, TransferForm, to)


@bp.route("/partners", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[partners.Partner])
def list_partners() -> Response:
    _staff()
    return respond(Page[partners.Partner](items=list(known_partners().values())))


@bp.route("/partners/{partner_id}/keys", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(PartnerKey, status=201)
def issue_partner_key(partner_id: str) -> Response:
    """A new machine key for a partner; the answer is the only time the key is shown."""
    staff = _staff()
    partner = known_partners().get(partner_id)
    if partner is None:
        raise NotFound(f"No partner {partner_id}.")
    d = deps()
    key, client = partners.issue(partner, staff, d.clock.now())
    d.reference.put_api_client(client)
    _audit(staff, "key.issued", client.id, audience="partner", partner=partner.id)
    return respond(PartnerKey(partner=partner.id, key=key, created_at=client.created_at), 201)


# --- Open311 GeoReport v2 clients -------------------------------------------------------------


@bp.route("/open311/clients/{client}/keys", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(Open311Key, status=201)
def issue_open311_key(client: str) -> Response:
    """A new Open311 api_key for a client app (admins only); the answer is the only time it is shown."""
    staff = _staff()
    d = deps()
    key, issued = partners.issue_open311(client, staff, d.clock.now())
    d.reference.put_api_client(issued)
    _audit(staff, "key.issued", issued.id, audience="open311", partner=issued.partner)
    return respond(Open311Key(client=issued.partner, key=key, created_at=issued.created_at), 201)
