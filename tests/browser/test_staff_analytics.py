"""The analytics screens (分析研判): an analyst runs the monthly analysis from the topic board,
reads a candidate's evidence and adopts it; the rankings, trends with the street heat grid and the
printable briefing show the month; a street's handler sees only its own warnings; a supervisor
reads but does not run; the dispatch models show which one serves, and only an analyst changes it.

Generated history (infra/local/history.py) fills the stack's analytics bucket once for the module;
the tests share the stack and run in file order: the first one starts the monthly run of 2026-10
with the button, the later ones make sure it has run (`monthly`) so that each can also run alone."""

import re
import uuid
from typing import Any

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from infra.local.analytics import RunningStack, history, topics
from tests.browser.conftest import ARTIFACTS, staff_token

pytestmark = pytest.mark.browser

MONTH = "2026-10"
ANDINGMEN = "安定门街道"


def api(url: str, username: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """GET `path` as `username`, or POST `body` to it."""
    headers = {"Authorization": f"Bearer {staff_token(url, username)}", "Idempotency-Key": str(uuid.uuid4())}
    if body is None:
        answer = requests.get(f"{url}/api/v1/staff{path}", headers=headers, timeout=10)
    else:
        answer = requests.post(f"{url}/api/v1/staff{path}", headers=headers, json=body, timeout=10)
    answer.raise_for_status()
    return answer.json()


@pytest.fixture(scope="module")
def analytics(stack_url: str) -> RunningStack:
    """Three months of generated, de-identified facts, compacted, with the daily hotspots."""
    running = RunningStack(stack_url)
    history(running, "2026-08", "2026-10", 6000, 7)
    return running


@pytest.fixture
def monthly(analytics: RunningStack, stack_url: str) -> dict[str, Any]:
    """The monthly run of MONTH (the first test starts it from the board; alone, a test runs it)."""
    runs = api(stack_url, "analyst1", "/analytics/months")["items"]
    if not any(r["month"] == MONTH for r in runs):
        topics(analytics, MONTH)
        runs = api(stack_url, "analyst1", "/analytics/months")["items"]
    return next(r for r in runs if r["month"] == MONTH)


def open_analytics(page: Page, url: str, path: str) -> None:
    page.goto(f"{url}/staff/analytics/{path}")
    expect(page.locator("h1").first).to_be_visible()


def test_an_analyst_runs_the_analysis_reads_evidence_and_adopts_a_topic(analytics, staff, snap, stack_url):
    page = staff("analyst1")
    page.get_by_role("menuitem", name="每月一题").click()
    expect(page).to_have_url(f"{stack_url}/staff/analytics/topics")
    expect(page.get_by_test_id("topics-empty-runs")).to_contain_text("尚未运行月度分析")
    snap(page, "analytics-topics-before-run")

    page.get_by_test_id("run-analysis").click()
    page.locator("#run-month").fill(MONTH)
    page.locator("#run-month").press("Enter")
    page.get_by_test_id("run-confirm").click()
    expect(page.get_by_test_id("run-analysis")).to_contain_text(f"正在分析 {MONTH}")
    expect(page.get_by_text(f"{MONTH} 月度分析已完成")).to_be_visible(timeout=60_000)
    expect(page).to_have_url(f"{stack_url}/staff/analytics/topics?month={MONTH}")

    run = api(stack_url, "analyst1", "/analytics/months")["items"][0]
    assert run["month"] == MONTH
    summary = page.get_by_test_id("run-summary")
    expect(summary).to_contain_text(f"{MONTH} 月度分析概况")
    expect(summary).to_contain_text(f"{run['orders']:,}")
    rows = page.get_by_test_id("candidate-row")
    expect(rows).to_have_count(run["candidates"])
    board = api(stack_url, "analyst1", f"/analytics/topics?month={MONTH}")
    first = board["candidates"][0]
    expect(rows.first).to_contain_text(first["category_name"])

    # The evidence: the months, the counts, the streets and what callers said.
    rows.first.get_by_test_id("candidate-evidence").click()
    drawer = page.get_by_test_id("evidence-drawer")
    expect(drawer).to_contain_text(first["category_name"])
    expect(page.get_by_test_id("evidence-trend").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("evidence-counts")).to_contain_text(str(first["orders"]))
    if first["top_streets"]:
        expect(page.get_by_test_id("evidence-streets")).to_contain_text(first["top_streets"][0]["name"])
    if first["examples"]:
        expect(page.get_by_test_id("evidence-examples")).to_contain_text(first["examples"][0])
    snap(page, "analytics-topics-evidence")

    # Adopting it: the title is prefilled, the lead unit must be chosen.
    page.get_by_test_id("evidence-adopt").click()
    title = page.get_by_test_id("adopt-title")
    expect(title).to_have_value(re.compile(re.escape(first["category_name"])))
    page.get_by_test_id("adopt-confirm").click()
    expect(page.get_by_text("请选择牵头单位")).to_be_visible()
    title.fill("重点问题专项治理")
    page.locator("#adopt-lead").click()
    option = page.locator(".el-select-dropdown__item:visible").first
    lead = option.inner_text().strip()
    option.click()
    page.get_by_test_id("adopt-note").fill("会同相关部门月底前拿出治理方案")
    snap(page, "analytics-topics-adopt")
    page.get_by_test_id("adopt-confirm").click()

    adopted = page.get_by_test_id("adopted-topics")
    card = adopted.get_by_test_id("topic-card").filter(has_text="重点问题专项治理")
    expect(card).to_be_visible()
    expect(card.get_by_test_id("topic-lead")).to_have_text(lead)
    expect(card).to_contain_text(f"{first['orders']} 件")
    expect(rows.first).to_contain_text("已采纳")
    snap(page, "analytics-topics-adopted")


def test_the_rankings_show_the_monthly_run_and_the_departments_reports(monthly, staff, snap, stack_url):
    page = staff("analyst1")
    open_analytics(page, stack_url, f"rankings?month={MONTH}")
    expect(page.get_by_test_id("ranking-source")).to_contain_text("月度分析")
    streets = api(stack_url, "analyst1", f"/analytics/assessments?month={MONTH}&kind=street")
    assert streets["source"] == "monthly" and streets["items"]
    table = page.get_by_test_id("rankings-table")
    expect(table.get_by_test_id("ranking-unit").first).to_have_text(streets["items"][0]["unit"]["name"])
    expect(table).to_contain_text("吹哨")
    expect(table).to_contain_text("超期")
    expect(page.get_by_test_id("rankings-chart").locator("canvas, svg").first).to_be_visible()
    snap(page, "analytics-rankings-streets")

    page.get_by_test_id("rankings-tab-department").click()
    expect(page).to_have_url(re.compile(r"kind=department"))
    departments = api(stack_url, "analyst1", f"/analytics/assessments?month={MONTH}&kind=department")
    expect(table.get_by_test_id("ranking-unit").first).to_have_text(departments["items"][0]["unit"]["name"])
    expect(table).to_contain_text("被召集")
    expect(table).to_contain_text("报到及时率")
    expect(table).not_to_contain_text("已销号")
    snap(page, "analytics-rankings-departments")

    page.get_by_test_id("rankings-tab-district").click()
    ranked = api(stack_url, "analyst1", f"/analytics/assessments?month={MONTH}&kind=district")
    districts = ranked["items"]
    expect(page.get_by_test_id("rankings-district-note")).to_contain_text("辖区内全部工单")
    # Every district, ranked or (too few orders) listed apart.
    assert ranked["ranked_units"] + ranked["insufficient_units"] == 16
    expect(table.get_by_test_id("ranking-unit")).to_have_count(ranked["ranked_units"])
    expect(table.get_by_test_id("ranking-unit").first).to_have_text(districts[0]["unit"]["name"])
    snap(page, "analytics-rankings-districts")


def test_the_trends_draw_the_categories_and_the_street_heat_grid(monthly, staff, snap, stack_url):
    page = staff("supervisor1")
    open_analytics(page, stack_url, f"trends?month={MONTH}")
    trend = api(stack_url, "supervisor1", f"/analytics/trends?month={MONTH}")["items"]
    top = max((i for i in trend if i["month"] == MONTH), key=lambda i: i["orders"])
    chart = page.get_by_test_id("trend-chart")
    expect(chart.locator("svg")).to_be_visible()
    expect(chart).to_contain_text(top["name"])  # the legend
    expect(page.get_by_test_id("trend-table")).to_contain_text(top["name"])

    streets = api(stack_url, "supervisor1", f"/analytics/streets?month={MONTH}")["items"]
    busiest = streets[0]
    grid = page.get_by_test_id("heat-grid")
    expect(grid.locator("svg")).to_be_visible()
    expect(grid).to_contain_text(busiest["district_name"].removesuffix("人民政府"))  # a row label
    expect(page.get_by_test_id("busiest-streets")).to_contain_text(busiest["name"])
    snap(page, "analytics-trends")


def test_the_briefing_shows_the_month_and_prints_without_the_menu(monthly, staff, snap, stack_url):
    page = staff("supervisor1")
    open_analytics(page, stack_url, f"briefing?month={MONTH}")
    briefing = page.get_by_test_id("briefing")
    expect(briefing.locator("h1")).to_have_text(f"{MONTH} 12345 市民服务热线月度简报")
    expect(page.get_by_test_id("figure-orders")).to_contain_text(f"{monthly['orders']:,}")
    expect(page.get_by_test_id("trend-chart").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("heat-grid").locator("svg")).to_be_visible()
    expect(page.get_by_test_id("briefing-rank-district").locator("tbody tr")).to_have_count(16)
    # The top ten streets among those with enough orders to be ranked.
    streets = api(stack_url, "analyst1", f"/analytics/assessments?month={MONTH}&kind=street")["ranked_units"]
    expect(page.get_by_test_id("briefing-rank-street").locator("tbody tr")).to_have_count(min(10, streets))
    expect(page.get_by_test_id("briefing-rank-department").locator("tbody tr").first).not_to_contain_text(
        "没有可考评"
    )
    expect(page.get_by_test_id("briefing-candidates").get_by_test_id("candidate-row")).to_have_count(5)
    snap(page, "analytics-briefing")

    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1 } }")
    page.get_by_test_id("briefing-print").click()
    assert page.evaluate("() => window.__printed") == 1
    page.emulate_media(media="print")
    expect(page.locator(".staff-nav")).to_be_hidden()
    expect(page.get_by_test_id("briefing-print")).to_be_hidden()
    expect(briefing).to_be_visible()
    snap(page, "analytics-briefing-print")
    # The PDF a leader gets from 导出 PDF: what Chromium prints of the page, charts included (SVG).
    pdf = page.pdf(format="A4", print_background=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"briefing-{MONTH}.pdf").write_bytes(pdf)
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
    assert pdf.startswith(b"%PDF-") and len(pages) >= 2, f"{len(pdf)} bytes, {len(pages)} pages"


def test_a_street_handler_sees_only_its_own_warnings(monthly, staff, snap, stack_url):
    page = staff("andingmen.handler")
    expect(page.get_by_role("menuitem", name="预警研判")).to_be_visible()
    for closed in ("用户与角色", "每月一题", "考评排名", "月度简报", "派单模型"):
        expect(page.get_by_role("menuitem", name=closed)).to_have_count(0)
    page.get_by_role("menuitem", name="预警研判").click()
    expect(page.get_by_test_id("warnings-own-only")).to_be_visible()

    page.goto(f"{stack_url}/staff/analytics/warnings?month={MONTH}")
    # What the API gives a street's handler is its own; the page shows exactly that, or says none.
    hotspots = api(stack_url, "andingmen.handler", "/analytics/hotspots")
    places = api(stack_url, "andingmen.handler", f"/analytics/recurrences?month={MONTH}")["items"]
    no_day = f"{hotspots['day']} 没有突增预警" if hotspots["day"] else "尚无每日预警数据"
    for kind, found, empty, none in (
        ("hotspot-row", hotspots["items"], "hotspots-empty", no_day),
        ("recurrence-row", places, "recurrences-empty", f"{MONTH} 没有反复诉求点位"),
    ):
        shown = page.get_by_test_id(kind)
        if not found:
            expect(page.get_by_test_id(empty)).to_contain_text(none)
        expect(shown).to_have_count(min(len(found), 20))
        for i in range(shown.count()):
            expect(shown.nth(i)).to_contain_text(ANDINGMEN)
    snap(page, "analytics-warnings-andingmen")

    # The monthly board stays closed: back to the handler's own inbox.
    page.goto(f"{stack_url}/staff/analytics/topics")
    expect(page).to_have_url(f"{stack_url}/staff/inbox")


def test_a_supervisor_reads_the_board_but_cannot_run_or_adopt(monthly, staff, snap, stack_url):
    page = staff("supervisor1")
    open_analytics(page, stack_url, f"topics?month={MONTH}")
    expect(page.get_by_test_id("candidate-row").first).to_be_visible()
    expect(page.get_by_test_id("candidate-evidence").first).to_be_visible()
    expect(page.get_by_test_id("run-analysis")).to_have_count(0)
    expect(page.get_by_test_id("candidate-adopt")).to_have_count(0)
    snap(page, "analytics-topics-supervisor")

    # The warnings of the whole city: the day's hotspots from the daily run.
    open_analytics(page, stack_url, "warnings")
    expect(page.get_by_test_id("warnings-own-only")).to_have_count(0)
    hotspots = api(stack_url, "supervisor1", "/analytics/hotspots")
    expect(page.get_by_test_id("hotspot-row")).to_have_count(len(hotspots["items"]))
    snap(page, "analytics-warnings-city")


SHIPPED = "随代码发布"


def percent(rate: float) -> str:
    """A rate as the analytics pages show it: a percentage with one decimal."""
    return f"{rate * 100:.1f}%"


def model_name(version: str) -> str:
    return SHIPPED if version == "shipped" else version


def serve_button(table: Locator, version: str) -> Locator:
    """The "put in service" button on the row of a model."""
    row = table.locator("tbody tr").filter(has=table.page.locator(f'[data-version="{version}"]'))
    return row.get_by_test_id("model-serve")


def test_the_serving_dispatch_model_is_shown_and_only_an_analyst_changes_it(monthly, staff, snap, stack_url):
    """The models the stack has: the shipped one, and one per retraining run (`monthly` retrains
    when it runs the month itself, as the schedule does; a run started from the portal does not).
    With another model, the analyst puts it in service, and a second attempt that someone else
    overtook says so in Chinese; the model that served at first serves again at the end."""
    page = staff("analyst1")
    page.get_by_role("menuitem", name="派单模型").click()
    expect(page).to_have_url(f"{stack_url}/staff/analytics/models")
    models = api(stack_url, "analyst1", "/analytics/models")
    items = {m["version"]: m for m in models["items"]}
    first = models["serving"]
    shipped = items["shipped"]

    # What serves, prominently; every model in the table with its figures as percentages.
    expect(page.get_by_test_id("serving-version")).to_have_text(model_name(first))
    expect(page.get_by_test_id("serving-top1")).to_have_text(percent(items[first]["figures"]["top1"]))
    table = page.get_by_test_id("models-table")
    rows = table.get_by_test_id("model-row")
    expect(rows).to_have_count(len(items))
    expect(rows.first).to_contain_text(SHIPPED)
    expect(table.get_by_test_id("model-top1").first).to_have_text(percent(shipped["figures"]["top1"]))
    expect(table.get_by_test_id("model-major-top1").first).to_have_text(
        percent(shipped["figures"]["major_top1"])
    )
    expect(table).to_contain_text(f"{shipped['figures']['ece']:.3f}")
    expect(table.get_by_test_id("model-serving")).to_have_count(1)
    expect(table.locator(f'[data-version="{first}"]').get_by_test_id("model-serving")).to_be_visible()
    expect(page.get_by_test_id("models-chart").locator("svg")).to_be_visible()
    # A button on every model but the serving one.
    expect(table.get_by_test_id("model-serve")).to_have_count(len(items) - 1)
    if not models["changes"]:
        expect(page.get_by_test_id("serving-since")).to_have_text("自系统上线起使用")
        expect(page.get_by_test_id("model-changes")).to_contain_text("尚未更换过")
    snap(page, "analytics-models")

    if len(items) > 1:
        other = next(v for v in items if v != first)

        # Put in service: the reason is required; the page then shows the answer.
        serve_button(table, other).click()
        dialog = page.get_by_test_id("serve-dialog")
        expect(dialog).to_contain_text("五分钟内")
        dialog.get_by_test_id("serve-confirm").click()
        expect(dialog).to_contain_text("请填写启用原因")
        dialog.get_by_test_id("serve-reason").fill("浏览器测试：换用另一模型")
        snap(page, "analytics-models-serve")
        dialog.get_by_test_id("serve-confirm").click()
        expect(dialog).to_be_hidden()
        expect(page.get_by_test_id("serving-version")).to_have_text(model_name(other))
        expect(page.get_by_test_id("models-pending")).to_be_visible()
        history = page.get_by_test_id("model-changes")
        expect(history.get_by_test_id("change-version").first).to_have_text(model_name(other))
        expect(history.get_by_test_id("change-by").first).to_have_text("analyst1")
        expect(history.get_by_test_id("change-reason").first).to_have_text("浏览器测试：换用另一模型")
        assert api(stack_url, "analyst1", "/analytics/models")["serving"] == other

        # Someone else puts the first one back while the dialog is open: a 409, said in Chinese.
        serve_button(table, first).click()
        dialog.get_by_test_id("serve-reason").fill("浏览器测试：退回")
        api(stack_url, "analyst1", f"/analytics/models/{first}/serve", {"reason": "同时退回"})
        dialog.get_by_test_id("serve-confirm").click()
        expect(page.get_by_test_id("models-conflict")).to_contain_text("该模型已在使用中")
        expect(dialog).to_be_hidden()
        expect(page.get_by_test_id("serving-version")).to_have_text(model_name(first))
        expect(history.get_by_test_id("change-reason").first).to_have_text("同时退回")
        snap(page, "analytics-models-conflict")

    # A supervisor reads the same page, with no button.
    page = staff("supervisor1")
    open_analytics(page, stack_url, "models")
    expect(page.get_by_test_id("serving-version")).to_have_text(model_name(first))
    expect(page.get_by_test_id("models-table").get_by_test_id("model-row")).to_have_count(len(items))
    expect(page.get_by_test_id("models-table").get_by_test_id("model-top1").first).to_have_text(
        percent(shipped["figures"]["top1"])
    )
    expect(page.get_by_test_id("model-serve")).to_have_count(0)
    expect(page.get_by_test_id("serve-dialog")).to_have_count(0)


def test_the_rankings_page_on_the_server_list_small_units_apart_and_export(
    monthly, staff, snap, stack_url, tmp_path
):
    from openpyxl import load_workbook

    page = staff("analyst1")
    open_analytics(page, stack_url, f"rankings?month={MONTH}")
    ranked = api(stack_url, "analyst1", f"/analytics/assessments?month={MONTH}&kind=street&limit=25")
    table = page.get_by_test_id("rankings-table")
    expect(page.get_by_test_id("rankings-group-ranked")).to_contain_text(
        f"参与排名（{ranked['ranked_units']}）"
    )
    expect(page.get_by_test_id("rankings-group-insufficient")).to_contain_text(
        f"样本不足（{ranked['insufficient_units']}）"
    )
    expect(table.get_by_test_id("ranking-unit")).to_have_count(len(ranked["items"]))
    # Each rate with the counts behind it: 响应率 98.0% (392/400).
    top = ranked["items"][0]
    expect(table.locator("tbody tr").first).to_contain_text(f"({top['responded']}/{top['dispatched']})")
    if ranked["next"]:
        page.get_by_test_id("page-next").click()
        expect(page).to_have_url(re.compile(r"cursor="))
        expect(table.locator("tbody tr").first.locator("td").first).to_have_text(
            str(len(ranked["items"]) + 1)
        )

    # The units with too few orders, apart and unranked.
    page.get_by_test_id("rankings-group-insufficient").click()
    expect(page).to_have_url(re.compile(r"group=insufficient"))
    expect(page.get_by_test_id("rankings-insufficient-note")).to_contain_text(
        f"少于 {ranked['least_dispatched']} 件"
    )
    if ranked["insufficient_units"]:
        expect(table.locator("tbody tr").first).to_contain_text("样本不足")
        expect(table.locator("tbody tr").first.locator("td").first).to_have_text("—")
    snap(page, "analytics-rankings-insufficient")

    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    file = download.value
    assert file.suggested_filename.startswith(f"考评排名-街道乡镇-{MONTH}-")
    saved = tmp_path / "ranking.xlsx"
    file.save_as(saved)
    rows = list(load_workbook(saved, read_only=True).worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) - 1 == ranked["ranked_units"] + ranked["insufficient_units"]
    first = dict(zip(header, rows[1], strict=True))
    assert (first["排名"], first["单位"]) == (1, top["unit"]["name"])
    assert str(first["响应率"]).endswith(f"({top['responded']}/{top['dispatched']})")
    expect(page.get_by_test_id("export-done")).to_contain_text(f"已导出 {len(rows) - 1} 行")
