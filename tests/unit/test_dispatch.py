"""Routing (Art. 12) and the dispatcher's confirm or override; the catalogue and units registry."""

import collections
from pathlib import Path

import pytest
from chalicelib.domain import dispatch, handling
from chalicelib.domain.dispatch import Route
from chalicelib.domain.dispatch import route as catalogue_route
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.model import CategoryKind, Location, Status, UnitKind
from chalicelib.reference_data import catalogue_levels

from tests.unit.conftest import DISPATCHER

ANDINGMEN = Location(district="110101", street="110101004")


def route(location, category, reference) -> Route:
    chosen = catalogue_route(location, category, reference)
    assert chosen is not None
    return chosen


def test_a_known_street_gets_a_territorial_order_with_a_copy_to_its_district(reference):
    chosen = route(ANDINGMEN, reference.category("manhole_cover"), reference)

    assert chosen.first_receiver.name == "安定门街道"
    assert [u.name for u in chosen.copied_to] == ["东城区人民政府"]
    assert chosen.assisting == ()


def test_only_a_district_known_sends_it_to_the_district_government(reference):
    chosen = route(Location(district="110105"), reference.category("manhole_cover"), reference)

    assert chosen.first_receiver.name == "朝阳区人民政府"
    assert chosen.copied_to == ()


def test_a_sectoral_category_goes_to_its_department(reference):
    gas = route(ANDINGMEN, reference.category("gas_leak"), reference)
    wages = route(Location(district="110105"), reference.category("wage_arrears"), reference)

    assert (gas.first_receiver.id, gas.copied_to) == ("bj-gas", ())
    # A district-level department: the one of the location's district.
    assert (wages.first_receiver.id, wages.first_receiver.name) == (
        "110105-hrss",
        "朝阳区人力资源和社会保障局",
    )


def test_a_category_of_both_kinds_is_dual_dispatched(reference):
    chosen = route(ANDINGMEN, reference.category("street_lighting"), reference)

    assert chosen.first_receiver.id == "110101004"
    assert [u.id for u in chosen.assisting] == ["bj-lighting"]
    assert (chosen.why, chosen.because) == ("route_dual", {"lead": "110101004", "assisting": "bj-lighting"})


def test_a_street_of_another_district_is_refused(reference):
    with pytest.raises(InvalidInput) as raised:
        catalogue_route(Location(district="110105", street="110101004"), None, reference)

    assert raised.value.details[0].field == "location.street"


def test_the_dispatcher_confirms_the_route_of_an_uncategorised_order(hotline, limits, reference):
    order_id = hotline.receive(category=None)

    order = hotline.act(
        order_id, dispatch.dispatch_by([], "manhole_cover", None, reference, limits), DISPATCHER
    )

    assert (order.status, order.category, order.tier, order.first_receiver) == (
        Status.DISPATCHED,
        "manhole_cover",
        "2h",
        "110101004",
    )
    event = order.timeline[-1]
    assert (event.action, event.actor, event.internal_note, event.code, event.params) == (
        "dispatched",
        "dispatcher1",
        None,
        "route_territorial",
        {"lead": "110101004"},
    )


def test_an_override_needs_a_reason_and_is_recorded(hotline, limits, reference):
    order_id = hotline.dispatched(category="manhole_cover")

    with pytest.raises(InvalidInput) as missing:
        hotline.act(order_id, dispatch.dispatch_by(["110101003"], None, None, reference, limits), DISPATCHER)
    order = hotline.act(
        order_id,
        dispatch.dispatch_by(["110101003"], None, "井盖位于交道口辖区", reference, limits),
        DISPATCHER,
    )

    assert missing.value.details[0].field == "reason"
    assert (order.first_receiver, order.copied_to) == ("110101003", ["110101"])
    assert (order.timeline[-1].action, order.timeline[-1].code, order.timeline[-1].internal_note) == (
        "redispatched",
        "route_override",
        "井盖位于交道口辖区",
    )


def test_a_signed_order_cannot_be_redispatched(hotline, limits, reference):
    order_id = hotline.dispatched()
    hotline.act(order_id, handling.sign)

    with pytest.raises(Conflict):
        hotline.act(
            order_id, dispatch.dispatch_by(["110101003"], None, "改派", reference, limits), DISPATCHER
        )


def test_an_unknown_unit_names_the_field(hotline, limits, reference):
    order_id = hotline.receive(category=None)

    with pytest.raises(InvalidInput) as raised:
        hotline.act(
            order_id,
            dispatch.dispatch_by(["nowhere"], "manhole_cover", "x原因", reference, limits),
            DISPATCHER,
        )

    assert raised.value.details[0].field == "units.0"


def test_the_registry_has_every_division_and_the_city_bodies(reference):
    kinds = collections.Counter(u.kind for u in reference.units())

    assert kinds[UnitKind.DISTRICT] == 16
    assert kinds[UnitKind.STREET] == 343
    city = [u for u in reference.units() if u.id.startswith("bj-")]
    assert len(city) >= 30 and {"bj-lighting", "bj-water", "bj-gas", "bj-power", "bj-heating"} <= {
        u.id for u in city
    }
    assert reference.unit("110108-housing").name == "海淀区住房和城乡建设委员会"


def test_the_catalogue_covers_the_whole_hotline_in_three_levels_and_routes_every_category(reference):
    categories = reference.categories()
    levels = catalogue_levels()
    majors = collections.Counter(c.major for c in categories)
    groups = {c.group for c in categories}
    first_codes = (Path(__file__).parent / "data" / "catalogue_2026_11_codes.txt").read_text().split()

    # Every domain the 12345 absorbed, each 大类 with its 中类, and 300 and more 小类
    assert len(categories) >= 300 and len(majors) == 20 and all(n >= 5 for n in majors.values())
    assert {"labour", "education", "culture_tourism_sport", "family_planning", "tax"} <= set(majors)
    assert all(code in levels for code in [*majors, *groups])
    # The codes orders, history and analytics already refer to stay
    assert set(first_codes) <= {c.code for c in categories} and len(first_codes) == 107
    assert {c.kind for c in categories} == set(CategoryKind)
    for category in categories:  # every category reaches a unit from every street
        assert catalogue_route(ANDINGMEN, category, reference) is not None
        assert category.keywords


# --- routed once: the route intake finds is the one the workflow dispatches along ---------------


@pytest.fixture
def routings(monkeypatch):
    """Every time the catalogue's route is worked out, at intake or in the workflow."""
    from chalicelib.domain import intake, workflow

    found: list[tuple[str | None, str | None]] = []

    def counted(location, category, reference):
        found.append((category.code if category else None, location.street))
        return catalogue_route(location, category, reference)

    monkeypatch.setattr(intake, "route", counted)
    monkeypatch.setattr(workflow, "route", counted)
    return found


def test_an_ordinary_order_is_routed_once_at_intake_and_dispatched_along_that_route(hotline, routings):
    order_id = hotline.receive(category="street_lighting")
    hotline.dispatch(order_id)

    order = hotline.order(order_id)
    assert routings == [("street_lighting", "110101004")]
    assert (order.status, order.first_receiver, order.copied_to, order.assisting) == (
        Status.DISPATCHED,
        "110101004",
        ["110101"],
        ["bj-lighting"],
    )
    assert (order.timeline[-1].code, order.timeline[-1].params) == (
        "route_dual",
        {"lead": "110101004", "assisting": "bj-lighting"},
    )


def test_an_order_whose_category_changed_since_intake_is_routed_again(hotline, routings):
    order_id = hotline.receive(category="manhole_cover")
    received = hotline.order(order_id)
    hotline.orders.update(received.record(hotline.clock.now(), category="gas_leak"), expected_version=1)

    hotline.dispatch(order_id)

    assert routings == [("manhole_cover", "110101004"), ("gas_leak", "110101004")]
    assert (hotline.order(order_id).first_receiver, hotline.order(order_id).copied_to) == ("bj-gas", [])


def test_the_route_kept_from_intake_serves_only_the_category_and_place_it_was_found_for(hotline):
    order = hotline.order(hotline.receive(category="manhole_cover"))
    elsewhere = order.location.model_copy(update={"street": "110101003"})

    assert dispatch.kept_route(order) == route(
        ANDINGMEN, hotline.reference.category("manhole_cover"), hotline.reference
    )
    assert dispatch.kept_route(order.model_copy(update={"location": elsewhere})) is None
    assert dispatch.kept_route(order.model_copy(update={"category": "gas_leak"})) is None
    # A reinstated order is routed afresh: the catalogue may have changed since intake.
    assert dispatch.kept_route(order.model_copy(update={"reinstated": 1})) is None
