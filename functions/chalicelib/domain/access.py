"""Who may see and act on an order (DESIGN.md section 5; Art. 14 and Art. 35 on privacy)."""

from __future__ import annotations

from enum import StrEnum

from .errors import Forbidden, NotFound
from .model import Staff, WorkOrder


class Permission(StrEnum):
    HANDLE = "handle"  # the first receiver's own actions (首接负责制, Art. 14)
    ASSIST = "assist"  # an assisting unit's part of the order (协办, Art. 14)
    DISPATCH = "dispatch"  # dispatch or redispatch an order, or settle it without a unit (Art. 11)
    REINSTATE = "reinstate"  # undo a triage outcome
    REVIEW_OBJECTION = "review_objection"  # decide a dispatch objection (Art. 12 ¶3)
    URGE = "urge"  # 催办
    ADJUDICATE = "adjudicate"  # judge a rated request unreasonable (assessment exclusion)
    TAKE_FOLLOW_UP = "take_follow_up"  # an evaluation taken by phone (Art. 23)
    INTAKE = "intake"  # record a request from a call
    EDIT_POLICY = "edit_policy"  # the dispatch catalogue and the time limits
    REVISIT = "revisit"  # decide a second follow-up after a bad rating (差评二次回访)
    # Approve or refuse a unit's extension request (Art. 15): a supervisor, who answers for the time
    # limits (督办) and the assessment that counts them; dispatchers decide where an order goes.
    DECIDE_EXTENSION = "decide_extension"
    APPEAL = "appeal"  # the first receiver appeals a closed order's effect on its rates (考核申诉)
    DECIDE_APPEAL = "decide_appeal"  # an assessment officer upholds or rejects an appeal
    REVIEW_REPLY = "review_reply"  # 办结审核: pass a unit's reply to the requester or return it


ROLES: dict[Permission, frozenset[str]] = {
    Permission.HANDLE: frozenset({"handler", "unit_leader"}),
    Permission.ASSIST: frozenset({"handler", "unit_leader"}),
    Permission.DISPATCH: frozenset({"dispatcher", "operator"}),
    Permission.REINSTATE: frozenset({"dispatcher"}),
    Permission.REVIEW_OBJECTION: frozenset({"dispatcher"}),
    Permission.URGE: frozenset({"supervisor", "dispatcher"}),
    Permission.ADJUDICATE: frozenset({"supervisor"}),
    Permission.TAKE_FOLLOW_UP: frozenset({"operator"}),
    Permission.INTAKE: frozenset({"operator"}),
    Permission.EDIT_POLICY: frozenset({"admin"}),
    Permission.REVISIT: frozenset({"supervisor"}),
    Permission.DECIDE_EXTENSION: frozenset({"supervisor"}),
    Permission.APPEAL: frozenset({"handler", "unit_leader"}),
    Permission.DECIDE_APPEAL: frozenset({"assessor"}),
    Permission.REVIEW_REPLY: frozenset({"reviewer"}),
}


def may_see(staff: Staff, order: WorkOrder) -> bool:
    """Hotline-centre staff see every order; a unit sees orders dispatched, copied or assisted to it."""
    if staff.hotline_centre:
        return True
    if staff.unit is None:
        return False
    return (
        staff.unit == order.first_receiver or staff.unit in order.copied_to or staff.unit in order.assisting
    )


def require_visible(staff: Staff, order: WorkOrder | None, order_id: str) -> WorkOrder:
    """An order outside the caller's scope answers exactly like one that does not exist."""
    if order is None or not may_see(staff, order):
        raise NotFound(f"No work order {order_id}.")
    return order


def require(staff: Staff, permission: Permission, order: WorkOrder | None = None) -> None:
    """The role the action needs; for a unit's own actions, also that the unit received the order."""
    roles = ROLES[permission]
    if not staff.roles & roles:
        raise Forbidden(f"This action needs one of the roles: {', '.join(sorted(roles))}.")
    own = order is None or (staff.unit is not None and staff.unit == order.first_receiver)
    if permission in (Permission.HANDLE, Permission.APPEAL) and not own:
        raise Forbidden("Only the first receiver's staff can act on this order.")
    assists = order is None or (staff.unit is not None and staff.unit in order.assisting)
    if permission is Permission.ASSIST and not assists:
        raise Forbidden("Only an assisting unit's staff act on its part of the order.")


# Who may use the staff routes beyond an order's actions (the entrypoints take their role sets from
# here and nowhere else).
ADMINS = frozenset({"admin"})
AUDIT_READERS = frozenset({"admin", "supervisor"})
TOPIC_ADOPTERS = frozenset({"analyst"})
MODEL_CHOOSERS = frozenset({"analyst"})
ANALYSIS_READERS = frozenset({"analyst", "supervisor", "admin"})
ANALYSIS_RUNNERS = frozenset({"analyst", "admin"})
RANKING_READERS = frozenset({"supervisor", "analyst"})
UNIT_STAFF = frozenset({"handler", "unit_leader"})
# 来电历史: a caller's earlier orders, shown to the operator taking the call (personal data, audited).
CALLER_HISTORY_READERS = frozenset({"operator"})
