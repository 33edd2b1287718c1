"""Lambda tasks of the work-order state machine (statemachines/work_order.asl.json)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, StringConstraints

from ..domain import whistles, workflow
from ..wiring import deps

OrderId = Annotated[str, StringConstraints(pattern=r"^\d{6,20}$")]


class OrderTask(BaseModel):
    order_id: OrderId


class WhistleTask(BaseModel):
    whistle_id: Annotated[str, StringConstraints(pattern=r"^W\d{6,20}$")]


class ParkTask(BaseModel):
    order_id: OrderId
    version: int
    token: Annotated[str, StringConstraints(min_length=1)]


def route_order(event: dict[str, Any]) -> dict[str, Any]:
    task = OrderTask.model_validate(event)
    d = deps()
    checkpoint = workflow.dispatch(
        task.order_id,
        orders=d.orders,
        reference=d.reference,
        clock=d.clock,
        limits=d.limits,
        model=d.dispatch_model,
    )
    return checkpoint.model_dump(mode="json")


def await_unit(event: dict[str, Any]) -> dict[str, Any]:
    task = ParkTask.model_validate(event)
    workflow.park(task.order_id, task.version, task.token, orders=deps().orders)
    return {"parked": True}


def advance_order(event: dict[str, Any]) -> dict[str, Any]:
    task = OrderTask.model_validate(event)
    d = deps()
    return workflow.advance(task.order_id, orders=d.orders, clock=d.clock, limits=d.limits).model_dump(
        mode="json"
    )


def check_whistle(event: dict[str, Any]) -> dict[str, Any]:
    task = WhistleTask.model_validate(event)
    d = deps()
    return whistles.check(task.whistle_id, whistles=d.whistles, clock=d.clock).model_dump(mode="json")
