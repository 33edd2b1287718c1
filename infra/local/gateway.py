"""API Gateway on this machine: Chalice's LocalGateway, with errors in the shape API.md names.

The local server and the integration tests both call the API through `LocalApi`, so what the
tests see is what a browser on the local stack sees."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

from chalice.config import Config
from chalice.local import LocalGateway, LocalGatewayException


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


def _error(status: int, code: str, message: str) -> ApiResponse:
    """API Gateway's own answer (no route, no or bad token), with the headers the app's carry (the
    CDK app sets the same on its gateway responses)."""
    from chalicelib.entrypoints.http import JSON
    from chalicelib.names import NO_STORE, SECURITY_HEADERS

    body = json.dumps({"error": {"code": code, "message": message, "details": []}}).encode()
    return ApiResponse(
        status, {"Content-Type": JSON, "Cache-Control": NO_STORE, **dict(SECURITY_HEADERS)}, body
    )


class LocalApi:
    """Each path goes to its audience's app, as API Gateway sends it to that audience's function
    (chalicelib/audiences, names.API_AUDIENCES); the rest (the OpenAPI document) to app.py's.

    One request at a time, as one Lambda container serves them: Chalice keeps the request being
    handled on the app itself (`app.current_request`), so two threads of the local server in the
    app at once would read each other's body."""

    def __init__(self) -> None:
        import app  # the Chalice app, imported once its environment is set
        from chalicelib.audiences import clients, public, staff

        config = Config.create(chalice_stage="local", lambda_timeout=60)
        self._gateway = LocalGateway(app.app, config)
        self._audiences = [
            (prefix, LocalGateway(audience.app, config))
            for audience in (public, staff, clients)
            for _bp, prefix in audience.MOUNTS
            if prefix is not None
        ]
        self._one_at_a_time = threading.Lock()

    def gateway(self, path: str) -> LocalGateway:
        """The app of the function that serves `path`."""
        route = path.split("?", 1)[0]
        for prefix, gateway in self._audiences:
            if route == prefix or route.startswith(prefix + "/"):
                return gateway
        return self._gateway

    def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | str | None = None
    ) -> ApiResponse:
        raw = body.encode() if isinstance(body, str) else (body or b"")
        try:
            with self._one_at_a_time:
                answer = self.gateway(path).handle_request(
                    method=method.upper(), path=path, headers=dict(headers or {}), body=raw
                )
        except LocalGatewayException as error:
            if error.CODE == 403 and b"Missing Authentication Token" in (error.body or b""):
                return _error(404, "not_found", "No such resource.")
            if error.CODE == 401:
                return _error(401, "unauthorized", "Sign in to continue: a valid staff token is required.")
            return _error(error.CODE, "forbidden", "Not allowed.")
        except Exception as error:
            # A failing Lambda authorizer: API Gateway answers 401 when its message is "Unauthorized".
            if str(error) == "Unauthorized":
                return _error(401, "unauthorized", "Sign in to continue: a valid staff token is required.")
            raise
        headers_out = dict(answer.get("headers") or {})
        for key, values in (answer.get("multiValueHeaders") or {}).items():
            headers_out[key] = ", ".join(values)
        payload = answer.get("body") or b""
        if isinstance(payload, str):
            payload = payload.encode()
        return ApiResponse(int(answer["statusCode"]), headers_out, payload)

    def get(self, path: str, **kwargs: Any) -> ApiResponse:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json_body: Any = None, headers: dict[str, str] | None = None) -> ApiResponse:
        merged = {"content-type": "application/json", **(headers or {})}
        return self.request("POST", path, headers=merged, body=json.dumps(json_body, ensure_ascii=False))

    def put(self, path: str, json_body: Any = None, headers: dict[str, str] | None = None) -> ApiResponse:
        merged = {"content-type": "application/json", **(headers or {})}
        return self.request("PUT", path, headers=merged, body=json.dumps(json_body, ensure_ascii=False))
