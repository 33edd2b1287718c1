"""What the partner routes (partner_api.py) read and answer, loaded with the first partner call: the
machine clients' function imports no domain model at its cold start (the API's import-time budget,
docs/benchmarks.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from ..domain.model import Place, Submission, WorkOrder


class TransferredRequester(BaseModel):
    name: str | None
    phone: str | None
    kind: str
    confidential: bool


class TransferView(BaseModel):
    """What a partner needs to handle an order: the matter, the place and how to reach the requester."""

    id: str
    type: str
    content: str
    location: Place  # an Open311 request may be transferred before anyone placed it
    requester: TransferredRequester
    created_at: datetime
    status: str
    transferred: bool
    results: list[str]


def transfer(order: WorkOrder) -> TransferView:
    hidden = order.confidential
    return TransferView(
        id=order.id,
        type=order.type.value,
        content=order.content,
        location=order.location,
        requester=TransferredRequester(
            name=None if hidden else order.requester.name,
            phone=None if hidden else order.requester.phone,
            kind=order.requester.kind.value,
            confidential=hidden,
        ),
        created_at=order.created_at,
        status=order.status.value,
        transferred=order.reason == "transferred",
        results=[e.note or "" for e in order.timeline if e.action == "partner_replied"],
    )


class ResultForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    result: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=2000)]


class TransferIn(Submission):
    """A request a partner transfers to Beijing: the public body plus the partner's own number."""

    partner_reference: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
