"""What moto 5.2.5 needs to run Jiesu's real ASL and real handlers on this machine, without Docker.

1. Lambda runs in-process: every invoke path (direct Invoke, Step Functions tasks, the DynamoDB
   stream consumer) ends in `LambdaFunction._invoke_lambda`, which stock moto hands to Docker.
   Here it imports the function's handler ("app.route_order") from the project and calls it.
2. The demo clock: Step Functions timeouts, heartbeats, Wait seconds and retry intervals are
   divided by MOTO_SFN_TIME_SCALE, the same factor the app's ScaledClock runs faster by.

3. `athena:startQueryExecution.sync`: moto forwards the start but has no way to wait for the
   query; here the task polls GetQueryExecution, returns it as AWS does and fails the task when
   the query failed (infra/local/athena.py makes moto's Athena run the SQL).
4. `RedriveExecution`, which moto lacks: the failed execution is started again under its own
   name and ARN, from its first state (the work-order workflow reads everything from the stored
   order, so beginning again does what AWS's restart at the failed state does), and
   DescribeExecution reports how often it was redriven.
5. Cognito signs tokens with a key of this process: stock moto signs every user pool's tokens with
   the private key it ships in its package, so anyone could mint a token for any user and role
   that the app would accept. The key is made at start and never leaves memory; the pool's JWKS
   serves its public half (under moto's kid "dummy", which moto writes into every token header).
6. DynamoDB stream records keep numbers that only grow and are never shared, as AWS's are: stock
   moto numbers a record by the length of a list that it empties once the consumers have it, so
   numbers started again from the shard's start, and two writes at once got the same number.
   The facts export names each object by its batch's sequence numbers (a retried batch writes
   the same object again), so later changes overwrote earlier ones. Each record is now numbered
   under a lock and handed to the consumers alone.
7. One DynamoDB write at a time: a transaction deep-copies its tables before it writes, to put them
   back if it fails, and a write in another server thread made that copy fail ("dictionary changed
   size during iteration", a 500) or, put back, undid the other write. Writes now take a lock; the
   stream records a write makes are handed to the consumers after it (they write to DynamoDB
   themselves), and those of a failed write are never handed over, as in AWS.

All reach into moto's private classes, so `install` refuses any moto but the pinned one and the
smoke tests in tests/statemachines exercise each patch.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import threading
import time
import traceback
import uuid
from typing import Any

import moto

PINNED_MOTO = "5.2.5"
TIME_SCALE_ENV = "MOTO_SFN_TIME_SCALE"
_installed = False


def time_scale() -> float:
    """Read per call, so a test can change it between executions."""
    return float(os.environ.get(TIME_SCALE_ENV) or 1)


class LambdaContext:
    """The parts of the Lambda context object that handlers and Powertools read."""

    def __init__(self, function: Any) -> None:
        self.function_name = function.function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function.function_arn
        self.memory_limit_in_mb = int(function.memory_size or 128)
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function.function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + float(function.timeout or 30)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _handler(function: Any) -> Any:
    module_name, _, attribute = function.handler.rpartition(".")
    return getattr(importlib.import_module(module_name), attribute)


def _invoke_in_process(self: Any, event: Any = None) -> tuple[str, bool, str]:
    if isinstance(event, (str, bytes)):
        event = json.loads(event or "{}")
    try:
        result = _handler(self)(event if event is not None else {}, LambdaContext(self))
    except Exception as error:
        body = {
            "errorMessage": str(error),
            "errorType": type(error).__name__,
            "stackTrace": traceback.format_tb(error.__traceback__),
        }
        return json.dumps(body), True, traceback.format_exc()
    return json.dumps(result, default=str), False, ""


def _scaled(seconds: Any) -> Any:
    scale = time_scale()
    if scale == 1 or not isinstance(seconds, (int, float)):
        return seconds
    return max(seconds / scale, 0.01)


def _plain(value: Any) -> Any:
    """A boto3 response as JSON can carry it (datetimes as ISO strings)."""
    return json.loads(
        json.dumps(value, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))
    )


def _athena_sync(
    self: Any, env: Any, resource_runtime_part: Any, normalised_parameters: Any, state_credentials: Any
) -> Any:
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails
    from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for

    if self._get_boto_service_name() != "athena":
        raise RuntimeError(f"Unsupported .sync callback procedure in resource {self.resource.resource_arn}")
    started = env.stack.pop()
    client = boto_client_for(
        service="athena", region=resource_runtime_part.region, state_credentials=state_credentials
    )

    def resolve() -> Any:
        execution = client.get_query_execution(QueryExecutionId=started["QueryExecutionId"])["QueryExecution"]
        state = execution["Status"]["State"]
        if state in ("QUEUED", "RUNNING"):
            return None
        if state == "SUCCEEDED":
            return _plain({"QueryExecution": execution})
        raise FailureEventException(
            FailureEvent(
                env=env,
                error_name=CustomErrorName("Athena.QueryFailed"),
                event_type=HistoryEventType.TaskFailed,
                event_details=EventDetails(
                    taskFailedEventDetails=TaskFailedEventDetails(
                        resource=self._get_sfn_resource(),
                        resourceType=self._get_sfn_resource_type(),
                        error="Athena.QueryFailed",
                        cause=json.dumps(_plain(execution)),
                    )
                ),
            )
        )

    return resolve


def _sign_with_a_key_of_our_own() -> None:
    from joserfc import jwk
    from moto.cognitoidp.models import CognitoIdpUserPool
    from moto.cognitoidp.responses import CognitoIdpJsonWebKeyResponse

    key = jwk.RSAKey.generate_key(
        2048, parameters={"kid": "dummy", "alg": "RS256", "use": "sig"}, private=True
    )
    created = CognitoIdpUserPool.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        created(self, *args, **kwargs)
        self.json_web_key = key

    CognitoIdpUserPool.__init__ = init
    public = {"keys": [key.as_dict(private=False)]}
    CognitoIdpJsonWebKeyResponse.json_web_key = json.dumps(public).encode("utf-8")


def _redrive_execution(self: Any, execution_arn: str) -> Any:
    """The parser backend's RedriveExecution: a failed, timed-out or aborted execution again."""
    from moto.core.exceptions import JsonRESTError
    from moto.stepfunctions.exceptions import ExecutionDoesNotExist

    machine = self._get_state_machine_for_execution(execution_arn)
    failed = next((x for x in machine.executions if x.execution_arn == execution_arn), None)
    if failed is None:
        raise ExecutionDoesNotExist(f"Execution Does Not Exist: '{execution_arn}'")
    if failed.status not in ("FAILED", "TIMED_OUT", "ABORTED"):
        raise JsonRESTError("ExecutionNotRedrivable", f"Execution {execution_arn} is {failed.status}.")
    machine.executions.remove(failed)
    again = self.start_execution(machine.arn, failed.name, failed.execution_input)
    again.redrive_count = getattr(failed, "redrive_count", 0) + 1
    return again


def _redrive_response(self: Any) -> Any:
    from moto.core.responses import ActionResult

    again = self.stepfunction_backend.redrive_execution(self._get_param("executionArn"))
    return ActionResult({"redriveDate": again.start_date})


# Patch 7: one DynamoDB write at a time, its stream records handed over after it.
_writing = threading.RLock()
_this_write = threading.local()  # .records: deliveries waiting for the outermost write to end


def _one_write_at_a_time() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    def serialized(method: Any) -> Any:
        def write(self: Any, *args: Any, **kwargs: Any) -> Any:
            outermost = getattr(_this_write, "records", None) is None
            if outermost:
                _this_write.records = []
            try:
                with _writing:
                    result = method(self, *args, **kwargs)
            except BaseException:
                if outermost:
                    _this_write.records = None  # a failed write's records are never handed over
                raise
            if outermost:
                waiting, _this_write.records = _this_write.records, None
                for deliver in waiting:
                    deliver()
            return result

        return write

    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        setattr(DynamoDBBackend, name, serialized(getattr(DynamoDBBackend, name)))


def _keep_stream_sequence() -> None:
    from moto.awslambda.utils import get_backend
    from moto.dynamodb.models.table import StreamRecord, StreamShard

    add = StreamShard.add
    numbering = threading.Lock()

    def add_in_sequence(self: Any, old: Any, new: Any) -> None:
        mappings = list(self.table.lambda_event_source_mappings.items())
        if not mappings:  # kept for GetRecords, numbered from the shard's start as stock moto does
            with numbering:
                add(self, old, new)
            return
        # Stock moto numbers a record by the length of a list that concurrent writes share, and
        # hands the whole list to each consumer: two writes at once got one number, and the
        # export named both batches' objects alike. Here the number is taken under a lock and
        # each consumer gets this record alone.
        event_name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
        with numbering:
            sequence = getattr(self, "next_sequence_number", self.starting_sequence_number)
            self.next_sequence_number = sequence + 1
        view = self.table.stream_specification["StreamViewType"]
        record = StreamRecord(self.table, view, event_name, old, new, sequence)

        def deliver() -> None:
            for arn, mapping in mappings:
                backend = get_backend(self.account_id, arn.split(":")[3])
                backend.send_dynamodb_items(arn, [record], mapping.event_source_arn)

        waiting = getattr(_this_write, "records", None)
        if waiting is None:
            deliver()
        else:  # the consumers write to DynamoDB themselves: never while this write holds the lock
            waiting.append(deliver)

    StreamShard.add = add_in_sequence


def install() -> None:
    """Apply the patches once, before any moto backend is created."""
    global _installed
    if _installed:
        return
    if moto.__version__ != PINNED_MOTO:
        raise RuntimeError(
            f"moto {moto.__version__} is not {PINNED_MOTO}: re-check infra/local/moto_patches.py"
        )

    from moto.awslambda.models import LambdaFunction
    from moto.core.config import default_user_config
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.common.timeouts.heartbeat import Heartbeat
    from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import Timeout
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
        state_task_service_unsupported as unsupported,
    )
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
        ResourceCondition,
    )
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend
    from moto.stepfunctions.responses import StepFunctionResponse

    LambdaFunction._invoke_lambda = _invoke_in_process
    _sign_with_a_key_of_our_own()
    _keep_stream_sequence()
    _one_write_at_a_time()
    StepFunctionsParserBackend.redrive_execution = _redrive_execution
    StepFunctionResponse.redrive_execution = _redrive_response
    describe = StepFunctionResponse.describe_execution

    def describe_with_redrives(self: Any) -> Any:
        answer = describe(self)
        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        answer.result["redriveCount"] = getattr(execution, "redrive_count", 0)
        return answer

    StepFunctionResponse.describe_execution = describe_with_redrives
    unsupported._SUPPORTED_INTEGRATION_PATTERNS.add(ResourceCondition.Sync)
    # Each Athena task would log that moto forwards it (which is what it should do here).
    unsupported.LOG.setLevel(logging.ERROR)
    unsupported.StateTaskServiceUnsupported._build_sync_resolver = _athena_sync
    default_user_config["stepfunctions"] = {"execute_state_machine": True}

    def timeout_body(self: Any, env: Any) -> None:
        seconds = self._eval_seconds(env=env)
        env.stack.append(seconds if self.is_default_value() else _scaled(seconds))

    def heartbeat_body(self: Any, env: Any) -> None:
        env.stack.append(_scaled(self._eval_seconds(env=env)))

    def wait_body(self: Any, env: Any) -> None:
        until = time.monotonic() + _scaled(self._get_wait_seconds(env=env))
        while env.is_running() and (left := until - time.monotonic()) > 0:
            env.program_state_event.wait(left)

    class _ScaledTime:
        """`time` as the retrier sees it: its sleeps between attempts follow the demo clock."""

        def __getattr__(self, name: str) -> Any:
            return getattr(time, name)

        @staticmethod
        def sleep(seconds: float) -> None:
            time.sleep(_scaled(seconds))

    Timeout._eval_body = timeout_body
    Heartbeat._eval_body = heartbeat_body
    WaitFunction._eval_body = wait_body
    retrier_decl.time = _ScaledTime()
    _installed = True
