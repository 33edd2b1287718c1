"""Open311 GeoReport v2 over 接诉即办 (http://wiki.open311.org/GeoReport_v2, frozen; research/domain.md
section 3.1): catalogue categories are the services, work orders the service requests.

Open311 knows two statuses and nothing of a requester's privacy. Here a confidential order is
never published, a requester's name and phone never leave, and the rest is published as the
publication policy says (publication.py: by default the category, the street, the unit, the
status and the dates, not the requester's words).

A client posts with the spec's fields only: the place comes from `address_string` (district and
street names and their short forms read by the gazetteer, places.py) or from `address_id` (a
district or street code), the point is kept on the order, and the request type is the one the
dispatch model reads from the description. A place that names no district is received all the
same and waits for a dispatcher. The service definition offers the type, district and street
as optional attributes for clients that read it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .beijing import BEIJING
from .catalogue import Catalogue
from .deadlines import TimeLimits
from .errors import FieldProblem, Forbidden, InvalidInput, NotFound
from .intake import Receipt, receive
from .model import (
    MOBILE,
    AnySubmission,
    Category,
    CategoryKind,
    Channel,
    Place,
    Requester,
    RequestType,
    Status,
    UnitKind,
    WorkOrder,
)
from .partners import ApiClient, ClientsAndCatalogue, key_hash
from .places import Gazetteer
from .ports import Clock, OrderQuery, Workflows, WorkOrders
from .publication import DEFAULT, PublicationPolicy
from .triage import SETTLED, EmergencyWords, Reason, told

if TYPE_CHECKING:
    from .smart_dispatch import DispatchModel

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ("text/xml", "application/json")
# When this mapping last changed; the endpoint's changeset also moves with the catalogue.
CHANGESET = datetime(2026, 11, 26, tzinfo=BEIJING)
MAX_RANGE = timedelta(days=90)  # GET Service Requests: "may not span more than 90 days"
MAX_RESULTS = 1000  # "... or first 1000 requests returned"
MAX_IDS = 100
MAX_CODES = 10
MAX_DESCRIPTION = 2000  # our content's limit; Open311 allows 4000
# The service_code of an order no category was given yet (a dispatcher classifies it).
UNCLASSIFIED = "unclassified"

Open311Status = Literal["open", "closed"]
OPEN = frozenset(
    {
        Status.RECEIVED,
        Status.DISPATCHED,
        Status.SIGNED,
        Status.IN_PROGRESS,
        Status.OBJECTED,
        Status.REPLIED,
        Status.FOLLOW_UP,
        Status.REOPENED,
    }
)
CLOSED = frozenset({Status.CLOSED, Status.ANSWERED, Status.NOT_DISPATCHED, Status.MERGED})

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
    Status.REPLIED: "承办单位已答复，等待回访",
    Status.FOLLOW_UP: "回访中",
    Status.CLOSED: "已办结",
    Status.REOPENED: "诉求人不满意，承办单位重新办理",
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


def status_of(status: Status) -> Open311Status:
    """Open: the hotline or a unit still owes the requester something; closed: settled or rated."""
    return "closed" if status in CLOSED else "open"


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
    required: bool
    datatype_description: str | None = None
    order: int
    description: str
    values: list[AttributeValue] | None = Field(None, exclude_if=lambda v: v is None)  # lists only


class ServiceDefinition(BaseModel):
    service_code: str
    attributes: list[Attribute]


def definition(code: str, reference: Catalogue, districts: Sequence[tuple[str, str]]) -> ServiceDefinition:
    """GET Service Definition: what intake records beyond Open311's fields (Art. 10: the request in
    full), the same for every service and all optional: without them the type is read from the
    description and the place from address_string. `districts` are the 16 (code, name) pairs."""
    if reference.category(code) is None:
        raise NotFound(f"service_code {code}: no such service.")
    return ServiceDefinition(
        service_code=code,
        attributes=[
            Attribute(
                code="type",
                datatype="singlevaluelist",
                required=False,
                order=1,
                description=(
                    "诉求类型，不填时按诉求内容判断 (request type; read from the description if absent)"
                ),
                values=[AttributeValue(key=t.value, name=name) for t, name in TYPE_NAMES.items()],
            ),
            Attribute(
                code="district",
                datatype="singlevaluelist",
                required=False,
                order=2,
                description="所在区，不填时按地址判断 (district; read from address_string if absent)",
                values=[AttributeValue(key=k, name=name) for k, name in districts],
            ),
            Attribute(
                code="street",
                datatype="string",
                required=False,
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
                required=False,
                order=4,
                description="是否保密：保密的诉求不公开 (confidential: never published)",
                values=[AttributeValue(key="true", name="保密"), AttributeValue(key="false", name="不保密")],
            ),
        ],
    )


# --- POST Service Request ---------------------------------------------------------------------


def require_client(client: ApiClient | None) -> ApiClient:
    """Open311's check (403 as the spec says): an Open311 client's key, not a partner's."""
    if client is None or client.revoked_at is not None:
        raise Forbidden("A valid api_key is needed to create a request.")
    if client.audience != "open311":
        raise Forbidden("This api_key is not an Open311 key.")
    return client


class RequestForm(BaseModel):
    """The form of POST Service Request: the spec's fields and our optional attributes. email,
    device_id, account_id, media_url and jurisdiction_id are accepted and ignored (attachments
    come only through the web form's checked uploads)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    service_code: Annotated[str, Field(max_length=64)]
    type: RequestType | None = Field(None, alias="attribute[type]")
    district: str | None = Field(None, alias="attribute[district]")
    street: str | None = Field(None, alias="attribute[street]")
    confidential: bool = Field(False, alias="attribute[confidential]")
    description: str
    phone: str
    first_name: Annotated[str, Field(max_length=25)] | None = None
    last_name: Annotated[str, Field(max_length=25)] | None = None
    address_string: Annotated[str, Field(max_length=200)] | None = None
    address_id: Annotated[str, Field(max_length=64)] | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    long: Annotated[float, Field(ge=-180, le=180)] | None = None

    @field_validator("district")
    @classmethod
    def _district(cls, value: str) -> str:
        if not (len(value) == 6 and value.isascii() and value.isdigit()):
            raise ValueError("must be one of the 16 district codes of the service definition")
        return value

    @field_validator("street")
    @classmethod
    def _street(cls, value: str) -> str:
        if not (len(value) == 9 and value.isascii() and value.isdigit()):
            raise ValueError(
                "must be the 9-digit code of a street or township (GET /api/v1/public/divisions)"
            )
        return value

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        if len(value) < 5:
            raise ValueError("at least 5 characters")
        if len(value) > MAX_DESCRIPTION:
            raise ValueError(f"at most {MAX_DESCRIPTION} characters here (Open311 allows 4000)")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        if not MOBILE.match(value):
            raise ValueError("must be an 11-digit mainland mobile number: the requester is told by SMS")
        return value

    @property
    def name(self) -> str | None:
        """A Chinese name is family name first, without a space; others as written."""
        first, last = self.first_name or "", self.last_name or ""
        if first and last and not (first + last).isascii():
            return last + first
        return " ".join(p for p in (first, last) if p) or None


# The fields of the work order's body that Open311 names otherwise.
FIELD_NAMES = {
    "location.district": "attribute[district]",
    "location.street": "attribute[street]",
    "category": "service_code",
    "content": "description",
    "requester.phone": "phone",
}


def _problems(error: ValidationError) -> list[FieldProblem]:
    found = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "body"
        found.append(FieldProblem(where, item["msg"].removeprefix("Value error, ")))
    return found


def parse_request(fields: Mapping[str, str]) -> RequestForm:
    """The form, an empty field counting as absent (the spec's "Optional Arguments"). The spec's
    one rule of place: lat and long, address_string or address_id."""
    present = {k: v for k, v in fields.items() if v.strip()}
    try:
        form = RequestForm.model_validate(present)
    except ValidationError as error:
        raise InvalidInput("Some fields are not valid.", _problems(error)) from error
    if (form.lat is None) != (form.long is None):
        missing = "long" if form.long is None else "lat"
        raise InvalidInput(
            "Send lat and long together.", [FieldProblem(missing, "lat and long are sent together")]
        )
    named = form.address_string or form.address_id or form.district or form.street
    if form.lat is None and not named:
        raise InvalidInput(
            "Say where the problem is.",
            [FieldProblem("address_string", "send lat and long, address_string or address_id")],
        )
    return form


def place_of(form: RequestForm, reference: Catalogue, gazetteer: Gazetteer) -> Place:
    """Where the request is about: the attributes when the client sent them (a wrong code is a
    400), else a district or street code as address_id, else the district and street named in
    address_string. What names no district keeps the address and the point for a dispatcher to
    place."""
    kept = {"address": form.address_string or "", "lat": form.lat, "lng": form.long}
    if form.district or form.street:
        district = form.district
        if district is None and form.street is not None:
            street = reference.unit(form.street)
            if street is None or street.kind is not UnitKind.STREET:
                raise InvalidInput(
                    "Unknown street.",
                    [FieldProblem("attribute[street]", "not a street or township code")],
                )
            district = street.district
        return Place(district=district, street=form.street, **kept)
    if form.address_id and (unit := reference.unit(form.address_id)) is not None:
        if unit.kind is UnitKind.DISTRICT:
            return Place(district=unit.id, **kept)
        if unit.kind is UnitKind.STREET:
            return Place(district=unit.district, street=unit.id, **kept)
    if form.address_id and not form.address_string:
        kept["address"] = form.address_id
    # Not the description: a place it mentions in passing is not where the problem is, and no
    # requester confirms it here as on the web form. A dispatcher reads it.
    found = gazetteer.find(form.address_string) if form.address_string else None
    if found is None:
        return Place(**kept)
    return Place(district=found.district, street=found.street, **kept)


def request_type(form: RequestForm, model: DispatchModel, reference: Catalogue) -> RequestType:
    """The type the client chose, else the one the dispatch model reads from the description."""
    if form.type is not None:
        return form.type
    from . import suggest  # the model's scorer loads with the first request that needs it

    return suggest.current(model, reference).type(form.description)[0]


def submission(
    form: RequestForm, reference: Catalogue, gazetteer: Gazetteer, model: DispatchModel
) -> AnySubmission:
    return AnySubmission(
        type=request_type(form, model, reference),
        content=form.description,
        category=form.service_code,
        location=place_of(form, reference, gazetteer),
        requester=Requester(name=form.name, phone=form.phone),
        confidential=form.confidential,
    )


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


def submit(
    fields: Mapping[str, str],
    *,
    orders: WorkOrders,
    reference: ClientsAndCatalogue,
    workflows: Workflows,
    clock: Clock,
    limits: TimeLimits,
    emergencies: EmergencyWords,
    gazetteer: Gazetteer,
    model: DispatchModel,
    idempotency_key: str | None = None,
    partner_names: Mapping[str, str] | None = None,
) -> Created:
    """POST Service Request: the key (403), the form (400), the service (404), then the same
    intake as the web form (Art. 10), on the Open311 channel; the place and type as `place_of`
    and `request_type` find them.

    No on-the-spot answer: the requester could not ask for a dispatch afterwards. A client's
    Idempotency-Key is its own: it cannot replay another client's receipt."""
    api_key = (fields.get("api_key") or "").strip()
    client = require_client(reference.api_client(key_hash(api_key)) if api_key else None)
    form = parse_request(fields)
    if reference.category(form.service_code) is None:
        raise NotFound(f"service_code {form.service_code}: no such service.")
    try:
        receipt = receive(
            submission(form, reference, gazetteer, model),
            Channel.OPEN311,
            orders=orders,
            reference=reference,
            workflows=workflows,
            clock=clock,
            limits=limits,
            emergencies=emergencies,
            idempotency_key=f"open311:{client.partner}:{idempotency_key}" if idempotency_key else None,
        )
    except InvalidInput as error:
        renamed = [FieldProblem(FIELD_NAMES.get(p.field, p.field), p.message) for p in error.details]
        raise InvalidInput(error.message, renamed) from error
    return Created(service_request_id=receipt.id, service_notice=notice(receipt, partner_names or {}))


# --- GET Service Requests ---------------------------------------------------------------------


class ServiceRequest(BaseModel):
    """A work order as Open311 publishes it: no requester; the rest as the publication policy
    says (`description`, `lat` and `long` are null where it publishes none)."""

    service_request_id: str
    status: Open311Status
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
    said = None
    if order.reply is not None and order.status in (Status.REPLIED, Status.FOLLOW_UP, Status.CLOSED):
        said = policy.reply(order.reply.result)
    if order.answer is not None and order.status is Status.ANSWERED:
        said = policy.reply(order.answer.answer)
    if said:
        notes.append(f"答复：{said}")
    return "；".join(notes)


def street_level(order: WorkOrder, reference: Catalogue) -> str | None:
    """The district and street an order is placed in, by name ("东城区安定门街道")."""
    district = reference.unit(order.location.district) if order.location.district else None
    street = reference.unit(order.location.street) if order.location.street else None
    named = (district.name.removesuffix("人民政府") if district else "") + (street.name if street else "")
    return named or None


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
    lat, lng = policy.point(order.location.lat, order.location.lng)
    return ServiceRequest(
        service_request_id=order.id,
        status=status_of(order.status),
        status_notes=status_notes(order, partner_names, policy),
        service_name=category.name if category else None,
        service_code=order.category or UNCLASSIFIED,
        description=policy.words(order.content),
        agency_responsible=receiver.name if receiver else None,
        requested_datetime=w3(order.created_at),
        updated_datetime=w3(last),
        expected_datetime=w3(order.deadline) if order.deadline else None,
        address=policy.address(order.location.address, street_level(order, reference)),
        address_id=order.location.street or order.location.district,
        lat=lat,
        long=lng,
    )


def _comma_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()] or None
    return value


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("needs a time zone, e.g. 2026-11-26T09:30:00+08:00 or ...Z")
    return value


class RequestQuery(BaseModel):
    """The query of GET Service Requests; jurisdiction_id and unknown parameters are ignored."""

    model_config = ConfigDict(extra="ignore")

    service_request_id: (
        Annotated[list[Annotated[str, Field(pattern=r"^\d{1,20}$")]], Field(max_length=MAX_IDS)] | None
    ) = None
    service_code: (
        Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=MAX_CODES)] | None
    ) = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    status: list[Open311Status] | None = None

    @model_validator(mode="before")
    @classmethod
    def _absent_when_empty(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        present = {k: v for k, v in data.items() if not (isinstance(v, str) and not v.strip())}
        for name in ("start_date", "end_date"):
            # An unencoded "+" in a query string arrives as a space: "...T09:30:00 08:00".
            if isinstance(present.get(name), str):
                present[name] = present[name].strip().replace(" ", "+")
        return present

    _lists = field_validator("service_request_id", "service_code", "status", mode="before")(_comma_list)
    _zones = field_validator("start_date", "end_date")(_aware)


def window(query: RequestQuery, now: datetime) -> tuple[datetime, datetime]:
    """The creation range asked for: at most 90 days; the last 90 days when none is given."""
    start, end = query.start_date, query.end_date
    if start is not None and end is not None:
        if end < start:
            raise InvalidInput(
                "The range is empty.", [FieldProblem("end_date", "must not be before start_date")]
            )
        if end - start > MAX_RANGE:
            raise InvalidInput(
                "The range is too long.",
                [FieldProblem("end_date", "start_date to end_date may not span more than 90 days")],
            )
        return start, end
    if start is not None:
        return start, start + MAX_RANGE
    if end is not None:
        return end - MAX_RANGE, end
    return now - MAX_RANGE, now


def published(order: WorkOrder | None) -> bool:
    return order is not None and not order.confidential


def search(
    query: RequestQuery,
    *,
    orders: WorkOrders,
    reference: Catalogue,
    now: datetime,
    partner_names: Mapping[str, str] | None = None,
    policy: PublicationPolicy = DEFAULT,
) -> list[ServiceRequest]:
    """GET Service Requests: the ids asked for (overriding the rest), or the orders created in the
    window, newest first, at most 1000. Confidential orders are left out."""
    if query.service_request_id:
        found = [orders.get(i) for i in dict.fromkeys(query.service_request_id)]
        return [service_request(o, reference, partner_names, policy) for o in found if o and published(o)]
    start, end = window(query, now)
    wanted = set(query.status or ("open", "closed"))
    statuses = [s for s in Status if status_of(s) in wanted]
    codes: list[str | None] = list(dict.fromkeys(query.service_code or [])) or [None]
    # The status index is sorted by creation time per status: the newest 1000 of each, merged.
    candidates: dict[str, WorkOrder] = {}
    for status in statuses:
        for code in codes:
            page = orders.find(
                OrderQuery(
                    status=status.value, category=code, created_from=start, created_to=end, limit=MAX_RESULTS
                )
            )
            candidates.update((o.id, o) for o in page.items if published(o))
    newest = sorted(candidates.values(), key=lambda o: (o.created_at, o.id), reverse=True)[:MAX_RESULTS]
    return [service_request(o, reference, partner_names, policy) for o in newest]


def lookup(order_id: str, orders: WorkOrders) -> WorkOrder:
    """A published order by its number; unknown and confidential ones answer alike."""
    order = (
        orders.get(order_id) if order_id.isascii() and order_id.isdigit() and len(order_id) <= 20 else None
    )
    if order is None or not published(order):
        raise NotFound(f"service_request_id {order_id}: no such request.")
    return order


class Token(BaseModel):
    service_request_id: str
    token: str


def token(value: str, orders: WorkOrders) -> Token:
    """GET service_request_id from a token: ids are issued at once, so a token is the id itself."""
    return Token(service_request_id=lookup(value, orders).id, token=value)
