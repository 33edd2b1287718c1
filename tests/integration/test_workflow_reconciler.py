"""Every accepted order has a running workflow, on the local stack: a start Step Functions did not
take answers 201 all the same, and the reconciler (the scheduled Lambda in AWS) starts the run;
a run that failed is redriven while its order is open."""

import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from botocore.exceptions import ClientError
from chalicelib import wiring
from chalicelib.adapters.stepfunctions import StepFunctionsWorkflows
from chalicelib.domain import reconcile

from tests.conftest import TEST_TIME_SCALE, execution_arn, wait_until

BODY = {
    "type": "complaint",
    "category": "garbage_collection",
    "location": {"district": "110101", "street": "110101004", "address": "东城区安定门街道方家胡同"},
}


class ThrottledStarts:
    """A Step Functions client whose StartExecution is throttled; every other call goes through."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.refused = 0

    def start_execution(self, **kwargs: Any) -> Any:
        self.refused += 1
        raise ClientError(
            {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "StartExecution"
        )

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.fixture
def throttled(local_stack) -> Iterator[ThrottledStarts]:
    """StartExecution throttled for the app in this process (the API and the Lambdas alike)."""
    dependencies = wiring.deps()
    real = dependencies.workflows
    client = ThrottledStarts(local_stack.stack.client("stepfunctions"))
    dependencies.__dict__["workflows"] = StepFunctionsWorkflows(
        client,
        local_stack.stack.outputs["WORK_ORDER_STATE_MACHINE_ARN"],
        local_stack.stack.outputs["WHISTLE_STATE_MACHINE_ARN"],
    )
    yield client
    dependencies.__dict__["workflows"] = real


def phone() -> str:
    return f"137{secrets.randbelow(10**8):08d}"


def content() -> str:
    return f"胡同口垃圾桶满了好几天没人清运，气味很大（{time.time_ns()}）"


def public(api, unit) -> dict[str, Any]:
    body = {**BODY, "content": content(), "requester": {"name": "刘先生", "phone": phone(), "kind": "person"}}
    return api.post("/api/v1/public/requests", body)


def operator(api, unit) -> Any:
    body = {**BODY, "content": content(), "requester": {"name": "王女士", "phone": phone(), "kind": "person"}}
    return unit("operator1").post("/work-orders", body)


def partner(api, unit) -> Any:
    body = {
        **BODY,
        "content": content(),
        "requester": {"name": "赵先生", "phone": phone(), "kind": "person"},
        "partner_reference": f"TJ-{time.time_ns()}",
    }
    return api.post("/api/v1/partner/requests", body, headers={"x-api-key": "local-partner-tianjin"})


def open311(api, unit) -> Any:
    fields = {
        "api_key": "local-open311-demo",
        "service_code": "garbage_collection",
        "attribute[type]": "complaint",
        "attribute[district]": "110101",
        "attribute[street]": "110101004",
        "description": content(),
        "phone": phone(),
        "address_string": "东城区安定门街道方家胡同",
    }
    return api.request(
        "POST",
        "/open311/v2/requests.json",
        headers={"content-type": "application/x-www-form-urlencoded"},
        body=urlencode(fields),
    )


def order_id(answer: Any) -> str:
    found = answer.json()
    return found[0]["service_request_id"] if isinstance(found, list) else found["id"]


CHANNELS: dict[str, Callable[..., Any]] = {
    "public": public,
    "operator": operator,
    "partner": partner,
    "open311": open311,
}


def status(sfn, arn: str) -> str | None:
    try:
        return str(sfn.describe_execution(executionArn=arn)["status"])
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ExecutionDoesNotExist"
        return None


def dispatched(unit, order: str) -> bool:
    return bool(unit("dispatcher1").order(order).json()["status"] == "dispatched")


@pytest.mark.parametrize("channel", CHANNELS)
def test_a_throttled_start_is_accepted_and_the_reconciler_starts_the_workflow(
    channel, api, unit, sfn, local_stack, throttled
):
    answer = CHANNELS[channel](api, unit)

    assert answer.status == 201, answer.body
    order = order_id(answer)
    assert throttled.refused == 1
    assert unit("dispatcher1").order(order).json()["status"] == "received"

    wiring.deps().__dict__["workflows"] = StepFunctionsWorkflows(
        throttled.real,
        local_stack.stack.outputs["WORK_ORDER_STATE_MACHINE_ARN"],
        local_stack.stack.outputs["WHISTLE_STATE_MACHINE_ARN"],
    )
    # The reconciler leaves an order to its own start for a grace period (of workflow time).
    time.sleep(2 * reconcile.GRACE.total_seconds() / TEST_TIME_SCALE)
    passed = local_stack.reconciler.run()

    arn = execution_arn(local_stack, order)
    assert status(sfn, arn) == "RUNNING", passed
    wait_until(lambda: dispatched(unit, order))


class BrokenDispatch:
    """The order store with `get` failing for the next order it creates while `broken` (a bug in
    the dispatch task that reads it)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.order: str | None = None
        self.broken = True

    def create(self, order: Any, *args: Any, **kwargs: Any) -> None:
        self.order = order.id
        self.real.create(order, *args, **kwargs)

    def get(self, order_id: str) -> Any:
        if self.broken and order_id == self.order:
            raise RuntimeError("the dispatch task failed")
        return self.real.get(order_id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_a_failed_run_of_an_open_order_is_redriven_by_the_reconciler(api, unit, sfn, local_stack):
    dependencies = wiring.deps()
    real = dependencies.orders
    broken = BrokenDispatch(real)
    dependencies.__dict__["orders"] = broken
    try:
        body = {
            **BODY,
            "content": content(),
            "requester": {"name": "刘先生", "phone": phone(), "kind": "person"},
        }
        answer = api.post("/api/v1/public/requests", body)
        assert answer.status == 201, answer.body
        order = answer.json()["id"]
        arn = execution_arn(local_stack, order)
        wait_until(lambda: status(sfn, arn) == "FAILED", timeout=30)
        broken.broken = False
    finally:
        dependencies.__dict__["orders"] = real

    local_stack.reconciler.run()

    described = sfn.describe_execution(executionArn=arn)
    assert described["status"] == "RUNNING" and described["redriveCount"] >= 1
    wait_until(lambda: dispatched(unit, order))
