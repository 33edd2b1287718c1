"""What a hostile name or an injected script can do in the staff portal: nothing.

Every chart is drawn with the names of units, streets, districts, categories, topics and models
replaced by markup that would run a script if it ever became HTML; the mouse passes over every
chart so that each tooltip opens. The pages are loaded without their CSP (bypass_csp), so that
what is tested is the portal's own rendering, not the policy that would also stop it.

The staff tokens stay in the page's memory: nothing a script reads (storage, cookies, globals)
holds them, and a reload asks to sign in again and returns to the page."""

import json
import re
import time
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, Route, expect

from infra.local.analytics import RunningStack, history
from tests.browser.conftest import sign_in, staff_token
from tests.browser.test_staff_analytics import api

pytestmark = pytest.mark.browser

MONTH = "2026-10"
NEXT_MONTH = "2026-11"
HOSTILE = '<img src=x onerror="window.__pwned=1" data-hostile="1">'
# Fields that carry a name someone typed: units, streets, districts, categories, topics.
NAMED = ("name", "district_name", "category_name", "title")
# A model's version names it on the model chart; `serving` is the serving model's version.
VERSIONS = ("version", "serving")
# A chart waits for its API answer and its lazily loaded code; a loaded machine takes a while.
CHART_TIMEOUT = 20_000
JWT = re.compile(r"eyJ[\w-]+\.eyJ[\w-]+")


def hostile(value: Any) -> Any:
    """The API's answer with every name made hostile (the same way everywhere, so that what was
    equal stays equal), and every adopted topic given a month of progress to chart."""
    if isinstance(value, list):
        return [hostile(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {
        k: (f"{v}{HOSTILE}" if isinstance(v, str) and k in NAMED + VERSIONS else hostile(v))
        for k, v in value.items()
    }
    if "progress" in out and "baseline_orders" in out and not out["progress"]:
        out["progress"] = [{"month": NEXT_MONTH, "orders": out["baseline_orders"] + 3}]
    return out


def make_names_hostile(page: Page) -> None:
    def answer(route: Route) -> None:
        if route.request.method != "GET":
            route.continue_()
            return
        response = route.fetch()
        route.fulfill(response=response, json=hostile(response.json()))

    page.route("**/api/v1/staff/analytics/**", answer)


def pass_over(page: Page, chart: Locator, read: bool = False) -> str:
    """Moves the mouse over the whole chart, row by row, so that every tooltip opens; with `read`,
    returns all the text the chart showed on the way (an SVG chart draws its tooltip as text in
    itself)."""
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box, "the chart is not on the page"
    seen = []
    for row in range(1, 7):
        for column in range(1, 13):
            page.mouse.move(box["x"] + box["width"] * column / 13, box["y"] + box["height"] * row / 7)
            if read:
                seen.append(chart.evaluate("e => e.textContent"))
    page.mouse.move(0, 0)
    return "\n".join(seen)


def assert_nothing_ran(page: Page, where: str) -> None:
    page.wait_for_timeout(300)  # an <img> that had been made would have failed to load by now
    assert page.evaluate("() => window.__pwned") is None, f"a script from a name ran on {where}"
    assert page.locator("[data-hostile]").count() == 0, f"a name became HTML on {where}"


@pytest.fixture(scope="module")
def analytics(stack_url: str) -> RunningStack:
    """Two months of generated facts, the monthly run of MONTH, and one adopted topic whose title
    is itself hostile (typed by an analyst, stored by the API as text)."""
    running = RunningStack(stack_url)
    history(running, "2026-09", MONTH, 2000, 11)
    # As an analyst's "run now" does: the month's figures without retraining the dispatch model.
    api(stack_url, "analyst1", "/analytics/runs", {"month": MONTH})
    deadline = time.monotonic() + 300
    while not any(r["month"] == MONTH for r in api(stack_url, "analyst1", "/analytics/months")["items"]):
        assert time.monotonic() < deadline, f"the monthly run of {MONTH} did not finish"
        time.sleep(1)
    board = api(stack_url, "analyst1", f"/analytics/topics?month={MONTH}")
    candidate = board["candidates"][0]
    api(
        stack_url,
        "analyst1",
        "/analytics/topics",
        {
            "key": candidate["key"],
            "month": MONTH,
            "title": f"专项治理{HOSTILE}",
            "lead_unit": "110101004",
        },
    )
    return running


def test_every_chart_shows_hostile_names_as_text_and_runs_nothing(analytics, staff, snap, stack_url):
    page = staff("analyst1", bypass_csp=True)
    make_names_hostile(page)
    try:
        charts_with_hostile_names(page, snap, stack_url)
    finally:
        page.unroute_all(behavior="ignoreErrors")


def charts_with_hostile_names(page: Page, snap: Any, stack_url: str) -> None:

    # Trends: the categories' lines and the street heat grid, whose tooltip names the street.
    page.goto(f"{stack_url}/staff/analytics/trends?month={MONTH}")
    for testid in ("trend-chart", "heat-grid"):
        chart = page.get_by_test_id(testid)
        expect(chart.locator("svg")).to_be_visible(timeout=CHART_TIMEOUT)
        seen = pass_over(page, chart, read=True)
        assert HOSTILE in seen, f"{testid}: the names are shown, as text"
        assert_nothing_ran(page, testid)
    # The heat grid's own tooltip ("district · street", then the count) opened, drawn as text.
    assert re.search(r"· [^\n]*" + re.escape(HOSTILE), seen), "the heat grid's tooltip did not open"
    snap(page, "safety-trends-hostile")

    # Rankings (a canvas chart) and the supervisors' ranking tab.
    # Districts: the demo history's streets are mostly too small to be ranked (rates.least_dispatched).
    for path in (
        f"analytics/rankings?month={MONTH}&kind=district",
        f"supervision?tab=ranking&month={MONTH}&kind=district",
    ):
        page.goto(f"{stack_url}/staff/{path}")
        chart = page.locator('[role="img"]').filter(has=page.locator("canvas")).first
        expect(chart).to_be_visible(timeout=CHART_TIMEOUT)
        expect(chart).to_have_attribute("aria-label", re.compile(re.escape(HOSTILE)))
        pass_over(page, chart)
        assert_nothing_ran(page, path)

    # The dispatch models, named by their versions.
    page.goto(f"{stack_url}/staff/analytics/models")
    chart = page.get_by_test_id("models-chart")
    expect(chart.locator("svg")).to_be_visible(timeout=CHART_TIMEOUT)
    pass_over(page, chart)
    assert_nothing_ran(page, "models-chart")

    # The topic board: an adopted topic's progress (its title names the series) and a candidate's trend.
    page.goto(f"{stack_url}/staff/analytics/topics?month={MONTH}")
    chart = page.get_by_test_id("topic-progress").first
    expect(chart.locator("svg")).to_be_visible(timeout=CHART_TIMEOUT)
    assert HOSTILE in pass_over(page, chart, read=True), "the topic's tooltip names it, as text"
    assert_nothing_ran(page, "topic-progress")
    page.get_by_test_id("candidate-evidence").first.click()
    chart = page.get_by_test_id("evidence-trend")
    expect(chart.locator("svg")).to_be_visible(timeout=CHART_TIMEOUT)
    pass_over(page, chart)
    assert_nothing_ran(page, "evidence-trend")
    expect(page.get_by_test_id("evidence-drawer")).to_contain_text(HOSTILE)  # the category, as text

    # The briefing draws the same charts small, for print.
    page.goto(f"{stack_url}/staff/analytics/briefing?month={MONTH}")
    for testid in ("trend-chart", "heat-grid"):
        chart = page.get_by_test_id(testid)
        expect(chart.locator("svg")).to_be_visible(timeout=CHART_TIMEOUT)
        pass_over(page, chart)
        assert_nothing_ran(page, f"briefing {testid}")
    snap(page, "safety-briefing-hostile")


def test_tokens_are_kept_where_no_script_reads_them_and_a_reload_signs_in_again(browser, stack_url):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    # A session an earlier version of the portal left in localStorage is removed, not used.
    context.add_init_script(
        "localStorage.setItem('jiesu.staff.session',"
        " JSON.stringify({username: 'x', idToken: 'eyJold.eyJold'}))"
    )
    try:
        page = context.new_page()
        page.goto(f"{stack_url}/staff/analytics/trends?month={MONTH}")
        expect(page).to_have_url(re.compile(r"/staff/sign-in\?next="))
        sign_in(page, "analyst1")
        expect(page).to_have_url(f"{stack_url}/staff/analytics/trends?month={MONTH}")
        expect(page.get_by_test_id("staff-user")).to_contain_text("analyst1")
        # The page has used its token (the API answered the trends), yet no script finds one.
        expect(page.locator("h1").first).to_be_visible()
        reachable = page.evaluate(
            """async () => JSON.stringify({
                local: {...localStorage},
                session: {...sessionStorage},
                cookie: document.cookie,
                globals: Object.keys(window).map((k) => {
                    try { return String(window[k]) } catch { return '' }
                }),
                databases: (await indexedDB.databases()).map((d) => d.name),
            })"""
        )
        found = json.loads(reachable)
        assert not JWT.search(reachable), "a token is where a script reads it"
        assert "jiesu.staff.session" not in found["local"]
        assert found["databases"] == []
        # The token is a real one, so the pattern would have found it.
        assert JWT.match(staff_token(stack_url, "analyst1"))

        # A reload forgets the session: sign in again, and the same page comes back.
        page.reload()
        expect(page).to_have_url(re.compile(r"/staff/sign-in\?next=/staff/analytics/trends"))
        sign_in(page, "analyst1")
        expect(page).to_have_url(f"{stack_url}/staff/analytics/trends?month={MONTH}")
    finally:
        context.close()
