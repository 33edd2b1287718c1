"""The work order and the words of 接诉即办 (DESIGN.md section 2)."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator


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
    REPLIED = "replied"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"
    REOPENED = "reopened"


class Satisfaction(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"


class UnitKind(StrEnum):
    DISTRICT = "district"  # 区政府
    STREET = "street"  # 街道 / 乡镇 / 地区办事处
    DEPARTMENT = "department"  # 市级部门
    ENTERPRISE = "enterprise"  # 公共服务企业


class Unit(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    kind: UnitKind
    district: str | None = None


class Category(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    kind: str  # territorial | sectoral | both
    tier: str  # a key of the time-limit tiers
    department: str | None = None  # the sectoral unit, when kind is sectoral or both


MOBILE = re.compile(r"^1[3-9]\d{9}$")
Text = Annotated[str, StringConstraints(strip_whitespace=True)]


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")

    district: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
    street: Annotated[str, StringConstraints(pattern=r"^\d{9}$")] | None = None
    address: Annotated[Text, StringConstraints(max_length=200)] = ""
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lng: Annotated[float, Field(ge=-180, le=180)] | None = None


class Requester(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, StringConstraints(max_length=50)] | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True)]
    kind: RequesterKind = RequesterKind.PERSON

    @field_validator("phone")
    @classmethod
    def _mainland_mobile(cls, value: str) -> str:
        if not MOBILE.match(value):
            raise ValueError("must be an 11-digit mainland mobile number")
        return value


class Submission(BaseModel):
    """A request as the requester (or an operator on the phone) submits it."""

    model_config = ConfigDict(extra="forbid")

    type: RequestType
    content: Annotated[Text, StringConstraints(min_length=5, max_length=2000)]
    category: Annotated[str, StringConstraints(max_length=64)] | None = None
    location: Location
    requester: Requester
    confidential: bool = False
    attachments: Annotated[list[str], Field(max_length=0)] = []


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


class Evaluation(BaseModel):
    model_config = ConfigDict(frozen=True)

    resolved: bool
    satisfaction: Satisfaction
    comment: str | None = None
    at: datetime
    channel: str = "web"


class Reply(BaseModel):
    model_config = ConfigDict(frozen=True)

    result: str
    resolved_claim: bool
    at: datetime


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
    location: Location
    requester: Requester
    confidential: bool = False
    first_receiver: str | None = None  # unit id
    copied_to: list[str] = []
    assisting: list[str] = []
    tier: str | None = None
    deadline: datetime | None = None
    created_at: datetime
    updated_at: datetime
    signed_at: datetime | None = None
    contacted_at: datetime | None = None
    reply: Reply | None = None
    evaluation: Evaluation | None = None
    follow_up_until: datetime | None = None
    closed_at: datetime | None = None
    close_reason: str | None = None
    timeline: list[TimelineEvent] = []


class Staff(BaseModel):
    """A signed-in staff member: roles from Cognito groups, unit from custom:unit."""

    model_config = ConfigDict(frozen=True)

    username: str
    roles: frozenset[str]
    unit: str | None = None

    @property
    def hotline_centre(self) -> bool:
        return bool(self.roles & {"operator", "dispatcher", "supervisor", "analyst", "admin"})
