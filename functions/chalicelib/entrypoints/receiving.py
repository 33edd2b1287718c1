"""Intake over HTTP, for the public form and an operator's call alike (Art. 10): the 201 with the
receipt."""

from __future__ import annotations

from chalice import Response

from ..domain import intake
from ..domain.model import Channel, Staff, Submission
from ..reference_data import emergency_words
from ..wiring import deps
from .http import respond


def receive(
    submission: Submission, channel: Channel, key: str | None, recorded_by: Staff | None = None
) -> Response:
    """Intake (Art. 10) for the web form and for an operator's call alike: 201 with the receipt."""
    d = deps()
    receipt = intake.receive(
        submission,
        channel,
        orders=d.orders,
        reference=d.reference,
        workflows=d.workflows,
        clock=d.clock,
        limits=d.limits,
        emergencies=emergency_words(),
        knowledge=d.reference.knowledge(),
        idempotency_key=key,
        recorded_by=recorded_by,
        uploads=d.uploads,
    )
    return respond(receipt, 201)
