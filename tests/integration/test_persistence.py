"""`make run` keeps its data: stopped with SIGTERM (as `make run` is by a service manager, or Ctrl-C),
the stack writes its snapshot; started again on the same directory it has the order, its
Idempotency-Key, the staff accounts, and a running workflow for the open order.

The stack runs as `python -m infra.local` in a process of its own: moto's backends are global to
a process, and this suite's own stack lives in this one."""

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import TEST_TIME_SCALE, wait_until

ROOT = Path(__file__).resolve().parents[2]
BODY = {
    "type": "complaint",
    "content": "胡同口路灯坏了三天，晚上很黑",
    "category": "street_lighting",
    "location": {"district": "110101", "street": "110101004", "address": "东城区安定门街道方家胡同"},
    "requester": {"name": "刘先生", "phone": "13912340000", "kind": "person"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Stack:
    def __init__(self, data_dir: Path) -> None:
        self.port = _free_port()
        self.url = f"http://localhost:{self.port}"
        self.log = data_dir.parent / f"stack-{self.port}.log"
        self._out = self.log.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "infra.local",
                "--port",
                str(self.port),
                "--time-scale",
                str(TEST_TIME_SCALE),
                "--data-dir",
                str(data_dir),
            ],
            cwd=ROOT,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        wait_until(self._up, timeout=180, every=0.5)
        self.config = requests.get(f"{self.url}/config.json", timeout=5).json()

    def _up(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the stack exited: {self.log.read_text()}")
        try:
            return requests.get(f"{self.url}/config.json", timeout=10).status_code == 200
        except requests.RequestException:
            return False

    def post(self, path: str, body: Any, **headers: str) -> requests.Response:
        return requests.post(f"{self.url}{path}", json=body, headers=headers, timeout=30)

    def token(self, username: str) -> str:
        from infra.local.stack import DEMO_PASSWORD

        answer = requests.post(
            f"{self.config['cognitoEndpoint']}/",
            data=json.dumps(
                {
                    "ClientId": self.config["userPoolClientId"],
                    "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": username, "PASSWORD": DEMO_PASSWORD},
                }
            ),
            headers={
                "Content-Type": "application/x-amz-json-1.1",
                "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
                "Origin": self.url,
            },
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        return str(answer.json()["AuthenticationResult"]["IdToken"])

    def executions(self, order_id: str) -> list[str]:
        import boto3

        sfn = boto3.client(
            "stepfunctions",
            endpoint_url=self.config["cognitoEndpoint"],
            region_name=self.config["region"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        machines = sfn.list_state_machines()["stateMachines"]
        (machine,) = [m for m in machines if m["name"].endswith("-work-order")]
        found = sfn.list_executions(stateMachineArn=machine["stateMachineArn"])["executions"]
        return [e["status"] for e in found if e["name"].startswith(f"order-{order_id}")]

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                raise
        self._out.close()
        return int(self.process.returncode)


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "local-data"


def test_a_restart_keeps_the_order_its_idempotency_key_and_its_workflow(data_dir):
    key = f"restart-{secrets.token_hex(4)}"
    first = Stack(data_dir)
    try:
        created = first.post("/api/v1/public/requests", BODY, **{"Idempotency-Key": key})
        assert created.status_code == 201, created.text
        receipt = created.json()
        track = f"/api/v1/public/requests/{receipt['id']}?code={receipt['tracking_code']}"
        wait_until(lambda: requests.get(f"{first.url}{track}", timeout=5).json()["status"] == "dispatched")
    finally:
        stopped = first.stop()
    assert stopped == 0, first.log.read_text()
    assert (data_dir / "snapshot" / "tables.json").exists()

    second = Stack(data_dir)
    try:
        again = second.post("/api/v1/public/requests", BODY, **{"Idempotency-Key": key})
        tracked = requests.get(f"{second.url}{track}", timeout=5)
        handler = second.token("andingmen.handler")
        seen = requests.get(
            f"{second.url}/api/v1/staff/work-orders/{receipt['id']}",
            headers={"Authorization": f"Bearer {handler}"},
            timeout=10,
        )
        running = wait_until(lambda: second.executions(receipt["id"]), timeout=30)
    finally:
        second.stop()

    assert again.status_code == 201 and again.json()["id"] == receipt["id"]
    assert tracked.status_code == 200 and tracked.json()["status"] == "dispatched"
    assert seen.status_code == 200 and seen.json()["id"] == receipt["id"]
    assert running == ["RUNNING"]
    assert "restored from the last run" in second.log.read_text()


def test_without_a_snapshot_the_stack_starts_afresh(data_dir):
    first = Stack(data_dir)
    try:
        created = first.post("/api/v1/public/requests", BODY)
        assert created.status_code == 201
    finally:
        first.stop()
    subprocess.run(
        ["make", "reset"], cwd=ROOT, env={**os.environ, "JIESU_LOCAL_DATA": str(data_dir)}, check=True
    )
    assert not data_dir.exists()

    second = Stack(data_dir)
    try:
        receipt = created.json()
        tracked = requests.get(
            f"{second.url}/api/v1/public/requests/{receipt['id']}?code={receipt['tracking_code']}", timeout=5
        )
    finally:
        second.stop()

    assert tracked.status_code == 404
    assert "(new;" in second.log.read_text()
