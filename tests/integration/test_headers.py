"""Every answer says on purpose how it may be cached and carries the security headers, whatever was
asked before it: no answer about an order or a person may ever be kept by a shared cache."""

import random
import re
from typing import Any

import pytest
from chalicelib.names import NO_STORE, SECURITY_HEADERS, SHARED_BRIEFLY

# Public reference data: the same for everybody, changed by an admin now and then.
SHARED = {
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/public/divisions"),
    ("GET", "/api/v1/public/categories"),
    ("GET", "/api/v1/public/publication"),
    ("GET", "/api/v1/public/board"),
    ("GET", "/open311/v2/discovery.json"),
    ("GET", "/open311/v2/discovery.xml"),
    ("GET", "/open311/v2/services.json"),
    ("GET", "/open311/v2/services.xml"),
    ("GET", "/open311/v2/services/street_lighting.json"),
}


def every_route() -> list[tuple[str, str]]:
    """Each route of the app with its path parameters filled in."""
    import app

    calls = []
    for path, methods in app.app.routes.items():
        concrete = re.sub(r"\{[^}]+\}", "1", path).replace("/services/1", "/services/street_lighting.json")
        calls += [(method, concrete) for method in methods if method != "OPTIONS"]
    return sorted(calls)


def call(api, token: str, method: str, path: str) -> Any:
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    return api.request(method, path, headers=headers, body=b"{}" if method in ("POST", "PUT") else None)


@pytest.mark.parametrize("order", ["reference first", "reference last", "shuffled"])
def test_each_answer_says_its_own_caching_and_the_security_headers(api, id_token, order):
    # Given every route, in an order where the cached reference routes come before or after the rest
    calls = every_route()
    if order == "reference first":
        calls.sort(key=lambda c: c not in SHARED)
    elif order == "reference last":
        calls.sort(key=lambda c: c in SHARED)
    else:
        random.Random(12345).shuffle(calls)
    token = id_token("admin1")
    assert len(calls) > 80

    for method, path in calls:
        # When it is called (by a signed-in admin; public routes ignore the token)
        answer = call(api, token, method, path)

        # Then only public reference data that succeeded may be kept, and then only briefly
        shared = (method, path) in SHARED and answer.status == 200
        assert answer.headers.get("Cache-Control") == (SHARED_BRIEFLY if shared else NO_STORE), (
            method,
            path,
            answer.status,
        )
        for name, value in SECURITY_HEADERS:
            assert answer.headers.get(name) == value, (method, path, name)


def test_a_staff_order_page_is_never_stored_after_the_api_document_was_read(api, id_token, citizen):
    # Given the public footer's link to the API document was followed first
    assert api.get("/api/v1/openapi.json").headers["Cache-Control"] == SHARED_BRIEFLY
    receipt = citizen.submit()

    # When a dispatcher opens the order and the requester tracks it
    staff = api.get(
        f"/api/v1/staff/work-orders/{receipt['id']}",
        headers={"authorization": f"Bearer {id_token('dispatcher1')}"},
    )
    tracking = api.get(f"/api/v1/public/requests/{receipt['id']}?code={receipt['tracking_code']}")

    # Then neither answer may be kept by a browser or a shared cache
    assert staff.status == 200 and tracking.status == 200
    assert staff.headers["Cache-Control"] == NO_STORE
    assert tracking.headers["Cache-Control"] == NO_STORE


def test_the_gateways_own_answers_carry_the_same_headers(api):
    for answer in (api.get("/api/v1/staff/me"), api.get("/api/v1/no-such-route")):
        assert answer.status in (401, 404)
        assert answer.headers["Cache-Control"] == NO_STORE
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_served_pages_forbid_inline_script_framing_and_sniffing(local_stack):
    import urllib.error
    import urllib.request

    for path in ("/", "/staff", "/dev/notifications"):
        try:
            with urllib.request.urlopen(local_stack.url + path) as answer:
                headers = answer.headers
        except urllib.error.HTTPError as error:  # 503 where the frontend is not built: the same headers
            headers = error.headers
        policy = headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'", path
        assert directives["frame-ancestors"] == "'none'", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"], path


def test_the_portals_answers_are_for_its_own_pages_and_open311_for_anyone(api, local_stack):
    """Access-Control-Allow-Origin: the pages' origin on the portal's API (a script of another site
    cannot read its answers), any origin on Open311 (the standard's clients live anywhere)."""
    portal = api.get("/api/v1/public/categories")
    open311 = api.get("/open311/v2/services.json")

    assert portal.headers["Access-Control-Allow-Origin"] == local_stack.url
    assert open311.headers["Access-Control-Allow-Origin"] == "*"
