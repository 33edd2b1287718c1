"""http://localhost:8000: the API, /config.json and the built frontend, on one origin."""

from __future__ import annotations

import json
import logging
import mimetypes
import os
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..pages import page_headers
from . import moto_patches, outbox
from .stack import ROOT, LocalStack, names, process_environment
from .throttle import Throttle

FRONTEND_DIST = ROOT / "frontend" / "dist"
API_PREFIXES = ("/api/", "/open311/")
NO_STORE_JSON = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}
THROTTLED = json.dumps(
    {
        "error": {
            "code": "throttled",
            "message": "Too many requests: wait a moment and try again.",
            "details": [],
        }
    }
).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _handler(
    api: Any, config: dict[str, Any], dist: Path, throttle: Throttle | None = None
) -> type[BaseHTTPRequestHandler]:
    security = page_headers(str(config.get("cognitoEndpoint") or ""))

    class Handler(BaseHTTPRequestHandler):
        server_version = "jiesu-local"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            if os.environ.get("JIESU_ACCESS_LOG"):
                super().log_message(format, *args)

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for key, value in headers.items():
                if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _api(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if throttle is not None and self.command != "OPTIONS":
                wait = throttle.wait(self.client_address[0], self.command, self.path)
                if wait:
                    self._send(429, THROTTLED, {**NO_STORE_JSON, "Retry-After": str(wait)})
                    return
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = api.request(self.command, self.path, headers=headers, body=body)
            self._send(answer.status, answer.body, answer.headers)

        def _static(self) -> None:
            path = urlsplit(self.path).path
            if path in ("/dev/notifications", "/dev/notifications.json"):
                items = outbox.sent(config["notificationsTopicArn"])
                if path.endswith(".json"):
                    self._send(200, json.dumps({"items": items}, ensure_ascii=False).encode(), NO_STORE_JSON)
                else:
                    self._send(
                        200, outbox.page(items), {"Content-Type": "text/html; charset=utf-8", **security}
                    )
                return
            if path == "/config.json":
                public = {k: v for k, v in config.items() if k != "notificationsTopicArn"}
                self._send(200, json.dumps(public).encode(), NO_STORE_JSON)
                return
            if not dist.exists():
                self._send(
                    503,
                    b"The frontend is not built: run `make frontend` (make run does it).",
                    {"Content-Type": "text/plain; charset=utf-8", **security},
                )
                return
            target = (dist / path.lstrip("/")).resolve()
            if not target.is_relative_to(dist.resolve()) or not target.is_file():
                target = dist / "index.html"  # the app's own router takes the rest
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if kind.startswith("text/") or kind == "application/javascript":
                kind += "; charset=utf-8"
            cache = "no-cache" if target.name == "index.html" else "public, max-age=31536000, immutable"
            self._send(200, target.read_bytes(), {"Content-Type": kind, "Cache-Control": cache, **security})

        def _route(self) -> None:
            try:
                if self.path.startswith(API_PREFIXES):
                    self._api()
                elif self.command in ("GET", "HEAD"):
                    self._static()
                else:
                    self._send(405, b"", {})
            except Exception:
                self._send(
                    500,
                    b'{"error": {"code": "internal", "message": "local server error", "details": []}}',
                    {"Content-Type": "application/json"},
                )
                raise

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _route

    return Handler


@dataclass
class Running:
    stack: LocalStack
    url: str
    moto: Any
    http: ThreadingHTTPServer

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        # Timers still waiting wake up to a server that has gone; their failures are not news.
        logging.getLogger("moto.stepfunctions").setLevel(logging.CRITICAL)
        self.moto.stop()


def start(
    port: int = 8000,
    moto_port: int = 0,
    time_scale: float = 1.0,
    host: str = "127.0.0.1",
    dist: Path = FRONTEND_DIST,
) -> Running:
    """Start moto, build the stack on it, and serve the API and the frontend. Returns at once."""
    moto_port = moto_port or free_port()
    moto_url = f"http://127.0.0.1:{moto_port}"
    os.environ.update(process_environment(moto_url, moto_port))
    moto_patches.install()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log
    from moto.server import ThreadedMotoServer

    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    stack = LocalStack(moto_url=moto_url, time_scale=time_scale)
    stack.build()
    from .gateway import LocalApi

    origin = f"http://localhost:{port}"
    config = {
        **stack.frontend_config(origin),
        "notificationsTopicArn": stack.outputs[names.ENV_UNIT_TOPIC_ARN],
    }
    http = ThreadingHTTPServer((host, port), _handler(LocalApi(), config, dist, Throttle()))
    http.daemon_threads = True
    threading.Thread(target=http.serve_forever, name="jiesu-http", daemon=True).start()
    return Running(stack=stack, url=origin, moto=moto, http=http)


def wait_forever() -> None:
    while True:
        time.sleep(3600)
