"""Receiving a request (受理, Art. 10): every request becomes a work order with a deadline."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from datetime import datetime

from pydantic import BaseModel

from .attachments import Uploads, attach
from .beijing import BEIJING
from .catalogue import Catalogue
from .deadlines import TimeLimits
from .dispatch import route
from .errors import Conflict, FieldProblem, InvalidInput, KeyTaken, NumberTaken
from .handling import start_run
from .knowledge import Answer, KnowledgeEntry, accepted, answered_event, on_the_spot
from .model import (
    AnySubmission,
    Attachment,
    Channel,
    DirectAnswer,
    Origin,
    RequestType,
    Staff,
    Status,
    TimelineEvent,
    WorkOrder,
)
from .ports import Clock, IdempotencyRecord, OrderQuery, Workflows, WorkOrders
from .triage import SETTLED, EmergencyWords, Reason, emergency_line, same_matter, settle

_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read over the phone


class Receipt(BaseModel):
    """What the requester gets back: the number, the code that unlocks tracking, the deadline."""

    id: str
    tracking_code: str
    status: Status
    deadline: datetime | None
    reason: str | None = None
    transfer_to: str | None = None
    merged_into: str | None = None
    answer: DirectAnswer | None = None


def new_order_id(clock: Clock) -> str:
    """13 digits a person can read over the phone: the Beijing date and 7 random digits.

    A number is not a credential: tracking needs the tracking code too."""
    return clock.now().astimezone(BEIJING).strftime("%y%m%d") + f"{secrets.randbelow(10**7):07d}"


def new_tracking_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def tracking_hash(code: str) -> str:
    normalised = code.strip().upper().replace("-", "")
    return hashlib.sha256(normalised.encode()).hexdigest()


def fingerprint(submission: AnySubmission, channel: Channel) -> str:
    body = json.dumps([channel, submission.model_dump(mode="json")], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def receive(
    submission: AnySubmission,
    channel: Channel,
    *,
    orders: WorkOrders,
    reference: Catalogue,
    workflows: Workflows,
    clock: Clock,
    limits: TimeLimits,
    emergencies: EmergencyWords,
    knowledge: Sequence[KnowledgeEntry] = (),
    idempotency_key: str | None = None,
    recorded_by: Staff | None = None,
    origin: Origin | None = None,
    uploads: Uploads | None = None,
) -> Receipt:
    """Record the request in full (Art. 10), give it its deadline (Art. 13) and start its workflow.

    An emergency in progress is recorded and the requester told to call the emergency line; a
    repeat of an open order is merged into it (Art. 11 ¶3): neither is dispatched. A consultation
    the knowledge base answers confidently is answered on the spot (Art. 11 ¶1) unless the
    requester asked for a dispatch anyway.

    Attachments are re-checked in storage and kept before the order refers to them.

    With an Idempotency-Key a retried submission returns the first receipt; the same key with a
    different body is a conflict."""
    print_ = fingerprint(submission, channel)
    if idempotency_key and (recalled := orders.recall(idempotency_key)) is not None:
        return _replay(recalled, print_, workflows)
    category = None
    if submission.category is not None:
        category = reference.category(submission.category)
        if category is None:
            raise InvalidInput("Unknown category.", [FieldProblem("category", "not a catalogue category")])
    # A location or category no unit can receive is refused now, not at dispatch.
    route(submission.location, category, reference)
    now = clock.now()
    today = now.astimezone(BEIJING).date()
    chosen: Answer | None = None
    if submission.answered_by is not None and not submission.dispatch_anyway:
        if submission.type is not RequestType.CONSULTATION:
            raise InvalidInput(
                "Only a consultation is answered from the knowledge base.",
                [FieldProblem("answered_by", "only for a consultation")],
            )
        chosen = accepted(list(knowledge), submission.answered_by, submission.content, today)
    tier = limits.tier_for(category.tier if category else None)
    settled: tuple[TimelineEvent, dict[str, object]] | None = None
    if not submission.not_an_emergency and (line := emergency_line(submission.content, emergencies)):
        settled = settle(now, recorded_by, Reason.EMERGENCY, transfer_to=line)
    elif original := _open_repeat(submission, category.code if category else None, orders):
        settled = settle(now, recorded_by, Reason.DUPLICATE, merged_into=original.id)
    elif (
        submission.type is RequestType.CONSULTATION
        and not submission.dispatch_anyway
        and (found := chosen or on_the_spot(list(knowledge), submission.content, today))
    ):
        settled = (
            answered_event(
                now, found, (recorded_by.role if recorded_by else "requester") if chosen else None
            ),
            {
                "status": Status.ANSWERED,
                "deadline": None,
                "answer": DirectAnswer(
                    entry=found.id,
                    question=found.question,
                    answer=found.answer,
                    source_policy=found.source_policy,
                ),
            },
        )
    attached = _attachments(submission, uploads)
    for _attempt in range(5):
        code = new_tracking_code()
        order = WorkOrder(
            id=new_order_id(clock),
            tracking_hash=tracking_hash(code),
            type=submission.type,
            status=Status.RECEIVED,
            channel=channel,
            category=category.code if category else None,
            content=submission.content,
            location=submission.location,
            requester=submission.requester,
            confidential=submission.confidential,
            tier=tier,
            deadline=limits.deadline(now, tier),
            created_at=now,
            updated_at=now,
            origin=origin,
            attachments=attached,
            timeline=[_received(now, channel, recorded_by, origin)],
        )
        if settled is not None:
            order = order.model_copy(update={**settled[1], "timeline": [*order.timeline, settled[0]]})
        receipt = Receipt(
            id=order.id,
            tracking_code=code,
            status=order.status,
            deadline=order.deadline,
            reason=order.reason,
            transfer_to=order.transfer_to,
            merged_into=order.merged_into,
            answer=order.answer,
        )
        record = (
            IdempotencyRecord(idempotency_key, print_, receipt.model_dump(mode="json"))
            if idempotency_key
            else None
        )
        # The order is written as waiting for its run: if the start below is not taken, or the
        # process dies before it, the reconciler starts the run (domain/reconcile.py).
        needs_run = order.status not in SETTLED
        try:
            orders.create(order, record, pending_run=0 if needs_run else None)
        except NumberTaken:
            continue
        except KeyTaken:
            # A concurrent retry with the same key won the race: answer what it answered.
            if idempotency_key and (recalled := orders.recall(idempotency_key)) is not None:
                return _replay(recalled, print_, workflows)
            raise
        if needs_run:
            start_run(workflows, order.id, 0)
        return receipt
    raise Conflict("Could not allocate an order number; try again.", "number_taken")


def _attachments(submission: AnySubmission, uploads: Uploads | None) -> list[Attachment]:
    if not submission.attachments:
        return []
    if uploads is None:
        raise InvalidInput(
            "This channel takes no attachments.", [FieldProblem("attachments", "not accepted here")]
        )
    return attach(submission.attachments, uploads)


def _received(now: datetime, channel: Channel, by: Staff | None, origin: Origin | None) -> TimelineEvent:
    if by is not None:
        return by.event(now, "received", code="received_call", channel=channel.value)
    if origin is not None:
        return TimelineEvent(
            at=now,
            action="received",
            actor_role="partner",
            actor=origin.partner,
            code="received_partner",
            params={"partner": origin.partner, "reference": origin.reference},
        )
    return TimelineEvent(at=now, action="received", actor_role="requester")


def _open_repeat(submission: AnySubmission, category: str | None, orders: WorkOrders) -> WorkOrder | None:
    """The oldest open order of this requester about the same place and category."""
    if category is None:
        return None
    mine = orders.find(OrderQuery(requester=submission.requester.phone, limit=50)).items
    repeats = [o for o in mine if same_matter(submission, category, o)]
    return min(repeats, key=lambda o: o.created_at, default=None)


def _replay(recalled: IdempotencyRecord, print_: str, workflows: Workflows) -> Receipt:
    if recalled.fingerprint != print_:
        raise Conflict("This Idempotency-Key was used with a different request.", "idempotency_key_reused")
    receipt = Receipt.model_validate(recalled.response)
    # A first attempt may have stored the order and then failed to start its workflow.
    if receipt.status not in SETTLED:
        start_run(workflows, receipt.id, 0)
    return receipt
