"""What a million orders cost, computed from measurements (issue: cost and scale).

    make bench        (or: .venv/bin/python -m tests.benchmarks.cost, from the repo root)

Each path an order can take is driven through the local stack (moto, the real ASL and handlers,
the Chalice app in-process) as the people involved would drive it, the portal's reads included:
the citizen's suggestions while typing, the submission and the tracking page; the staff member's
inbox, the order page (opened, polled while open, reloaded after each action) and the action.
While it runs, every AWS request the platform makes is counted where it leaves the process:

- state transitions: the states each execution entered (its history);
- Lambda: every invocation (Step Functions tasks, the stream consumer, the API handler, the staff
  authorizer) and its wall time on this machine, billed at the memory the CDK app configures;
- API Gateway: every request the browser or client makes;
- DynamoDB: request units from the sizes of the items written (the larger of before and after,
  as DynamoDB bills) and read (eventually consistent reads at half), per 1 KB and 4 KB;
- S3 requests and bytes, SNS publishes, SMS counted apart;
- Athena: the bytes the daily compaction (the day's raw JSON, and the keys of the facts its
  INSERT and prune read) and the monthly queries scan, read off a generated history
  (infra/local/history.py) as tests/benchmarks/analytics.py reads them, with Athena's 10 MB minimum.

The paths are weighted by the generated history's mix (merged and not-dispatched requests,
reopened, extended, overdue, not evaluated, ordinary; the two the history does not model are
stated in the prices file), and multiplied by the public prices in
tests/benchmarks/data/aws_prices.json. Prints the table; exits 1 if a million orders cost more
than DESIGN.md section 9's budget.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")

PRICES = Path(__file__).with_name("data") / "aws_prices.json"
TIME_SCALE = 3600.0
BUDGET_PER_MILLION = 400.0  # USD, SMS and telephony excluded (DESIGN.md section 9)
BEIJING_YEAR = 21_400_000  # requests in 2023
STREAM_SHARDS = 4  # assumed: the work-order stream's shards at Beijing's write rate
HISTORY_ORDERS = 300_000
HISTORY_MONTHS = ("2026-05", "2026-10")
MONTH = "2026-10"
KB, RRU_BYTES = 1024, 4096
ATHENA_MINIMUM = 10 * 2**20
HANDLER, DISPATCHER = "andingmen.handler", "dispatcher1"
SUPERVISOR = "supervisor1"
STREET_WHISTLER = "andingmen.handler"
MANHOLE = {"category": "manhole_cover", "content": "路口井盖丢失，非常危险，请尽快处理"}
LIGHT = {"category": "street_lighting", "content": "路灯杆被车撞歪，灯罩掉落"}


# --- the meter: every AWS request of the platform, counted where it leaves the process --------


@dataclass
class Meter:
    """What one path consumed. Lambda time is kept per function, to be billed at its memory."""

    transitions: int = 0
    executions: int = 0
    invocations: Counter[str] = field(default_factory=Counter)
    lambda_ms: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    api_requests: Counter[str] = field(default_factory=Counter)
    wru: float = 0.0
    rru: float = 0.0
    dynamo_writes: int = 0
    dynamo_reads: int = 0
    s3_put: int = 0
    s3_get: int = 0
    s3_bytes: int = 0
    sns_publish: int = 0
    sms: int = 0
    # The facts consumer's records and S3 objects: locally moto hands it each change at once; in
    # AWS it waits for a minute's batch (names.FACTS_BATCH_WINDOW_SECONDS), billed as `batched`.
    facts_records: int = 0
    facts_puts: int = 0

    def add(self, other: Meter, weight: float = 1.0) -> None:
        for name in ("transitions", "executions", "wru", "rru", "dynamo_writes", "dynamo_reads"):
            setattr(self, name, getattr(self, name) + weight * getattr(other, name))
        for name in ("s3_put", "s3_get", "s3_bytes", "sns_publish", "sms", "facts_records", "facts_puts"):
            setattr(self, name, getattr(self, name) + weight * getattr(other, name))
        for function, count in other.invocations.items():
            self.invocations[function] += weight * count  # type: ignore[assignment]
            self.lambda_ms[function] += weight * other.lambda_ms[function]
        for route, count in other.api_requests.items():
            self.api_requests[route] += weight * count  # type: ignore[assignment]


def item_size(item: dict[str, Any]) -> int:
    """DynamoDB's item size: each attribute's name plus its value (developer guide, 'Item sizes')."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    ((kind, body),) = value.items()
    if kind == "S":
        return len(body.encode())
    if kind == "N":
        digits = body.lstrip("-").replace(".", "").strip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(body)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: v}) for v in body)
    if kind == "L":
        return 3 + sum(1 + _value_size(v) for v in body)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + _value_size(v) for k, v in body.items())
    return 0


WRITES = {"PutItem", "UpdateItem", "DeleteItem"}
S3_PUTS = {"PutObject", "CopyObject", "ListObjectsV2", "ListObjects", "CreateMultipartUpload"}


class Counting:
    """botocore handlers on the default session (every client the stack and the app create after
    `install` copies them). Item sizes are read with a client of a session of its own, uncounted."""

    def __init__(self) -> None:
        self.meter = Meter()
        self._lock = threading.Lock()
        self._keys: dict[str, list[str]] = {}
        self._peek: Any = None
        self.exporting = threading.local()  # set while the facts consumer runs, in its thread

    def install(self) -> None:
        import boto3

        boto3.setup_default_session()
        events = boto3.DEFAULT_SESSION.events
        events.register("before-parameter-build.dynamodb", self._before_dynamo)
        events.register("after-call.dynamodb", self._after_dynamo)
        events.register("before-parameter-build.s3", self._before_s3)
        events.register("before-parameter-build.sns", self._before_sns)

    @contextmanager
    def path(self) -> Iterator[Meter]:
        """Count into a fresh meter for the duration of one path."""
        with self._lock:
            self.meter = Meter()
        yield self.meter

    # DynamoDB: request units from item sizes
    def _peek_size(self, table: str, key: dict[str, Any]) -> int:
        import boto3

        if self._peek is None:
            self._peek = boto3.session.Session().client("dynamodb")
        item = self._peek.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
        return item_size(item) if item else 0

    def _key(self, table: str, item: dict[str, Any]) -> dict[str, Any]:
        import boto3

        if table not in self._keys:
            if self._peek is None:
                self._peek = boto3.session.Session().client("dynamodb")
            schema = self._peek.describe_table(TableName=table)["Table"]["KeySchema"]
            self._keys[table] = [k["AttributeName"] for k in schema]
        return {name: item[name] for name in self._keys[table]}

    def _targets(self, operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any], int]]:
        """(table, key, WRU multiplier) of each item a write touches."""
        if operation in WRITES:
            table = params["TableName"]
            key = params.get("Key") or self._key(table, params["Item"])
            return [(table, key, 1)]
        if operation == "TransactWriteItems":
            found = []
            for entry in params.get("TransactItems", []):
                ((_kind, body),) = entry.items()
                key = body.get("Key") or self._key(body["TableName"], body["Item"])
                found.append((body["TableName"], key, 2))  # transactional writes bill twice
            return found
        if operation == "BatchWriteItem":
            return [
                (
                    table,
                    request.get("DeleteRequest", {}).get("Key")
                    or self._key(table, request["PutRequest"]["Item"]),
                    1,
                )
                for table, requests in params.get("RequestItems", {}).items()
                for request in requests
            ]
        return []

    def _before_dynamo(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        try:
            targets = self._targets(model.name, params)
            context["jiesu_before"] = [(t, k, m, self._peek_size(t, k)) for t, k, m in targets]
            context["jiesu_consistent"] = bool(params.get("ConsistentRead"))
        except Exception as error:  # never break the call being counted
            print(f"warning: could not size a DynamoDB {model.name}: {error!r}", file=sys.stderr)

    def _after_dynamo(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        try:
            if "Error" in parsed:
                writes = context.get("jiesu_before", [])
                # A failed conditional write still consumes a write unit per item.
                self._add_write(sum(m for _t, _k, m, _s in writes), len(writes))
                return
            if model.name in WRITES or model.name in ("TransactWriteItems", "BatchWriteItem"):
                units, count = 0, 0
                for table, key, multiplier, before in context.get("jiesu_before", []):
                    after = self._peek_size(table, key)
                    units += multiplier * max(1, math.ceil(max(before, after) / KB))
                    count += 1
                self._add_write(units, count)
            elif model.name in ("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"):
                self._add_read(model.name, parsed, context.get("jiesu_consistent", False))
        except Exception as error:
            print(f"warning: could not count a DynamoDB {model.name}: {error!r}", file=sys.stderr)

    def _add_write(self, units: float, count: int) -> None:
        with self._lock:
            self.meter.wru += units
            self.meter.dynamo_writes += count

    def _add_read(self, operation: str, parsed: dict[str, Any], consistent: bool) -> None:
        factor = 1.0 if consistent else 0.5
        if operation == "GetItem":
            units = factor * max(1, math.ceil(item_size(parsed.get("Item") or {}) / RRU_BYTES))
        elif operation in ("Query", "Scan"):
            total = sum(item_size(i) for i in parsed.get("Items", []))
            units = factor * max(1, math.ceil(total / RRU_BYTES))
        elif operation == "TransactGetItems":
            units = sum(
                2 * max(1, math.ceil(item_size(r.get("Item") or {}) / RRU_BYTES))
                for r in parsed.get("Responses", [])
            )
        else:  # BatchGetItem: each item on its own
            units = sum(
                factor * max(1, math.ceil(item_size(i) / RRU_BYTES))
                for items in parsed.get("Responses", {}).values()
                for i in items
            )
        with self._lock:
            self.meter.rru += units
            self.meter.dynamo_reads += 1

    def _before_s3(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        body = params.get("Body")
        size = len(body) if isinstance(body, bytes | str) else 0
        with self._lock:
            if model.name in S3_PUTS and getattr(self.exporting, "on", False):
                self.meter.facts_puts += 1
            elif model.name in S3_PUTS:
                self.meter.s3_put += 1
            else:
                self.meter.s3_get += 1
            self.meter.s3_bytes += size

    def _before_sns(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name != "Publish":
            return
        with self._lock:
            if params.get("PhoneNumber"):
                self.meter.sms += 1
            else:
                self.meter.sns_publish += 1

    # Lambda and API Gateway
    def invoked(self, function: str, took_ms: float) -> None:
        with self._lock:
            self.meter.invocations[function] += 1
            self.meter.lambda_ms[function] += math.ceil(took_ms)  # Lambda bills by the millisecond

    def exported(self, records: int) -> None:
        with self._lock:
            self.meter.facts_records += records

    def requested(self, route: str) -> None:
        with self._lock:
            self.meter.api_requests[route] += 1


def _timed_lambdas(counting: Counting) -> None:
    """Every task, stream and analytics invocation ends in the patched `_invoke_lambda`."""
    from moto.awslambda.models import LambdaFunction

    inner = LambdaFunction._invoke_lambda

    from chalicelib import names

    def timed(self: Any, event: Any = None) -> Any:
        function = self.function_name.rsplit("-", 1)[-1]
        exporting = function == names.FN_EXPORT_FACTS
        if exporting:
            counting.exporting.on = True
            payload = json.loads(event) if isinstance(event, str | bytes) else (event or {})
            counting.exported(len(payload.get("Records", [])))
        started = time.perf_counter()
        try:
            return inner(self, event)
        finally:
            counting.exporting.on = False
            counting.invoked(function, (time.perf_counter() - started) * 1000)

    LambdaFunction._invoke_lambda = timed


def _timed_api(counting: Counting, api: Any) -> None:
    """Each request is one API Gateway request and one invocation of the API handler; a staff
    request also invokes the authorizer (locally on every request; API Gateway caches its answer
    for five minutes, so this counts an upper bound)."""
    from chalice import local

    authorize = local.LocalGatewayAuthorizer.authorize
    spent = threading.local()

    def timed_authorize(self: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return authorize(self, *args, **kwargs)
        finally:
            took = (time.perf_counter() - started) * 1000
            spent.ms = getattr(spent, "ms", 0.0) + took
            counting.invoked("authorizer", took)

    local.LocalGatewayAuthorizer.authorize = timed_authorize  # type: ignore[method-assign]
    request = api.request

    def timed_request(method: str, path: str, *args: Any, **kwargs: Any) -> Any:
        spent.ms = 0.0
        started = time.perf_counter()
        try:
            return request(method, path, *args, **kwargs)
        finally:
            took = (time.perf_counter() - started) * 1000 - spent.ms
            counting.invoked("api", took)
            counting.requested(_route(method, path))

    api.request = timed_request


def _route(method: str, path: str) -> str:
    parts = [
        p if not any(c.isdigit() for c in p) or p.isalpha() else "{id}" for p in path.split("?")[0].split("/")
    ]
    return f"{method} {'/'.join(parts)}"


# --- the paths ----------------------------------------------------------------------------------


class Paths:
    """Each order path as the people involved drive it, the portal's reads included."""

    def __init__(self, running: Any, api: Any, polls: int) -> None:
        from tests.conftest import Citizen, Unit, execution_arn, states_entered

        self.running, self.api, self.polls = running, api, polls
        self.sfn = running.stack.client("stepfunctions")
        self._citizen_type, self._unit_type = Citizen, Unit
        self._arn, self._entered = execution_arn, states_entered
        self._tokens: dict[str, str] = {}

    def unit(self, username: str = HANDLER) -> Any:
        from chalicelib import names

        from infra.local.stack import DEMO_PASSWORD

        if username not in self._tokens:
            self._tokens[username] = self.running.stack.client("cognito-idp").initiate_auth(
                ClientId=self.running.stack.outputs[names.ENV_USER_POOL_CLIENT_ID],
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": DEMO_PASSWORD},
            )["AuthenticationResult"]["IdToken"]
        return self._unit_type(self.api, self._tokens[username])

    # what a person does, with the reads the browser makes around it
    def submit(self, **changes: Any) -> tuple[Any, dict[str, Any]]:
        citizen = self._citizen_type(self.api)
        content = changes.get("content", "胡同口垃圾桶满了好几天没人清运，气味很大")
        for typed in (content[: len(content) // 2], content):  # the form suggests as one types
            self.api.post("/api/v1/public/suggestions", {"content": typed})
        receipt = citizen.submit(**changes)
        citizen.track(receipt)  # the receipt page
        return citizen, receipt

    def act(self, username: str, order_id: str, action: str, **body: Any) -> dict[str, Any]:
        staff = self.unit(username)
        staff.get("/work-orders?status=open")  # the inbox the person opened the order from
        arn = self._arn(self.running, order_id)
        before = len(self._entered(self.sfn, arn))
        answer = staff.act(order_id, action, **body)  # reads the order (the page), then acts
        if answer.status != 200:
            raise RuntimeError(f"{action} answered {answer.status}: {answer.body!r}")
        for _ in range(self.polls):
            staff.order(order_id)  # the page polls while open, and reloads after the action
        self.parked(arn, before)
        return answer.json()

    def parked(self, arn: str, after: int = 0) -> None:
        from tests.conftest import wait_until

        wait_until(
            lambda: (
                len(entered := self._entered(self.sfn, arn)) > after
                and entered[-1] in ("Await unit", "Closed")
            ),
            timeout=30,
        )

    def rate(self, citizen: Any, receipt: dict[str, Any], **changes: Any) -> None:
        citizen.track(receipt)
        answer = citizen.rate(receipt, **changes)
        if answer.status != 200:
            raise RuntimeError(f"rating answered {answer.status}: {answer.body!r}")

    def finished(self, receipt: dict[str, Any]) -> tuple[int, int]:
        """(transitions, executions) once the order's workflow has ended."""
        from tests.conftest import wait_until

        arn = self._arn(self.running, receipt["id"])
        wait_until(lambda: self.sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED", timeout=60)
        return len(self._entered(self.sfn, arn)), 1

    def handle(self, order_id: str, username: str = HANDLER, sign: bool = True) -> None:
        if sign:
            self.act(username, order_id, "sign")
        self.act(username, order_id, "contact", note="已电话联系诉求人")
        self.act(username, order_id, "reply", result="已安排处理，问题已解决", resolved_claim=True)
        self.act("reviewer1", order_id, "review", decision="pass")  # 办结审核

    # the paths
    def ordinary(self) -> tuple[int, int]:
        citizen, receipt = self.submit()
        self.parked(self._arn(self.running, receipt["id"]))
        self.handle(receipt["id"])
        self.rate(citizen, receipt)
        return self.finished(receipt)

    def extended(self) -> tuple[int, int]:
        # A 24-hour order: asked for and approved (extensions.py) well before its deadline.
        citizen, receipt = self.submit()
        self.parked(self._arn(self.running, receipt["id"]))
        signed = self.act(HANDLER, receipt["id"], "sign")
        later = datetime.fromisoformat(signed["deadline"]) + timedelta(days=2)
        self.act(
            HANDLER,
            receipt["id"],
            "extension",
            reason="需协调环卫车辆，等待调度",
            new_deadline=later.isoformat(),
        )
        self.act(SUPERVISOR, receipt["id"], "extension/decision", decision="approve")
        self.handle(receipt["id"], sign=False)
        self.rate(citizen, receipt)
        return self.finished(receipt)

    def reopened(self) -> tuple[int, int]:
        citizen, receipt = self.submit()
        self.parked(self._arn(self.running, receipt["id"]))
        self.handle(receipt["id"])
        arn = self._arn(self.running, receipt["id"])
        before = len(self._entered(self.sfn, arn))
        self.rate(citizen, receipt, resolved=False, satisfaction="dissatisfied")
        self.parked(arn, before)
        # 差评二次回访: the supervisor calls back and sends the order back to the unit.
        self.act(
            "supervisor1",
            receipt["id"],
            "revisit",
            finding="unit_at_fault",
            decision="reopen",
            reason="回访核实：仍未处理",
        )
        self.handle(receipt["id"], sign=False)
        self.rate(citizen, receipt)
        return self.finished(receipt)

    def objection(self) -> tuple[int, int]:
        citizen, receipt = self.submit(**MANHOLE)
        arn = self._arn(self.running, receipt["id"])
        self.parked(arn)
        objected = self.act(
            HANDLER, receipt["id"], "objection", grounds="jurisdiction", reason="位于交道口街道辖区"
        )
        dispatcher = self.unit(DISPATCHER)
        before = len(self._entered(self.sfn, arn))
        dispatcher.order(receipt["id"])
        decided = dispatcher.post(
            f"/objections/{objected['objections'][0]['id']}/decision",
            decision="uphold",
            reassign_to="110101003",
        )
        if decided.status != 200:
            raise RuntimeError(f"the decision answered {decided.status}: {decided.body!r}")
        self.parked(arn, before)
        self.handle(receipt["id"], username="jiaodaokou.handler")
        self.rate(citizen, receipt)
        return self.finished(receipt)

    def co_handled(self) -> tuple[int, int]:
        citizen, receipt = self.submit(**LIGHT)
        self.parked(self._arn(self.running, receipt["id"]))
        self.act(HANDLER, receipt["id"], "sign")
        self.act(HANDLER, receipt["id"], "contact", note="已电话联系诉求人")
        self.act("lighting.handler", receipt["id"], "assist/sign")
        self.act("lighting.handler", receipt["id"], "assist/report", result="已更换灯杆和灯具")
        self.act(HANDLER, receipt["id"], "reply", result="灯杆已更换，照明恢复", resolved_claim=True)
        self.act("reviewer1", receipt["id"], "review", decision="pass")
        self.rate(citizen, receipt)
        return self.finished(receipt)

    def overdue(self) -> tuple[int, int]:
        from tests.conftest import wait_until

        citizen, receipt = self.submit(**MANHOLE)
        handler = self.unit()
        # Reminders, the overdue flag and the escalation notices come while nobody signs.
        wait_until(lambda: handler.order(receipt["id"]).json().get("overdue"), timeout=30)
        self.parked(self._arn(self.running, receipt["id"]))
        self.handle(receipt["id"])
        self.rate(citizen, receipt)
        return self.finished(receipt)

    def not_evaluated(self) -> tuple[int, int]:
        """The follow-up window passes without an answer (shortened for the run by `shorter_follow_up`)."""
        _citizen, receipt = self.submit()
        self.parked(self._arn(self.running, receipt["id"]))
        self.handle(receipt["id"])
        return self.finished(receipt)

    def first_order(self) -> dict[str, Any]:
        citizen, _receipt = self.submit()
        return {"name": "刘先生", "phone": citizen.phone, "kind": "person"}

    def merged(self, requester: dict[str, Any]) -> tuple[int, int]:
        """A repeat from the same phone, merged into the open order (its SMS and stream record)."""
        self.submit(requester=requester, content="垃圾桶还是满的，已经第三天了，催一下")
        time.sleep(1.0)
        return 0, 0

    def not_dispatched(self) -> tuple[int, int]:
        from tests.conftest import wait_until

        citizen, receipt = self.submit(
            category=None, content="我和邻居的房屋买卖合同纠纷，法院判决不公，要求改判"
        )
        dispatcher = self.unit(DISPATCHER)
        dispatcher.get("/work-orders?status=received")
        wait_until(lambda: dispatcher.order(receipt["id"]).json()["status"] == "received", timeout=30)
        answer = dispatcher.act(
            receipt["id"], "triage", reason="legal_channel", note="可向人民法院申请再审。"
        )
        if answer.status != 200:
            raise RuntimeError(f"triage answered {answer.status}: {answer.body!r}")
        citizen.track(receipt)
        return self.finished(receipt)

    def whistle(self) -> tuple[int, int]:
        """One whistle: the street summons two departments, both report, the street closes it."""
        from chalicelib import names

        from tests.conftest import wait_until

        street = self.unit(HANDLER)
        housing, enforcement = self.unit("dongcheng.housing"), self.unit("dongcheng.enforcement")
        answer = street.post(
            "/whistles",
            matter="占道违建堵塞消防通道，需住建和执法部门到场",
            departments=["110101-housing", "110101-enforcement"],
        )
        if answer.status != 201:
            raise RuntimeError(f"the whistle answered {answer.status}: {answer.body!r}")
        whistle = answer.json()
        housing.get("/whistles?summoned=true")
        report = f"/whistles/{whistle['id']}/report"
        _ok(_again_on_conflict(lambda: housing.post(report, note="已到现场")), "a report")
        enforcement.get("/whistles?summoned=true")
        version = _ok(_again_on_conflict(lambda: enforcement.post(report, note="已到场")), "a report")[
            "version"
        ]
        street.get(f"/whistles/{whistle['id']}")
        closed = street.post(
            f"/whistles/{whistle['id']}/close", version=version, result="违建已拆除，通道已打通"
        )
        if closed.status != 200:
            raise RuntimeError(f"closing answered {closed.status}: {closed.body!r}")
        machine = self.running.stack.outputs[names.ENV_WHISTLE_STATE_MACHINE_ARN]
        arn = machine.replace(":stateMachine:", ":execution:") + f":whistle-{whistle['id']}-1"
        wait_until(lambda: self.sfn.describe_execution(executionArn=arn)["status"] != "RUNNING", timeout=60)
        return len(self._entered(self.sfn, arn)), 1

    @contextmanager
    def shorter_follow_up(self) -> Iterator[None]:
        """The follow-up window at one hour (one wall second) for the not-evaluated path."""
        admin = self.unit("admin1")
        original = admin.get("/time-limits").json()
        editable = {k: v for k, v in original.items() if k not in ("version", "updated_by", "updated_at")}
        admin.put(
            "/time-limits", {"version": original["version"], "limits": {**editable, "follow_up_window": 3600}}
        )
        try:
            yield
        finally:
            current = admin.get("/time-limits").json()
            admin.put("/time-limits", {"version": current["version"], "limits": editable})


# --- measuring every path on the local stack ----------------------------------------------------

ORDER_PATHS = ("ordinary", "extended", "reopened", "objection", "co_handled", "overdue", "not_evaluated")


def measure_paths(prices: dict[str, Any]) -> dict[str, Meter]:
    counting = Counting()
    counting.install()  # before the stack starts: its clients and the app's copy the handlers
    from infra.local.gateway import LocalApi
    from infra.local.server import free_port, start

    running = start(port=free_port(), time_scale=TIME_SCALE)
    try:
        _timed_lambdas(counting)
        api = LocalApi()
        _timed_api(counting, api)
        paths = Paths(running, api, prices["portal"]["order_page_polls_per_action"])
        paths.ordinary()  # warm: the first order pays for imports and caches, as a cold start would
        measured: dict[str, Meter] = {}
        for name in ORDER_PATHS:
            setup = paths.shorter_follow_up() if name == "not_evaluated" else _nothing()
            with setup, counting.path() as meter:
                meter.transitions, meter.executions = getattr(paths, name)()
                time.sleep(0.5)  # the stream consumer's last batch
            measured[name] = meter
            requests = sum(meter.api_requests.values())
            print(f"  measured {name}: {meter.transitions} transitions, {requests} requests")
        requester = paths.first_order()
        with counting.path() as meter:
            paths.merged(requester)
        measured["merged"] = meter
        with counting.path() as meter:
            meter.transitions, meter.executions = paths.not_dispatched()
            time.sleep(0.5)
        measured["not_dispatched"] = meter
        with counting.path() as meter:
            meter.transitions, meter.executions = paths.whistle()
            time.sleep(0.5)
        measured["whistle"] = meter
        return measured
    finally:
        running.stop()


def _again_on_conflict(call: Callable[[], Any]) -> Any:
    """As a person would: once more after a 409 (the workflow wrote between the read and the write)."""
    answer = call()
    for _ in range(2):
        if answer.status != 409:
            break
        answer = call()
    return answer


def _ok(answer: Any, what: str) -> dict[str, Any]:
    if answer.status not in (200, 201):
        raise RuntimeError(f"{what} answered {answer.status}: {answer.body!r}")
    return answer.json()


@contextmanager
def _nothing() -> Iterator[None]:
    yield


# --- the mix of paths and the analytics scans, from a generated history -------------------------


@dataclass
class History:
    mix: dict[str, float]  # share of orders per path; whistles per order
    athena_bytes_per_order: float  # scanned by the month's queries and the days' compactions
    queries_per_month: int
    raw_bytes_per_order: float
    parquet_bytes_per_order: float


def history(prices: dict[str, Any]) -> History:
    from chalicelib.domain.insights import AnalyticsPolicy, monthly_plan

    from infra.local.athena import LocalAthena, compact, query_text
    from infra.local.history import HistoryPlan, write_directory
    from infra.local.stack import names
    from tests.benchmarks.analytics import MONTHLY, _months_read, _raw_bytes, _scanned

    with tempfile.TemporaryDirectory(prefix="jiesu-cost-") as scratch:
        root = Path(scratch)
        orders = write_directory(
            HistoryPlan(*HISTORY_MONTHS, HISTORY_ORDERS, seed=2026), root, progress=False
        )
        engine = LocalAthena(root, threads=2)
        compact(engine, f"{HISTORY_MONTHS[0]}-01", "2026-11-30")
        live = "status not in ('merged', 'not_dispatched')"
        shares = engine.execute(
            f"""
            select
              avg(case when status = 'merged' then 1 else 0 end),
              avg(case when status = 'not_dispatched' then 1 else 0 end),
              avg(case when {live} and reopened > 0 then 1 else 0 end),
              avg(case when {live} and reopened = 0 and extensions > 0 then 1 else 0 end),
              avg(case when {live} and reopened = 0 and extensions = 0 and overdue then 1 else 0 end),
              avg(case when {live} and reopened = 0 and extensions = 0 and not coalesce(overdue, false)
                       and status = 'closed' and evaluated_at is null then 1 else 0 end)
            from order_facts
            """
        ).rows[0]
        whistles = engine.execute("select count(distinct whistle) from summons_changes").rows[0][0]
        plan = monthly_plan(MONTH, datetime(2026, 11, 1, tzinfo=UTC), AnalyticsPolicy())
        month_orders = engine.execute(f"select count(*) from order_facts where month = '{MONTH}'").rows[0][0]
        scanned = 0
        for name in MONTHLY:
            sql, parameters = query_text(name), plan.parameters[name]
            months = _months_read(parameters)
            read = _raw_bytes(root, months) if name == "summons" else _scanned(engine, root, sql, months)
            scanned += read
        days = sorted((root / names.ORDER_CHANGES.prefix).glob(f"day={MONTH}-*"))
        compaction = sum(p.stat().st_size for d in days for p in d.glob("*.json"))
        # Each day's two steps also read the facts' keys: the INSERT those it checks the day's
        # versions against, the prune all of them (the id and version columns of every month the
        # table holds; Athena prunes fewer partitions for the first, none for the second).
        facts = [str(p) for p in (root / names.ORDER_FACTS.prefix).rglob("*.parquet")]
        keys = sum(size for column, size in engine.column_chunks(facts) if column in ("id", "version"))
        compaction += 2 * keys * len(days)
        raw_total = sum(p.stat().st_size for p in (root / names.ORDER_CHANGES.prefix).rglob("*.json"))
        parquet_total = sum(p.stat().st_size for p in (root / names.ORDER_FACTS.prefix).rglob("*.parquet"))
        engine.close()

    merged, not_dispatched, reopened, extended, overdue, not_evaluated = (float(v or 0) for v in shares)
    assumed = prices["path_shares_not_in_history"]
    mix = {
        "merged": merged,
        "not_dispatched": not_dispatched,
        "reopened": reopened,
        "extended": extended,
        "overdue": overdue,
        "not_evaluated": not_evaluated,
        "objection": assumed["objection"],
        "co_handled": assumed["co_handling"],
    }
    mix["ordinary"] = 1.0 - sum(mix.values())
    mix["whistle"] = whistles / orders
    return History(
        mix=mix,
        athena_bytes_per_order=(scanned + compaction) / month_orders,
        queries_per_month=len(MONTHLY) + len(days),
        raw_bytes_per_order=raw_total / orders,
        parquet_bytes_per_order=parquet_total / orders,
    )


# --- prices -------------------------------------------------------------------------------------


def lambda_memory() -> dict[str, int]:
    """The memory the CDK app gives each function (infra/aws/api.py)."""
    from infra.aws.api import LAMBDA_MEMORY_MB, RETRAIN_MEMORY_MB
    from infra.local.stack import names

    return {names.FN_RETRAIN_DISPATCH: RETRAIN_MEMORY_MB, "default": LAMBDA_MEMORY_MB}


def facts_batch(records_per_order: float) -> float:
    """The changes in one batch of the facts consumer at Beijing's volume: a minute's changes of a
    shard (the window), at most the batch size. The stream's shards are an assumption (DynamoDB
    chooses them; a few at this write rate), stated in docs/benchmarks.md."""
    from chalicelib import names

    per_second = records_per_order * BEIJING_YEAR / 365 / 86_400 / STREAM_SHARDS
    return max(1.0, min(names.FACTS_BATCH_SIZE, per_second * names.FACTS_BATCH_WINDOW_SECONDS))


def bill(
    meter: Meter, prices: dict[str, Any], memory: dict[str, int], batch: float = 1.0
) -> dict[str, float]:
    """USD per unit of `meter` (an order, or the mix's average order), by service; the facts
    consumer's invocations and objects as one per `batch` changes."""
    from chalicelib import names

    p = {name: price["usd"] / price["per"] for name, price in prices["prices"].items()}
    gb_seconds = sum(
        meter.lambda_ms[f] / 1000 * memory.get(f, memory["default"]) / 1024 for f in meter.invocations
    )
    facts_batches = meter.facts_records / batch
    invocations = sum(meter.invocations.values()) - meter.invocations[names.FN_EXPORT_FACTS] + facts_batches
    return {
        "Step Functions transitions": meter.transitions * p["stepfunctions_standard_transition"],
        "Lambda requests": invocations * p["lambda_request"],
        "Lambda compute (GB-s)": gb_seconds * p["lambda_gb_second"],
        "API Gateway requests": sum(meter.api_requests.values()) * p["apigateway_rest_request"],
        "DynamoDB writes (WRU)": meter.wru * p["dynamodb_write_request_unit"],
        "DynamoDB reads (RRU)": meter.rru * p["dynamodb_read_request_unit"],
        "S3 requests": (meter.s3_put + facts_batches) * p["s3_put_request"]
        + meter.s3_get * p["s3_get_request"],
        "SNS publishes (staff notices)": meter.sns_publish * p["sns_publish"],
    }


def main() -> int:
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    began = time.monotonic()
    prices = json.loads(PRICES.read_text(encoding="utf-8"))
    memory = lambda_memory()
    print("Measuring each path on the local stack ...")
    measured = measure_paths(prices)
    print(f"Reading a generated history of {HISTORY_ORDERS:,} orders for the mix and the scans ...")
    found = history(prices)

    average = Meter()
    for name, share in found.mix.items():
        average.add(measured[name], share)

    batch = facts_batch(average.facts_records)
    print(
        f"\nCost per order, by path (prices: {prices['region']}, read {prices['read_on']}; SMS counted apart)"
    )
    print(
        f"{'path':<16}{'share':>7}{'trans.':>8}{'Lambda':>8}{'API':>6}{'WRU':>7}{'RRU':>7}{'SMS':>5}"
        f"{'USD/order':>11}"
    )
    rows = [*ORDER_PATHS, "merged", "not_dispatched", "whistle", "mix"]
    for name in rows:
        meter = average if name == "mix" else measured[name]
        shown = "" if name == "mix" else f"{100 * found.mix[name]:.1f}%"
        per_order = sum(bill(meter, prices, memory, batch).values())
        print(
            f"{name:<16}{shown:>7}{meter.transitions:>8.1f}{sum(meter.invocations.values()):>8.1f}"
            f"{sum(meter.api_requests.values()):>6.1f}{meter.wru:>7.1f}{meter.rru:>7.1f}{meter.sms:>5.1f}"
            f"{per_order:>11.6f}"
        )

    million = {k: v * 1e6 for k, v in bill(average, prices, memory, batch).items()}
    p = prices["prices"]
    athena_tb = max(found.athena_bytes_per_order * 1e6, ATHENA_MINIMUM * found.queries_per_month) / 2**40
    million["Athena (monthly queries, daily compaction)"] = athena_tb * p["athena_tb_scanned"]["usd"]
    # A year of storage for the orders of a million: the items (their last size) and the Parquet facts.
    order_kb = max(1.0, measured["ordinary"].wru / max(measured["ordinary"].dynamo_writes, 1))
    million["DynamoDB storage, one year"] = (
        1e6 * order_kb * KB / 2**30 * 12 * p["dynamodb_storage_gb_month"]["usd"]
    )
    million["S3 storage of the facts, one year"] = (
        1e6
        * (found.raw_bytes_per_order + found.parquet_bytes_per_order)
        / 2**30
        * 12
        * p["s3_storage_gb_month"]["usd"]
    )
    total = sum(million.values())
    print("\nA million orders at the generated history's mix of paths")
    for what, usd in sorted(million.items(), key=lambda kv: -kv[1]):
        print(f"  {what:<46}{usd:>10,.2f} USD  {100 * usd / total:5.1f} %")
    print(
        f"  {'total, SMS and telephony excluded':<46}{total:>10,.2f} USD   budget ≤ {BUDGET_PER_MILLION:,.0f}"
    )
    print(f"  SMS to requesters: {average.sms * 1e6:,.0f} messages a million orders, priced apart")
    print(
        f"  the facts consumer: {average.facts_records:.1f} changes an order, {batch:.0f} a batch at "
        f"Beijing's volume ({STREAM_SHARDS} stream shards assumed): one S3 object and invocation a batch"
    )
    year = total * BEIJING_YEAR / 1e6
    print(f"One year of Beijing ({BEIJING_YEAR / 1e6:.1f} million requests): {year:,.0f} USD")
    print(f"whole run {time.monotonic() - began:.0f} s")
    return 0 if total <= BUDGET_PER_MILLION else 1


if __name__ == "__main__":
    sys.exit(main())
