"""The public routes' own query and body models (public_api.py), loaded with the first route that
reads one: the public function's entry module imports no domain model (the API's import-time budget,
docs/benchmarks.md)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ..domain.model import CategoryKind, Location


class PublicCategory(BaseModel):
    """A 小类 of the catalogue with its 中类 (`group`) and 大类 (`major`)."""

    code: str
    name: str
    major: str
    major_name: str
    group: str
    group_name: str
    description: str
    kind: CategoryKind
    tier: str


class TrackingQuery(BaseModel):
    code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = ""


class KnowledgeQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    q: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    limit: Annotated[int, Field(ge=1, le=20)] = 5


class SuggestionForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    content: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]
    location: Location | None = None


class DispatchAnywayForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(max_length=40)]
