"""One compressed day of Beijing's hotline against the local stack (tests/load/day.py runs it).

Citizens on the web form and the app (suggestions while typing, the submission, the tracking page),
operators recording phone calls (70 % of requests arrive by phone: infra/local/history.py CHANNELS),
and handlers working their inbox (sign, contact, reply). The number of users follows the hourly
profile of the generated history (OFFICE_HOURS), the day compressed into the run time. Each user
sends from a loopback address of its own, so the local server's per-client throttling applies as
API Gateway's and WAF's would to many callers.

Environment (set by tests/load/day.py): JIESU_LOAD_HOST, JIESU_LOAD_DAY_SECONDS, JIESU_LOAD_PEAK_USERS,
JIESU_LOAD_TOKENS (staff ID tokens by role: operators, handlers, reviewers), JIESU_LOAD_OUT
(where each user appends the ids and idempotency keys of the orders it submitted).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import uuid
from typing import Any, ClassVar

from locust import HttpUser, LoadTestShape, between, task
from requests.adapters import HTTPAdapter

from infra.local.history import CHANNELS, OFFICE_HOURS

DAY_SECONDS = float(os.environ.get("JIESU_LOAD_DAY_SECONDS", "300"))
PEAK_USERS = int(os.environ.get("JIESU_LOAD_PEAK_USERS", "120"))
TOKENS: dict[str, list[str]] = json.loads(
    os.environ.get("JIESU_LOAD_TOKENS", '{"operator": [], "handler": [], "reviewer": []}')
)
OUT = os.environ.get("JIESU_LOAD_OUT", "load-orders.jsonl")
PHONE = sum(share for channel, share in CHANNELS.items() if channel.value == "phone")

# Requests people write, in the categories of the demo street (安定门街道) and its district.
MATTERS = (
    ("garbage_collection", "胡同口垃圾桶满了好几天没人清运，气味很大"),
    ("street_lighting", "方家胡同的路灯很昏暗，晚上街坊经常摔跤"),
    ("manhole_cover", "路口井盖丢失，非常危险，请尽快处理"),
    ("construction_noise", "工地夜间施工噪音很大，影响休息"),
    ("illegal_parking", "小区门口长期有车辆乱停，堵住消防通道"),
)
LOCATION = {"district": "110101", "street": "110101004", "address": "东城区安定门街道方家胡同"}
_addresses = itertools.count(1)
_written = threading.Lock()


class Caller(HttpUser):
    """A user with a loopback address of its own (127.0.x.y)."""

    abstract = True

    def on_start(self) -> None:
        n = next(_addresses)
        address = f"127.0.{n // 250 % 250}.{n % 250 + 2}"
        adapter = HTTPAdapter(pool_connections=1, pool_maxsize=1)
        adapter.init_poolmanager(1, 1, source_address=(address, 0))
        self.client.mount("http://", adapter)

    def keep(self, receipt: dict[str, Any], key: str) -> None:
        with _written, open(OUT, "a", encoding="utf-8") as out:
            out.write(json.dumps({"id": receipt.get("id"), "key": key}) + "\n")

    def body(self) -> dict[str, Any]:
        category, content = random.choice(MATTERS)
        return {
            "type": "complaint",
            "content": f"{content}（{uuid.uuid4().hex[:6]}）",
            "category": category,
            "location": LOCATION,
            "requester": {"name": "市民", "phone": f"139{random.randrange(10**8):08d}", "kind": "person"},
        }


class Citizen(Caller):
    """The web form and the app: suggestions while typing, the submission, the receipt page."""

    weight = round(100 * (1 - PHONE))
    wait_time = between(2, 6)

    @task
    def submit(self) -> None:
        body = self.body()
        for typed in (body["content"][:8], body["content"]):
            self.client.post("/api/v1/public/suggestions", json={"content": typed}, name="POST suggestions")
        key = str(uuid.uuid4())
        with self.client.post(
            "/api/v1/public/requests",
            json=body,
            headers={"Idempotency-Key": key},
            name="POST public/requests",
            catch_response=True,
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"{answer.status_code}")
                return
            receipt = answer.json()
        self.keep(receipt, key)
        self.client.get(
            f"/api/v1/public/requests/{receipt['id']}?code={receipt['tracking_code']}",
            name="GET public/requests/{id}",
        )


class Operator(Caller):
    """A hotline operator recording phone calls (话务员)."""

    weight = round(100 * PHONE)
    wait_time = between(3, 8)

    def on_start(self) -> None:
        super().on_start()
        tokens = TOKENS["operator"]
        self.headers = {"Authorization": f"Bearer {tokens[next(_addresses) % len(tokens)]}"}

    @task
    def record_call(self) -> None:
        body = {**self.body(), "channel": "phone"}
        self.client.post(
            "/api/v1/public/suggestions", json={"content": body["content"]}, name="POST suggestions"
        )
        key = str(uuid.uuid4())
        with self.client.post(
            "/api/v1/staff/work-orders",
            json=body,
            headers={**self.headers, "Idempotency-Key": key},
            name="POST staff/work-orders",
            catch_response=True,
        ) as answer:
            if answer.status_code != 201:
                answer.failure(f"{answer.status_code}")
                return
            self.keep(answer.json(), key)


class Handler(Caller):
    """A street's handler working the inbox: open the next order, take its next step."""

    weight = 8
    wait_time = between(2, 5)
    STEPS: ClassVar[dict[str, tuple[str, dict[str, Any]]]] = {
        "dispatched": ("sign", {}),
        "signed": ("contact", {"note": "已电话联系诉求人"}),
        "in_progress": ("reply", {"result": "已安排处理，问题已解决", "resolved_claim": True}),
    }

    def on_start(self) -> None:
        super().on_start()
        tokens = TOKENS["handler"]
        self.headers = {"Authorization": f"Bearer {random.choice(tokens)}"}

    @task
    def work(self) -> None:
        status = random.choice(list(self.STEPS))
        inbox = self.client.get(
            f"/api/v1/staff/work-orders?status={status}", headers=self.headers, name="GET staff/work-orders"
        )
        items = inbox.json().get("items", []) if inbox.status_code == 200 else []
        if not items:
            return
        order_id = random.choice(items[:10])["id"]
        order = self.client.get(
            f"/api/v1/staff/work-orders/{order_id}", headers=self.headers, name="GET staff/work-orders/{id}"
        )
        if order.status_code != 200:
            return
        current = order.json()
        if current["status"] not in self.STEPS:
            return  # someone else took its last step meanwhile
        action, body = self.STEPS[current["status"]]
        with self.client.post(
            f"/api/v1/staff/work-orders/{order_id}/{action}",
            json={"version": current["version"], **body},
            headers=self.headers,
            name=f"POST staff/work-orders/{{id}}/{action}",
            catch_response=True,
        ) as answer:
            # Two handlers on one order: one wins, the other reads 409 as a person would.
            if answer.status_code in (200, 409):
                answer.success()


class Reviewer(Handler):
    """The hotline's reviewer passing the replies in review (办结审核) so they reach the requester."""

    weight = 1
    STEPS: ClassVar[dict[str, tuple[str, dict[str, Any]]]] = {"in_review": ("review", {"decision": "pass"})}

    def on_start(self) -> None:
        Caller.on_start(self)
        self.headers = {"Authorization": f"Bearer {random.choice(TOKENS['reviewer'])}"}


class BeijingDay(LoadTestShape):
    """Users through the day at the generated history's hourly profile, compressed into the run."""

    def tick(self) -> tuple[int, float] | None:
        elapsed = self.get_run_time()
        if elapsed >= DAY_SECONDS:
            return None
        hour = int(elapsed / DAY_SECONDS * 24)
        users = max(2, round(PEAK_USERS * OFFICE_HOURS[hour] / max(OFFICE_HOURS)))
        return users, max(1.0, users / 5)
