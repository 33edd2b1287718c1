"""What the caller may do with an order now, and what each action takes.

The staff view of an order carries these, so the portal renders the actions and decides nothing
(STYLE.md, habit 17). Each rule is the one the action itself applies: the role and unit from
access.py, the statuses from the action's own module; a property test holds the two together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .access import Permission, require
from .co_handling import ASSISTABLE, pending
from .errors import Forbidden
from .follow_up import evaluation_due
from .handling import BEFORE_SIGNING, CONTACTABLE, HANDLING, WORKING
from .model import Assist, AssistStatus, ObjectionGrounds, Satisfaction, Staff, Status, WorkOrder
from .objections import OBJECTABLE, REJECT, UPHOLD, rejected
from .review import PASS, RETURN
from .triage import DECIDED, EMERGENCY_LINES, SETTLED

# Every action on an order; the portal names its button `action-<name>`.
ActionName = Literal[
    "sign",
    "objection",
    "contact",
    "progress",
    "assists",
    "release",
    "extension",
    "reply",
    "assist-sign",
    "assist-report",
    "assist-progress",
    "dispatch",
    "triage",
    "merge",
    "transfer",
    "reinstate",
    "decision",
    "urge",
    "adjudication",
    "follow-up",
    "review",
]

# Why an action the caller would otherwise have is not open: the code the action answers with.
BlockReason = Literal["objection_rejected", "objection_pending", "deadline_passed", "assists_pending"]

Choices = dict[str, list[str | bool]]


class AllowedAction(BaseModel):
    """One action the caller may take now, with what its call takes."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    action: ActionName
    needs: list[str] = Field(description="The body's required fields besides `version` (docs/api.md).")
    choices: Choices = Field(
        description="The values the domain allows for a body field or a path part (one: the one to send).",
    )
    until: datetime | None = Field(description="Open only before this instant (the order's deadline).")


class BlockedAction(BaseModel):
    """An action the caller would have, were it not for the order's state: shown as a hint."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    action: ActionName
    reason: BlockReason
    since: datetime | None = Field(description="Blocked from this instant on; null: now.")


@dataclass(frozen=True)
class _Rule:
    action: ActionName
    permission: Permission
    open: Callable[[WorkOrder, Staff], bool]
    needs: tuple[str, ...] = ()
    choices: Callable[[WorkOrder], Choices] = field(default=lambda _o: {})
    until: Callable[[WorkOrder], datetime | None] = field(default=lambda _o: None)


def _status(*statuses: Status) -> Callable[[WorkOrder, Staff], bool]:
    return lambda order, _staff: order.status in statuses


def _own_assist(state: Callable[[Assist], bool]) -> Callable[[WorkOrder, Staff], bool]:
    """The caller's unit assists with the order, its part in `state`, while the first receiver holds it."""

    def open_(order: WorkOrder, staff: Staff) -> bool:
        mine = order.assist(staff.unit or "")
        return order.status in ASSISTABLE and mine is not None and state(mine)

    return open_


def _deadline(order: WorkOrder) -> datetime | None:
    return order.deadline


RULES: tuple[_Rule, ...] = (
    _Rule("sign", Permission.HANDLE, _status(Status.DISPATCHED)),
    _Rule(
        "objection",
        Permission.HANDLE,
        lambda o, _s: o.status in OBJECTABLE and not rejected(o),
        ("grounds", "reason"),
        lambda _o: {"grounds": [g.value for g in ObjectionGrounds]},
    ),
    _Rule("contact", Permission.HANDLE, _status(*CONTACTABLE)),
    _Rule("progress", Permission.HANDLE, _status(*WORKING), ("note",)),
    _Rule("assists", Permission.HANDLE, _status(*WORKING), ("units", "deadline"), until=_deadline),
    _Rule(
        "release",
        Permission.HANDLE,
        lambda o, _s: o.status in ASSISTABLE and bool(pending(o)),
        ("reason",),
        lambda o: {"unit": [a.unit for a in pending(o)]},
    ),
    _Rule(
        "extension",
        Permission.HANDLE,
        lambda o, _s: o.status in WORKING and o.deadline is not None,
        ("reason", "new_deadline"),
        until=_deadline,
    ),
    _Rule(
        "reply",
        Permission.HANDLE,
        lambda o, _s: o.status is Status.IN_PROGRESS and not pending(o),
        ("result", "resolved_claim"),
        lambda _o: {"resolved_claim": [True, False]},
    ),
    _Rule("assist-sign", Permission.ASSIST, _own_assist(lambda a: a.status is AssistStatus.REQUESTED)),
    _Rule("assist-report", Permission.ASSIST, _own_assist(lambda a: a.open), ("result",)),
    _Rule("assist-progress", Permission.ASSIST, _own_assist(lambda a: a.open), ("note",)),
    _Rule("dispatch", Permission.DISPATCH, _status(*BEFORE_SIGNING)),
    _Rule(
        "triage",
        Permission.DISPATCH,
        _status(*BEFORE_SIGNING),
        ("reason",),
        lambda _o: {"reason": [r.value for r in DECIDED], "transfer_to": list(EMERGENCY_LINES)},
    ),
    _Rule("merge", Permission.DISPATCH, _status(*BEFORE_SIGNING), ("into",)),
    _Rule("transfer", Permission.DISPATCH, _status(*BEFORE_SIGNING), ("partner",)),
    _Rule("reinstate", Permission.REINSTATE, _status(*SETTLED), ("note",)),
    _Rule(
        "decision",
        Permission.REVIEW_OBJECTION,
        lambda o, _s: o.open_objection() is not None,
        ("decision",),
        lambda o: {"objection": [p.id] if (p := o.open_objection()) else [], "decision": [UPHOLD, REJECT]},
    ),
    _Rule("urge", Permission.URGE, _status(*HANDLING)),
    _Rule(
        "follow-up",
        Permission.TAKE_FOLLOW_UP,
        lambda o, _s: evaluation_due(o),
        ("resolved", "satisfaction"),
        lambda _o: {"resolved": [True, False], "satisfaction": [s.value for s in Satisfaction]},
    ),
    _Rule(
        "review",
        Permission.REVIEW_REPLY,
        _status(Status.IN_REVIEW),
        ("decision",),
        lambda _o: {"decision": [PASS, RETURN]},
    ),
    _Rule(
        "adjudication",
        Permission.ADJUDICATE,
        lambda o, _s: o.evaluation is not None,
        ("unreasonable", "reason"),
        lambda o: {"unreasonable": [not o.adjudicated_unreasonable]},
    ),
)


def _permitted(staff: Staff, permission: Permission, order: WorkOrder) -> bool:
    try:
        require(staff, permission, order)
    except Forbidden:
        return False
    return True


def allowed(order: WorkOrder, staff: Staff) -> list[AllowedAction]:
    """The actions `staff` may take on `order` (one they may see), in the order the portal shows them.
    An action with `until` closes at that instant; the portal hides it from then on."""
    return [
        AllowedAction(action=r.action, needs=list(r.needs), choices=r.choices(order), until=r.until(order))
        for r in RULES
        if _permitted(staff, r.permission, order) and r.open(order, staff)
    ]


def blocked(order: WorkOrder, staff: Staff) -> list[BlockedAction]:
    """What keeps the first receiver from an action it would otherwise have (Arts. 12, 14, 15)."""
    if not _permitted(staff, Permission.HANDLE, order):
        return []
    found: list[BlockedAction] = []
    if order.status in OBJECTABLE and rejected(order):
        found.append(BlockedAction(action="objection", reason="objection_rejected", since=None))
    if order.status in WORKING and order.deadline is not None:
        found.append(BlockedAction(action="extension", reason="deadline_passed", since=order.deadline))
    if order.status is Status.IN_PROGRESS and pending(order):
        found.append(BlockedAction(action="reply", reason="assists_pending", since=None))
    if order.status is Status.OBJECTED:
        found.append(BlockedAction(action="objection", reason="objection_pending", since=None))
    return found
