"""Time limits (办理时限, Art. 13): policy data, never constants inside a rule."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, PositiveInt


class TimeLimits(BaseModel):
    """The four tiers of Beijing's 2020 opinion (2 h, 24 h, 7 d, 15 d) and the other limits.

    An admin edits these; the defaults are the published tiers."""

    model_config = ConfigDict(frozen=True)

    tiers: dict[str, PositiveInt] = Field(
        default_factory=lambda: {"2h": 2 * 3600, "24h": 24 * 3600, "7d": 7 * 86400, "15d": 15 * 86400}
    )
    default_tier: str = "7d"
    # How long the requester may answer the follow-up (回访) before it closes as not evaluated.
    follow_up_window: PositiveInt = 3 * 86400
    # After the deadline passed the workflow keeps watching the order at this interval.
    overdue_recheck: PositiveInt = 7 * 86400

    def tier_for(self, tier: str | None) -> str:
        return tier if tier in self.tiers else self.default_tier

    def deadline(self, start: datetime, tier: str | None) -> datetime:
        return start + timedelta(seconds=self.tiers[self.tier_for(tier)])


DEFAULT_LIMITS = TimeLimits()
