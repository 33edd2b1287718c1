"""Proactive governance on the local stack: three generated months of de-identified facts, the
daily machine compacting them, an analyst running the monthly machine from the API, and what the
portal then reads — rankings, topic candidates with evidence, adoption, recurrences, hotspots."""

import json
import re
from collections import defaultdict
from typing import Any

import pytest
from chalicelib import names

from infra.local import outbox
from tests.conftest import Citizen, Unit, wait_until

PHONE = re.compile(r"1[3-9]\d{9}")
SIGNALS = {"volume", "growth", "low_resolution", "low_satisfaction", "repeat_requesters", "concentrated"}


def _finished(sfn, arn: str) -> dict[str, Any]:
    described = wait_until(
        lambda: (d := sfn.describe_execution(executionArn=arn))["status"] != "RUNNING" and d, timeout=300
    )
    assert described["status"] == "SUCCEEDED", described
    return described


def _facts(s3) -> list[dict[str, Any]]:
    """Every order change in the bucket, as the generator and the stream export wrote them."""
    rows = []
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=names.ANALYTICS_BUCKET_LOCAL, Prefix=names.ORDER_CHANGES.prefix
    ):
        for item in page.get("Contents", []):
            body = s3.get_object(Bucket=names.ANALYTICS_BUCKET_LOCAL, Key=item["Key"])["Body"].read()
            rows += [json.loads(line) for line in body.decode().splitlines() if line]
    return rows


@pytest.fixture(scope="module")
def analysed(local_stack, api, id_token):
    """Facts for August to October 2026, compacted by the daily machine; September and October run
    by an analyst through the API, as the 1st-of-month schedule would."""
    from infra.local.history import HistoryPlan, write_bucket

    stack = local_stack.stack
    s3, sfn = stack.client("s3"), stack.client("stepfunctions")
    # A new problem in September: the candidate the analyst adopts, followed in October.
    plan = HistoryPlan(
        "2026-08", "2026-10", 6000, seed=7, emerging="ebike_nonstandard", emerging_month="2026-09"
    )
    write_bucket(plan, s3, names.ANALYTICS_BUCKET_LOCAL, progress=False)
    daily = sfn.start_execution(
        stateMachineArn=stack.outputs[names.ENV_ANALYTICS_DAILY_MACHINE_ARN],
        name="history-2026-08-to-10",
        input=json.dumps({"from": "2026-08-01", "to": "2026-10-31"}),
    )
    _finished(sfn, daily["executionArn"])
    analyst = Unit(api, id_token("analyst1"))
    # September as a month re-run from the portal; October also retrains the dispatch model, as
    # the scheduled run on the 1st does.
    for month, retrain in (("2026-09", False), ("2026-10", True)):
        started = analyst.post("/analytics/runs", {"month": month, "retrain": retrain})
        assert started.status == 202, started.body
        _finished(sfn, started.json()["execution"])
    latest: dict[str, dict[str, Any]] = {}
    for row in _facts(s3):
        if row["id"] not in latest or row["version"] > latest[row["id"]]["version"]:
            latest[row["id"]] = row
    return {"analyst": analyst, "orders": list(latest.values())}


def test_the_months_that_ran_count_the_months_requests(analysed):
    october = [o for o in analysed["orders"] if o["month"] == "2026-10" and o["status"] != "merged"]

    runs = analysed["analyst"].get("/analytics/months").json()["items"]

    assert [r["month"] for r in runs] == ["2026-10", "2026-09"]
    assert runs[0]["orders"] == len(october)


def test_streets_are_ranked_by_the_stored_rates_as_the_formula_says(analysed):
    orders = [o for o in analysed["orders"] if o["month"] == "2026-10"]
    answer = analysed["analyst"].get("/analytics/assessments?month=2026-10&kind=street").json()
    items = answer["items"]

    assert answer["source"] == "monthly" and answer["ran_at"]
    scores = [a["score"] for a in items if a["score"] is not None]
    assert scores == sorted(scores, reverse=True)
    assert [a["rank"] for a in items if a["score"] is not None] == list(range(1, len(scores) + 1))
    assert all(a["unit"]["kind"] == "street" for a in items)
    # The top street's rates, recomputed from the facts with the configured formula.
    top = items[0]["unit"]["id"]
    mine = [
        o
        for o in orders
        if o["unit"] == top
        and o["dispatched_at"] is not None
        and o["reason"] is None
        and not o["unreasonable"]
    ]
    contacted = sum(1 for o in mine if o["contacted_at"] is not None and not o["contact_late"])
    rated = [o for o in mine if o["evaluated_at"] is not None]
    satisfied = sum(1 for o in rated if o["satisfaction"] in ("satisfied", "basically_satisfied"))
    assert items[0]["dispatched"] == len(mine)
    assert items[0]["response_rate"] == round(contacted / len(mine), 4)
    assert items[0]["satisfaction_rate"] == round(satisfied / len(rated), 4)


def test_districts_are_ranked_by_every_order_in_their_jurisdiction(analysed):
    answer = analysed["analyst"].get("/analytics/assessments?month=2026-10&kind=district").json()
    # A district with fewer orders than the minimum volume is listed apart, unranked.
    apart = (
        analysed["analyst"]
        .get("/analytics/assessments?month=2026-10&kind=district&group=insufficient")
        .json()
    )
    # Streets (9 digits), district departments (<district>-<suffix>) and the district itself.
    counted: defaultdict[str, int] = defaultdict(int)
    for o in analysed["orders"]:
        if (
            o["month"] == "2026-10"
            and o["dispatched_at"] is not None
            and o["unit"]
            and re.match(r"^\d{6}", o["unit"])
            and o["reason"] is None
            and not o["unreasonable"]
        ):
            counted[o["unit"][:6]] += 1

    assert answer["source"] == "monthly"
    every = answer["items"] + apart["items"]
    assert {a["unit"]["id"]: a["dispatched"] for a in every} == counted
    assert len(counted) == 16 and all(a["rank"] for a in answer["items"])
    assert all(a["rank"] is None and a["dispatched"] < answer["least_dispatched"] for a in apart["items"])


def test_streets_with_too_few_orders_are_listed_apart_and_every_street_is_paged_once(analysed):
    analyst = analysed["analyst"]
    first = analyst.get("/analytics/assessments?month=2026-10&kind=street&limit=1").json()
    least = first["least_dispatched"]

    ranked, cursor = list(first["items"]), first["next"]
    while cursor:
        page = analyst.get(f"/analytics/assessments?month=2026-10&kind=street&limit=1&cursor={cursor}").json()
        ranked += page["items"]
        cursor = page["next"]
    apart = analyst.get(
        "/analytics/assessments?month=2026-10&kind=street&group=insufficient&limit=500"
    ).json()

    assert len(ranked) == first["ranked_units"] > 1 and len(apart["items"]) == first["insufficient_units"] > 0
    assert [a["rank"] for a in ranked] == list(range(1, len(ranked) + 1))
    assert min(a["dispatched"] for a in ranked) >= least > max(a["dispatched"] for a in apart["items"])
    assert len({a["unit"]["id"] for a in ranked + apart["items"]}) == len(ranked) + len(apart["items"])


def test_topic_candidates_come_with_their_evidence_and_no_phone_numbers(analysed):
    board = analysed["analyst"].get("/analytics/topics?month=2026-10").json()
    candidates = board["candidates"]

    assert board["run"]["month"] == "2026-10"
    assert [c["rank"] for c in candidates] == list(range(1, len(candidates) + 1))
    # One candidate per category, its districts as evidence (the small demo month has only a few).
    assert candidates and len({c["category"] for c in candidates}) == len(candidates)
    assert all(c["district"] is None and c["districts"] for c in candidates)
    for candidate in candidates:
        assert set(candidate["signals"]) <= SIGNALS
        assert candidate["orders"] >= 15 and len(candidate["top_streets"]) <= 5
        assert candidate["baseline"]["basis"] in ("same_month", "season", "previous_month", "none")
        assert candidate["category_name"] and len(candidate["examples"]) <= 3
        assert not any(PHONE.search(text) for text in candidate["examples"])
    october: defaultdict[str, int] = defaultdict(int)
    for order in analysed["orders"]:
        if order["month"] == "2026-10" and order["status"] != "merged" and order["category"]:
            october[order["category"]] += 1
    city_wide = next(c for c in candidates if c["district"] is None)
    assert city_wide["orders"] == october[city_wide["category"]]


def test_an_analyst_adopts_a_topic_and_follows_its_volume_in_the_months_after(
    analysed, local_stack, api, id_token
):
    analyst = analysed["analyst"]
    candidate = analyst.get("/analytics/topics?month=2026-09").json()["candidates"][0]
    assert candidate["category"] == "ebike_nonstandard"  # September's new problem
    title = "治理" + candidate["category_name"]
    form = {"month": "2026-09", "key": candidate["key"], "title": title, "lead_unit": "110101"}

    adopted = analyst.post("/analytics/topics", form)
    again = analyst.post("/analytics/topics", form)
    unknown = analyst.post("/analytics/topics", {**form, "key": "no_such_group"})
    handler = Unit(api, id_token("andingmen.handler")).post("/analytics/topics", form)

    assert adopted.status == 201, adopted.body
    assert (again.status, unknown.status, handler.status) == (409, 400, 403)
    assert [d["field"] for d in unknown.json()["error"]["details"]] == ["key"]
    assert adopted.json()["baseline_orders"] == candidate["orders"]
    # October's run follows it: its requests that month, as the October board counts them.
    rerun = analyst.post("/analytics/runs", {"month": "2026-10"})
    _finished(local_stack.stack.client("stepfunctions"), rerun.json()["execution"])
    topic = next(
        t for t in analyst.get("/analytics/topics").json()["adopted"] if t["key"] == candidate["key"]
    )
    october = [
        o
        for o in analysed["orders"]
        if o["month"] == "2026-10"
        and o["status"] != "merged"
        and o["category"] == topic["category"]
        and (topic["district"] is None or o["district"] == topic["district"])
    ]
    assert topic["progress"] == [{"month": "2026-10", "orders": len(october)}]


def test_recurrences_and_hotspots_are_each_units_own(analysed, local_stack, api, id_token):
    analyst = analysed["analyst"]
    recurring = analyst.get("/analytics/recurrences?month=2026-10").json()["items"]
    spots = analyst.get("/analytics/hotspots").json()

    assert recurring and all(r["recurrences"] >= 1 and r["orders"] > r["recurrences"] for r in recurring)
    assert spots["day"] == "2026-10-31" and spots["items"]
    assert all(s["this_week"] >= 5 and s["this_week"] >= 3 * s["baseline"] for s in spots["items"])
    # Each street with a hotspot was warned (a staff notice to its handlers; SMS have no subject).
    warned = {
        n["to"]
        for n in outbox.sent(local_stack.stack.outputs[names.ENV_UNIT_TOPIC_ARN])
        if n["kind"] == "notice" and "预警" in n["subject"]
    }
    assert {f"unit:{s['street']}" for s in spots["items"]} <= warned
    street = Unit(api, id_token("andingmen.handler"))
    own = street.get("/analytics/recurrences?month=2026-10").json()["items"]
    own_spots = street.get("/analytics/hotspots").json()["items"]
    assert own == [r for r in recurring if "110101004" in (r["unit"], r["street"])]
    assert own_spots == [s for s in spots["items"] if s["street"] == "110101004"]
    assert len(own) < len(recurring)


def test_a_month_that_has_not_begun_cannot_run(analysed):
    answer = analysed["analyst"].post("/analytics/runs", {"month": "2099-01"})

    assert answer.status == 400
    assert [d["field"] for d in answer.json()["error"]["details"]] == ["month"]


def test_every_order_change_reaches_analytics_without_name_or_phone(local_stack, api):
    receipt = Citizen(api).submit(
        content="小区门口路灯不亮已经一周，联系电话13912345678",
        requester={"name": "王女士", "phone": "13700002222"},
    )
    s3 = local_stack.stack.client("s3")

    row = wait_until(lambda: next((r for r in _facts(s3) if r["id"] == receipt["id"]), None))

    flat = json.dumps(row, ensure_ascii=False)
    assert "王女士" not in flat and "13700002222" not in flat and "13912345678" not in flat
    assert "139****5678" in row["text"] and re.fullmatch(r"[0-9a-f]{32}", row["requester"])


def test_the_scheduled_run_retrains_the_dispatch_model_and_an_analyst_chooses_the_one_that_serves(
    analysed, api, unit
):
    # Given the October run, which retrained the dispatch model on the closed orders (September's
    # re-run from the portal did not)
    analyst = analysed["analyst"]
    listed = analyst.get("/analytics/models").json()
    retrained = [m for m in listed["items"] if m["version"] != "shipped"]

    # Then the model was kept with what it learned from and how it measured on the evaluation set
    assert [m["version"][:7] for m in retrained] == ["2026-10"]
    (october,) = retrained
    assert october["history"] > 100 and october["trained_on"] > october["history"]
    assert 0.5 < october["figures"]["top1"] <= 1 and october["figures"]["requests"] > 1000
    assert listed["items"][0]["version"] == "shipped"
    # and, better on the evaluation set and the history's drifted words, dispatching by itself as
    # precisely (docs/benchmarks.md, retraining on drifting words), it put itself in service
    promoted = [c["version"] for c in listed["changes"] if c["by"] == "retraining"]
    assert promoted == [october["version"]] and listed["serving"] == october["version"]

    def serving_suggestions() -> str:
        answer = api.post("/api/v1/public/suggestions", {"content": "小区门口的路灯坏了好几天"})
        return str(answer.json()["model"])

    # When the API suggests, an analyst asks for what already serves, a dispatcher tries to
    # choose, and the analyst rolls back to the shipped model
    served_october = serving_suggestions()
    again = analyst.post(f"/analytics/models/{october['version']}/serve", {"reason": "再次启用"})
    not_analyst = unit("dispatcher1").post("/analytics/models/shipped/serve", {"reason": "越权"})
    back = analyst.post("/analytics/models/shipped/serve", {"reason": "回滚"})
    served_shipped = serving_suggestions()

    # Then the API serves each at once, a repeat is a conflict, and only analysts choose
    assert served_october == october["version"]
    assert (again.status, again.json()["error"]["code"]) == (409, "already_serving")
    assert not_analyst.status == 403
    assert back.status == 200 and served_shipped == "shipped"
    assert back.json()["changes"][0]["reason"] == "回滚"


# --- the public effectiveness board (Art. 34): the stored months, published -----------------------


def _whole_ranking(analyst: Unit, kind: str) -> dict[str, dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for group in ("ranked", "insufficient"):
        rows += analyst.get(
            f"/analytics/assessments?month=2026-10&kind={kind}&group={group}&limit=500"
        ).json()["items"]
    return {a["unit"]["id"]: a for a in rows}


def test_the_public_board_publishes_the_stored_rates_above_the_minimum_as_json_and_csv(analysed, api):
    import csv
    import io

    analyst = analysed["analyst"]
    least = analyst.get("/analytics/assessments?month=2026-10&kind=street").json()["least_dispatched"]

    months = api.get("/api/v1/public/board")
    answer = api.get("/api/v1/public/board/2026-10.json")
    bare = api.get("/api/v1/public/board/2026-10")
    table = api.get("/api/v1/public/board/2026-10.csv")
    asked = api.get("/api/v1/public/board/2026-10?format=csv")

    # Every month that ran has a board, kept briefly by any cache
    assert months.status == 200 and [m["month"] for m in months.json()["items"]] == ["2026-10", "2026-09"]
    assert answer.status == 200 and answer.headers["Cache-Control"] == names.SHARED_BRIEFLY
    board = answer.json()
    assert bare.json() == board and board["least_count"] == least
    # The districts and streets are the ranking's own figures, those below the minimum withheld
    for kind, key in (("district", "districts"), ("street", "streets")):
        ranking = _whole_ranking(analyst, kind)
        shown = {u["code"]: u for u in board[key]}
        assert set(shown) == {i for i, a in ranking.items() if a["dispatched"] >= least}
        assert board[f"withheld_{key}"] == len(ranking) - len(shown) > (0 if kind == "street" else -1)
        for code, unit in shown.items():
            stored = ranking[code]
            assert unit["dispatched"] == stored["dispatched"] and unit["name"] == stored["unit"]["name"]
            assert unit["response_rate"] == stored["response_rate"]
            if stored["followed_up"] >= least:
                assert unit["satisfaction_rate"] == stored["satisfaction_rate"]
            else:
                assert unit["satisfaction_rate"] is None
    assert len(board["districts"]) > 5
    # The most frequent categories, as the month's requests count them
    october: defaultdict[str, int] = defaultdict(int)
    for order in analysed["orders"]:
        if order["month"] == "2026-10" and order["status"] != "merged" and order["category"]:
            october[order["category"]] += 1
    assert [(c["code"], c["orders"]) for c in board["categories"]] == sorted(
        ((k, n) for k, n in october.items() if n >= least), key=lambda kn: (-kn[1], kn[0])
    )[:10]
    # The adopted topics with their progress, and nobody named
    adopted = [t for t in analyst.get("/analytics/topics").json()["adopted"] if t["month"] <= "2026-10"]
    assert sorted(t["title"] for t in board["topics"]) == sorted(t["title"] for t in adopted)
    flat = answer.body.decode()
    assert not PHONE.search(flat) and "analyst1" not in flat
    # The CSV holds the same figures, at its own address and with ?format=csv
    assert table.status == 200 and table.headers["Content-Type"].startswith("text/csv")
    assert table.headers["Cache-Control"] == names.SHARED_BRIEFLY and asked.body == table.body
    rows = list(csv.DictReader(io.StringIO(table.body.decode("utf-8-sig"))))
    streets = {r["code"]: r for r in rows if r["section"] == "street"}
    assert set(streets) == {u["code"] for u in board["streets"]}
    top = board["streets"][0]
    assert int(streets[top["code"]]["orders"]) == top["dispatched"]
    assert streets[top["code"]]["district_name"] == top["district_name"]


def test_a_board_month_is_a_month_that_ran(analysed, api):
    not_run = api.get("/api/v1/public/board/2026-07.json")
    not_a_month = api.get("/api/v1/public/board/2026-13.csv", headers={"accept-language": "en"})
    bad_format = api.get("/api/v1/public/board/2026-10?format=xlsx")

    assert not_run.status == 404 and not_run.json()["error"]["code"] == "not_found"
    assert not_a_month.status == 400
    assert [d["field"] for d in not_a_month.json()["error"]["details"]] == ["month"]
    assert bad_format.status == 400
    assert [d["field"] for d in bad_format.json()["error"]["details"]] == ["format"]
