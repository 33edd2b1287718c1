"""Supervision (催办 / 督办): the hotline centre urges a unit on an order it holds, and judges a
rated request unreasonable so that it does not count against the unit (DESIGN.md section 8)."""

from __future__ import annotations

from datetime import datetime

from .errors import Conflict
from .handling import HANDLING, Action, expect
from .model import Staff, TimelineEvent, WorkOrder


def urge(note: str | None) -> Action:
    """催办: the unit and its leader are told to hurry; the urge counts on the order."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        expect(order, *HANDLING)
        event = TimelineEvent(
            at=now,
            action="urged",
            actor_role=staff.role,
            actor=staff.username,
            unit=order.first_receiver,
            internal_note=note,
        )
        return order.record(now, event, urges=order.urges + 1)

    return act


def adjudicate(unreasonable: bool, reason: str) -> Action:
    """不合理诉求认定: a supervisor judges a rated request unreasonable (a lawful refusal rated
    dissatisfied, say) — or takes the judgement back. The order keeps its evaluation; the monthly
    assessment leaves it out while the exclusion is configured (data/analytics.json)."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        if order.evaluation is None:
            raise Conflict("Only a request the requester has rated can be judged.", "not_rated")
        if order.adjudicated_unreasonable == unreasonable:
            raise Conflict("The order is judged so already.", "already_adjudicated")
        event = TimelineEvent(
            at=now,
            action="adjudicated_unreasonable" if unreasonable else "adjudication_withdrawn",
            actor_role=staff.role,
            actor=staff.username,
            unit=order.first_receiver,
            internal_note=reason,
        )
        return order.record(now, event, adjudicated_unreasonable=unreasonable)

    return act
