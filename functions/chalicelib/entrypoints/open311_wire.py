"""The resources of Open311 GeoReport v2 as the spec writes them (http://wiki.open311.org/GeoReport_v2):
discovery, services and their definitions, service requests, and the words Open311 clients show
(status_notes, service_notice). The rules they render are domain/open311.py's; the routes and the
XML are open311_api.py's, the forms open311_forms.py's."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ..domain import open311
from ..domain.beijing import BEIJING
from ..domain.catalogue import Catalogue
from ..domain.intake import Receipt
from ..domain.model import Category, CategoryKind, RequestType, Status, WorkOrder
from ..domain.ports import WorkOrders
from ..domain.publication import DEFAULT, PublicationPolicy
from ..domain.triage import SETTLED, Reason, told

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ("text/xml", "application/json")
# When this mapping last changed; the endpoint's changeset also moves with the catalogue.
CHANGESET = datetime(2026, 11, 26, tzinfo=BEIJING)
# The service_code of an order no category was given yet (a dispatcher classifies it).
UNCLASSIFIED = "unclassified"

# The 接诉即办 status in plain words, for status_notes.
STATUS_WORDS: dict[Status, str] = {
    Status.RECEIVED: "已受理，等待派单",
    Status.ANSWERED: "已直接答复",
    Status.NOT_DISPATCHED: "不予派单",
    Status.MERGED: "已合并办理",
    Status.DISPATCHED: "已派单，等待承办单位签收",
    Status.SIGNED: "承办单位已签收",
    Status.IN_PROGRESS: "承办单位正在办理",
    Status.OBJECTED: "承办单位提出派单异议，热线中心审核中",
    Status.IN_REVIEW: "承办单位已答复，热线中心审核中",
    Status.REPLIED: "承办单位已答复，等待回访",
    Status.FOLLOW_UP: "回访中",
    Status.CLOSED: "已办结",
    Status.REOPENED: "诉求人不满意，承办单位重新办理",
    Status.REVISIT: "诉求人评价不满意，热线中心正在回访核实",
}
# Why an order was not dispatched (Art. 11 ¶3), said of the request rather than to the requester.
REASON_WORDS: dict[Reason, str] = {
    Reason.EMERGENCY: "属紧急事项，已告知诉求人拨打{transfer_to}",
    Reason.LEGAL_CHANNEL: "应通过诉讼、仲裁、行政复议或信访等法定途径解决",
    Reason.DUPLICATE: "同一事项已有工单{merged_into}，已合并至该工单",
    Reason.SECRETS_PRIVACY: "涉及国家秘密、商业秘密或个人隐私",
    Reason.OUTSIDE_DUTIES: "不属于政府职责范围",
    Reason.UNLAWFUL: "诉求违反法律法规",
    Reason.TRANSFERRED: "已转至{transfer_to}办理",
}
OVERDUE_WORDS = "已超期"
TYPE_NAMES: dict[RequestType, str] = {
    RequestType.CONSULTATION: "咨询",
    RequestType.HELP: "求助",
    RequestType.COMPLAINT: "投诉",
    RequestType.REPORT: "举报",
    RequestType.SUGGESTION: "建议",
}
KIND_WORDS: dict[CategoryKind, str] = {
    CategoryKind.TERRITORIAL: "由所在街道（乡镇）承办",
    CategoryKind.SECTORAL: "由主管部门承办",
    CategoryKind.BOTH: "由所在街道（乡镇）承办，主管部门协办",
}


def w3(value: datetime) -> str:
    """A time as the spec writes it (W3C ISO 8601 with a zone), in Beijing time."""
    return value.astimezone(BEIJING).isoformat(timespec="seconds")


# --- discovery and services -------------------------------------------------------------------


class Endpoint(BaseModel):
    specification: str = SPECIFICATION
    url: str
    changeset: str
    type: Literal["production", "test"]
    formats: list[str] = list(FORMATS)


class Discovery(BaseModel):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[Endpoint]


def discovery(url: str, production: bool, categories: Iterable[Category]) -> Discovery:
    """Service discovery (Service_Discovery.md): one GeoReport v2 endpoint, this one."""
    edits = [c.updated_at for c in categories if c.updated_at is not None]
    changed = w3(max([CHANGESET, *edits]))
    return Discovery(
        changeset=changed,
        contact="北京市12345市民服务热线（接诉即办）：拨打12345。接口问题请联系热线中心平台管理员。",
        key_service=(
            "api_key 由热线中心平台管理员按客户端签发，只显示一次；请向北京市12345市民服务热线申请。"
            " API keys are issued per client app by the hotline's administrators."
        ),
        endpoints=[Endpoint(url=url, changeset=changed, type="production" if production else "test")],
    )


class Service(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool = True  # every service offers the type, district and street (all optional)
    type: Literal["realtime", "batch", "blackbox"] = "realtime"  # ids are issued at once
    keywords: str
    group: str


def services(categories: Iterable[Category]) -> list[Service]:
    """GET Service List: one service per catalogue category."""
    return [
        Service(
            service_code=c.code,
            service_name=c.name,
            description=f"{c.name}：{KIND_WORDS[c.kind]}",
            keywords=",".join(c.keywords),
            group=c.group,
        )
        for c in categories
    ]


class AttributeValue(BaseModel):
    key: str
    name: str


class Attribute(BaseModel):
    variable: bool = True
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool = False
    datatype_description: str | None = None
    order: int
    description: str
    values: list[AttributeValue] | None = Field(None, exclude_if=lambda v: v is None)  # lists only


class ServiceDefinition(BaseModel):
    service_code: str
    attributes: list[Attribute]


def attributes(districts: Sequence[tuple[str, str]]) -> list[Attribute]:
    """What intake records beyond Open311's fields (Art. 10: the request in full), all optional:
    without them the type is read from the description and the place from address_string.
    `districts` are the 16 (code, name) pairs."""
    return [
        Attribute(
            code="type",
            datatype="singlevaluelist",
            order=1,
            description="诉求类型，不填时按诉求内容判断 (request type; read from the description if absent)",
            values=[AttributeValue(key=t.value, name=name) for t, name in TYPE_NAMES.items()],
        ),
        Attribute(
            code="district",
            datatype="singlevaluelist",
            order=2,
            description="所在区，不填时按地址判断 (district; read from address_string if absent)",
            values=[AttributeValue(key=k, name=name) for k, name in districts],
        ),
        Attribute(
            code="street",
            datatype="string",
            datatype_description=(
                "9位街道（乡镇）代码，见 GET /api/v1/public/divisions "
                "(the 9-digit street/township code of the district; GET /api/v1/public/divisions)"
            ),
            order=3,
            description="所在街道（乡镇） (street or township)",
        ),
        Attribute(
            code="confidential",
            datatype="singlevaluelist",
            order=4,
            description="是否保密：保密的诉求不公开 (confidential: never published)",
            values=[AttributeValue(key="true", name="保密"), AttributeValue(key="false", name="不保密")],
        ),
    ]


def definition(code: str, reference: Catalogue, districts: Sequence[tuple[str, str]]) -> ServiceDefinition:
    """GET Service Definition: the same optional attributes for every service."""
    return ServiceDefinition(
        service_code=open311.service(code, reference).code, attributes=attributes(districts)
    )


# --- service requests -------------------------------------------------------------------------


class Created(BaseModel):
    service_request_id: str
    service_notice: str
    account_id: str | None = None


def notice(receipt: Receipt, partner_names: Mapping[str, str]) -> str:
    """What the requester is told on creation: the number and deadline, or why nothing will be
    dispatched, and the tracking code that opens the tracking page and the evaluation (only the
    client that posted the request reads this answer; the code is stored as a hash)."""
    code = f"跟踪码{receipt.tracking_code}（凭工单号和跟踪码可在网上查询进度、评价办理）。"
    if receipt.status in SETTLED and receipt.reason is not None:
        where = partner_names.get(receipt.transfer_to or "", receipt.transfer_to)
        said = told(Reason(receipt.reason), where, receipt.merged_into)
        return f"您的诉求已记录，工单号{receipt.id}，{code}{said}受理短信将发送至您提供的手机号。"
    deadline = receipt.deadline.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if receipt.deadline else "—"
    return (
        f"您的诉求已受理，工单号{receipt.id}，办理期限至{deadline}（北京时间），{code}"
        "受理短信（含工单号）将发送至您提供的手机号。"
    )


class ServiceRequest(BaseModel):
    """A work order as Open311 publishes it: no requester; the rest as the publication policy
    says (`description`, `lat` and `long` are null where it publishes none)."""

    service_request_id: str
    status: open311.Open311Status
    status_notes: str | None
    service_name: str | None
    service_code: str
    description: str | None
    agency_responsible: str | None
    service_notice: str | None = None
    requested_datetime: str
    updated_datetime: str
    expected_datetime: str | None
    address: str | None
    address_id: str | None = None  # the street's (or district's) division code
    zipcode: str | None = None
    lat: float | None
    long: float | None
    media_url: str | None = None


def status_notes(
    order: WorkOrder,
    partner_names: Mapping[str, str] | None = None,
    policy: PublicationPolicy = DEFAULT,
) -> str:
    """The 接诉即办 status in plain words; why a settled order went nowhere; overdue; the reply
    when the policy publishes replies."""
    notes = [STATUS_WORDS[order.status]]
    if order.status in SETTLED and order.reason is not None:
        where = (partner_names or {}).get(order.transfer_to or "", order.transfer_to or "")
        notes.append(
            REASON_WORDS[Reason(order.reason)].format(transfer_to=where, merged_into=order.merged_into)
        )
    if order.overdue:
        notes.append(OVERDUE_WORDS)
    if said := open311.published_reply(order, policy):
        notes.append(f"答复：{said}")
    return "；".join(notes)


def service_request(
    order: WorkOrder,
    reference: Catalogue,
    partner_names: Mapping[str, str] | None = None,
    policy: PublicationPolicy = DEFAULT,
) -> ServiceRequest:
    """One order in Open311's words, as much as the policy publishes; the caller has made sure
    it is not confidential."""
    category = reference.category(order.category) if order.category else None
    receiver = reference.unit(order.first_receiver) if order.first_receiver else None
    last = order.timeline[-1].at if order.timeline else order.updated_at
    shown = open311.publication(order, reference, policy)
    return ServiceRequest(
        service_request_id=order.id,
        status=open311.status_of(order.status),
        status_notes=status_notes(order, partner_names, policy),
        service_name=category.name if category else None,
        service_code=order.category or UNCLASSIFIED,
        description=shown.description,
        agency_responsible=receiver.name if receiver else None,
        requested_datetime=w3(order.created_at),
        updated_datetime=w3(last),
        expected_datetime=w3(order.deadline) if order.deadline else None,
        address=shown.address,
        address_id=order.location.street or order.location.district,
        lat=shown.lat,
        long=shown.long,
    )


def search(
    wanted: open311.Wanted,
    *,
    orders: WorkOrders,
    reference: Catalogue,
    now: datetime,
    partner_names: Mapping[str, str] | None = None,
    policy: PublicationPolicy = DEFAULT,
) -> list[ServiceRequest]:
    """GET Service Requests (domain/open311.py, `search`), each in Open311's words."""
    found = open311.search(wanted, orders=orders, now=now)
    return [service_request(o, reference, partner_names, policy) for o in found]


class Token(BaseModel):
    service_request_id: str
    token: str


def token(value: str, orders: WorkOrders) -> Token:
    """GET service_request_id from a token: ids are issued at once, so a token is the id itself."""
    return Token(service_request_id=open311.lookup(value, orders).id, token=value)
