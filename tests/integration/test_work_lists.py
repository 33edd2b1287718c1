"""Work lists as the people who work them want them, on the local stack (workflow time 3600x): the
inbox split into open and finished work with the limits a unit missed, the overdue board by lateness
with its unit and district filters, paging on the server, rankings with a minimum volume, and every
list exported to Excel and read back."""

from __future__ import annotations

import io
import urllib.request
from datetime import datetime, timedelta
from typing import Any

import pytest
from chalicelib.domain.beijing import BEIJING
from openpyxl import load_workbook

from tests.conftest import wait_until

# A 2-hour category: the sign-for limit passes half a wall second after dispatch, the deadline two.
URGENT = {"category": "manhole_cover", "content": "井盖缺失，路口行人容易踩空"}
XICHENG = {"district": "110102", "street": "110102003", "address": "西城区新街口街道"}
# A street no other test sends orders to: one order this month, too few to be ranked.
YUETAN = {"district": "110102", "street": "110102007", "address": "西城区月坛街道三里河"}


def dispatched(citizen, **changes: Any) -> dict[str, Any]:
    receipt = citizen.submit(**changes)
    wait_until(lambda: citizen.track(receipt)["status"] == "dispatched")
    return receipt


def ids(answer) -> list[str]:
    assert answer.status == 200, answer.body
    return [i["id"] for i in answer.json()["items"]]


def every_page(staff, path: str, limit: int = 5) -> list[dict[str, Any]]:
    """All items of a list, page by page with its cursor."""
    items: list[dict[str, Any]] = []
    cursor = ""
    for _ in range(200):
        answer = staff.get(f"{path}&limit={limit}" + (f"&cursor={cursor}" if cursor else ""))
        assert answer.status == 200, answer.body
        page = answer.json()
        assert len(page["items"]) <= limit
        items += page["items"]
        cursor = page["next"]
        if not cursor:
            return items
    raise AssertionError("the list never ended")


def workbook(link: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of the exported file, downloaded through its link as the browser does."""
    with urllib.request.urlopen(link["url"], timeout=10) as answer:
        body = answer.read()
        assert answer.headers["Content-Length"] == str(len(body)) == str(link["bytes"])
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


# --- the inbox ------------------------------------------------------------------------------------


def test_the_inbox_splits_open_work_from_finished_work(citizen, unit):
    handler = unit()
    waiting, done = dispatched(citizen), dispatched(citizen)
    for action, body in (
        ("sign", {}),
        ("contact", {"note": "已电话联系"}),
        ("reply", {"result": "已清运", "resolved_claim": True}),
    ):
        assert handler.act(done["id"], action, **body).status == 200

    open_work = ids(handler.get("/work-orders?state=open&limit=100"))
    finished = ids(handler.get("/work-orders?state=finished&limit=100"))

    assert waiting["id"] in open_work and waiting["id"] not in finished
    assert done["id"] in finished and done["id"] not in open_work
    statuses = {i["status"] for i in handler.get("/work-orders?state=finished&limit=100").json()["items"]}
    # Whatever happens after the reply (review, follow-up, a supervisor's second call, closure),
    # nothing the unit still owes work on is listed as finished.
    assert statuses.isdisjoint({"received", "dispatched", "signed", "in_progress", "objected", "reopened"})
    assert "in_review" in statuses
    wrong = handler.get("/work-orders?state=open&status=closed")
    assert (wrong.status, wrong.json()["error"]["details"][0]["field"]) == (400, "status")
    unknown = handler.get("/work-orders?state=later")
    assert (unknown.status, unknown.json()["error"]["details"][0]["field"]) == (400, "state")


def test_the_inbox_flags_a_missed_sign_for_limit_and_contact_limit(citizen, unit):
    handler = unit()
    late = dispatched(citizen, **URGENT)
    in_time = dispatched(citizen)  # 24 hours: two wall seconds to sign for
    assert handler.act(in_time["id"], "sign").status == 200

    def row(order_id: str) -> dict[str, Any]:
        items = handler.get("/work-orders?state=open&limit=100").json()["items"]
        return next(i for i in items if i["id"] == order_id)

    flagged = wait_until(lambda: (r := row(late["id"]))["sign_missed"] and r["contact_missed"] and r)
    fine = row(in_time["id"])

    assert flagged["status"] == "dispatched"
    assert datetime.fromisoformat(flagged["sign_by"]) < datetime.fromisoformat(flagged["contact_by"])
    assert fine["sign_missed"] is False and fine["contact_missed"] is False


# --- the overdue board ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def overdue(api, id_token) -> dict[str, str]:
    """Three urgent orders, two in 东城区 (安定门) and one in 西城区, all past their deadline."""
    from tests.conftest import Citizen, Unit

    citizen = Citizen(api)
    made = {
        "first": dispatched(citizen, **URGENT)["id"],
        "xicheng": dispatched(citizen, **URGENT, location=XICHENG)["id"],
        "last": dispatched(citizen, **URGENT)["id"],
    }
    supervisor = Unit(api, id_token("supervisor1"))
    wait_until(lambda: all(supervisor.order(i).json()["overdue"] for i in made.values()), timeout=30)
    return made


def test_the_overdue_board_lists_the_most_overdue_first(overdue, unit):
    board = every_page(unit("supervisor1"), "/work-orders?overdue=true&state=open")
    found = [i["id"] for i in board]

    deadlines = [datetime.fromisoformat(i["deadline"]) for i in board]
    assert deadlines == sorted(deadlines)
    assert found.index(overdue["first"]) < found.index(overdue["xicheng"]) < found.index(overdue["last"])
    assert all(
        i["overdue"]
        and i["status"] in ("dispatched", "signed", "in_progress", "objected", "reopened", "received")
        for i in board
    )
    assert len(found) == len(set(found))


def test_the_overdue_board_filters_by_district_and_by_unit(overdue, unit):
    supervisor = unit("supervisor1")

    xicheng = every_page(supervisor, "/work-orders?overdue=true&state=open&district=110102")
    andingmen = every_page(supervisor, "/work-orders?overdue=true&state=open&unit=110101004")

    assert overdue["xicheng"] in [i["id"] for i in xicheng]
    assert {i["district"]["id"] for i in xicheng} == {"110102"}
    assert {overdue["first"], overdue["last"]} <= {i["id"] for i in andingmen}
    assert {i["first_receiver"]["id"] for i in andingmen} == {"110101004"}
    deadlines = [i["deadline"] for i in andingmen]
    assert deadlines == sorted(deadlines)
    bad = supervisor.get("/work-orders?overdue=true&state=open&district=东城")
    assert (bad.status, bad.json()["error"]["details"][0]["field"]) == (400, "district")


def test_a_replied_order_leaves_the_overdue_board_and_stays_overdue(overdue, unit, citizen):
    handler, supervisor = unit(), unit("supervisor1")
    order_id = overdue["last"]
    for action, body in (
        ("sign", {}),
        ("contact", {}),
        ("reply", {"result": "已补装井盖", "resolved_claim": True}),
    ):
        assert handler.act(order_id, action, **body).status == 200

    board = [i["id"] for i in every_page(supervisor, "/work-orders?overdue=true&state=open", limit=50)]

    assert order_id not in board
    assert supervisor.order(order_id).json()["overdue"] is True
    assert order_id in ids(
        supervisor.get("/work-orders?overdue=true&state=finished&unit=110101004&limit=100")
    )


def test_a_list_pages_on_the_server_without_repeating_an_order(overdue, unit):
    supervisor = unit("supervisor1")

    one_by_one = every_page(supervisor, "/work-orders?state=open&unit=110101004", limit=1)
    whole = supervisor.get("/work-orders?state=open&unit=110101004&limit=100").json()["items"]

    assert [i["id"] for i in one_by_one] == [i["id"] for i in whole]
    forged = supervisor.get("/work-orders?state=open&cursor=bm90LWEtY3Vyc29y")
    assert (forged.status, forged.json()["error"]["details"][0]["field"]) == (400, "cursor")


# --- exports --------------------------------------------------------------------------------------


def test_the_overdue_board_exports_to_excel_as_listed(overdue, unit):
    supervisor = unit("supervisor1")
    listed = every_page(supervisor, "/work-orders?overdue=true&state=open&district=110101", limit=100)

    answer = supervisor.post("/exports/work-orders", {"overdue": True, "state": "open", "district": "110101"})

    assert answer.status == 201, answer.body
    link = answer.json()
    assert link["filename"].startswith("超期工单-") and link["filename"].endswith(".xlsx")
    assert link["rows"] == len(listed) and link["truncated"] is False
    rows = workbook(link)
    header, body = rows[0], rows[1:]
    assert header[:4] == ("工单编号", "类型", "状态", "是否超期")
    assert [r[0] for r in body] == [i["id"] for i in listed]
    first = next(r for r in body if r[0] == overdue["first"])
    column = dict(zip(header, first, strict=True))
    assert column["是否超期"] == "是" and column["未按时签收"] == "是"
    assert column["所属区"] == "东城区人民政府" and column["问题分类"]
    # Times as a person in Beijing reads them.
    order = supervisor.order(overdue["first"]).json()
    deadline = datetime.fromisoformat(order["deadline"]).astimezone(BEIJING).replace(tzinfo=None)
    assert abs(column["办理时限"] - deadline) < timedelta(seconds=1)


def test_a_unit_exports_only_its_own_orders(overdue, unit):
    andingmen = unit()
    answer = andingmen.post("/exports/work-orders", {"state": "open"})
    assert answer.status == 201, answer.body
    receivers = {r[11] for r in workbook(answer.json())[1:]}
    assert receivers <= {"安定门街道"}

    other = andingmen.post("/exports/work-orders", {"unit": "110102003"})
    assert other.status == 403
    bad = andingmen.post("/exports/work-orders", {"state": "someday"})
    assert (bad.status, bad.json()["error"]["details"][0]["field"]) == (400, "state")


# --- rankings -------------------------------------------------------------------------------------


def test_a_unit_with_too_few_orders_is_listed_apart_with_its_counts(citizen, unit):
    dispatched(citizen, location=YUETAN)
    supervisor = unit("supervisor1")
    month = datetime.now(BEIJING).strftime("%Y-%m")

    ranked = supervisor.get(f"/analytics/assessments?month={month}&kind=street").json()
    apart = every_page(supervisor, f"/analytics/assessments?month={month}&kind=street&group=insufficient")

    least = ranked["least_dispatched"]
    assert least == 20  # data/analytics.json
    assert all(i["dispatched"] >= least and i["rank"] for i in ranked["items"])
    assert ranked["insufficient_units"] == len(apart) >= 1
    yuetan = next(i for i in apart if i["unit"]["id"] == "110102007")
    assert yuetan["rank"] is None and yuetan["insufficient"] is True
    assert 1 <= yuetan["dispatched"] < least and yuetan["responded"] <= yuetan["dispatched"]
    assert all(i["insufficient"] and i["dispatched"] < least for i in apart)
    assert [i["unit"]["id"] for i in ranked["items"]] == [
        i["unit"]["id"] for i in every_page(supervisor, f"/analytics/assessments?month={month}&kind=street")
    ][: len(ranked["items"])]


def test_the_ranking_exports_each_rate_with_the_counts_behind_it(citizen, unit):
    dispatched(citizen, location=YUETAN)
    supervisor = unit("supervisor1")
    month = datetime.now(BEIJING).strftime("%Y-%m")
    listed = every_page(supervisor, f"/analytics/assessments?month={month}&kind=street&group=insufficient")

    answer = supervisor.post("/exports/assessments", {"month": month, "kind": "street"})

    assert answer.status == 201, answer.body
    rows = workbook(answer.json())
    header = rows[0]
    assert header[:4] == ("排名", "单位", "单位类别", "派单量") and "响应率" in header
    by_unit = {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    yuetan = next(i for i in listed if i["unit"]["id"] == "110102007")
    row = by_unit["月坛街道"]
    assert row["派单量"] == yuetan["dispatched"] and row["样本不足"] == "是" and row["排名"] is None
    assert row["响应率"].endswith(f"({yuetan['responded']}/{yuetan['dispatched']})")
    assert row["单位类别"] == "街道乡镇"
    denied = unit().post("/exports/assessments", {"month": month})
    assert denied.status == 403
    bad = supervisor.post("/exports/assessments", {"month": "2026-13"})
    assert (bad.status, bad.json()["error"]["details"][0]["field"]) == (400, "month")
