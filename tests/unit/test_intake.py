from datetime import timedelta

import pytest
from chalicelib.domain import intake
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.model import Channel, Status
from chalicelib.reference_data import emergency_words


def receive(submission, orders, reference, workflows, clock, limits, key=None):
    return intake.receive(
        submission,
        Channel.WEB,
        orders=orders,
        reference=reference,
        workflows=workflows,
        clock=clock,
        limits=limits,
        emergencies=emergency_words(),
        idempotency_key=key,
    )


def test_a_request_becomes_an_order_with_a_deadline_from_its_tier(
    submission, orders, reference, workflows, clock, limits
):
    receipt = receive(submission, orders, reference, workflows, clock, limits)

    assert receipt.status is Status.RECEIVED
    assert len(receipt.id) == 13 and receipt.id.isdigit() and receipt.id.startswith("261126")
    assert receipt.deadline == clock.now() + timedelta(hours=24)  # street lighting is a 24 h matter
    stored = orders.get(receipt.id)
    assert stored.timeline[0].action == "received"
    assert stored.tracking_hash == intake.tracking_hash(receipt.tracking_code)
    assert workflows.started == [receipt.id]


def test_an_uncategorised_request_gets_the_default_tier(
    submission, orders, reference, workflows, clock, limits
):
    receipt = receive(
        submission.model_copy(update={"category": None}), orders, reference, workflows, clock, limits
    )

    assert receipt.deadline == clock.now() + timedelta(days=7)


def test_tracking_codes_are_long_random_and_readable(submission, orders, reference, workflows, clock, limits):
    codes = {
        receive(submission, orders, reference, workflows, clock, limits).tracking_code for _ in range(50)
    }

    assert len(codes) == 50
    assert all(len(c.replace("-", "")) == 12 and not set(c) & set("01OI") for c in codes)


def test_a_retry_with_the_same_key_returns_the_same_order(
    submission, orders, reference, workflows, clock, limits
):
    first = receive(submission, orders, reference, workflows, clock, limits, key="k-1")
    again = receive(submission, orders, reference, workflows, clock, limits, key="k-1")

    assert again == first
    assert len(orders.orders) == 1


def test_the_same_key_with_another_body_is_a_conflict(
    submission, orders, reference, workflows, clock, limits
):
    receive(submission, orders, reference, workflows, clock, limits, key="k-1")
    other = submission.model_copy(update={"content": "另一件事：小区门口的路灯也坏了"})

    with pytest.raises(Conflict) as raised:
        receive(other, orders, reference, workflows, clock, limits, key="k-1")
    assert raised.value.code == "idempotency_key_reused"


def test_an_unknown_category_names_the_field(submission, orders, reference, workflows, clock, limits):
    with pytest.raises(InvalidInput) as raised:
        receive(
            submission.model_copy(update={"category": "no_such"}), orders, reference, workflows, clock, limits
        )

    assert [d.field for d in raised.value.details] == ["category"]
    assert orders.orders == {}


def test_a_location_no_unit_can_receive_is_refused_at_intake(
    submission, orders, reference, workflows, clock, limits
):
    elsewhere = submission.model_copy(
        update={"location": submission.location.model_copy(update={"district": "110105"})}
    )

    with pytest.raises(InvalidInput) as raised:
        receive(elsewhere, orders, reference, workflows, clock, limits)

    assert raised.value.details[0].field == "location.street"
    assert orders.orders == {} and workflows.started == []
