"""The units and the dispatch catalogue with its time limits (Arts. 11, 15): read by every staff
member, changed by administrators, each change conditional and audited."""

from __future__ import annotations

import re
from typing import Annotated

from chalice import Blueprint, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ...domain.access import Permission, require
from ...domain.errors import FieldProblem, InvalidInput, StaleVersion
from ...domain.model import Category, Unit, UnitKind
from ...wiring import deps
from ..auth import admin, audit, caller, staff_auth
from ..http import Page, api, doc, parse, parse_query, respond

bp = Blueprint(__name__)
# The catalogue's and the time limits' rules load with the first edit (the staff function's import time).
POLICY = "chalicelib.domain.policy"
LIMITS = "chalicelib.domain.deadlines:TimeLimits"


class UnitFilter(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    kind: UnitKind | None = None


@bp.route("/units", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[Unit], query=UnitFilter)
def list_units() -> Response:
    caller()
    kind = parse_query(bp.current_request, UnitFilter).kind
    return respond(Page[Unit](items=deps().reference.units(kind)))


@bp.route("/catalogue", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[Category])
def list_catalogue() -> Response:
    caller()
    return respond(Page[Category](items=deps().reference.categories()))


@bp.route("/catalogue/{code}", methods=["PUT"], cors=True, authorizer=staff_auth)
@api
@doc(Category, body=f"{POLICY}:CategoryEdit", conflicts=True)
def save_category(code: str) -> Response:
    from ...domain import policy

    staff = caller()
    require(staff, Permission.EDIT_POLICY)
    edit = parse(bp.current_request, policy.CategoryEdit)
    d = deps()
    saved = policy.save_category(code, edit, staff, reference=d.reference, clock=d.clock, limits=d.limits)
    audit(staff, "category.saved", code, version=str(saved.version), name=saved.name, tier=saved.tier)
    return respond(saved)


@bp.route("/catalogue/{code}/history", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[Category])
def category_history(code: str) -> Response:
    from ...domain import policy

    caller()
    versions = policy.history(code, deps().reference)
    return respond(Page[Category](items=versions))


@bp.route("/time-limits", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(LIMITS)
def get_time_limits() -> Response:
    caller()
    return respond(deps().limits)


@bp.route("/time-limits", methods=["PUT"], cors=True, authorizer=staff_auth)
@api
@doc(LIMITS, body=f"{POLICY}:LimitsEdit", conflicts=True)
def save_time_limits() -> Response:
    from ...domain import policy

    staff = caller()
    require(staff, Permission.EDIT_POLICY)
    edit = parse(bp.current_request, policy.LimitsEdit)
    d = deps()
    saved = policy.save_time_limits(edit, staff, reference=d.reference, clock=d.clock)
    audit(staff, "time_limits.saved", "time_limits", version=str(saved.version))
    return respond(saved)


class UnitEdit(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=60)]
    kind: UnitKind
    district: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None = None
    version: Annotated[int, Field(ge=0, le=1_000_000)]


UNIT_IDS = {
    UnitKind.STREET: (r"^\d{9}$", "a 9-digit division code"),
    UnitKind.DISTRICT: (r"^\d{6}$", "a 6-digit division code"),
    UnitKind.DEPARTMENT: (r"^[a-z0-9][a-z0-9-]{1,39}$", "2 to 40 of a-z, 0-9 and -"),
    UnitKind.ENTERPRISE: (r"^[a-z0-9][a-z0-9-]{1,39}$", "2 to 40 of a-z, 0-9 and -"),
}


@bp.route("/units/{unit_id}", methods=["PUT"], cors=True, authorizer=staff_auth)
@api
@doc(Unit, body=UnitEdit, conflicts=True)
def save_unit(unit_id: str) -> Response:
    """Add a unit (version 0) or rename it; conditional on the version read, the previous kept."""

    staff = admin()
    edit = parse(bp.current_request, UnitEdit)
    d = deps()
    pattern, rule = UNIT_IDS[edit.kind]
    problems = [] if re.match(pattern, unit_id) else [FieldProblem("unit_id", rule)]
    if edit.kind is UnitKind.STREET and edit.district is None:
        problems.append(FieldProblem("district", "required for a street/township"))
    if edit.district is not None:
        district = d.reference.unit(edit.district)
        if district is None or district.kind is not UnitKind.DISTRICT:
            problems.append(FieldProblem("district", f"no district {edit.district}"))
    if problems:
        raise InvalidInput("The unit is not valid.", problems)
    stored = d.reference.unit(unit_id)
    if (stored is None and edit.version != 0) or (stored is not None and stored.version != edit.version):
        raise StaleVersion("The unit")
    if stored is not None and stored.kind is not edit.kind:
        raise InvalidInput("A unit keeps its kind.", [FieldProblem("kind", f"is {stored.kind.value}")])
    unit = Unit(id=unit_id, name=edit.name, kind=edit.kind, district=edit.district, version=edit.version + 1)
    saved = d.reference.put_unit(unit, stored.version if stored else None)
    audit(staff, "unit.saved", unit_id, version=str(saved.version), name=saved.name)
    return respond(saved)


# --- machine keys --------------------------------------------------------------------------------
