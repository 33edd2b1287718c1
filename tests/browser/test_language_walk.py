"""Every word a Chinese user reads is Chinese: the portal's pages of every role, walked in zh-CN
after real orders went through dispatch, a missed sign-for limit, signing, contact, a reply, a
reminder and an overdue deadline, fail on any Latin word but codes a person expects to see."""

import random
import re
import time
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.conftest import STAFF_PASSWORD, signs_in_again, staff_token

pytestmark = pytest.mark.browser

# 3600x: the 24-hour tier of 垃圾清运 and 路灯照明 runs out in 24 s, its sign-for limit (2 h) in 2 s.
TIME_SCALE = 3600

# Latin a Chinese reader expects: names of standards and file types, and the portal's brand of API.
ALLOWED = {
    "English",
    "MB",
    "KB",
    "GB",
    "Open311",
    "OpenAPI",
    "API",
    "Excel",
    "PDF",
    "JSON",
    "XML",
    "ID",
    "GeoReport",
    "v2",
    "URL",
    "SMS",
}
# E-mail addresses; the other codes a person reads as codes (usernames, tracking codes, unit and
# category codes) are collected from the stack itself.
CODE = re.compile(r"^[\w.+-]+@[\w.-]+$")
# A word with a Latin letter in it, digits and joiners included ("110101-housing", "kb-gas-leak").
LATIN = re.compile(r"[A-Za-z0-9_.@+-]*[A-Za-z][A-Za-z0-9_.@+-]*")


def latin_words(text: str, codes: set[str]) -> set[str]:
    """Each Latin word of `text` that is not an expected code, with the words around it."""
    found = set()
    for match in LATIN.finditer(text):
        word = match.group().strip(".-")
        if word in ALLOWED or word in codes or CODE.match(word):
            continue
        found.add(f"{word} «{text[max(0, match.start() - 15) : match.end() + 15]}»".replace("\n", " "))
    return found


class Api:
    def __init__(self, url: str, username: str | None = None) -> None:
        self.url = f"{url}/api/v1"
        self.headers = {"authorization": f"Bearer {staff_token(url, username)}"} if username else {}

    def call(self, method: str, path: str, body: Any = None) -> Any:
        answer = requests.request(method, f"{self.url}{path}", json=body, headers=self.headers, timeout=20)
        assert answer.ok, f"{method} {path}: {answer.status_code} {answer.text[:300]}"
        return answer.json()

    def order(self, order_id: str) -> Any:
        return self.call("GET", f"/staff/work-orders/{order_id}")

    def act(self, order_id: str, action: str, **body: Any) -> Any:
        version = self.order(order_id)["version"]
        return self.call("POST", f"/staff/work-orders/{order_id}/{action}", {"version": version, **body})


def submit(api: Api, content: str, category: str | None, kind: str = "complaint") -> Any:
    return api.call(
        "POST",
        "/public/requests",
        {
            "type": kind,
            "content": content,
            "category": category,
            "location": {"district": "110101", "street": "110101004", "address": "东城区安定门街道方家胡同"},
            "requester": {"name": "刘先生", "phone": f"138{random.randrange(10**8):08d}", "kind": "person"},
        },
    )


def until(predicate, what: str, seconds: float = 40) -> Any:
    deadline = time.monotonic() + seconds
    while not (found := predicate()):
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.3)
    return found


def actions(order: Any) -> list[str]:
    return [e["action"] for e in order["timeline"]]


def sign_in(page: Page, url: str, username: str) -> None:
    """Signed in, and again after every address typed in: the portal keeps its tokens in the
    page's memory only (tests/browser/conftest.py, signs_in_again)."""
    page.goto(f"{url}/staff/sign-in")
    page.locator("#username").fill(username)
    page.locator("#password").fill(STAFF_PASSWORD)
    page.get_by_test_id("sign-in").click()
    page.get_by_test_id("staff-user").wait_for()
    signs_in_again(page, username)


# What shows that a page's data is there, where an empty page would pass for a loaded one.
READY = {
    # the summaries name units once the unit list is in
    "/staff/admin/audit": "[data-testid=audit-summary]:has-text('安定门街道')",
    "orders": "[data-testid=timeline-entry]",
}


def shown(page: Page, url: str, ready: str = "main") -> str:
    """The page's words once its data is shown (nothing still loading)."""
    page.goto(url)
    page.locator(ready).first.wait_for()
    page.wait_for_load_state("load")
    expect(page.locator("[aria-busy=true], .el-loading-mask:visible")).to_have_count(0)
    return page.locator("body").inner_text()


def test_every_page_of_every_role_reads_in_chinese(browser, stack_url):
    public = Api(stack_url)
    handler, admin = Api(stack_url, "andingmen.handler"), Api(stack_url, "admin1")
    token = f"{random.randrange(10**6):06d}"

    # Given an order that will be handled: dispatched to the street, signed for after its sign-for
    # limit, the requester contacted, a reply given
    handled = submit(public, f"方家胡同垃圾桶满了好几天没人清运 {token}", "garbage_collection")
    # and one left alone, dispatched to the street and the lighting centre: reminded, then overdue
    left = submit(public, f"胡同口路灯一直闪烁，晚上很晃眼 {token}", "street_lighting")
    # and an emergency, which is not dispatched
    fire = submit(public, "楼下饭馆着火了，烟很大，快来人", None, "help")
    until(lambda: "sign_overdue" in actions(handler.order(handled["id"])), "the sign-for limit passes")
    handler.act(handled["id"], "sign")
    handler.act(handled["id"], "contact", note="已电话联系诉求人，约定今晚查看")
    handler.act(handled["id"], "reply", result="已更换灯泡，路灯恢复照明", resolved_claim=True)
    # and an administrator's change in the audit trail
    account = {"username": f"walk.{token}", "roles": ["handler"], "unit": "110101004"}
    admin.call("POST", "/staff/users", account)

    # Codes a person expects to read as they are, and the Latin the city's own data holds (the
    # catalogue speaks of KTV, ETC and APP as Beijing does)
    categories = admin.call("GET", "/staff/catalogue")["items"]
    codes = {c["code"] for c in categories}
    data = " ".join(f"{c['name']} {c['description']} {' '.join(c['keywords'])}" for c in categories)
    codes |= set(LATIN.findall(data))
    codes |= {u["id"] for u in admin.call("GET", "/staff/units")["items"]}
    codes |= {u["username"] for u in admin.call("GET", "/staff/users?limit=60")["items"]}
    codes |= {k["id"] for k in admin.call("GET", "/staff/knowledge")["items"]}
    codes |= {p["id"] for p in admin.call("GET", "/staff/partners")["items"]}
    for client in admin.call("GET", "/staff/api-clients")["items"]:
        codes |= {v for v in client.values() if isinstance(v, str) and v.isascii()}
    codes |= {handled["tracking_code"], left["tracking_code"], fire["tracking_code"]}
    codes |= {"api_key", "beijing-city-app"}  # the Open311 parameter, and the example of a client id

    pages: dict[str, list[str]] = {
        "": [
            "/",
            "/track",
            f"/track/{handled['id']}?code={handled['tracking_code']}",
            f"/track/{fire['id']}?code={fire['tracking_code']}",
        ],
        "admin1": [
            "/staff/admin/users",
            "/staff/admin/units",
            "/staff/admin/catalogue",
            "/staff/admin/time-limits",
            "/staff/admin/knowledge",
            "/staff/admin/keys",
            "/staff/admin/audit",
        ],
        "analyst1": [
            "/staff/analytics/topics",
            "/staff/analytics/trends",
            "/staff/analytics/rankings",
            "/staff/analytics/briefing",
            "/staff/analytics/models",
        ],
        "operator1": ["/staff/intake", "/staff/orders", f"/staff/orders/{fire['id']}"],
        "dispatcher1": ["/staff/dispatch", "/staff/supervision", f"/staff/orders/{handled['id']}"],
        "andingmen.handler": [
            "/staff/inbox",
            "/staff/whistles",
            f"/staff/orders/{handled['id']}",
            f"/staff/orders/{left['id']}",
        ],
        "supervisor1": ["/staff/supervision", "/staff/admin/audit", f"/staff/orders/{left['id']}"],
        "assessor1": ["/staff/appeals"],
    }
    codes |= {f"walk.{token}", *(u for u in pages if u)}
    texts: dict[str, str] = {}
    # Every role signs in in a context of its own and reads its pages one after the other; the
    # pages of the order left alone are read last, once it is overdue.
    desk = {"width": 1366, "height": 900}
    contexts = {u: browser.new_context(viewport=desk, locale="zh-CN") for u in pages}
    tabs = {u: c.new_page() for u, c in contexts.items()}
    for username, page in tabs.items():
        if username:
            sign_in(page, stack_url, username)
    visits = [(u, p) for u, paths in pages.items() for p in paths]
    visits.sort(key=lambda visit: left["id"] in visit[1])
    for username, path in visits:
        if left["id"] in path:
            until(lambda: "overdue" in actions(handler.order(left["id"])), "the deadline passes", 40)
        ready = READY.get(
            path,
            READY["orders"]
            if path.startswith("/staff/orders/")
            else "[data-testid=order-status]"
            if path.startswith("/track/")
            else "main",
        )
        texts[f"{username} {path}"] = shown(tabs[username], f"{stack_url}{path}", ready)
    for context in contexts.values():
        context.close()
    found = {key: words for key, text in texts.items() if (words := latin_words(text, codes))}

    # Then no page has a Latin word but the codes a person expects
    assert found == {}
    # and the system's own words were there, in Chinese
    overdue = texts[f"supervisor1 /staff/orders/{left['id']}"]
    assert "未在签收时限内签收，已告知单位负责人" in overdue
    assert "办理时限已过去 50%" in overdue
    assert "已逾期，已告知单位负责人和热线督办员" in overdue
    assert "双派单：安定门街道牵头办理，北京市城市照明管理中心协办" in overdue
    worked = texts[f"andingmen.handler /staff/orders/{handled['id']}"]
    assert "属地派单：派至诉求地所在街道（乡镇）安定门街道，抄送所在区" in worked
    assert re.search(r"响应用时 \d+ 分钟", worked)
    assert "超过签收时限后签收" in worked
    assert "请立即拨打119" in texts[f" /track/{fire['id']}?code={fire['tracking_code']}"]
    audit = texts["admin1 /staff/admin/audit"]
    assert "创建用户" in audit
    assert "角色：承办人；所属单位：安定门街道" in audit
