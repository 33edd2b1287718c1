"""One order through every role's workbench, in the browser: an operator records a call, the
wrong street objects, the dispatcher reassigns it, the right street signs, brings in an assisting
department, asks for more time (a supervisor approves) and replies, and the operator takes the
evaluation by phone."""

import random
import re
import time
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import act

pytestmark = pytest.mark.browser

# One order through eight hands takes a minute or two of wall time on a loaded machine: at 600x its
# deadline (days of demo time) stays ahead of the story, so the extension is still asked in time.
TIME_SCALE = 600


def choose(page: Page, testid: str, option: str) -> None:
    """Picks an option of an Element Plus select inside the open dialog by its label."""
    dialog = page.locator(".el-dialog:visible")
    field = dialog.get_by_test_id(testid)
    field.click()
    page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()
    expect(field).to_contain_text(option)
    dialog.locator(".el-dialog__header").click()  # a multiple select stays open: close it
    expect(page.locator(".el-select-dropdown__item:visible")).to_have_count(0)


def open_order(page: Page, url: str, order_id: str, status: str) -> None:
    """The order page, once the order has reached `status` (the workflow moves it on its own)."""
    page.goto(f"{url}/staff/orders/{order_id}")
    deadline = time.monotonic() + 20
    while status not in (page.get_by_test_id("order-status").text_content(timeout=10_000) or ""):
        assert time.monotonic() < deadline, f"order {order_id} never reached {status}"
        time.sleep(0.5)
        page.reload()


def test_one_order_from_the_call_to_its_closure(staff, snap, stack_url):
    token = uuid.uuid4().hex[:6]
    content = f"小区业主委员会换届选举不公开，居民都不知情 {token}"

    # 话务受理: the caller gives the wrong street (交道口街道)
    operator = staff("operator1")
    operator.goto(f"{stack_url}/staff/intake")
    operator.get_by_test_id("intake-type-complaint").click()
    operator.get_by_test_id("intake-content").fill(content)
    for select, option in (("f-district", "东城区"), ("f-street", "交道口街道")):
        expect(operator.locator(f"#{select}")).to_be_enabled()
        operator.locator(f"#{select}").click()
        operator.locator(".el-select-dropdown__item:visible", has_text=option).first.click()
        expect(operator.locator(f".el-select:has(#{select})")).to_contain_text(option)
    operator.get_by_test_id("intake-phone").fill(f"137{random.randrange(10**8):08d}")
    chip = operator.get_by_test_id("suggested-category").filter(has_text=re.compile("业主"))
    chip.first.click()
    operator.get_by_test_id("intake-submit").click()
    expect(operator.get_by_test_id("intake-receipt")).to_be_visible()
    order_id = operator.get_by_test_id("receipt-id").inner_text().strip()
    snap(operator, "flow-1-intake")

    # 交道口街道 objects: the address is not theirs
    wrong = staff("jiaodaokou.handler")
    open_order(wrong, stack_url, order_id, "已派单")
    act(
        wrong,
        "objection",
        {"field-reason": "方家胡同属于安定门街道辖区，不属于本街道"},
        ("grounds-jurisdiction",),
    )
    expect(wrong.get_by_test_id("order-status")).to_contain_text("申请退回")

    # The dispatcher upholds it and reassigns the order to 安定门街道
    dispatcher = staff("dispatcher1")
    dispatcher.goto(f"{stack_url}/staff/dispatch?tab=objections")
    expect(dispatcher.get_by_test_id("queue-row").filter(has_text=token)).to_be_visible()
    snap(dispatcher, "flow-2-objections")
    open_order(dispatcher, stack_url, order_id, "申请退回")
    dispatcher.get_by_test_id("action-decision").click()
    dispatcher.locator(".el-dialog:visible").get_by_test_id("decision-uphold").click()
    choose(dispatcher, "field-reassign-to", "安定门街道")
    dispatcher.locator(".el-dialog:visible").get_by_test_id("dialog-submit").click()
    expect(dispatcher.locator(".el-dialog:visible")).to_have_count(0)
    expect(dispatcher.get_by_test_id("first-receiver")).to_contain_text("安定门街道")

    # 安定门街道 signs, contacts the requester and brings in the district's housing commission
    street = staff("andingmen.handler")
    open_order(street, stack_url, order_id, "已派单")
    act(street, "sign")
    act(street, "contact", {"field-note": "已电话联系诉求人，了解换届情况"})
    street.get_by_test_id("action-assists").click()
    choose(street, "field-units", "东城区住房和城乡建设委员会")
    street.locator(".el-dialog:visible").get_by_test_id("dialog-submit").click()
    expect(street.locator(".el-dialog:visible")).to_have_count(0)
    expect(street.get_by_test_id("assisting")).to_contain_text("东城区住房和城乡建设委员会")

    # The assisting department signs for its part and reports
    housing = staff("dongcheng.housing")
    open_order(housing, stack_url, order_id, "办理中")
    act(housing, "assist-sign")
    act(housing, "assist-report", {"field-result": "已指导业委会重新公示换届方案"})

    # The street asks for more time, a supervisor approves it, then the street replies
    open_order(street, stack_url, order_id, "办理中")
    act(street, "extension", {"field-reason": "需召开业主大会重新公示，所需时间较长"})
    expect(street.get_by_test_id("extension-requests")).to_contain_text("重新公示")
    supervisor = staff("supervisor1")
    open_order(supervisor, stack_url, order_id, "办理中")
    act(supervisor, "extension-decision", click=("decision-approve",))
    expect(supervisor.get_by_test_id("extensions")).to_contain_text("重新公示")
    open_order(street, stack_url, order_id, "办理中")
    act(street, "reply", {"field-result": "已督促业委会依法公开换届信息，并张贴公告"}, ("resolved-yes",))
    snap(street, "flow-3-replied")

    # The hotline's reviewer passes the reply (办结审核): the requester is told, the follow-up starts
    reviewer = staff("reviewer1")
    open_order(reviewer, stack_url, order_id, "待审核")
    act(reviewer, "review", click=("review-pass",))

    # The operator takes the evaluation by phone: the order is closed
    open_order(operator, stack_url, order_id, "待回访")
    act(operator, "follow-up", click=("followup-resolved", "satisfaction-satisfied"))
    expect(operator.get_by_test_id("order-status")).to_contain_text("已办结")
    timeline = operator.get_by_test_id("timeline")
    for action in ("objected", "reassigned", "signed", "extended", "replied", "evaluated", "closed"):
        expect(timeline.locator(f"[data-action={action}]").first).to_be_visible()
    snap(operator, "flow-4-closed")
