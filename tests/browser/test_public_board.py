"""The public effectiveness board (Art. 34): anyone, without signing in, reads the districts' rates
as charts and tables, the most frequent kinds of request and the 每月一题 topics' progress, and
downloads the month's figures as CSV; a name on the board stays text in every chart and tooltip.

Generated history (infra/local/history.py) fills the stack once for the module: three months of
facts, September's and October's monthly runs, and September's new problem adopted as a topic."""

import csv
import io
import re
from typing import Any

import pytest
import requests
from chalicelib import names
from playwright.sync_api import Page, expect

from infra.local.analytics import RunningStack, history
from tests.browser.test_staff_analytics import api
from tests.browser.test_staff_safety import CHART_TIMEOUT, HOSTILE, assert_nothing_ran, hostile, pass_over

pytestmark = pytest.mark.browser

MONTH = "2026-10"
TITLE = "电动自行车非标改装专项治理"


def monthly(running: RunningStack, month: str) -> None:
    """The month's analysis, as the schedule on the 1st runs it (a loaded machine takes its time),
    less the dispatch model's retraining, which the board does not show (the analytics tests'
    models page and the integration tests follow it)."""
    running.run(names.ANALYTICS_MONTHLY_MACHINE_SPEC, {"month": month, "retrain": False}, timeout=1800)


@pytest.fixture(scope="module")
def board(stack_url: str) -> dict[str, Any]:
    """September and October run, the September candidate adopted in between; October's board."""
    running = RunningStack(stack_url)
    history(running, "2026-08", MONTH, 6000, 7, emerging="ebike_nonstandard", emerging_month="2026-09")
    monthly(running, "2026-09")
    candidate = api(stack_url, "analyst1", "/analytics/topics?month=2026-09")["candidates"][0]
    form = {"month": "2026-09", "key": candidate["key"], "title": TITLE, "lead_unit": "110101"}
    api(stack_url, "analyst1", "/analytics/topics", form)
    monthly(running, MONTH)
    return dict(requests.get(f"{stack_url}/api/v1/public/board/{MONTH}.json", timeout=10).json())


def test_anyone_reads_the_districts_with_charts_and_downloads_the_csv(board, browser, stack_url, snap):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", accept_downloads=True
    )
    page = context.new_page()
    # From the public pages' navigation, without signing in
    page.goto(f"{stack_url}/")
    page.get_by_test_id("nav-board").click()
    expect(page).to_have_url(f"{stack_url}/board")
    expect(page.locator("h1")).to_have_text("接诉即办效能公开")

    # This month: its requests, then the districts' rates as a chart, then as a table
    expect(page.get_by_test_id("board-summary")).to_contain_text(f"{MONTH}共受理诉求 {board['orders']} 件")
    chart = page.get_by_test_id("board-districts-chart")
    expect(chart.locator("svg")).to_be_visible(timeout=CHART_TIMEOUT)
    districts = [d["name"] for d in board["districts"]]
    assert len(districts) > 5
    label = chart.get_attribute("aria-label") or ""
    assert all(name in label for name in districts) and "满意率" in label
    expect(chart.locator("svg")).to_contain_text(districts[0])
    table = page.get_by_test_id("board-districts-table")
    expect(table).to_contain_text(districts[0])
    top = board["districts"][0]
    satisfied = (
        f"{top['satisfaction_rate'] * 100:.1f}%" if top["satisfaction_rate"] is not None else "样本不足"
    )
    expect(table.locator("tr", has_text=districts[0]).first).to_contain_text(satisfied)
    # The most frequent categories, and the adopted topic with its October volume
    expect(page.get_by_test_id("board-categories-chart").locator("svg")).to_contain_text(
        board["categories"][0]["name"]
    )
    topic = page.get_by_test_id("board-topics")
    expect(topic).to_contain_text(TITLE)
    expect(topic).to_contain_text("牵头单位：东城区")
    (shown,) = [t for t in board["topics"] if t["title"] == TITLE]
    expect(topic).to_contain_text(
        f"选题当月诉求 {shown['baseline_orders']} 件，本月 {shown['latest_orders']} 件"
    )
    expect(topic.get_by_test_id("board-topic-chart").locator("svg")).to_be_visible()
    snap(page, "public-board")

    # The month's CSV downloads, with the same districts
    with page.expect_download() as downloading:
        page.get_by_test_id("board-csv").click()
    download = downloading.value
    assert download.suggested_filename == f"jiesu-board-{MONTH}.csv"
    with open(download.path(), encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(io.StringIO(file.read())))
    assert [r["name"] for r in rows if r["section"] == "district"] == districts
    assert {r["month"] for r in rows} == {MONTH}

    # An earlier month, and the page in English
    page.get_by_test_id("board-month").click()
    page.get_by_role("option", name="2026-09").click()
    expect(page).to_have_url(re.compile(r"/board\?month=2026-09$"))
    expect(page.get_by_test_id("board-summary")).to_contain_text("2026-09共受理诉求")
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Hotline performance board")
    expect(page.get_by_test_id("board-summary")).to_contain_text("2026-09:")
    context.close()


def test_names_on_the_board_stay_text_in_its_charts_and_tooltips(board, browser, stack_url):
    """As in the staff portal (test_staff_safety.py): every name the board answers with made hostile,
    the page loaded without its CSP, the mouse over every chart."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", bypass_csp=True)
    page: Page = context.new_page()

    def answer(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, json=hostile(response.json()))

    page.route("**/api/v1/public/board/*.json", answer)
    page.goto(f"{stack_url}/board?month={MONTH}")
    for testid in (
        "board-districts-chart",
        "board-categories-chart",
        "board-topic-chart",
        "board-streets-chart",
    ):
        chart = page.get_by_test_id(testid).first
        expect(chart.locator("svg")).to_be_visible(timeout=CHART_TIMEOUT)
        seen = pass_over(page, chart, read=True)
        assert HOSTILE in seen, f"{testid}: the names are shown, as text"
        assert_nothing_ran(page, testid)
    expect(page.get_by_test_id("board-districts-table")).to_contain_text(HOSTILE)
    page.unroute_all(behavior="ignoreErrors")
    context.close()
