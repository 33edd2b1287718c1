"""Step Functions adapter: start an order's workflow, wake it when a unit acts, and tell the
reconciler where a run stands (start it, redrive it)."""

from __future__ import annotations

import json
import re
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from ..domain.errors import WorkflowUnavailable
from ..domain.ports import FailedRun, RunState, RunStatus, Workflows

logger = Logger(child=True)
# A token that was already spent, timed out or belongs to a finished execution: "too late".
TOO_LATE = {"InvalidToken", "TaskTimedOut", "TaskDoesNotExist"}
# What a work-order execution is called: order-<number> for the first run, order-<number>-r<k>
# after the k-th reinstatement.
RUN_NAME = re.compile(r"^order-(\d+)(?:-r(\d+))?$")


def run_name(order_id: str, run: int) -> str:
    # Execution names are unique per state machine for 90 days: the name makes a retried start
    # harmless, and a reinstated order's new run gets a name of its own.
    return f"order-{order_id}-r{run}" if run else f"order-{order_id}"


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


class StepFunctionsWorkflows(Workflows):
    def __init__(self, client: Any, state_machine_arn: str, whistle_machine_arn: str = "") -> None:
        self._client = client
        self._arn = state_machine_arn
        self._whistle_arn = whistle_machine_arn

    def start(self, order_id: str, run: int = 0) -> None:
        self._start(self._arn, run_name(order_id, run), {"order_id": order_id})

    def watch_whistle(self, whistle_id: str, run: int) -> None:
        self._start(self._whistle_arn, f"whistle-{whistle_id}-{run}", {"whistle_id": whistle_id})

    def _start(self, machine: str, name: str, payload: dict[str, str]) -> None:
        try:
            self._client.start_execution(stateMachineArn=machine, name=name, input=json.dumps(payload))
        except ClientError as error:
            if _code(error) == "ExecutionAlreadyExists":
                return  # this run was started before: it runs, or it ran
            logger.warning("workflow start not taken", execution=name, code=_code(error))
            raise WorkflowUnavailable(name) from error
        except BotoCoreError as error:
            logger.warning("workflow start not taken", execution=name, error=type(error).__name__)
            raise WorkflowUnavailable(name) from error

    def _execution_arn(self, order_id: str, run: int) -> str:
        return self._arn.replace(":stateMachine:", ":execution:", 1) + ":" + run_name(order_id, run)

    def state(self, order_id: str, run: int) -> RunState | None:
        try:
            found = self._client.describe_execution(executionArn=self._execution_arn(order_id, run))
        except ClientError as error:
            if _code(error) == "ExecutionDoesNotExist":
                return None
            raise WorkflowUnavailable(run_name(order_id, run)) from error
        except BotoCoreError as error:
            raise WorkflowUnavailable(run_name(order_id, run)) from error
        return RunState(RunStatus(found["status"]), int(found.get("redriveCount") or 0))

    def redrive(self, order_id: str, run: int) -> bool:
        try:
            self._client.redrive_execution(executionArn=self._execution_arn(order_id, run))
        except ClientError as error:
            # Past the redrive window (14 days), or no longer failed (someone redrove it).
            if _code(error) in ("ExecutionNotRedrivable", "ExecutionDoesNotExist"):
                logger.info("workflow run not redriven", order_id=order_id, run=run, code=_code(error))
                return False
            raise WorkflowUnavailable(run_name(order_id, run)) from error
        except BotoCoreError as error:
            raise WorkflowUnavailable(run_name(order_id, run)) from error
        return True

    def failed_runs(self, limit: int) -> list[FailedRun]:
        found: list[FailedRun] = []
        kwargs: dict[str, Any] = {"stateMachineArn": self._arn, "statusFilter": "FAILED", "maxResults": 100}
        while len(found) < limit:
            page = self._client.list_executions(**kwargs)
            for execution in page.get("executions", []):
                if matched := RUN_NAME.match(execution["name"]):
                    found.append(FailedRun(matched.group(1), int(matched.group(2) or 0)))
            if not page.get("nextToken"):
                break
            kwargs["nextToken"] = page["nextToken"]
        return found[:limit]

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
