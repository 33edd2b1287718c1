"""A street office works an order in the staff portal: inbox, order page, sign, contact, ask for an
extension, reply; a supervisor approves one extension request and refuses another.

Orders are submitted through the public API (the catalogue sends them to 安定门街道 at once); staff
drive the UI at a desk's size (conftest.py `staff`)."""

import random
import re
import time
import uuid
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.conftest import act, staff_token

URGENT = "manhole_cover"  # 2-hour tier: at 3600x the sign-for limit passes in half a second
XINJIEKOU = "110102003"  # 新街口街道, 西城区

pytestmark = pytest.mark.browser
ANDINGMEN = "110101004"  # 安定门街道, 东城区
ADDRESS = "东城区安定门街道方家胡同5号院"
CATEGORY = "owners_committee"  # territorial, 15-day tier: a street office handles it
# Action codes the order page must never show raw.
RAW = re.compile(r"\b(dispatched|signed|contacted|extended|replied|in_progress)\b")


def submit(
    url: str,
    content: str,
    phone: str,
    *,
    confidential: bool = False,
    category: str = CATEGORY,
    street: str = ANDINGMEN,
    address: str = ADDRESS,
) -> str:
    """A request about 安定门街道 whose catalogue category routes it to the street office (a phone
    of its own: the same phone, place and category again would be merged as a repeat). Sent as a
    polite client does: throttled (the public form's per-address limit), it waits as told and
    sends again."""
    for _attempt in range(5):
        answer = _post_request(url, content, phone, confidential, category, street, address)
        if answer.status_code != 429:
            break
        time.sleep(int(answer.headers.get("Retry-After", "1")))
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def _post_request(
    url: str, content: str, phone: str, confidential: bool, category: str, street: str, address: str
) -> requests.Response:
    return requests.post(
        f"{url}/api/v1/public/requests",
        json={
            "type": "complaint",
            "content": content,
            "category": category,
            "location": {"district": street[:6], "street": street, "address": address},
            "requester": {"name": "刘先生", "phone": phone, "kind": "person"},
            "confidential": confidential,
            "attachments": [],
        },
        timeout=30,  # the first request of a fresh stack loads the dispatch model
    )


def a_phone() -> str:
    return f"139{random.randrange(10**8):08d}"


def dispatched(url: str, order_id: str, username: str = "andingmen.handler") -> dict[str, Any]:
    """Waits until the workflow has dispatched the order to the street office."""
    headers = {"Authorization": f"Bearer {staff_token(url, username)}"}
    deadline = time.monotonic() + 15
    while True:
        order: dict[str, Any] = requests.get(
            f"{url}/api/v1/staff/work-orders/{order_id}", headers=headers, timeout=5
        ).json()
        if order.get("status") == "dispatched":
            return order
        assert time.monotonic() < deadline, f"order {order_id} was not dispatched: {order.get('status')}"
        time.sleep(0.3)


def test_a_street_handler_works_an_order_from_the_inbox_to_the_reply(staff, snap, stack_url: str) -> None:
    token = uuid.uuid4().hex[:8]
    phone = a_phone()
    order_id = submit(stack_url, f"小区业主委员会换届选举不公开，居民不知情 {token}", phone)
    dispatched(stack_url, order_id)

    # The handler's inbox lists it, found by a keyword kept in the URL, with a countdown
    page = staff("andingmen.handler")
    expect(page).to_have_url(re.compile(r"/staff/inbox$"))
    page.get_by_test_id("filter-q").fill(token)
    page.get_by_test_id("filter-search").click()
    expect(page).to_have_url(re.compile(rf"/staff/inbox\?q={token}$"))
    row = page.locator(".el-table__row", has_text=order_id)
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("status")).to_have_text("已派单")
    countdown = row.get_by_test_id("countdown")
    expect(countdown).to_contain_text(re.compile(r"剩余 \d+ 天 \d+ 小时"))
    snap(page, "staff-inbox")

    # Opening it shows the order and only the actions the status allows
    row.get_by_test_id("order-link").click()
    expect(page).to_have_url(re.compile(rf"/staff/orders/{order_id}$"))
    status = page.get_by_test_id("order-status")
    timeline = page.get_by_test_id("timeline")
    expect(status).to_have_text("已派单")
    expect(page.get_by_test_id("first-receiver")).to_have_text("安定门街道")
    expect(page.get_by_test_id("copied-to")).to_contain_text("东城区")
    expect(page.get_by_test_id("deadline").get_by_test_id("countdown")).to_contain_text("剩余")
    expect(page.get_by_test_id("requester-phone")).to_contain_text(phone)
    expect(timeline).to_contain_text("派单")
    expect(page.get_by_test_id("action-sign")).to_be_visible()
    expect(page.get_by_test_id("action-objection")).to_be_visible()
    for hidden in ("contact", "reply", "extension", "dispatch", "urge"):
        expect(page.get_by_test_id(f"action-{hidden}")).to_have_count(0)

    # Sign for it
    act(page, "sign")
    expect(status).to_have_text("已签收")
    expect(timeline.locator("[data-action=signed]")).to_contain_text("签收")
    expect(page.get_by_test_id("action-sign")).to_have_count(0)

    # Contact the requester
    act(page, "contact", {"field-note": "已电话联系刘先生，约定明日上午现场了解情况"})
    expect(status).to_have_text("办理中")
    contacted = timeline.locator("[data-action=contacted]")
    expect(contacted).to_contain_text("联系诉求人")
    expect(contacted).to_contain_text("约定明日上午现场了解情况")
    expect(contacted.get_by_test_id("code-note")).to_contain_text(re.compile(r"内部\s*响应用时 \d+ 分钟"))

    # An extension with no reason is refused in the dialog, then asked with one (3 days by default)
    page.get_by_test_id("action-extension").click()
    dialog = page.locator(".el-dialog:visible")
    dialog.get_by_test_id("dialog-submit").click()
    expect(dialog.locator(".el-form-item__error")).to_contain_text("请填写延期理由")
    dialog.get_by_test_id("field-reason").fill("需召开业主大会重新公示，所需时间较长")
    dialog.get_by_test_id("field-reason").blur()
    expect(dialog.locator(".el-form-item__error")).to_have_count(0)
    dialog.get_by_test_id("dialog-submit").click()
    expect(page.locator(".el-dialog:visible")).to_have_count(0)
    # The request waits for a supervisor; the deadline stands until then
    expect(page.get_by_test_id("extension-requests")).to_contain_text("需召开业主大会重新公示")
    expect(page.get_by_test_id("extension-requests")).to_contain_text("待审批")
    expect(timeline.locator("[data-action=extension_requested]")).to_contain_text("申请延期")
    expect(page.get_by_test_id("hint-extensionPending")).to_be_visible()
    expect(status).to_have_text("办理中")
    snap(page, "staff-order-in-progress")

    # Reply
    result = "已督促业委会重新公示换届选举程序，居民均已知情"
    act(page, "reply", {"field-result": result}, click=("resolved-yes",))
    # The reply waits for the hotline's review (办结审核) before the requester sees it
    expect(status).to_have_text("待审核")
    expect(timeline.locator("[data-action=reply_submitted]")).to_contain_text("已督促业委会重新公示")
    expect(page.get_by_test_id("reply")).to_contain_text("居民均已知情")
    expect(page.get_by_test_id("action-reply")).to_have_count(0)
    expect(page.get_by_test_id("no-actions")).to_be_visible()
    expect(timeline).not_to_contain_text(RAW)
    snap(page, "staff-order-replied")

    # Another street's handler is told there is no such order
    other = staff("jiaodaokou.handler")
    other.goto(f"{stack_url}/staff/orders/{order_id}")
    expect(other.get_by_test_id("order-not-found")).to_be_visible()
    expect(other.get_by_test_id("order-status")).to_have_count(0)


def test_a_confidential_requester_is_masked_for_the_unit(staff, snap, stack_url: str) -> None:
    phone = a_phone()
    order_id = submit(stack_url, f"举报小区物业挪用公共收益 {uuid.uuid4().hex[:8]}", phone, confidential=True)
    dispatched(stack_url, order_id)

    page = staff("andingmen.handler")
    page.goto(f"{stack_url}/staff/orders/{order_id}")
    expect(page.get_by_test_id("confidential")).to_be_visible()
    expect(page.get_by_test_id("requester-masked")).to_be_visible()
    expect(page.get_by_test_id("requester-phone")).to_have_text("已保密")
    expect(page.get_by_test_id("requester-name")).to_have_text("已保密")
    expect(page.locator("body")).not_to_contain_text(phone)
    expect(page.locator("body")).not_to_contain_text("刘先生")
    snap(page, "staff-order-confidential")


def test_a_change_made_elsewhere_meanwhile_is_explained_in_the_portals_language(
    staff, snap, stack_url: str
) -> None:
    order_id = submit(stack_url, f"小区业委会账目不公开，请求街道督促 {uuid.uuid4().hex[:8]}", a_phone())
    order = dispatched(stack_url, order_id)
    page = staff("andingmen.handler")
    page.goto(f"{stack_url}/staff/orders/{order_id}")
    expect(page.get_by_test_id("order-status")).to_have_text("已派单")

    # A colleague signs it from another screen while this one still shows it unsigned.
    headers = {"Authorization": f"Bearer {staff_token(stack_url, 'andingmen.leader')}"}
    signed = requests.post(
        f"{stack_url}/api/v1/staff/work-orders/{order_id}/sign",
        json={"version": order["version"]},
        headers=headers,
        timeout=5,
    )
    assert signed.status_code == 200, signed.text
    page.get_by_test_id("action-sign").click()
    page.locator(".el-dialog:visible").get_by_test_id("dialog-submit").click()

    # The server's English sentence is not shown in the Chinese portal: the code's own is.
    message = page.locator(".el-message--error")
    expect(message).to_contain_text("请刷新")
    expect(message).not_to_contain_text(re.compile("[A-Za-z]{4,}"))
    expect(page.get_by_test_id("order-status")).to_have_text("已签收")  # the page read it again
    # The dialog stays, saying why it can no longer be sent, instead of vanishing
    gone = page.locator(".el-dialog:visible").get_by_test_id("dialog-gone")
    expect(gone).to_contain_text("已签收")
    expect(page.locator(".el-dialog:visible").get_by_test_id("dialog-submit")).to_be_disabled()
    snap(page, "staff-order-conflict")


def read_again(page: Page) -> None:
    """The order page reads the order again, as when its tab comes back into view (it also polls)."""
    with page.expect_response(re.compile(r"/staff/work-orders/\d+$")):
        page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")


def test_an_open_dialog_keeps_what_was_entered_when_the_order_changes_behind_it(
    staff, snap, stack_url: str
) -> None:
    order_id = submit(stack_url, f"小区业委会账目不公开，请求街道督促 {uuid.uuid4().hex[:8]}", a_phone())
    order = dispatched(stack_url, order_id)
    staff_call(
        stack_url, "andingmen.handler", "POST", f"/work-orders/{order_id}/sign", {"version": order["version"]}
    )
    page = staff("andingmen.handler")
    page.goto(f"{stack_url}/staff/orders/{order_id}")
    expect(page.get_by_test_id("order-status")).to_have_text("已签收")
    dialog = page.locator(".el-dialog:visible")

    # The handler writes an objection while a colleague records the call to the requester
    page.get_by_test_id("action-objection").click()
    dialog.get_by_test_id("grounds-jurisdiction").click()
    dialog.get_by_test_id("field-reason").fill("方家胡同属于交道口街道辖区")
    version = staff_call(stack_url, "andingmen.handler", "GET", f"/work-orders/{order_id}")["version"]
    staff_call(
        stack_url, "andingmen.leader", "POST", f"/work-orders/{order_id}/contact", {"version": version}
    )
    read_again(page)

    # The page shows the order in progress; the dialog keeps the reason and says it cannot be sent
    expect(page.get_by_test_id("order-status")).to_have_text("办理中")
    expect(dialog.get_by_test_id("field-reason")).to_have_value("方家胡同属于交道口街道辖区")
    expect(dialog.get_by_test_id("dialog-gone")).to_contain_text("办理中")
    expect(dialog.get_by_test_id("dialog-submit")).to_be_disabled()
    snap(page, "staff-order-dialog-gone")
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_have_count(0)

    # A unit picked for assistance stays picked while the order changes and is read again
    page.get_by_test_id("action-assists").click()
    units = dialog.get_by_test_id("field-units")
    units.click()
    page.locator(".el-select-dropdown__item:visible", has_text="东城区住房和城乡建设委员会").first.click()
    expect(units).to_contain_text("东城区住房和城乡建设委员会")
    dialog.locator(".el-dialog__header").click()  # a multiple select stays open: close it
    version = staff_call(stack_url, "andingmen.handler", "GET", f"/work-orders/{order_id}")["version"]
    staff_call(
        stack_url,
        "andingmen.leader",
        "POST",
        f"/work-orders/{order_id}/progress",
        {"version": version, "note": "已约谈业委会"},
    )
    read_again(page)
    expect(page.get_by_test_id("timeline").locator("[data-action=progress]")).to_have_count(1)
    expect(units).to_contain_text("东城区住房和城乡建设委员会")
    expect(dialog.get_by_test_id("dialog-gone")).to_have_count(0)

    # Sent, it goes with the order as read last: no conflict, the unit assists
    dialog.get_by_test_id("dialog-submit").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("assisting")).to_contain_text("东城区住房和城乡建设委员会")


def staff_call(url: str, username: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    headers = {"Authorization": f"Bearer {staff_token(url, username)}"}
    answer = requests.request(method, f"{url}/api/v1/staff{path}", json=body, headers=headers, timeout=10)
    assert answer.ok, answer.text
    return answer.json()


def handled(url: str, order_id: str) -> None:
    """The street office signs, contacts and replies (retrying when the workflow wrote meanwhile)."""
    steps: tuple[tuple[str, dict[str, Any]], ...] = (
        ("sign", {}),
        ("contact", {}),
        ("reply", {"result": "已督促业委会公开", "resolved_claim": True}),
    )
    for action, body in steps:
        for _ in range(5):
            version = staff_call(url, "andingmen.handler", "GET", f"/work-orders/{order_id}")["version"]
            headers = {"Authorization": f"Bearer {staff_token(url, 'andingmen.handler')}"}
            answer = requests.post(
                f"{url}/api/v1/staff/work-orders/{order_id}/{action}",
                json={"version": version, **body},
                headers=headers,
                timeout=5,
            )
            if answer.status_code != 409:
                break
        assert answer.ok, answer.text


def test_the_inbox_flags_missed_limits_and_keeps_finished_work_apart(staff, snap, stack_url: str) -> None:
    token = uuid.uuid4().hex[:8]
    late = submit(stack_url, f"井盖缺失，路口行人容易踩空 {token}", a_phone(), category=URGENT)
    done = submit(stack_url, f"小区业委会账目不公开 {token}", a_phone())
    dispatched(stack_url, late)
    dispatched(stack_url, done)
    handled(stack_url, done)

    page = staff("andingmen.handler")
    page.goto(f"{stack_url}/staff/inbox?q={token}")
    # Open work (待办) by default: the urgent order, with the limits its unit missed.
    row = page.locator(".el-table__row", has_text=late)
    expect(row.get_by_test_id("flag-sign-missed")).to_have_text("超时未签收", timeout=15_000)
    expect(row.get_by_test_id("flag-contact-missed")).to_have_text("超时未联系")
    expect(page.locator(".el-table__row", has_text=done)).to_have_count(0)
    snap(page, "staff-inbox-missed-limits")

    # Finished work (已办): the replied order, and not the open one.
    page.get_by_test_id("state-finished").click()
    expect(page).to_have_url(re.compile(r"state=finished"))
    expect(page.locator(".el-table__row", has_text=done)).to_have_count(1)
    expect(page.locator(".el-table__row", has_text=late)).to_have_count(0)
    # Replied: the reply waits for the hotline's review (办结审核).
    status = page.locator(".el-table__row", has_text=done).get_by_test_id("status")
    expect(status).to_have_text("待审核")


def test_the_overdue_board_sorts_by_lateness_filters_and_exports(
    staff, snap, stack_url: str, tmp_path
) -> None:
    from openpyxl import load_workbook

    token = uuid.uuid4().hex[:8]
    first = submit(stack_url, f"井盖缺失一处 {token}", a_phone(), category=URGENT)
    dispatched(stack_url, first)
    xicheng = submit(
        stack_url,
        f"井盖缺失两处 {token}",
        a_phone(),
        category=URGENT,
        street=XINJIEKOU,
        address="西城区新街口街道",
    )
    dispatched(stack_url, xicheng, "supervisor1")
    second = submit(stack_url, f"井盖缺失三处 {token}", a_phone(), category=URGENT)
    dispatched(stack_url, second)
    deadline = time.monotonic() + 30
    while not all(
        staff_call(stack_url, "supervisor1", "GET", f"/work-orders/{i}")["overdue"]
        for i in (first, xicheng, second)
    ):
        assert time.monotonic() < deadline, "the orders did not become overdue"
        time.sleep(0.5)

    page = staff("supervisor1")
    page.goto(f"{stack_url}/staff/supervision")
    rows = page.get_by_test_id("overdue-row")
    expect(rows.filter(has_text=second)).to_have_count(1, timeout=15_000)
    shown = [r.get_attribute("data-order") for r in rows.all()]
    # Most overdue first: the earliest deadline leads.
    assert shown.index(first) < shown.index(xicheng) < shown.index(second)
    expect(rows.filter(has_text=first).get_by_test_id("countdown")).to_contain_text("超期")

    # By district: 西城区 only.
    page.get_by_test_id("filter-district").click()
    page.locator(".el-select-dropdown__item:visible", has_text="西城区").first.click()
    expect(page).to_have_url(re.compile(r"district=110102"))
    expect(rows.filter(has_text=xicheng)).to_have_count(1)
    expect(rows.filter(has_text=first)).to_have_count(0)
    snap(page, "staff-overdue-by-district")

    # By unit: 安定门街道 only (the district filter cleared).
    page.goto(f"{stack_url}/staff/supervision?unit={ANDINGMEN}")
    expect(rows.filter(has_text=first)).to_have_count(1)
    expect(rows.filter(has_text=xicheng)).to_have_count(0)
    listed = [r.get_attribute("data-order") for r in rows.all()]
    assert listed.index(first) < listed.index(second)

    # The board as Excel: the file downloads with the rows as listed.
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    file = download.value
    assert file.suggested_filename.startswith("超期工单-") and file.suggested_filename.endswith(".xlsx")
    saved = tmp_path / "board.xlsx"
    file.save_as(saved)
    sheet = load_workbook(saved, read_only=True).worksheets[0]
    exported = list(sheet.iter_rows(values_only=True))
    assert exported[0][0] == "工单编号"
    ids = [row[0] for row in exported[1:]]
    assert ids[: len(listed)] == listed and first in ids and xicheng not in ids
    expect(page.get_by_test_id("export-done")).to_contain_text(f"已导出 {len(ids)} 行")
    snap(page, "staff-overdue-export")


def test_the_operator_sees_the_callers_history_and_the_street_signs_five_orders_at_once(
    staff, snap, stack_url: str
) -> None:
    token = uuid.uuid4().hex[:8]
    caller = a_phone()
    earlier = submit(stack_url, "胡同口垃圾桶满了好几天没人清运", caller, category="garbage_collection")
    # Five orders for the street, the first from the same caller (another matter: not a repeat).
    five = [
        submit(stack_url, f"业委会换届不公开 {token} 之{i}", caller if i == 0 else a_phone())
        for i in range(5)
    ]
    for order_id in five:
        dispatched(stack_url, order_id)

    # 来电历史: the operator enters the caller's number and sees both earlier orders, newest first.
    page = staff("operator1")
    page.goto(f"{stack_url}/staff/intake")
    page.get_by_test_id("intake-phone").fill(caller)
    history = page.get_by_test_id("caller-history").get_by_test_id("caller-history-order")
    expect(history).to_have_count(2)
    expect(history.nth(0)).to_have_attribute("data-order", five[0])
    expect(history.nth(1)).to_have_attribute("data-order", earlier)
    expect(history.nth(1)).to_contain_text("垃圾清运")
    snap(page, "hotline-caller-history")

    # 批量签收: the street ticks its five orders; one was signed for elsewhere after the list was read.
    page = staff("andingmen.handler")
    page.goto(f"{stack_url}/staff/inbox?q={token}")
    rows = page.locator(".el-table__row")
    expect(rows).to_have_count(5)
    expect(page.get_by_test_id("batch-run")).to_be_disabled()
    taken = five[4]
    version = staff_call(stack_url, "andingmen.handler", "GET", f"/work-orders/{taken}")["version"]
    staff_call(stack_url, "andingmen.handler", "POST", f"/work-orders/{taken}/sign", {"version": version})
    page.get_by_test_id("batch-select-all").click()
    expect(page.get_by_test_id("batch-bar")).to_contain_text("已选 5 件")
    page.get_by_test_id("batch-run").click()

    # Each order is reported: four signed, the fifth refused with the reason in Chinese.
    results = page.get_by_test_id("batch-results")
    expect(results.get_by_test_id("batch-summary")).to_have_text("成功 4 件，未成功 1 件。")
    reported = results.get_by_test_id("batch-result")
    expect(reported).to_have_count(5)
    for order_id in five[:4]:
        expect(reported.filter(has_text=order_id)).to_contain_text("已完成")
    expect(reported.filter(has_text=taken)).to_contain_text("内容已被他人修改")
    snap(page, "staff-inbox-batch-sign")
    results.get_by_test_id("batch-results-close").click()
    for order_id in five:
        expect(rows.filter(has_text=order_id).get_by_test_id("status")).to_have_text("已签收")


def test_a_supervisor_approves_one_extension_and_refuses_another(staff, snap, stack_url: str) -> None:
    # Given two signed orders of the street office (15-day tier: one extension of up to 15 days)
    token = uuid.uuid4().hex[:8]
    handler = {"Authorization": f"Bearer {staff_token(stack_url, 'andingmen.handler')}"}
    ids = [submit(stack_url, f"小区业委会换届公示不到位 {token} {n}", a_phone()) for n in (1, 2)]
    for order_id in ids:
        version = dispatched(stack_url, order_id)["version"]
        signed = requests.post(
            f"{stack_url}/api/v1/staff/work-orders/{order_id}/sign",
            json={"version": version},
            headers=handler,
        )
        assert signed.status_code == 200, signed.text
    approved_id, refused_id = ids

    # The handler asks for the first in the portal, and for the second too
    page = staff("andingmen.handler")
    for order_id, reason in ((approved_id, "需召开业主大会重新公示，所需时间较长"), (refused_id, "人手不足")):
        page.goto(f"{stack_url}/staff/orders/{order_id}")
        act(page, "extension", {"field-reason": reason})
        expect(page.get_by_test_id("extension-requests")).to_contain_text("待审批")
    deadline = requests.get(f"{stack_url}/api/v1/staff/work-orders/{refused_id}", headers=handler).json()[
        "deadline"
    ]

    # The supervisor finds both in the queue of 延期审批 and approves the first
    boss = staff("supervisor1")
    boss.goto(f"{stack_url}/staff/supervision?tab=extensions")
    for order_id in ids:
        expect(boss.locator(f"[data-testid=extension-row][data-order='{order_id}']")).to_have_count(1)
    boss.locator(f"[data-testid=extension-row][data-order='{approved_id}'] a.open").click()
    expect(boss).to_have_url(re.compile(rf"/staff/orders/{approved_id}$"))
    act(boss, "extension-decision", click=("decision-approve",))
    expect(boss.get_by_test_id("extensions")).to_contain_text("需召开业主大会重新公示")
    expect(boss.get_by_test_id("extension-requests")).to_contain_text("已批准")
    expect(boss.get_by_test_id("timeline").locator("[data-action=extended]")).to_contain_text("延期")
    snap(boss, "staff-extension-approved")

    # ... and refuses the second with a reason, which its unit reads; its deadline stands
    boss.goto(f"{stack_url}/staff/orders/{refused_id}")
    act(
        boss,
        "extension-decision",
        {"field-reason": "业委会换届属日常工作，请按期办结"},
        click=("decision-refuse",),
    )
    expect(boss.get_by_test_id("extension-requests")).to_contain_text("未批准")
    page.goto(f"{stack_url}/staff/orders/{refused_id}")
    refusal = page.get_by_test_id("timeline").locator("[data-action=extension_refused]")
    expect(refusal).to_contain_text("不予延期")
    expect(refusal).to_contain_text("业委会换届属日常工作，请按期办结")
    assert (
        requests.get(f"{stack_url}/api/v1/staff/work-orders/{refused_id}", headers=handler).json()["deadline"]
        == deadline
    )
    expect(page.get_by_test_id("action-extension")).to_be_visible()  # it may ask again
    boss.goto(f"{stack_url}/staff/supervision?tab=extensions")
    expect(boss.get_by_test_id("supervision-tab-extensions")).to_be_visible()
    for order_id in ids:
        expect(boss.locator(f"[data-testid=extension-row][data-order='{order_id}']")).to_have_count(0)
    snap(page, "staff-extension-refused")
