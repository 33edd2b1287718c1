"""No 5xx for anything anyone can send, and every error in the API's shape.

schemathesis feeds every operation of the OpenAPI document — public, staff (with the ID tokens of
an administrator, a dispatcher and a street's handler), partner (with a partner's key) — and the
Open311 routes (described below from the GeoReport v2 spec) what its schema allows and what it
does not, and each answer is checked: below 500, and an error is `{"error": {"code", "message",
"details"}}` (Open311's `[{"code", "description"}]` on Open311 routes). Then the inputs that once
answered 500, by hand.

`make test` runs FUZZ_CASES cases of each operation, caller and mode (a minute or so); `make fuzz`
runs many more (JIESU_FUZZ_CASES); both write their figures to test-artifacts/fuzz.txt, which
docs/benchmarks.md quotes. These tests
change data as any caller may (an administrator's token included): they run after the rest of the
integration tests (tests/integration/conftest.py).
"""

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from tests.integration.test_openapi import as_wsgi

FUZZ_CASES = int(os.environ.get("JIESU_FUZZ_CASES", "2"))  # per operation, caller and mode
LONG_RUN = "JIESU_FUZZ_CASES" in os.environ
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
STAFF = ("admin1", "dispatcher1", "andingmen.handler")  # three roles: the hotline's and a unit's
PARTNER_KEY = "local-partner-tianjin"
OPEN311_KEY = "local-open311-demo"


@dataclass
class Tally:
    """What a fuzz run sent and what came back wrong (each wrong answer once per operation)."""

    cases: int = 0
    server_errors: int = 0
    operations: set[str] = field(default_factory=set)
    wrong: dict[str, str] = field(default_factory=dict)

    def record(self, operation: str, caller: str, status: int, problem: str | None) -> None:
        self.cases += 1
        self.operations.add(operation)
        self.server_errors += status >= 500
        if problem is not None:
            self.wrong.setdefault(f"{operation} as {caller}", problem)

    def add(self, other: "Tally") -> None:
        self.cases += other.cases
        self.server_errors += other.server_errors
        self.operations |= other.operations
        for where, problem in other.wrong.items():
            self.wrong.setdefault(where, problem)

    def report(self) -> str:
        return "\n".join(f"{where}: {problem}" for where, problem in sorted(self.wrong.items()))


def api_error_problem(status: int, content_type: str, body: bytes) -> str | None:
    """Why an answer of the API breaks the contract, or None."""
    if status >= 500:
        return f"{status}: {body[:300]!r}"
    if status < 400:
        return None
    try:
        payload = json.loads(body)
    except ValueError:
        return f"{status} not JSON: {body[:200]!r}"
    error = payload.get("error") if isinstance(payload, dict) else None
    if not (
        isinstance(error, dict)
        and set(error) == {"code", "message", "details"}
        and isinstance(error["code"], str)
        and isinstance(error["message"], str)
        and all(isinstance(d, dict) and set(d) == {"field", "message"} for d in error["details"])
    ):
        return f"{status} not in the API's error shape: {body[:200]!r}"
    if not content_type.startswith("application/json"):
        return f"{status} with Content-Type {content_type}"
    return None


def open311_error_problem(status: int, content_type: str, body: bytes) -> str | None:
    """Open311 errors are the spec's list of {code, description}, in JSON or in XML."""
    if status >= 500:
        return f"{status}: {body[:300]!r}"
    if status < 400:
        return None
    if content_type.startswith("text/xml"):
        try:
            root = ElementTree.fromstring(body)
        except ElementTree.ParseError:
            return f"{status} XML not well-formed: {body[:200]!r}"
        errors = root.findall("error")
        ok = root.tag == "errors" and errors and all(e.find("code") is not None for e in errors)
        return None if ok else f"{status} not Open311 XML errors: {body[:200]!r}"
    try:
        payload = json.loads(body)
    except ValueError:
        return f"{status} not JSON: {body[:200]!r}"
    ok = (
        isinstance(payload, list)
        and payload
        and all(isinstance(e, dict) and set(e) == {"code", "description"} for e in payload)
    )
    return None if ok else f"{status} not Open311 errors: {body[:200]!r}"


def fuzz(
    schema: Any,
    callers: dict[str, dict[str, str]],
    check: Callable[[int, str, bytes], str | None],
    totals: Tally,
) -> Tally:
    """Every operation of `schema`, as each caller, in both modes: FUZZ_CASES cases each."""
    tally = Tally()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    for operation in operations:
        part = Tally()
        for caller, headers in callers.items():
            for mode in MODES:
                try:
                    _cases(operation, mode, caller, headers, check, part)()
                except Unsatisfiable:
                    continue  # nothing in this operation can be made invalid (no parameters, no body)
        tally.add(part)
        totals.add(part)
    return tally


def _cases(
    operation: Any,
    mode: GenerationMode,
    caller: str,
    headers: dict[str, str],
    check: Callable[[int, str, bytes], str | None],
    tally: Tally,
) -> Callable[[], None]:
    name = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=FUZZ_CASES,
        deadline=None,
        derandomize=not LONG_RUN,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def send(case: Any) -> None:
        answer = case.call(headers=headers)
        status = answer.status_code
        content_type = ", ".join(answer.headers.get("content-type", []))
        tally.record(name, caller, status, check(status, content_type, answer.content))

    return send


FIGURES = Path("test-artifacts/fuzz.txt")


@dataclass
class Totals(Tally):
    """The figures of the module's fuzz runs so far, written to test-artifacts/fuzz.txt after each."""

    started: float = field(default_factory=time.monotonic)

    def add(self, other: Tally) -> None:
        super().add(other)
        FIGURES.parent.mkdir(exist_ok=True)
        FIGURES.write_text(
            f"{datetime.now(UTC):%Y-%m-%d}: {self.cases} cases ({FUZZ_CASES} per operation, caller and "
            f"mode) over {len(self.operations)} operations, {self.server_errors} answers 5xx, "
            f"{time.monotonic() - self.started:.0f} s\n"
        )


@pytest.fixture(scope="module")
def totals() -> Totals:
    return Totals()


@pytest.fixture(scope="module")
def api_schema(api) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", as_wsgi(api))


def test_public_operations_answer_below_500_in_the_error_shape(api_schema, totals):
    found = fuzz(api_schema.include(tag="public"), {"public": {}}, api_error_problem, totals)

    assert not found.wrong, found.report()


def test_partner_operations_answer_below_500_in_the_error_shape(api_schema, totals):
    callers = {"partner": {"X-Api-Key": PARTNER_KEY}, "no key": {}}

    found = fuzz(api_schema.include(tag="partner"), callers, api_error_problem, totals)

    assert not found.wrong, found.report()


# --- Open311 GeoReport v2: the routes as the spec describes them --------------------------------


def _get(parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"parameters": parameters or [], "responses": {"200": {"description": "OK"}}}


def _query(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema}


FILE = {"name": "file", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 40}}
SEARCH = [
    _query("service_request_id", {"type": "string", "maxLength": 200}),
    _query("service_code", {"type": "string", "maxLength": 200}),
    _query("start_date", {"type": "string", "format": "date-time"}),
    _query("end_date", {"type": "string", "format": "date-time"}),
    _query("status", {"type": "string", "enum": ["open", "closed", "open,closed"]}),
    _query("jurisdiction_id", {"type": "string", "maxLength": 40}),
]
SUBMISSION = {
    "type": "object",
    "required": [
        "api_key",
        "service_code",
        "description",
        "phone",
        "attribute[district]",
        "attribute[street]",
    ],
    "properties": {
        "api_key": {"type": "string", "enum": [OPEN311_KEY, "guessed"]},
        "service_code": {"type": "string", "maxLength": 70},
        "description": {"type": "string", "maxLength": 2100},
        "phone": {"type": "string", "maxLength": 20},
        "attribute[type]": {"type": "string", "enum": ["complaint", "help", "report", "suggestion"]},
        "attribute[district]": {"type": "string", "maxLength": 8},
        "attribute[street]": {"type": "string", "maxLength": 10},
        "attribute[confidential]": {"type": "string", "enum": ["true", "false"]},
        "first_name": {"type": "string", "maxLength": 30},
        "address_string": {"type": "string", "maxLength": 210},
        "lat": {"type": "number"},
        "long": {"type": "number"},
        "email": {"type": "string", "maxLength": 60},
    },
}


def _post() -> dict[str, Any]:
    return {
        "parameters": [],
        "requestBody": {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": SUBMISSION}},
        },
        "responses": {"201": {"description": "Created"}},
    }


OPEN311 = {
    "openapi": "3.0.3",
    "info": {"title": "Jiesu Open311 GeoReport v2", "version": "2"},
    "paths": {
        "/open311/v2/discovery.json": {"get": _get()},
        "/open311/v2/discovery.xml": {"get": _get()},
        "/open311/v2/services.json": {"get": _get([_query("jurisdiction_id", {"type": "string"})])},
        "/open311/v2/services.xml": {"get": _get()},
        "/open311/v2/services/{file}": {"get": _get([FILE])},
        "/open311/v2/requests.json": {"get": _get(SEARCH), "post": _post()},
        "/open311/v2/requests.xml": {"get": _get(SEARCH), "post": _post()},
        "/open311/v2/requests/{file}": {"get": _get([FILE])},
        "/open311/v2/tokens/{file}": {"get": _get([FILE])},
    },
}


def test_open311_routes_answer_below_500_in_the_spec_error_shape(api, totals):
    schema = schemathesis.openapi.from_dict(OPEN311)
    schema.app = as_wsgi(api)

    found = fuzz(schema, {"client": {}}, open311_error_problem, totals)

    assert not found.wrong, found.report()


def test_staff_operations_answer_below_500_in_the_error_shape_for_three_roles(api_schema, id_token, totals):
    callers = {who: {"Authorization": f"Bearer {id_token(who)}"} for who in STAFF}

    found = fuzz(api_schema.include(tag="staff"), callers, api_error_problem, totals)

    assert not found.wrong, found.report()


# --- by hand: the inputs that once answered 500 -------------------------------------------------


def test_a_made_up_cursor_is_a_400_naming_cursor_on_every_list(unit):
    admin, handler = unit("admin1"), unit()
    # "abc"; base64 of {"p":0,"k":{"a":1}}: a key DynamoDB cannot take; of {"p":1e999}: no number.
    for cursor in ("abc", "eyJwIjowLCJrIjp7ImEiOjF9fQ", "eyJwIjoxZTk5OSwiayI6bnVsbH0"):
        answers = [
            admin.get(f"/users?cursor={cursor}"),
            admin.get(f"/users?role=handler&cursor={cursor}"),
            admin.get(f"/audit?cursor={cursor}"),
            admin.get(f"/api-clients?cursor={cursor}"),
            admin.get(f"/work-orders?cursor={cursor}"),
            handler.get(f"/work-orders?cursor={cursor}"),
            handler.get(f"/whistles?cursor={cursor}"),
        ]

        assert [(a.status, a.json()["error"]["details"][0]["field"]) for a in answers] == [
            (400, "cursor")
        ] * 7


def test_an_empty_unit_or_department_is_a_400_naming_it(unit):
    admin, handler = unit("admin1"), unit()
    entry = {
        "question": "居住证怎么办理？",
        "answer": "持本人身份证和居住登记凭证到居住地派出所办理。",
        "source_policy": "北京市实施《居住证暂行条例》办法",
        "unit": "",
        "valid_from": "2026-01-01",
    }

    knowledge = admin.put("/knowledge/kb-fuzz-empty-unit", entry)
    whistle = handler.post("/whistles", {"matter": "胡同口占道经营无人管理", "departments": [""]})

    assert (knowledge.status, knowledge.json()["error"]["details"][0]["field"]) == (400, "unit")
    assert (whistle.status, whistle.json()["error"]["details"][0]["field"]) == (400, "departments.0")


def test_json_nested_a_thousand_deep_is_a_400_on_every_public_body(api):
    deep = '{"content": ' + "[" * 1000 + "]" * 1000 + "}"
    assert len(deep) < 64 * 1024
    for path in ("/suggestions", "/requests", "/uploads", "/requests/1234567/evaluation"):
        answer = api.request(
            "POST", f"/api/v1/public{path}", headers={"content-type": "application/json"}, body=deep
        )

        assert (answer.status, answer.json()["error"]["details"][0]["field"]) == (400, "body"), path


def test_a_wrong_method_or_content_type_answers_in_the_error_shape(api):
    wrong_type = api.request(
        "POST", "/api/v1/public/suggestions", headers={"content-type": "text/plain"}, body="{}"
    )
    wrong_method = api.request("DELETE", "/api/v1/public/suggestions")
    too_large = api.post("/api/v1/public/suggestions", {"content": "路灯" * 40_000})
    open311_type = api.request(
        "POST", "/open311/v2/requests.json", headers={"content-type": "application/json"}, body="{}"
    )

    assert (wrong_type.status, wrong_type.json()["error"]["code"]) == (415, "unsupported_media_type")
    assert wrong_type.json()["error"]["details"][0]["field"] == "Content-Type"
    assert (wrong_method.status, wrong_method.json()["error"]["code"]) == (405, "method_not_allowed")
    assert wrong_method.headers["Allow"] == "POST"
    assert (too_large.status, too_large.json()["error"]["code"]) == (413, "too_large")
    assert (open311_type.status, open311_type.json()[0]["code"]) == (415, 415)
    for answer in (wrong_type, wrong_method, too_large):
        assert answer.headers["Content-Type"].startswith("application/json")
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
