"""The analytics runs on the running local stack (`make run`), where EventBridge Scheduler never
fires: the same state machines the schedules start in AWS, started by hand.

    python -m infra.local.analytics history [--from 2026-08 --to 2026-10 --orders 60000 --seed 12345]
    python -m infra.local.analytics topics [--month 2026-10]

`history` puts generated months of de-identified facts into the analytics bucket, as the stream
export would have written them (infra/local/history.py), then runs the daily machine over those
days: the compaction, which merges each order's latest change into the facts, and the hotspots as
of the last day. `topics` runs the monthly machine: rankings, topic candidates, trends,
recurrences. The stack is found through its /config.json (the embedded moto's address is its
Cognito endpoint).
"""

from __future__ import annotations

import argparse
import calendar
import json
import sys
import time
import urllib.request
from datetime import UTC, datetime
from typing import Any

from chalicelib import names


def _previous_month(month: str, back: int = 1) -> str:
    from chalicelib.domain.insights import shift

    return shift(month, -back)


def _this_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


class RunningStack:
    def __init__(self, url: str) -> None:
        with urllib.request.urlopen(f"{url.rstrip('/')}/config.json", timeout=10) as answer:
            config = json.load(answer)
        self.moto = str(config["cognitoEndpoint"])
        self.region = str(config["region"])

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service,
            region_name=self.region,
            endpoint_url=self.moto,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def machine(self, spec: names.MachineSpec) -> str:
        wanted = f"{names.APP_NAME}-local-{spec.name}"
        for machine in self.client("stepfunctions").list_state_machines()["stateMachines"]:
            if machine["name"] == wanted:
                return str(machine["stateMachineArn"])
        raise SystemExit(f"no state machine {wanted}: is `make run` the local stack at this address?")

    def run(self, spec: names.MachineSpec, payload: dict[str, Any], timeout: float = 600) -> dict[str, Any]:
        """Start the machine and wait for it; its output, or exit with its error."""
        sfn = self.client("stepfunctions")
        name = f"{spec.name}-{datetime.now(UTC):%Y%m%dT%H%M%S%f}"
        arn = sfn.start_execution(stateMachineArn=self.machine(spec), name=name, input=json.dumps(payload))[
            "executionArn"
        ]
        deadline = time.monotonic() + timeout
        while True:
            described = sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"{name} still running after {timeout:.0f} s")
            time.sleep(0.5)
        if described["status"] != "SUCCEEDED":
            raise SystemExit(
                f"{name} {described['status']}: {described.get('error')} {described.get('cause')}"
            )
        output: dict[str, Any] = json.loads(described.get("output") or "{}")
        return output


def history(
    stack: RunningStack,
    first: str,
    last: str,
    orders: int,
    seed: int,
    emerging: str | None = None,
    emerging_month: str | None = None,
) -> dict[str, Any]:
    from .history import HistoryPlan, write_bucket

    plan = HistoryPlan(first, last, orders, seed, emerging=emerging, emerging_month=emerging_month)
    rows = write_bucket(plan, stack.client("s3"), names.ANALYTICS_BUCKET_LOCAL)
    year, month = (int(p) for p in last.split("-"))
    last_day = f"{last}-{calendar.monthrange(year, month)[1]:02d}"
    daily = stack.run(names.ANALYTICS_DAILY_MACHINE_SPEC, {"from": f"{first}-01", "to": last_day})
    return {"orders": rows, **daily}


def topics(stack: RunningStack, month: str) -> dict[str, Any]:
    return stack.run(names.ANALYTICS_MONTHLY_MACHINE_SPEC, {"month": month})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.local.analytics", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--url", default="http://localhost:8000", help="the running local stack")
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("history", help="generate months of facts and compact them")
    made.add_argument("--from", dest="first", default=_previous_month(_this_month(), 3))
    made.add_argument("--to", dest="last", default=_previous_month(_this_month()))
    made.add_argument("--orders", type=int, default=60_000)
    made.add_argument("--seed", type=int, default=12345)
    made.add_argument("--emerging", help="a category code that becomes a new problem in one month")
    made.add_argument("--emerging-month", help="that month, YYYY-MM (the last by default)")
    month = commands.add_parser("topics", help="run the monthly analysis of a month")
    month.add_argument("--month", default=_previous_month(_this_month()))
    args = parser.parse_args(argv)
    stack = RunningStack(args.url)
    if args.command == "history":
        result = history(
            stack, args.first, args.last, args.orders, args.seed, args.emerging, args.emerging_month
        )
    else:
        result = topics(stack, args.month)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
