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

from infra.local.athena import LocalAthena, query_text
from infra.local.history import HistoryPlan, write_directory
from tests.fakes import MemoryReference

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
    # The month, the month before, and the Octobers of the three years before.
    october, september = "'2026-10'", "'2026-09'"
    assert plan.parameters["topics"] == [october, september, "'2023-10'", october, october, october,
                                         september, october, october]  # fmt: skip
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
    # A query without placeholders (the prune, a MERGE, which Athena binds no parameters in) has none.
    bound = {p.stem for p in QUERIES.glob("*.sql") if placeholders(p.stem)}
    assert set(monthly.parameters) | set(daily.parameters) == bound
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
    shipped = analytics_policy()
    # The seasons are the city's calendar, written as data only; without them a category is even.
    seasonless = shipped.topics.model_copy(update={"seasons": {}, "season_of": {}})
    assert shipped.model_copy(update={"topics": seasonless}) == AnalyticsPolicy()
    assert shipped.topics.season("heating_insufficient") is not None


def test_a_season_must_be_described_for_every_month_before_a_category_follows_it():
    with pytest.raises(ValueError, match="seasons not described"):
        TopicPolicy(season_of={"heating_insufficient": "winter"})
    with pytest.raises(ValueError):
        TopicPolicy(seasons={"winter": (1.0,) * 11})
    with pytest.raises(ValueError, match="positive"):
        TopicPolicy(seasons={"winter": (1.0,) * 11 + (0.0,)})


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
          satisfied: int, requesters: int, repeat: int, streets: int, same_month: int = 0,
          years: int = 0) -> dict:  # fmt: skip
    return {
        "category": category, "district": district, "orders": orders, "previous_orders": previous,
        "followed_up": followed, "resolved": resolved, "satisfied": satisfied, "requesters": requesters,
        "repeat_requesters": repeat, "streets": streets, "same_month_orders": same_month,
        "same_month_years": years,
    }  # fmt: skip


WINTER = TopicPolicy(
    seasons={"heating": (1.0, 0.85, 0.4, 0.05, 0.01, 0.01, 0.01, 0.01, 0.01, 0.08, 0.75, 1.0)},
    season_of={"heating_insufficient": "heating"},
)


def test_one_candidate_per_category_ranked_by_its_signals_with_its_districts_as_evidence(reference):
    topics = [
        # The heating season's first month: ten times October, as the season has it.
        topic("heating_insufficient", None, 400, 43, 300, 270, 280, 400, 4, 120),
        topic("heating_insufficient", "110101", 60, 6, 50, 45, 46, 60, 1, 12),
        topic("heating_insufficient", "110105", 90, 10, 70, 62, 64, 90, 1, 30),
        # A new problem in 东城: four times its usual volume there, twice city-wide, badly resolved.
        topic("ebike_nonstandard", None, 120, 58, 100, 50, 60, 100, 20, 9),
        topic("ebike_nonstandard", "110101", 80, 20, 60, 25, 30, 70, 18, 5),
        topic("ebike_nonstandard", "110105", 40, 38, 40, 25, 30, 30, 2, 4),
        topic("street_lighting", None, 80, 80, 70, 65, 66, 80, 0, 30),  # large, as always
        topic("dog_management", None, 10, 2, 5, 1, 1, 10, 0, 2),  # too few to be a city's problem
    ]
    streets = [
        {"category": "ebike_nonstandard", "district": "110101", "street": ANDINGMEN, "orders": 50},
        {"category": "ebike_nonstandard", "district": "110101", "street": JIAODAOKOU, "orders": 20},
        {"category": "ebike_nonstandard", "district": "110101", "street": "110101001", "orders": 10},
        {"category": "ebike_nonstandard", "district": "110105", "street": "110105001", "orders": 15},
    ]
    examples = [
        {"category": "ebike_nonstandard", "district": "110105", "text": "朝阳有店卖改装电动车"},
        {"category": "ebike_nonstandard", "district": "110101", "text": "安定门一带多家店铺改装电动自行车"},
    ]
    trend: list[dict[str, Any]] = [
        {"month": "2026-10", "category": "ebike_nonstandard", "district": None, "orders": 58},
        {"month": "2026-10", "category": "ebike_nonstandard", "district": "110101", "orders": 20},
        {"month": "2026-11", "category": "ebike_nonstandard", "district": None, "orders": 120},
    ]

    found = insights.topic_candidates(topics, streets, examples, trend, reference, WINTER, "2026-11")

    assert [c.key for c in found] == ["ebike_nonstandard"]
    new = found[0]
    assert (new.rank, new.category_name, new.district, new.growth) == (
        1,
        "电动自行车非标销售改装",
        None,
        round(62 / 58, 4),
    )
    assert (new.baseline.basis, new.baseline.orders) == ("previous_month", 58.0)
    assert new.signals == [
        "growth",
        "low_resolution",
        "low_satisfaction",
        "repeat_requesters",
        "concentrated",
    ]
    # Its districts, the one that jumped first; its words from there first.
    assert [(d.name, d.orders, d.baseline, d.growth) for d in new.districts] == [
        ("东城区人民政府", 80, 20.0, 3.0),
        ("朝阳区人民政府", 40, 38.0, round(2 / 38, 4)),
    ]
    assert new.examples == ["安定门一带多家店铺改装电动自行车", "朝阳有店卖改装电动车"]
    assert [s.name for s in new.top_streets][:2] == ["安定门街道", "交道口街道"]
    assert [(t.month, t.orders) for t in new.trend] == [("2026-10", 58), ("2026-11", 120)]

    # Without the season, October alone would make the heating season a jump of its own.
    flat = insights.topic_candidates(topics, streets, examples, trend, reference, TopicPolicy(), "2026-11")
    heating = next(c for c in flat if c.key == "heating_insufficient")
    assert len(flat) == 2 and "growth" in heating.signals
    assert (heating.baseline.basis, heating.growth) == ("previous_month", round(357 / 43, 4))


def test_the_same_month_of_earlier_years_comes_before_the_season(reference):
    rows = [
        # Last November and the one before averaged 300: this one is half as many again.
        topic("heating_insufficient", None, 450, 40, 300, 270, 280, 400, 4, 120, same_month=600, years=2),
        # A category new this month: nothing last month, nothing in earlier Novembers.
        topic("ev_charging_pile", None, 40, 0, 30, 25, 28, 40, 0, 12, same_month=0, years=2),
    ]

    found = {c.key: c for c in insights.topic_candidates(rows, [], [], [], reference, WINTER, "2026-11")}

    heating, charging = found["heating_insufficient"], found["ev_charging_pile"]
    assert (heating.baseline.basis, heating.baseline.orders, heating.baseline.years) == (
        "same_month",
        300.0,
        2,
    )
    assert heating.growth == 0.5 and "growth" in heating.signals
    # None in the Novembers the facts hold: no baseline to grow from, counted as new.
    assert (charging.baseline.basis, charging.growth, charging.signals) == ("same_month", None, ["growth"])


def test_a_jump_chance_explains_is_no_jump(reference):
    # 16 where 10 were expected: within what a count of 10 varies by.
    rows = [topic("street_lighting", None, 16, 10, 0, 0, 0, 16, 0, 3, same_month=20, years=2)]
    policy = TopicPolicy(least_orders_category=10)

    assert insights.topic_candidates(rows, [], [], [], reference, policy, "2026-11") == []
    assert [c.key for c in insights.topic_candidates(rows, [], [], [], reference, policy.model_copy(
        update={"chance": 0.0}), "2026-11")] == ["street_lighting"]  # fmt: skip


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


# --- the board over a generated history with a heating season and a new problem -----------------

HEATING = {"heating_insufficient", "heating_outage", "heating_fees"}
NEW_PROBLEM = "ebike_nonstandard"


def november_board(root: Path, plan: HistoryPlan) -> tuple[list[insights.Candidate], list[dict[str, Any]]]:
    """The monthly run's candidates for the plan's last month, through the project's own queries."""
    write_directory(plan, root, progress=False)
    engine = LocalAthena(root, threads=1)
    engine.execute(query_text("compact"), ["'2000-01-01'", "'2099-12-31'"])
    policy = analytics_policy()
    run = insights.monthly_plan(plan.last_month, datetime(2026, 12, 1, tzinfo=UTC), policy)
    found = {
        name: engine.execute(query_text(name), run.parameters[name]).records()
        for name in ("topics", "streets", "examples", "trend")
    }
    engine.close()
    board = insights.topic_candidates(
        found["topics"], found["streets"], found["examples"], found["trend"], MemoryReference(),
        policy.topics, plan.last_month,
    )  # fmt: skip
    return board, found["topics"]


@pytest.fixture(scope="module", params=["two Novembers", "first winter"])
def november(request, tmp_path_factory):
    plan = {
        # Last November is history: this one is measured against it.
        "two Novembers": HistoryPlan("2025-10", "2026-11", 160_000, seed=3, emerging=NEW_PROBLEM),
        # No November before: this one is measured against October carried over by the season.
        "first winter": HistoryPlan("2026-06", "2026-11", 90_000, seed=3, emerging=NEW_PROBLEM),
    }[request.param]
    return november_board(tmp_path_factory.mktemp("history"), plan)


def test_the_heating_season_does_not_fill_the_board_and_a_new_problem_comes_first(november):
    board, rows = november
    heating = next(r for r in rows if r["category"] == "heating_insufficient" and r["district"] is None)

    assert heating["orders"] > 5 * heating["previous_orders"] > 0  # the season started this month
    assert board[0].category == NEW_PROBLEM and "growth" in board[0].signals
    assert board[0].districts and board[0].districts[0].orders > (board[0].districts[0].baseline or 0)
    seasonal = [c for c in board if c.category in HEATING]
    assert len(seasonal) <= 1
    for candidate in seasonal:  # only when it is really above what the season brings
        assert "growth" in candidate.signals and candidate.growth and candidate.growth > 0
    assert len({c.category for c in board}) == len(board) and all(c.district is None for c in board)
