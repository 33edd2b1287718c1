"""Who may see and act on an order (DESIGN.md section 5; Art. 14 and Art. 35 on privacy)."""

from __future__ import annotations

from .errors import Forbidden, NotFound
from .model import Staff, WorkOrder


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


def require_role(staff: Staff, *roles: str) -> None:
    if not staff.roles & set(roles):
        raise Forbidden(f"This action needs one of the roles: {', '.join(roles)}.")


def require_first_receiver(staff: Staff, order: WorkOrder) -> None:
    """首接负责制 (Art. 14): the unit that received the order acts on it."""
    if staff.unit is None or staff.unit != order.first_receiver:
        raise Forbidden("Only the first receiver's staff can act on this order.")
