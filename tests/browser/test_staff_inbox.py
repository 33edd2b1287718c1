"""A street handler's day with the message centre and the 办理单: a new order rings the bell, the
message opens the order, the order prints as an A4 PDF, and SMS notices need a number."""

import random

import pytest
import requests
from playwright.sync_api import expect

from tests.unit.test_inbox import pdf_text

pytestmark = pytest.mark.browser


def test_the_bell_opens_the_new_order_which_prints_as_a_pdf(staff, stack_url):
    phone = f"139{random.randrange(10**8):08d}"
    answer = requests.post(
        f"{stack_url}/api/v1/public/requests",
        json={
            "type": "complaint",
            "content": "小区门口路灯不亮已经一周，晚上出行很不方便",
            "category": "owners_committee",
            "location": {"district": "110101", "street": "110101004", "address": "东城区安定门街道方家胡同"},
            "requester": {"name": "刘先生", "phone": phone, "kind": "person"},
            "attachments": [],
        },
        timeout=30,
    )
    order_id = answer.json()["id"]
    page = staff("andingmen.handler")

    # The bell counts the new order's notice within its minute; a reload checks at once.
    for _ in range(20):
        if page.get_by_test_id("bell-count").locator("sup").is_visible():
            break
        page.wait_for_timeout(500)
        page.reload()
    page.get_by_test_id("bell").click()
    message = page.get_by_test_id("message").filter(has_text=f"新工单 {order_id}")
    expect(message).to_contain_text("请及时签收办理")
    message.get_by_role("link", name=f"查看工单 {order_id}").click()

    expect(page.get_by_test_id("order-status")).to_be_visible()
    page.get_by_test_id("print-sheet").click()
    link = page.get_by_test_id("sheet-link")
    expect(link).to_be_visible()
    pdf = requests.get(str(link.get_attribute("href")), timeout=10)
    text = pdf_text(pdf.content)
    assert pdf.headers["content-type"] == "application/pdf"
    assert order_id in text and "12345市民服务热线工单办理单" in text and "安定门街道" in text
    assert phone not in text

    page.get_by_test_id("bell").click()
    expect(page.get_by_test_id("message").filter(has_text=f"新工单 {order_id}")).not_to_contain_text("未读")
    page.get_by_test_id("notice-settings").click()
    page.get_by_test_id("notice-sms").click()
    page.get_by_test_id("notice-settings-save").click()
    expect(page.get_by_text("开启短信提醒需填写手机号码")).to_be_visible()
    page.get_by_test_id("notice-phone").fill("13966668888")
    page.get_by_test_id("notice-settings-save").click()
    expect(page.get_by_text("提醒方式已保存")).to_be_visible()
