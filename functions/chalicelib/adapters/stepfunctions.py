"""Step Functions adapter: start an order's workflow, wake it when a unit acts, and tell the
reconciler where a run stands (start it, redrive it)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from ..domain.errors import WorkflowUnavailable
from ..domain.ports import FailedRun, RunState, RunStatus, Workflows

logger = Logger(child=True)
# A token that was already spent, timed out or belongs to a finished execution: "too late".
TOO_LATE = {"InvalidToken", "TaskTimedOut", "TaskDoesNotExist"}
ORDER_CLOSED = "OrderClosed"  # the error the workflow catches to end (work_order.asl.json)
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
