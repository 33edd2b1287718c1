"""Time limits (办理时限, Art. 13): policy data an admin edits, never constants inside a rule."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .model import Status, Version

if TYPE_CHECKING:
    from .model import WorkOrder

HOUR = 3600
DAY = 24 * HOUR
# A limit in seconds: positive, and at most a year.
Seconds = Annotated[int, Field(gt=0, le=366 * DAY)]


class Tier(BaseModel):
    """One urgency tier: the deadline, and the limits to sign for the order and to contact the
    requester, each counted from dispatch (and capped by the deadline)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deadline: Seconds
    sign_for: Seconds
    contact: Seconds
    # 延期 (Art. 15): how many extensions the hotline may approve in one handling round, and how far
    # past the round's own deadline they may move it, all of them together.
    extensions: Annotated[int, Field(ge=0, le=5)] = 1
    extended_by: Seconds = 7 * DAY


def _default_tiers() -> dict[str, Tier]:
    # Beijing's 2020 opinion: 2 hours, 24 hours, 7 days, 15 days by urgency.
    return {
        "2h": Tier(deadline=2 * HOUR, sign_for=HOUR // 2, contact=HOUR, extensions=1, extended_by=DAY),
        "24h": Tier(deadline=DAY, sign_for=2 * HOUR, contact=12 * HOUR, extensions=1, extended_by=3 * DAY),
        "7d": Tier(deadline=7 * DAY, sign_for=DAY, contact=2 * DAY, extensions=2, extended_by=7 * DAY),
        "15d": Tier(deadline=15 * DAY, sign_for=DAY, contact=3 * DAY, extensions=2, extended_by=15 * DAY),
    }


class TimeLimits(BaseModel):
    """The tiers and the other limits of the order's life. The defaults are the published tiers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tiers: dict[Annotated[str, Field(min_length=1, max_length=16)], Tier] = Field(
        default_factory=_default_tiers, min_length=1, max_length=12
    )
    default_tier: Annotated[str, Field(min_length=1, max_length=16)] = "7d"
    # Reminders to the unit at these points of its handling round (催办提醒).
    reminders: Annotated[tuple[Annotated[int, Field(gt=0, lt=100)], ...], Field(max_length=5)] = (50, 80)
    # How long the requester may answer the follow-up (回访) before it closes as not evaluated.
    follow_up_window: Seconds = 3 * DAY
    # How many times an unresolved and dissatisfied evaluation sends the order back (重办).
    max_reopens: Annotated[int, Field(ge=0, le=5)] = 1
    # A supervisor calls back a requester who rated badly and decides within this (差评二次回访).
    revisit_window: Seconds = 2 * DAY
    # After the deadline passed the workflow keeps watching the order at this interval.
    overdue_recheck: Seconds = 7 * DAY
    # A department summoned by a street's whistle reports for duty within this (Art. 16; 30 min pilot).
    whistle_report: Seconds = 30 * 60
    # A unit appeals a closed order's effect on its rates (考核申诉) at most this long after the order
    # closed, and no later than this long after the end of the month the order is assessed in.
    appeal_after_close: Seconds = 15 * DAY
    appeal_after_month: Seconds = 10 * DAY
    # 办结审核 (review.py): a reply the automatic check passes with high confidence goes straight to
    # the requester when this is on; the deadline keeps running while a reply is reviewed when
    # `review_clock_runs` is on, otherwise a returned reply gets the review's time back.
    review_skips_confident: bool = False
    review_clock_runs: bool = True
    version: Version = 1
    updated_by: Annotated[str, Field(max_length=128)] | None = None
    updated_at: datetime | None = None

    @model_validator(mode="before")
    @classmethod
    def _per_tier_extensions(cls, data: object) -> object:
        # One limit for every tier, as stored before each tier had its own (Tier.extended_by).
        if isinstance(data, dict) and "max_extension" in data:
            return {k: v for k, v in data.items() if k != "max_extension"}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> TimeLimits:
        if self.default_tier not in self.tiers:
            raise ValueError("default_tier must name one of the tiers")
        if list(self.reminders) != sorted(set(self.reminders)):
            raise ValueError("reminders must be increasing percentages")
        return self

    def tier_of(self, order: WorkOrder) -> Tier:
        return self.tiers[self.tier_for(order.tier)]

    def tier_for(self, tier: str | None) -> str:
        return tier if tier in self.tiers else self.default_tier

    def deadline(self, start: datetime, tier: str | None) -> datetime:
        return start + timedelta(seconds=self.tiers[self.tier_for(tier)].deadline)

    def round_limits(self, start: datetime, tier: str | None) -> tuple[datetime, datetime, datetime]:
        """Sign-for limit, contact limit and deadline of a handling round starting at `start`."""
        chosen = self.tiers[self.tier_for(tier)]
        deadline = start + timedelta(seconds=chosen.deadline)
        sign_by = min(start + timedelta(seconds=chosen.sign_for), deadline)
        contact_by = min(start + timedelta(seconds=chosen.contact), deadline)
        return sign_by, contact_by, deadline


def new_round(start: datetime, tier: str | None, limits: TimeLimits) -> dict[str, object]:
    """The fields of a fresh handling round from `start`: dispatch, reassignment or reopening."""
    sign_by, contact_by, deadline = limits.round_limits(start, tier)
    return {
        "dispatched_at": start,
        "sign_by": sign_by,
        "contact_by": contact_by,
        "deadline": deadline,
        "sign_late": False,
        "contact_late": False,
        "reminded": [],
        "overdue": False,
        "overdue_at": None,
        "follow_up_until": None,
    }


DEFAULT_LIMITS = TimeLimits()


class TimeLimitsStore(Protocol):
    """Where the time limits in force are kept (catalogue.py says why the reference data's ports
    are protocols)."""

    @abstractmethod
    def time_limits(self) -> TimeLimits: ...

    @abstractmethod
    def put_time_limits(self, limits: TimeLimits, expected_version: int) -> TimeLimits:
        """Store new time limits; raises StaleVersion when another edit won."""


def missed_limits(order: WorkOrder, now: datetime) -> tuple[bool, bool]:
    """Whether the unit of the current round missed its sign-for limit and its contact limit (Art.
    13): recorded by the workflow at the checkpoint, or visible from the order's own times before
    the checkpoint has run (signed or contacted too late, or not yet and the limit has passed)."""
    start = order.dispatched_at
    if start is None:
        return False, False

    def missed(limit: datetime | None, done: datetime | None, waiting: bool) -> bool:
        if limit is None:
            return False
        if done is not None and done >= start:
            return done > limit
        return waiting and now >= limit

    sign = order.sign_late or missed(order.sign_by, order.signed_at, order.status is Status.DISPATCHED)
    contactable = order.status in (Status.DISPATCHED, Status.SIGNED, Status.REOPENED)
    contact = order.contact_late or missed(order.contact_by, order.contacted_at, contactable)
    return sign, contact
