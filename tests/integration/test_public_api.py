"""The public API on the local stack: Chalice's gateway, moto, the real workflow."""

from chalicelib import names

from tests.conftest import wait_until


def test_divisions_list_the_16_districts_and_343_streets(api):
    items = api.get("/api/v1/public/divisions").json()["items"]

    assert len(items) == 16
    assert sum(len(d["streets"]) for d in items) == 343
    dongcheng = next(d for d in items if d["code"] == "110101")
    assert {"code": "110101004", "name": "安定门街道"} in dongcheng["streets"]


def test_categories_come_with_their_three_levels_and_tier(api):
    items = api.get("/api/v1/public/categories").json()["items"]

    lighting = next(c for c in items if c["code"] == "street_lighting")
    assert {k: lighting[k] for k in ("name", "major_name", "group_name", "kind", "tier")} == {
        "name": "路灯照明",
        "major_name": "城乡建设与城市管理",
        "group_name": lighting["group_name"],
        "kind": "both",
        "tier": "24h",
    }
    assert lighting["group_name"] and lighting["description"]
    assert len(items) >= 300 and len({c["major"] for c in items}) >= 20  # tests add their own too


def test_an_order_is_stored_dispatched_and_tracked_with_its_code(citizen):
    receipt = citizen.submit()

    assert receipt["status"] == "received" and receipt["deadline"]
    tracked = wait_until(lambda: (t := citizen.track(receipt))["status"] == "dispatched" and t)
    assert tracked["timeline"][-1]["unit"] == "安定门街道"
    assert tracked["deadline"] and tracked["overdue"] is False


def test_a_400_speaks_the_callers_language_and_names_the_field_as_the_form_does(api):
    body = {
        "type": "rumour",
        "content": "短",
        "location": {"district": "110101"},
        "requester": {"kind": "person"},
    }

    chinese = api.post("/api/v1/public/requests", body)
    english = api.post("/api/v1/public/requests", body, headers={"accept-language": "en-US,en;q=0.9"})

    assert (chinese.status, english.status) == (400, 400)
    said = {d["field"]: d["message"] for d in chinese.json()["error"]["details"]}
    assert said["content"] == "诉求内容至少需要 5 个字"
    assert said["requester.phone"] == "请填写联系电话"
    assert said["type"].startswith("诉求类型应为以下之一：consultation、")
    told = {d["field"]: d["message"] for d in english.json()["error"]["details"]}
    assert told["content"] == "Request needs at least 5 characters"
    assert told["requester.phone"] == "Phone is required"


def test_bad_input_answers_400_naming_each_field_and_stores_nothing(api):
    answer = api.post(
        "/api/v1/public/requests",
        {
            "type": "rumour",
            "content": "短",
            "location": {"district": "11"},
            "requester": {"phone": "12345"},
        },
    )

    assert answer.status == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_input"
    assert {d["field"] for d in error["details"]} == {
        "type",
        "content",
        "location.district",
        "requester.phone",
    }


def test_a_control_character_is_refused_naming_its_field_and_the_feeds_stay_well_formed(api, citizen):
    from xml.etree import ElementTree

    # Given a request whose text and address hold a NUL and an escape character
    body = {
        "type": "complaint",
        "content": "路灯不亮\u0000已经三天了",
        "location": {"district": "110101", "street": "110101004", "address": "方家胡同\u001b12号"},
        "requester": {"phone": "13800001234"},
    }

    # When it is posted on the web and by an Open311 client
    answer = api.post("/api/v1/public/requests", body)
    form = api.request(
        "POST",
        "/open311/v2/requests.json",
        headers={"content-type": "application/x-www-form-urlencoded"},
        body="api_key=local-open311-demo&service_code=street_lighting&description=%E8%B7%AF%E7%81%AF%00%E5%9D%8F%E4%BA%86",
    )

    # Then both are refused naming the fields, and the public feed still parses
    assert answer.status == 400
    assert {d["field"] for d in answer.json()["error"]["details"]} == {"content", "location.address"}
    assert form.status == 400 and "description" in form.json()[0]["description"]
    ElementTree.fromstring(api.get("/open311/v2/requests.xml").body)


def test_malformed_json_is_a_400_not_a_500(api):
    answer = api.request(
        "POST", "/api/v1/public/requests", headers={"content-type": "application/json"}, body=b'{"type": '
    )

    assert answer.status == 400
    assert answer.json()["error"]["details"][0]["field"] == "body"


def test_a_street_outside_the_district_is_refused(citizen, api):
    answer = api.post(
        "/api/v1/public/requests",
        {
            "type": "help",
            "content": "家门口下水道堵塞",
            "location": {"district": "110105", "street": "110101004"},
            "requester": {"phone": "13800001234"},
        },
    )

    assert answer.status == 400
    assert answer.json()["error"]["details"][0]["field"] == "location.street"


def test_tracking_needs_the_right_code(citizen, api):
    receipt = citizen.submit()

    wrong = api.get(f"/api/v1/public/requests/{receipt['id']}?code=AAAA-BBBB-CCCC")
    missing = api.get("/api/v1/public/requests/2611260000000?code=AAAA-BBBB-CCCC")

    assert wrong.status == missing.status == 404
    assert wrong.json() == missing.json()  # a wrong code tells nothing about the number


def test_a_retried_submission_with_the_same_key_returns_the_same_order(api):
    body = {
        "type": "suggestion",
        "content": "建议在公园增加休息座椅",
        "location": {"district": "110108"},
        "requester": {"phone": "13900002222"},
    }
    headers = {"idempotency-key": "retry-3f1c"}

    first = api.post("/api/v1/public/requests", body, headers=headers)
    again = api.post("/api/v1/public/requests", body, headers=headers)
    other = api.post("/api/v1/public/requests", {**body, "content": "建议增加公园照明"}, headers=headers)

    assert first.status == again.status == 201
    assert again.json() == first.json()
    assert other.status == 409 and other.json()["error"]["code"] == "idempotency_key_reused"


def test_an_evaluation_before_the_reply_is_a_409(citizen):
    receipt = citizen.submit()

    answer = citizen.rate(receipt)

    assert answer.status == 409
    assert answer.json()["error"]["code"] == "wrong_status"


def test_the_public_timeline_never_names_staff(citizen, unit):
    receipt = citizen.submit()
    wait_until(lambda: citizen.track(receipt)["status"] == "dispatched")
    unit().act(receipt["id"], "sign")

    tracked = citizen.track(receipt)

    assert "andingmen.handler" not in str(tracked)
    assert set(tracked["timeline"][-1]) == {"at", "action", "unit", "note", "code", "params"}


def test_a_client_that_sends_too_fast_is_told_to_wait(local_stack):
    """Over HTTP, as a browser: the server answers 429 with Retry-After once the burst is spent."""
    import requests

    burst = names.THROTTLED_ROUTES[("POST", "/api/v1/public/requests")].burst
    # Even refused submissions count: a flood of bad bodies is still a flood.
    url = f"{local_stack.url}/api/v1/public/requests"
    answers = [requests.post(url, json={}, timeout=5) for _ in range(burst + 3)]

    statuses = [a.status_code for a in answers]
    assert statuses[:burst] == [400] * burst and 429 in statuses
    throttled = answers[statuses.index(429)]
    assert int(throttled.headers["Retry-After"]) >= 1
    assert throttled.json()["error"]["code"] == "throttled"
