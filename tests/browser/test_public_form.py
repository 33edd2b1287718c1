"""A requester submits the public form, then follows the order to its closure on the tracking page."""

import re
from typing import Any

import boto3
import pytest
import requests
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser
PASSWORD = "Jiesu-demo-2026"


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


def handle(url: str, order_id: str) -> None:
    """The street office signs, contacts the requester and replies, through the staff API."""
    headers = {"Authorization": f"Bearer {staff_token(url, 'andingmen.handler')}"}
    base = f"{url}/api/v1/staff/work-orders/{order_id}"
    steps: tuple[tuple[str, dict[str, Any]], ...] = (
        ("sign", {}),
        ("contact", {"note": "已电话联系"}),
        ("reply", {"result": "已更换路灯灯泡，恢复照明", "resolved_claim": True}),
    )
    for action, body in steps:
        version = requests.get(base, headers=headers, timeout=5).json()["version"]
        answer = requests.post(
            f"{base}/{action}", json={**body, "version": version}, headers=headers, timeout=5
        )
        assert answer.status_code == 200, answer.text


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
    expect(page.get_by_test_id("timeline")).to_contain_text("安定门街道")
    shot("03-tracking-dispatched")

    handle(stack_url, order_id)
    page.reload()
    form = page.get_by_test_id("evaluation-form")
    expect(form).to_be_visible(timeout=10_000)
    expect(page.locator(".reply-text")).to_have_text("已更换路灯灯泡，恢复照明")
    shot("04-tracking-replied")
    form.get_by_text("已解决", exact=True).first.click()
    form.get_by_text("满意", exact=True).first.click()
    form.get_by_role("button").last.click()

    expect(page.get_by_test_id("order-status")).to_have_text(re.compile("已办结|已关闭|closed", re.I))
    shot("05-closed")


def test_a_wrong_code_tells_nothing(page: Page, stack_url: str) -> None:
    page.goto(f"{stack_url}/track/2611260000000?code=AAAA-BBBB-CCCC")

    expect(page.get_by_text("未找到该工单")).to_be_visible()
