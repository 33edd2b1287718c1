"""A requester submits the public form, then follows the order to its closure on the tracking page."""

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
import requests
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
PASSWORD = "Jiesu-demo-2026"
BEIJING = timezone(timedelta(hours=8))
ANDINGMEN = "110101004"  # 安定门街道, 东城区
# The codes the tracking page must never show raw: statuses and timeline actions.
RAW_CODES = re.compile(
    r"\b(received|dispatched|redispatched|reassigned|signed|contacted|progress|extended|overdue|replied"
    r"|follow_up_started|follow_up|evaluated|not_evaluated|reopened|closed|in_progress)\b"
)


def staff_token(url: str, username: str) -> str:
    config = requests.get(f"{url}/config.json", timeout=5).json()
    idp = boto3.client(
        "cognito-idp",
        endpoint_url=config["cognitoEndpoint"],
        region_name=config["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    answer = idp.initiate_auth(
        ClientId=config["userPoolClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    return str(answer["AuthenticationResult"]["IdToken"])


def act(url: str, username: str, order_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
    """One staff action on the order at its current version; answers the staff view after it."""
    headers = {"Authorization": f"Bearer {staff_token(url, username)}"}
    base = f"{url}/api/v1/staff/work-orders/{order_id}"
    version = requests.get(base, headers=headers, timeout=5).json()["version"]
    answer = requests.post(f"{base}/{action}", json={**body, "version": version}, headers=headers, timeout=5)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def dispatch(url: str, order_id: str) -> None:
    """An order submitted without a category waits for a dispatcher, who sends it to the street office."""
    act(url, "dispatcher1", order_id, "dispatch", {"units": [ANDINGMEN], "reason": "路灯问题由属地街道办理"})


def handle(url: str, order_id: str) -> None:
    """The street office signs, contacts the requester and replies, through the staff API."""
    steps: tuple[tuple[str, dict[str, Any]], ...] = (
        ("sign", {}),
        ("contact", {"note": "已电话联系"}),
        ("reply", {"result": "已更换路灯灯泡，恢复照明", "resolved_claim": True}),
    )
    for action, body in steps:
        act(url, "andingmen.handler", order_id, action, body)


def beijing(iso: str) -> str:
    """An instant as the tracking page prints it: yyyy-MM-dd HH:mm, Beijing time."""
    return datetime.fromisoformat(iso).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def pick(page: Page, select_id: str, option: str) -> None:
    page.locator(f"#{select_id}").click()
    page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()


def test_submit_track_and_rate_an_order(page: Page, stack_url: str, shot) -> None:
    page.goto(stack_url)
    expect(page.locator("html")).to_have_attribute("lang", re.compile("zh"))
    page.get_by_text("投诉", exact=True).first.click()
    page.locator("#f-content").fill("方家胡同的路灯坏了好几天，晚上很黑，老人经常摔跤")
    pick(page, "f-district", "东城区")
    pick(page, "f-street", "安定门街道")
    page.locator("#f-address").fill("东城区安定门街道方家胡同")
    page.locator("#f-phone").fill("13800001234")
    page.get_by_text("我已阅读并同意").click()
    shot("01-form-filled")
    page.get_by_test_id("submit-request").click()

    result = page.get_by_test_id("submit-result")
    expect(result).to_be_visible()
    order_id = page.get_by_test_id("order-id").inner_text().strip()
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    assert re.fullmatch(r"\d{13}", order_id) and re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    shot("02-submitted")

    page.goto(f"{stack_url}/track/{order_id}?code={code}")
    # No category chosen: the order waits for a dispatcher.
    expect(page.get_by_test_id("order-status")).to_have_text("已受理")
    expect(page.get_by_test_id("first-receiver")).to_have_text("待派单")

    dispatch(stack_url, order_id)
    page.reload()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("安定门街道")
    expect(timeline).to_contain_text("派单")
    expect(page.get_by_test_id("first-receiver")).to_have_text("安定门街道")
    expect(page.get_by_test_id("deadline")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"))
    shot("03-tracking-dispatched")

    handle(stack_url, order_id)
    page.reload()
    form = page.get_by_test_id("evaluation-form")
    expect(form).to_be_visible(timeout=10_000)
    expect(page.locator(".reply-text")).to_have_text("已更换路灯灯泡，恢复照明")
    for wording in ("受理", "派单", "签收", "联系诉求人", "已电话联系", "答复"):
        expect(timeline).to_contain_text(wording)
    expect(timeline).not_to_contain_text(RAW_CODES)
    shot("04-tracking-replied")
    form.get_by_text("已解决", exact=True).first.click()
    form.get_by_text("满意", exact=True).first.click()
    form.get_by_role("button").last.click()

    expect(page.get_by_test_id("order-status")).to_have_text("已办结")
    expect(timeline).to_contain_text("诉求人评价")
    expect(timeline).to_contain_text("办结")
    expect(timeline).to_contain_text("已评价")  # the closing event's note is a code, shown translated
    expect(timeline).not_to_contain_text(RAW_CODES)
    expect(page.get_by_test_id("evaluation-form")).to_have_count(0)
    shot("05-closed")


def test_an_extension_and_its_reason_reach_the_tracking_page(page: Page, stack_url: str, shot) -> None:
    config = requests.get(f"{stack_url}/config.json", timeout=5).json()
    submitted = requests.post(
        f"{config['apiUrl']}/public/requests",
        json={
            "type": "help",
            "content": "小区门口的路灯杆倾斜，担心倒下砸到行人",
            "category": None,
            "location": {"district": "110101", "street": ANDINGMEN, "address": "东城区安定门街道方家胡同"},
            "requester": {"name": None, "phone": "13800005678", "kind": "person"},
            "confidential": False,
            "attachments": [],
        },
        timeout=5,
    )
    assert submitted.status_code == 201, submitted.text
    receipt = submitted.json()
    order_id, code = receipt["id"], receipt["tracking_code"]
    dispatch(stack_url, order_id)
    signed = act(stack_url, "andingmen.handler", order_id, "sign", {})
    reason = "灯杆更换需供电部门配合停电作业，需延长办理期限"
    new_deadline = datetime.fromisoformat(signed["deadline"]) + timedelta(days=2)
    extended = act(
        stack_url,
        "andingmen.handler",
        order_id,
        "extension",
        {"reason": reason, "new_deadline": new_deadline.astimezone(BEIJING).isoformat()},
    )

    page.goto(f"{stack_url}/track/{order_id}?code={code}")
    block = page.get_by_test_id("extensions")
    expect(block).to_be_visible()
    expect(block.get_by_role("heading")).to_have_text("延期说明")
    expect(block).to_contain_text(reason)
    expect(block).to_contain_text(beijing(extended["deadline"]))
    expect(page.get_by_test_id("deadline")).to_contain_text(beijing(extended["deadline"]))
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("延期")
    expect(timeline).to_contain_text(reason)
    expect(timeline).not_to_contain_text(RAW_CODES)
    shot("06-tracking-extended")

    page.get_by_role("button", name="English").click()
    expect(block.get_by_role("heading")).to_have_text("Deadline extensions")
    expect(block).to_contain_text(reason)
    expect(timeline).to_contain_text("Deadline extended")
    expect(page.get_by_test_id("order-status")).to_have_text("Accepted by unit")


def test_a_wrong_code_tells_nothing(page: Page, stack_url: str) -> None:
    page.goto(f"{stack_url}/track/2611260000000?code=AAAA-BBBB-CCCC")

    expect(page.get_by_text("未找到该工单")).to_be_visible()
