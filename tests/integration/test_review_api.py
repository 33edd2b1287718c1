"""办结审核 through the staff API on moto: the review queue, who may decide, what a return needs,
and the review policy as the admin edits it."""

from tests.conftest import wait_until


def in_review(citizen, handler, result: str = "已处理") -> str:
    receipt = citizen.submit()
    order_id = receipt["id"]
    wait_until(lambda: citizen.track(receipt)["status"] == "dispatched")
    for action, body in (
        ("sign", {}),
        ("contact", {}),
        ("reply", {"result": result, "resolved_claim": True}),
    ):
        assert handler.act(order_id, action, **body).status == 200
    return order_id


def test_the_reviewer_finds_the_reply_in_the_queue_with_its_flags(citizen, unit):
    handler, reviewer = unit(), unit("reviewer1")
    order_id = in_review(citizen, handler)

    queue = reviewer.get("/work-orders?status=in_review&limit=100").json()["items"]
    order = reviewer.order(order_id).json()

    assert order_id in [i["id"] for i in queue]
    assert order["review"]["flags"] == ["too_short"]
    assert [a["action"] for a in order["actions"]] == ["review"]
    assert order["actions"][0]["choices"] == {"decision": ["pass", "return"]}
    assert [a["action"] for a in handler.order(order_id).json()["actions"]] == []


def test_a_return_without_a_reason_is_refused_naming_the_field_and_others_may_not_decide(citizen, unit):
    handler, reviewer, supervisor = unit(), unit("reviewer1"), unit("supervisor1")
    order_id = in_review(citizen, handler)

    bare = reviewer.act(order_id, "review", decision="return")
    odd = reviewer.act(order_id, "review", decision="maybe")
    by_handler = handler.act(order_id, "review", decision="pass")
    by_supervisor = supervisor.act(order_id, "review", decision="pass")

    assert (bare.status, bare.json()["error"]["details"][0]["field"]) == (400, "reason")
    assert (odd.status, odd.json()["error"]["details"][0]["field"]) == (400, "decision")
    assert (by_handler.status, by_supervisor.status) == (403, 403)
    assert reviewer.order(order_id).json()["status"] == "in_review"  # nothing half-written
    returned = reviewer.act(order_id, "review", decision="return", reason="未说明清运结果")
    again = reviewer.act(order_id, "review", decision="pass")
    assert (returned.status, returned.json()["review"]["returns"]) == (200, 1)
    assert (again.status, again.json()["error"]["code"]) == (409, "wrong_status")


def test_the_admin_turns_on_skipping_review_for_a_confident_pass(citizen, unit, time_limits):
    limits = time_limits(review_skips_confident=True, review_clock_runs=False)
    good = "环卫所当日派车清运方家胡同口垃圾桶3桶，已增设1个垃圾桶，改为每日清运两次，已电话告知诉求人。"

    skipped = in_review(citizen, unit(), good)

    assert (limits["review_skips_confident"], limits["review_clock_runs"]) == (True, False)
    order = unit("reviewer1").order(skipped).json()
    assert order["status"] in ("replied", "follow_up")
    assert [e["code"] for e in order["timeline"] if e["action"] == "replied"] == ["review_skipped"]
