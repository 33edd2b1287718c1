"""Every analytics query (statemachines/queries/*.sql, Athena's dialect) run on DuckDB through
sqlglot over a small month of de-identified facts whose answers are known by hand."""

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from chalicelib.domain.facts import ORDER_COLUMNS, SUMMONS_COLUMNS

from infra.local.athena import QUERIES, LocalAthena, compact, literal, query_text

BEIJING = timezone(timedelta(hours=8))
ANDINGMEN, JIAODAOKOU, LIGHTING = "110101004", "110101003", "bj-lighting"
END_OF_OCTOBER = int(datetime(2026, 11, 1, tzinfo=BEIJING).timestamp())


def at(when: str) -> int:
    return int(datetime.fromisoformat(when).replace(tzinfo=BEIJING).timestamp())


def order(order_id: str, created: str, **facts: Any) -> dict[str, Any]:
    """A dispatched order handled in time by 安定门街道, unless `facts` say otherwise."""
    created_at = at(created)
    row: dict[str, Any] = {column: None for column, _ in ORDER_COLUMNS}
    row.update(
        id=order_id,
        version=1,
        created_at=created_at,
        changed_at=created_at + 600,
        type="complaint",
        channel="phone",
        status="in_progress",
        category="garbage_collection",
        district="110101",
        street=ANDINGMEN,
        requester=f"requester-{order_id}",
        requester_kind="person",
        unit=ANDINGMEN,
        dispatched_at=created_at + 60,
        signed_at=created_at + 120,
        sign_late=False,
        contacted_at=created_at + 600,
        contact_late=False,
        overdue=False,
        extensions=0,
        reopened=0,
        unreasonable=False,
        text=f"请求 {order_id}",
    )
    row.update(facts)
    row["month"] = datetime.fromtimestamp(row["created_at"], BEIJING).strftime("%Y-%m")
    row["day"] = datetime.fromtimestamp(row["changed_at"], BEIJING).strftime("%Y-%m-%d")
    return row


def closed(row: dict[str, Any], days: int, resolved: bool, satisfaction: str, **facts: Any) -> dict[str, Any]:
    """The same order replied, rated and closed `days` after it was created (a later version)."""
    done = row["created_at"] + days * 86400
    later = {
        **row,
        "version": row["version"] + 3,
        "status": "closed",
        "replied_at": done - 3600,
        "evaluated_at": done - 600,
        "resolved": resolved,
        "satisfaction": satisfaction,
        "closed_at": done,
        "changed_at": done,
        **facts,
    }
    later["day"] = datetime.fromtimestamp(done, BEIJING).strftime("%Y-%m-%d")
    return later


P1 = "place-fangjia-hutong"  # a place the garbage keeps coming back to
o9 = order("o9", "2026-09-18T09:00", place=P1)
o1 = order("o1", "2026-10-02T09:00", place=P1, requester="requester-liu")
o2 = order("o2", "2026-10-03T10:00", contacted_at=at("2026-10-05T10:00"), contact_late=True)
o3 = order("o3", "2026-10-10T08:00", place=P1, requester="requester-liu")
o4 = order("o4", "2026-10-12T08:00")
o5 = order("o5", "2026-10-20T20:00", category="street_lighting", unit=LIGHTING, street=JIAODAOKOU)
o8 = order("o8", "2026-10-06T11:00", street=JIAODAOKOU, unit=JIAODAOKOU)
NOISE = {"category": "commercial_noise", "street": JIAODAOKOU, "unit": JIAODAOKOU}

CHANGES = [
    o9,
    closed(o9, 2, True, "satisfied"),
    o1,  # version 1, superseded by the closed version below
    closed(o1, 3, True, "satisfied"),
    o2,
    closed(o2, 9, False, "dissatisfied", overdue=True),
    o3,
    closed(o3, 4, True, "basically_satisfied", returns=2),
    closed(o4, 2, False, "dissatisfied", unreasonable=True),
    o5,
    closed(o8, 1, True, "satisfied"),
    order(
        "o6",
        "2026-10-08T09:00",
        status="not_dispatched",
        reason="outside_duties",
        unit=None,
        dispatched_at=None,
        signed_at=None,
        contacted_at=None,
    ),
    order(
        "o7",
        "2026-10-03T11:00",
        status="merged",
        reason="duplicate",
        unit=None,
        dispatched_at=None,
        signed_at=None,
        contacted_at=None,
        requester="requester-o2",
    ),
    order("o10", "2026-09-25T09:00", **NOISE),
    order("o14", "2026-10-05T21:00", **NOISE),
    order("o11", "2026-10-26T21:00", **NOISE),
    order("o12", "2026-10-28T22:00", **NOISE, text=None),
    order("o13", "2026-10-30T23:30", **NOISE),
]

SUMMONS = [
    # 安定门 summoned two departments on 10 October: housing reported in time, enforcement late.
    {
        "whistle": "w1",
        "version": 3,
        "changed_at": at("2026-10-10T11:00"),
        "month": "2026-10",
        "street": ANDINGMEN,
        "district": "110101",
        "department": "110101-housing",
        "summoned_at": at("2026-10-10T09:00"),
        "report_by": at("2026-10-10T09:30"),
        "reported_at": at("2026-10-10T09:20"),
        "late": False,
        "whistle_closed_at": at("2026-10-10T11:00"),
        "day": "2026-10-10",
    },
    {
        "whistle": "w1",
        "version": 3,
        "changed_at": at("2026-10-10T11:00"),
        "month": "2026-10",
        "street": ANDINGMEN,
        "district": "110101",
        "department": "110101-enforcement",
        "summoned_at": at("2026-10-10T09:00"),
        "report_by": at("2026-10-10T09:30"),
        "reported_at": at("2026-10-10T09:50"),
        "late": True,
        "whistle_closed_at": at("2026-10-10T11:00"),
        "day": "2026-10-10",
    },
    # An earlier version of the same summons (before the report): superseded.
    {
        "whistle": "w1",
        "version": 1,
        "changed_at": at("2026-10-10T09:00"),
        "month": "2026-10",
        "street": ANDINGMEN,
        "district": "110101",
        "department": "110101-enforcement",
        "summoned_at": at("2026-10-10T09:00"),
        "report_by": at("2026-10-10T09:30"),
        "reported_at": None,
        "late": False,
        "whistle_closed_at": None,
        "day": "2026-10-10",
    },
    # 交道口 summoned housing on 20 October; nobody reported and it is still open.
    {
        "whistle": "w2",
        "version": 1,
        "changed_at": at("2026-10-20T15:00"),
        "month": "2026-10",
        "street": JIAODAOKOU,
        "district": "110101",
        "department": "110101-housing",
        "summoned_at": at("2026-10-20T15:00"),
        "report_by": at("2026-10-20T15:30"),
        "reported_at": None,
        "late": False,
        "whistle_closed_at": None,
        "day": "2026-10-20",
    },
]


def write_ndjson(root: Path, prefix: str, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        folder = root / prefix / f"day={row['day']}"
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "changes.json").open("a", encoding="utf-8") as file:
            file.write(json.dumps(row, ensure_ascii=False) + "\n")


@pytest.fixture(scope="module")
def athena(tmp_path_factory):
    root = tmp_path_factory.mktemp("analytics")
    write_ndjson(root, "facts/order_changes/", CHANGES)
    write_ndjson(root, "facts/summons_changes/", SUMMONS)
    engine = LocalAthena(root, threads=1)
    compacted, pruned = compact(engine, "2026-09-01", "2026-10-31")
    # 18 changes of 14 orders: each order's last one is kept, and no other version is there to prune.
    assert (compacted.rows, pruned.rows) == ([(14,)], [(0,)])
    assert sorted(p.parent.name for p in compacted.written) == ["month=2026-09", "month=2026-10"]
    yield engine
    engine.close()


def run(athena: LocalAthena, query: str, *parameters: str) -> list[dict[str, Any]]:
    return athena.execute(query_text(query), parameters).records()


def test_each_query_declares_its_parameters_one_per_placeholder():
    for path in sorted(QUERIES.glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        declared = re.search(r"^-- parameters: (.*(?:\n--  +.*)*)", text, re.MULTILINE)
        assert declared, f"{path.name} names no parameters"
        listed = re.sub(r"\n--\s+", " ", declared.group(1))
        names = [] if listed == "none" else [n for n in re.split(r",\s*", listed) if n]
        body = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
        assert body.count("?") == len(names), path.name


def test_compaction_keeps_the_latest_version_under_the_month_the_order_was_created(athena):
    kept = athena.execute("SELECT id, version, status, month FROM order_facts ORDER BY id").rows

    assert kept == [
        ("o1", 4, "closed", "2026-10"),
        ("o10", 1, "in_progress", "2026-09"),
        ("o11", 1, "in_progress", "2026-10"),
        ("o12", 1, "in_progress", "2026-10"),
        ("o13", 1, "in_progress", "2026-10"),
        ("o14", 1, "in_progress", "2026-10"),
        ("o2", 4, "closed", "2026-10"),
        ("o3", 4, "closed", "2026-10"),
        ("o4", 4, "closed", "2026-10"),
        ("o5", 1, "in_progress", "2026-10"),
        ("o6", 1, "not_dispatched", "2026-10"),
        ("o7", 1, "merged", "2026-10"),
        ("o8", 4, "closed", "2026-10"),
        ("o9", 4, "closed", "2026-09"),
    ]


def test_a_later_day_replaces_the_orders_row_and_an_earlier_day_compacted_again_does_not(tmp_path):
    write_ndjson(tmp_path, "facts/order_changes/", [o1, closed(o1, 3, True, "satisfied")])
    engine = LocalAthena(tmp_path, threads=1)
    first = compact(engine, "2026-10-02", "2026-10-02")
    later = compact(engine, "2026-10-05", "2026-10-05")
    again = compact(engine, "2026-10-02", "2026-10-02")

    kept = engine.execute("SELECT id, version, status FROM order_facts").rows
    rates = engine.execute(query_text("rates"), ["'2026-10'", "''", "true"]).records()

    added, pruned = ([step.rows[0][0] for step in run] for run in zip(first, later, again, strict=True))
    assert (added, pruned) == ([1, 1, 0], [0, 1, 0])
    assert kept == [("o1", 4, "closed")]
    files = (tmp_path / "facts/order_facts/month=2026-10").iterdir()
    assert [p.name for p in files] == [later[1].written[0].name]
    assert [(r["unit"], r["dispatched"], r["followed_up"]) for r in rates] == [(ANDINGMEN, 1, 1)]


def test_an_order_whose_units_appeal_was_upheld_counts_as_excluded(tmp_path):
    """The appeal is decided after the order closed: its later version is the one counted."""
    rated = closed(o3, 4, False, "dissatisfied")
    upheld = {**rated, "version": rated["version"] + 1, "appeal_upheld": True}
    upheld["changed_at"] = rated["changed_at"] + 86400
    upheld["day"] = datetime.fromtimestamp(upheld["changed_at"], BEIJING).strftime("%Y-%m-%d")
    write_ndjson(tmp_path, "facts/order_changes/", [o1, closed(o1, 3, True, "satisfied"), o3, rated, upheld])
    engine = LocalAthena(tmp_path, threads=1)
    compact(engine, "2026-10-01", "2026-10-31")

    rates = engine.execute(query_text("rates"), ["'2026-10'", "''", "false"]).records()

    assert [(r["unit"], r["dispatched"], r["excluded"], r["followed_up"], r["resolved"]) for r in rates] == [
        (ANDINGMEN, 1, 1, 1, 1)
    ]


def test_rates_count_per_unit_without_the_excluded(athena):
    rows = run(athena, "rates", "'2026-10'", "'not_dispatched,duplicate'", "true")

    assert rows == [
        {
            "unit": JIAODAOKOU,
            "dispatched": 5,
            "excluded": 0,
            "signed_in_time": 5,
            "contacted_in_time": 5,
            "replied_in_time": 1,
            "overdue": 0,
            "followed_up": 1,
            "resolved": 1,
            "satisfied": 1,
            "basically_satisfied": 0,
            "returned": 0,
        },
        {
            "unit": ANDINGMEN,
            "dispatched": 3,
            "excluded": 1,
            "signed_in_time": 3,
            "contacted_in_time": 2,
            "replied_in_time": 2,
            "overdue": 1,
            "followed_up": 3,
            "resolved": 2,
            "satisfied": 1,
            "basically_satisfied": 1,
            "returned": 2,
        },
        {
            "unit": LIGHTING,
            "dispatched": 1,
            "excluded": 0,
            "signed_in_time": 1,
            "contacted_in_time": 1,
            "replied_in_time": 0,
            "overdue": 0,
            "followed_up": 0,
            "resolved": 0,
            "satisfied": 0,
            "basically_satisfied": 0,
            "returned": 0,
        },
    ]


def test_an_unreasonable_request_counts_when_that_exclusion_is_off(athena):
    rows = run(athena, "rates", "'2026-10'", "''", "false")

    andingmen = next(r for r in rows if r["unit"] == ANDINGMEN)
    assert (andingmen["dispatched"], andingmen["excluded"], andingmen["followed_up"]) == (4, 0, 4)


def test_whistles_are_assessed_on_both_sides(athena):
    rows = run(athena, "summons", "'2026-10'", "'2026-10-01'")

    assert [
        (
            r["side"],
            r["unit"],
            r["summoned"],
            r["reported_in_time"],
            r["reported_late"],
            r["not_reported"],
            r["whistles"],
            r["closed"],
        )
        for r in rows
    ] == [
        ("department", "110101-enforcement", 1, 0, 1, 0, None, None),
        ("department", "110101-housing", 2, 1, 0, 1, None, None),
        ("street", JIAODAOKOU, 1, 0, 0, 1, 1, 0),
        ("street", ANDINGMEN, 2, 1, 1, 0, 1, 1),
    ]


TOPICS_OF_OCTOBER = ("'2026-10'", "'2026-09'", "'2023-10'", "'2026-10'", "'2026-10'", "'2026-10'",
                     "'2026-09'", "'2026-10'", "'2026-10'")  # fmt: skip


def test_topic_candidates_by_category_and_district_with_growth_and_repeat_requesters(athena):
    rows = run(athena, "topics", *TOPICS_OF_OCTOBER)

    assert [
        (
            r["category"],
            r["district"],
            r["orders"],
            r["previous_orders"],
            r["followed_up"],
            r["resolved"],
            r["satisfied"],
            r["requesters"],
            r["repeat_requesters"],
            r["streets"],
        )
        for r in rows
    ] == [
        ("garbage_collection", None, 6, 1, 5, 3, 3, 5, 1, 2),
        ("garbage_collection", "110101", 6, 1, 5, 3, 3, 5, 1, 2),
        ("commercial_noise", None, 4, 1, 0, 0, 0, 4, 0, 1),
        ("commercial_noise", "110101", 4, 1, 0, 0, 0, 4, 0, 1),
        ("street_lighting", None, 1, 0, 0, 0, 0, 1, 0, 1),
        ("street_lighting", "110101", 1, 0, 0, 0, 0, 1, 0, 1),
    ]
    # No October of an earlier year in the facts: no same-month history to measure against.
    assert {(r["same_month_orders"], r["same_month_years"]) for r in rows} == {(0, 0)}


def test_topics_count_the_same_month_of_earlier_years_that_the_facts_hold(tmp_path):
    heating = {"category": "heating_insufficient", "street": JIAODAOKOU, "unit": JIAODAOKOU}
    changes = [
        *(order(f"y23-{i}", f"2023-11-{10 + i}T09:00", **heating) for i in range(4)),  # too long ago
        *(order(f"y24-{i}", f"2024-11-{10 + i}T09:00", **heating) for i in range(6)),
        order("y24-g", "2024-11-20T09:00"),
        *(order(f"y25-{i}", f"2025-11-{10 + i}T09:00", **heating) for i in range(10)),
        order("y25-d", "2025-12-02T09:00", **heating),  # not the same month
        *(order(f"oct-{i}", f"2026-10-{10 + i}T09:00", **heating) for i in range(2)),
        *(order(f"nov-{i}", f"2026-11-{10 + i}T09:00", **heating) for i in range(20)),
        order("nov-g", "2026-11-03T09:00"),
    ]
    write_ndjson(tmp_path, "facts/order_changes/", changes)
    engine = LocalAthena(tmp_path, threads=1)
    compact(engine, "2023-01-01", "2026-12-31")

    rows = run(engine, "topics", "'2026-11'", "'2026-10'", "'2024-11'", *["'2026-11'"] * 3, "'2026-10'",
               "'2026-11'", "'2026-11'")  # fmt: skip

    assert [
        (r["category"], r["district"], r["orders"], r["previous_orders"], r["same_month_orders"],
         r["same_month_years"]) for r in rows
    ] == [
        ("heating_insufficient", None, 20, 2, 16, 2),
        ("heating_insufficient", "110101", 20, 2, 16, 2),
        ("garbage_collection", None, 1, 0, 1, 2),  # none in November 2025: a zero, not a gap
        ("garbage_collection", "110101", 1, 0, 1, 2),
    ]  # fmt: skip


def test_streets_and_examples_give_a_topic_its_evidence(athena):
    streets = run(athena, "streets", "'2026-10'")
    examples = run(athena, "examples", "'2026-10'")

    assert [(r["category"], r["street"], r["orders"]) for r in streets] == [
        ("commercial_noise", JIAODAOKOU, 4),
        ("garbage_collection", ANDINGMEN, 5),
        ("garbage_collection", JIAODAOKOU, 1),
        ("street_lighting", JIAODAOKOU, 1),
    ]
    # The latest three with words (o12 is confidential: no text); o6 was not dispatched but asked.
    assert [(r["category"], r["id"], r["text"]) for r in examples] == [
        ("commercial_noise", "o13", "请求 o13"),
        ("commercial_noise", "o11", "请求 o11"),
        ("commercial_noise", "o14", "请求 o14"),
        ("garbage_collection", "o4", "请求 o4"),
        ("garbage_collection", "o3", "请求 o3"),
        ("garbage_collection", "o6", "请求 o6"),
        ("street_lighting", "o5", "请求 o5"),
    ]


def test_trend_counts_each_month_and_category_city_wide_and_in_each_district(athena):
    rows = run(athena, "trend", "'2026-09'", "'2026-10'")

    counted = [
        ("2026-09", "commercial_noise", 1, 0, 0, 0),
        ("2026-09", "garbage_collection", 1, 1, 1, 1),
        ("2026-10", "commercial_noise", 4, 0, 0, 0),
        ("2026-10", "garbage_collection", 6, 5, 3, 3),
        ("2026-10", "street_lighting", 1, 0, 0, 0),
    ]
    # Every order is in 东城区: its rows repeat the city's, after them.
    assert [
        (
            r["month"],
            r["category"],
            r["district"],
            r["orders"],
            r["followed_up"],
            r["resolved"],
            r["satisfied"],
        )
        for r in rows
    ] == [(m, c, district, *n) for m, c, *n in counted for district in (None, "110101")]


def test_recurrence_finds_the_place_the_problem_came_back_to_after_closure(athena):
    rows = run(athena, "recurrence", "'2026-08'", "'2026-10'", "'2026-10'", "'2026-10'")

    assert rows == [
        {
            "place": P1,
            "category": "garbage_collection",
            "district": "110101",
            "street": ANDINGMEN,
            "unit": ANDINGMEN,
            "orders": 3,
            "recurrences": 2,
            "latest_order": "o3",
            "latest_at": o3["created_at"],
        },
    ]


def test_hotspots_flag_a_week_well_above_the_streets_own_baseline(athena):
    end = str(END_OF_OCTOBER)
    rows = run(athena, "hotspots", "'2026-08'", "'2026-10'", end, end, end, "3", "2.0")
    quieter = run(athena, "hotspots", "'2026-08'", "'2026-10'", end, end, end, "4", "2.0")

    # Three noise complaints in the last seven days against two in the eight weeks before.
    assert rows == [
        {
            "street": JIAODAOKOU,
            "district": "110101",
            "category": "commercial_noise",
            "this_week": 3,
            "baseline": 0.25,
        },
    ]
    assert quieter == []


@pytest.mark.parametrize(
    ("text", "value"),
    [("'2026-10'", "2026-10"), ("'it''s'", "it's"), ("42", 42), ("2.5", 2.5), ("true", True)],
)
def test_execution_parameters_are_sql_literals(text, value):
    assert literal(text) == value


def test_summons_columns_are_what_the_rows_carry():
    assert [c for c, _ in SUMMONS_COLUMNS] + ["day"] == list(SUMMONS[0])
