"""考核申诉 in the portal: a street appeals a closed order, the assessment officer upholds it from the
queue, and the next monthly run of the order's month counts it as excluded from the street's rates."""

import json
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import act, staff_token
from tests.browser.test_staff_orders import ANDINGMEN, a_phone, dispatched, submit

pytestmark = pytest.mark.browser
BEIJING = timezone(timedelta(hours=8))


def _api(url: str, username: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    headers = {"Authorization": f"Bearer {staff_token(url, username)}"}
    return requests.request(method, f"{url}/api/v1/staff{path}", json=body, headers=headers, timeout=60)


def _closed(url: str) -> dict[str, Any]:
    """An order 安定门街道 signed for, replied to, and its requester rated: closed."""
    phone = a_phone()
    order_id = submit(url, f"小区业主委员会换届选举不公开，居民不知情 {uuid.uuid4().hex[:8]}", phone)
    dispatched(url, order_id)
    for action, body in (
        ("sign", {}),
        ("contact", {}),
        ("reply", {"result": "已约谈业委会，换届公告已张贴", "resolved_claim": True}),
    ):
        version = _api(url, "andingmen.handler", "GET", f"/work-orders/{order_id}").json()["version"]
        done = _api(
            url,
            "andingmen.handler",
            "POST",
            f"/work-orders/{order_id}/{action}",
            {"version": version, **body},
        )
        assert done.status_code == 200, done.text
    # 办结审核: the hotline's reviewer passes the reply on to the requester.
    version = _api(url, "reviewer1", "GET", f"/work-orders/{order_id}").json()["version"]
    passed = _api(
        url, "reviewer1", "POST", f"/work-orders/{order_id}/review", {"version": version, "decision": "pass"}
    )
    assert passed.status_code == 200, passed.text
    # The requester's rating, taken by the operator on the phone once the follow-up has started.
    deadline = time.monotonic() + 30
    while True:
        order = _api(url, "operator1", "GET", f"/work-orders/{order_id}").json()
        if "follow-up" in {a["action"] for a in order["actions"]}:
            rated = _api(
                url,
                "operator1",
                "POST",
                f"/work-orders/{order_id}/follow-up",
                {"version": order["version"], "resolved": True, "satisfaction": "satisfied"},
            )
            if rated.status_code == 200:
                assert rated.json()["status"] == "closed", rated.text
                return dict(rated.json())
        assert time.monotonic() < deadline, f"order {order_id} never came to its follow-up"
        time.sleep(0.3)


def _run(url: str, machine: str, given: dict[str, Any]) -> None:
    """One run of an analytics machine, as the schedule starts it (the local stack's moto)."""
    config = requests.get(f"{url}/config.json", timeout=5).json()
    sfn = boto3.client(
        "stepfunctions",
        endpoint_url=config["cognitoEndpoint"],
        region_name=config["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    (arn,) = [
        m["stateMachineArn"]
        for m in sfn.list_state_machines()["stateMachines"]
        if m["name"].endswith(machine)
    ]
    started = sfn.start_execution(
        stateMachineArn=arn, name=f"appeal-{uuid.uuid4().hex[:8]}", input=json.dumps(given)
    )
    deadline = time.monotonic() + 180
    while (status := sfn.describe_execution(executionArn=started["executionArn"])["status"]) == "RUNNING":
        assert time.monotonic() < deadline, machine
        time.sleep(0.5)
    assert status == "SUCCEEDED", machine


def _street(url: str, order: dict[str, Any]) -> dict[str, Any]:
    """安定门街道's counts after the daily compaction of the order's days and its month's run."""

    def day(instant: str) -> str:
        return datetime.fromisoformat(instant).astimezone(BEIJING).strftime("%Y-%m-%d")

    latest = _api(url, "analyst1", "GET", f"/work-orders/{order['id']}").json()
    first, last = day(order["created_at"]), day(latest["updated_at"])
    _run(url, "analytics-daily", {"from": first, "to": last})
    _run(url, "analytics-monthly", {"month": first[:7], "retrain": False})
    answer = _api(
        url, "analyst1", "GET", f"/analytics/assessments?month={first[:7]}&kind=street&group=insufficient"
    )
    return next(r for r in answer.json()["items"] if r["unit"]["id"] == ANDINGMEN)


def test_an_appeal_upheld_from_the_queue_is_counted_by_the_next_monthly_run(
    staff, snap, stack_url: str
) -> None:
    order = _closed(stack_url)
    before = _street(stack_url, order)

    # The street's handler appeals the closed order from its page.
    handler = staff("andingmen.handler")
    handler.goto(f"{stack_url}/staff/orders/{order['id']}")
    act(
        handler,
        "appeal",
        {"field-evidence": "业委会换届属住建部门指导监督事项，本街道已转告并协助公告"},
        click=("grounds-outside_duties",),
    )
    expect(handler.get_by_test_id("appeal-state")).to_have_text("待审核")

    # The assessment officer's home is the queue; the decision is made on the order's page.
    assessor = staff("assessor1")
    expect(assessor.get_by_test_id("appeal-row").filter(has_text=order["id"])).to_be_visible()
    assessor.get_by_test_id("appeal-row").filter(has_text=order["id"]).click()
    expect(assessor.get_by_test_id("appeal")).to_contain_text("超出本单位职责范围")
    act(assessor, "appeal-decision", {"field-note": "经核实属住建部门职责"}, click=("decision-uphold",))
    expect(assessor.get_by_test_id("appeal-state")).to_have_text("申诉成立")
    snap(assessor, "appeal-upheld")

    after = _street(stack_url, order)
    assert (after["dispatched"], after["excluded"]) == (before["dispatched"] - 1, before["excluded"] + 1)
