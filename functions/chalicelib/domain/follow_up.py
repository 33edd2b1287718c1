"""Follow-up and evaluation (回访 / 评价, Arts. 8 and 23): the requester rates the handling.

Follow-up starts when the unit replies or, at the latest, when the deadline expires. An
unresolved or dissatisfied answer to a reply opens a supervisor's second follow-up (差评二次回访,
revisit.py), who decides whether the order goes back to the unit (重办); any other answer closes it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from .deadlines import TimeLimits
from .errors import Conflict, NotFound
from .handling import HANDLING, Action, commit
from .intake import tracking_hash
from .model import Evaluation, Satisfaction, Staff, Status, TimelineEvent, WorkOrder
from .ports import Clock, Workflows, WorkOrders
from .revisit import bad, close, open_revisit

AWAITING_EVALUATION = (Status.REPLIED, Status.FOLLOW_UP)
Comment = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class Answers(BaseModel):
    """The requester's two answers: resolved? satisfied?"""

    model_config = ConfigDict(extra="forbid")

    resolved: bool
    satisfaction: Satisfaction
    comment: Comment | None = None


class EvaluationForm(Answers):
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


def find_by_code(orders: WorkOrders, order_id: str, code: str) -> WorkOrder:
    """Public access needs the number and its tracking code; a wrong pair answers like no order."""
    order = orders.get(order_id) if order_id.isdigit() and len(order_id) <= 20 else None
    if order is None or order.tracking_hash != tracking_hash(code):
        raise NotFound("No work order matches this number and tracking code.")
    return order


def evaluation_due(order: WorkOrder) -> bool:
    return order.status in AWAITING_EVALUATION or (
        order.status in HANDLING and order.follow_up_until is not None
    )


def by_phone(answers: Answers, limits: TimeLimits) -> Action:
    """An operator takes the evaluation on the phone (Art. 23: 回访 by phone, SMS or network)."""

    def act(order: WorkOrder, staff: Staff, now: datetime) -> WorkOrder:
        return evaluate(answers, "phone", staff.event(now, "evaluated"), limits)(order, now)

    return act


def rate(
    order_id: str,
    form: EvaluationForm,
    *,
    orders: WorkOrders,
    workflows: Workflows,
    clock: Clock,
    limits: TimeLimits,
) -> WorkOrder:
    """The requester rates on the web with the number and tracking code."""
    order = find_by_code(orders, order_id, form.code)
    now = clock.now()
    by = TimelineEvent(at=now, action="evaluated", actor_role="requester")
    changed = evaluate(form, "web", by, limits)(order, now)
    return commit(order, changed, orders=orders, workflows=workflows)


def evaluate(
    answers: Answers, channel: str, by: TimelineEvent, limits: TimeLimits
) -> Callable[[WorkOrder, datetime], WorkOrder]:
    """The evaluation as a change of the order; `by` names who recorded it (the requester on the
    web, an operator on the phone)."""

    def act(order: WorkOrder, now: datetime) -> WorkOrder:
        if not evaluation_due(order):
            raise Conflict(
                f"The order is {order.status.value}; it is not awaiting an evaluation.", "wrong_status"
            )
        evaluation = Evaluation(
            resolved=answers.resolved,
            satisfaction=answers.satisfaction,
            comment=answers.comment,
            at=now,
            channel=channel,
        )
        evaluated = by.model_copy(update={"at": now, "action": "evaluated", "note": answers.comment})
        if order.status in HANDLING:
            # Asked at the deadline before any reply: resolved closes it, otherwise the unit goes on.
            if not answers.resolved:
                return order.record(now, evaluated, evaluation=evaluation, follow_up_until=None)
            return _close(order, now, evaluated, evaluation)
        if bad(evaluation):
            return open_revisit(order, now, evaluated, evaluation, limits)
        return _close(order, now, evaluated, evaluation)

    return act


def _close(order: WorkOrder, now: datetime, evaluated: TimelineEvent, evaluation: Evaluation) -> WorkOrder:
    return close(order, now, "evaluated", evaluated, evaluation=evaluation)
