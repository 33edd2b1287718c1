"""The forms several staff resources share: a change conditional on the version the caller read."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ...domain.model import Version

# How long a link to an Excel export stays valid.
EXPORT_LINK = timedelta(minutes=10)
Cursor = Annotated[str, StringConstraints(max_length=2000)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)]


def aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a time zone, e.g. 2026-11-30T18:00:00+08:00")
    return value


class Versioned(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    version: Version


class PageQuery(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    limit: Annotated[int, Field(ge=1, le=100)] = 50
    cursor: Cursor | None = None
