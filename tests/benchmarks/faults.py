"""Fault injection: every accepted order has a running workflow, whatever fails on the way.

    .venv/bin/python -m tests.benchmarks.faults [submissions] [seed]     (also run by make bench)

Submits requests over the four intake channels — the public form, an operator's call, a partner
hotline's transfer, an Open311 client — through the functions their routes call (`intake.receive`,
`open311_forms.submit`), on the in-memory store and a Step Functions double, while injecting:

- StartExecution throttled, and started but answering an error all the same (the answer lost);
- DescribeExecution and RedriveExecution throttled (the reconciler's own calls);
- the Dispatch task raising on some attempts (before or after its write), and some runs whose
  task fails every attempt the state machine makes (1 + 4 retries): the run fails;
- conditional-check races: an order number taken, a concurrent retry with the same
  Idempotency-Key winning the write, a concurrent identical dispatch winning the write, the order
  changing between Advance and parking the task token;
- the stream consumer (entrypoints/streams.py) raising on some attempts; a record that fails
  every attempt the event source mapping makes goes to its dead-letter queue;
- clients sending a request again with the same Idempotency-Key.

Between batches the runs step and the reconciler passes (the clock three minutes on each time);
at the end, passes continue until no order waits. Then it counts: submissions lost (answered but
not stored, or failed), orders duplicated (one request stored twice), open orders without a
running workflow parked on them, and runs of settled orders. Each must be 0.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

if __name__ == "__main__":
    # The functions log as JSON at INFO; only warnings and errors should reach the figures.
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

from chalicelib import names, wiring
from chalicelib.clock import FixedClock
from chalicelib.domain import intake, open311, reconcile, workflow
from chalicelib.domain.deadlines import TimeLimits
from chalicelib.domain.errors import KeyTaken, NumberTaken, StaleVersion
from chalicelib.domain.model import Channel, Origin, Staff, Status, Submission, WorkOrder
from chalicelib.domain.partners import ApiClient, key_hash
from chalicelib.domain.ports import IdempotencyRecord, RunStatus
from chalicelib.entrypoints import open311_forms, streams
from chalicelib.reference_data import emergency_words, gazetteer, shipped_model
from chalicelib.settings import Settings

from tests.fakes import (
    MemoryReference,
    MemoryWorkOrders,
    RecordingNotifier,
    StepFunctionsDouble,
)

OPERATOR = Staff(username="operator1", roles=frozenset({"operator"}))
OPEN311_KEY = "fault-injection-open311"
PARTNER = "tianjin-12345"
# The work-order machine's tries of a failing task: the first and four States.TaskFailed retries.
TASK_ATTEMPTS = 5
CHANNELS = ("public", "operator", "partner", "open311")
# What the Step Functions double's refusals stand for.
CALLS = {
    "start": "StartExecution throttled",
    "start answer lost": "StartExecution started the run but answered an error",
    "state": "DescribeExecution throttled",
    "redrive": "RedriveExecution throttled",
}


@dataclass(frozen=True)
class Faults:
    """How often each fault strikes (per call, attempt or record)."""

    start_refused: float = 0.25
    start_answer_lost: float = 0.05
    reconciler_call_refused: float = 0.05
    task_attempt_fails: float = 0.2
    run_broken: float = 0.03
    number_taken: float = 0.03
    key_race: float = 0.05
    dispatch_race: float = 0.1
    park_race: float = 0.1
    stream_attempt_fails: float = 0.2
    stream_poison_record: float = 0.01  # the consumer fails on this record every time
    client_retry: float = 0.1


@dataclass
class Outcome:
    submissions: int
    channels: Counter[str]
    injected: Counter[str]
    lost: int
    refused: int  # answers other than 201
    duplicated: int
    open_without_workflow: int
    settled_with_a_run: int
    open_orders: int
    settled_orders: int
    reconciler_passes: int
    reconciled: Counter[str]
    stream_records: int
    dead_lettered: int
    seconds: float
    problems: list[str] = field(default_factory=list)


class RacyOrders(MemoryWorkOrders):
    """The store, with conditional-check races injected, and a stream of its changes."""

    def __init__(self, rng: random.Random, faults: Faults, injected: Counter[str]) -> None:
        super().__init__()
        self.rng = rng
        self.faults = faults
        self.injected = injected
        self.stream: list[tuple[WorkOrder | None, WorkOrder]] = []
        # Set by the client before a keyed submission: the same request sent concurrently.
        self.concurrent_retry: Any = None

    def create(
        self, order: WorkOrder, idempotency: IdempotencyRecord | None = None, pending_run: int | None = None
    ) -> None:
        if self.rng.random() < self.faults.number_taken:
            self.injected["order number taken"] += 1
            raise NumberTaken()
        if idempotency is not None and self.concurrent_retry is not None:
            retry, self.concurrent_retry = self.concurrent_retry, None
            if self.rng.random() < self.faults.key_race:
                self.injected["same key written concurrently"] += 1
                retry()  # the concurrent request wins the write, then ours finds the key taken
                raise KeyTaken()
        super().create(order, idempotency, pending_run)
        self.stream.append((None, order))

    def update(self, order: WorkOrder, expected_version: int, pending_run: int | None = None) -> str | None:
        stored = self.orders.get(order.id)
        racing = stored is not None and stored.status is Status.RECEIVED and order.status is Status.DISPATCHED
        if racing and self.rng.random() < self.faults.dispatch_race:
            self.injected["concurrent dispatch won the write"] += 1
            super().update(order, expected_version, pending_run)
            self.stream.append((stored, order))
            raise StaleVersion()
        token = super().update(order, expected_version, pending_run)
        self.stream.append((stored, order))
        return token

    def park(self, order_id: str, expected_version: int, token: str) -> bool:
        stored = self.orders[order_id]
        if stored.version == expected_version and self.rng.random() < self.faults.park_race:
            self.injected["order changed before parking"] += 1
            self.orders[order_id] = stored.model_copy(update={"version": stored.version + 1})
        return super().park(order_id, expected_version, token)


@dataclass
class Hotline:
    rng: random.Random
    faults: Faults
    injected: Counter[str] = field(default_factory=Counter)
    clock: FixedClock = field(default_factory=lambda: FixedClock(datetime(2026, 11, 26, 1, 30, tzinfo=UTC)))
    limits: TimeLimits = field(default_factory=TimeLimits)

    def __post_init__(self) -> None:
        self.orders = RacyOrders(self.rng, self.faults, self.injected)
        self.reference = MemoryReference(self.limits)
        self.reference.put_api_client(
            ApiClient(
                key_hash=key_hash(OPEN311_KEY),
                partner="open311-faults",
                audience="open311",
                created_by="faults",
                created_at=self.clock.now(),
            )
        )
        self.sfn = StepFunctionsDouble(refuse=self._refuse, lose_answer=self._lose_answer)
        self.emergencies = emergency_words()
        self.knowledge = self.reference.knowledge()
        self.reconciled: Counter[str] = Counter()
        self.reconciler = True
        self.passes = 0
        self.delivered = 0
        self.dead_letters: list[tuple[WorkOrder | None, WorkOrder]] = []

    def _refuse(self, operation: str) -> bool:
        chance = self.faults.start_refused if operation == "start" else self.faults.reconciler_call_refused
        return self.rng.random() < chance

    def _lose_answer(self) -> bool:
        return self.rng.random() < self.faults.start_answer_lost

    # --- the four channels, as their routes call the domain ------------------------------------

    def submit(self, channel: str, body: dict[str, Any], key: str | None) -> str:
        if channel == "open311":
            fields = {
                "api_key": OPEN311_KEY,
                "service_code": body["category"],
                "attribute[type]": body["type"],
                "attribute[district]": body["location"]["district"],
                "attribute[street]": body["location"]["street"],
                "description": body["content"],
                "phone": body["requester"]["phone"],
                "address_string": body["location"]["address"],
            }
            intake_of_open311 = open311.Intake(
                orders=self.orders,
                reference=self.reference,
                workflows=self.sfn,
                clock=self.clock,
                limits=self.limits,
                emergencies=self.emergencies,
                gazetteer=gazetteer(),
                model=shipped_model(),
            )
            created = open311_forms.submit(fields, intake_of_open311, idempotency_key=key)
            return created.service_request_id
        submission = Submission.model_validate(body)
        common: dict[str, Any] = {
            "orders": self.orders,
            "reference": self.reference,
            "workflows": self.sfn,
            "clock": self.clock,
            "limits": self.limits,
            "emergencies": self.emergencies,
        }
        if channel == "partner":
            assert key is not None  # the partner's own number for the request
            return intake.receive(
                submission,
                Channel.PARTNER_HOTLINE,
                idempotency_key=f"partner:{PARTNER}:{key}",
                origin=Origin(partner=PARTNER, reference=key),
                **common,
            ).id
        if channel == "operator":
            return intake.receive(
                submission,
                Channel.PHONE,
                knowledge=self.knowledge,
                idempotency_key=key,
                recorded_by=OPERATOR,
                **common,
            ).id
        return intake.receive(
            submission, Channel.WEB, knowledge=self.knowledge, idempotency_key=key, **common
        ).id

    # --- what Step Functions and the schedule would do ---------------------------------------------

    def run_workflows(self) -> None:
        """Each started run that has not parked yet: Dispatch (retried as the ASL retries it), then
        park its task token (OrderChanged: Advance, and park again)."""
        for execution in list(self.sfn.executions.values()):
            if execution.status is not RunStatus.RUNNING or execution.parked:
                continue
            broken = self.rng.random() < self.faults.run_broken
            checkpoint = None
            for _attempt in range(TASK_ATTEMPTS):
                if broken or self.rng.random() < self.faults.task_attempt_fails:
                    self.injected["dispatch task attempt raised"] += 1
                    if self.rng.random() < 0.5:  # it raised after its write
                        self._dispatch(execution.order_id)
                    continue
                checkpoint = self._dispatch(execution.order_id)
                break
            if checkpoint is None:
                self.injected["run failed (task failed every attempt)"] += 1
                execution.status = RunStatus.FAILED
                continue
            while checkpoint.phase is workflow.Phase.WAITING:
                try:
                    workflow.park(
                        execution.order_id, checkpoint.version, f"token-{id(execution)}", orders=self.orders
                    )
                except workflow.OrderChanged:
                    checkpoint = workflow.advance(
                        execution.order_id, orders=self.orders, clock=self.clock, limits=self.limits
                    )
                    continue
                execution.parked = True
                break
            else:
                execution.status = RunStatus.SUCCEEDED

    def _dispatch(self, order_id: str) -> workflow.Checkpoint:
        return workflow.dispatch(
            order_id, orders=self.orders, reference=self.reference, clock=self.clock, limits=self.limits
        )

    def reconcile(self) -> None:
        self.clock.advance(minutes=3)
        if not self.reconciler:
            return
        done = reconcile.reconcile(orders=self.orders, workflows=self.sfn, clock=self.clock)
        self.reconciled.update({k: v for k, v in done.model_dump().items() if v})
        self.passes += 1

    def consume_stream(self) -> None:
        """The stream consumer on each change, retried as the event source mapping retries it."""
        notifier = RecordingNotifier()
        stand_in = wiring.Dependencies(config=cast(Settings, None))
        stand_in.__dict__["notifier"] = notifier
        previous = wiring._current
        wiring.use(stand_in)
        try:
            # Powertools prints the metrics it holds once they reach 100: not figures of this run.
            with contextlib.redirect_stdout(io.StringIO()):
                for before, after in self.orders.stream:
                    poison = self.rng.random() < self.faults.stream_poison_record
                    for _attempt in range(1 + names.STREAM_RETRY_ATTEMPTS):
                        if poison or self.rng.random() < self.faults.stream_attempt_fails:
                            self.injected["stream consumer raised"] += 1
                            continue
                        streams.on_change(_image(after), _image(before))
                        self.delivered += 1
                        break
                    else:
                        self.dead_letters.append((before, after))
            self.orders.stream.clear()
        finally:
            wiring._current = previous


def _image(order: WorkOrder | None) -> dict[str, Any] | None:
    """The order as the stream record's image carries it."""
    return None if order is None else {"sk": {"S": "ORDER"}, "doc": {"S": order.model_dump_json()}}


def _body(i: int, phone: str, content: str) -> dict[str, Any]:
    return {
        "type": "complaint",
        "content": content,
        "category": "garbage_collection",
        "location": {"district": "110101", "street": "110101004", "address": "东城区安定门街道方家胡同"},
        "requester": {"name": "刘先生", "phone": phone, "kind": "person"},
    }


def simulate(
    submissions: int = 1200, seed: int = 12345, faults: Faults | None = None, reconciler: bool = True
) -> Outcome:
    """`reconciler=False`: the same faults with no reconciler passes (what the platform did before
    it had one), so the counts are seen to catch what they count."""
    began = time.perf_counter()
    rng = random.Random(seed)
    hotline = Hotline(rng, faults or Faults())
    hotline.reconciler = reconciler
    fx = hotline.faults
    answered: dict[int, set[str]] = {}  # request -> every id it was answered with
    bodies: dict[int, dict[str, Any]] = {}
    failed = 0
    channels: Counter[str] = Counter()
    opened: list[tuple[str, int]] = []  # (phone, request) of ordinary requests, for repeats
    for i in range(submissions):
        channel = CHANNELS[i % len(CHANNELS)]
        channels[channel] += 1
        roll = rng.random()
        if roll < 0.05:
            content, phone = f"我家楼下着火了，浓烟很大，快来救火（第{i:05d}号）", f"136{i:08d}"
        elif roll < 0.10 and opened:
            phone, first = rng.choice(opened)
            content = f"还是那个垃圾桶，又满了，再反映一次（第{i:05d}号，接第{first:05d}号）"
        else:
            content, phone = f"胡同口垃圾桶满了好几天没人清运，气味很大（第{i:05d}号）", f"138{i:08d}"
            opened.append((phone, i))
        body = bodies[i] = _body(i, phone, content)
        keyed = channel == "partner" or rng.random() < 0.5
        key = f"{channel}-{i}" if keyed else None
        sends = 1 + (keyed and rng.random() < fx.client_retry)
        if sends > 1:
            hotline.injected["client sent the request again"] += 1
        for _send in range(sends):
            if keyed:
                hotline.orders.concurrent_retry = lambda c=channel, b=body, k=key, n=i: answered.setdefault(
                    n, set()
                ).add(hotline.submit(c, b, k))
            try:
                answered.setdefault(i, set()).add(hotline.submit(channel, body, key))
            except Exception as error:  # an answer other than 201: the request is lost to its sender
                failed += 1
                hotline.injected[f"client got {type(error).__name__}"] += 1
            hotline.orders.concurrent_retry = None
        if i % 100 == 99:
            hotline.run_workflows()
            hotline.reconcile()
            hotline.consume_stream()
    for _pass in range(100):
        hotline.run_workflows()
        hotline.reconcile()
        waiting = hotline.orders.pending_runs(hotline.clock.now(), 10)
        failed_open = [
            f
            for f in hotline.sfn.failed_runs(10**6)
            if reconcile.needs_run(hotline.orders.orders[f.order_id])
            and hotline.orders.orders[f.order_id].reinstated == f.run
        ]
        if (not waiting and not failed_open) or not reconciler:
            break
    hotline.run_workflows()
    hotline.consume_stream()
    return _outcome(hotline, submissions, channels, answered, bodies, failed, began)


def _outcome(
    hotline: Hotline,
    submissions: int,
    channels: Counter[str],
    answered: dict[int, set[str]],
    bodies: dict[int, dict[str, Any]],
    failed: int,
    began: float,
) -> Outcome:
    problems: list[str] = []
    orders = hotline.orders.orders
    by_content = Counter(o.content for o in orders.values())
    lost = 0
    for i in range(submissions):
        ids = answered.get(i, set())
        if len(ids) != 1:
            problems.append(f"request {i} was answered with {sorted(ids)}")
            lost += 1
        elif (found := orders.get(next(iter(ids)))) is None or found.content != bodies[i]["content"]:
            problems.append(f"request {i}: answered {ids}, not stored")
            lost += 1
    duplicated = sum(n - 1 for n in by_content.values() if n > 1)
    without = 0
    settled_with_run = 0
    open_orders = 0
    for order in orders.values():
        execution = hotline.sfn.executions.get(hotline.sfn.name(order.id, order.reinstated))
        if reconcile.needs_run(order):
            open_orders += 1
            alive = execution is not None and execution.status is RunStatus.RUNNING and execution.parked
            if not alive or order.id not in hotline.orders.tokens:
                without += 1
                problems.append(
                    f"open order {order.id} ({order.status}) has no running workflow: {execution}"
                )
        elif execution is not None:
            settled_with_run += 1
            problems.append(f"settled order {order.id} has a run")
    return Outcome(
        submissions=submissions,
        channels=channels,
        injected=hotline.injected + Counter({CALLS[k]: v for k, v in hotline.sfn.refused.items()}),
        lost=lost,
        refused=failed,
        duplicated=duplicated,
        open_without_workflow=without,
        settled_with_a_run=settled_with_run,
        open_orders=open_orders,
        settled_orders=len(orders) - open_orders,
        reconciler_passes=hotline.passes,
        reconciled=hotline.reconciled,
        stream_records=hotline.delivered + len(hotline.dead_letters),
        dead_lettered=len(hotline.dead_letters),
        seconds=time.perf_counter() - began,
        problems=problems,
    )


def main() -> None:
    submissions = int(sys.argv[1]) if len(sys.argv) > 1 else 1200
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 12345
    outcome = simulate(submissions, seed)
    print(f"Fault injection: {outcome.submissions} submissions, seed {seed}, {outcome.seconds:.1f} s")
    print("  by channel: " + ", ".join(f"{c} {n}" for c, n in sorted(outcome.channels.items())))
    print("  faults injected:")
    for name, count in sorted(outcome.injected.items()):
        print(f"    {count:6d}  {name}")
    stored = f"{outcome.open_orders} open, {outcome.settled_orders} settled (emergencies, repeats)"
    print(f"  orders stored: {stored}")
    print(
        f"  reconciler: {outcome.reconciler_passes} passes; "
        + ", ".join(f"{k} {v}" for k, v in sorted(outcome.reconciled.items()))
    )
    print(f"  stream: {outcome.stream_records} records, {outcome.dead_lettered} to the dead-letter queue")
    print(
        f"  answers other than 201 {outcome.refused}, lost {outcome.lost}, duplicated {outcome.duplicated}, "
        f"open orders without a running workflow "
        f"{outcome.open_without_workflow}, settled orders with a run {outcome.settled_with_a_run}"
    )
    for problem in outcome.problems[:20]:
        print("  !", problem)
    failed = (
        outcome.refused
        or outcome.lost
        or outcome.duplicated
        or outcome.open_without_workflow
        or outcome.settled_with_a_run
    )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
