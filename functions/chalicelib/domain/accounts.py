"""Staff accounts an administrator manages: roles (Cognito groups) and the unit (custom:unit).

A staff member either works in a unit (handler, unit_leader; the unit scopes what they see) or in
the hotline centre (operator, dispatcher, supervisor, analyst, admin; no unit). Mixing the two would
let one account act as both sides of an order, so it is refused."""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .errors import FieldProblem, InvalidInput
from .model import HOTLINE_ROLES, Staff
from .ports import Reference

Role = Literal["operator", "dispatcher", "handler", "unit_leader", "supervisor", "analyst", "admin"]
UNIT_ROLES = frozenset({"handler", "unit_leader"})
USERNAME = re.compile(r"^[a-z][a-z0-9._-]{2,63}$")
Username = Annotated[str, StringConstraints(pattern=USERNAME.pattern)]
Email = Annotated[
    str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}\.[a-z]{2,24}$", max_length=254)
]
UnitId = Annotated[str, StringConstraints(max_length=64)]


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


def check_roles(roles: Sequence[str], unit: str | None, reference: Reference) -> None:
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


ALPHABETS = (string.ascii_uppercase, string.ascii_lowercase, string.digits, "!#$%*+-=?@^_")


def temporary_password(length: int = 16) -> str:
    """Meets the pool's policy (12+, upper, lower, digit, symbol); changed at the first sign-in."""
    chosen = [secrets.choice(alphabet) for alphabet in ALPHABETS]
    everything = "".join(ALPHABETS)
    chosen += [secrets.choice(everything) for _ in range(length - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)
