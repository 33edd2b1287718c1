"""What the analytics runs make of the query results: plans, rankings, topic candidates, follow-up."""

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from chalicelib.domain import insights
from chalicelib.domain.insights import AnalyticsPolicy, RatePolicy, TopicPolicy
from chalicelib.domain.model import UnitKind
from chalicelib.reference_data import analytics_policy

QUERIES = Path(__file__).resolve().parents[2] / "statemachines" / "queries"
POLICY = AnalyticsPolicy()
ANDINGMEN, JIAODAOKOU = "110101004", "110101003"


def placeholders(query: str) -> int:
    text = (QUERIES / f"{query}.sql").read_text(encoding="utf-8")
    return "\n".join(line for line in text.splitlines() if not line.startswith("--")).count("?")


def test_the_run_on_the_first_at_two_in_the_morning_covers_the_month_that_ended():
    # 18:00 UTC on 31 October is 02:00 on 1 November in Beijing.
    plan = insights.monthly_plan(None, datetime(2026, 10, 31, 18, 0, tzinfo=UTC), POLICY)

    assert (plan.month, plan.previous) == ("2026-10", "2026-09")
    assert plan.parameters["topics"] == ["'2026-10'", "'2026-09'", "'2026-10'", "'2026-10'"]
    assert plan.parameters["trend"] == ["'2026-05'", "'2026-10'"]
    assert plan.parameters["recurrence"][0] == "'2026-08'"
    assert plan.parameters["rates"][2] == "true"


def test_a_run_of_the_first_month_an_analyst_may_ask_for_has_a_plan():
    """The API takes months from 2000-01; their month before is 1999-12 (a run once failed on it)."""
    plan = insights.monthly_plan("2000-01", datetime(2026, 2, 3, tzinfo=UTC), POLICY)

    assert (plan.month, plan.previous) == ("2000-01", "1999-12")


def test_each_query_gets_one_parameter_per_placeholder():
    monthly = insights.monthly_plan("2026-01", datetime(2026, 2, 3, tzinfo=UTC), POLICY)
    daily = insights.daily_plan(None, None, datetime(2026, 2, 3, tzinfo=UTC), POLICY)

    for name, parameters in {**monthly.parameters, **daily.parameters}.items():
        assert len(parameters) == placeholders(name), name
    assert set(monthly.parameters) | set(daily.parameters) == {p.stem for p in QUERIES.glob("*.sql")}
    assert monthly.parameters["trend"][0] == "'2025-08'"  # across the new year


def test_the_daily_run_takes_yesterday_and_a_backfill_takes_its_days():
    yesterday = insights.daily_plan(None, None, datetime(2026, 11, 26, 17, 0, tzinfo=UTC), POLICY)
    backfill = insights.daily_plan("2026-08-01", "2026-10-31", datetime(2026, 11, 26, tzinfo=UTC), POLICY)

    # 17:00 UTC on the 26th is 01:00 on the 27th in Beijing: yesterday is the 26th.
    assert (yesterday.first_day, yesterday.last_day) == ("2026-11-26", "2026-11-26")
    assert backfill.parameters["compact"] == ["'2026-08-01'", "'2026-10-31'"]
    end = int(datetime(2026, 10, 31, 16, 0, tzinfo=UTC).timestamp())  # 1 November 00:00 in Beijing
    assert backfill.parameters["hotspots"] == [
        "'2026-08'",
        "'2026-10'",
        str(end),
        str(end),
        str(end),
        "5",
        "3.0",
    ]
    with pytest.raises(ValueError):
        insights.daily_plan("2026-10-31", "2026-10-01", datetime(2026, 11, 26, tzinfo=UTC), POLICY)


def test_a_parameter_is_a_literal_whatever_it_contains():
    assert insights.quoted("it's") == "'it''s'"


def test_a_unit_below_the_minimum_volume_is_listed_apart_unranked(reference):
    rows = [rates(ANDINGMEN, 4, 4, 4, 4, 4, 4), rates(JIAODAOKOU, 400, 392, 400, 300, 280, 270)]

    streets = insights.rank_units(rows, [], reference, RatePolicy())[UnitKind.STREET]

    assert [(a.unit.id, a.rank, a.insufficient) for a in streets] == [
        (JIAODAOKOU, 1, False),
        (ANDINGMEN, None, True),
    ]
    assert streets[1].score == 100.0  # its rates stand; they are only too few to rank


def test_the_shipped_configuration_is_the_documented_default():
    assert analytics_policy() == AnalyticsPolicy()


def rates(
    unit: str, dispatched: int, contacted: int, signed: int, followed: int, resolved: int, satisfied: int,
    basically: int = 0,
) -> dict:  # fmt: skip
    return {
        "unit": unit, "dispatched": dispatched, "excluded": 0, "signed_in_time": signed,
        "contacted_in_time": contacted, "replied_in_time": followed, "overdue": 0, "followed_up": followed,
        "resolved": resolved, "satisfied": satisfied, "basically_satisfied": basically,
    }  # fmt: skip


def test_units_are_ranked_within_their_kind_with_whistle_reports_counted_for_departments(reference):
    rows = [
        rates(ANDINGMEN, 10, 9, 10, 8, 6, 5, 1),
        rates(JIAODAOKOU, 10, 5, 10, 8, 8, 8),
        rates("110101-housing", 4, 4, 4, 4, 4, 4),
        rates("no-such-unit", 4, 4, 4, 4, 4, 4),
    ]
    summons = [
        {"side": "department", "unit": "110101-housing", "summoned": 2, "reported_in_time": 1},
        {"side": "street", "unit": ANDINGMEN, "whistles": 1, "closed": 1},
    ]

    # Small counts to read the formula by: every unit is ranked (the minimum volume is tested apart).
    ranked = insights.rank_units(rows, summons, reference, RatePolicy(least_dispatched=0))

    streets = ranked[UnitKind.STREET]
    assert [(a.unit.id, a.rank) for a in streets] == [(JIAODAOKOU, 1), (ANDINGMEN, 2)]
    # 交道口: response 0.5, resolution 1.0, satisfaction 1.0 → (0.05 + 0.45 + 0.45) / 1.0
    assert streets[0].score == 95.0
    # 安定门: basically satisfied counts: 6 of 8.
    assert (streets[1].satisfaction_rate, streets[1].whistles, streets[1].whistles_closed) == (0.75, 1, 1)
    housing = ranked[UnitKind.DEPARTMENT][0]
    assert (housing.report_rate, housing.summoned) == (0.5, 2)
    # Three rates at 1.0 and the report rate at 0.5, weighed 0.1 of 1.1 in all.
    assert housing.score == round(100 * (1.0 + 0.1 * 0.5) / 1.1, 2)


def test_a_district_answers_for_every_order_in_its_jurisdiction(reference):
    rows = [
        rates(ANDINGMEN, 10, 9, 10, 8, 6, 5, 1),
        rates(JIAODAOKOU, 10, 5, 10, 8, 8, 8),
        rates("110101-housing", 4, 4, 4, 4, 4, 4),
        rates("110101", 2, 0, 2, 2, 0, 0),  # orders the district government took itself
        rates("110105001", 6, 6, 6, 6, 6, 6),  # a street of 朝阳区
        rates("bj-lighting", 5, 5, 5, 5, 5, 5),  # a city department is no district's
    ]
    summons = [
        {"side": "department", "unit": "110101-housing", "summoned": 2, "reported_in_time": 1},
        {"side": "department", "unit": "bj-lighting", "summoned": 3, "reported_in_time": 3},
        {"side": "street", "unit": ANDINGMEN, "summoned": 2, "whistles": 1, "closed": 1},
    ]

    districts = insights.rank_units(rows, summons, reference, RatePolicy(least_dispatched=0))[
        UnitKind.DISTRICT
    ]

    assert [(a.unit.name, a.rank) for a in districts] == [("朝阳区人民政府", 1), ("东城区人民政府", 2)]
    dongcheng = districts[1]
    # 10 + 10 + 4 + 2 dispatched; contacted 9 + 5 + 4 + 0; resolved 6 + 8 + 4 + 0 of 8 + 8 + 4 + 2.
    assert (dongcheng.dispatched, dongcheng.responded, dongcheng.resolved, dongcheng.followed_up) == (
        26,
        18,
        18,
        22,
    )
    assert (dongcheng.satisfied, dongcheng.summoned, dongcheng.reported_in_time) == (18, 2, 1)
    assert (dongcheng.whistles, dongcheng.whistles_closed) == (1, 1)
    # The streets are still ranked among streets, the district government's own orders only in its district.
    assert {a.unit.id for a in insights.rank_units(rows, [], reference, RatePolicy())[UnitKind.STREET]} == {
        ANDINGMEN,
        JIAODAOKOU,
        "110105001",
    }


def test_the_response_basis_and_the_satisfied_count_are_configuration(reference):
    rows = [rates(ANDINGMEN, 10, 5, 9, 8, 6, 4, 2)]
    policy = RatePolicy(response_basis="sign", satisfied_includes_basically=False)

    street = insights.rank_units(rows, [], reference, policy)[UnitKind.STREET][0]

    assert (street.response_rate, street.satisfaction_rate) == (0.9, 0.5)


def topic(category: str, district: str | None, orders: int, previous: int, followed: int, resolved: int,
          satisfied: int, requesters: int, repeat: int, streets: int) -> dict:  # fmt: skip
    return {
        "category": category, "district": district, "orders": orders, "previous_orders": previous,
        "followed_up": followed, "resolved": resolved, "satisfied": satisfied, "requesters": requesters,
        "repeat_requesters": repeat, "streets": streets,
    }  # fmt: skip


def test_candidates_are_ranked_by_their_signals_with_the_evidence(reference):
    topics = [
        topic("heating_insufficient", None, 120, 40, 100, 50, 60, 100, 20, 5),
        topic("heating_insufficient", "110101", 60, 10, 50, 20, 30, 50, 10, 5),
        topic("street_lighting", None, 80, 80, 70, 65, 66, 80, 0, 30),
        topic("dog_management", None, 10, 2, 5, 1, 1, 10, 0, 2),  # too few to be a city's problem
    ]
    streets = [
        {"category": "heating_insufficient", "district": "110101", "street": ANDINGMEN, "orders": 40},
        {"category": "heating_insufficient", "district": "110101", "street": JIAODAOKOU, "orders": 10},
        {"category": "heating_insufficient", "district": "110101", "street": "110101001", "orders": 5},
        {"category": "heating_insufficient", "district": "110101", "street": "110101002", "orders": 3},
        {"category": "heating_insufficient", "district": "110101", "street": "110101005", "orders": 2},
    ]
    examples = [{"category": "heating_insufficient", "district": "110101", "text": "暖气不热，室温只有14度"}]
    trend: list[dict[str, Any]] = [
        {"month": "2026-09", "category": "heating_insufficient", "district": None, "orders": 40},
        {"month": "2026-09", "category": "heating_insufficient", "district": "110101", "orders": 12},
        {"month": "2026-10", "category": "heating_insufficient", "district": None, "orders": 120},
        {"month": "2026-10", "category": "heating_insufficient", "district": "110101", "orders": 60},
    ]

    found = insights.topic_candidates(topics, streets, examples, trend, reference, TopicPolicy())

    # The district's heating problem is more concentrated than the city's: it comes first.
    assert [c.key for c in found] == [
        "heating_insufficient@110101",
        "heating_insufficient",
        "street_lighting",
    ]
    district, city, lighting = found
    assert (city.rank, city.category_name, city.growth) == (2, "供暖不热", 2.0)
    assert city.signals == ["volume", "growth", "low_resolution", "low_satisfaction", "repeat_requesters"]
    assert [s.name for s in city.top_streets][:2] == ["安定门街道", "交道口街道"]
    assert city.concentration == round(55 / 120, 4) and city.examples == ["暖气不热，室温只有14度"]
    assert [(t.month, t.orders) for t in city.trend] == [("2026-09", 40), ("2026-10", 120)]
    assert "concentrated" in district.signals and district.concentration == round(55 / 60, 4)
    assert district.district_name == "东城区人民政府"
    assert [(t.month, t.orders) for t in district.trend] == [("2026-09", 12), ("2026-10", 60)]
    assert lighting.signals == ["volume"] and lighting.concentration is None


def test_an_adopted_topic_follows_its_volume_in_later_months_only():
    adopted = insights.Topic(
        id="2026-09:heating_insufficient", month="2026-09", key="heating_insufficient", title="供暖",
        category="heating_insufficient", category_name="供暖不热", district=None, district_name=None,
        lead_unit={"id": "bj-heating", "name": "北京市热力集团", "kind": "enterprise"}, note=None,
        adopted_by="analyst1", adopted_at=datetime(2026, 10, 2, tzinfo=UTC), baseline_orders=120,
    )  # fmt: skip
    rows = [topic("heating_insufficient", None, 90, 120, 0, 0, 0, 0, 0, 0)]

    october = insights.follow(adopted, "2026-10", rows)
    rerun = insights.follow(october, "2026-10", [{**rows[0], "orders": 95}])

    assert insights.follow(adopted, "2026-09", rows) is adopted
    assert [(p.month, p.orders) for p in october.progress] == [("2026-10", 90)]
    assert [(p.month, p.orders) for p in rerun.progress] == [("2026-10", 95)]
    assert rerun.version == 3


def test_a_hotspot_warning_says_what_jumped_and_from_what():
    spot = insights.Hotspot(
        day="2026-10-31", street=ANDINGMEN, street_name="安定门街道", district="110101", category="x",
        category_name="施工噪声", this_week=12, baseline=2.5,
    )  # fmt: skip

    assert insights.hotspot_message(spot) == (
        "近7天安定门街道「施工噪声」诉求12件，此前8周平均每周2.5件。请提前研判、主动治理（未诉先办）。"
    )


def test_every_query_file_is_planned():
    assert all(re.fullmatch(r"[a-z_]+", p.stem) for p in QUERIES.glob("*.sql"))
