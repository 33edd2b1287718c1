"""Supervision (催办 / 督办): the hotline centre urges a unit on an order it holds."""

from __future__ import annotations

from datetime import datetime

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
