"""The public effectiveness board: a month's stored results as published, above the minimum count."""

import csv
import io
from datetime import UTC, datetime

import pytest
from chalicelib.domain import board
from chalicelib.domain.assessment import Assessment
from chalicelib.domain.errors import NotFound
from chalicelib.domain.insights import CategoryMonth, MonthCount, MonthRun, StreetVolume, Topic
from chalicelib.domain.model import UnitKind
from chalicelib.domain.views import UnitView
from chalicelib.entrypoints.board_api import as_csv

RAN = datetime(2026, 11, 1, 2, tzinfo=UTC)
RUN = MonthRun(month="2026-10", ran_at=RAN, orders=900, units=40, candidates=5, recurrences=2)


def unit(code: str, name: str, kind: str, dispatched: int, followed_up: int, satisfied: int) -> Assessment:
    responded = dispatched - 1
    return Assessment(
        unit=UnitView(id=code, name=name, kind=kind),
        rank=1,
        dispatched=dispatched,
        responded=responded,
        followed_up=followed_up,
        resolved=followed_up // 2,
        satisfied=satisfied,
        response_rate=round(responded / dispatched, 4),
        resolution_rate=round((followed_up // 2) / followed_up, 4) if followed_up else None,
        satisfaction_rate=round(satisfied / followed_up, 4) if followed_up else None,
        score=90.0,
        excluded=3,
        whistles=2,
    )


DISTRICTS = [
    unit("110101", "东城区", "district", 300, 200, 180),
    unit("110102", "西城区", "district", 400, 10, 9),  # enough orders, too few ratings
    unit("110228", "密云区", "district", 19, 19, 19),  # too few orders: withheld
]
STREETS = [
    unit("110101004", "安定门街道", "street", 40, 30, 27),
    unit("110101003", "交道口街道", "street", 3, 3, 0),
]
PLACES = [
    StreetVolume(street="110101004", name="安定门街道", district="110101", district_name="东城区", orders=45),
]
TREND = [
    CategoryMonth(month="2026-10", category="noise", name="噪声扰民", orders=120, resolution_rate=0.5,
                  satisfaction_rate=0.7),
    CategoryMonth(month="2026-10", category="heating", name="供暖", orders=300, resolution_rate=0.6,
                  satisfaction_rate=0.8),
    CategoryMonth(month="2026-10", category="pets", name="宠物", orders=5, resolution_rate=1.0,
                  satisfaction_rate=1.0),
    CategoryMonth(month="2026-09", category="noise", name="噪声扰民", orders=999, resolution_rate=0.5,
                  satisfaction_rate=0.7),
]  # fmt: skip


def topic(month: str, progress: list[tuple[str, int]], title: str = "电动自行车违规充电") -> Topic:
    return Topic(
        id=f"{month}:ebike|110101",
        month=month,
        key="ebike|110101",
        title=title,
        category="ebike",
        category_name="电动自行车",
        district="110101",
        district_name="东城区",
        lead_unit=UnitView(id="fire", name="市消防救援总队", kind="department"),
        note="内部说明：联系人王某 13812345678",
        adopted_by="analyst1",
        adopted_at=RAN,
        baseline_orders=80,
        progress=[MonthCount(month=m, orders=n) for m, n in progress],
    )


def built(topics: list[Topic] | None = None, least: int = 20) -> board.Board:
    return board.assemble(RUN, DISTRICTS, STREETS, PLACES, TREND, topics or [], least)


def test_units_below_the_minimum_are_counted_not_named():
    found = built()

    assert [d.name for d in found.districts] == ["西城区", "东城区"]  # most orders first
    assert (found.withheld_districts, found.withheld_streets) == (1, 1)
    assert [s.name for s in found.streets] == ["安定门街道"]
    assert found.least_count == 20


def test_a_rate_resting_on_too_few_ratings_is_not_given():
    xicheng = built().districts[0]

    assert xicheng.response_rate == round(399 / 400, 4)
    assert (xicheng.resolution_rate, xicheng.satisfaction_rate) == (None, None)
    assert xicheng.followed_up == 10  # the count itself is an aggregate of 400 orders


def test_a_lower_minimum_publishes_more():
    found = built(least=3)

    assert {s.name for s in found.streets} == {"安定门街道", "交道口街道"}
    assert found.districts[0].satisfaction_rate == 0.9
    assert found.withheld_streets == 0


def test_streets_carry_their_district_and_rates_as_stored():
    street = built().streets[0]

    assert (street.district, street.district_name) == ("110101", "东城区")
    assert street.satisfaction_rate == 0.9 and street.resolution_rate == 0.5


def test_the_months_most_frequent_categories_from_the_minimum_count():
    found = built()

    assert [(c.name, c.orders) for c in found.categories] == [("供暖", 300), ("噪声扰民", 120)]


def test_topics_show_their_progress_up_to_the_boards_month():
    later = topic("2026-09", [("2026-10", 60), ("2026-11", 30)])
    unborn = topic("2026-11", [])

    found = built([later, unborn])

    assert len(found.topics) == 1
    shown = found.topics[0]
    assert [p.month for p in shown.progress] == ["2026-10"]
    assert (shown.baseline_orders, shown.latest_orders, shown.change) == (80, 60, -0.25)
    assert shown.lead_unit == "市消防救援总队"


def test_a_topic_adopted_in_the_boards_month_stands_at_its_baseline():
    shown = built([topic("2026-10", [])]).topics[0]

    assert (shown.latest_orders, shown.change) == (80, 0.0)


def test_nothing_on_the_board_names_a_person_or_an_inner_note():
    text = built([topic("2026-09", [("2026-10", 60)])]).model_dump_json()

    for secret in ("analyst1", "王某", "13812345678", "内部说明", "excluded", "whistles"):
        assert secret not in text


class Store:
    """The stored results the board reads (the Insights port's reading side)."""

    def __init__(self, run: MonthRun | None) -> None:
        self.run = run

    def month_run(self, month: str) -> MonthRun | None:
        return self.run if self.run and self.run.month == month else None

    def months(self) -> list[MonthRun]:
        return [self.run] if self.run else []

    def assessments(self, month: str, kind: UnitKind) -> list[Assessment]:
        return DISTRICTS if kind is UnitKind.DISTRICT else STREETS

    def streets(self, month: str) -> list[StreetVolume]:
        return PLACES

    def trend(self, month: str) -> list[CategoryMonth]:
        return TREND

    def topics(self) -> list[Topic]:
        return []


def test_a_month_the_run_has_not_covered_is_not_found():
    store = Store(RUN)

    assert board.board(store, "2026-10", 20).orders == 900  # type: ignore[arg-type]
    assert [m.month for m in board.months(store).items] == ["2026-10"]  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        board.board(store, "2026-09", 20)  # type: ignore[arg-type]


def test_the_csv_has_one_row_per_figure_and_defuses_formulas():
    found = built([topic("2026-09", [("2026-10", 60)], title='=HYPERLINK("x")')])

    text = as_csv(found)

    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [r["section"] for r in rows] == ["district"] * 2 + ["street"] + ["category"] * 2 + ["topic"]
    assert {r["month"] for r in rows} == {"2026-10"}
    dongcheng = next(r for r in rows if r["name"] == "东城区")
    assert (dongcheng["orders"], dongcheng["satisfaction_rate"]) == ("300", "0.9")
    assert rows[-1]["name"].startswith("'=")
    assert rows[-1]["change"] == "-0.25"
