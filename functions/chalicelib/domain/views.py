"""What each audience sees of an order. The public never sees staff identities or internal notes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from .allowed import AllowedAction, BatchAction, BlockedAction, OrderReference, allowed, blocked
from .appeal_records import Appeal
from .catalogue import Catalogue
from .deadlines import missed_limits
from .follow_up import evaluation_due
from .model import (
    Assist,
    Attachment,
    DirectAnswer,
    Evaluation,
    Extension,
    ExtensionRequest,
    Objection,
    Staff,
    TimelineEvent,
    Unit,
    WorkOrder,
)
from .objections import pingpong
from .review import ReviewView, review_view, reviewed

# What the public timeline shows: the steps a requester waits for. Reminders, escalations,
# urges and objections are the hotline's business; their notes never leave the staff side.
PUBLIC_ACTIONS = frozenset(
    {
        "received",
        "dispatched",
        "auto_dispatched",
        "redispatched",
        "reassigned",
        "signed",
        "contacted",
        "progress",
        "extended",
        "overdue",
        "replied",
        "follow_up_started",
        "evaluated",
        "reopened",
        "revisit_opened",
        "closed",
        "not_dispatched",
        "answered",
        "merged",
        "transferred",
        "partner_replied",
        "reinstated",
    }
)


class UnitView(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    name: str
    kind: str


class PublicEvent(BaseModel):
    model_config = ConfigDict(defer_build=True)

    at: datetime
    action: str
    unit: str | None
    note: str | None
    code: str | None = Field(
        None, description="What the hotline told the requester, as a code the portal words (docs/api.md)."
    )
    params: dict[str, str] = Field({}, description="The code's parameters.")


# The timeline codes a requester reads, with the parameters each may show them; every other code
# (and parameter) is the hotline's own.
PUBLIC_CODES: dict[str, frozenset[str]] = {
    "settled": frozenset({"reason", "transfer_to", "merged_into"}),
    "reinstated": frozenset(),
    "reinstated_by_requester": frozenset(),
    "knowledge_answer": frozenset({"policy"}),
}


class PublicReply(BaseModel):
    model_config = ConfigDict(defer_build=True)

    result: str
    at: datetime


class CategoryRef(BaseModel):
    model_config = ConfigDict(defer_build=True)

    code: str
    name: str


class PublicExtension(BaseModel):
    model_config = ConfigDict(defer_build=True)

    reason: str
    new_deadline: datetime
    at: datetime


class PublicAttachment(BaseModel):
    model_config = ConfigDict(defer_build=True)

    name: str
    kind: str
    size: int


class PublicOrder(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    type: str
    content: str
    status: str
    overdue: bool
    category: CategoryRef | None
    deadline: datetime | None
    created_at: datetime
    first_receiver: str | None
    reply: PublicReply | None
    evaluation_due: bool
    extensions: list[PublicExtension]
    merged_into: str | None
    reason: str | None
    transfer_to: str | None
    answer: DirectAnswer | None
    attachments: list[PublicAttachment]
    timeline: list[PublicEvent]


class StaffEvent(BaseModel):
    model_config = ConfigDict(defer_build=True)

    at: datetime
    action: str
    actor_role: str
    actor: str | None
    unit: UnitView | None
    note: str | None
    internal_note: str | None
    code: str | None = Field(
        None, description="What the system says about the event, as a code the portal words (docs/api.md)."
    )
    params: dict[str, str] = Field({}, description="The code's (and the action's) parameters.")


class StaffOrder(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    type: str
    status: str
    version: int
    overdue: bool
    overdue_at: datetime | None
    sign_by: datetime | None
    contact_by: datetime | None
    sign_late: bool
    contact_late: bool
    dispatched_at: datetime | None
    signed_at: datetime | None
    contacted_at: datetime | None
    urges: int
    reopen_count: int
    pingpong: bool
    objections: list[Objection]
    extensions: list[Extension]
    extension_requests: list[ExtensionRequest] = []  # the unit's requests and their decisions, oldest first
    evaluation: Evaluation | None
    evaluation_due: bool
    adjudicated_unreasonable: bool = False
    appeal: Appeal | None = None
    follow_up_until: datetime | None
    reason: str | None
    transfer_to: str | None
    merged_into: str | None
    answer: DirectAnswer | None
    channel: str
    category: CategoryRef | None
    content: str
    attachments: list[Attachment]
    location: dict[str, object]
    requester: dict[str, object]
    confidential: bool
    first_receiver: UnitView | None
    copied_to: list[UnitView]
    assisting: list[UnitView]
    assists: list[Assist]
    deadline: datetime | None
    created_at: datetime
    updated_at: datetime
    reply: PublicReply | None
    review: ReviewView | None = Field(None, description="办结审核: the reply's check and the returns.")
    timeline: list[StaffEvent]
    actions: list[AllowedAction] = Field(description="What the caller may do with the order now.")
    blocked: list[BlockedAction] = Field(description="What keeps the caller from an action, as hints.")


def _unit(reference: Catalogue, unit_id: str | None) -> Unit | None:
    return reference.unit(unit_id) if unit_id else None


def unit_view(reference: Catalogue, unit_id: str | None) -> UnitView | None:
    unit = _unit(reference, unit_id)
    if unit_id and unit is None:
        return UnitView(id=unit_id, name=unit_id, kind="unknown")
    return UnitView(id=unit.id, name=unit.name, kind=unit.kind.value) if unit else None


def _category(reference: Catalogue, code: str | None) -> CategoryRef | None:
    category = reference.category(code) if code else None
    return CategoryRef(code=category.code, name=category.name) if category else None


def public_view(order: WorkOrder, reference: Catalogue) -> PublicOrder:
    def event(e: TimelineEvent) -> PublicEvent:
        unit = _unit(reference, e.unit)
        shown = PUBLIC_CODES.get(e.code or "")
        return PublicEvent(
            at=e.at,
            action=e.action,
            unit=unit.name if unit else None,
            note=e.note,
            code=e.code if shown is not None else None,
            params={k: v for k, v in e.params.items() if k in shown} if shown else {},
        )

    return PublicOrder(
        id=order.id,
        type=order.type.value,
        content=order.content,
        status=order.status.value,
        overdue=order.overdue,
        category=_category(reference, order.category),
        deadline=order.deadline,
        created_at=order.created_at,
        first_receiver=first.name if (first := _unit(reference, order.first_receiver)) else None,
        reply=PublicReply(result=r.result, at=r.at) if (r := order.reply) and not reviewed(order) else None,
        evaluation_due=evaluation_due(order),
        extensions=[PublicExtension.model_validate(x, from_attributes=True) for x in order.extensions],
        merged_into=order.merged_into,
        reason=order.reason,
        transfer_to=order.transfer_to,
        answer=order.answer,
        attachments=[
            PublicAttachment(name=a.name, kind=a.kind.value, size=a.size) for a in order.attachments
        ],
        timeline=[event(e) for e in order.timeline if e.action in PUBLIC_ACTIONS],
    )


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def staff_view(order: WorkOrder, staff: Staff, reference: OrderReference) -> StaffOrder:
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
        overdue_at=order.overdue_at,
        sign_by=order.sign_by,
        contact_by=order.contact_by,
        sign_late=order.sign_late,
        contact_late=order.contact_late,
        dispatched_at=order.dispatched_at,
        signed_at=order.signed_at,
        contacted_at=order.contacted_at,
        urges=order.urges,
        adjudicated_unreasonable=order.adjudicated_unreasonable,
        appeal=order.appeal,
        reopen_count=order.reopen_count,
        pingpong=pingpong(order),
        objections=order.objections,
        extensions=order.extensions,
        extension_requests=order.extension_requests,
        evaluation=order.evaluation,
        evaluation_due=evaluation_due(order),
        follow_up_until=order.follow_up_until,
        reason=order.reason,
        transfer_to=order.transfer_to,
        merged_into=order.merged_into,
        answer=order.answer,
        channel=order.channel.value,
        category=_category(reference, order.category),
        content=order.content,
        attachments=order.attachments,
        location=order.location.model_dump(mode="json"),
        requester=requester,
        confidential=order.confidential,
        first_receiver=unit_view(reference, order.first_receiver),
        copied_to=[v for u in order.copied_to if (v := unit_view(reference, u))],
        assisting=[v for u in order.assisting if (v := unit_view(reference, u))],
        assists=order.assists,
        deadline=order.deadline,
        created_at=order.created_at,
        updated_at=order.updated_at,
        reply=PublicReply(result=order.reply.result, at=order.reply.at) if order.reply else None,
        review=review_view(order),
        timeline=[staff_event(reference, e) for e in order.timeline],
        actions=allowed(order, staff, limits := reference.time_limits()),
        blocked=blocked(order, staff, limits),
    )


def staff_event(reference: Catalogue, e: TimelineEvent) -> StaffEvent:
    return StaffEvent(
        at=e.at,
        action=e.action,
        actor_role=e.actor_role,
        actor=e.actor,
        unit=unit_view(reference, e.unit),
        note=e.note,
        internal_note=e.internal_note,
        code=e.code,
        params=e.params,
    )


class StaffSummary(BaseModel):
    """An order in a list: enough to sort, filter and open it, and the limits its unit missed."""

    model_config = ConfigDict(defer_build=True)

    id: str
    type: str
    status: str
    version: int
    overdue: bool
    overdue_at: datetime | None = None
    pingpong: bool
    urges: int
    reason: str | None
    category: CategoryRef | None
    first_receiver: UnitView | None
    district: UnitView | None = None  # the district of the order's place
    deadline: datetime | None
    sign_by: datetime | None = None
    contact_by: datetime | None = None
    # The unit of the current round missed its sign-for limit / its contact limit (Art. 13).
    sign_missed: bool = False
    contact_missed: bool = False
    created_at: datetime
    content: str
    batch: list[BatchAction] = Field(default_factory=list, description="What a batch may do to it now.")


def staff_summary(order: WorkOrder, reference: Catalogue, now: datetime) -> StaffSummary:
    sign_missed, contact_missed = missed_limits(order, now)
    return StaffSummary(
        id=order.id,
        type=order.type.value,
        status=order.status.value,
        version=order.version,
        overdue=order.overdue,
        overdue_at=order.overdue_at,
        pingpong=pingpong(order),
        urges=order.urges,
        reason=order.reason,
        category=_category(reference, order.category),
        first_receiver=unit_view(reference, order.first_receiver),
        district=unit_view(reference, order.location.district),
        deadline=order.deadline,
        sign_by=order.sign_by,
        contact_by=order.contact_by,
        sign_missed=sign_missed,
        contact_missed=contact_missed,
        created_at=order.created_at,
        content=order.content[:120],
    )
