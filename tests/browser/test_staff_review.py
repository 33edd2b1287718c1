"""办结审核 in the portal: a handler's "已处理" is flagged and returned by the reviewer, the unit
replies again, the reviewer passes it and the requester reads the reply (issue 17 item 1)."""

import re
import uuid

import pytest
import requests
from playwright.sync_api import expect

from tests.browser.conftest import act
from tests.browser.test_public_form import act as call
from tests.browser.test_staff_flow import open_order
from tests.browser.test_staff_orders import a_phone

pytestmark = pytest.mark.browser
GOOD = "街道于当日组织物业公示近三年业委会收支账目，共张贴公告3处，已电话告知诉求人查看地点。"


def test_a_bare_done_is_returned_and_the_reply_written_again_passes(staff, snap, stack_url: str) -> None:
    # Given an order the street office has signed for and contacted the requester about
    token = uuid.uuid4().hex[:8]
    answer = requests.post(
        f"{stack_url}/api/v1/public/requests",
        json={
            "type": "complaint",
            "content": f"小区业委会账目多年不公开，居民无从监督 {token}",
            "category": "owners_committee",
            "location": {"district": "110101", "street": "110101004", "address": "东城区安定门街道方家胡同"},
            "requester": {"name": "刘先生", "phone": a_phone(), "kind": "person"},
        },
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    receipt = answer.json()
    order_id = receipt["id"]
    handler = staff("andingmen.handler")
    open_order(handler, stack_url, order_id, "已派单")
    call(stack_url, "andingmen.handler", order_id, "sign", {})
    call(stack_url, "andingmen.handler", order_id, "contact", {"note": "已电话联系"})

    # When the handler replies only "已处理"
    open_order(handler, stack_url, order_id, "办理中")
    act(handler, "reply", {"field-result": "已处理"}, click=("resolved-yes",))
    expect(handler.get_by_test_id("order-status")).to_have_text("待审核")

    # Then the reviewer finds it in the review queue, flagged too short, and returns it with a reason
    reviewer = staff("reviewer1")
    reviewer.goto(f"{stack_url}/staff/review")
    expect(reviewer).to_have_url(re.compile(r"status=in_review"))
    reviewer.locator(".el-table__row", has_text=order_id).first.click()
    expect(reviewer.get_by_test_id("review-flag-too_short")).to_have_text("答复过短")
    act(reviewer, "review", {"field-reason": "未说明账目是否公开、在哪里公开"}, click=("review-return",))
    expect(reviewer.get_by_test_id("order-status")).to_have_text("办理中")
    snap(reviewer, "staff-review-returned")

    # And the unit sees why, and replies again
    open_order(handler, stack_url, order_id, "办理中")
    expect(handler.get_by_test_id("timeline").locator("[data-action=review_returned]")).to_contain_text(
        "未说明账目是否公开"
    )
    expect(handler.get_by_test_id("review-returns")).to_have_text("已退回 1 次")
    act(handler, "reply", {"field-result": GOOD}, click=("resolved-yes",))

    # Then the reviewer sees no flag and passes it: the requester reads the reply, the follow-up starts
    open_order(reviewer, stack_url, order_id, "待审核")
    expect(reviewer.get_by_test_id("review-clean")).to_be_visible()
    act(reviewer, "review", click=("review-pass",))
    expect(reviewer.get_by_test_id("order-status")).to_have_text(re.compile("已答复|待回访"))
    tracked = requests.get(
        f"{stack_url}/api/v1/public/requests/{order_id}?code={receipt['tracking_code']}", timeout=10
    ).json()
    assert tracked["reply"]["result"] == GOOD
    snap(reviewer, "staff-review-passed")
