"""Triage before dispatch (Art. 11 ¶3): requests the hotline answers with a channel instead of
a unit, duplicates merged into the order already open, and a dispatcher's way back.

Every outcome is a reason code on the order and a public timeline event; such orders count for
no unit's assessment, and a dispatcher can reinstate any of them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict, PrivateAttr

from .catalogue import Catalogue
from .deadlines import TimeLimits
from .dispatch import route
from .errors import Conflict, FieldProblem, InvalidInput
from .handling import BEFORE_SIGNING, HANDLING, Action
from .model import AnySubmission, Place, Staff, Status, TimelineEvent, WorkOrder
from .ports import OrderQuery, WorkOrders


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


# A line named earlier wins where signs of several are found: a fire with someone hurt is 119's,
# a crash with someone bleeding 122's, a beating that left blood 110's.
LINE_PRIORITY = ("119", "122", "110", "120")
_CLAUSE = re.compile(r"[，,。.！!？?；;、\s]+")


@dataclass(frozen=True)
class _Compiled:
    lines: tuple[tuple[str, re.Pattern[str]], ...]
    negated: re.Pattern[str]
    figurative: re.Pattern[str]
    object: re.Pattern[str]
    over: re.Pattern[str]
    resolved: re.Pattern[str]
    feared: re.Pattern[str]
    asked: re.Pattern[str]
    now: re.Pattern[str]
    afterwards: re.Pattern[str]


def _compile(words: EmergencyWords) -> _Compiled:
    n = words.not_now
    order = sorted(words.lines, key=lambda line: LINE_PRIORITY.index(line) if line in LINE_PRIORITY else 9)
    return _Compiled(
        lines=tuple((line, re.compile("|".join(f"(?:{p})" for p in words.lines[line]))) for line in order),
        negated=re.compile(f"(?:{n.negated})"),
        figurative=re.compile(f"(?:{n.figurative})"),
        object=re.compile(f"(?:{n.object})"),
        over=re.compile(n.over),
        resolved=re.compile(n.resolved),
        feared=re.compile(n.feared),
        asked=re.compile(n.asked),
        now=re.compile(n.now),
        afterwards=re.compile(n.afterwards),
    )


class EmergencyReader(Protocol):
    """A learned model of emergencies in progress (smart_dispatch.EmergencyModel)."""

    def line(self, text: str, signals: list[str], sure: bool = True) -> str | None: ...


class NotNow(BaseModel):
    """What says a sign of an emergency is not one happening now (regular expressions)."""

    model_config = ConfigDict(frozen=True)

    negated: str  # matched against the words just before the sign
    over: str
    resolved: str
    feared: str
    figurative: str  # matched against the words just before the sign, or the clause
    object: str  # a thing, not a person, just before the sign: damage to report, not an emergency
    asked: str
    now: str
    afterwards: str  # a letter or a formal complaint: a sign counts only with a "now" word by it


class EmergencyWords(BaseModel):
    """Signs of an emergency in progress per emergency line, and what says a sign is not one
    happening now (data/emergencies.json)."""

    model_config = ConfigDict(frozen=True)

    lines: dict[str, tuple[str, ...]]
    not_now: NotNow
    simplified: dict[str, str] = {}  # traditional → simplified characters
    _compiled: _Compiled = PrivateAttr()
    # The learned half (smart_dispatch.EmergencyModel): read where the signs find nothing.
    _model: EmergencyReader | None = PrivateAttr(default=None)

    def with_model(self, model: EmergencyReader | None) -> EmergencyWords:
        """The same signs, with a learned reader for what they miss."""
        copy = self.model_copy()
        copy._compiled = self._compiled
        copy._model = model
        return copy

    def model_post_init(self, context: object, /) -> None:
        self._compiled = _compile(self)

    def normalise(self, text: str) -> str:
        plain = unicodedata.normalize("NFKC", text)
        return "".join(self.simplified.get(ch, ch) for ch in plain) if self.simplified else plain


def emergency_line(text: str, words: EmergencyWords) -> str | None:
    """The emergency line to call when the text describes an emergency in progress: the signs
    (`sign_line`) first, then the learned reader where it is as sure as they are. Such a request
    is not dispatched (unless the requester says it is not an emergency happening now)."""
    line = sign_line(text, words)
    if line is None and words._model is not None:
        line = words._model.line(text, signals(text, words))
    return line


def possible_emergency(text: str, words: EmergencyWords) -> str | None:
    """Recall first: the line of an emergency the text may describe, for the form and the operator
    to ask about (an emergency_line is one too)."""
    if line := emergency_line(text, words):
        return line
    if words._model is None:
        return None
    return words._model.line(text, signals(text, words), sure=False)


def sign_line(text: str, words: EmergencyWords) -> str | None:
    """The emergency line the signs name.

    Recall first: a sign counts unless the words just before it negate it or make it a figure of
    speech, the text says the matter has been dealt with, or its clause and the clauses either
    side say it is over or only feared; "now" words in its clause then settle it, and otherwise a
    question, a letter or a formal complaint about it (an afterwards matter) does not count."""
    c = words._compiled
    plain = words.normalise(text)
    if c.resolved.search(plain):
        return None
    clauses = [part for part in _CLAUSE.split(plain) if part]
    afterwards = bool(c.afterwards.search(plain))
    for line, signs in c.lines:
        for i, clause in enumerate(clauses):
            around = " ".join(clauses[max(i - 1, 0) : i + 2])
            for found in signs.finditer(clause):
                before = clause[: found.start()]
                if c.negated.search(before) or c.figurative.search(before) or c.object.search(before):
                    continue
                if c.over.search(around) or c.feared.search(around):
                    continue
                if c.now.search(clause):
                    return line
                if afterwards or c.asked.search(around) or c.figurative.search(clause[found.end() :]):
                    continue
                return line
    return None


def signals(text: str, words: EmergencyWords) -> list[str]:
    """What the signs see in a text, for the learned reader to weigh: each line's signs found,
    and each kind of "not now" word present."""
    c = words._compiled
    plain = words.normalise(text)
    found = [f"sign:{line}" for line, signs in c.lines if signs.search(plain)]
    kinds = {
        "over": c.over,
        "resolved": c.resolved,
        "feared": c.feared,
        "asked": c.asked,
        "now": c.now,
        "afterwards": c.afterwards,
        "figurative": c.figurative,
    }
    found += [f"not_now:{kind}" for kind, pattern in kinds.items() if pattern.search(plain)]
    return found


def told(reason: Reason, transfer_to: str | None = None, merged_into: str | None = None) -> str:
    """What the requester is told; `transfer_to` is the line or the partner's name."""
    return TOLD[reason].format(transfer_to=transfer_to or "", merged_into=merged_into or "")


def same_matter(submission: AnySubmission, category: str | None, order: WorkOrder) -> bool:
    """A repeat: the same phone about the same place and category while the order is open."""
    return (
        order.status in OPEN
        and category is not None
        and order.category == category
        and order.requester.phone == submission.requester.phone
        and _same_place(submission.location, order.location)
    )


def _same_place(a: Place, b: Place) -> bool:
    """Two places no dispatcher has placed yet are not known to be the same."""
    return a.district is not None and a.district == b.district and a.street == b.street


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
    action = "merged" if reason is Reason.DUPLICATE else "not_dispatched"
    if reason is Reason.TRANSFERRED:
        action = "transferred"
    # What the requester is told is worded by the portal from the reason (`told` words it for SMS).
    params = {"reason": reason.value}
    if to or transfer_to:
        params["transfer_to"] = to or transfer_to or ""
    if merged_into:
        params["merged_into"] = merged_into
    event = (
        by.event(now, action, note, code="settled", **params)
        if by
        else TimelineEvent(
            at=now, action=action, actor_role="system", note=note, code="settled", params=params
        )
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
    if order.status not in BEFORE_SIGNING:
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
            staff.event(now, "reinstated", internal_note=note, code="reinstated"),
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
    location: Place,
    category: str | None,
    *,
    orders: WorkOrders,
    reference: Catalogue,
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
