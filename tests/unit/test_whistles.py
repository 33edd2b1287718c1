"""街乡吹哨、部门报到 (Arts. 16, 33): the street summons, departments report within the limit, a
missed report is escalated to the district, and the whistle stays open until the street closes it."""

from datetime import timedelta

import pytest
from chalicelib.domain import whistles
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.model import Staff
from chalicelib.domain.notifications import StaffNotice, whistle_notices

from tests.fakes import MemoryWhistles
from tests.unit.conftest import DISPATCHER, HANDLER, OTHER_STREET

HOUSING = Staff(username="housing.handler", roles=frozenset({"handler"}), unit="110101-housing")
ENFORCEMENT = Staff(username="enforcement.handler", roles=frozenset({"handler"}), unit="110101-enforcement")
LIGHTING = Staff(username="lighting.handler", roles=frozenset({"handler"}), unit="bj-lighting")
MATTER = "方家胡同私搭乱建占用消防通道，需要城管、住建联合执法"


def blown(clock, reference, limits, departments=("110101-housing", "110101-enforcement"), order=None):
    return whistles.blow(
        MATTER, list(departments), order, HANDLER, clock.now(), reference=reference, limits=limits
    )


def test_a_street_summons_departments_each_due_to_report_within_the_limit(clock, reference, limits):
    whistle = blown(clock, reference, limits)

    assert (whistle.street, whistle.district, whistle.status) == ("110101004", "110101", "open")
    assert [(s.unit, s.report_by - clock.now()) for s in whistle.summons] == [
        ("110101-housing", timedelta(minutes=30)),
        ("110101-enforcement", timedelta(minutes=30)),
    ]
    assert [n.audience for n in whistle_notices(None, whistle)] == [
        "unit:110101-housing",
        "unit:110101-enforcement",
    ]


def test_only_streets_blow_and_only_departments_are_summoned(clock, reference, limits):
    with pytest.raises(Forbidden):
        whistles.blow(
            MATTER, ["110101-housing"], None, LIGHTING, clock.now(), reference=reference, limits=limits
        )
    with pytest.raises(Forbidden):
        whistles.blow(
            MATTER, ["110101-housing"], None, DISPATCHER, clock.now(), reference=reference, limits=limits
        )
    with pytest.raises(InvalidInput) as street:
        blown(clock, reference, limits, departments=("110101-housing", "110101003"))
    with pytest.raises(InvalidInput) as twice:
        blown(clock, reference, limits, departments=("110101-housing", "110101-housing"))

    assert [p.field for p in street.value.details] == ["departments.1"]
    assert [p.field for p in twice.value.details] == ["departments.1"]


def test_a_whistle_on_an_order_needs_an_order_the_street_holds(hotline, clock, reference, limits):
    order = hotline.order(hotline.dispatched())
    mine = blown(clock, reference, limits, order=order)

    with pytest.raises(InvalidInput) as theirs:
        whistles.blow(
            MATTER, ["110101-housing"], order, OTHER_STREET, clock.now(), reference=reference, limits=limits
        )

    assert mine.work_order_id == order.id
    assert [p.field for p in theirs.value.details] == ["work_order_id"]


def test_a_missed_report_is_escalated_once_and_the_late_department_still_reports(clock, reference, limits):
    store = MemoryWhistles()
    whistle = blown(clock, reference, limits)
    store.create(whistle)
    on_time = whistles.report(whistle, "已到现场", HOUSING, clock.now() + timedelta(minutes=10))
    store.update(on_time, whistle.version)

    clock.advance(minutes=10)
    assert whistles.check(whistle.id, whistles=store, clock=clock).wait_seconds == 20 * 60
    clock.advance(minutes=20)
    done = whistles.check(whistle.id, whistles=store, clock=clock)
    escalated = store.whistles[whistle.id]
    again = whistles.check(whistle.id, whistles=store, clock=clock)

    assert done.phase == again.phase == "done"
    assert store.get(whistle.id) == escalated  # escalated once
    part = {s.unit: s for s in escalated.summons}
    missed = part["110101-enforcement"]
    assert (missed.late, missed.escalated_at, part["110101-housing"].late) == (
        True,
        clock.now(),
        False,
    )
    assert {n.audience for n in whistle_notices(on_time, escalated)} == {
        "leader:110101-enforcement",
        "unit:110101",
    }
    late = whistles.report(escalated, "已到场", ENFORCEMENT, clock.now() + timedelta(minutes=5))
    assert [s.late for s in late.summons] == [False, True]
    assert whistle_notices(escalated, late) == [
        StaffNotice(
            "unit:110101004", f"部门报到 {whistle.id}", f"吹哨{whistle.id}：110101-enforcement已报到。"
        )
    ]
    with pytest.raises(Conflict):
        whistles.report(late, None, ENFORCEMENT, clock.now())


def test_only_the_street_closes_and_then_nobody_reports(clock, reference, limits):
    whistle = blown(clock, reference, limits)

    with pytest.raises(Forbidden):
        whistles.close(whistle, "已拆除", HOUSING, clock.now())
    with pytest.raises(Forbidden):
        whistles.report(whistle, None, LIGHTING, clock.now())
    closed = whistles.close(whistle, "违建已拆除，消防通道已打通", HANDLER, clock.now())

    assert (closed.status, closed.result) == ("closed", "违建已拆除，消防通道已打通")
    with pytest.raises(Conflict):
        whistles.report(closed, None, HOUSING, clock.now())
    assert whistles.due(closed, clock.now() + timedelta(hours=1)) == (None, None)


def test_more_departments_join_an_open_whistle(clock, reference, limits):
    whistle = blown(clock, reference, limits, departments=("110101-housing",))

    more = whistles.summon(
        whistle,
        ["bj-lighting"],
        HANDLER,
        clock.now() + timedelta(minutes=5),
        reference=reference,
        limits=limits,
    )

    assert [s.unit for s in more.summons] == ["110101-housing", "bj-lighting"]
    assert [n.audience for n in whistle_notices(whistle, more)] == ["unit:bj-lighting"]
    with pytest.raises(InvalidInput):
        whistles.summon(more, ["bj-lighting"], HANDLER, clock.now(), reference=reference, limits=limits)


def test_who_sees_a_whistle(clock, reference, limits):
    whistle = blown(clock, reference, limits)
    district = Staff(username="dongcheng.handler", roles=frozenset({"handler"}), unit="110101")

    for staff in (HANDLER, HOUSING, district, DISPATCHER):
        assert whistles.visible(whistle, staff, whistle.id) is whistle
    with pytest.raises(NotFound):
        whistles.visible(whistle, LIGHTING, whistle.id)
