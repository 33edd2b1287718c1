"""Staff routes for administrators and supervisors: accounts, units, machine keys, the audit trail,
and the units' live ranking by the three rates. Mounted under /api/v1/staff with the staff
authorizer; the domain modules are imported where they are used (the API's import-time budget)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from chalice import Blueprint, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..domain.accounts import (
    Account,
    AccountChangeFailed,
    AccountCreationFailed,
    AccountEdit,
    NewAccount,
    Role,
)
from ..domain.assessment import AssessmentQuery, Assessments
from ..domain.audit import AuditEntry
from ..domain.errors import FieldProblem, Forbidden, InvalidInput, NotFound
from ..domain.model import Staff, Unit, UnitKind, WorkOrder
from ..domain.views import UnitView
from ..wiring import deps
from .auth import staff_from
from .http import Page, api, doc, parse, parse_query, respond
from .staff_api import _audit, staff_auth

if TYPE_CHECKING:
    from ..domain.partners import ApiClient

bp = Blueprint(__name__)
Cursor = Annotated[str, StringConstraints(max_length=2000)]


def _staff() -> Staff:
    return staff_from(bp.current_request.context)


def _admin() -> Staff:
    staff = _staff()
    if "admin" not in staff.roles:
        raise Forbidden("Only an administrator may do this.")
    return staff


# --- staff accounts ------------------------------------------------------------------------------


class StaffUser(BaseModel):
    model_config = ConfigDict(defer_build=True)

    username: str
    email: str | None
    roles: list[str]
    unit: UnitView | None
    enabled: bool
    status: str
    created_at: datetime | None


class NewStaffUser(BaseModel):
    model_config = ConfigDict(defer_build=True)

    user: StaffUser
    temporary_password: str


class TemporaryPassword(BaseModel):
    model_config = ConfigDict(defer_build=True)

    temporary_password: str


class UserFilter(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    role: Role | None = None
    q: Annotated[str, StringConstraints(pattern=r"^[a-z0-9._-]{1,64}$")] | None = None
    limit: Annotated[int, Field(ge=1, le=60)] = 30
    cursor: Cursor | None = None


def _user(account: Account) -> StaffUser:
    unit = deps().reference.unit(account.unit) if account.unit else None
    return StaffUser(
        **account.model_dump(exclude={"unit"}),
        unit=UnitView(id=unit.id, name=unit.name, kind=unit.kind.value)
        if unit
        else (UnitView(id=account.unit, name=account.unit, kind="unknown") if account.unit else None),
    )


def _audit_failure(
    staff: Staff, action: str, target: str, attempted: str, error: AccountChangeFailed | AccountCreationFailed
) -> None:
    """A change the directory failed part-way through: what was attempted, where it failed, and
    whether the account was put back."""
    outcome = "put back as it was" if error.restored else "NOT put back: check it"
    if isinstance(error, AccountCreationFailed):
        outcome = "kept disabled, without roles" if error.restored else "NOT disabled: check it"
    _audit(staff, action, target, f"failed at {error.step}; {outcome}. Attempted: {attempted}")


def _username(username: str) -> str:
    from ..domain.accounts import USERNAME

    if not USERNAME.match(username):
        raise NotFound(f"No account {username}.")
    return username


@bp.route("/users", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[StaffUser], query=UserFilter)
def list_users() -> Response:
    _admin()
    query = parse_query(bp.current_request, UserFilter)
    found, after = deps().directory.accounts(query.role, query.q, query.limit, query.cursor)
    return respond(Page[StaffUser](items=[_user(a) for a in found], next=after))


@bp.route("/users", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(NewStaffUser, body=NewAccount, status=201, conflicts=True)
def create_user() -> Response:
    """A new staff account; the answer shows its temporary password this once."""
    from ..domain.accounts import check_roles, temporary_password

    staff = _admin()
    form = parse(bp.current_request, NewAccount)
    d = deps()
    check_roles(form.roles, form.unit, d.reference)
    password = temporary_password()
    attempted = f"roles {', '.join(form.roles)}; unit {form.unit or '-'}"
    try:
        account = d.directory.create(form.username, form.email, list(form.roles), form.unit, password)
    except AccountCreationFailed as error:
        _audit_failure(staff, "user.create_failed", form.username, attempted, error)
        raise
    _audit(staff, "user.created", account.username, attempted)
    return respond(NewStaffUser(user=_user(account), temporary_password=password), 201)


@bp.route("/users/{username}", methods=["PUT"], cors=True, authorizer=staff_auth)
@api
@doc(StaffUser, body=AccountEdit)
def update_user(username: str) -> Response:
    """New roles, unit or enabled state, all or nothing; the account's open sessions end (new tokens
    carry the change). The whole edit is checked before the directory is called; when the directory
    fails part-way, the account is put back as it was (503) and the failure is in the audit trail."""
    from ..domain.accounts import plan_edit

    staff = _admin()
    d = deps()
    before = d.directory.account(_username(username))
    if before is None:
        raise NotFound(f"No account {username}.")
    edit = parse(bp.current_request, AccountEdit)
    change = plan_edit(staff, username, edit, before, d.reference)
    try:
        account = d.directory.update(change)
    except AccountChangeFailed as error:
        _audit_failure(staff, "user.update_failed", username, change.summary(), error)
        raise
    _audit(staff, "user.updated", username, change.summary())
    return respond(_user(account))


@bp.route("/users/{username}/password", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(TemporaryPassword)
def reset_password(username: str) -> Response:
    """A new temporary password (shown this once), to be changed at the next sign-in."""
    from ..domain.accounts import temporary_password

    staff = _admin()
    d = deps()
    if d.directory.account(_username(username)) is None:
        raise NotFound(f"No account {username}.")
    password = temporary_password()
    try:
        d.directory.reset_password(username, password)
    except AccountChangeFailed as error:
        _audit_failure(staff, "user.password_reset_failed", username, "a new temporary password", error)
        raise
    _audit(staff, "user.password_reset", username)
    return respond(TemporaryPassword(temporary_password=password))


# --- units ---------------------------------------------------------------------------------------


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
    import re

    from ..domain.errors import StaleVersion

    staff = _admin()
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
    _audit(staff, "unit.saved", unit_id, f"version {saved.version}: {saved.name}")
    return respond(saved)


# --- machine keys --------------------------------------------------------------------------------


class ApiClientView(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    audience: str
    client: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None


class PageQuery(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    limit: Annotated[int, Field(ge=1, le=100)] = 50
    cursor: Cursor | None = None


@bp.route("/api-clients", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[ApiClientView], query=PageQuery)
def list_api_clients() -> Response:
    """The issued partner and Open311 keys (never the keys themselves)."""
    _admin()
    query = parse_query(bp.current_request, PageQuery)
    found, after = deps().reference.api_clients(query.limit, query.cursor)
    return respond(Page[ApiClientView](items=[_client_view(c) for c in found], next=after))


@bp.route("/api-clients/{key_id}/revoke", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(ApiClientView, conflicts=True)
def revoke_api_client(key_id: str) -> Response:
    """The key stops working at once (409 when it is revoked already)."""
    import re

    staff = _admin()
    d = deps()
    revoked = (
        d.reference.revoke_api_client(key_id, d.clock.now(), staff.username)
        if re.fullmatch(r"[0-9a-f]{16}", key_id)
        else None
    )
    if revoked is None:
        raise NotFound(f"No key {key_id}.")
    _audit(staff, "key.revoked", key_id, f"{revoked.audience} key of {revoked.partner}")
    return respond(_client_view(revoked))


def _client_view(client: ApiClient) -> ApiClientView:
    return ApiClientView(
        id=client.id,
        audience=client.audience,
        client=client.partner,
        created_by=client.created_by,
        created_at=client.created_at,
        revoked_at=client.revoked_at,
        revoked_by=client.revoked_by,
    )


# --- the audit trail -----------------------------------------------------------------------------


class AuditQuery(PageQuery):
    model_config = ConfigDict(defer_build=True)

    actor: Annotated[str, StringConstraints(max_length=64)] | None = None


@bp.route("/audit", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Page[AuditEntry], query=AuditQuery)
def list_audit() -> Response:
    """Who changed accounts, units, the catalogue, the time limits, the knowledge base and keys."""
    staff = _staff()
    if not staff.roles & {"admin", "supervisor"}:
        raise Forbidden("The audit trail is for administrators and supervisors.")
    query = parse_query(bp.current_request, AuditQuery)
    found, after = deps().reference.audit(query.actor, query.limit, query.cursor)
    return respond(Page[AuditEntry](items=found, next=after))


# --- the three rates, live -----------------------------------------------------------------------

# A live ranking reads at most this many orders of the month; the analytics pipeline has no limit.
LIVE_ORDERS = 20_000


@bp.route("/analytics/assessments", methods=["GET"], cors=True, authorizer=staff_auth)
@api
@doc(Assessments, query=AssessmentQuery)
def assessments() -> Response:
    """Units of one kind ranked by response, resolution and satisfaction rates of a month: the
    monthly run's ranking once it has run (with whistles on both sides), live figures before."""
    from ..domain.assessment import WEIGHTS, assess, month_bounds
    from ..domain.intake import BEIJING
    from ..domain.ports import OrderQuery

    staff = _staff()
    if not staff.roles & {"supervisor", "analyst"}:
        raise Forbidden("The ranking is for supervisors and analysts.")
    query = parse_query(bp.current_request, AssessmentQuery)
    d = deps()
    stored = d.insights.assessments(query.month, query.kind)
    if stored is not None:
        run = d.insights.month_run(query.month)
        policy = d.analytics_policy.rates
        return respond(
            Assessments(
                month=query.month,
                kind=query.kind,
                source="monthly",
                ran_at=run.ran_at if run else None,
                weights=policy.weights,
                orders=sum(a.dispatched + (a.excluded or 0) for a in stored),
                items=stored,
            )
        )
    start, end = month_bounds(query.month, BEIJING)
    orders: list[WorkOrder] = []
    cursor: str | None = None
    while len(orders) < LIVE_ORDERS:
        page = d.orders.find(OrderQuery(created_from=start, created_to=end, limit=100, cursor=cursor))
        orders += page.items
        cursor = page.next
        if cursor is None:
            break
    ranked = assess(orders, query.kind, d.reference, WEIGHTS)
    return respond(
        Assessments(
            month=query.month,
            kind=query.kind,
            weights=WEIGHTS,
            truncated=cursor is not None,
            orders=len(orders),
            items=ranked,
        )
    )
