"""Open311 GeoReport v2 under /open311/v2 (API.md "Open311 GeoReport v2"; the rules live in
domain/open311.py, the resources in open311_wire.py, the forms in open311_forms.py). Every
resource in JSON and XML; errors are the spec's list of {code, description} in the format asked for.

API Gateway path parts are whole parameters, so `services.{format}` is two literal routes and
`services/{code}.{format}` one parameter split here."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qs
from xml.etree import ElementTree

from chalice import Blueprint, Response
from pydantic import BaseModel, ValidationError

from ..domain.errors import DomainError, FieldProblem, InvalidInput, NotFound, TooLarge
from ..names import NO_STORE, SHARED_BRIEFLY
from ..observability import logger
from ..wiring import deps
from .http import MAX_BODY_BYTES, idempotency_key, problems, refuse_control_characters, status_of

# The Open311 mapping and the reference data are imported by the routes that use them: the machine
# clients' function imports no domain model at its cold start (the API's import-time budget).
if TYPE_CHECKING:
    from . import open311_wire

bp = Blueprint(__name__)

Format = Literal["json", "xml"]
CONTENT_TYPES: dict[Format, str] = {
    "json": "application/json; charset=utf-8",
    "xml": "text/xml; charset=utf-8",
}
FORM = ["application/x-www-form-urlencoded"]
# The element of each item of a list in the spec's XML (JSON has bare arrays).
ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
Payload = BaseModel | Sequence[BaseModel]


def _element(tag: str, value: Any) -> ElementTree.Element:
    element = ElementTree.Element(tag)
    if isinstance(value, dict):
        element.extend(_element(k, v) for k, v in value.items())
    elif isinstance(value, list):
        element.extend(_element(ITEMS[tag], v) for v in value)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:  # null is an empty element, as in the spec's examples
        # XML 1.0 cannot carry control characters: text stored before they were refused shows U+FFFD.
        element.text = NOT_XML.sub("\ufffd", str(value))
    return element


# Characters XML 1.0 cannot carry: what was stored before control characters were refused.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _render(fmt: Format, root: str, payload: Any, status: int, cache: str = NO_STORE) -> Response:
    if fmt == "json":
        body = json.dumps(payload, ensure_ascii=False)
    else:
        tree = ElementTree.tostring(_element(root, payload), encoding="unicode")
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + tree
    return Response(
        body=body, status_code=status, headers={"Content-Type": CONTENT_TYPES[fmt], "Cache-Control": cache}
    )


def _dump(payload: Payload) -> Any:
    if isinstance(payload, BaseModel):
        return payload.model_dump(mode="json")
    return [item.model_dump(mode="json") for item in payload]


def _said(fmt: Format, status: int, said: list[str]) -> Response:
    return _render(fmt, "errors", [{"code": status, "description": d} for d in said], status)


def _errors(fmt: Format, error: DomainError) -> Response:
    return _said(fmt, status_of(error), [f"{p.field}: {p.message}" for p in error.details] or [error.message])


def _serve(
    fmt: Format, root: str, produce: Callable[[], Payload], status: int = 200, cache: str = NO_STORE
) -> Response:
    """Run the route and answer in `fmt`, errors included (never cached); never a stack trace."""
    try:
        return _render(fmt, root, _dump(produce()), status, cache)
    except DomainError as error:
        return _errors(fmt, error)
    except Exception:
        logger.exception("unhandled error")
        return _said(fmt, 500, ["Something went wrong on our side; try again."])


def _split(file: str) -> tuple[str, Format]:
    """`<name>.json` or `<name>.xml`; anything else is no resource of ours."""
    name, _, suffix = file.rpartition(".")
    if not name or suffix not in ("json", "xml"):
        raise NotFound(f"No resource {file}: ask for <id>.json or <id>.xml.")
    return name, "json" if suffix == "json" else "xml"


def _by_file(file: str, root: str, produce: Callable[[str], Payload], cache: str = NO_STORE) -> Response:
    try:
        name, fmt = _split(file)
    except NotFound as error:
        return _errors("json", error)
    return _serve(fmt, root, lambda: produce(name), cache=cache)


def _partner_names() -> dict[str, str]:
    from ..reference_data import partners as known_partners

    return {p.id: p.name for p in known_partners().values()}


# --- discovery and services -------------------------------------------------------------------


def _discovery() -> open311_wire.Discovery:
    from . import open311_wire

    request = bp.current_request
    host = request.headers.get("host") or "localhost"
    scheme = request.headers.get("x-forwarded-proto") or "http"  # API Gateway always sets it
    # The path as the client called it (with the stage, in AWS), minus /discovery.<format>.
    path = str(request.context.get("path") or "/open311/v2/discovery.json").rsplit("/", 1)[0]
    d = deps()
    production = d.config.stage == "prod"
    return open311_wire.discovery(f"{scheme}://{host}{path}", production, d.reference.categories())


@bp.route("/discovery.json", methods=["GET"], cors=True)
def discovery_json() -> Response:
    return _serve("json", "discovery", _discovery, cache=SHARED_BRIEFLY)


@bp.route("/discovery.xml", methods=["GET"], cors=True)
def discovery_xml() -> Response:
    return _serve("xml", "discovery", _discovery, cache=SHARED_BRIEFLY)


def _services() -> list[open311_wire.Service]:
    from . import open311_wire

    return open311_wire.services(deps().reference.categories())


@bp.route("/services.json", methods=["GET"], cors=True)
def services_json() -> Response:
    return _serve("json", "services", _services, cache=SHARED_BRIEFLY)


@bp.route("/services.xml", methods=["GET"], cors=True)
def services_xml() -> Response:
    return _serve("xml", "services", _services, cache=SHARED_BRIEFLY)


@bp.route("/services/{file}", methods=["GET"], cors=True)
def service_definition(file: str) -> Response:
    from ..reference_data import divisions
    from . import open311_wire

    districts = [(d.code, d.name) for d in divisions()]
    return _by_file(
        file,
        "service_definition",
        lambda code: open311_wire.definition(code, deps().reference, districts),
        SHARED_BRIEFLY,
    )


# --- requests ---------------------------------------------------------------------------------


def _search() -> list[open311_wire.ServiceRequest]:
    from . import open311_wire
    from .open311_forms import RequestQuery

    params: Any = bp.current_request.query_params or {}
    # A parameter may be declared several times (status=open&status=closed): one comma list.
    raw = {k: ",".join(params.getlist(k)) if hasattr(params, "getlist") else params[k] for k in params}
    try:
        query = RequestQuery.model_validate(raw)
    except ValidationError as error:
        raise InvalidInput("Some query parameters are not valid.", problems(error)) from error
    d = deps()
    return open311_wire.search(
        query,
        orders=d.orders,
        reference=d.reference,
        now=d.clock.now(),
        partner_names=_partner_names(),
        policy=d.publication,
    )


def _form() -> dict[str, str]:
    """The form-encoded body; a field sent twice counts once (the first)."""
    raw = bp.current_request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise TooLarge()
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        fields = parse_qs(text, keep_blank_values=True)
    except UnicodeDecodeError as error:
        raise InvalidInput("The body is not UTF-8.", [FieldProblem("body", "not UTF-8")]) from error
    found = {k: v[0] for k, v in fields.items()}
    refuse_control_characters(found)
    return found


def _create() -> list[open311_wire.Created]:
    from ..domain.open311 import Intake
    from ..reference_data import emergency_words, gazetteer
    from .open311_forms import submit

    fields = _form()
    key = idempotency_key(bp.current_request)
    d = deps()
    intake = Intake(
        orders=d.orders,
        reference=d.reference,
        workflows=d.workflows,
        clock=d.clock,
        limits=d.limits,
        emergencies=emergency_words(),
        gazetteer=gazetteer(),
        model=d.dispatch_model,
    )
    return [submit(fields, intake, idempotency_key=key, partner_names=_partner_names())]


@bp.route("/requests.json", methods=["GET"], cors=True)
def requests_json() -> Response:
    return _serve("json", "service_requests", _search)


@bp.route("/requests.xml", methods=["GET"], cors=True)
def requests_xml() -> Response:
    return _serve("xml", "service_requests", _search)


@bp.route("/requests.json", methods=["POST"], cors=True, content_types=FORM)
def create_request_json() -> Response:
    return _serve("json", "service_requests", _create, 201)


@bp.route("/requests.xml", methods=["POST"], cors=True, content_types=FORM)
def create_request_xml() -> Response:
    return _serve("xml", "service_requests", _create, 201)


def _one(order_id: str) -> list[open311_wire.ServiceRequest]:
    from ..domain import open311
    from . import open311_wire

    d = deps()
    order = open311.lookup(order_id, d.orders)
    return [open311_wire.service_request(order, d.reference, _partner_names(), d.publication)]


@bp.route("/requests/{file}", methods=["GET"], cors=True)
def service_request(file: str) -> Response:
    return _by_file(file, "service_requests", _one)


@bp.route("/tokens/{file}", methods=["GET"], cors=True)
def request_from_token(file: str) -> Response:
    from . import open311_wire

    return _by_file(file, "service_requests", lambda value: [open311_wire.token(value, deps().orders)])
