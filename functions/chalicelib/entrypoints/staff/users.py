"""Staff accounts (administrators only): list, create, change roles, unit or state, reset a
password; each change audited, a failure part-way too, and the account's old tokens revoked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from chalice import Blueprint, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ...domain.accounts import (
    Account,
    AccountChange,
    AccountChangeFailed,
    AccountCreationFailed,
    AccountEdit,
    NewAccount,
    Role,
)
from ...domain.errors import NotFound
from ...domain.model import Staff
from ...wiring import deps
from ..auth import admin, audit, staff_auth
from ..http import api, doc, parse, parse_query, respond
from .forms import Cursor

if TYPE_CHECKING:
    from .models import StaffUser

bp = Blueprint(__name__)
# An account's answer names its unit as the views do: it loads with the first call (import time).
USER = "chalicelib.entrypoints.staff.models:StaffUser"


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
    from ...domain.views import UnitView
    from .models import StaffUser

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
    audit(staff, action, target, **attempted, step=error.step, restored="true" if error.restored else "false")


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
    from ...domain.accounts import USERNAME

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
@doc(f"Page[{USER}]", query=UserFilter)
def list_users() -> Response:
    from ..http import Page
    from .models import StaffUser

    admin()
    query = parse_query(bp.current_request, UserFilter)
    found, after = deps().directory.accounts(query.role, query.q, query.limit, query.cursor)
    return respond(Page[StaffUser](items=[_user(a) for a in found], next=after))


@bp.route("/users", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc("chalicelib.entrypoints.staff.models:NewStaffUser", body=NewAccount, status=201, conflicts=True)
def create_user() -> Response:
    """A new staff account; the answer shows its temporary password this once."""
    from ...domain.accounts import check_roles, temporary_password
    from .models import NewStaffUser

    staff = admin()
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
    audit(staff, "user.created", account.username, roles=",".join(account.roles), unit=account.unit or "")
    return respond(NewStaffUser(user=_user(account), temporary_password=password), 201)


@bp.route("/users/{username}", methods=["PUT"], cors=True, authorizer=staff_auth)
@api
@doc(USER, body=AccountEdit)
def update_user(username: str) -> Response:
    """New roles, unit or enabled state, all or nothing; the account's open sessions end (new tokens
    carry the change). The whole edit is checked before the directory is called; when the directory
    fails part-way, the account is put back as it was (503) and the failure is in the audit trail."""
    from ...domain.accounts import plan_edit

    staff = admin()
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
    from ...domain.inbox import account_changed

    account_changed(d.messages, before, account)
    audit(staff, "user.updated", username, **_change(change))
    return respond(_user(account))


@bp.route("/users/{username}/password", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(TemporaryPassword)
def reset_password(username: str) -> Response:
    """A new temporary password (shown this once), to be changed at the next sign-in."""
    from ...domain.accounts import temporary_password

    staff = admin()
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
    audit(staff, "user.password_reset", username)
    return respond(TemporaryPassword(temporary_password=password))
