"""The staff routes' body and answer models that are built on a feature's own types (the views, the
triage's reasons, the follow-up's answers): loaded with the first route that reads or answers one,
so the staff function's cold start builds none of them (docs/benchmarks.md, the import ratios)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from ...domain import follow_up, knowledge, triage
from ...domain.model import Channel, Submission
from ...domain.views import UnitView
from .forms import Versioned


class PhoneFollowUpForm(Versioned, follow_up.Answers):
    pass


class TriageForm(Versioned):
    reason: triage.Reason
    transfer_to: Annotated[str, StringConstraints(max_length=8)] | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class StaffSubmission(Submission):
    """A request recorded by an operator from a call, a partner line or the enterprise line."""

    channel: Literal[Channel.PHONE, Channel.APP, Channel.ENTERPRISE_LINE, Channel.PARTNER_HOTLINE] = (
        Channel.PHONE
    )


class MeView(BaseModel):
    model_config = ConfigDict(defer_build=True)

    user: str
    roles: list[str]
    unit: UnitView | None


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


class KnowledgeListing(knowledge.KnowledgeEntry):
    confidence: float | None = None
