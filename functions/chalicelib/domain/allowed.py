"""What the caller may do with an order now, and what each action takes.

The staff view of an order carries these, so the portal renders the actions and decides nothing
(STYLE.md, habit 17). Each rule is the one the action itself applies: the role and unit from
access.py, the statuses from the action's own module; a property test holds the two together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from .access import Permission, require
from .appeal_records import AppealGrounds
from .appeals import appeal_until, appealable
from .appeals import pending as appeal_pending
from .catalogue import Catalogue
from .co_handling import ASSISTABLE, pending
from .deadlines import TimeLimits, TimeLimitsStore
from .errors import Forbidden
from .extensions import APPROVE, REFUSE, approvable, awaiting, more_allowed, room
from .follow_up import evaluation_due
from .handling import BEFORE_SIGNING, CONTACTABLE, HANDLING, WORKING
from .model import Assist, AssistStatus, ObjectionGrounds, Satisfaction, Staff, Status, WorkOrder
from .objections import OBJECTABLE, REJECT, UPHOLD, rejected
from .review import PASS, RETURN
from .revisit import decisions
from .revisit import pending as revisit_pending
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
    "extension-decision",
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
    "revisit",
    "appeal",
    "appeal-decision",
    "review",
]

# Why an action the caller would otherwise have is not open: the code the action answers with.
BlockReason = Literal[
    "objection_rejected",
    "objection_pending",
    "deadline_passed",
    "assists_pending",
    "extension_pending",
    "extension_limit",
]

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
    latest: datetime | None = Field(
        None, description="The latest the action's new deadline may be (extension: the tier's limit)."
    )


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
    # An action open until a deadline the configuration sets: the instant, or None while it is shut.
    limited: Callable[[WorkOrder, TimeLimits], datetime | None] | None = None


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


def _appeal_until(order: WorkOrder, limits: TimeLimits) -> datetime | None:
    return appeal_until(order, limits) if appealable(order, limits) else None


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
        lambda o, _s: o.status in WORKING and o.deadline is not None and o.open_extension_request() is None,
        ("reason", "new_deadline"),
        until=_deadline,
    ),
    _Rule(
        "extension-decision",
        Permission.DECIDE_EXTENSION,
        lambda o, _s: awaiting(o),
        ("decision",),
        lambda _o: {"decision": [APPROVE, REFUSE]},
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
    # 差评二次回访: `decision.<finding>` lists the decisions that finding allows.
    _Rule(
        "revisit",
        Permission.REVISIT,
        lambda o, _s: revisit_pending(o) is not None,
        ("finding", "decision", "reason"),
        decisions,
    ),
    _Rule(
        "appeal",
        Permission.APPEAL,
        lambda _o, _s: True,
        ("grounds", "evidence"),
        lambda _o: {"grounds": [g.value for g in AppealGrounds]},
        limited=_appeal_until,
    ),
    _Rule(
        "appeal-decision",
        Permission.DECIDE_APPEAL,
        lambda o, _s: appeal_pending(o),
        ("decision", "note"),
        lambda _o: {"decision": [UPHOLD, REJECT]},
    ),
)


class OrderReference(Catalogue, TimeLimitsStore, Protocol):
    """What an order's staff view reads besides the order: units and categories, and the time
    limits its actions keep."""


def _permitted(staff: Staff, permission: Permission, order: WorkOrder) -> bool:
    try:
        require(staff, permission, order)
    except Forbidden:
        return False
    return True


def allowed(order: WorkOrder, staff: Staff, limits: TimeLimits) -> list[AllowedAction]:
    """The actions `staff` may take on `order` (one they may see), in the order the portal shows them.
    An action with `until` closes at that instant; the portal hides it from then on. An extension is
    offered while the order's tier allows one more, up to `latest`."""
    found: list[AllowedAction] = []
    for r in RULES:
        if not (_permitted(staff, r.permission, order) and r.open(order, staff)):
            continue
        until = r.until(order) if r.limited is None else r.limited(order, limits)
        if r.limited is None or until is not None:
            found.append(
                AllowedAction(action=r.action, needs=list(r.needs), choices=r.choices(order), until=until)
            )
    more = more_allowed(order, limits)
    return [_within_tier(a, order, limits) for a in found if a.action != "extension" or more]


def _within_tier(action: AllowedAction, order: WorkOrder, limits: TimeLimits) -> AllowedAction:
    """An extension with the latest deadline it may reach; the decision on a request the tier's
    limits (as an admin may have changed them since) no longer allow, to refuse only."""
    if action.action == "extension":
        return action.model_copy(update={"latest": room(order, limits)[1]})
    if action.action == "extension-decision" and not approvable(order, limits):
        return action.model_copy(update={"choices": {"decision": [REFUSE]}})
    return action


def blocked(order: WorkOrder, staff: Staff, limits: TimeLimits | None = None) -> list[BlockedAction]:
    """What keeps the first receiver from an action it would otherwise have (Arts. 12, 14, 15)."""
    if not _permitted(staff, Permission.HANDLE, order):
        return []
    found: list[BlockedAction] = []
    if order.status in OBJECTABLE and rejected(order):
        found.append(BlockedAction(action="objection", reason="objection_rejected", since=None))
    if order.status in WORKING and order.deadline is not None:
        found.append(BlockedAction(action="extension", reason="deadline_passed", since=order.deadline))
    if order.status in WORKING and order.open_extension_request() is not None:
        found.append(BlockedAction(action="extension", reason="extension_pending", since=None))
    elif order.status in WORKING and limits is not None and not more_allowed(order, limits):
        found.append(BlockedAction(action="extension", reason="extension_limit", since=None))
    if order.status is Status.IN_PROGRESS and pending(order):
        found.append(BlockedAction(action="reply", reason="assists_pending", since=None))
    if order.status is Status.OBJECTED:
        found.append(BlockedAction(action="objection", reason="objection_pending", since=None))
    return found


# --- 批量派单 / 批量签收: the actions a list takes on many orders at once --------------------------
BatchAction = Literal["sign", "dispatch"]
BATCH: tuple[BatchAction, ...] = ("sign", "dispatch")


def batch_actions(order: WorkOrder, staff: Staff, limits: TimeLimits) -> list[BatchAction]:
    """The batch actions open to `staff` on `order`: those of its single-order actions it may take
    now (each order of a batch is still its own action, by its own rule)."""
    open_now = {a.action for a in allowed(order, staff, limits)}
    return [b for b in BATCH if b in open_now]
