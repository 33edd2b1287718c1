"""办结审核: the hotline reviews a unit's reply before the requester sees it.

The reply goes to the review queue (status in_review) with the automatic check's flags
(reply_quality.py). A reviewer passes it — the requester is told, the follow-up starts — or returns
it with a reason: the unit must reply again, and the return counts in its assessment (`returns`).
The time-limits configuration says whether a high-confidence pass skips the queue and whether the
deadline runs while a reply is reviewed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from .catalogue import Catalogue
from .deadlines import TimeLimits
from .errors import FieldProblem, InvalidInput
from .handling import Action, expect, ready_to_reply
from .model import Reply, Staff, Status, TimelineEvent, WorkOrder
from .reply_quality import Flag, check

Decision = Literal["pass", "return"]
PASS: Decision = "pass"
RETURN: Decision = "return"


class ReviewView(BaseModel):
    """What staff see of an order's review: the check of the latest reply and the returns so far."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    flags: list[Flag]
    confidence: float
    waiting_since: datetime | None
    returns: int


def review_view(order: WorkOrder) -> ReviewView | None:
    if order.quality is None and not order.returns:
        return None
    found = order.quality
    return ReviewView(
        flags=list(found.flags) if found else [],
        confidence=found.confidence if found else 0.0,
        waiting_since=order.review_since,
        returns=order.returns,
    )


def reviewed(order: WorkOrder) -> bool:
    """The reply waits for the reviewer: the requester does not see it yet."""
    return order.status is Status.IN_REVIEW


def submit(result: str, resolved_claim: bool, reference: Catalogue, limits: TimeLimits) -> Action:
    """办结反馈 (Art. 15 (3)) under review: the unit's reply is checked and waits for a reviewer,
    unless the check passes it with high confidence and the configuration lets such a reply through."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        ready_to_reply(order)
        category = reference.category(order.category) if order.category else None
        found = check(result, resolved_claim, order.content, category)
        answer = Reply(result=result, resolved_claim=resolved_claim, at=now)
        checked = {"flags": ",".join(found.flags), "confidence": f"{found.confidence:.2f}"}
        if limits.review_skips_confident and found.high_confidence:
            event = staff.event(now, "replied", result, code="review_skipped", **checked)
            return order.record(now, event, status=Status.REPLIED, reply=answer, quality=found)
        code = "reply_flagged" if found.flags else "reply_checked"
        event = staff.event(now, "reply_submitted", internal_note=result, code=code, **checked)
        return order.record(
            now, event, status=Status.IN_REVIEW, reply=answer, quality=found, review_since=now
        )

    return act


def decide(decision: Decision, reason: str | None, limits: TimeLimits) -> Action:
    """The reviewer's decision on the reply in review: pass it to the requester, or return it."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        expect(order, Status.IN_REVIEW)
        if decision == PASS:
            return _passed(order, staff, now, reason)
        if not reason:
            raise InvalidInput(
                "A returned reply needs the reason the unit is told.",
                [FieldProblem("reason", "required when the decision is return")],
            )
        return _returned(order, staff, now, reason, limits)

    return act


def _passed(order: WorkOrder, staff: Staff, now: datetime, note: str | None) -> WorkOrder:
    submitted = next((e for e in reversed(order.timeline) if e.action == "reply_submitted"), None)
    # The requester's timeline shows the unit's reply from now on, as the unit's.
    replied = TimelineEvent(
        at=now,
        action="replied",
        actor_role=submitted.actor_role if submitted else "handler",
        actor=submitted.actor if submitted else None,
        unit=order.first_receiver,
        note=order.reply.result if order.reply else None,
    )
    passed = staff.event(now, "review_passed", internal_note=note, code="review_passed")
    return order.record(now, passed, replied, status=Status.REPLIED, review_since=None)


def _returned(order: WorkOrder, staff: Staff, now: datetime, reason: str, limits: TimeLimits) -> WorkOrder:
    returns = order.returns + 1
    changes: dict[str, object] = {}
    if not limits.review_clock_runs and order.deadline is not None and order.review_since is not None:
        # The deadline stood still while the hotline reviewed: the unit gets that time back.
        changes["deadline"] = order.deadline + max(now - order.review_since, timedelta(0))
    event = staff.event(
        now, "review_returned", internal_note=reason, code="review_returned", returns=str(returns)
    )
    return order.record(
        now,
        event,
        status=Status.IN_PROGRESS,
        reply=None,
        review_since=None,
        returns=returns,
        **changes,
    )


def watch(order: WorkOrder, now: datetime, limits: TimeLimits) -> tuple[WorkOrder | None, datetime]:
    """The workflow's step while a reply is reviewed: the deadline only runs as the policy says; when
    it runs and passes, the order is flagged overdue (no reminders: the unit has replied)."""
    recheck = now + timedelta(seconds=limits.overdue_recheck)
    if not limits.review_clock_runs or order.deadline is None or order.overdue:
        return None, recheck
    if now < order.deadline:
        return None, order.deadline
    event = TimelineEvent(
        at=now, action="overdue", actor_role="system", unit=order.first_receiver, code="overdue"
    )
    return order.record(now, event, overdue=True, overdue_at=now), recheck
