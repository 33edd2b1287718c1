"""Step Functions adapter: start an order's workflow, wake it when a unit acts."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError

from ..domain.ports import Workflows

logger = Logger(child=True)
# A token that was already spent, timed out or belongs to a finished execution: "too late".
TOO_LATE = {"InvalidToken", "TaskTimedOut", "TaskDoesNotExist"}


class StepFunctionsWorkflows(Workflows):
    def __init__(self, client: Any, state_machine_arn: str, whistle_machine_arn: str = "") -> None:
        self._client = client
        self._arn = state_machine_arn
        self._whistle_arn = whistle_machine_arn

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

    def resume(self, token: str) -> bool:
        try:
            self._client.send_task_success(taskToken=token, output='{"woken": true}')
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in TOO_LATE:
                logger.info("workflow token already spent", code=code)
                return False
            raise
        return True
