"""The record of a unit's request for a later deadline; the rules are extensions.py's."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class ExtensionDecision(StrEnum):
    APPROVED = "approved"
    REFUSED = "refused"
    LAPSED = "lapsed"  # not decided while it could be: the deadline passed, the unit replied or changed


class ExtensionRequest(BaseModel):
    """延期申请: a later deadline the first receiver asks for, which the hotline centre decides."""

    model_config = ConfigDict(frozen=True)

    reason: str
    new_deadline: datetime
    deadline: datetime  # the deadline when it was asked for
    unit: str
    by: str
    at: datetime
    decision: ExtensionDecision | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None
