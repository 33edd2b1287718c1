"""Staff routes for administrators and supervisors: accounts, units, machine keys and the audit
trail (the units' ranking is in analytics_api). Mounted under /api/v1/staff with the staff
authorizer; the domain modules are imported where they are used (the API's import-time budget)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

from chalice import Blueprint, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..domain.accounts import (
    Account,
    AccountChange,
    AccountChangeFailed,
    AccountCreationFailed,
    AccountEdit,
    NewAccount,
    Role,
)
from ..domain.audit import AuditEntry
from ..domain.errors import FieldProblem, Forbidden, InvalidInput, NotFound
from ..domain.model import Staff, Unit, UnitKind
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
    staff: Staff,
    action: str,
    target: str,
    error: AccountChangeFailed | AccountCreationFailed,
    **attempted: str,
) -> None:
    """A change the directory failed part-way through: what was attempted, the step it failed at,
    and whether the account was put back (a new account: kept disabled, without roles)."""
    _audit(
        staff, action, target, **attempted, step=error.step, restored="true" if error.restored else "false"
    )


def _change(change: AccountChange) -> dict[str, str]:
    """An account edit as the audit trail's parameters (the portal words them)."""
    return {
        "roles_before": ",".join(change.before.roles),
        "roles": ",".join(change.roles),
        "unit_before": change.before.unit or "",
        "unit": change.unit or "",
        "enabled": "true" if change.enabled else "false",
    }


def _username(username: str) -> str:
    from ..domain.accounts import USERNAME

    if not USERNAME.match(username):
        raise NotFound(f"No account {username}.")
    return username


def _revoke_tokens(username: str, before: Account | None = None, after: Account | None = None) -> None:
    """The account's tokens stop working (within the authorizer's cache period, at most a minute)
    once it is disabled, its roles or unit change, or its password is reset; its sessions have
    ended in Cognito already, so it cannot get new tokens with the old claims."""
    if before is not None and after is not None:
        unchanged = (set(before.roles), before.unit) == (set(after.roles), after.unit)
        if unchanged and after.enabled:
            return
    deps().revocations.revoke(username)


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
    try:
        account = d.directory.create(form.username, form.email, list(form.roles), form.unit, password)
    except AccountCreationFailed as error:
        _audit_failure(
            staff,
            "user.create_failed",
            form.username,
            error,
            roles=",".join(form.roles),
            unit=form.unit or "",
        )
        raise
    _audit(staff, "user.created", account.username, roles=",".join(account.roles), unit=account.unit or "")
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
        if not error.restored:
            _revoke_tokens(username)  # part of the change may have stuck: its old tokens end
        _audit_failure(staff, "user.update_failed", username, error, **_change(change))
        raise
    _revoke_tokens(username, before, account)
    _audit(staff, "user.updated", username, **_change(change))
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
        _audit_failure(staff, "user.password_reset_failed", username, error)
        raise
    _revoke_tokens(username)
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
    _audit(staff, "unit.saved", unit_id, version=str(saved.version), name=saved.name)
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
    _audit(staff, "key.revoked", key_id, audience=revoked.audience, partner=revoked.partner)
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
