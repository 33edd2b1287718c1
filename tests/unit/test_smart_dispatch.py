"""Smart dispatch (DESIGN.md section 4): the seed case dispatched by itself to the right street,
emergencies in plain words, the place from the text, and a retrained model served only when it
measures better (make bench measures the model on the evaluation set)."""

import random
from datetime import UTC, datetime

import pytest
from chalicelib.domain import dispatch_training, smart_dispatch, triage
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.model import RequestType
from chalicelib.domain.smart_dispatch import Example, Figures
from chalicelib.reference_data import categories, emergency_words, gazetteer, shipped_model

from tests.fakes import MemoryDispatchModels
from tests.unit.conftest import suggested

SEED = "方家胡同的路灯很昏暗，部分被树挡住，晚上街坊经常摔跤"
NOW = datetime(2026, 12, 1, 2, tzinfo=UTC)


def test_the_seed_case_is_street_lighting_at_andingmen_and_would_be_dispatched_automatically(reference):
    found = suggested(reference, SEED)

    assert (found.categories[0].code, found.categories[0].major_name) == (
        "street_lighting",
        "城乡建设与城市管理",
    )
    assert found.place is not None and (found.place.street, found.place.matched) == (
        "110101004",
        ["方家胡同"],
    )
    assert [(u.id, u.role) for u in found.units][:2] == [
        ("110101004", "first_receiver"),
        ("110101", "copied"),
    ]
    assert found.automatic and found.emergency is None and found.model == "shipped"


def test_a_vague_request_is_left_to_a_dispatcher(reference):
    found = suggested(reference, "你好，有个情况想反映一下，麻烦尽快联系我")

    assert not found.automatic
    assert found.categories[0].confidence < shipped_model().threshold


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("我父亲突然晕倒，叫不醒", "120"),
        ("十字路口两辆车相撞，有人受伤", "122"),
        ("楼道里全是烟，邻居家窗户往外蹿火苗", "119"),
        ("上周着过火，现在没事了", None),
        ("物业费涨得我要晕倒了", None),
    ],
)
def test_emergencies_in_plain_words_are_recognised_and_their_near_misses_are_not(text, line):
    assert triage.emergency_line(text, emergency_words()) == line


@pytest.mark.parametrize(
    ("text", "district", "street"),
    [
        ("北京市东城区安定门街道方家胡同", "110101", "110101004"),
        ("我住朝阳门外，楼下垃圾没人清", "110101", "110101007"),  # 朝阳门 is 东城区's, not 朝阳区
        ("海淀区八里庄那边", "110108", "110108005"),  # 八里庄 is a street of 朝阳 and of 海淀
        ("天通苑东三区的电梯又坏了", "110114", None),  # spans two streets: only its district
    ],
)
def test_the_place_is_read_from_the_text(text, district, street):
    place = gazetteer().find(text)

    assert place is not None and (place.district, place.street) == (district, street)


def test_the_threshold_is_the_lowest_confidence_at_which_suggestions_are_right_enough():
    confident = [(0.99, True)] * 40 + [(0.98, False)]
    shaky = [(0.6, True), (0.55, False), (0.5, False)] * 10

    threshold = dispatch_training.choose_threshold(confident + shaky)

    # at or above 0.6: 50 right of 51 (98 %); at or above 0.55: 50 of 61
    assert threshold == 0.6
    assert dispatch_training.choose_threshold(shaky) == 1.0  # never right enough: never automatic


def test_the_threshold_holds_its_precision_on_requests_it_was_not_chosen_on():
    # Suggestions right about as often as their confidence says, as a calibrated model's are
    rng = random.Random(7)
    pairs = [(c, rng.random() < c) for c in (rng.uniform(0.5, 1.0) for _ in range(2000))]
    naive = dispatch_training.choose_threshold(pairs)

    threshold, crossed = dispatch_training.honest_threshold(pairs)

    # Then chosen on either half, it is right at least 97 % of the time on the other half
    assert len(crossed) >= 20 and sum(crossed) / len(crossed) >= 0.97
    # and it is no lower than the threshold chosen for 97 % on all the requests
    assert threshold >= naive
    # and one that can never be right enough stays never automatic
    assert dispatch_training.honest_threshold([(0.9, False)] * 50) == (1.0, [])


def figures(top1: float) -> Figures:
    return Figures(
        requests=100,
        top1=top1,
        top3=top1,
        major_top1=top1,
        ece=0.03,
        mean_confidence=top1,
        threshold=0.9,
        auto_rate=0.5,
        auto_precision=0.97,
        auto_precision_cross=0.97,
        type_accuracy=0.7,
    )


def test_a_retrained_model_serves_only_if_it_measures_better_and_an_analyst_can_roll_back():
    # Given a catalogue of three categories, a few written requests, and a serving model
    catalogue = [
        c for c in categories() if c.code in ("street_lighting", "garbage_collection", "wage_arrears")
    ]
    written = [
        Example("路灯不亮了晚上黑", "street_lighting", RequestType.COMPLAINT),
        Example("胡同口路灯坏了", "street_lighting", RequestType.COMPLAINT),
        Example("垃圾桶满了没人清运", "garbage_collection", RequestType.COMPLAINT),
        Example("小区垃圾好几天没人收", "garbage_collection", RequestType.COMPLAINT),
        Example("老板拖欠三个月工资", "wage_arrears", RequestType.COMPLAINT),
        Example("工地不给结工钱", "wage_arrears", RequestType.HELP),
    ]
    history = [Example("灯杆上的灯一闪一闪的", "street_lighting", RequestType.COMPLAINT)] * 3
    evaluation = [
        Example("路灯晚上不亮", "street_lighting", RequestType.COMPLAINT),
        Example("垃圾没人清", "garbage_collection", RequestType.COMPLAINT),
        Example("公司欠我工资不给", "wage_arrears", RequestType.COMPLAINT),
    ]
    serving = dispatch_training.build(written, catalogue, evaluation)
    models = MemoryDispatchModels()

    # When the serving model measures worse than any candidate, and when it measures perfectly
    serving.figures = figures(0.0)
    better = dispatch_training.retrain(
        written, history, catalogue, evaluation, serving=serving, version="2026-11-a", now=NOW, models=models
    )
    serving.figures = figures(1.0)
    worse = dispatch_training.retrain(
        written, history, catalogue, evaluation, serving=serving, version="2026-11-b", now=NOW, models=models
    )

    # Then only the first serves; both are kept with what they learned from
    index, _ = models.index()
    assert (better.promoted, worse.promoted, index.serving) == (True, False, "2026-11-a")
    assert [(m.version, m.history) for m in index.models] == [("2026-11-a", 3), ("2026-11-b", 3)]
    assert models.serving(serving).version == "2026-11-a"

    # And an analyst rolls back to the shipped model; asking again, or for an unknown one, is refused
    smart_dispatch.serve("shipped", "analyst1", "回滚", now=NOW, models=models)
    with pytest.raises(Conflict):
        smart_dispatch.serve("shipped", "analyst1", "再次", now=NOW, models=models)
    with pytest.raises(NotFound):
        smart_dispatch.serve("2026-12-x", "analyst1", "不存在", now=NOW, models=models)
    assert models.serving(serving) is serving
    assert [c.by for c in models.index()[0].changes] == ["retraining", "analyst1"]
