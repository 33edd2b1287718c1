"""A requester submits the public form, then follows the order to its closure on the tracking page.

Every page is driven at a phone's size (conftest.py). Staff act through the API."""

import re
import struct
import time
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Dialog, FilePayload, Page, expect

from tests.browser.conftest import staff_token

pytestmark = pytest.mark.browser
FRONTEND_SOURCES = Path(__file__).resolve().parents[2] / "frontend" / "src"
BEIJING = timezone(timedelta(hours=8))
ANDINGMEN = "110101004"  # 安定门街道, 东城区
# The codes the tracking page must never show raw: statuses and timeline actions.
RAW_CODES = re.compile(
    r"\b(received|dispatched|redispatched|reassigned|signed|contacted|progress|extended|overdue|replied"
    r"|follow_up_started|follow_up|evaluated|not_evaluated|reopened|closed|in_progress|revisit|revisited)\b"
)


def act(url: str, username: str, order_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
    """One staff action on the order at its current version; answers the staff view after it."""
    headers = {"Authorization": f"Bearer {staff_token(url, username)}"}
    base = f"{url}/api/v1/staff/work-orders/{order_id}"
    version = requests.get(base, headers=headers, timeout=5).json()["version"]
    answer = requests.post(f"{base}/{action}", json={**body, "version": version}, headers=headers, timeout=5)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def dispatch(url: str, order_id: str) -> None:
    """An order submitted without a category reaches the street office: smart dispatch sends a
    clear street-light complaint itself; were it unsure, a dispatcher would."""
    headers = {"Authorization": f"Bearer {staff_token(url, 'dispatcher1')}"}
    base = f"{url}/api/v1/staff/work-orders/{order_id}"
    deadline = time.monotonic() + 15
    while (order := requests.get(base, headers=headers, timeout=5).json())["status"] == "received":
        if time.monotonic() > deadline:
            act(
                url,
                "dispatcher1",
                order_id,
                "dispatch",
                {"units": [ANDINGMEN], "reason": "路灯问题由属地街道办理"},
            )
            return
        time.sleep(0.3)
    assert order["first_receiver"]["id"] == ANDINGMEN


def lighting_reports(url: str, order: dict[str, Any]) -> None:
    """Street lighting is dual dispatch: the city's lighting centre co-handles and reports its part
    before the street office may reply."""
    if any(a["unit"] == "bj-lighting" and a["status"] != "reported" for a in order["assists"]):
        act(url, "lighting.handler", order["id"], "assist/report", {"result": "已检修灯具，更换灯泡"})


def handle(url: str, order_id: str) -> None:
    """The street office signs, contacts the requester and replies (the lighting centre having
    reported its part), through the staff API."""
    act(url, "andingmen.handler", order_id, "sign", {})
    lighting_reports(url, act(url, "andingmen.handler", order_id, "contact", {"note": "已电话联系"}))
    act(
        url,
        "andingmen.handler",
        order_id,
        "reply",
        {"result": "已更换路灯灯泡，恢复照明", "resolved_claim": True},
    )
    act(url, "reviewer1", order_id, "review", {"decision": "pass"})  # 办结审核


def beijing(iso: str) -> str:
    """An instant as the tracking page prints it: yyyy-MM-dd HH:mm, Beijing time."""
    return datetime.fromisoformat(iso).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def pick(page: Page, select_id: str, option: str) -> None:
    page.locator(f"#{select_id}").click()
    page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()


def tiny_png() -> bytes:
    """A real 1 x 1 PNG: the server sniffs what an upload's first bytes are."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x1a\x5f\xb4")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def fill_form(page: Page, *, kind: str, content: str, phone: str) -> None:
    """The required fields, in Chinese (the default language); the place is 安定门街道."""
    page.get_by_text(kind, exact=True).first.click()
    page.locator("#f-content").fill(content)
    pick(page, "f-district", "东城区")
    pick(page, "f-street", "安定门街道")
    page.locator("#f-address").fill("东城区安定门街道方家胡同")
    page.locator("#f-phone").fill(phone)
    page.get_by_text("我已阅读并同意").click()


def submitted(page: Page) -> tuple[str, str]:
    """Sends the form; answers the order number and tracking code the result shows."""
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_test_id("submit-result")).to_be_visible()
    order_id = page.get_by_test_id("order-id").inner_text().strip()
    code = page.get_by_test_id("tracking-code").inner_text().strip()
    assert re.fullmatch(r"\d{13}", order_id) and re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    return order_id, code


def submit_by_api(url: str, content: str, phone: str) -> tuple[str, str]:
    config = requests.get(f"{url}/config.json", timeout=5).json()
    answer = requests.post(
        f"{config['apiUrl']}/public/requests",
        json={
            "type": "help",
            "content": content,
            "category": None,
            "location": {"district": "110101", "street": ANDINGMEN, "address": "东城区安定门街道方家胡同"},
            "requester": {"name": None, "phone": phone, "kind": "person"},
            "confidential": False,
            "attachments": [],
        },
        timeout=5,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"], answer.json()["tracking_code"]


def rate(page: Page, resolved: str, satisfaction: str) -> None:
    form = page.get_by_test_id("evaluation-form")
    form.get_by_text(resolved, exact=True).first.click()
    form.get_by_text(satisfaction, exact=True).first.click()
    form.get_by_role("button", name="提交评价").click()


def until(page: Page, shown: Any, seconds: float = 20) -> None:
    """Brings the tab back into focus (the tracking page then reads the order again) until `shown`."""
    deadline = time.monotonic() + seconds
    while not shown.is_visible():
        assert time.monotonic() < deadline, "the tracking page did not refresh itself"
        page.evaluate("window.dispatchEvent(new Event('focus'))")
        page.wait_for_timeout(300)


def test_submit_with_a_photo_and_track_it_to_closure(page: Page, stack_url: str, shot) -> None:
    # Given the form, filled in, with a photo whose upload completes
    page.goto(stack_url)
    expect(page.locator("html")).to_have_attribute("lang", re.compile("zh"))
    content = "方家胡同的路灯坏了好几天，晚上很黑，老人经常摔跤"
    fill_form(page, kind="投诉", content=content, phone="13800001234")
    photo_file: FilePayload = {"name": "路灯.png", "mimeType": "image/png", "buffer": tiny_png()}
    page.locator("#f-attachments").set_input_files(files=[photo_file])
    photo = page.get_by_test_id("attachment")
    expect(photo).to_contain_text("路灯.png")
    expect(photo.get_by_test_id("attachment-state")).to_have_text("已上传", timeout=10_000)
    expect(photo.locator("progress")).to_have_js_property("value", 100)
    shot("01-form-filled")

    # When it is submitted
    order_id, code = submitted(page)
    expect(page.get_by_test_id("result-next")).to_contain_text("派发给承办单位")
    expect(page.get_by_test_id("track-url")).to_have_text(re.compile(rf"/track/{order_id}\?code={code}$"))
    shot("02-submitted")

    # Then the bookmarkable link opens its tracking page, which names the photo
    page.get_by_test_id("track-url").click()
    # no category given: smart dispatch sends the street-light complaint to the street office itself
    expect(page.get_by_test_id("order-status")).to_have_text(re.compile("已受理|已派单"))
    expect(page.get_by_test_id("order-attachments")).to_contain_text("路灯.png")

    # And it follows the order through dispatch, handling and the reply
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
    expect(page.get_by_test_id("evaluation-form")).to_be_visible(timeout=10_000)
    expect(page.locator(".reply-text")).to_have_text("已更换路灯灯泡，恢复照明")
    for wording in ("受理", "派单", "签收", "联系诉求人", "已电话联系", "答复"):
        expect(timeline).to_contain_text(wording)
    expect(timeline).not_to_contain_text(RAW_CODES)
    shot("04-tracking-replied")

    # And rating it closes it
    rate(page, "已解决", "满意")
    expect(page.get_by_test_id("order-status")).to_have_text("已办结")
    expect(timeline).to_contain_text("诉求人评价")
    expect(timeline).to_contain_text("办结")
    expect(timeline).to_contain_text("已评价")  # the closing event's note is a code, shown translated
    expect(timeline).not_to_contain_text(RAW_CODES)
    expect(page.get_by_test_id("evaluation-form")).to_have_count(0)
    expect(page.get_by_test_id("order-attachments")).to_contain_text("路灯.png")
    shot("05-closed")


def test_an_emergency_is_told_to_call_the_emergency_line(page: Page, stack_url: str, shot) -> None:
    # Given a report of a fire being written
    page.goto(stack_url)
    fill_form(page, kind="举报", content="楼下着火了，浓烟很大", phone="13800002119")

    # Then, before it is submitted, a banner says to call 119 now
    banner = page.get_by_test_id("emergency-banner")
    expect(banner).to_have_attribute("role", "alert")
    expect(banner).to_contain_text("119")
    expect(banner).to_contain_text("火警")
    expect(banner.get_by_role("link", name="119")).to_have_attribute("href", "tel:119")
    banner.scroll_into_view_if_needed()
    shot("07-emergency-banner")

    # When it is submitted anyway, the result says it is not dispatched and to call 119
    submitted(page)
    expect(page.get_by_test_id("result-title")).to_have_text("诉求未派发")
    call = page.get_by_test_id("result-call")
    expect(call).to_contain_text("请立即拨打")
    expect(call.get_by_role("link", name="119")).to_have_attribute("href", "tel:119")
    expect(page.get_by_test_id("result-next")).to_contain_text("紧急事项")
    shot("08-emergency-result")


def test_a_consultation_answered_from_the_knowledge_base_can_still_be_handled(
    page: Page, stack_url: str, shot
) -> None:
    # Given a consultation the knowledge base answers
    page.goto(stack_url)
    fill_form(page, kind="咨询", content="请问北京供暖季是什么时候开始？几号来暖气", phone="13800003456")

    # Then the answers appear while it is written
    answers = page.get_by_test_id("kb-answers")
    expect(answers).to_contain_text("您的问题可能已有答复")
    expect(answers).to_contain_text("北京供暖季是什么时候开始？")
    expect(answers).to_contain_text("北京市城市管理委员会")
    expect(answers.get_by_test_id("kb-still-submit")).to_be_visible()
    answers.scroll_into_view_if_needed()
    shot("09-knowledge-answers")

    # When it is submitted, it is answered on the spot
    order_id, code = submitted(page)
    expect(page.get_by_test_id("result-title")).to_have_text("诉求已答复")
    expect(page.get_by_test_id("direct-answer-text")).to_contain_text("11月15日")
    shot("10-answered")

    # And "I still want this handled" sends it on for dispatch
    page.get_by_test_id("handle-anyway").click()
    expect(page.get_by_test_id("result-title")).to_have_text("诉求已受理")
    expect(page.get_by_test_id("result-next")).to_contain_text("已按您的要求转交办理")
    expect(page.get_by_test_id("result-deadline")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"))
    page.goto(f"{stack_url}/track/{order_id}?code={code}")
    expect(page.get_by_test_id("order-status")).to_have_text("已受理")
    expect(page.get_by_test_id("timeline")).to_contain_text("申请转办")


def test_an_answer_the_requester_accepts_closes_the_consultation_without_dispatch(
    page: Page, stack_url: str, shot
) -> None:
    # Given a garbage-sorting question two entries answer: neither is sure enough on its own
    page.goto(stack_url)
    fill_form(page, kind="咨询", content="垃圾分类以后，厨余垃圾该扔哪个桶？", phone="13800003457")
    answers = page.get_by_test_id("kb-answers")
    kitchen = answers.get_by_test_id("kb-answer").filter(has_text="哪些算厨余垃圾")
    expect(kitchen).to_be_visible()
    expect(kitchen).to_contain_text("依据：北京市人民代表大会常务委员会：《北京市生活垃圾管理条例》")

    # When the requester says this one answers the question, and submits
    kitchen.get_by_test_id("kb-accept").click()
    expect(kitchen.get_by_test_id("kb-accept")).to_have_text("已采用这条答复")
    expect(answers.get_by_test_id("kb-accepted")).to_contain_text("提交后即作为已答复办结")
    shot("11-answer-accepted")
    order_id, code = submitted(page)

    # Then it is answered on the spot with that answer, not dispatched
    expect(page.get_by_test_id("result-title")).to_have_text("诉求已答复")
    expect(page.get_by_test_id("direct-answer-text")).to_contain_text("厨余垃圾")
    page.goto(f"{stack_url}/track/{order_id}?code={code}")
    expect(page.get_by_test_id("order-status")).to_have_text("已直接答复")


def test_a_new_evaluation_after_reopening_starts_afresh(page: Page, stack_url: str, shot) -> None:
    # Given a replied order open on the tracking page
    order_id, code = submit_by_api(stack_url, "小区东门的路灯一直不亮，晚上出行不便", "13800004567")
    dispatch(stack_url, order_id)
    handle(stack_url, order_id)
    page.goto(f"{stack_url}/track/{order_id}?code={code}")
    expect(page.get_by_test_id("evaluation-form")).to_be_visible()

    # When the requester says it is not solved, the hotline's call-back decides to reopen it,
    # and the thanks are shown
    rate(page, "未解决", "不满意")
    expect(page.get_by_test_id("order-status")).to_have_text("热线中心回访核实中")
    revisit = {"finding": "unit_at_fault", "decision": "reopen", "reason": "回访核实：路灯仍不亮"}
    act(stack_url, "supervisor1", order_id, "revisit", revisit)
    until(page, page.get_by_test_id("reopened"))
    expect(page.get_by_test_id("order-status")).to_have_text("退回重办中")
    expect(page.get_by_text("感谢您的评价！")).to_be_visible()
    expect(page.get_by_test_id("evaluation-form")).to_have_count(0)

    # And when the unit replies again while the page stays open
    lighting_reports(
        stack_url, act(stack_url, "andingmen.handler", order_id, "contact", {"note": "再次电话联系"})
    )
    again = {"result": "已重新敷设线路，路灯恢复", "resolved_claim": True}
    act(stack_url, "andingmen.handler", order_id, "reply", again)
    act(stack_url, "reviewer1", order_id, "review", {"decision": "pass"})
    form = page.get_by_test_id("evaluation-form")
    until(page, form)

    # Then the page shows the new reply and a fresh form, without the previous round's thanks
    expect(page.locator(".reply-text")).to_have_text("已重新敷设线路，路灯恢复")
    expect(page.get_by_text("感谢您的评价！")).to_have_count(0)
    expect(form.locator("input[type=radio]:checked")).to_have_count(0)
    shot("11-evaluation-again")
    rate(page, "已解决", "满意")
    expect(page.get_by_test_id("order-status")).to_have_text("已办结")
    expect(page.get_by_text("感谢您的评价！")).to_be_visible()


def test_switching_to_english_keeps_the_page_and_the_form(page: Page, stack_url: str, shot) -> None:
    # Given a half-filled form
    page.goto(stack_url)
    page.get_by_text("投诉", exact=True).first.click()
    page.locator("#f-content").fill("胡同口的井盖松动，车辆经过时响声很大")
    page.locator("#f-phone").fill("13800005555")

    # When the language is switched
    page.get_by_role("button", name="English").click()

    # Then labels are English, the page and what was typed stay, and the document says so
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Submit a request")
    expect(page.get_by_text("Request type", exact=True)).to_be_visible()
    expect(page.get_by_label("Complaint")).to_be_checked()
    expect(page.locator("#f-content")).to_have_value("胡同口的井盖松动，车辆经过时响声很大")
    expect(page.locator("#f-phone")).to_have_value("13800005555")
    expect(page.get_by_test_id("content-count")).to_contain_text("/ 2000 characters")
    expect(page.get_by_label("I have read and agree to the personal-data notice")).not_to_be_checked()
    assert page.url.rstrip("/") == stack_url
    shot("12-english")

    # And the validation messages come in English too
    page.get_by_test_id("submit-request").click()
    expect(page.get_by_text("Please read and agree to the personal-data notice")).to_be_visible()
    expect(page.get_by_label("I have read and agree to the personal-data notice")).to_have_attribute(
        "aria-invalid", "true"
    )

    page.get_by_role("button", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#f-content")).to_have_value("胡同口的井盖松动，车辆经过时响声很大")


def test_html_in_a_request_is_shown_as_text(page: Page, stack_url: str, shot) -> None:
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    markup = "<b>粗体</b><img src=x onerror=alert(1)>"
    content = f"楼道灯不亮{markup}请尽快修理"

    # Given a request whose text holds markup
    page.goto(stack_url)
    fill_form(page, kind="求助", content=content, phone="13800006666")
    order_id, code = submitted(page)

    # When its tracking page shows it
    page.goto(f"{stack_url}/track/{order_id}?code={code}")
    shown = page.get_by_test_id("order-content")

    # Then the markup is literal text: no element made of it, no script run
    expect(shown).to_have_text(content)
    expect(shown.locator("b, img")).to_have_count(0)
    expect(page.locator("img[src=x]")).to_have_count(0)
    page.wait_for_timeout(300)
    assert dialogs == []
    shot("13-markup-as-text")


def test_no_template_renders_text_as_html() -> None:
    """Text from people and from the server is interpolated, never inserted as markup."""
    markup = re.compile(r"v-html|innerHTML|insertAdjacentHTML")
    offenders = [
        str(path.relative_to(FRONTEND_SOURCES))
        for path in FRONTEND_SOURCES.rglob("*")
        if path.suffix in {".vue", ".ts"} and markup.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_phone_number_is_never_shown_in_full(page: Page, stack_url: str) -> None:
    phone = "13912345678"

    # Given a submitted request
    page.goto(stack_url)
    fill_form(page, kind="建议", content="建议在方家胡同口增设一处共享单车停放点", phone=phone)
    order_id, code = submitted(page)

    # Then the result shows the number masked, and nowhere whole
    expect(page.get_by_test_id("result-next")).to_contain_text("139****5678")
    assert phone not in page.content()

    # And the tracking page does not show it either
    page.goto(f"{stack_url}/track/{order_id}?code={code}")
    expect(page.get_by_test_id("order-status")).to_be_visible()
    assert phone not in page.content()


def test_the_developer_docs_load_their_renderer_only_on_their_page(page: Page, stack_url: str, shot) -> None:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))

    # Given the form's page, which loads nothing of the API reference
    page.goto(stack_url)
    expect(page.get_by_test_id("submit-request")).to_be_visible()
    assert not [url for url in fetched if "swagger" in url or "openapi" in url]

    # When the footer link is followed
    page.get_by_test_id("developers-link").click()

    # Then the page renders the deployment's OpenAPI document
    expect(page.get_by_role("heading", level=1)).to_have_text("开发者 API 文档")
    reference = page.get_by_test_id("api-reference")
    expect(reference.locator(".opblock").first).to_be_visible(timeout=20_000)
    expect(reference).to_contain_text("/api/v1/public/requests")
    assert [url for url in fetched if url.endswith("/api/v1/openapi.json")]
    shot("14-developers")


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
    # Two days more, or as much as the tier of the category it was dispatched under allows
    offered = next(a for a in signed["actions"] if a["action"] == "extension")
    new_deadline = min(
        datetime.fromisoformat(signed["deadline"]) + timedelta(days=2),
        datetime.fromisoformat(offered["latest"]),
    )
    act(
        stack_url,
        "andingmen.handler",
        order_id,
        "extension",
        {"reason": reason, "new_deadline": new_deadline.astimezone(BEIJING).isoformat()},
    )
    extended = act(stack_url, "supervisor1", order_id, "extension/decision", {"decision": "approve"})

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


def test_the_form_says_what_is_published_beside_the_confidential_box(
    page: Page, stack_url: str, shot
) -> None:
    # Given the deployment's publication policy (the shipped default: no requester's words)
    policy = requests.get(f"{stack_url}/api/v1/public/publication", timeout=5).json()
    assert policy == {"place": "street", "text": False, "replies": False, "coordinates": False}

    # When a requester opens the form
    page.goto(stack_url)

    # Then the confidential box is described by what is published, in Chinese
    notice = page.get_by_test_id("publication-notice")
    expect(notice).to_have_text(
        "不选保密时，本诉求在政务公开数据接口中只公开诉求类别、所在街道、承办单位、办理状态和时间。"
        "您写的内容、姓名和电话不公开。选择保密的诉求不公开。"
    )
    confidential = page.get_by_label("保密：不向承办单位透露我的身份信息")
    expect(confidential).to_have_attribute("aria-describedby", "publication-notice")
    shot("20-publication")

    # And in English
    page.get_by_role("button", name="English").click()
    expect(notice).to_have_text(
        "Unless you choose confidentiality, the open-data interface publishes only the category, the street, "
        "the handling unit, the status and dates of this request. What you write, your name and your number "
        "are not published. A confidential request is not published."
    )
