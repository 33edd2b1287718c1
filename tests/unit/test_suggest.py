"""Smart dispatch: category, type, urgency and units suggested from the text (make bench measures
accuracy on a held-out set)."""

from chalicelib.domain.model import Category, CategoryKind, Location, RequestType

from tests.unit.conftest import suggested

ANDINGMEN = Location(district="110101", street="110101004")


def test_a_request_gets_its_category_type_urgency_and_units(reference):
    found = suggested(reference, "我家暖气一点都不热，屋里才十二度，老人孩子都冻感冒了", ANDINGMEN)

    assert found.categories[0].code == "heating_insufficient"
    assert 0 < found.categories[0].confidence <= 1
    assert [c.confidence for c in found.categories] == sorted(
        (c.confidence for c in found.categories), reverse=True
    )
    assert found.type is RequestType.COMPLAINT
    assert found.urgency == found.categories[0].tier
    assert found.units and found.units[0].role == "first_receiver"
    assert found.emergency is None


def test_units_follow_the_catalogue_route_at_the_location(reference):
    found = suggested(reference, "胡同里的路灯好几天晚上都不亮了，走路很黑", ANDINGMEN)

    assert found.categories[0].code == "street_lighting"
    assert [(u.id, u.role) for u in found.units] == [
        ("110101004", "first_receiver"),
        ("110101", "copied"),
        ("bj-lighting", "assisting"),
    ]


def test_without_a_location_no_units_and_an_emergency_is_flagged(reference):
    found = suggested(reference, "楼道里着火了，烟很大")

    assert (found.units, found.emergency) == ([], "119")


def test_a_category_an_admin_adds_is_suggested_from_its_keywords(reference):
    reference.put_category(
        Category(
            code="drone_flying",
            name="无人机违规飞行",
            group="city_environment",
            kind=CategoryKind.TERRITORIAL,
            tier="7d",
            keywords=("无人机", "航拍", "黑飞"),
        ),
        None,
    )

    found = suggested(reference, "小区上空天天有人放无人机黑飞，嗡嗡响")

    assert found.categories[0].code == "drone_flying"


def test_a_consultation_brings_knowledge_base_answers(reference):
    found = suggested(reference, "请问今年几号开始来暖气")

    assert found.answers[0].id == "kb-heating-season"
    assert found.type is RequestType.CONSULTATION
