"""批量派单 / 批量签收: dispatchers and handlers act on the orders they selected in a list. Each
order is the single-order action of its own (acting.py: scope, role, version, status, one
conditional write); the answer reports each order: done, or the status and error it answered."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from ...domain.access import Permission, require
from ...domain.errors import DomainError
from ...observability import logger
from ...wiring import deps
from ..auth import caller, staff_auth
from ..http import ErrorDetail, ErrorInfo, api, doc, parse, respond, status_of
from .acting import apply, reachable

if TYPE_CHECKING:
    from ...domain import batch, handling
    from ...domain.allowed import BatchAction
    from ...domain.model import Staff, WorkOrder

bp = Blueprint(__name__)
# The forms and the answer load with the first batch (the staff function's import time).
MODELS = "chalicelib.entrypoints.staff.models"


def _run(
    action: BatchAction, permission: Permission, form: batch.Batch, staff: Staff, act: handling.Action
) -> Response:
    from ...domain import batch
    from ...domain.views import staff_summary
    from .models import BatchAnswer, BatchResult

    def one(order_id: str, version: int) -> WorkOrder:
        try:
            return apply(staff, reachable(staff, order_id, permission), version, act)
        except DomainError:
            raise
        except Exception as error:
            # One order's fault on our side (a throttled table, the workflow service) is that order's
            # result: the others are still done and reported.
            logger.exception("batch order failed", order_id=order_id, action=action)
            raise batch.Unfinished() from error

    d = deps()
    now = d.clock.now()
    results = []
    for outcome in batch.each(form, one):
        if outcome.error is not None:
            e = outcome.error
            info = ErrorInfo(
                code=e.code,
                message=e.message,
                details=[ErrorDetail(field=p.field, message=p.message) for p in e.details],
            )
            results.append(BatchResult(id=outcome.id, ok=False, status=status_of(e), error=info))
        elif outcome.order is not None:
            summary = staff_summary(outcome.order, d.reference, now)
            results.append(BatchResult(id=outcome.id, ok=True, status=200, order=summary))
    done = sum(r.ok for r in results)
    return respond(BatchAnswer(action=action, done=done, failed=len(results) - done, results=results))


@bp.route("/batch/sign", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(f"{MODELS}:BatchAnswer", body="chalicelib.domain.batch:Batch")
def sign_all() -> Response:
    """批量签收: the first receiver's staff sign for each order selected."""
    from ...domain import batch, handling

    staff = caller()
    require(staff, Permission.HANDLE)
    form = parse(bp.current_request, batch.Batch)
    return _run("sign", Permission.HANDLE, form, staff, handling.sign)


@bp.route("/batch/dispatch", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(f"{MODELS}:BatchAnswer", body=f"{MODELS}:BatchDispatchForm")
def dispatch_all() -> Response:
    """批量派单: a dispatcher sends each order selected, by the catalogue or to the units named."""
    from ...domain import batch
    from .models import BatchDispatchForm

    staff = caller()
    require(staff, Permission.DISPATCH)
    form = parse(bp.current_request, BatchDispatchForm)
    d = deps()
    act = batch.dispatch_all(form.units, form.category, form.reason, d.reference, d.limits)
    return _run("dispatch", Permission.DISPATCH, form, staff, act)
