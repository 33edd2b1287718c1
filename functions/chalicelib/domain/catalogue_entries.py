"""The units that receive orders and the dispatch catalogue's entries (派单目录): who is sent what."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True)]


class UnitKind(StrEnum):
    DISTRICT = "district"  # 区政府
    STREET = "street"  # 街道 / 乡镇 / 地区办事处
    DEPARTMENT = "department"  # 市级部门
    ENTERPRISE = "enterprise"  # 公共服务企业


class Unit(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    kind: UnitKind
    district: str | None = None
    version: int = 1  # seeded units are version 1; an admin's edit stores the next one


class CategoryKind(StrEnum):
    TERRITORIAL = "territorial"  # 属地: the street/township of the location
    SECTORAL = "sectoral"  # 行业: a named department or public-service enterprise
    BOTH = "both"  # dual dispatch: the street leads, the department co-handles


# A category's department is a unit id, or "district:<suffix>": that department of the location's
# district (e.g. "district:housing" -> "110101-housing").
DISTRICT_DEPARTMENT = "district:"


class Category(BaseModel):
    """One entry of the dispatch catalogue (派单目录), a 小类: who receives it and how urgent it is.

    The catalogue has three levels, as GB/T 39666-2020 has: `major` (大类) › `group` (中类) › the
    category (data/catalogue_levels.json names the first two)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
    name: Annotated[Text, StringConstraints(min_length=2, max_length=40)]
    major: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")] = "other"
    group: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")] = "other"
    description: Annotated[Text, StringConstraints(max_length=200)] = ""
    kind: CategoryKind
    tier: Annotated[str, StringConstraints(min_length=1, max_length=16)]
    department: Annotated[str, StringConstraints(max_length=64)] | None = None
    keywords: tuple[Annotated[Text, StringConstraints(min_length=1, max_length=20)], ...] = ()
    version: int = 1
    updated_by: str | None = None
    updated_at: datetime | None = None
