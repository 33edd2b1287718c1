"""An assessment appeal as the work order keeps it; its rules are appeals.py's."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class AppealGrounds(StrEnum):
    """What a unit may say was unfairly counted against it (Art. 32)."""

    WRONG_UNIT = "wrong_unit"  # the order was dispatched to the wrong unit
    UNREASONABLE = "unreasonable"  # the requester asked for what cannot lawfully be given
    OUTSIDE_DUTIES = "outside_duties"  # the matter lies outside the unit's duties


class AppealDecision(StrEnum):
    UPHELD = "upheld"
    REJECTED = "rejected"


class Appeal(BaseModel):
    """考核申诉: a unit's case that a closed order should not count in its rates, and its decision."""

    model_config = ConfigDict(frozen=True)

    unit: str
    grounds: AppealGrounds
    evidence: str
    by: str
    at: datetime
    until: datetime  # the last instant the unit could lodge it (the configured deadline)
    decision: AppealDecision | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None

    @property
    def upheld(self) -> bool:
        return self.decision is AppealDecision.UPHELD
