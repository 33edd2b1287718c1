"""HTTP plumbing shared by the routes: JSON in, JSON out, errors in the shape API.md names."""

from __future__ import annotations

import functools
import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from chalice import Response
from chalice.app import Request
from pydantic import BaseModel, ConfigDict, ValidationError

from ..domain.errors import DomainError, FieldProblem, InvalidInput, Kind, TooLarge
from ..names import NO_STORE, SECURITY_HEADERS
from ..observability import logger

MAX_BODY_BYTES = 64 * 1024
JSON = "application/json; charset=utf-8"

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
V = TypeVar("V", bound=Callable[..., Response])


# What went wrong, as an HTTP status: the one place a domain error's kind becomes a number.
STATUSES: dict[Kind, int] = {
    Kind.INVALID: 400,
    Kind.UNAUTHENTICATED: 401,
    Kind.FORBIDDEN: 403,
    Kind.NOT_FOUND: 404,
    Kind.CONFLICT: 409,
    Kind.TOO_LARGE: 413,
    Kind.UNAVAILABLE: 503,
}


def status_of(error: DomainError) -> int:
    """The HTTP status that answers a domain error."""
    return STATUSES[error.kind]


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: list[ErrorDetail]


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer (API.md, Errors)."""

    error: ErrorInfo


class Page(BaseModel, Generic[T]):
    """A list, and the cursor of its next page (null on the last)."""

    model_config = ConfigDict(defer_build=True)

    items: list[T]
    next: str | None = None


def error_body(code: str, message: str, details: list[FieldProblem] | None = None) -> dict[str, Any]:
    found = [ErrorDetail(field=d.field, message=d.message) for d in details or []]
    return ErrorBody(error=ErrorInfo(code=code, message=message, details=found)).model_dump(mode="json")


# A model, or where to find it ("package.module:Name", "Page[package.module:Name]" for a page of
# them): the routes of a module that is imported only when one of them is called name their models
# so (the API's import-time budget).
ModelRef = type[BaseModel] | str


def _model(ref: Any) -> Any:
    if isinstance(ref, str):
        if ref.startswith("Page[") and ref.endswith("]"):
            return Page[_model(ref.removeprefix("Page[").removesuffix("]"))]  # type: ignore[misc]
        module, _, name = ref.partition(":")
        return getattr(importlib.import_module(module), name)
    return ref


@dataclass(frozen=True)
class RouteDoc:
    """What the OpenAPI document says of a route: its body, query and answer models."""

    response: Any  # each a model, or a ModelRef until loaded()
    body: Any = None
    query: Any = None
    status: int = 200
    conflicts: bool = False  # answers 409 (stale version, wrong status)
    idempotent: bool = False  # takes an Idempotency-Key header

    def loaded(self) -> RouteDoc:
        """The same, with every model named by where it is imported."""
        return replace(
            self,
            response=_model(self.response),
            body=_model(self.body) if self.body is not None else None,
            query=_model(self.query) if self.query is not None else None,
        )


def doc(
    response: Any,
    *,
    body: ModelRef | None = None,
    query: ModelRef | None = None,
    status: int = 200,
    conflicts: bool = False,
    idempotent: bool = False,
) -> Callable[[V], V]:
    """Describe a route for GET /api/v1/openapi.json; the summary is the view's docstring."""

    def mark(view: V) -> V:
        view.openapi = RouteDoc(  # type: ignore[attr-defined]
            response=response,
            body=body,
            query=query,
            status=status,
            conflicts=conflicts,
            idempotent=idempotent,
        )
        return view

    return mark


def respond(body: BaseModel | dict[str, Any], status: int = 200, *, cache: str = NO_STORE) -> Response:
    """A JSON answer with headers of its own (never a dict another answer shares)."""
    payload = body.model_dump(mode="json") if isinstance(body, BaseModel) else body
    headers: dict[str, str | list[str]] = {"Content-Type": JSON, "Cache-Control": cache}
    return Response(body=json.dumps(payload, ensure_ascii=False), status_code=status, headers=headers)


# Chalice's own answers ({"Code", "Message"}: a method the route does not take, a content type it
# does not take, an error outside the routes), in the API's shape: code and message by status.
CHALICE_ERRORS = {
    400: ("invalid_input", "The request is not valid."),
    405: ("method_not_allowed", "This address does not take this method."),
    413: ("too_large", "The request body is too large."),
    415: ("unsupported_media_type", "This address does not take this content type."),
}
OPEN311_PREFIX = "/open311/"


def _own_shape(event: Any, response: Response) -> Response:
    """Chalice's error answer in the API's shape (Open311's for Open311 routes); others as they are."""
    body = response.body
    if not (isinstance(body, dict) and set(body) == {"Code", "Message"}):
        return response
    status = response.status_code
    code, message = CHALICE_ERRORS.get(status, ("internal", "Something went wrong on our side; try again."))
    details = []
    if status == 415:
        content_type = str(event.headers.get("content-type", "") if event else "")[:100]
        details = [FieldProblem("Content-Type", f"{content_type or 'none'} is not taken here")]
    if str(getattr(event, "path", "") or "").startswith(OPEN311_PREFIX):
        payload: Any = [{"code": status, "description": message}]
    else:
        payload = error_body(code, message, details)
    headers = {k: v for k, v in (response.headers or {}).items() if k.lower() != "content-type"}
    return Response(
        body=json.dumps(payload, ensure_ascii=False),
        status_code=status,
        headers={**headers, "Content-Type": JSON},
    )


def secure_headers(event: Any, get_response: Callable[[Any], Response]) -> Response:
    """Middleware: every answer, Chalice's own 405/415/500 included, is in the API's error shape and
    gets the security headers and a caching policy (no-store unless its route said otherwise), in a
    dict of its own."""
    response = _own_shape(event, get_response(event))
    headers: dict[str, str | list[str]] = {"Cache-Control": NO_STORE, **dict(SECURITY_HEADERS)}
    headers.update(response.headers or {})
    from ..settings import settings  # with the first answer: the settings load the publication policy

    allowed = settings().allowed_origin
    if allowed and "Access-Control-Allow-Origin" in headers and not _open311(event):
        # Only the portal's pages may read its API's answers from a browser (docs/deploy.md).
        headers["Access-Control-Allow-Origin"] = allowed
    response.headers = headers
    return response


def _open311(event: Any) -> bool:
    return str(getattr(event, "context", {}).get("resourcePath", "")).startswith("/open311/")


def problems(error: ValidationError, request: Request | None = None) -> list[FieldProblem]:
    """Each invalid field, in the caller's language (`Accept-Language`, Chinese by default); in
    English when no request is named (the machine interfaces, e.g. Open311)."""
    from . import messages

    return messages.problems(error, request.headers.get("accept-language") if request else "en")


# Control characters other than tab, line feed and carriage return: no person types them, and one
# stored in a request would make every XML feed that publishes it ill-formed.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_characters(value: Any, where: str = "") -> list[FieldProblem]:
    """Each field (a dotted path) of decoded input whose text holds a control character."""
    if isinstance(value, str):
        return (
            [FieldProblem(where or "body", "control characters are not allowed")]
            if CONTROL.search(value)
            else []
        )
    if isinstance(value, dict):
        found: list[FieldProblem] = []
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            found += control_characters(str(key), path) + control_characters(item, path)
        return found
    if isinstance(value, list):
        return [
            p
            for i, item in enumerate(value)
            for p in control_characters(item, f"{where}.{i}" if where else str(i))
        ]
    return []


def refuse_control_characters(value: Any) -> None:
    if found := control_characters(value):
        raise InvalidInput("Some fields hold control characters.", found)


def idempotency_key(request: Request) -> str | None:
    """The caller's Idempotency-Key header, if it sent one (at most 128 characters)."""
    key = (request.headers.get("idempotency-key") or "").strip() or None
    if key is not None and len(key) > 128:
        raise InvalidInput(
            "Idempotency-Key is too long.", [FieldProblem("Idempotency-Key", "at most 128 chars")]
        )
    return key


# Arrays and objects nested deeper than this are refused before decoding: no body the API takes
# nests half as deep, and Python's decoder recurses once per level (1,000 levels end the request).
MAX_DEPTH = 32
JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
BRACKET = re.compile(rb"[\[\]{}]")


def too_deep(raw: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON text nests arrays and objects deeper than `limit` (brackets inside strings aside)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    for bracket in BRACKET.findall(JSON_STRING.sub(b"", raw)):
        depth += 1 if bracket in (b"[", b"{") else -1
        if depth > limit:
            return True
    return False


def parse(request: Request, model: type[M], extra: dict[str, Any] | None = None) -> M:
    """The JSON body as `model`; a 400 naming each bad field, or 413 when it is too large."""
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise TooLarge()
    if too_deep(raw if isinstance(raw, bytes) else raw.encode()):
        raise InvalidInput(
            "The body nests too deeply.", [FieldProblem("body", f"nested deeper than {MAX_DEPTH} levels")]
        )
    try:
        data = json.loads(raw or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput("The body is not valid JSON.", [FieldProblem("body", str(error))]) from error
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.", [FieldProblem("body", "expected an object")])
    refuse_control_characters(data)
    try:
        return model.model_validate({**data, **(extra or {})})
    except ValidationError as error:
        raise InvalidInput("Some fields are not valid.", problems(error, request)) from error


def parse_query(request: Request, model: type[M]) -> M:
    """The query string as `model`; a 400 naming each bad parameter."""
    params = dict(request.query_params or {})
    refuse_control_characters(params)
    try:
        return model.model_validate(params)
    except ValidationError as error:
        raise InvalidInput("Some query parameters are not valid.", problems(error, request)) from error


def api(view: Callable[..., Response]) -> Callable[..., Response]:
    """Turn domain errors into their status and shape; never leak a stack trace."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except DomainError as error:
            return respond(error_body(error.code, error.message, error.details), status_of(error))
        except Exception:
            logger.exception("unhandled error")
            return respond(error_body("internal", "Something went wrong on our side; try again."), 500)

    return wrapper
