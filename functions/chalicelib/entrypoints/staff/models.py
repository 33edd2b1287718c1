"""The staff routes' body and answer models that are built on a feature's own types (the views, the
triage's reasons, the follow-up's answers, the review's decisions, the appeal's grounds, the batch's
orders): loaded with the first route that reads or answers one,
so the staff function's cold start builds none of them (docs/benchmarks.md, the import ratios)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ...domain import batch, follow_up, knowledge, review, revisit, triage
from ...domain.allowed import BatchAction
from ...domain.appeal_records import Appeal, AppealGrounds
from ...domain.model import Channel, Submission
from ...domain.views import StaffSummary, UnitView
from ..http import ErrorInfo
from .forms import Reason, Versioned


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


class ReviewForm(Versioned):
    decision: review.Decision
    # Required to return a reply (the unit is told why); a note to a pass is optional.
    reason: Reason | None = None


class RevisitForm(Versioned, revisit.Verdict):
    pass


class AppealForm(Versioned):
    grounds: AppealGrounds
    evidence: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]


class AppealItem(BaseModel):
    """An appeal awaiting a decision, with the order it is about."""

    model_config = ConfigDict(defer_build=True)

    order: StaffSummary
    appeal: Appeal


class BatchDispatchForm(batch.Batch):
    """The same dispatch for every order: by the catalogue (no units), or to the units named."""

    units: Annotated[list[Annotated[str, StringConstraints(max_length=64)]], Field(max_length=5)] = []  # noqa: RUF012
    category: Annotated[str, StringConstraints(max_length=64)] | None = None
    reason: Reason | None = None


class BatchResult(BaseModel):
    """One order of the batch: done (the order as it is now) or refused (what its own call answers)."""

    model_config = ConfigDict(defer_build=True)

    id: str
    ok: bool
    status: int = Field(description="The HTTP status the order's own action answered: 200, or a 4xx.")
    error: ErrorInfo | None = None
    order: StaffSummary | None = None


class BatchAnswer(BaseModel):
    model_config = ConfigDict(defer_build=True)

    action: BatchAction
    done: int
    failed: int
    results: list[BatchResult]
