"""Receiving a request (受理, Art. 10): every request becomes a work order with a deadline."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel

from .attachments import Uploads, attach
from .beijing import BEIJING
from .catalogue import Catalogue
from .deadlines import TimeLimits
from .dispatch import kept, route
from .errors import Conflict, FieldProblem, InvalidInput, KeyTaken, NumberTaken
from .handling import start_run
from .knowledge import Answer, KnowledgeEntry, accepted, answered_event, on_the_spot
from .model import (
    AnySubmission,
    Attachment,
    Category,
    Channel,
    DirectAnswer,
    Origin,
    RequestType,
    Routed,
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
    category = _category(submission, reference)
    # A location or category no unit can receive is refused now, not at dispatch; the route found
    # is kept on the order, and the workflow dispatches along it (dispatch.kept_route).
    routed = kept(route(submission.location, category, reference), submission.location, category)
    now = clock.now()
    chosen = _accepted_answer(submission, knowledge, now)
    tier = limits.tier_for(category.tier if category else None)
    settled = _settled(submission, category, chosen, now, recorded_by, orders, emergencies, knowledge)
    draft = _Draft(
        submission=submission,
        channel=channel,
        category=category.code if category else None,
        routed=routed,
        tier=tier,
        deadline=limits.deadline(now, tier),
        now=now,
        origin=origin,
        attachments=_attachments(submission, uploads),
        received=_received(now, channel, recorded_by, origin),
        settled=settled,
    )
    return _store(draft, print_, idempotency_key, orders=orders, workflows=workflows, clock=clock)


Settled = tuple[TimelineEvent, dict[str, object]]  # the event that settles an order, and its changes


@dataclass(frozen=True)
class _Draft:
    """A received request before it has its number: everything its order records."""

    submission: AnySubmission
    channel: Channel
    category: str | None
    routed: Routed | None
    tier: str
    deadline: datetime | None
    now: datetime
    origin: Origin | None
    attachments: list[Attachment]
    received: TimelineEvent
    settled: Settled | None

    def order(self, order_id: str, code: str) -> WorkOrder:
        submission, now = self.submission, self.now
        order = WorkOrder(
            id=order_id,
            tracking_hash=tracking_hash(code),
            type=submission.type,
            status=Status.RECEIVED,
            channel=self.channel,
            category=self.category,
            content=submission.content,
            location=submission.location,
            requester=submission.requester,
            confidential=submission.confidential,
            tier=self.tier,
            deadline=self.deadline,
            created_at=now,
            updated_at=now,
            origin=self.origin,
            attachments=self.attachments,
            routed=self.routed,
            timeline=[self.received],
        )
        if self.settled is not None:
            event, changes = self.settled
            order = order.model_copy(update={**changes, "timeline": [*order.timeline, event]})
        return order


def _store(
    draft: _Draft,
    print_: str,
    idempotency_key: str | None,
    *,
    orders: WorkOrders,
    workflows: Workflows,
    clock: Clock,
) -> Receipt:
    """Number the order and write it (a number taken meanwhile: the next), then start its run."""
    for _attempt in range(5):
        code = new_tracking_code()
        order = draft.order(new_order_id(clock), code)
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


def _category(submission: AnySubmission, reference: Catalogue) -> Category | None:
    if submission.category is None:
        return None
    category = reference.category(submission.category)
    if category is None:
        raise InvalidInput("Unknown category.", [FieldProblem("category", "not a catalogue category")])
    return category


def _accepted_answer(
    submission: AnySubmission, knowledge: Sequence[KnowledgeEntry], now: datetime
) -> Answer | None:
    """The knowledge-base answer the requester (or the operator) accepted for a consultation."""
    if submission.answered_by is None or submission.dispatch_anyway:
        return None
    if submission.type is not RequestType.CONSULTATION:
        raise InvalidInput(
            "Only a consultation is answered from the knowledge base.",
            [FieldProblem("answered_by", "only for a consultation")],
        )
    return accepted(
        list(knowledge), submission.answered_by, submission.content, now.astimezone(BEIJING).date()
    )


def _settled(
    submission: AnySubmission,
    category: Category | None,
    chosen: Answer | None,
    now: datetime,
    recorded_by: Staff | None,
    orders: WorkOrders,
    emergencies: EmergencyWords,
    knowledge: Sequence[KnowledgeEntry],
) -> Settled | None:
    """How the request is settled at once, if it is: an emergency in progress, a repeat of an open
    order, or a consultation the knowledge base answers; None: it goes to dispatch."""
    if not submission.not_an_emergency and (line := emergency_line(submission.content, emergencies)):
        return settle(now, recorded_by, Reason.EMERGENCY, transfer_to=line)
    if original := _open_repeat(submission, category.code if category else None, orders):
        return settle(now, recorded_by, Reason.DUPLICATE, merged_into=original.id)
    if submission.type is not RequestType.CONSULTATION or submission.dispatch_anyway:
        return None
    today = now.astimezone(BEIJING).date()
    found = chosen or on_the_spot(list(knowledge), submission.content, today)
    if not found:
        return None
    answered_by = (recorded_by.role if recorded_by else "requester") if chosen else None
    return answered_event(now, found, answered_by), {
        "status": Status.ANSWERED,
        "deadline": None,
        "answer": DirectAnswer(
            entry=found.id, question=found.question, answer=found.answer, source_policy=found.source_policy
        ),
    }


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
