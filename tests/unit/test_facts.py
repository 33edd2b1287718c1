"""What analytics gets of an order or a whistle: the facts, never the person (DESIGN.md section 8)."""

import json

from chalicelib.domain import facts, handling, triage
from chalicelib.domain.facts import ORDER_COLUMNS, SUMMONS_COLUMNS, order_fact, summons_facts
from chalicelib.domain.model import Location, Requester

from tests.unit.conftest import DISPATCHER, HANDLER
from tests.unit.test_whistles import blown

KEY = b"analytics-test-key"


def test_a_handled_order_becomes_a_row_without_name_or_phone(hotline):
    order_id = hotline.dispatched(
        content="楼下饭馆油烟太大，联系我13812345678，车牌京N8K2V7的车也常年占道",
        requester=Requester(name="刘先生", phone="13800001234"),
    )
    hotline.handled(order_id)
    order = hotline.rate(order_id, resolved=True, satisfaction="basically_satisfied")

    row = order_fact(order, KEY)
    flat = json.dumps(row, ensure_ascii=False)

    assert [c for c, _ in ORDER_COLUMNS] + ["day", "month"] == list(row)
    assert "刘先生" not in flat and "13800001234" not in flat and "13812345678" not in flat
    assert row["text"] == "楼下饭馆油烟太大，联系我138****5678，车牌京N*****的车也常年占道"
    assert row["requester"] == facts.requester_key(KEY, "+86 138-0000-1234")
    assert row["requester"] != facts.requester_key(b"another key", "13800001234")
    assert (row["unit"], row["status"], row["resolved"], row["satisfaction"]) == (
        "110101004",
        "closed",
        True,
        "basically_satisfied",
    )
    assert row["contacted_at"] is not None and row["contact_late"] is False
    assert row["reason"] is None and row["unreasonable"] is False
    # 01:30 UTC on 26 November is 09:30 in Beijing: the day and month are the hotline's.
    assert (row["day"], row["month"]) == ("2026-11-26", "2026-11")


def test_the_same_place_written_differently_is_one_place(hotline):
    first = hotline.order(
        hotline.receive(location=Location(district="110101", street="110101004", address="方家胡同 12号"))
    )
    again = hotline.order(
        hotline.receive(location=Location(district="110101", street="110101004", address="方家胡同１２号。"))
    )
    elsewhere = hotline.order(
        hotline.receive(location=Location(district="110101", street="110101003", address="方家胡同12号"))
    )

    assert order_fact(first, KEY)["place"] == order_fact(again, KEY)["place"]
    assert order_fact(first, KEY)["place"] != order_fact(elsewhere, KEY)["place"]


def test_a_confidential_order_gives_no_text(hotline):
    order = hotline.order(hotline.receive(confidential=True))

    assert order_fact(order, KEY)["text"] is None


def test_an_order_settled_without_dispatch_keeps_its_reason(hotline, clock):
    order_id = hotline.receive()
    order = hotline.order(order_id)
    decided = triage.decide(triage.Reason.OUTSIDE_DUTIES, None, "不属于政府职责")
    handling.perform(
        order,
        order.version,
        DISPATCHER,
        decided,
        orders=hotline.orders,
        workflows=hotline.workflows,
        clock=clock,
    )

    row = order_fact(hotline.order(order_id), KEY)

    assert (row["status"], row["reason"], row["unit"]) == ("not_dispatched", "outside_duties", None)


def test_a_whistle_gives_a_row_per_summoned_department(clock, reference, limits):
    whistle = blown(clock, reference, limits)

    rows = summons_facts(whistle)

    assert [c for c, _ in SUMMONS_COLUMNS] + ["day"] == list(rows[0])
    assert [(r["street"], r["department"], r["reported_at"], r["late"]) for r in rows] == [
        ("110101004", "110101-housing", None, False),
        ("110101004", "110101-enforcement", None, False),
    ]
    assert rows[0]["report_by"] - rows[0]["summoned_at"] == 1800
    assert HANDLER.unit == rows[0]["street"]
