"""The dispatch catalogue and the time limits as data an admin edits (DESIGN.md sections 3, 4).

Every edit is conditional on the version the admin read and keeps the previous version, with who
changed it and when."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .catalogue import Catalogue
from .deadlines import TimeLimits, TimeLimitsStore
from .errors import FieldProblem, InvalidInput, NotFound, StaleVersion
from .model import DISTRICT_DEPARTMENT, Category, CategoryKind, Staff, UnitKind, Version
from .ports import Clock

Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]


class CategoryEdit(BaseModel):
    """A category as an admin writes it; `version` is the one read (absent for a new category)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=40)]
    major: Code = "other"  # 大类
    group: Code  # 中类
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    kind: CategoryKind
    tier: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    department: Annotated[str, StringConstraints(max_length=64)] | None = None
    keywords: Annotated[
        list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]],
        Field(max_length=30),
    ] = []
    version: Version | None = None


def save_category(
    code: str, edit: CategoryEdit, staff: Staff, *, reference: Catalogue, clock: Clock, limits: TimeLimits
) -> Category:
    """Add a category or change one, after checking it routes somewhere and has a known tier."""
    if not re.match(r"^[a-z][a-z0-9_]{1,39}$", code):
        raise InvalidInput("Not a category code.", [FieldProblem("code", "2-40 of a-z, 0-9, _")])
    try:
        category = Category(code=code, **edit.model_dump(exclude={"version"}))
    except ValidationError as error:
        found = [FieldProblem(".".join(map(str, e["loc"])), e["msg"]) for e in error.errors()]
        raise InvalidInput("The category is not valid.", found) from error
    problems: list[FieldProblem] = []
    if category.tier not in limits.tiers:
        problems.append(FieldProblem("tier", f"one of {', '.join(limits.tiers)}"))
    if category.kind is CategoryKind.TERRITORIAL and category.department:
        problems.append(FieldProblem("department", "a territorial category names no department"))
    if category.kind is not CategoryKind.TERRITORIAL:
        problems += _department_problems(category.department, reference)
    if problems:
        raise InvalidInput("The category is not valid.", problems)
    stored = reference.category(category.code)
    read = stored.version if stored else None
    return reference.put_category(
        category.model_copy(update=next_version(read, edit.version, staff, clock)), read
    )


def next_version(stored: int | None, read: int | None, staff: Staff, clock: Clock) -> dict[str, object]:
    """The stamp of an edit of versioned reference data: the version the editor read must be the
    stored one (none for a new record), else another edit won (a stale version)."""
    if stored != read:
        raise StaleVersion("The setting")
    return {"version": (stored or 0) + 1, "updated_by": staff.username, "updated_at": clock.now()}


def _department_problems(department: str | None, reference: Catalogue) -> list[FieldProblem]:
    if not department:
        return [FieldProblem("department", "required for a sectoral or dual-dispatch category")]
    if department.startswith(DISTRICT_DEPARTMENT):
        suffix = department.removeprefix(DISTRICT_DEPARTMENT)
        if reference.unit(f"110101-{suffix}") is None:
            return [FieldProblem("department", f"no district department {suffix}")]
        return []
    unit = reference.unit(department)
    if unit is None or unit.kind not in (UnitKind.DEPARTMENT, UnitKind.ENTERPRISE):
        return [FieldProblem("department", f"{department} is not a department or enterprise")]
    return []


def history(code: str, reference: Catalogue) -> list[Category]:
    """Every version, newest first; a category never edited since it was seeded has one."""
    found = reference.category_history(code)
    if found:
        return found
    current = reference.category(code)
    if current is None:
        raise NotFound(f"No category {code}.")
    return [current]


class LimitsEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limits: TimeLimits
    version: Version


def save_time_limits(
    edit: LimitsEdit, staff: Staff, *, reference: TimeLimitsStore, clock: Clock
) -> TimeLimits:
    current = reference.time_limits()
    stamp = next_version(current.version, edit.version, staff, clock)
    return reference.put_time_limits(edit.limits.model_copy(update=stamp), current.version)
