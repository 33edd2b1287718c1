"""The local server's per-client limits: the figures API Gateway and WAF enforce in AWS."""

from chalicelib import names

from infra.local.throttle import Throttle, route_of

SUBMIT = names.THROTTLED_ROUTES[("POST", "/api/v1/public/requests")]


def test_a_client_gets_its_burst_then_waits_for_the_rate():
    throttle = Throttle()

    waits = [
        throttle.wait("10.0.0.1", "POST", "/api/v1/public/requests", now_ms=0)
        for _ in range(SUBMIT.burst + 1)
    ]

    assert waits == [0] * SUBMIT.burst + [1]
    assert throttle.wait("10.0.0.1", "POST", "/api/v1/public/requests", now_ms=1000 // SUBMIT.rate) == 0


def test_clients_and_routes_are_counted_apart():
    throttle = Throttle()
    for _ in range(SUBMIT.burst):
        throttle.wait("10.0.0.1", "POST", "/api/v1/public/requests", now_ms=0)

    assert throttle.wait("10.0.0.2", "POST", "/api/v1/public/requests", now_ms=0) == 0
    assert throttle.wait("10.0.0.1", "POST", "/api/v1/public/suggestions", now_ms=0) == 0


def test_requests_are_matched_to_their_route_template():
    assert route_of("GET", "/api/v1/public/requests/2611260000001?code=AB")[0] == (
        "GET /api/v1/public/requests/{order_id}"
    )
    assert route_of("POST", "/api/v1/public/requests/2611260000001/evaluation")[0] == (
        "POST /api/v1/public/requests/{order_id}/evaluation"
    )
    assert route_of("GET", "/api/v1/staff/work-orders") == ("*", names.THROTTLE_DEFAULT)
