"""What each audience sees of an order. The public never sees staff identities or internal notes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from .model import Staff, TimelineEvent, Unit, WorkOrder
from .ports import Reference


class UnitView(BaseModel):
    id: str
    name: str
    kind: str


class PublicEvent(BaseModel):
    at: datetime
    action: str
    unit: str | None
    note: str | None


class PublicReply(BaseModel):
    result: str
    at: datetime


class CategoryRef(BaseModel):
    code: str
    name: str


class PublicOrder(BaseModel):
    id: str
    type: str
    status: str
    overdue: bool
    category: CategoryRef | None
    deadline: datetime | None
    created_at: datetime
    reply: PublicReply | None
    extensions: list[dict[str, str]]
    merged_into: str | None
    reason: str | None
    transfer_to: str | None
    timeline: list[PublicEvent]


class StaffEvent(BaseModel):
    at: datetime
    action: str
    actor_role: str
    actor: str | None
    unit: UnitView | None
    note: str | None
    internal_note: str | None


class StaffOrder(BaseModel):
    id: str
    type: str
    status: str
    version: int
    overdue: bool
    channel: str
    category: CategoryRef | None
    content: str
    location: dict[str, object]
    requester: dict[str, object]
    confidential: bool
    first_receiver: UnitView | None
    copied_to: list[UnitView]
    assisting: list[UnitView]
    deadline: datetime | None
    created_at: datetime
    updated_at: datetime
    reply: PublicReply | None
    timeline: list[StaffEvent]


def _unit(reference: Reference, unit_id: str | None) -> Unit | None:
    return reference.unit(unit_id) if unit_id else None


def _unit_view(reference: Reference, unit_id: str | None) -> UnitView | None:
    unit = _unit(reference, unit_id)
    if unit_id and unit is None:
        return UnitView(id=unit_id, name=unit_id, kind="unknown")
    return UnitView(id=unit.id, name=unit.name, kind=unit.kind.value) if unit else None


def _category(reference: Reference, code: str | None) -> CategoryRef | None:
    category = reference.category(code) if code else None
    return CategoryRef(code=category.code, name=category.name) if category else None


def public_view(order: WorkOrder, reference: Reference) -> PublicOrder:
    def event(e: TimelineEvent) -> PublicEvent:
        unit = _unit(reference, e.unit)
        return PublicEvent(at=e.at, action=e.action, unit=unit.name if unit else None, note=e.note)

    return PublicOrder(
        id=order.id,
        type=order.type.value,
        status=order.status.value,
        overdue=order.overdue,
        category=_category(reference, order.category),
        deadline=order.deadline,
        created_at=order.created_at,
        reply=PublicReply(result=order.reply.result, at=order.reply.at) if order.reply else None,
        extensions=[],
        merged_into=None,
        reason=None,
        transfer_to=None,
        timeline=[event(e) for e in order.timeline],
    )


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def staff_view(order: WorkOrder, staff: Staff, reference: Reference) -> StaffOrder:
    """Units never see a confidential requester's name or phone: contact goes through the hotline."""
    requester = order.requester.model_dump(mode="json")
    if order.confidential and not staff.hotline_centre:
        requester = {"name": None, "phone": None, "kind": order.requester.kind.value, "confidential": True}
    return StaffOrder(
        id=order.id,
        type=order.type.value,
        status=order.status.value,
        version=order.version,
        overdue=order.overdue,
        channel=order.channel.value,
        category=_category(reference, order.category),
        content=order.content,
        location=order.location.model_dump(mode="json"),
        requester=requester,
        confidential=order.confidential,
        first_receiver=_unit_view(reference, order.first_receiver),
        copied_to=[v for u in order.copied_to if (v := _unit_view(reference, u))],
        assisting=[v for u in order.assisting if (v := _unit_view(reference, u))],
        deadline=order.deadline,
        created_at=order.created_at,
        updated_at=order.updated_at,
        reply=PublicReply(result=order.reply.result, at=order.reply.at) if order.reply else None,
        timeline=[
            StaffEvent(
                at=e.at,
                action=e.action,
                actor_role=e.actor_role,
                actor=e.actor,
                unit=_unit_view(reference, e.unit),
                note=e.note,
                internal_note=e.internal_note,
            )
            for e in order.timeline
        ],
    )
