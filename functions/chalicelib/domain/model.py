"""The work order and the words of 接诉即办 (DESIGN.md section 2); the units and the dispatch
catalogue's entries are catalogue_entries.py's, named here as well."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from .appeal_records import Appeal
from .catalogue_entries import DISTRICT_DEPARTMENT as DISTRICT_DEPARTMENT
from .catalogue_entries import Category as Category
from .catalogue_entries import CategoryKind as CategoryKind
from .catalogue_entries import Text
from .catalogue_entries import Unit as Unit
from .catalogue_entries import UnitKind as UnitKind
from .extension_request import ExtensionDecision as ExtensionDecision
from .extension_request import ExtensionRequest as ExtensionRequest
from .reply_quality import QualityCheck
from .revisit_record import Revisit

MOBILE = re.compile(r"^1[3-9]\d{9}$")
# The version a change was made from (optimistic concurrency): bounded like every input.
Version = Annotated[int, Field(ge=1, le=1_000_000_000)]


class RequestType(StrEnum):
    """诉求类型 (Art. 2): 咨询 求助 投诉 举报 建议."""

    CONSULTATION = "consultation"
    HELP = "help"
    COMPLAINT = "complaint"
    REPORT = "report"
    SUGGESTION = "suggestion"


class RequesterKind(StrEnum):
    PERSON = "person"
    ENTERPRISE = "enterprise"
    ORGANISATION = "organisation"


class Channel(StrEnum):
    WEB = "web"
    PHONE = "phone"
    APP = "app"
    ENTERPRISE_LINE = "enterprise_line"
    OPEN311 = "open311"
    PARTNER_HOTLINE = "partner_hotline"


class Status(StrEnum):
    RECEIVED = "received"
    ANSWERED = "answered"
    NOT_DISPATCHED = "not_dispatched"
    MERGED = "merged"
    DISPATCHED = "dispatched"
    SIGNED = "signed"
    IN_PROGRESS = "in_progress"
    OBJECTED = "objected"
    IN_REVIEW = "in_review"  # 办结审核: the unit replied, the hotline reviews the reply (review.py)
    REPLIED = "replied"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"
    REOPENED = "reopened"
    # A dissatisfied or unresolved rating waits for a supervisor's second follow-up (差评二次回访).
    REVISIT = "revisit"


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


class Place(BaseModel):
    """Where a request is about, as far as it is known. An Open311 client may give only an address
    or a point that names no district: the order keeps what was given and a dispatcher places it."""

    model_config = ConfigDict(extra="forbid")

    district: Annotated[str, StringConstraints(pattern=r"^\d{6}$")] | None = None
    street: Annotated[str, StringConstraints(pattern=r"^\d{9}$")] | None = None
    address: Annotated[Text, StringConstraints(max_length=200)] = ""
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lng: Annotated[float, Field(ge=-180, le=180)] | None = None


class Location(Place):
    """A place with its district known: what the web form, the operator and partners give."""

    district: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]


class Requester(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, StringConstraints(max_length=50)] | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)]
    kind: RequesterKind = RequesterKind.PERSON

    @field_validator("phone")
    @classmethod
    def _mainland_mobile(cls, value: str) -> str:
        if not MOBILE.match(value):
            raise ValueError("must be an 11-digit mainland mobile number")
        return value


MAX_ATTACHMENTS = 9
UploadId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]


class AttachmentKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"


class Attachment(BaseModel):
    """A checked photo, video or recording an order refers to; `id` is the upload it came from."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    kind: AttachmentKind
    content_type: str
    size: int


class AnySubmission(BaseModel):
    """A request as submitted on any channel; an Open311 client's may not name its district."""

    model_config = ConfigDict(extra="forbid")

    type: RequestType
    content: Annotated[Text, StringConstraints(min_length=5, max_length=2000)]
    category: Annotated[str, StringConstraints(max_length=64)] | None = None
    location: Place
    requester: Requester
    confidential: bool = False
    attachments: Annotated[list[UploadId], Field(max_length=MAX_ATTACHMENTS)] = []
    # A consultation the knowledge base answers is settled on the spot unless the requester, having
    # read the suggested answers, asks for it to be dispatched anyway.
    dispatch_anyway: bool = False
    # The knowledge-base answer the requester (or the operator, with the caller) accepted as the
    # answer to a consultation: it settles the consultation on the spot.
    answered_by: (
        Annotated[str, StringConstraints(pattern=r"^kb-[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)] | None
    ) = None
    # The emergency signs are read recall first: a requester (or operator) who sees the emergency
    # line offered and says it is not an emergency happening now has the request handled as usual.
    not_an_emergency: bool = False


class Submission(AnySubmission):
    """A request as the requester (or an operator on the phone) submits it: its district known."""

    location: Location


class TimelineEvent(BaseModel):
    """One immutable entry of an order's timeline: who did what, when."""

    model_config = ConfigDict(frozen=True)

    at: datetime
    action: str
    actor_role: str  # requester | system | hotline | <staff role>
    actor: str | None = None  # staff user name; never shown to the public
    unit: str | None = None  # unit id
    note: str | None = None  # shown to the public
    internal_note: str | None = None  # never shown to the public
    # What the system says about the event, as a code the portal words in the reader's language
    # from `params` (docs/api.md lists them); notes are only ever text people typed.
    code: str | None = None
    params: dict[str, str] = {}  # what the portal renders the action's and the code's words from


class Evaluation(BaseModel):
    model_config = ConfigDict(frozen=True)

    resolved: bool
    satisfaction: Satisfaction
    comment: str | None = None
    at: datetime
    channel: str = "web"  # web | phone (taken by an operator)


class ObjectionGrounds(StrEnum):
    """The only grounds for a dispatch objection (Art. 12 ¶3)."""

    DUTY = "duty"  # not this unit's duty
    JURISDICTION = "jurisdiction"  # not this unit's area


class Objection(BaseModel):
    """派单异议: the first receiver's case that the order is not its own, and the review of it."""

    model_config = ConfigDict(frozen=True)

    id: str  # <order id>-<n>
    unit: str
    grounds: ObjectionGrounds
    reason: str
    by: str
    at: datetime
    resume_status: Status  # where a rejected objection sends the order back to
    decision: str | None = None  # upheld | rejected
    decided_by: str | None = None
    decided_at: datetime | None = None
    decision_note: str | None = None
    reassigned_to: str | None = None


class AssistStatus(StrEnum):
    REQUESTED = "requested"
    SIGNED = "signed"
    REPORTED = "reported"  # its result went to the first receiver
    RELEASED = "released"  # the first receiver no longer needs it


class Assist(BaseModel):
    """协办 (Art. 14): an assisting unit's part of an order, with its own deadline."""

    model_config = ConfigDict(frozen=True)

    unit: str
    deadline: datetime
    status: AssistStatus = AssistStatus.REQUESTED
    requested_at: datetime
    signed_at: datetime | None = None
    reported_at: datetime | None = None
    result: str | None = None
    late: bool = False  # missed its deadline: counts against the assisting unit

    @property
    def open(self) -> bool:
        return self.status in (AssistStatus.REQUESTED, AssistStatus.SIGNED)


class Origin(BaseModel):
    """A request a partner hotline transferred in (Arts. 21, 22), with the partner's own number."""

    model_config = ConfigDict(frozen=True)

    partner: str
    reference: str


class DirectAnswer(BaseModel):
    """直接答复 (Art. 11 ¶1): the knowledge-base entry that answered a consultation on the spot."""

    model_config = ConfigDict(frozen=True)

    entry: str
    question: str
    answer: str
    source_policy: str


class Extension(BaseModel):
    """延期 (Art. 15): the reason is told to the requester and the hotline centre."""

    model_config = ConfigDict(frozen=True)

    reason: str
    previous_deadline: datetime
    new_deadline: datetime
    unit: str
    at: datetime
    approved_by: str | None = None  # the hotline centre's (extensions.py); none: granted before approval


class Reply(BaseModel):
    model_config = ConfigDict(frozen=True)

    result: str
    resolved_claim: bool
    at: datetime


class Routed(BaseModel):
    """The catalogue's route as intake found it (dispatch.route), with the category and place it
    was found for: the workflow dispatches along it while both are still the order's."""

    model_config = ConfigDict(frozen=True)

    category: str
    location: Place
    first_receiver: Unit
    copied_to: tuple[Unit, ...] = ()
    assisting: tuple[Unit, ...] = ()
    why: str
    because: dict[str, str] = {}


class WorkOrder(BaseModel):
    """A request as a work order: one owner, one deadline, an immutable timeline (Art. 10, 13)."""

    id: str
    tracking_hash: str
    type: RequestType
    status: Status
    version: int = 1
    overdue: bool = False
    overdue_at: datetime | None = None
    channel: Channel = Channel.WEB
    category: str | None = None
    content: str
    location: Place
    requester: Requester
    confidential: bool = False
    first_receiver: str | None = None  # unit id
    copied_to: list[str] = []
    assists: list[Assist] = []
    tier: str | None = None
    deadline: datetime | None = None
    created_at: datetime
    updated_at: datetime
    # The current handling round: from dispatch (or reassignment, or reopening) to the deadline.
    dispatched_at: datetime | None = None
    sign_by: datetime | None = None
    contact_by: datetime | None = None
    sign_late: bool = False
    contact_late: bool = False
    reminded: list[int] = []  # reminder points (percent of the round) already sent
    signed_at: datetime | None = None
    contacted_at: datetime | None = None
    objections: list[Objection] = []
    extensions: list[Extension] = []
    extension_requests: list[ExtensionRequest] = []
    urges: int = 0
    reply: Reply | None = None
    evaluation: Evaluation | None = None
    reopen_count: int = 0
    # 办结审核 (review.py): the automatic check of the latest reply, since when it waits for the
    # reviewer, and how often a reviewer returned the unit's reply (it counts in the assessment).
    quality: QualityCheck | None = None
    review_since: datetime | None = None
    returns: int = 0
    follow_up_until: datetime | None = None
    closed_at: datetime | None = None
    close_reason: str | None = None
    # Not dispatched (Art. 11 ¶3), merged or transferred: the reason code and where it went.
    reason: str | None = None
    transfer_to: str | None = None  # 110 / 119 / 120 / 122, or a partner hotline's id
    merged_into: str | None = None
    # The hotline centre judged the request unreasonable (e.g. a lawful refusal rated dissatisfied):
    # the order stays on record but does not count in the unit's assessment (DESIGN.md section 8).
    adjudicated_unreasonable: bool = False
    revisits: list[Revisit] = []  # second follow-ups after bad ratings, the last one open or decided
    appeal: Appeal | None = None  # the first receiver's assessment appeal (appeals.py)
    answer: DirectAnswer | None = None
    origin: Origin | None = None
    attachments: list[Attachment] = []
    # Workflow executions started after the first: a dispatcher reinstated the order.
    reinstated: int = 0
    routed: Routed | None = None  # kept from intake for the workflow's dispatch
    timeline: list[TimelineEvent] = []

    @property
    def assisting(self) -> list[str]:
        """The units that assist (or assisted) with the order: they may see it."""
        return [a.unit for a in self.assists]

    def assist(self, unit: str) -> Assist | None:
        return next((a for a in self.assists if a.unit == unit), None)

    def open_objection(self) -> Objection | None:
        return next((o for o in reversed(self.objections) if o.decision is None), None)

    def open_extension_request(self) -> ExtensionRequest | None:
        last = self.extension_requests[-1] if self.extension_requests else None
        return last if last is not None and last.decision is None else None

    def record(self, now: datetime, *events: TimelineEvent, **changes: object) -> WorkOrder:
        """The order after one change: the changed fields, the next version and the new events."""
        return self.model_copy(
            update={
                **changes,
                "version": self.version + 1,
                "updated_at": now,
                "timeline": [*self.timeline, *events],
            }
        )


class Staff(BaseModel):
    """A signed-in staff member: roles from Cognito groups, unit from custom:unit."""

    model_config = ConfigDict(frozen=True)

    username: str
    roles: frozenset[str]
    unit: str | None = None

    @property
    def hotline_centre(self) -> bool:
        return bool(self.roles & HOTLINE_ROLES)

    @property
    def role(self) -> str:
        """The role a timeline event names: the unit role first, else the first hotline role."""
        for role in ("handler", "unit_leader", *sorted(HOTLINE_ROLES)):
            if role in self.roles:
                return role
        return "staff"

    def event(
        self,
        now: datetime,
        action: str,
        note: str | None = None,
        internal_note: str | None = None,
        code: str | None = None,
        **params: str,
    ) -> TimelineEvent:
        return TimelineEvent(
            at=now,
            action=action,
            actor_role=self.role,
            actor=self.username,
            unit=self.unit,
            note=note,
            internal_note=internal_note,
            code=code,
            params=params,
        )


HOTLINE_ROLES = frozenset(
    {"operator", "dispatcher", "supervisor", "analyst", "admin", "assessor", "reviewer"}
)
