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
    from ...domain import handling
    from ...domain.views import staff_view

    staff = caller()
    d = deps()
    order = require_visible(staff, d.orders.get(order_id), order_id)
    require(staff, permission, order)
    form = parse(request, form_model)
    changed = handling.perform(
        order, form.version, staff, action(form), orders=d.orders, workflows=d.workflows, clock=d.clock
    )
    return respond(staff_view(changed, staff, d.reference))
