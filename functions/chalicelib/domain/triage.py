"""Triage before dispatch (Art. 11 ¶3): requests the hotline answers with a channel instead of
a unit, duplicates merged into the order already open, and a dispatcher's way back.

Every outcome is a reason code on the order and a public timeline event; such orders count for
no unit's assessment, and a dispatcher can reinstate any of them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from .deadlines import TimeLimits
from .dispatch import route
from .errors import Conflict, FieldProblem, InvalidInput
from .handling import HANDLING, Action
from .model import Location, Staff, Status, Submission, TimelineEvent, WorkOrder
from .ports import OrderQuery, Reference, WorkOrders


class Reason(StrEnum):
    EMERGENCY = "emergency"  # fire, crime in progress, medical emergency, traffic accident
    LEGAL_CHANNEL = "legal_channel"  # litigation, arbitration, administrative reconsideration, petition
    DUPLICATE = "duplicate"  # the same matter is open: merged into that order
    SECRETS_PRIVACY = "secrets_privacy"  # state secrets, trade secrets or another person's privacy
    OUTSIDE_DUTIES = "outside_duties"  # not a government duty: market or society channels
    UNLAWFUL = "unlawful"  # asks for something against the law: dissuaded
    TRANSFERRED = "transferred"  # to a partner hotline or a central unit (Arts. 21, 22)


EMERGENCY_LINES = ("110", "119", "120", "122")

# What the requester is told, on the tracking page and by SMS.
TOLD: dict[Reason, str] = {
    Reason.EMERGENCY: "您反映的情况属于紧急事项，请立即拨打{transfer_to}。",
    Reason.LEGAL_CHANNEL: "您反映的事项应当通过诉讼、仲裁、行政复议或信访等法定途径解决，请向有关机关提出。",
    Reason.DUPLICATE: "您反映的事项已有工单{merged_into}正在办理，本次诉求已合并至该工单，不再重复派单。",
    Reason.SECRETS_PRIVACY: "您反映的事项涉及国家秘密、商业秘密或个人隐私，热线不予派单办理。",
    Reason.OUTSIDE_DUTIES: "您反映的事项不属于政府职责范围，建议通过市场或社会组织等渠道解决。",
    Reason.UNLAWFUL: "您提出的诉求违反法律法规，无法办理，请依法表达诉求。",
    Reason.TRANSFERRED: "您的诉求已转至{transfer_to}办理。",
}

# A dispatcher's triage decision: the reasons that need nothing but a message (merging and
# transferring have their own actions).
DECIDED = (
    Reason.EMERGENCY,
    Reason.LEGAL_CHANNEL,
    Reason.SECRETS_PRIVACY,
    Reason.OUTSIDE_DUTIES,
    Reason.UNLAWFUL,
)
# Orders that are settled without a unit; a dispatcher may reinstate them.
SETTLED = (Status.ANSWERED, Status.NOT_DISPATCHED, Status.MERGED)
# The open orders a repeat request merges into: received, or a unit has it and has not replied.
OPEN = (Status.RECEIVED, *HANDLING)


class EmergencyWords(BaseModel):
    """Phrases of an emergency in progress, per emergency line (data/emergencies.json)."""

    model_config = ConfigDict(frozen=True)

    numbers: dict[str, tuple[str, ...]]


def emergency_line(text: str, words: EmergencyWords) -> str | None:
    """The emergency line to call when the text describes an emergency in progress."""
    for number, phrases in words.numbers.items():
        if any(phrase in text for phrase in phrases):
            return number
    return None


def told(reason: Reason, transfer_to: str | None = None, merged_into: str | None = None) -> str:
    """What the requester is told; `transfer_to` is the line or the partner's name."""
    return TOLD[reason].format(transfer_to=transfer_to or "", merged_into=merged_into or "")


def same_matter(submission: Submission, category: str | None, order: WorkOrder) -> bool:
    """A repeat: the same phone about the same place and category while the order is open."""
    return (
        order.status in OPEN
        and category is not None
        and order.category == category
        and order.requester.phone == submission.requester.phone
        and _same_place(submission.location, order.location)
    )


def _same_place(a: Location, b: Location) -> bool:
    return a.district == b.district and a.street == b.street


def settle(
    now: datetime,
    by: Staff | None,
    reason: Reason,
    transfer_to: str | None = None,
    merged_into: str | None = None,
    note: str | None = None,
    to: str | None = None,
) -> tuple[TimelineEvent, dict[str, object]]:
    """The event and the fields of an order that no unit will handle (`to`: where it went, as
    the requester is told it, when that is not `transfer_to` itself)."""
    message = told(reason, to or transfer_to, merged_into)
    action = "merged" if reason is Reason.DUPLICATE else "not_dispatched"
    if reason is Reason.TRANSFERRED:
        action = "transferred"
    public = f"{message}{note}" if note else message
    internal = f"reason: {reason.value}"
    event = (
        by.event(now, action, public, internal)
        if by
        else TimelineEvent(at=now, action=action, actor_role="system", note=public, internal_note=internal)
    )
    status = Status.MERGED if reason is Reason.DUPLICATE else Status.NOT_DISPATCHED
    return event, {
        "status": status,
        "reason": reason.value,
        "transfer_to": transfer_to,
        "merged_into": merged_into,
        "first_receiver": None,
        "copied_to": [],
        "assists": [],
        "dispatched_at": None,
        "sign_by": None,
        "contact_by": None,
        "deadline": None,
    }


def before_signing(order: WorkOrder) -> None:
    if order.status not in (Status.RECEIVED, Status.DISPATCHED):
        raise Conflict(
            f"The order is {order.status.value}; only a received order, or one not yet signed for, "
            "can be triaged.",
            "wrong_status",
        )


def decide(reason: Reason, transfer_to: str | None, note: str | None) -> Action:
    """A dispatcher's Art. 11 ¶3 decision on a received (or not yet signed) order."""
    if reason not in DECIDED:
        wanted = ", ".join(r.value for r in DECIDED)
        raise InvalidInput("Not a triage decision.", [FieldProblem("reason", f"one of {wanted}")])
    if reason is Reason.EMERGENCY and transfer_to not in EMERGENCY_LINES:
        raise InvalidInput(
            "Name the emergency line.", [FieldProblem("transfer_to", f"one of {', '.join(EMERGENCY_LINES)}")]
        )
    if reason is not Reason.EMERGENCY and transfer_to is not None:
        raise InvalidInput(
            "Only an emergency names a line.", [FieldProblem("transfer_to", "only for reason emergency")]
        )

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        before_signing(order)
        event, changes = settle(now, staff, reason, transfer_to, note=note)
        return order.record(now, event, **changes)

    return act


def merge(original: WorkOrder) -> Action:
    """Merge a repeat into the order already open about the same matter (DESIGN.md section 3)."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        before_signing(order)
        if original.id == order.id:
            raise InvalidInput("An order cannot merge into itself.", [FieldProblem("into", "another order")])
        if original.status not in OPEN:
            raise Conflict(
                f"Order {original.id} is {original.status.value}; only an open order takes a repeat.",
                "not_open",
            )
        event, changes = settle(now, staff, Reason.DUPLICATE, merged_into=original.id)
        return order.record(now, event, **changes)

    return act


def reinstate(note: str, limits: TimeLimits) -> Action:
    """Undo a triage outcome: the order is received again, with a fresh deadline, and its workflow
    starts anew (dispatching it when its category is known)."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        if order.status not in SETTLED:
            raise Conflict(
                f"The order is {order.status.value}; only an answered, merged or not dispatched order "
                "can be reinstated.",
                "wrong_status",
            )
        return order.record(
            now,
            staff.event(now, "reinstated", "您的诉求已重新受理，将派至承办单位办理。", internal_note=note),
            status=Status.RECEIVED,
            reason=None,
            transfer_to=None,
            merged_into=None,
            deadline=limits.deadline(now, order.tier),
            reinstated=order.reinstated + 1,
        )

    return act


def candidates(
    phone: str | None,
    location: Location,
    category: str | None,
    *,
    orders: WorkOrders,
    reference: Reference,
    exclude: str | None = None,
) -> list[WorkOrder]:
    """Open orders an operator should look at before a new one is dispatched: the requester's own,
    and others about the same place and category (from the unit that would receive it)."""
    found: dict[str, WorkOrder] = {}
    if phone:
        for order in orders.find(OrderQuery(requester=phone, limit=50)).items:
            found[order.id] = order
    catalogue = reference.category(category) if category else None
    receiver = route(location, catalogue, reference) if catalogue else None
    if receiver is not None:
        inbox = orders.find(OrderQuery(unit=receiver.first_receiver.id, limit=100)).items
        for order in inbox:
            if order.category == category and _same_place(location, order.location):
                found[order.id] = order
    open_ = [o for o in found.values() if o.status in OPEN and o.id != exclude]
    return sorted(open_, key=lambda o: o.created_at)
