"""The performance budgets of DESIGN.md section 9 that concern one work order, measured.

    make bench        (or: .venv/bin/python -m tests.benchmarks.lifecycle, from the repo root)

1. state transitions of an ordinary order: states entered by its Step Functions execution;
2. DynamoDB write requests of an ordinary order, counted at the botocore client (reads too);
3. intake CPU per request with the in-memory fakes: validate the body, then `intake.receive`;
4. import time of each Lambda entry module against boto3 + the Powertools Logger alone: each API
   function's (by audience, chalicelib/audiences), the staff authorizer's and app.py's (the task,
   stream and analytics functions, and the OpenAPI document): tests/benchmarks/imports.py.

1 and 2 drive orders through the local stack (moto, the real ASL and handlers) in this process,
one order at a time, at workflow time scale 3600. Prints a table; exits 1 if a budget is exceeded.
See docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import threading
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.benchmarks import imports

# The functions log as JSON at INFO; only warnings and errors should reach the table.
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

TIME_SCALE = 3600.0
ORDERS = 5
INTAKE_CALLS = 2000
INTAKE_WARM_UP = 100
INTAKE_CALLS_PER_STORE = 100

BUDGET_TRANSITIONS = 12
BUDGET_WRITES = 15
BUDGET_INTAKE_MS = 2.0

SUBMISSION = {
    "type": "complaint",
    "content": "胡同口垃圾桶满了好几天没人清运，气味很大",
    "category": "garbage_collection",
    "location": {"district": "110101", "street": "110101004", "address": "东城区安定门街道方家胡同"},
    "requester": {"name": "刘先生", "phone": "13800001234", "kind": "person"},
}
HANDLER = "andingmen.handler"
REVIEWER = "reviewer1"  # 办结审核: every reply is reviewed (the default policy)
HANDLING: tuple[tuple[str, dict[str, Any]], ...] = (
    ("sign", {}),
    ("contact", {"note": "已电话联系诉求人"}),
    ("reply", {"result": "已安排环卫车辆清运，垃圾桶已清空", "resolved_claim": True}),
)

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}


# --- counting DynamoDB requests at the client -------------------------------------------------


@dataclass
class Request:
    phase: str
    operation: str
    label: str  # what was written: "park", or the order's newest timeline action
    count: int  # write requests (a transaction's or batch's items count one each), or reads


@dataclass
class DynamoCounter:
    """A botocore handler on the default session: every client created after it is registered
    (the stack's, the app's) reports its DynamoDB calls here, from whichever thread makes them."""

    table: str
    phase: str = "setup"
    writes: list[Request] = field(default_factory=list)
    reads: list[Request] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _order: int = 0

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        try:
            self._count(model.name, params)
        except Exception as error:  # never break the call being counted
            print(f"warning: could not count a DynamoDB {model.name}: {error!r}", file=sys.stderr)

    def _count(self, operation: str, params: dict[str, Any]) -> None:
        if operation in READS:
            tables = [params.get("TableName")]
            if operation == "BatchGetItem":
                tables = list(params.get("RequestItems", {}))
            elif operation == "TransactGetItems":
                tables = [i.get("Get", {}).get("TableName") for i in params.get("TransactItems", [])]
            reads = sum(1 for t in tables if t == self.table)
            if reads:
                self._add(self.reads, Request(self.phase, operation, "", reads))
            return
        if operation not in WRITES:
            return
        if operation == "TransactWriteItems":
            # Each item is {"Put" | "Update" | "Delete" | "ConditionCheck": {...}}, and each counts:
            # DynamoDB bills a transaction's condition checks as writes too.
            ours = [
                body
                for item in params.get("TransactItems", [])
                for body in item.values()
                if body.get("TableName") == self.table
            ]
            writes, label = len(ours), "+".join(_label(body) for body in ours)
        elif operation == "BatchWriteItem":
            writes, label = len(params.get("RequestItems", {}).get(self.table, [])), "batch"
        else:
            writes = 1 if params.get("TableName") == self.table else 0
            label = _label(params)
        if writes:
            self._add(self.writes, Request(self.phase, operation, label, writes))

    def _add(self, into: list[Request], request: Request) -> None:
        with self._lock:
            into.append(request)

    def parked(self, phase: str) -> bool:
        """Whether a task token was stored during `phase` of the order since the last `mark`."""
        with self._lock:
            return any(r.phase == phase and r.label == "park" for r in self.writes[self._order :])

    def mark(self) -> tuple[int, int]:
        """Where the next order's requests begin."""
        with self._lock:
            self._order = len(self.writes)
            return len(self.writes), len(self.reads)

    def since(self, mark: tuple[int, int]) -> tuple[list[Request], list[Request]]:
        with self._lock:
            return self.writes[mark[0] :], self.reads[mark[1] :]


def _label(params: dict[str, Any]) -> str:
    """What a write wrote: "park" (the task token), or the newest timeline actions of the order."""
    expression = params.get("UpdateExpression", "")
    if expression.startswith("SET task_token"):
        return "park"
    doc = params.get("Item", {}).get("doc")
    if doc is None and expression:
        names = params.get("ExpressionAttributeNames", {})
        values = params.get("ExpressionAttributeValues", {})
        placeholder = next((n for n, a in names.items() if a == "doc"), None)
        doc = values.get(placeholder.replace("#a", ":v")) if placeholder else None
    if doc is None:
        key = (params.get("Item") or params.get("Key") or {}).get("pk", {}).get("S", "?")
        return key.split("#", 1)[0].lower()
    timeline = json.loads(doc["S"]).get("timeline") or [{}]
    # One write may record several events at one instant (evaluated and closed, say).
    newest = [e.get("action", "?") for e in timeline if e.get("at") == timeline[-1].get("at")]
    return "+".join(newest)


# --- 1 and 2: ordinary orders on the local stack ----------------------------------------------


@dataclass
class OrderRun:
    transitions: int
    writes: list[Request]
    reads: list[Request]

    @property
    def write_count(self) -> int:
        return sum(r.count for r in self.writes)

    @property
    def read_count(self) -> int:
        return sum(r.count for r in self.reads)


def ordinary_orders(n: int) -> tuple[list[OrderRun], float]:
    """Submit, sign, contact, reply, pass the reply's review and rate `n` orders one after another;
    count each one."""
    import boto3

    # Before the stack starts: every client from here on comes from this session and copies
    # its event handlers when it is created.
    boto3.setup_default_session()
    from chalicelib import names

    counter = DynamoCounter(names.WORK_ORDERS_TABLE.local_name)
    assert boto3.DEFAULT_SESSION is not None
    boto3.DEFAULT_SESSION.events.register("before-parameter-build.dynamodb", counter)

    from infra.local.gateway import LocalApi
    from infra.local.server import free_port, start
    from infra.local.stack import DEMO_PASSWORD
    from tests.conftest import Citizen, Unit, execution_arn, states_entered, wait_until

    began = time.monotonic()
    running = start(port=free_port(), time_scale=TIME_SCALE)
    try:
        stack = running.stack
        sfn = stack.client("stepfunctions")

        def token(username: str) -> str:
            return str(
                stack.client("cognito-idp").initiate_auth(
                    ClientId=stack.outputs[names.ENV_USER_POOL_CLIENT_ID],
                    AuthFlow="USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": username, "PASSWORD": DEMO_PASSWORD},
                )["AuthenticationResult"]["IdToken"]
            )

        api = LocalApi()
        citizen, handler, reviewer = Citizen(api), Unit(api, token(HANDLER)), Unit(api, token(REVIEWER))

        def parked(arn: str, after: int = 0) -> None:
            """Until the execution waits in "Await unit" again and its task has stored the token
            (the state is entered before the task's write: the next action must not overtake it)."""
            wait_until(
                lambda: (
                    len(entered := states_entered(sfn, arn)) > after
                    and entered[-1] == "Await unit"
                    and counter.parked(counter.phase)
                )
            )

        def succeeded(arn: str) -> None:
            wait_until(lambda: sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED")

        runs = []
        for i in range(n):
            mark = counter.mark()
            counter.phase = "submit"
            receipt = citizen.submit(content=f"{SUBMISSION['content']}（第{i + 1}盏）")
            arn = execution_arn(running, receipt["id"])
            parked(arn)
            for action, body in (*HANDLING, ("review", {"decision": "pass"})):
                counter.phase = action
                before = len(states_entered(sfn, arn))
                answer = (reviewer if action == "review" else handler).act(receipt["id"], action, **body)
                if answer.status != 200:
                    raise RuntimeError(f"{action} answered {answer.status}: {answer.body!r}")
                parked(arn, before)
            counter.phase = "rate"
            answer = citizen.rate(receipt)
            if answer.status != 200:
                raise RuntimeError(f"rating answered {answer.status}: {answer.body!r}")
            succeeded(arn)
            counter.phase = "between orders"
            writes, reads = counter.since(mark)
            runs.append(OrderRun(len(states_entered(sfn, arn)), writes, reads))
        if not any(r.write_count for r in runs):
            raise RuntimeError("no DynamoDB writes were counted: the handler did not reach the app's clients")
        return runs, time.monotonic() - began
    finally:
        running.stop()


# --- 3: intake CPU with the fakes -------------------------------------------------------------


def intake_cpu_ms(calls: int = INTAKE_CALLS, warm_up: int = INTAKE_WARM_UP) -> list[float]:
    from datetime import UTC, datetime

    from chalicelib.clock import FixedClock
    from chalicelib.domain import intake
    from chalicelib.domain.deadlines import TimeLimits
    from chalicelib.domain.model import Channel, Submission
    from chalicelib.reference_data import emergency_words

    from tests.fakes import MemoryReference, MemoryWorkOrders, RecordingWorkflows

    limits = TimeLimits()
    reference = MemoryReference(limits)
    clock = FixedClock(datetime(2026, 11, 26, 1, 30, tzinfo=UTC))
    bodies = [
        json.dumps(
            {
                **SUBMISSION,
                "content": f"{SUBMISSION['content']}，第{i}号灯杆附近，已有{i % 7 + 1}天",
                # Different requesters: a repeat from the same phone would be merged, not dispatched.
                "requester": {"name": "刘先生", "phone": f"139{i:08d}", "kind": "person"},
            },
            ensure_ascii=False,
        ).encode()
        for i in range(warm_up + calls)
    ]
    timings: list[float] = []
    orders, workflows = MemoryWorkOrders(), RecordingWorkflows()
    for i, body in enumerate(bodies):
        if i % INTAKE_CALLS_PER_STORE == 0:
            orders, workflows = MemoryWorkOrders(), RecordingWorkflows()
        started = time.process_time_ns()
        intake.receive(
            Submission.model_validate_json(body),
            Channel.WEB,
            orders=orders,
            reference=reference,
            workflows=workflows,
            clock=clock,
            limits=limits,
            emergencies=emergency_words(),
        )
        elapsed = time.process_time_ns() - started
        if i >= warm_up:
            timings.append(elapsed / 1e6)
    return timings


# --- report -----------------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:g}"


def _phases(writes: list[Request]) -> list[str]:
    lines = []
    for phase in dict.fromkeys(r.phase for r in writes):
        kinds = Counter((r.operation, r.label) for r in writes if r.phase == phase for _ in range(r.count))
        lines.append(f"  {phase:<16}" + ", ".join(f"{op} {label} x{n}" for (op, label), n in kinds.items()))
    return lines


def _breakdown(runs: list[OrderRun]) -> list[str]:
    """Where the writes of an order went: by the step that caused them and what they wrote, then
    by operation; the usual order in full, any order that went otherwise after it."""

    def shape(run: OrderRun) -> tuple[tuple[str, str, str, int], ...]:
        return tuple(sorted((r.phase, r.operation, r.label, r.count) for r in run.writes))

    shapes = Counter(shape(run) for run in runs)
    usual = next(run for run in runs if shape(run) == shapes.most_common(1)[0][0])
    alike = shapes[shape(usual)]
    lines = [f"DynamoDB writes of an ordinary order ({alike} of {len(runs)} alike), by step:"]
    lines += _phases(usual.writes)
    by_operation: Counter[str] = Counter()
    for r in usual.writes:
        by_operation[r.operation] += r.count
    lines.append("  by operation:   " + ", ".join(f"{op} x{n}" for op, n in by_operation.most_common()))
    reads: Counter[tuple[str, str]] = Counter()
    for r in usual.reads:
        reads[(r.phase, r.operation)] += r.count
    lines.append("  reads:          " + ", ".join(f"{phase} {op} x{n}" for (phase, op), n in reads.items()))
    for i, run in enumerate(runs, 1):
        if shape(run) != shape(usual):
            lines.append(f"order {i} went otherwise ({run.write_count} writes):")
            lines += _phases(run.writes)
    return lines


def main() -> int:
    began = time.monotonic()
    # metrics.log_metrics on a task that published none; the local stack disables metrics anyway.
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    intake_ms = intake_cpu_ms()
    imported = imports.import_times()
    runs, stack_seconds = ordinary_orders(ORDERS)

    transitions = [r.transitions for r in runs]
    writes = [r.write_count for r in runs]
    reads = [r.read_count for r in runs]
    intake_median = statistics.median(intake_ms)
    intake_p95 = statistics.quantiles(intake_ms, n=20)[-1]
    rows = [
        (
            "state transitions, ordinary order",
            f"{_n(statistics.median(transitions))} (max {max(transitions)})",
            f"<= {BUDGET_TRANSITIONS}",
            max(transitions) <= BUDGET_TRANSITIONS,
        ),
        (
            "DynamoDB writes, ordinary order",
            f"{_n(statistics.median(writes))} (max {max(writes)})",
            f"<= {BUDGET_WRITES}",
            max(writes) <= BUDGET_WRITES,
        ),
        ("  reads, ordinary order", f"{_n(statistics.median(reads))} (max {max(reads)})", "-", True),
        (
            "intake CPU per request (fakes)",
            f"{intake_median:.2f} ms median (p95 {intake_p95:.2f})",
            f"<= {_n(BUDGET_INTAKE_MS)} ms",
            intake_median <= BUDGET_INTAKE_MS,
        ),
        *imports.rows(imported),
    ]
    print(f"Jiesu benchmarks (this machine: {os.cpu_count()} cores, Python {platform.python_version()})")
    print(f"{'what':<40}{'measured':<40}budget")
    for what, measured, budget, ok in rows:
        print(f"{what:<40}{measured:<40}{budget:<18}{'' if ok else 'OVER BUDGET'}".rstrip())
    print(imports.describe(imported))
    print()
    print("\n".join(_breakdown(runs)))
    print(
        f"\n{ORDERS} orders one at a time on the local stack at time scale {_n(TIME_SCALE)} "
        f"({stack_seconds:.0f} s with its start); whole run {time.monotonic() - began:.0f} s"
    )
    over = [what.strip() for what, _m, _b, ok in rows if not ok]
    if over:
        print(f"over budget: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
