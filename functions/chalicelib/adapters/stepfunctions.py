"""Step Functions adapter: start an order's workflow, wake it when a unit acts."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError

from ..domain.ports import Workflows

logger = Logger(child=True)
# A token that was already spent, timed out or belongs to a finished execution: "too late".
TOO_LATE = {"InvalidToken", "TaskTimedOut", "TaskDoesNotExist"}
ORDER_CLOSED = "OrderClosed"  # the error the workflow catches to end (work_order.asl.json)


class StepFunctionsWorkflows(Workflows):
    """`next_step` works out an order's next checkpoint (domain.workflow.advance) for a wake-up,
    so the woken workflow waits again at once: an ordinary order's execution has no step of its
    own per action (DESIGN.md section 9, state transitions)."""

    def __init__(
        self,
        client: Any,
        state_machine_arn: str,
        whistle_machine_arn: str = "",
        next_step: Callable[[str], dict[str, Any]] | None = None,
    ) -> None:
        self._client = client
        self._arn = state_machine_arn
        self._whistle_arn = whistle_machine_arn
        self._next_step = next_step

    def start(self, order_id: str, run: int = 0) -> None:
        # Execution names are unique per state machine for 90 days: the name makes a retried
        # start harmless, and a reinstated order's new run gets a name of its own.
        name = f"order-{order_id}-r{run}" if run else f"order-{order_id}"
        self._start(self._arn, name, {"order_id": order_id})

    def watch_whistle(self, whistle_id: str, run: int) -> None:
        self._start(self._whistle_arn, f"whistle-{whistle_id}-{run}", {"whistle_id": whistle_id})

    def _start(self, machine: str, name: str, payload: dict[str, str]) -> None:
        try:
            self._client.start_execution(stateMachineArn=machine, name=name, input=json.dumps(payload))
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
                raise

    def resume(self, token: str, order_id: str) -> bool:
        try:
            checkpoint = self._checkpoint(order_id)
            if checkpoint["phase"] == "done":
                # The one way a Task state ends a loop without a Choice after it: the workflow
                # catches this error and succeeds (statemachines/work_order.asl.json).
                self._client.send_task_failure(
                    taskToken=token, error=ORDER_CLOSED, cause="The order is closed."
                )
            else:
                self._client.send_task_success(taskToken=token, output=json.dumps(checkpoint))
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in TOO_LATE:
                logger.info("workflow token already spent", code=code)
                return False
            raise
        return True

    def _checkpoint(self, order_id: str) -> dict[str, Any]:
        """The order's next checkpoint; when it cannot be worked out now (the order keeps changing,
        a throttled read), one that makes the workflow look again at once: parking at a version
        no order has fails, and the workflow's own step works it out."""
        if self._next_step is not None:
            try:
                return self._next_step(order_id)
            except Exception:
                logger.warning("next checkpoint not worked out; the workflow looks again", order_id=order_id)
        return {"order_id": order_id, "phase": "waiting", "version": -1, "wait_seconds": 1}
