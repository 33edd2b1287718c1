"""批量派单 / 批量签收: dispatchers and handlers act on the orders they selected in a list. Each
order is the single-order action of its own (acting.py: scope, role, version, status, one
conditional write); the answer reports each order: done, or the status and error it answered."""

from __future__ import annotations

from typing import Annotated

from chalice import Blueprint, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from ...domain import batch, handling
from ...domain.access import Permission, require
from ...domain.allowed import BatchAction
from ...domain.errors import DomainError
from ...domain.model import Staff, WorkOrder
from ...domain.views import StaffSummary, staff_summary
from ...observability import logger
from ...wiring import deps
from ..auth import caller, staff_auth
from ..http import ErrorDetail, ErrorInfo, api, doc, parse, respond, status_of
from .acting import apply, reachable
from .forms import Reason

bp = Blueprint(__name__)


class BatchDispatchForm(batch.Batch):
    """The same dispatch for every order: by the catalogue (no units), or to the units named."""

    units: Annotated[list[Annotated[str, StringConstraints(max_length=64)]], Field(max_length=5)] = []  # noqa: RUF012
    category: Annotated[str, StringConstraints(max_length=64)] | None = None
    reason: Reason | None = None


class BatchResult(BaseModel):
    """One order of the batch: done (the order as it is now) or refused (what its own call answers)."""

    model_config = ConfigDict(defer_build=True)

    id: str
    ok: bool
    status: int = Field(description="The HTTP status the order's own action answered: 200, or a 4xx.")
    error: ErrorInfo | None = None
    order: StaffSummary | None = None


class BatchAnswer(BaseModel):
    model_config = ConfigDict(defer_build=True)

    action: BatchAction
    done: int
    failed: int
    results: list[BatchResult]


def _run(
    action: BatchAction, permission: Permission, form: batch.Batch, staff: Staff, act: handling.Action
) -> Response:
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
@doc(BatchAnswer, body=batch.Batch)
def sign_all() -> Response:
    """批量签收: the first receiver's staff sign for each order selected."""
    staff = caller()
    require(staff, Permission.HANDLE)
    form = parse(bp.current_request, batch.Batch)
    return _run("sign", Permission.HANDLE, form, staff, handling.sign)


@bp.route("/batch/dispatch", methods=["POST"], cors=True, authorizer=staff_auth)
@api
@doc(BatchAnswer, body=BatchDispatchForm)
def dispatch_all() -> Response:
    """批量派单: a dispatcher sends each order selected, by the catalogue or to the units named."""
    staff = caller()
    require(staff, Permission.DISPATCH)
    form = parse(bp.current_request, BatchDispatchForm)
    d = deps()
    act = batch.dispatch_all(form.units, form.category, form.reason, d.reference, d.limits)
    return _run("dispatch", Permission.DISPATCH, form, staff, act)
