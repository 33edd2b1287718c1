"""街乡吹哨、部门报到 (Arts. 16, 33): a street blows the whistle, summons departments, they report for
duty, the street closes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

from chalice import Blueprint, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ...domain.errors import FieldProblem, Forbidden, InvalidInput, StaleVersion
from ...domain.model import Staff
from ...wiring import deps
from ..auth import caller, staff_auth
from ..http import api, doc, parse, parse_query, respond
from .forms import Note, Versioned

if TYPE_CHECKING:
    from ...domain import whistles

bp = Blueprint(__name__)
# The rules and the view load with the first call (the staff function's import time).
VIEW = "chalicelib.domain.whistle_views:WhistleView"
W = TypeVar("W", bound=BaseModel)

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
@doc(VIEW, body=WhistleForm, status=201)
def blow_whistle() -> Response:
    from ...domain import whistles
    from ...domain.whistle_views import whistle_view

    staff = caller()
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
@doc(f"Page[{VIEW}]", query=WhistleFilter)
def list_whistles() -> Response:
    """A street's whistles, or (summoned=true) those a department was summoned to."""
    from ...domain.whistle_views import WhistleView, whistle_view
    from ..http import Page

    staff = caller()
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
@doc(VIEW)
def get_whistle(whistle_id: str) -> Response:
    from ...domain import whistles
    from ...domain.whistle_views import whistle_view

    staff = caller()
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
    from ...domain import whistles

    staff, d = caller(), deps()
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
@doc(VIEW, body=SummonForm, conflicts=True)
def summon_departments(whistle_id: str) -> Response:
    from ...domain import whistles
    from ...domain.whistle_views import whistle_view

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
@doc(VIEW, body=ReportForm, conflicts=True)
def report_for_duty(whistle_id: str) -> Response:
    from ...domain import whistles
    from ...domain.whistle_views import whistle_view

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
@doc(VIEW, body=CloseWhistleForm, conflicts=True)
def close_whistle(whistle_id: str) -> Response:
    from ...domain import whistles
    from ...domain.whistle_views import whistle_view

    d = deps()
    changed = _change_whistle(
        whistle_id,
        CloseWhistleForm,
        whistles.require_own,
        lambda w, staff, f: whistles.close(w, f.result, staff, d.clock.now()),
    )
    return respond(whistle_view(changed, d.reference))


# --- 知识库 (Art. 31) ---------------------------------------------------------------------------
