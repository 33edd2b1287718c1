"""A day of Beijing on the local stack: `make load` (not part of `make test`).

Starts the local stack in a process of its own (as `make run` does, on free ports, with a fresh
store), signs in an operator and the handlers, and runs tests/load/locustfile.py headless with
Locust for the compressed day. Then it reads back what the stack stored and reports:

- throughput, and p50/p95/p99 and errors per route (Locust's figures);
- orders lost (a 201 whose order is not stored) and duplicated (one submission stored twice);
- workflow executions failed, and open orders without a workflow;
- the stack process's CPU over the run: what saturated first.

    make load                          # 300 s for the day, up to 120 users at the peak hour
    make load LOAD_SECONDS=600 LOAD_PEAK_USERS=200
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HANDLERS = ("andingmen.handler",)
OPERATORS = ("operator1",)
REVIEWERS = ("reviewer1",)  # 办结审核


def free_port() -> int:
    from infra.local.server import free_port as port

    return port()


def wait_for(url: str, seconds: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return json.loads(answer.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _moto(config: dict[str, Any]) -> dict[str, str]:
    """The embedded AWS endpoint of the local stack (moto takes any credentials)."""
    return {
        "endpoint_url": config["cognitoEndpoint"],
        "region_name": config["region"],
        "aws_access_key_id": "local",
        "aws_secret_access_key": "local",
    }


def sign_in(config: dict[str, Any], usernames: tuple[str, ...]) -> list[str]:
    import boto3

    from infra.local.stack import DEMO_PASSWORD

    idp = boto3.client("cognito-idp", **_moto(config))
    return [
        idp.initiate_auth(
            ClientId=config["userPoolClientId"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": DEMO_PASSWORD},
        )["AuthenticationResult"]["IdToken"]
        for name in usernames
    ]


class CpuSampler(threading.Thread):
    """The stack process's CPU use (user + system), as a share of one core, every second."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.stopped = pid, threading.Event()
        self.samples: list[float] = []
        self.tick = os.sysconf("SC_CLK_TCK")

    def _ticks(self) -> int:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    def run(self) -> None:
        last, at = self._ticks(), time.monotonic()
        while not self.stopped.wait(1.0):
            now_ticks, now = self._ticks(), time.monotonic()
            self.samples.append((now_ticks - last) / self.tick / (now - at))
            last, at = now_ticks, now


def integrity(config: dict[str, Any], written: Path) -> dict[str, int]:
    """What the stack stored against what the clients were told."""
    import boto3

    from infra.local.stack import names

    dynamodb, sfn = boto3.client("dynamodb", **_moto(config)), boto3.client("stepfunctions", **_moto(config))
    told = [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines() if line.strip()]
    stored: dict[str, dict[str, Any]] = {}
    for page in dynamodb.get_paginator("scan").paginate(TableName=names.WORK_ORDERS_TABLE.local_name):
        for item in page["Items"]:
            if item.get("pk", {}).get("S", "").startswith("ORDER#") and "doc" in item:
                doc = json.loads(item["doc"]["S"])
                stored[doc["id"]] = doc
    contents = Counter(doc["content"] for doc in stored.values())
    machine = next(
        m["stateMachineArn"]
        for m in sfn.list_state_machines()["stateMachines"]
        if m["name"].endswith(names.WORK_ORDER_MACHINE)
    )
    executions: dict[str, str] = {}
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=machine):
        for execution in page["executions"]:
            executions[execution["name"]] = execution["status"]
    open_statuses = {
        "received",
        "dispatched",
        "signed",
        "in_progress",
        "objected",
        "replied",
        "follow_up",
        "reopened",
    }
    return {
        "submissions answered 201": len(told),
        "orders stored": len(stored),
        "lost (201, not stored)": sum(1 for t in told if t["id"] not in stored),
        "duplicated (one submission stored twice)": sum(n - 1 for n in contents.values() if n > 1),
        "workflow executions failed": sum(
            1 for s in executions.values() if s in ("FAILED", "TIMED_OUT", "ABORTED")
        ),
        "open orders without a workflow": sum(
            1
            for doc in stored.values()
            if doc["status"] in open_statuses
            and not any(n.startswith(f"order-{doc['id']}") for n in executions)
        ),
    }


def routes(prefix: Path) -> tuple[list[dict[str, str]], dict[str, str]]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    return [r for r in rows if r["Name"] != "Aggregated"], next(r for r in rows if r["Name"] == "Aggregated")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("LOAD_SECONDS", 300)))
    parser.add_argument("--peak-users", type=int, default=int(os.environ.get("LOAD_PEAK_USERS", 120)))
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="jiesu-load-") as scratch:
        port = free_port()
        # A new stack every run: never the data `make run` keeps (JIESU_LOCAL_DATA).
        environment = {k: v for k, v in os.environ.items() if k != "JIESU_LOCAL_DATA"}
        stack = subprocess.Popen(
            [sys.executable, "-m", "infra.local", "--port", str(port), "--time-scale", "720"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            host = f"http://127.0.0.1:{port}"
            config = wait_for(f"{host}/config.json")
            written = Path(scratch) / "orders.jsonl"
            written.touch()
            tokens = {
                "operator": sign_in(config, OPERATORS),
                "handler": sign_in(config, HANDLERS),
                "reviewer": sign_in(config, REVIEWERS),
            }
            sampler = CpuSampler(stack.pid)
            sampler.start()
            prefix = Path(scratch) / "locust"
            began = time.monotonic()
            subprocess.run(
                [
                    str(BIN / "locust"),
                    "-f",
                    str(ROOT / "tests" / "load" / "locustfile.py"),
                    "--headless",
                    "--host",
                    host,
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--loglevel",
                    "ERROR",
                ],
                cwd=ROOT,
                env={
                    **environment,
                    "PYTHONPATH": f"{ROOT}:{ROOT / 'functions'}",
                    "JIESU_LOAD_DAY_SECONDS": str(args.seconds),
                    "JIESU_LOAD_PEAK_USERS": str(args.peak_users),
                    "JIESU_LOAD_TOKENS": json.dumps(tokens),
                    "JIESU_LOAD_OUT": str(written),
                },
                check=False,
                capture_output=True,
                timeout=args.seconds + 300,
            )
            took = time.monotonic() - began
            sampler.stopped.set()
            time.sleep(10)  # the last workflows start and the stream drains
            found = integrity(config, written)
            per_route, total = routes(prefix)
        finally:
            stack.terminate()
            try:
                stack.wait(timeout=30)
            except subprocess.TimeoutExpired:
                stack.kill()

    peak = f"up to {args.peak_users} users at the peak hour"
    print(f"A compressed day: {args.seconds:.0f} s, {peak} ({took:.0f} s)")
    print(
        f"  {int(total['Request Count']):,} requests, {float(total['Requests/s']):.1f}/s, "
        f"{int(total['Failure Count']):,} failed; "
        f"p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms"
    )
    print(f"  {'route':<44}{'requests':>9}{'failed':>8}{'p50':>7}{'p95':>7}{'p99':>7}  (ms)")
    for row in sorted(per_route, key=lambda r: -int(r["Request Count"])):
        print(
            f"  {row['Name']:<44}{int(row['Request Count']):>9,}{int(row['Failure Count']):>8,}"
            f"{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}"
        )
    for what, count in found.items():
        print(f"  {what:<44}{count:>9,}")
    if sampler.samples:
        busy = sorted(sampler.samples)
        print(
            f"  stack process CPU: median {100 * busy[len(busy) // 2]:.0f} % of one core, "
            f"peak {100 * busy[-1]:.0f} % (the local API serves one request at a time: "
            "infra/local/gateway.py)"
        )
    bad = found["lost (201, not stored)"] + found["duplicated (one submission stored twice)"]
    bad += found["workflow executions failed"] + found["open orders without a workflow"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
