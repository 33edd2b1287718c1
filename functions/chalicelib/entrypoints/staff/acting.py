"""One staff action on one work order: read it, check who may, parse the form, perform the domain's
action with one conditional write, answer the order as the caller now sees it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from chalice import Response
from chalice.app import Request

from ...domain.access import Permission, require, require_visible
from ...wiring import deps
from ..auth import caller
from ..http import parse, respond
from .forms import Versioned

if TYPE_CHECKING:
    from ...domain import handling
    from ...domain.model import Staff, WorkOrder

F = TypeVar("F", bound=Versioned)
ORDER = "/work-orders/{order_id}"
# What every action answers; the views load with the first action (the staff function's import time).
STAFF_ORDER = "chalicelib.domain.views:StaffOrder"


def act(
    request: Request,
    order_id: str,
    permission: Permission,
    form_model: type[F],
    action: Callable[[F], handling.Action],
) -> Response:
    from ...domain.views import staff_view

    staff = caller()
    order = reachable(staff, order_id, permission)
    form = parse(request, form_model)
    changed = apply(staff, order, form.version, action(form))
    d = deps()
    return respond(staff_view(changed, staff, d.reference))


def reachable(staff: Staff, order_id: str, permission: Permission) -> WorkOrder:
    """The order, if the caller may see it (404 else) and take the action on it (403 else)."""
    order = require_visible(staff, deps().orders.get(order_id), order_id)
    require(staff, permission, order)
    return order


def apply(staff: Staff, order: WorkOrder, version: int, action: handling.Action) -> WorkOrder:
    """The action at the version the caller read: the status check and one conditional write."""
    from ...domain import handling

    d = deps()
    return handling.perform(
        order, version, staff, action, orders=d.orders, workflows=d.workflows, clock=d.clock
    )
