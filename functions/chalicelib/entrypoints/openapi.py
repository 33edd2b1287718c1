"""GET /api/v1/openapi.json: the OpenAPI 3.1 document of every public, staff and partner route,
generated from the app's routes and the pydantic models each route names with `doc` (http.py)."""

from __future__ import annotations

import inspect
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Chalice, Response
from pydantic import BaseModel

from ..names import SHARED_BRIEFLY
from .http import ErrorBody, RouteDoc, api, respond

if TYPE_CHECKING:
    from pydantic.json_schema import JsonSchemaMode

bp = Blueprint(__name__)
API_PREFIX = "/api/v1"
AREAS = {
    f"{API_PREFIX}/public": ("public", "No sign-in: requesters submit, track and rate requests."),
    f"{API_PREFIX}/staff": (
        "staff",
        "Cognito ID token of a staff user; every answer is scoped to the caller.",
    ),
    f"{API_PREFIX}/partner": ("partner", "Partner hotlines and central units, with the key an admin issued."),
}
REF = "#/components/schemas/{model}"
ERRORS = {
    400: (
        "A field or parameter is not valid; `details` names each one, its message worded in the "
        "caller's language (`Accept-Language`: English when preferred to Chinese, Chinese otherwise)."
    ),
    401: "No valid credentials.",
    403: "The caller may not do this.",
    404: "No such resource (or the caller may not see it).",
    409: "The resource changed meanwhile, or its status does not allow this.",
    413: "The body is too large.",
    415: "The body is not sent as application/json.",
    429: "Too many requests from this client: wait for Retry-After seconds.",
}
PATH_PARAMETER = re.compile(r"\{([a-z_]+)\}")


def area_of(path: str) -> str | None:
    return next((tag for prefix, (tag, _) in AREAS.items() if path.startswith(prefix + "/")), None)


def documented_routes(app: Chalice) -> list[tuple[str, str, Any]]:
    """(path, method, route entry) of every route under /api/v1 but the document itself."""
    return [
        (path, method, entry)
        for path, methods in sorted(app.routes.items())
        for method, entry in sorted(methods.items())
        if area_of(path) is not None
    ]


def route_doc(entry: Any) -> RouteDoc | None:
    found = getattr(entry.view_function, "openapi", None)
    return found.loaded() if isinstance(found, RouteDoc) else None


def _summary(entry: Any) -> tuple[str, str]:
    text = inspect.getdoc(entry.view_function) or entry.view_name.replace("_", " ").capitalize()
    first, _, rest = text.partition("\n\n")
    return " ".join(first.split()), " ".join(rest.split())


def _parameters(
    path: str, route: RouteDoc, schemas: dict[str, Any], keys: dict[Any, dict[str, Any]]
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": 128},
        }
        for name in PATH_PARAMETER.findall(path)
    ]
    if route.query is not None:
        ref = keys[(route.query, "validation")]["$ref"].rsplit("/", 1)[-1]
        query = schemas[ref]
        for name, schema in query.get("properties", {}).items():
            found.append(
                {"name": name, "in": "query", "required": name in query.get("required", []), "schema": schema}
            )
    if route.idempotent:
        found.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "A retried submission with the same key answers the first receipt.",
                "schema": {"type": "string", "maxLength": 128},
            }
        )
    return found


def _responses(path: str, method: str, route: RouteDoc, area: str, ref: dict[str, Any]) -> dict[str, Any]:
    error = {"application/json": {"schema": {"$ref": REF.format(model=ErrorBody.__name__)}}}
    codes = {429}
    if route.body is not None or route.query is not None:
        codes.add(400)
    if route.body is not None:
        codes |= {413, 415}
    if PATH_PARAMETER.search(path):
        codes.add(404)
    if area in ("staff", "partner"):
        codes |= {401, 403}
    if route.conflicts:
        codes.add(409)
    answers: dict[str, Any] = {
        str(route.status): {"description": "OK", "content": {"application/json": {"schema": ref}}}
    }
    for code in sorted(codes):
        answers[str(code)] = {"description": ERRORS[code], "content": error}
    return answers


@cache
def _cached(app: Chalice) -> dict[str, Any]:
    return document(app)


def document(app: Chalice) -> dict[str, Any]:
    from pydantic.json_schema import models_json_schema  # only this route needs it

    routes = [(p, m, e, d) for p, m, e in documented_routes(app) if (d := route_doc(e)) is not None]
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorBody, "serialization")]
    for _, _, _, route in routes:
        wanted.append((route.response, "serialization"))
        wanted += [(m, "validation") for m in (route.body, route.query) if m is not None]
    keys, definitions = models_json_schema(list(dict.fromkeys(wanted)), ref_template=REF)
    schemas: dict[str, Any] = definitions.get("$defs", {})
    paths: dict[str, dict[str, Any]] = {}
    for path, method, entry, route in routes:
        area = area_of(path) or "public"
        summary, description = _summary(entry)
        operation: dict[str, Any] = {
            "operationId": entry.view_name,
            "summary": summary,
            "tags": [area],
            "parameters": _parameters(path, route, schemas, keys),
            "responses": _responses(path, method, route, area, keys[(route.response, "serialization")]),
        }
        if description:
            operation["description"] = description
        if route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": keys[(route.body, "validation")]}},
            }
        if area == "staff":
            operation["security"] = [{"staffToken": []}]
        elif area == "partner":
            operation["security"] = [{"partnerKey": []}]
        paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Jiesu 12345 API",
            "version": "1",
            "description": "The citizen hotline platform's HTTP API: errors answer "
            "`{error: {code, message, details: [{field, message}]}}`; times are ISO 8601 with a zone.",
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": tag, "description": text} for tag, text in AREAS.values()],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "staffToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "partnerKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            },
        },
    }


@bp.route("/openapi.json", methods=["GET"], cors=True)
@api
def openapi_document() -> Response:
    """This document."""
    app = bp.current_app
    return respond(_cached(app), cache=SHARED_BRIEFLY)
