"""Open311 GeoReport v2 over 接诉即办 (http://wiki.open311.org/GeoReport_v2, frozen; research/domain.md
section 3.1): catalogue categories are the services, work orders the service requests. This module
holds the rules; the wire format (JSON and XML, the form's field names, the words of
status_notes) is the entry point's (entrypoints/open311_wire.py, entrypoints/open311_forms.py).

Open311 knows two statuses and nothing of a requester's privacy. Here a confidential order is
never published, a requester's name and phone never leave, and the rest is published as the
publication policy says (publication.py: by default the category, the street, the unit, the
status and the dates, not the requester's words).

A client posts with the spec's fields only: the place comes from `address_string` (district and
street names and their short forms read by the gazetteer, places.py) or from `address_id` (a
district or street code), the point is kept on the order, and the request type is the one the
dispatch model reads from the description. A place that names no district is received all the
same and waits for a dispatcher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .catalogue import Catalogue
from .deadlines import TimeLimits
from .errors import FieldProblem, Forbidden, InvalidInput, NotFound
from .intake import Receipt, receive
from .model import (
    MOBILE,
    AnySubmission,
    Category,
    Channel,
    Place,
    Requester,
    RequestType,
    Status,
    UnitKind,
    WorkOrder,
)
from .partners import ApiClient, ApiClients, ClientsAndCatalogue, key_hash
from .places import Gazetteer
from .ports import Clock, OrderQuery, Workflows, WorkOrders
from .publication import DEFAULT, PublicationPolicy
from .triage import EmergencyWords

if TYPE_CHECKING:
    from .smart_dispatch import DispatchModel

MAX_RANGE = timedelta(days=90)  # GET Service Requests: "may not span more than 90 days"
MAX_RESULTS = 1000  # "... or first 1000 requests returned"
MAX_IDS = 100
MAX_CODES = 10
MAX_DESCRIPTION = 2000  # our content's limit; Open311 allows 4000

Open311Status = Literal["open", "closed"]
OPEN = frozenset(
    {
        Status.RECEIVED,
        Status.DISPATCHED,
        Status.SIGNED,
        Status.IN_PROGRESS,
        Status.OBJECTED,
        Status.IN_REVIEW,
        Status.REPLIED,
        Status.FOLLOW_UP,
        Status.REOPENED,
        Status.REVISIT,
    }
)
CLOSED = frozenset({Status.CLOSED, Status.ANSWERED, Status.NOT_DISPATCHED, Status.MERGED})
# The statuses after which the unit's reply is the order's last word.
REPLIED = (Status.REPLIED, Status.FOLLOW_UP, Status.CLOSED)


def status_of(status: Status) -> Open311Status:
    """Open: the hotline or a unit still owes the requester something; closed: settled or rated."""
    return "closed" if status in CLOSED else "open"


def service(code: str, reference: Catalogue) -> Category:
    """The catalogue category a service_code names: every category is a service."""
    category = reference.category(code)
    if category is None:
        raise NotFound(f"service_code {code}: no such service.")
    return category


# --- POST Service Request ---------------------------------------------------------------------


def require_client(client: ApiClient | None) -> ApiClient:
    """Open311's check (forbidden, as the spec says): an Open311 client's key, not a partner's."""
    if client is None or client.revoked_at is not None:
        raise Forbidden("A valid api_key is needed to create a request.")
    if client.audience != "open311":
        raise Forbidden("This api_key is not an Open311 key.")
    return client


def client_of(api_key: str, reference: ApiClients) -> ApiClient:
    """The Open311 client an api_key was issued to."""
    key = api_key.strip()
    return require_client(reference.api_client(key_hash(key)) if key else None)


def _code(value: str, digits: int) -> bool:
    return len(value) == digits and value.isascii() and value.isdigit()


class Open311Request(BaseModel):
    """What a client asks for: the spec's fields and our optional attributes (type, district,
    street, confidential), each checked as intake will need it."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    service_code: Annotated[str, Field(max_length=64)]
    type: RequestType | None = None
    district: str | None = None
    street: str | None = None
    confidential: bool = False
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
        if not _code(value, 6):
            raise ValueError("must be one of the 16 district codes of the service definition")
        return value

    @field_validator("street")
    @classmethod
    def _street(cls, value: str) -> str:
        if not _code(value, 9):
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


def check_place(request: Open311Request) -> None:
    """The spec's one rule of place: lat and long, address_string or address_id."""
    if (request.lat is None) != (request.long is None):
        missing = "long" if request.long is None else "lat"
        raise InvalidInput(
            "Send lat and long together.", [FieldProblem(missing, "lat and long are sent together")]
        )
    named = request.address_string or request.address_id or request.district or request.street
    if request.lat is None and not named:
        raise InvalidInput(
            "Say where the problem is.",
            [FieldProblem("address_string", "send lat and long, address_string or address_id")],
        )


def place_of(request: Open311Request, reference: Catalogue, gazetteer: Gazetteer) -> Place:
    """Where the request is about: the attributes when the client sent them (a wrong code is
    invalid), else a district or street code as address_id, else the district and street named in
    address_string. What names no district keeps the address and the point for a dispatcher to
    place."""
    kept = {"address": request.address_string or "", "lat": request.lat, "lng": request.long}
    if request.district or request.street:
        district = request.district
        if district is None and request.street is not None:
            street = reference.unit(request.street)
            if street is None or street.kind is not UnitKind.STREET:
                raise InvalidInput(
                    "Unknown street.", [FieldProblem("street", "not a street or township code")]
                )
            district = street.district
        return Place(district=district, street=request.street, **kept)
    if request.address_id and (unit := reference.unit(request.address_id)) is not None:
        if unit.kind is UnitKind.DISTRICT:
            return Place(district=unit.id, **kept)
        if unit.kind is UnitKind.STREET:
            return Place(district=unit.district, street=unit.id, **kept)
    if request.address_id and not request.address_string:
        kept["address"] = request.address_id
    # Not the description: a place it mentions in passing is not where the problem is, and no
    # requester confirms it here as on the web form. A dispatcher reads it.
    found = gazetteer.find(request.address_string) if request.address_string else None
    if found is None:
        return Place(**kept)
    return Place(district=found.district, street=found.street, **kept)


def request_type(request: Open311Request, model: DispatchModel, reference: Catalogue) -> RequestType:
    """The type the client chose, else the one the dispatch model reads from the description."""
    if request.type is not None:
        return request.type
    from . import suggest  # the model's scorer loads with the first request that needs it

    return suggest.current(model, reference).type(request.description)[0]


def submission(
    request: Open311Request, reference: Catalogue, gazetteer: Gazetteer, model: DispatchModel
) -> AnySubmission:
    return AnySubmission(
        type=request_type(request, model, reference),
        content=request.description,
        category=request.service_code,
        location=place_of(request, reference, gazetteer),
        requester=Requester(name=request.name, phone=request.phone),
        confidential=request.confidential,
    )


@dataclass(frozen=True)
class Intake:
    """What intake needs besides the request."""

    orders: WorkOrders
    reference: ClientsAndCatalogue
    workflows: Workflows
    clock: Clock
    limits: TimeLimits
    emergencies: EmergencyWords
    gazetteer: Gazetteer
    model: DispatchModel


def submit(
    client: ApiClient, request: Open311Request, intake: Intake, idempotency_key: str | None = None
) -> Receipt:
    """POST Service Request once the key and the form are checked: the service (not found), then
    the same intake as the web form (Art. 10), on the Open311 channel; the place and type as
    `place_of` and `request_type` find them.

    No on-the-spot answer: the requester could not ask for a dispatch afterwards. A client's
    Idempotency-Key is its own: it cannot replay another client's receipt."""
    service(request.service_code, intake.reference)
    return receive(
        submission(request, intake.reference, intake.gazetteer, intake.model),
        Channel.OPEN311,
        orders=intake.orders,
        reference=intake.reference,
        workflows=intake.workflows,
        clock=intake.clock,
        limits=intake.limits,
        emergencies=intake.emergencies,
        idempotency_key=f"open311:{client.partner}:{idempotency_key}" if idempotency_key else None,
    )


# --- GET Service Requests ---------------------------------------------------------------------


class Wanted(BaseModel):
    """What GET Service Requests asks for: ids (overriding the rest), or services, statuses and a
    range of creation times, each zoned."""

    service_request_id: (
        Annotated[list[Annotated[str, Field(pattern=r"^\d{1,20}$")]], Field(max_length=MAX_IDS)] | None
    ) = None
    service_code: (
        Annotated[list[Annotated[str, Field(max_length=64)]], Field(max_length=MAX_CODES)] | None
    ) = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    status: list[Open311Status] | None = None

    @field_validator("start_date", "end_date")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("needs a time zone, e.g. 2026-11-26T09:30:00+08:00 or ...Z")
        return value


def window(wanted: Wanted, now: datetime) -> tuple[datetime, datetime]:
    """The creation range asked for: at most 90 days; the last 90 days when none is given."""
    start, end = wanted.start_date, wanted.end_date
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


def search(wanted: Wanted, *, orders: WorkOrders, now: datetime) -> list[WorkOrder]:
    """The ids asked for (overriding the rest), or the orders created in the window, newest
    first, at most 1000. Confidential orders are left out."""
    if wanted.service_request_id:
        found = [orders.get(i) for i in dict.fromkeys(wanted.service_request_id)]
        return [o for o in found if o is not None and published(o)]
    start, end = window(wanted, now)
    chosen = set(wanted.status or ("open", "closed"))
    statuses = [s for s in Status if status_of(s) in chosen]
    codes: list[str | None] = list(dict.fromkeys(wanted.service_code or [])) or [None]
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
    return sorted(candidates.values(), key=lambda o: (o.created_at, o.id), reverse=True)[:MAX_RESULTS]


def lookup(order_id: str, orders: WorkOrders) -> WorkOrder:
    """A published order by its number; unknown and confidential ones answer alike."""
    order = (
        orders.get(order_id) if order_id.isascii() and order_id.isdigit() and len(order_id) <= 20 else None
    )
    if order is None or not published(order):
        raise NotFound(f"service_request_id {order_id}: no such request.")
    return order


# --- what is published of an order ------------------------------------------------------------


@dataclass(frozen=True)
class Publication:
    """What the publication policy lets out of a published order besides its status and dates."""

    description: str | None
    address: str | None
    lat: float | None
    long: float | None


def street_level(order: WorkOrder, reference: Catalogue) -> str | None:
    """The district and street an order is placed in, by name ("东城区安定门街道")."""
    district = reference.unit(order.location.district) if order.location.district else None
    street = reference.unit(order.location.street) if order.location.street else None
    named = (district.name.removesuffix("人民政府") if district else "") + (street.name if street else "")
    return named or None


def publication(order: WorkOrder, reference: Catalogue, policy: PublicationPolicy = DEFAULT) -> Publication:
    """The requester's words, the place and the point as far as the policy publishes them; the
    caller has made sure the order is not confidential."""
    lat, lng = policy.point(order.location.lat, order.location.lng)
    return Publication(
        description=policy.words(order.content),
        address=policy.address(order.location.address, street_level(order, reference)),
        lat=lat,
        long=lng,
    )


def published_reply(order: WorkOrder, policy: PublicationPolicy = DEFAULT) -> str | None:
    """The unit's reply (or the hotline's direct answer) once given, where the policy publishes
    replies, masked as it says."""
    said = None
    if order.reply is not None and order.status in REPLIED:
        said = policy.reply(order.reply.result)
    if order.answer is not None and order.status is Status.ANSWERED:
        said = policy.reply(order.answer.answer)
    return said or None
