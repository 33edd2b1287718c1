"""Follow-up and evaluation (回访 / 评价, Arts. 8 and 23): the requester rates the handling."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from .errors import Conflict, NotFound
from .intake import tracking_hash
from .model import Evaluation, Satisfaction, Status, TimelineEvent, WorkOrder
from .ports import Clock, Workflows, WorkOrders

AWAITING_EVALUATION = (Status.REPLIED, Status.FOLLOW_UP)


class EvaluationForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
    resolved: bool
    satisfaction: Satisfaction
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


def find_by_code(orders: WorkOrders, order_id: str, code: str) -> WorkOrder:
    """Public access needs the number and its tracking code; a wrong pair answers like no order."""
    order = orders.get(order_id) if order_id.isdigit() and len(order_id) <= 20 else None
    if order is None or order.tracking_hash != tracking_hash(code):
        raise NotFound("No work order matches this number and tracking code.")
    return order


def evaluate(
    order_id: str,
    form: EvaluationForm,
    *,
    channel: str,
    orders: WorkOrders,
    workflows: Workflows,
    clock: Clock,
) -> WorkOrder:
    """The requester answers: resolved? satisfied? The order closes with the evaluation."""
    order = find_by_code(orders, order_id, form.code)
    if order.status not in AWAITING_EVALUATION:
        raise Conflict(
            f"The order is {order.status.value}; it is not awaiting an evaluation.", "wrong_status"
        )
    now = clock.now()
    evaluation = Evaluation(
        resolved=form.resolved, satisfaction=form.satisfaction, comment=form.comment, at=now, channel=channel
    )
    events = [
        TimelineEvent(at=now, action="evaluated", actor_role="requester", note=form.comment),
        TimelineEvent(at=now, action="closed", actor_role="hotline"),
    ]
    changed = order.model_copy(
        update={
            "status": Status.CLOSED,
            "evaluation": evaluation,
            "closed_at": now,
            "close_reason": "evaluated",
            "version": order.version + 1,
            "updated_at": now,
            "timeline": [*order.timeline, *events],
        }
    )
    token = orders.update(changed, expected_version=order.version)
    if token:
        workflows.resume(token)
    return changed
