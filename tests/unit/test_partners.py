"""Partner hotlines (Arts. 21, 22): transfer out, the partner's result, keys."""

import pytest
from chalicelib.domain import handling, partners, triage
from chalicelib.domain.errors import Conflict, Forbidden, NotFound, Unauthenticated
from chalicelib.domain.model import Status
from chalicelib.domain.notifications import Sms, notices
from chalicelib.reference_data import partners as known

from tests.unit.conftest import ADMIN, DISPATCHER


def test_a_transferred_order_tells_the_requester_where_it_went(hotline):
    order_id = hotline.receive(category=None)

    moved = hotline.act(order_id, partners.transfer(known()["hebei-12345"], None), DISPATCHER)

    assert (moved.status, moved.reason, moved.transfer_to, moved.first_receiver) == (
        Status.NOT_DISPATCHED,
        "transferred",
        "hebei-12345",
        None,
    )
    assert moved.timeline[-1].action == "transferred"
    assert (moved.timeline[-1].code, moved.timeline[-1].params) == (
        "settled",
        {"reason": "transferred", "transfer_to": "河北省12345政务服务便民热线"},
    )


def test_only_the_partner_it_went_to_reports_and_the_requester_hears_of_it(hotline, clock):
    order_id = hotline.receive(category=None)
    moved = hotline.act(order_id, partners.transfer(known()["tianjin-12345"], None), DISPATCHER)

    with pytest.raises(NotFound):
        partners.report(moved, known()["hebei-12345"], "已办理", clock.now())
    reported = partners.report(moved, known()["tianjin-12345"], "已转武清区办理", clock.now())

    assert reported.timeline[-1].action == "partner_replied"
    assert any(isinstance(n, Sms) and "反馈" in n.message for n in notices(moved, reported))
    back = hotline.act(order_id, triage.reinstate("属北京事项", hotline.limits), DISPATCHER)
    with pytest.raises(Conflict):
        partners.report(
            back.model_copy(update={"reason": "transferred", "transfer_to": "tianjin-12345"}),
            known()["tianjin-12345"],
            "迟到的反馈",
            clock.now(),
        )


def test_a_signed_order_is_not_transferred(hotline):
    order_id = hotline.dispatched()
    hotline.act(order_id, handling.sign)

    with pytest.raises(Conflict):
        hotline.act(order_id, partners.transfer(known()["tianjin-12345"], None), DISPATCHER)


def test_keys_are_issued_by_admins_and_stored_as_hashes(clock):
    key, client = partners.issue(known()["tianjin-12345"], ADMIN, clock.now())

    assert client.key_hash == partners.key_hash(key) != key
    with pytest.raises(Forbidden):
        partners.issue(known()["tianjin-12345"], DISPATCHER, clock.now())
    with pytest.raises(Unauthenticated):
        partners.require_key(None)
