from chalicelib.domain import intake, workflow
from chalicelib.domain.model import Channel, Staff
from chalicelib.domain.notifications import Sms, UnitNotice, notices
from chalicelib.domain.views import public_view, staff_view

UNIT_STAFF = Staff(username="andingmen.handler", roles=frozenset({"handler"}), unit="110101004")
OPERATOR = Staff(username="operator1", roles=frozenset({"operator"}))


def _dispatched(submission, orders, reference, workflows, clock, limits):
    receipt = intake.receive(
        submission,
        Channel.WEB,
        orders=orders,
        reference=reference,
        workflows=workflows,
        clock=clock,
        limits=limits,
    )
    workflow.dispatch(receipt.id, orders=orders, reference=reference, clock=clock, limits=limits)
    return orders.get(receipt.id)


def test_the_public_never_sees_staff_names_or_internal_notes(
    submission, orders, reference, workflows, clock, limits
):
    order = _dispatched(submission, orders, reference, workflows, clock, limits)

    view = public_view(order, reference).model_dump(mode="json")

    assert view["timeline"][1] == {
        "at": view["timeline"][1]["at"],
        "action": "dispatched",
        "unit": "安定门街道",
        "note": None,
    }
    text = str(view)
    assert "territorial" not in text and "13800001234" not in text and "刘先生" not in text


def test_units_never_see_a_confidential_requester(submission, orders, reference, workflows, clock, limits):
    order = _dispatched(
        submission.model_copy(update={"confidential": True}), orders, reference, workflows, clock, limits
    )

    for_unit = staff_view(order, UNIT_STAFF, reference).requester
    for_hotline = staff_view(order, OPERATOR, reference).requester

    assert for_unit["phone"] is None and for_unit["name"] is None
    assert for_hotline["phone"] == "13800001234"


def test_receipt_and_dispatch_tell_the_requester_and_the_unit(
    submission, orders, reference, workflows, clock, limits
):
    receipt = intake.receive(
        submission,
        Channel.WEB,
        orders=orders,
        reference=reference,
        workflows=workflows,
        clock=clock,
        limits=limits,
    )
    received = orders.get(receipt.id)
    workflow.dispatch(receipt.id, orders=orders, reference=reference, clock=clock, limits=limits)

    on_receipt = notices(None, received)
    on_dispatch = notices(received, orders.get(receipt.id))

    assert isinstance(on_receipt[0], Sms) and receipt.id in on_receipt[0].message
    told = [(getattr(n, "unit", None), type(n)) for n in on_dispatch]
    assert told == [("110101004", UnitNotice), ("110101", UnitNotice)]
