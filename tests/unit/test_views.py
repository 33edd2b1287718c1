"""What each audience sees, and who is told what."""

from datetime import timedelta

from chalicelib.domain import extensions, handling, objections, supervision
from chalicelib.domain.model import ObjectionGrounds
from chalicelib.domain.notifications import Sms, StaffNotice, notices
from chalicelib.domain.views import public_view, staff_view

from tests.unit.conftest import HANDLER, OPERATOR, SUPERVISOR


def test_the_public_never_sees_staff_names_internal_notes_or_internal_steps(hotline, reference):
    order_id = hotline.dispatched()
    hotline.act(order_id, objections.object_to(ObjectionGrounds.DUTY, "本街道无路灯维修职责"))

    view = public_view(hotline.order(order_id), reference).model_dump(mode="json")

    assert view["timeline"][1] == {
        "at": view["timeline"][1]["at"],
        "action": "dispatched",
        "unit": "安定门街道",
        "note": None,
        "code": None,  # how the route was chosen is the hotline's own
        "params": {},
    }
    assert [e["action"] for e in view["timeline"]] == ["received", "dispatched"]  # the objection is internal
    text = str(view)
    for secret in ("andingmen.handler", "无路灯维修职责", "dual dispatch", "13800001234", "刘先生"):
        assert secret not in text


def test_the_public_sees_extensions_with_their_reasons(hotline, reference, limits):
    order_id = hotline.dispatched()
    hotline.act(order_id, handling.sign)
    later = hotline.order(order_id).deadline + timedelta(days=2)
    hotline.act(order_id, extensions.ask("需更换地下电缆", later, limits))
    hotline.act(order_id, extensions.decide(extensions.APPROVE, None, limits), SUPERVISOR)

    view = public_view(hotline.order(order_id), reference)

    assert [(x.reason, x.new_deadline) for x in view.extensions] == [("需更换地下电缆", later)]
    assert view.deadline == later and view.timeline[-1].note == "需更换地下电缆"


def test_units_never_see_a_confidential_requester(hotline, reference):
    order_id = hotline.dispatched(confidential=True)
    order = hotline.order(order_id)

    for_unit = staff_view(order, HANDLER, reference).requester
    for_hotline = staff_view(order, OPERATOR, reference).requester

    assert for_unit["phone"] is None and for_unit["name"] is None
    assert for_hotline["phone"] == "13800001234"


def test_receipt_and_dispatch_tell_the_requester_and_every_unit(hotline):
    order_id = hotline.receive(category="street_lighting")
    received = hotline.order(order_id)
    hotline.dispatch(order_id)

    on_receipt = notices(None, received)
    on_dispatch = notices(received, hotline.order(order_id))

    assert isinstance(on_receipt[0], Sms) and order_id in on_receipt[0].message
    assert [n.audience for n in on_dispatch if isinstance(n, StaffNotice)] == [
        "unit:110101004",
        "unit:110101",
        "unit:bj-lighting",
    ]


def test_an_urge_counts_and_tells_the_unit_and_its_leader(hotline):
    order_id = hotline.dispatched()
    before = hotline.order(order_id)

    order = hotline.act(order_id, supervision.urge("群众反映强烈"), SUPERVISOR)

    assert order.urges == 1 and order.timeline[-1].action == "urged"
    told = {n.audience for n in notices(before, order) if isinstance(n, StaffNotice)}
    assert told == {"unit:110101004", "leader:110101004"}


def test_an_extension_is_told_to_the_requester_and_the_hotline(hotline, limits):
    order_id = hotline.dispatched()
    hotline.act(order_id, handling.sign)
    before = hotline.order(order_id)

    asked = hotline.act(
        order_id, extensions.ask("需协调产权单位", before.deadline + timedelta(days=1), limits)
    )
    after = hotline.act(order_id, extensions.decide(extensions.APPROVE, None, limits), SUPERVISOR)

    assert any(
        isinstance(n, StaffNotice) and n.audience == "hotline:supervisor" for n in notices(before, asked)
    )
    assert any(isinstance(n, Sms) and "需协调产权单位" in n.message for n in notices(asked, after))
