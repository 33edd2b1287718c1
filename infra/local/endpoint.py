"""The embedded AWS endpoint (moto) behind a guard: only the app's own pages may use it from a
browser, and only for what they need of it.

moto has no authentication and, left to itself, answers CORS for any origin: any web page the
developer visits could read every table through it. Here a request that a browser sent on behalf
of a page (it carries `Origin`, or a `Sec-Fetch-Site` other than `none`) passes only when

- its origin (`Origin`, else the origin of `Referer`) is the app's own, and it is
    - sign-in: `POST /` with an `X-Amz-Target` of the user-pool calls the portal makes
      (InitiateAuth, RespondToAuthChallenge), or the CORS preflight of that call;
    - an upload: the presigned `POST` to the attachments bucket, or its preflight;
- or it reads a kept attachment or a staff export (`GET`/`HEAD` of the attachments bucket's
  `attachments/` prefix or the exports bucket's `exports/`, the presigned links staff open; a page
  without the app's origin cannot read what it loads).

Everything else from a browser is refused with 403 and no CORS header, `/moto-api/` (moto's
dashboard and reset) included. Requests from programs (boto3 in this process, the CLI) carry
neither header and pass. The Host must name this loopback endpoint (no DNS rebinding).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from werkzeug.serving import BaseWSGIServer, make_server

SIGN_IN_TARGETS = frozenset(
    f"AWSCognitoIdentityProviderService.{action}" for action in ("InitiateAuth", "RespondToAuthChallenge")
)
SIGN_IN_HEADERS = "content-type, x-amz-target, x-amz-user-agent"
UPLOAD_HEADERS = "content-type"
EXPOSED = "ETag, Location, x-amzn-RequestId"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")

StartResponse = Callable[..., Any]


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


class Guard:
    """WSGI middleware in front of moto's application."""

    def __init__(
        self,
        app: Any,
        port: int,
        app_origins: Iterable[str],
        attachments_bucket: str,
        exports_bucket: str = "",
    ) -> None:
        self._app = app
        # What a page may read with a presigned link: kept attachments, and the staff's Excel exports.
        self._readable = tuple(
            f"/{bucket}/{prefix}"
            for bucket, prefix in ((attachments_bucket, "attachments/"), (exports_bucket, "exports/"))
            if bucket
        )
        self._hosts = frozenset(f"{host}:{port}" for host in LOOPBACK_HOSTS)
        self._subdomains = f".localhost:{port}"  # S3's virtual-hosted style on localhost
        self._origins = frozenset(app_origins)
        self._bucket = attachments_bucket

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        host = str(environ.get("HTTP_HOST", "")).lower()
        if host not in self._hosts and not host.endswith(self._subdomains):
            return self._refuse(start_response, "This endpoint answers on the loopback address only.")
        fetch_site = environ.get("HTTP_SEC_FETCH_SITE")
        origin_header = environ.get("HTTP_ORIGIN")
        if origin_header is None and fetch_site in (None, "none"):
            return self._pass(environ, start_response, None)  # a program, or a typed address
        origin = origin_header or _origin_of(str(environ.get("HTTP_REFERER", "")))
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = str(environ.get("PATH_INFO", "/"))
        ours = origin in self._origins
        if origin is not None and not ours:
            return self._refuse(start_response, "Not for this origin.")
        preflight = method == "OPTIONS" and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ
        wanted = str(environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD", "")).upper() if preflight else method
        if ours and path == "/" and wanted == "POST":
            if preflight:
                return self._preflight(start_response, str(origin), SIGN_IN_HEADERS)
            if environ.get("HTTP_X_AMZ_TARGET") in SIGN_IN_TARGETS:
                return self._pass(environ, start_response, str(origin))
        if ours and path.rstrip("/") == f"/{self._bucket}" and wanted == "POST":
            if preflight:
                return self._preflight(start_response, str(origin), UPLOAD_HEADERS)
            return self._pass(environ, start_response, str(origin))
        if method in ("GET", "HEAD") and path.startswith(self._readable):
            return self._pass(environ, start_response, str(origin) if ours else None)
        return self._refuse(start_response, "Not available to web pages.")

    def _pass(self, environ: dict[str, Any], start_response: StartResponse, origin: str | None) -> Any:
        """moto's answer, without moto's own CORS headers; the app's origin gets its own."""

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
            if origin is not None:
                kept += [
                    ("Access-Control-Allow-Origin", origin),
                    ("Access-Control-Expose-Headers", EXPOSED),
                    ("Vary", "Origin"),
                ]
            return start_response(status, kept, exc_info)

        return self._app(environ, start)

    @staticmethod
    def _preflight(start_response: StartResponse, origin: str, headers: str) -> list[bytes]:
        start_response(
            "204 No Content",
            [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Methods", "POST"),
                ("Access-Control-Allow-Headers", headers),
                ("Access-Control-Max-Age", "600"),
                ("Vary", "Origin"),
                ("Content-Length", "0"),
            ],
        )
        return [b""]

    @staticmethod
    def _refuse(start_response: StartResponse, why: str) -> list[bytes]:
        body = f"Forbidden: {why}\n".encode()
        start_response(
            "403 Forbidden",
            [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
        )
        return [body]


class GuardedMoto:
    """moto's server application on 127.0.0.1:`port`, behind the Guard (ThreadedMotoServer's
    lifecycle, with the middleware it has no place for)."""

    def __init__(
        self, port: int, app_origins: Iterable[str], attachments_bucket: str, exports_bucket: str = ""
    ) -> None:
        self._port = port
        self._origins = tuple(app_origins)
        self._bucket = attachments_bucket
        self._exports = exports_bucket
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )

        app = Guard(
            DomainDispatcherApplication(create_backend_app),
            self._port,
            self._origins,
            self._bucket,
            self._exports,
        )
        self._server = make_server(
            "127.0.0.1", self._port, app, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="jiesu-moto", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
