"""Fixtures shared by the layers that run the local stack (the venv puts functions/ on the path)."""

import json
import os
import secrets
import time
from collections.abc import Callable
from typing import Any

import pytest
from chalicelib import names

# The tests' local stacks, in this process or started from it (the browser tests), retrain the
# dispatch model the smaller way (names.py): its confidence fitted on two folds, not three (three
# fits instead of four; without folds the confidence is not fitted at all and the candidate is
# never good enough to serve); `make bench` measures the full one.
os.environ.setdefault(names.ENV_RETRAIN_FOLDS, "2")

# Workflow time in the integration and path tests runs 3600x faster: a 2-hour deadline falls due
# two wall seconds after dispatch, a 24-hour one after 24 s (longer than any test needs).
TEST_TIME_SCALE = 3600.0


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, every: float = 0.05) -> Any:
    """Poll (gently: moto's handler threads need the GIL) until `predicate` returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(every)


@pytest.fixture(scope="session")
def local_stack():
    """The local stack in this process: moto with the patches, the real ASL and handlers, the API."""
    from infra.local.server import free_port, start

    running = start(port=free_port(), time_scale=TEST_TIME_SCALE)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def api(local_stack):
    from infra.local.gateway import LocalApi

    return LocalApi()


@pytest.fixture(scope="session")
def id_token(local_stack):
    """An ID token for a demo staff account, from the local Cognito user pool."""
    from chalicelib import names

    from infra.local.stack import DEMO_PASSWORD

    idp = local_stack.stack.client("cognito-idp")
    cache: dict[str, str] = {}

    def token(username: str) -> str:
        if username not in cache:
            answer = idp.initiate_auth(
                ClientId=local_stack.stack.outputs[names.ENV_USER_POOL_CLIENT_ID],
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": DEMO_PASSWORD},
            )
            cache[username] = answer["AuthenticationResult"]["IdToken"]
        return cache[username]

    return token


class Citizen:
    """Drives the public API as a requester would."""

    def __init__(self, api) -> None:
        self.api = api
        self.phone = ""

    def submit(self, **changes: Any) -> dict[str, Any]:
        """A new request; each from a phone of its own (a repeat from one phone is merged), kept
        in `phone`."""
        self.phone = (changes.get("requester") or {}).get("phone") or f"138{secrets.randbelow(10**8):08d}"
        body = {
            "type": "complaint",
            "content": "胡同口垃圾桶满了好几天没人清运，气味很大",
            "category": "garbage_collection",
            "location": {"district": "110101", "street": "110101004", "address": "东城区安定门街道方家胡同"},
            "requester": {"name": "刘先生", "phone": self.phone, "kind": "person"},
            **changes,
        }
        answer = self.api.post("/api/v1/public/requests", body)
        assert answer.status == 201, answer.body
        return answer.json()

    def track(self, receipt: dict[str, Any]) -> dict[str, Any]:
        answer = self.api.get(f"/api/v1/public/requests/{receipt['id']}?code={receipt['tracking_code']}")
        assert answer.status == 200, answer.body
        return answer.json()

    def rate(self, receipt: dict[str, Any], **changes: Any):
        body = {"code": receipt["tracking_code"], "resolved": True, "satisfaction": "satisfied", **changes}
        return self.api.post(f"/api/v1/public/requests/{receipt['id']}/evaluation", body)


class Unit:
    """Drives the staff API as a staff member would (a unit's handler, or hotline staff)."""

    def __init__(self, api, token: str) -> None:
        self.api = api
        self.headers = {"authorization": f"Bearer {token}"}

    def get(self, path: str):
        return self.api.get(f"/api/v1/staff{path}", headers=self.headers)

    def post(self, path: str, body: Any = None, **kwargs: Any):
        return self.api.post(f"/api/v1/staff{path}", {**(body or {}), **kwargs}, headers=self.headers)

    def put(self, path: str, body: Any):
        return self.api.put(f"/api/v1/staff{path}", body, headers=self.headers)

    def order(self, order_id: str):
        return self.api.get(f"/api/v1/staff/work-orders/{order_id}", headers=self.headers)

    def act(self, order_id: str, action: str, version: int | None = None, **body: Any):
        """The action at `version`, or at the order's current version: then, as a person would,
        again after a 409 stale_version (the workflow may write between the read and the action,
        e.g. flagging a limit that has just passed at the demo clock's pace)."""
        path = f"/api/v1/staff/work-orders/{order_id}/{action}"
        for _attempt in range(3):
            at = self.order(order_id).json()["version"] if version is None else version
            answer = self.api.post(path, {"version": at, **body}, headers=self.headers)
            stale = answer.status == 409 and answer.json()["error"]["code"] == "stale_version"
            if version is not None or not stale:
                break
        return answer


@pytest.fixture
def citizen(api):
    return Citizen(api)


@pytest.fixture
def unit(api, id_token):
    return lambda username="andingmen.handler": Unit(api, id_token(username))


@pytest.fixture
def time_limits(api, id_token):
    """Change the time limits for one test, as the admin would; the defaults come back after."""
    admin = Unit(api, id_token("admin1"))
    original = admin.get("/time-limits").json()

    def change(**changes: Any) -> dict[str, Any]:
        current = admin.get("/time-limits").json()
        answer = admin.put(
            "/time-limits", {"version": current["version"], "limits": {**_editable(current), **changes}}
        )
        assert answer.status == 200, answer.body
        return answer.json()

    yield change
    current = admin.get("/time-limits").json()
    if current["version"] != original["version"]:
        admin.put("/time-limits", {"version": current["version"], "limits": _editable(original)})


def _editable(limits: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in limits.items() if k not in ("version", "updated_by", "updated_at")}


@pytest.fixture
def sfn(local_stack):
    return local_stack.stack.client("stepfunctions")


def execution_arn(local_stack, order_id: str) -> str:
    from chalicelib import names

    machine = local_stack.stack.outputs[names.ENV_WORK_ORDER_STATE_MACHINE_ARN]
    return machine.replace(":stateMachine:", ":execution:") + f":order-{order_id}"


def states_entered(sfn, arn: str) -> list[str]:
    events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def history_types(sfn, arn: str) -> list[str]:
    return [e["type"] for e in sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]]


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
