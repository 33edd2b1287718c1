import pytest
from chalicelib.domain.dispatch import route
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.model import Location


def test_a_known_street_gets_the_order_with_a_copy_to_its_district(reference):
    chosen = route(Location(district="110101", street="110101004"), reference)

    assert chosen.first_receiver.name == "安定门街道"
    assert [u.name for u in chosen.copied_to] == ["东城区人民政府"]


def test_only_a_district_known_sends_it_to_the_district_government(reference):
    chosen = route(Location(district="110105"), reference)

    assert chosen.first_receiver.name == "朝阳区人民政府"
    assert chosen.copied_to == ()


def test_a_street_of_another_district_is_refused(reference):
    with pytest.raises(InvalidInput) as raised:
        route(Location(district="110105", street="110101004"), reference)

    assert raised.value.details[0].field == "location.street"


def test_the_registry_has_every_district_and_street(reference):
    kinds = [u.kind.value for u in reference.units.values()]

    assert kinds.count("district") == 16
    assert kinds.count("street") == 343
