"""Staff accounts an administrator manages: roles (Cognito groups) and the unit (custom:unit).

A staff member either works in a unit (handler, unit_leader; the unit scopes what they see) or in
the hotline centre (operator, dispatcher, supervisor, analyst, admin; no unit). Mixing the two would
let one account act as both sides of an order, so it is refused."""

from __future__ import annotations

import re
import secrets
import string
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .catalogue import Catalogue
from .errors import DomainError, FieldProblem, InvalidInput, Kind, NotFound
from .model import HOTLINE_ROLES, Staff

Role = Literal["operator", "dispatcher", "handler", "unit_leader", "supervisor", "analyst", "admin"]
UNIT_ROLES = frozenset({"handler", "unit_leader"})
USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,63}$")
Username = Annotated[str, StringConstraints(pattern=USERNAME.pattern)]
Email = Annotated[
    str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}\.[a-z]{2,24}$", max_length=254)
]
UnitId = Annotated[str, StringConstraints(min_length=1, max_length=64)]  # no unit is null, never ""


class Account(BaseModel):
    """A staff account as the directory holds it."""

    model_config = ConfigDict(defer_build=True)

    username: str
    email: str | None
    roles: list[str]
    unit: str | None
    enabled: bool
    status: str
    created_at: datetime | None


class NewAccount(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    username: Username
    email: Email | None = None
    roles: Annotated[list[Role], Field(min_length=1, max_length=7)]
    unit: UnitId | None = None


class AccountEdit(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    roles: Annotated[list[Role], Field(min_length=1, max_length=7)]
    unit: UnitId | None = None
    enabled: bool = True


def check_roles(roles: Sequence[str], unit: str | None, reference: Catalogue) -> None:
    """A unit's roles need an existing unit; hotline-centre roles have none; never both kinds."""
    wanted = set(roles)
    unit_roles, hotline_roles = wanted & UNIT_ROLES, wanted & HOTLINE_ROLES
    if unit_roles and hotline_roles:
        raise InvalidInput(
            "A unit's roles and the hotline centre's roles cannot be combined.",
            [
                FieldProblem(
                    "roles", f"{', '.join(sorted(unit_roles))} with {', '.join(sorted(hotline_roles))}"
                )
            ],
        )
    if unit_roles and not unit:
        raise InvalidInput("Name the unit.", [FieldProblem("unit", "required for handler and unit_leader")])
    if hotline_roles and unit:
        raise InvalidInput(
            "Hotline-centre staff belong to no unit.", [FieldProblem("unit", "must be empty for these roles")]
        )
    if unit and reference.unit(unit) is None:
        raise InvalidInput("Unknown unit.", [FieldProblem("unit", f"no unit {unit}")])


def check_edit(staff: Staff, username: str, edit: AccountEdit) -> None:
    """An administrator cannot lock themself out."""
    if username != staff.username:
        return
    if not edit.enabled:
        raise InvalidInput(
            "You cannot disable your own account.", [FieldProblem("enabled", "your own account")]
        )
    if "admin" not in edit.roles:
        raise InvalidInput(
            "You cannot drop your own admin role.", [FieldProblem("roles", "your own admin role")]
        )


@dataclass(frozen=True)
class AccountChange:
    """An edit of an account, checked whole before the directory is called: what it adds, removes
    and sets, and what the account was (to put it back if the directory fails part-way)."""

    before: Account
    roles: tuple[str, ...]
    unit: str | None
    enabled: bool

    @property
    def username(self) -> str:
        return self.before.username

    @property
    def added(self) -> list[str]:
        return [r for r in get_args(Role) if r in self.roles and r not in self.before.roles]

    @property
    def removed(self) -> list[str]:
        return [r for r in get_args(Role) if r in self.before.roles and r not in self.roles]

    @property
    def unit_changed(self) -> bool:
        return self.unit != self.before.unit

    @property
    def enabled_changed(self) -> bool:
        return self.enabled != self.before.enabled

    @property
    def ends_sessions(self) -> bool:
        """New roles or unit take effect with the next token: the sessions holding the old ones end."""
        return bool(self.added or self.removed or self.unit_changed or not self.enabled)

    def summary(self) -> str:
        after = [r for r in get_args(Role) if r in self.roles]
        return (
            f"roles {', '.join(self.before.roles) or '-'} -> {', '.join(after)}; "
            f"unit {self.before.unit or '-'} -> {self.unit or '-'}; "
            f"{'enabled' if self.enabled else 'disabled'}"
        )


class Directory(ABC):
    """The staff accounts (Cognito: groups are the roles, custom:unit the unit)."""

    @abstractmethod
    def accounts(
        self, role: str | None, prefix: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Account], str | None]:
        """A page of accounts, one role's or all, optionally those whose name starts with `prefix`."""

    @abstractmethod
    def account(self, username: str) -> Account | None: ...

    @abstractmethod
    def create(
        self, username: str, email: str | None, roles: list[str], unit: str | None, password: str
    ) -> Account:
        """A new account whose temporary `password` must be changed at the first sign-in; Conflict
        when the name is taken."""

    @abstractmethod
    def update(self, change: AccountChange) -> Account:
        """Apply a checked change whole: when the directory fails part-way, what was changed is put
        back and AccountChangeFailed raised."""

    @abstractmethod
    def reset_password(self, username: str, password: str) -> None:
        """A new temporary password, to be changed at the next sign-in."""


class Revocations(ABC):
    """When each staff account's tokens were last revoked (disabled, new roles or unit, new
    password): a token issued at or before that moment is refused."""

    @abstractmethod
    def revoke(self, username: str) -> datetime:
        """Revoke every token of `username` issued until now; returns the moment recorded."""

    @abstractmethod
    def revoked_at(self, username: str) -> datetime | None:
        """The latest revocation of `username`'s tokens, if any (may be a short while stale)."""


def plan_edit(
    staff: Staff, username: str, edit: AccountEdit, before: Account | None, reference: Catalogue
) -> AccountChange:
    """The whole edit checked (the account exists, the roles and unit go together, the unit exists,
    an administrator keeps their own access) before anything is changed."""
    if before is None:
        raise NotFound(f"No account {username}.")
    check_roles(edit.roles, edit.unit, reference)
    check_edit(staff, username, edit)
    return AccountChange(
        before=before, roles=tuple(dict.fromkeys(edit.roles)), unit=edit.unit, enabled=edit.enabled
    )


class AccountChangeFailed(DomainError):
    """The directory failed part-way through a change (unavailable). `restored`: what had been changed was
    put back, so the account is as it was; otherwise it is left part-changed and must be checked."""

    def __init__(self, username: str, step: str, restored: bool) -> None:
        if restored:
            message = (
                f"The staff directory failed while changing {username} ({step}); nothing was changed. "
                "Try again in a moment."
            )
            code = "account_unchanged"
        else:
            message = (
                f"The staff directory failed while changing {username} ({step}) and putting the account "
                "back failed too: check its roles, unit and state, then save it again."
            )
            code = "account_incomplete"
        super().__init__(message, [], code, Kind.UNAVAILABLE)
        self.step = step
        self.restored = restored


class AccountCreationFailed(DomainError):
    """The directory created the account but failed to give it its roles (unavailable). `secured`: the
    account is disabled and holds no role; otherwise it is left as the failure found it."""

    def __init__(self, username: str, step: str, secured: bool) -> None:
        if secured:
            message = (
                f"The staff directory failed while giving {username} its roles ({step}); the account "
                "exists, disabled and without roles: edit it to give it its roles and enable it."
            )
            code = "account_disabled"
        else:
            message = (
                f"The staff directory failed while giving {username} its roles ({step}) and disabling "
                "the account failed too: check its roles, unit and state, then save it again."
            )
            code = "account_incomplete"
        super().__init__(message, [], code, Kind.UNAVAILABLE)
        self.step = step
        self.restored = secured


ALPHABETS = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "!#$%*+-=?@^_")


def temporary_password(length: int = 16) -> str:
    """Meets the pool's policy (12+, upper, lower, digit, symbol); changed at the first sign-in."""
    chosen = [secrets.choice(alphabet) for alphabet in ALPHABETS]
    everything = "".join(ALPHABETS)
    chosen += [secrets.choice(everything) for _ in range(length - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)
