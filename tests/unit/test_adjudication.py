"""不合理诉求认定: a supervisor judges a rated request unreasonable; it then leaves the unit's rates."""

import pytest
from chalicelib.domain import supervision
from chalicelib.domain.errors import Conflict
from chalicelib.domain.facts import order_fact

from tests.unit.conftest import SUPERVISOR


def test_a_supervisor_judges_a_rated_request_unreasonable_and_can_take_it_back(hotline):
    order_id = hotline.dispatched()
    hotline.handled(order_id)
    hotline.rate(order_id, resolved=False, satisfaction="dissatisfied")

    judged = hotline.act(order_id, supervision.adjudicate(True, "依法不予支持，诉求人仍不满意"), SUPERVISOR)
    withdrawn = hotline.act(order_id, supervision.adjudicate(False, "复核后撤销认定"), SUPERVISOR)

    assert judged.adjudicated_unreasonable and not withdrawn.adjudicated_unreasonable
    assert [e.action for e in withdrawn.timeline][-2:] == [
        "adjudicated_unreasonable",
        "adjudication_withdrawn",
    ]
    assert judged.timeline[-1].internal_note == "依法不予支持，诉求人仍不满意"
    # The evaluation stays; analytics sees the judgement.
    assert judged.evaluation is not None and order_fact(judged, b"k")["unreasonable"] is True


def test_only_a_rated_order_is_judged_and_only_once(hotline):
    """(Who may judge is the API's rule: supervisors only, tests/integration/test_authorization.py.)"""
    order_id = hotline.dispatched()

    with pytest.raises(Conflict) as unrated:
        hotline.act(order_id, supervision.adjudicate(True, "诉求不合理"), SUPERVISOR)
    hotline.handled(order_id)
    hotline.rate(order_id, resolved=False, satisfaction="dissatisfied")
    hotline.act(order_id, supervision.adjudicate(True, "诉求不合理"), SUPERVISOR)
    with pytest.raises(Conflict) as twice:
        hotline.act(order_id, supervision.adjudicate(True, "诉求不合理"), SUPERVISOR)

    assert (unrated.value.code, twice.value.code) == ("not_rated", "already_adjudicated")
