"""The API's Lambda functions by audience (names.API_AUDIENCES): the public (form and tracking),
the staff portal, and machine clients (partner hotlines, Open311). Each function's entry module
imports only its own blueprints, so a cold start loads what its audience calls and no more
(docs/benchmarks.md, the import ratios).

A Chalice blueprint registers on one app only (registering consumes its routes' options), so app.py
does not register them again: it takes the audiences' route tables (`combine`), for packaging the one
REST API and for the OpenAPI document. Only the audiences' apps dispatch their routes."""

from __future__ import annotations

from collections.abc import Iterable

from chalice import Blueprint, Chalice
from chalice.app import ConvertToMiddleware

from ..entrypoints import http
from ..names import APP_NAME
from ..observability import logger, metrics

# A blueprint and the path it is mounted under (None: no routes, e.g. the authorizer).
Mount = tuple[Blueprint, str | None]


def compose(mounts: Iterable[Mount]) -> Chalice:
    """A Chalice app of `mounts`, with the middleware every answer goes through."""
    app = Chalice(app_name=APP_NAME)
    for blueprint, prefix in mounts:
        app.register_blueprint(blueprint, url_prefix=prefix)
    app.register_middleware(http.secure_headers, "http")
    app.register_middleware(ConvertToMiddleware(logger.inject_lambda_context))
    app.register_middleware(ConvertToMiddleware(metrics.log_metrics))
    return app


def combine(app: Chalice, audiences: Iterable[Chalice]) -> Chalice:
    """`app` with every route and authorizer of `audiences` (whose paths never overlap)."""
    for audience in audiences:
        overlap = set(app.routes) & set(audience.routes)
        if overlap:
            raise ValueError(f"paths served by two audiences: {sorted(overlap)}")
        app.routes.update(audience.routes)
        app.builtin_auth_handlers.extend(audience.builtin_auth_handlers)
    return app
