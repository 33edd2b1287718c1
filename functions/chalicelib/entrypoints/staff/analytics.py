"""Staff routes of proactive governance (每月一题, 未诉先办; DESIGN.md section 8): what the monthly
and daily runs found, the topic board where analysts adopt a topic and name its lead unit, and
"run now". Mounted under /api/v1/staff with the staff authorizer.

Analysts, supervisors and administrators read everything; a unit's staff read the recurrences and
hotspots of their own unit only.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from ...domain.access import ANALYSIS_READERS, ANALYSIS_RUNNERS, MODEL_CHOOSERS, TOPIC_ADOPTERS, UNIT_STAFF
from ...domain.errors import Conflict, FieldProblem, Forbidden, InvalidInput
from ...domain.model import Staff
from ...wiring import deps
from ..auth import audit, caller, caller_in, staff_auth
from ..http import api, doc, parse, parse_query, respond

bp = Blueprint(__name__)
# The models load with the first analytics call (the API's import-time budget).
VIEWS = "chalicelib.entrypoints.analytics_views"
INSIGHTS = "chalicelib.domain.insights"


def _reader() -> Staff:
    return caller_in(ANALYSIS_READERS, "The analyses are for analysts, supervisors and administrators.")


def _reader_or_unit() -> tuple[Staff, str | None]:
    """The caller, and the unit whose findings alone they may see (None: all)."""
    staff = caller()
    if staff.roles & ANALYSIS_READERS:
        return staff, None
    if staff.roles & UNIT_STAFF and staff.unit:
        return staff, staff.unit
    raise Forbidden("The analyses are for analysts, supervisors, administrators and the units concerned.")


def _month(asked: str | None) -> str | None:
    """The month asked for, or the latest that has run (None before the first run)."""
    if asked is not None:
        return asked
    runs = deps().insights.months()
    return runs[0].month if runs else None


@bp.route("/analytics/months", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(f"{VIEWS}:Months")
def months() -> Response:
    """Every month the monthly run has covered, newest first."""
    from ..analytics_views import Months

    _reader()
    return respond(Months(items=deps().insights.months()))


@bp.route("/analytics/topics", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(f"{VIEWS}:TopicBoard", query=f"{VIEWS}:MonthQuery")
def topics() -> Response:
    """The month's topic candidates with their evidence, and every adopted topic with its volume
    in the months since."""
    from ..analytics_views import MonthQuery, TopicBoard

    _reader()
    month = _month(parse_query(bp.current_request, MonthQuery).month)
    store = deps().insights
    return respond(
        TopicBoard(
            month=month,
            run=store.month_run(month) if month else None,
            candidates=store.candidates(month) if month else [],
            adopted=store.topics(),
        )
    )


@bp.route("/analytics/topics", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(f"{INSIGHTS}:Topic", body=f"{INSIGHTS}:TopicForm", status=201, conflicts=True)
def adopt() -> Response:
    """An analyst adopts a candidate as a topic (每月一题) and names the unit that leads it."""
    from ...domain.insights import Topic, TopicForm
    from ...domain.views import UnitView

    staff = caller_in(TOPIC_ADOPTERS, "Analysts adopt topics.")
    form = parse(bp.current_request, TopicForm)
    d = deps()
    if d.insights.month_run(form.month) is None:
        raise InvalidInput("That month has not run yet.", [FieldProblem("month", "no monthly run")])
    candidate = next((c for c in d.insights.candidates(form.month) if c.key == form.key), None)
    if candidate is None:
        raise InvalidInput("Not a candidate of that month.", [FieldProblem("key", "not a candidate")])
    lead = d.reference.unit(form.lead_unit)
    if lead is None:
        raise InvalidInput("No such unit.", [FieldProblem("lead_unit", "unknown unit")])
    topic = Topic(
        id=f"{form.month}:{candidate.key}",
        month=form.month,
        key=candidate.key,
        title=form.title,
        category=candidate.category,
        category_name=candidate.category_name,
        district=candidate.district,
        district_name=candidate.district_name,
        lead_unit=UnitView(id=lead.id, name=lead.name, kind=lead.kind.value),
        note=form.note,
        adopted_by=staff.username,
        adopted_at=d.clock.now(),
        baseline_orders=candidate.orders,
    )
    if any(t.id == topic.id for t in d.insights.topics()):
        raise Conflict("That candidate is adopted already.", "already_adopted")
    d.insights.put_topic(topic, None)
    audit(staff, "topic.adopt", topic.id, title=topic.title, lead=lead.id)
    return respond(topic, 201)


@bp.route("/analytics/trends", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(f"{VIEWS}:Trends", query=f"{VIEWS}:MonthQuery")
def trends() -> Response:
    """Requests, resolution and satisfaction per category over the months up to `month`."""
    from ..analytics_views import MonthQuery, Trends

    _reader()
    month = _month(parse_query(bp.current_request, MonthQuery).month)
    return respond(Trends(month=month, items=deps().insights.trend(month) if month else []))


@bp.route("/analytics/streets", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(f"{VIEWS}:StreetMap", query=f"{VIEWS}:MonthQuery")
def streets() -> Response:
    """Every street's requests of the month: the heat grid."""
    from ..analytics_views import MonthQuery, StreetMap

    _reader()
    month = _month(parse_query(bp.current_request, MonthQuery).month)
    return respond(StreetMap(month=month, items=deps().insights.streets(month) if month else []))


@bp.route("/analytics/recurrences", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(f"{VIEWS}:Recurrences", query=f"{VIEWS}:MonthQuery")
def recurrences() -> Response:
    """Places where a category came back after closure (a unit sees its own)."""
    from ..analytics_views import MonthQuery, Recurrences

    _, own = _reader_or_unit()
    month = _month(parse_query(bp.current_request, MonthQuery).month)
    found = deps().insights.recurrences(month) if month else []
    if own is not None:
        found = [r for r in found if own in (r.unit, r.street)]
    return respond(Recurrences(month=month, items=found))


@bp.route("/analytics/hotspots", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(f"{VIEWS}:Hotspots", query=f"{VIEWS}:DayQuery")
def hotspots() -> Response:
    """The day's early warnings — streets whose week in a category jumped — and the places where a
    category came back after closure (a unit sees its own)."""
    from ..analytics_views import DayQuery, Hotspots

    _, own = _reader_or_unit()
    store = deps().insights
    day, found = store.hotspots(parse_query(bp.current_request, DayQuery).date)
    month = next((r.month for r in store.months() if day is None or r.month <= day[:7]), None)
    recurring = store.recurrences(month) if month else []
    if own is not None:
        found = [h for h in found if h.street == own]
        recurring = [r for r in recurring if own in (r.unit, r.street)]
    return respond(Hotspots(day=day, items=found, month=month, recurrences=recurring))


@bp.route("/analytics/runs", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(f"{VIEWS}:RunStarted", body=f"{VIEWS}:RunForm", status=202)
def run() -> Response:
    """Run the monthly analysis of a month that has ended now (as the schedule does on the 1st):
    an analyst re-runs a month after late ratings or a changed configuration. A month still under
    way is refused: its figures would stand as the month's and feed the adopted topics."""
    from ...domain.insights import beijing_today, month_of
    from ..analytics_views import RunForm, RunStarted

    staff = caller_in(ANALYSIS_RUNNERS, "Analysts and administrators start the monthly run.")
    form = parse(bp.current_request, RunForm)
    d = deps()
    now = d.clock.now()
    if form.month >= month_of(beijing_today(now)):
        problem = FieldProblem("month", "a month that has ended")
        raise InvalidInput("That month has not ended yet.", [problem])
    stamp = now.strftime("%Y%m%dT%H%M%S")
    execution = d.analytics_runs.start_month(
        form.month, staff.username.replace(".", "-"), stamp, retrain=form.retrain
    )
    audit(staff, "analytics.run", form.month)
    return respond(RunStarted(month=form.month, execution=execution), 202)


@bp.route("/analytics/models", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(f"{VIEWS}:DispatchModels")
def dispatch_models() -> Response:
    """The dispatch models: the one shipped with the code and every retrained one, each with its
    figures on the evaluation set, which one serves, and who changed that when."""
    from ...reference_data import shipped_model
    from ..analytics_views import DispatchModels, shipped_info

    _reader()
    index, _ = deps().dispatch_models.index()
    items = [shipped_info(shipped_model()), *reversed(index.models)]
    serving = index.serving or "shipped"
    return respond(DispatchModels(serving=serving, items=items, changes=list(reversed(index.changes))))


@bp.route("/analytics/models/{version}/serve", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(f"{VIEWS}:DispatchModels", body=f"{VIEWS}:ServeForm", conflicts=True)
def serve_model(version: str) -> Response:
    """An analyst puts a model in service: a retrained one that did not promote itself, or an
    earlier one back (roll-back). Every container serves it within five minutes."""
    from ...domain import smart_dispatch
    from ...reference_data import shipped_model
    from ..analytics_views import DispatchModels, ServeForm, shipped_info

    staff = caller_in(MODEL_CHOOSERS, "Analysts choose the dispatch model that serves.")
    form = parse(bp.current_request, ServeForm)
    d = deps()
    index = smart_dispatch.serve(
        version, staff.username, form.reason, now=d.clock.now(), models=d.dispatch_models
    )
    audit(staff, "model.serve", version, reason=form.reason)
    items = [shipped_info(shipped_model()), *reversed(index.models)]
    return respond(
        DispatchModels(serving=index.serving or "shipped", items=items, changes=list(reversed(index.changes)))
    )
