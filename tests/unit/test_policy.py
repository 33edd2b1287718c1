"""The dispatch catalogue and the time limits as data an admin edits, with versions."""

import pytest
from chalicelib.domain import policy
from chalicelib.domain.errors import InvalidInput, StaleVersion

from tests.unit.conftest import ADMIN

LAMP = {
    "name": "景观灯",
    "group": "municipal",
    "kind": "sectoral",
    "tier": "24h",
    "department": "bj-lighting",
}


def save(code, reference, clock, limits, **body):
    return policy.save_category(
        code, policy.CategoryEdit(**body), ADMIN, reference=reference, clock=clock, limits=limits
    )


def test_a_new_category_starts_at_version_one_and_routes(reference, clock, limits):
    saved = save("landscape_lights", reference, clock, limits, **LAMP, keywords=["景观灯", "亮化"])

    assert (saved.version, saved.updated_by, saved.updated_at) == (1, "admin1", clock.now())
    assert reference.category("landscape_lights").department == "bj-lighting"


def test_an_edit_needs_the_version_read(reference, clock, limits):
    current = reference.category("street_lighting")
    body = {**LAMP, "name": "路灯照明", "kind": "both"}

    saved = save("street_lighting", reference, clock, limits, **body, version=current.version)

    with pytest.raises(StaleVersion):
        save("street_lighting", reference, clock, limits, **body, version=current.version)
    with pytest.raises(StaleVersion):
        save("street_lighting", reference, clock, limits, **body)  # "new", but it exists
    assert saved.version == current.version + 1
    assert [c.version for c in policy.history("street_lighting", reference)] == [
        saved.version,
        current.version,
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"tier": "3d"}, "tier"),
        ({"department": "nowhere"}, "department"),
        ({"department": None}, "department"),
        ({"department": "110101004"}, "department"),  # a street office is not a department
        ({"kind": "territorial"}, "department"),  # a territorial category names no department
        ({"department": "district:nothing"}, "department"),
    ],
)
def test_a_category_that_cannot_route_names_the_field(reference, clock, limits, changes, field):
    with pytest.raises(InvalidInput) as raised:
        save("landscape_lights", reference, clock, limits, **{**LAMP, **changes})

    assert raised.value.details[0].field == field


def test_a_bad_code_names_the_field(reference, clock, limits):
    with pytest.raises(InvalidInput) as raised:
        save("Bad Code!", reference, clock, limits, **LAMP)

    assert raised.value.details[0].field == "code"


def test_time_limits_change_by_version(reference, clock, limits):
    faster = limits.model_copy(update={"reminders": (30, 60, 90)})

    saved = policy.save_time_limits(
        policy.LimitsEdit(limits=faster, version=1), ADMIN, reference=reference, clock=clock
    )

    assert (saved.version, saved.reminders, reference.time_limits().updated_by) == (2, (30, 60, 90), "admin1")
    with pytest.raises(StaleVersion):
        policy.save_time_limits(
            policy.LimitsEdit(limits=faster, version=1), ADMIN, reference=reference, clock=clock
        )
