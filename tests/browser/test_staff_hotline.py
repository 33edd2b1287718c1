"""The hotline's workbenches in the staff portal: an operator takes a call the catalogue
dispatches, picks its category through the catalogue's three levels, sees the place the caller
named filled in, a repeat call shows its duplicate, a dispatcher reads a unit's objection, a street
blows the whistle, departments report for duty (or are late) and the district sees it, a
supervisor watches overdue orders and the units' ranking, and calls back a requester who rated
badly (差评二次回访). The local stack's demo clock runs at
3600x (conftest.py)."""

import contextlib
import random
import re
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import pick_category, staff_token

pytestmark = pytest.mark.browser
BEIJING = timezone(timedelta(hours=8))
ANDINGMEN = "110101004"  # 安定门街道, 东城区
CONTENT = "安定门街道方家胡同的路灯坏了好几天，晚上一片漆黑，老人出门很不方便"
LIGHTING = ("城乡建设与城市管理", "市政设施", "路灯照明")  # street_lighting: 大类 › 中类 › 小类


def api(url: str, username: str, method: str, path: str, body: Any = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {staff_token(url, username)}", "Idempotency-Key": str(uuid.uuid4())}
    return requests.request(method, f"{url}/api/v1/staff{path}", json=body, headers=headers, timeout=10)


def phone() -> str:
    return "139" + "".join(random.choice("0123456789") for _ in range(8))


def pick(page: Page, select_id: str, option: str) -> None:
    """Chooses an option of a select; on a loaded machine a click that lands while the drop-down is
    still opening is lost (it stays open, nothing chosen), so the option is clicked again then."""
    select = page.locator(f".el-select:has(#{select_id})")
    expect(page.locator(f"#{select_id}")).to_be_enabled()
    page.locator(f"#{select_id}").click()
    for _attempt in range(3):
        page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()
        try:
            expect(select).to_contain_text(option, timeout=2_000)
            return
        except AssertionError:
            if not page.locator(".el-select-dropdown__item:visible", has_text=option).count():
                page.locator(f"#{select_id}").click()
    expect(select).to_contain_text(option)


def fill_call(page: Page, caller: str) -> None:
    page.get_by_test_id("intake-type-complaint").click()
    page.get_by_test_id("intake-content").fill(CONTENT)
    pick(page, "f-district", "东城区")
    pick(page, "f-street", "安定门街道")
    page.get_by_test_id("intake-phone").fill(caller)
    chip = page.get_by_test_id("suggested-category").filter(has_text="路灯")
    chip.first.click()
    expect(chip.first).to_have_attribute("aria-pressed", "true")


def test_operator_takes_a_call_the_catalogue_dispatches_it_and_sees_the_repeat(staff, snap, stack_url):
    page = staff("operator1")
    page.goto(f"{stack_url}/staff/intake")
    caller = phone()
    fill_call(page, caller)
    snap(page, "hotline-intake-form")
    page.get_by_test_id("intake-submit").click()

    receipt = page.get_by_test_id("intake-receipt")
    expect(receipt).to_be_visible()
    order_id = page.get_by_test_id("receipt-id").inner_text().strip()
    assert order_id.isdigit()
    expect(page.get_by_test_id("receipt-code")).not_to_be_empty()
    # The workflow dispatches it by the catalogue; the receipt follows until it has, once.
    expect(page.get_by_test_id("receipt-receiver")).to_have_text("安定门街道")
    expect(page.get_by_test_id("receipt-dispatching")).to_have_count(0)
    expect(page.get_by_test_id("intake-dispatch")).to_have_count(0)
    snap(page, "hotline-intake-receipt")

    # The street's handler has it now.
    answer = api(stack_url, "andingmen.handler", "GET", f"/work-orders/{order_id}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["first_receiver"]["id"] == ANDINGMEN
    actions = [e["action"] for e in answer.json()["timeline"]]
    assert actions.count("dispatched") == 1 and "redispatched" not in actions, actions
    inbox = api(stack_url, "andingmen.handler", "GET", "/work-orders?status=dispatched&limit=100").json()
    assert order_id in [o["id"] for o in inbox["items"]]

    # The same caller rings again about the same lamp: the open order is shown as a duplicate.
    page.get_by_test_id("intake-next").click()
    fill_call(page, caller)
    candidate = page.get_by_test_id("duplicate-candidate").filter(has_text=order_id)
    expect(candidate).to_be_visible()
    link = candidate.get_by_role("link", name=order_id)
    expect(link).to_have_attribute("href", f"/staff/orders/{order_id}")
    snap(page, "hotline-intake-duplicate")


def test_operator_picks_a_category_through_the_three_levels(staff, snap, stack_url):
    # Given a call about a lamp, its place chosen by hand; the suggestions its words bring are
    # held back, to come while the operator is choosing
    page = staff("operator1")
    held: list[Route] = []
    page.route("**/public/suggestions", lambda route: held.append(route))
    page.goto(f"{stack_url}/staff/intake")
    page.get_by_test_id("intake-type-complaint").click()
    content = f"路口的路灯一到晚上就不亮，已经一个星期了 {uuid.uuid4().hex[:6]}"
    page.get_by_test_id("intake-content").fill(content)
    pick(page, "f-district", "东城区")
    pick(page, "f-street", "安定门街道")
    page.get_by_test_id("intake-phone").fill(phone())
    picker = page.get_by_test_id("intake-category")

    # When the operator types part of a name, the matches are offered with their whole path
    picker.locator("input").click()
    page.keyboard.type("井盖")
    match = page.locator(".category-cascader:visible .el-cascader__suggestion-item")
    expect(match.first).to_have_text("城乡建设与城市管理 › 市政设施 › 井盖缺失破损")

    # The suggestions come meanwhile, above the picker: the match the operator clicks is chosen
    page.unroute("**/public/suggestions")
    for route in held:
        with contextlib.suppress(PlaywrightError):  # one the form has given up on meanwhile
            route.continue_()
    expect(page.get_by_test_id("suggested-category").first).to_be_visible()
    match.first.click()
    expect(picker.locator("input")).to_have_value("城乡建设与城市管理 › 市政设施 › 井盖缺失破损")

    # And then goes down the levels instead: 大类, 中类, the category; the path is shown
    pick_category(page, picker, *LIGHTING)
    expect(page.get_by_test_id("automatic-dispatch")).to_have_count(0)  # a category is chosen
    snap(page, "hotline-intake-category-levels")
    page.get_by_test_id("intake-submit").click()

    # Then the order has that category and the catalogue sends it to the street
    expect(page.get_by_test_id("intake-receipt")).to_be_visible()
    order_id = page.get_by_test_id("receipt-id").inner_text().strip()
    expect(page.get_by_test_id("receipt-receiver")).to_have_text("安定门街道")
    order = api(stack_url, "dispatcher1", "GET", f"/work-orders/{order_id}").json()
    assert order["category"]["code"] == "street_lighting", order["category"]
    assert order["first_receiver"]["id"] == ANDINGMEN


def test_the_intake_fills_in_the_place_the_caller_names(staff, snap, stack_url):
    # Given an operator writing down a call that names a lane, not its street
    page = staff("operator1")
    page.goto(f"{stack_url}/staff/intake")
    page.get_by_test_id("intake-content").fill("方家胡同的路灯很昏暗")

    # Then the empty district and street are filled in, with a line saying where they came from
    hint = page.get_by_test_id("place-from-text")
    expect(hint).to_have_text("已根据诉求内容中的“方家胡同”填写地点：东城区 安定门街道，如不对请修改。")
    expect(page.locator(".el-select:has(#f-district)")).to_contain_text("东城区")
    expect(page.locator(".el-select:has(#f-street)")).to_contain_text("安定门街道")

    # And the first suggestion shows its 大类 › 中类, and that it would be dispatched by itself
    chip = page.get_by_test_id("suggested-category").first
    expect(chip).to_contain_text("路灯照明")
    expect(chip.get_by_test_id("suggested-category-path")).to_have_text("城乡建设与城市管理 › 市政设施")
    expect(page.get_by_test_id("automatic-dispatch")).to_have_text("将自动派单")
    snap(page, "hotline-intake-place-from-text")

    # Taking the suggestion chooses it in the picker, path and all; the automatic note goes
    chip.click()
    expect(chip).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("intake-category").locator("input")).to_have_value(" › ".join(LIGHTING))
    expect(page.get_by_test_id("automatic-dispatch")).to_have_count(0)

    # A street the operator chooses instead is theirs: the hint no longer claims the place
    pick(page, "f-street", "交道口街道")
    expect(hint).to_have_count(0)
    expect(page.locator(".el-select:has(#f-district)")).to_contain_text("东城区")


def test_dispatcher_reads_the_objection(staff, snap, stack_url):
    body = {
        "type": "complaint",
        "content": "交道口南大街路灯不亮，已经一周了",
        "category": "street_lighting",
        "location": {"district": "110101", "street": ANDINGMEN, "address": "交道口南大街"},
        "requester": {"name": "张女士", "phone": phone(), "kind": "person"},
        "channel": "phone",
    }
    created = api(stack_url, "operator1", "POST", "/work-orders", body)
    assert created.status_code == 201, created.text
    order_id = created.json()["id"]
    deadline = time.monotonic() + 10
    while (
        order := api(stack_url, "andingmen.handler", "GET", f"/work-orders/{order_id}")
    ).status_code >= 400:
        assert time.monotonic() < deadline, "the order was not dispatched to the street"
        time.sleep(0.3)
    reason = "该路段属于交道口街道辖区，不属于本街道属地"
    objected = api(
        stack_url,
        "andingmen.handler",
        "POST",
        f"/work-orders/{order_id}/objection",
        {"version": order.json()["version"], "grounds": "jurisdiction", "reason": reason},
    )
    assert objected.status_code == 200, objected.text

    page = staff("dispatcher1")
    page.goto(f"{stack_url}/staff/dispatch")
    expect(page.get_by_test_id("queue-tab-dispatch")).to_be_visible()
    page.get_by_test_id("queue-tab-objections").click()
    expect(page).to_have_url(f"{stack_url}/staff/dispatch?tab=objections")
    row = page.locator(f'[data-testid=queue-row][data-order="{order_id}"]')
    expect(row).to_be_visible()
    row.get_by_test_id("row-toggle").click()
    expect(page.get_by_test_id("objection-reason").filter(has_text=reason)).to_be_visible()
    expect(page.get_by_test_id("queue-detail").filter(has_text="不属于本单位属地")).to_be_visible()
    snap(page, "hotline-dispatch-objections")


def test_street_blows_the_whistle_and_departments_report(staff, snap, stack_url):
    street = staff("andingmen.handler")
    street.goto(f"{stack_url}/staff/whistles")
    street.get_by_test_id("whistle-blow").click()
    matter = f"方家胡同积水和路灯问题需要住建、照明部门协同处置 {uuid.uuid4().hex[:6]}"
    street.get_by_test_id("whistle-matter").fill(matter)
    street.locator("#whistle-departments").click()
    street.locator(".el-select-dropdown__item:visible", has_text="东城区住房和城乡建设委员会").first.click()
    street.locator(".el-select-dropdown__item:visible", has_text="北京市城市照明管理中心").first.click()
    street.get_by_test_id("whistle-matter").click()  # closes the drop-down
    snap(street, "hotline-whistle-blow")
    street.get_by_test_id("whistle-submit").click()
    row = street.get_by_test_id("whistle-row").filter(has_text=matter)
    expect(row).to_be_visible()
    whistle_id = row.get_attribute("data-whistle")
    assert whistle_id

    # The district's housing commission sees the summons and reports for duty.
    housing = staff("dongcheng.housing")
    housing.goto(f"{stack_url}/staff/whistles")
    summoned = housing.get_by_test_id("whistle-row").filter(has_text=matter)
    expect(summoned).to_be_visible()
    summoned.get_by_test_id("whistle-report").click()
    housing.get_by_test_id("whistle-report-note").fill("已派两名工作人员到场")
    housing.get_by_test_id("whistle-report-confirm").click()
    expect(summoned.get_by_test_id("whistle-report")).to_have_count(0)
    snap(housing, "hotline-whistle-department")

    # The lighting centre never reports: past its limit (30 demo minutes) it is shown late.
    street.goto(f"{stack_url}/staff/whistles/{whistle_id}")
    lighting = street.locator('[data-testid=summons-row][data-unit="bj-lighting"]')
    expect(lighting).to_be_visible()
    deadline = time.monotonic() + 20
    while not lighting.get_by_test_id("summons-late").count():
        assert time.monotonic() < deadline, (
            "the department that did not report was never shown late: "
            + api(stack_url, "andingmen.handler", "GET", f"/whistles/{whistle_id}").text
        )
        time.sleep(1)
        street.reload()
        expect(lighting).to_be_visible()  # the page has read the whistle again
    expect(lighting).to_contain_text("未报到")
    housing_row = street.locator('[data-testid=summons-row][data-unit="110101-housing"]')
    expect(housing_row).to_contain_text("已派两名工作人员到场")
    snap(street, "hotline-whistle-detail")

    # The late department was escalated to 东城区: the district lists its streets' whistles.
    district = staff("dongcheng.handler")
    district.goto(f"{stack_url}/staff/whistles")
    escalated = district.get_by_test_id("whistle-row").filter(has_text=matter)
    expect(escalated).to_contain_text("安定门街道")
    expect(escalated).to_contain_text(re.compile(r"[12] 个迟到"))
    snap(district, "hotline-whistle-district")

    street.get_by_test_id("whistle-close").click()
    street.get_by_test_id("whistle-result-input").fill("积水已排除，路灯已修复")
    street.get_by_test_id("whistle-close-confirm").click()
    expect(street.get_by_test_id("whistle-status")).to_have_text("已销号")


def test_supervisor_sees_the_overdue_board_and_the_ranking(staff, snap, stack_url):
    # An order of the 24-hour tier is overdue after 24 real seconds at 3600x.
    deadline = time.monotonic() + 40
    while not api(stack_url, "supervisor1", "GET", "/work-orders?overdue=true").json()["items"]:
        if time.monotonic() > deadline:
            pytest.fail("no order became overdue")
        time.sleep(1)

    page = staff("supervisor1")
    page.goto(f"{stack_url}/staff/supervision")
    first = page.get_by_test_id("overdue-row").first
    expect(first).to_be_visible()
    row = page.locator(f'[data-testid=overdue-row][data-order="{first.get_attribute("data-order")}"]')
    row.get_by_test_id("urge").click()
    page.get_by_test_id("urge-note").fill("请今日内联系诉求人并报告进展")
    page.get_by_test_id("urge-confirm").click()
    expect(row).to_contain_text("已催办")
    snap(page, "hotline-supervision-overdue")

    page.get_by_test_id("supervision-tab-ranking").click()
    expect(page).to_have_url(f"{stack_url}/staff/supervision?tab=ranking")
    expect(page.get_by_test_id("ranking-table")).to_be_visible()
    this_month = datetime.now(BEIJING).strftime("%Y-%m")  # the picker's default
    month = api(stack_url, "supervisor1", "GET", f"/analytics/assessments?month={this_month}&kind=street")
    if month.status_code == 200 and any(i["score"] is not None for i in month.json()["items"]):
        expect(page.get_by_test_id("ranking-chart")).to_be_visible()
    snap(page, "hotline-supervision-ranking")


def test_operator_closes_a_consultation_with_the_answer_the_caller_accepts(staff, snap, stack_url):
    page = staff("operator1")
    page.goto(f"{stack_url}/staff/intake")
    page.get_by_test_id("intake-type-consultation").click()
    page.get_by_test_id("intake-content").fill("来电人问：垃圾分类以后，厨余垃圾该扔哪个桶？")
    pick(page, "f-district", "东城区")
    pick(page, "f-street", "安定门街道")
    page.get_by_test_id("intake-phone").fill(phone())
    answers = page.get_by_test_id("intake-knowledge")
    kitchen = answers.locator("li").filter(has_text="哪些算厨余垃圾")
    expect(kitchen).to_be_visible()

    kitchen.get_by_test_id("intake-kb-accept").click()
    expect(kitchen.get_by_test_id("intake-kb-accept")).to_have_attribute("aria-pressed", "true")
    snap(page, "hotline-intake-answer-accepted")
    page.get_by_test_id("intake-submit").click()

    # Answered on the spot with that answer: no unit, no dispatch.
    receipt = page.get_by_test_id("intake-receipt")
    expect(receipt).to_contain_text("哪些算厨余垃圾")
    order_id = page.get_by_test_id("receipt-id").inner_text().strip()
    order = api(stack_url, "operator1", "GET", f"/work-orders/{order_id}").json()
    assert (order["status"], order["first_receiver"]) == ("answered", None)
    assert order["answer"]["entry"] == "kb-kitchen-waste"


def replied(url: str, content: str) -> tuple[str, str]:
    """A street-lighting request the catalogue sends to 安定门街道, signed for, contacted and replied
    to (the city's lighting centre reporting its part first), through the API."""
    body: dict[str, Any] = {
        "type": "complaint",
        "content": content,
        "category": "street_lighting",
        "location": {"district": "110101", "street": ANDINGMEN, "address": "安定门街道方家胡同"},
        "requester": {"name": "刘先生", "phone": phone(), "kind": "person"},
    }
    receipt = requests.post(f"{url}/api/v1/public/requests", json=body, timeout=30).json()
    order_id = receipt["id"]
    deadline = time.monotonic() + 30
    while (
        api(url, "andingmen.handler", "GET", f"/work-orders/{order_id}").json().get("status") != "dispatched"
    ):
        assert time.monotonic() < deadline, "the order was not dispatched"
        time.sleep(0.3)
    for username, action, step in (
        ("andingmen.handler", "sign", {}),
        ("andingmen.handler", "contact", {"note": "已电话联系"}),
        ("lighting.handler", "assist/report", {"result": "灯具完好，照明时段按规定设置"}),
        ("andingmen.handler", "reply", {"result": "经核实，路灯按规定时段照明", "resolved_claim": True}),
        ("reviewer1", "review", {"decision": "pass"}),  # 办结审核
    ):
        version = api(url, username, "GET", f"/work-orders/{order_id}").json()["version"]
        answer = api(url, username, "POST", f"/work-orders/{order_id}/{action}", {**step, "version": version})
        assert answer.status_code == 200, answer.text
    return order_id, receipt["tracking_code"]


def test_a_dissatisfied_rating_becomes_a_call_back_that_excludes_the_order_from_the_rates(
    page: Page, staff, snap, stack_url
):
    from tests.browser.test_public_form import rate

    # Given an order the street office replied to, rated dissatisfied on the tracking page
    order_id, code = replied(stack_url, "小区路灯晚上十点就熄灭，要求延长照明时间")
    page.goto(f"{stack_url}/track/{order_id}?code={code}")
    rate(page, "已解决", "不满意")
    expect(page.get_by_test_id("order-status")).to_have_text("热线中心回访核实中")
    expect(page.get_by_test_id("revisit")).to_contain_text("热线中心将电话回访核实情况")

    # When the supervisor finds it in the call-back queue and, having called, decides
    supervisor = staff("supervisor1")
    supervisor.goto(f"{stack_url}/staff/supervision")
    supervisor.get_by_test_id("supervision-tab-revisit").click()
    row = supervisor.locator(f'[data-testid=revisit-row][data-order="{order_id}"]')
    expect(row).to_be_visible()
    row.get_by_role("link", name="查看工单").click()
    supervisor.get_by_test_id("action-revisit").click()
    dialog = supervisor.locator(".el-dialog:visible")
    dialog.get_by_test_id("finding-policy").click()
    expect(dialog.get_by_test_id("decision-reopen")).to_have_count(0)  # a policy is not the unit's to redo
    dialog.get_by_test_id("decision-exclude").click()
    dialog.get_by_test_id("field-reason").fill("照明时间按市里统一规定执行，已向诉求人解释")
    snap(supervisor, "hotline-revisit-decision")
    dialog.get_by_test_id("dialog-submit").click()
    expect(dialog).to_have_count(0, timeout=15_000)

    # Then the order is closed out of the unit's rates, the finding and reason on its timeline
    expect(supervisor.get_by_test_id("status")).to_have_text("已办结")
    decided = supervisor.locator('[data-testid=timeline-entry][data-action="revisited"]')
    expect(decided).to_contain_text("评价针对政策规定，非承办单位原因")
    expect(decided).to_contain_text("不计入承办单位考评")
    expect(decided).to_contain_text("照明时间按市里统一规定执行")
    snap(supervisor, "hotline-revisit-excluded")
    assert api(stack_url, "supervisor1", "GET", f"/work-orders/{order_id}").json()["adjudicated_unreasonable"]
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(page.get_by_test_id("order-status")).to_have_text("已办结")
