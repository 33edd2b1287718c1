"""http://localhost:8000: the API, /config.json and the built frontend, on one origin."""

from __future__ import annotations

import atexit
import ipaddress
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
from . import snapshot as snapshots
from .endpoint import GuardedMoto
from .reconciler import Reconciler
from .stack import ROOT, LocalStack, names, process_environment
from .throttle import Throttle

FRONTEND_DIST = ROOT / "frontend" / "dist"
API_PREFIXES = ("/api/", "/open311/")
MAX_BODY = 16 * 1024 * 1024  # far above what API Gateway lets through (10 MB); never read whole
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


def _bad_request(field: str, problem: str) -> bytes:
    return json.dumps(
        {
            "error": {
                "code": "invalid_input",
                "message": "The request is not well-formed.",
                "details": [{"field": field, "problem": problem}],
            }
        }
    ).encode()


class LocalHttpServer(ThreadingHTTPServer):
    """A thread per connection, and a listen backlog a burst of connections fits in (the standard
    library's 5 resets the rest)."""

    request_queue_size = 128
    daemon_threads = True


def _loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


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
            declared = (self.headers.get("Content-Length") or "0").strip()
            if not declared.isdigit():
                self.close_connection = True  # where this body ends is unknown
                self._send(400, _bad_request("Content-Length", "not a number of bytes"), NO_STORE_JSON)
                return
            length = int(declared)
            if length > MAX_BODY:
                self.close_connection = True
                self._send(413, _bad_request("Content-Length", f"more than {MAX_BODY} bytes"), NO_STORE_JSON)
                return
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
                # For the developer at this machine only: not another host, not another site's page.
                host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
                site = self.headers.get("Sec-Fetch-Site") or "none"
                if not _loopback(self.client_address[0]) or host not in ("localhost", "127.0.0.1"):
                    self._send(404, b"", {"Content-Type": "text/plain; charset=utf-8"})
                    return
                if site not in ("none", "same-origin"):
                    self._send(403, b"", {"Content-Type": "text/plain; charset=utf-8"})
                    return
                items = outbox.sent(config["notificationsTopicArn"])
                if path.endswith(".json"):
                    self._send(200, json.dumps({"items": items}, ensure_ascii=False).encode(), NO_STORE_JSON)
                else:
                    self._send(
                        200, outbox.page(items), {"Content-Type": "text/plain; charset=utf-8", **security}
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
    reconciler: Reconciler
    data_dir: Path | None = None
    restored: bool = False
    _stopped: bool = False

    def stop(self) -> None:
        """Stop serving, write the snapshot (when the stack keeps its data), stop moto. Once."""
        if self._stopped:
            return
        self._stopped = True
        self.reconciler.stop()
        self.http.shutdown()
        self.http.server_close()
        if self.data_dir is not None:
            snapshots.save(self.stack, self.data_dir, self.stack.demo_now())
        # Timers still waiting wake up to a server that has gone; their failures are not news.
        logging.getLogger("moto.stepfunctions").setLevel(logging.CRITICAL)
        self.moto.stop()


def start(
    port: int = 8000,
    moto_port: int = 0,
    time_scale: float = 1.0,
    host: str = "127.0.0.1",
    dist: Path = FRONTEND_DIST,
    data_dir: Path | None = None,
) -> Running:
    """Start moto, build the stack on it, and serve the API and the frontend. Returns at once.

    With `data_dir` the stack keeps its data: the snapshot there is restored now (and the open
    orders' workflows started again) and written again by `Running.stop` (infra/local/snapshot.py)."""
    moto_port = moto_port or free_port()
    moto_url = f"http://127.0.0.1:{moto_port}"
    os.environ.update(process_environment(moto_url, moto_port))
    moto_patches.install()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log

    origin = f"http://localhost:{port}"
    app_origins = (origin, f"http://127.0.0.1:{port}")
    # The API's answers are for the pages' own origin (the other name is the same server: its
    # pages' calls are same-origin and need no CORS).
    os.environ[names.ENV_ALLOWED_ORIGIN] = origin
    moto = GuardedMoto(moto_port, app_origins, names.ATTACHMENTS_BUCKET_LOCAL, names.EXPORTS_BUCKET_LOCAL)
    moto.start()
    snapshot = snapshots.load(data_dir) if data_dir is not None else None
    stack = LocalStack(moto_url=moto_url, time_scale=time_scale)
    if snapshot is not None and snapshot.demo_now is not None and time_scale != 1:
        from datetime import UTC, datetime

        stack.epoch = snapshots.resumed_epoch(snapshot.demo_now, time_scale, datetime.now(UTC)).isoformat()
    stack.build(snapshot)
    from .gateway import LocalApi

    config = {
        **stack.frontend_config(origin),
        "notificationsTopicArn": stack.outputs[names.ENV_UNIT_TOPIC_ARN],
    }
    api = LocalApi()
    if snapshot is not None:
        snapshots.restart_workflows(snapshot)
    http = LocalHttpServer((host, port), _handler(api, config, dist, Throttle()))
    threading.Thread(target=http.serve_forever, name="jiesu-http", daemon=True).start()
    # Every open order has a running workflow: once at start-up, then every few seconds.
    reconciler = Reconciler(stack)
    reconciler.start()
    running = Running(
        stack=stack,
        url=origin,
        moto=moto,
        http=http,
        reconciler=reconciler,
        data_dir=data_dir,
        restored=snapshot is not None,
    )
    if data_dir is not None:
        atexit.register(running.stop)  # a stop by any other way than the signals __main__ handles
    return running


def wait_forever() -> None:
    """Sleep in short steps: the kernel may hand SIGINT or SIGTERM to any of the stack's threads,
    and Python runs the handler (which stops the stack and writes its data) only when the main
    thread wakes up."""
    while True:
        time.sleep(0.5)
