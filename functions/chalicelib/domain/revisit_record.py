"""The record of a second follow-up (差评二次回访) as the order keeps it: what the supervisor found on
calling the requester back and what was decided. The rules are revisit.py's."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Finding(StrEnum):
    """What the supervisor's call found behind a bad rating."""

    UNIT_AT_FAULT = "unit_at_fault"  # the unit did not do the work
    UNREASONABLE = "unreasonable"  # the request was unreasonable
    POLICY = "policy"  # the rating was about a policy, not about the unit


class RevisitDecision(StrEnum):
    REOPEN = "reopen"  # 重办: back to the same unit for a new round
    CLOSE = "close"  # closed; the rating counts in the unit's rates
    EXCLUDE = "exclude"  # closed and left out of the unit's rates (不合理诉求认定)


class Revisit(BaseModel):
    """One second follow-up: opened by a dissatisfied or unresolved rating, due within the time
    limit, decided by a supervisor with a finding and a reason."""

    model_config = ConfigDict(frozen=True)

    opened_at: datetime
    due: datetime
    # The reopening limit still allowed a new round when the rating came (TimeLimits.max_reopens).
    may_reopen: bool
    late: bool = False  # not decided within the time limit
    finding: Finding | None = None
    decision: RevisitDecision | None = None
    reason: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
