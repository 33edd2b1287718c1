"""GET /api/v1/openapi.json describes every route from its models, and the public routes keep
their word: a fuzz of each (schemathesis) finds no 5xx and no answer outside its schema."""

from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import wait_until

API_ROUTE_PREFIXES = ("/api/v1/public/", "/api/v1/staff/", "/api/v1/partner/")
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def as_wsgi(api: Any):
    """The local API gateway as a WSGI app, so the fuzzer calls it in this process."""

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        path = quote(environ.get("PATH_INFO", "").encode("latin-1"), safe="/-_.~")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        answer = api.request(environ["REQUEST_METHOD"], path, headers=headers, body=body)
        start_response(f"{answer.status} {HTTPStatus(answer.status).phrase}", list(answer.headers.items()))
        return [answer.body]

    return app


@pytest.fixture(scope="module")
def document(api) -> dict[str, Any]:
    answer = api.get("/api/v1/openapi.json")
    assert answer.status == 200
    return dict(answer.json())


def test_every_route_of_the_api_is_described(document):
    import app

    routes = {
        (path, method.lower())
        for path, methods in app.app.routes.items()
        for method in methods
        if path.startswith(API_ROUTE_PREFIXES)
    }
    described = {(path, method) for path, operations in document["paths"].items() for method in operations}

    assert routes - described == set()
    assert len(routes) > 50


def test_each_operation_has_its_own_id(document):
    """Generated clients (the portal's types among them) name a call by its operationId: two
    routes with one name would leave one of them unreachable."""
    ids = [op["operationId"] for operations in document["paths"].values() for op in operations.values()]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_a_submission_is_described_from_its_model_with_every_limit(document):
    submit = document["paths"]["/api/v1/public/requests"]["post"]
    schemas = document["components"]["schemas"]

    assert submit["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Submission"
    }
    content = schemas["Submission"]["properties"]["content"]
    assert (content["minLength"], content["maxLength"]) == (5, 2000)
    assert schemas["Submission"]["properties"]["attachments"]["maxItems"] == 9
    assert set(submit["responses"]) >= {"201", "400", "409", "413", "429"}
    assert {p["name"] for p in submit["parameters"]} == {"Idempotency-Key"}


def test_staff_routes_need_the_staff_token(document):
    sign = document["paths"]["/api/v1/staff/work-orders/{order_id}/sign"]["post"]

    assert sign["security"] == [{"staffToken": []}]
    assert {"401", "403", "404", "409"} <= set(sign["responses"])


def test_public_routes_answer_within_their_schema_whatever_they_are_sent(api):
    """Each public operation, fed what its schema allows and what it does not."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", as_wsgi(api)).include(tag="public")
    operations = [cast(Any, result).ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=25,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def answers_within_schema(case: Any) -> None:
            case.call_and_validate(checks=CHECKS)

        answers_within_schema()


def conforms(document: dict[str, Any], path: str, method: str, answer: Any) -> None:
    """The answer's body is what the document says this route answers with this status."""
    from jsonschema import Draft202012Validator

    described = document["paths"][path][method]["responses"][str(answer.status)]
    schema = described["content"]["application/json"]["schema"]
    root = {**schema, "components": document["components"]}
    Draft202012Validator(root).validate(answer.json())


def test_staff_answers_match_their_description(api, document, citizen, unit):
    receipt = citizen.submit()
    handler, admin, dispatcher = unit(), unit("admin1"), unit("dispatcher1")
    # The workflow dispatches the order to the street a moment after intake.
    wait_until(lambda: handler.order(receipt["id"]).status == 200)

    answers = [
        ("/api/v1/staff/me", "get", handler.get("/me")),
        ("/api/v1/staff/work-orders", "get", handler.get("/work-orders")),
        ("/api/v1/staff/work-orders/{order_id}", "get", handler.order(receipt["id"])),
        ("/api/v1/staff/work-orders/{order_id}/sign", "post", handler.act(receipt["id"], "sign")),
        ("/api/v1/staff/work-orders/{order_id}/sign", "post", handler.act(receipt["id"], "sign", version=1)),
        (
            "/api/v1/staff/work-orders/{order_id}/duplicates",
            "get",
            dispatcher.get(f"/work-orders/{receipt['id']}/duplicates"),
        ),
        ("/api/v1/staff/units", "get", admin.get("/units?kind=street")),
        ("/api/v1/staff/catalogue", "get", admin.get("/catalogue")),
        ("/api/v1/staff/time-limits", "get", admin.get("/time-limits")),
        ("/api/v1/staff/knowledge", "get", admin.get("/knowledge?q=居住证")),
        ("/api/v1/staff/whistles", "get", handler.get("/whistles")),
        ("/api/v1/staff/partners", "get", admin.get("/partners")),
    ]

    assert [a.status for _, _, a in answers] == [200] * 4 + [409] + [200] * 7
    for path, method, answer in answers:
        conforms(document, path, method, answer)


def unbounded(document: dict[str, Any], schema: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    """The places in an input schema that take text, lists, maps or numbers of any size."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return unbounded(document, document["components"]["schemas"][name], name, seen)
    found = []
    for option in schema.get("anyOf", []) + schema.get("allOf", []) + schema.get("oneOf", []):
        found += unbounded(document, option, where, seen)
    kind = schema.get("type")
    if kind == "string" and not {"maxLength", "enum", "const", "pattern", "format"} & set(schema):
        found.append(where)
    if kind == "integer" and not {"maximum", "exclusiveMaximum"} & set(schema):
        found.append(where)
    sized = {"maxItems", "maxProperties"} & set(schema)
    if kind in ("array", "object") and "properties" not in schema and not sized:
        found.append(where)
    if isinstance(schema.get("items"), dict):
        found += unbounded(document, schema["items"], f"{where}[]", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        found += unbounded(document, schema["additionalProperties"], f"{where}{{}}", seen)
    for name, field in schema.get("properties", {}).items():
        found += unbounded(document, field, f"{where}.{name}", seen)
    return found


def test_every_input_has_a_maximum_size(document):
    """Bodies, queries and path parameters: no text, list or number without a limit."""
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if "requestBody" in operation:
                schema = operation["requestBody"]["content"]["application/json"]["schema"]
                found += unbounded(document, schema, f"{method} {path}", set())
            for parameter in operation["parameters"]:
                found += unbounded(
                    document, parameter["schema"], f"{method} {path} {parameter['name']}", set()
                )

    assert sorted(set(found)) == []
