"""考核申诉 on the local stack: a street appeals two closed orders, the assessment officer upholds one
and rejects the other from the queue, and the monthly run of the orders' month counts the upheld
one as excluded from the street's rates and the rejected one as before."""

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from chalicelib import names

from tests.conftest import wait_until

BEIJING = timezone(timedelta(hours=8))
ANDINGMEN = "110101004"


def _closed(citizen, handler, reviewer) -> dict[str, Any]:
    """An order the street signed for, answered, the hotline's reviewer passed and the requester
    rated: closed."""
    receipt = citizen.submit()
    order_id = receipt["id"]
    wait_until(lambda: handler.order(order_id).json().get("status") == "dispatched")
    assert handler.act(order_id, "sign").status == 200
    assert handler.act(order_id, "contact", note="电话联系诉求人").status == 200
    assert (
        handler.act(order_id, "reply", result="已安排清运，垃圾桶已清空并消毒", resolved_claim=True).status
        == 200
    )
    # 办结审核: the hotline's reviewer passes the reply on to the requester.
    assert reviewer.act(order_id, "review", decision="pass").status == 200
    wait_until(lambda: citizen.rate(receipt).status == 200)
    return wait_until(lambda: (o := handler.order(order_id).json())["status"] == "closed" and o)


def _day(instant: str) -> str:
    return datetime.fromisoformat(instant).astimezone(BEIJING).strftime("%Y-%m-%d")


def _run(sfn, local_stack, machine: str, name: str, given: dict[str, Any]) -> None:
    started = sfn.start_execution(
        stateMachineArn=local_stack.stack.outputs[machine], name=name, input=json.dumps(given)
    )
    described = wait_until(
        lambda: (
            (d := sfn.describe_execution(executionArn=started["executionArn"]))["status"] != "RUNNING" and d
        ),
        timeout=300,
    )
    assert described["status"] == "SUCCEEDED", described


def _street_in_month(local_stack, sfn, analyst, orders: list[dict[str, Any]], run: str) -> dict[str, Any]:
    """The street's counts after the daily compaction of the orders' days and the monthly run of
    their month (as the schedule runs them; the month has not ended on the demo clock yet)."""
    first = min(_day(o["created_at"]) for o in orders)
    last = max(_day(analyst.order(o["id"]).json()["updated_at"]) for o in orders)
    _run(
        sfn,
        local_stack,
        names.ENV_ANALYTICS_DAILY_MACHINE_ARN,
        f"appeals-daily-{run}",
        {"from": first, "to": last},
    )
    month = first[:7]
    _run(
        sfn,
        local_stack,
        names.ENV_ANALYTICS_MONTHLY_MACHINE_ARN,
        f"appeals-{run}",
        {"month": month, "retrain": False},
    )
    rows = [
        *analyst.get(f"/analytics/assessments?month={month}&kind=street&limit=100").json()["items"],
        *analyst.get(f"/analytics/assessments?month={month}&kind=street&group=insufficient&limit=100").json()[
            "items"
        ],
    ]
    return next(r for r in rows if r["unit"]["id"] == ANDINGMEN)


def test_an_upheld_appeal_leaves_the_units_rates_from_the_next_monthly_run(local_stack, sfn, citizen, unit):
    handler, assessor, analyst = unit(), unit("assessor1"), unit("analyst1")
    reviewer = unit("reviewer1")
    upheld, rejected = _closed(citizen, handler, reviewer), _closed(citizen, handler, reviewer)
    before = _street_in_month(local_stack, sfn, analyst, [upheld, rejected], "before")

    offered = {a["action"]: a for a in upheld["actions"]}["appeal"]
    for order in (upheld, rejected):
        appealed = handler.act(
            order["id"], "appeal", grounds="outside_duties", evidence="该处垃圾桶属物业管理区域，应由物业清运"
        )
        assert appealed.status == 200, appealed.body
    queue = assessor.get("/appeals").json()["items"]
    seen = handler.order(upheld["id"]).json()
    decided = [
        assessor.act(upheld["id"], "appeal/decision", decision="uphold", note="经核实属物业管理区域"),
        assessor.act(rejected["id"], "appeal/decision", decision="reject", note="公共区域，属街道职责"),
    ]
    after = _street_in_month(local_stack, sfn, analyst, [upheld, rejected], "after")

    assert offered["choices"]["grounds"] == ["wrong_unit", "unreasonable", "outside_duties"]
    assert datetime.fromisoformat(offered["until"]) > datetime.fromisoformat(upheld["updated_at"])
    assert [i["order"]["id"] for i in queue][-2:] == [upheld["id"], rejected["id"]]
    assert seen["appeal"]["decision"] is None and "appeal" not in {a["action"] for a in seen["actions"]}
    assert [d.status for d in decided] == [200, 200], [d.body for d in decided]
    assert [d.json()["appeal"]["decision"] for d in decided] == ["upheld", "rejected"]
    assert {upheld["id"], rejected["id"]}.isdisjoint(
        i["order"]["id"] for i in assessor.get("/appeals").json()["items"]
    )
    assert (after["dispatched"], after["excluded"]) == (before["dispatched"] - 1, before["excluded"] + 1)


def test_only_the_first_receiver_appeals_and_only_an_assessor_decides(citizen, unit):
    handler, other, supervisor = unit(), unit("jiaodaokou.handler"), unit("supervisor1")
    order = _closed(citizen, handler, unit("reviewer1"))
    evidence = {"grounds": "wrong_unit", "evidence": "事发地属交道口街道辖区，派单错误"}

    assert other.act(order["id"], "appeal", version=order["version"], **evidence).status == 404
    assert handler.act(order["id"], "appeal", grounds="no_such_grounds", evidence="x" * 20).status == 400
    assert handler.act(order["id"], "appeal", **evidence).status == 200
    assert handler.act(order["id"], "appeal", **evidence).json()["error"]["code"] == "already_appealed"
    assert supervisor.act(order["id"], "appeal/decision", decision="uphold", note="理由成立").status == 403
    assert supervisor.get("/appeals").status == 403
