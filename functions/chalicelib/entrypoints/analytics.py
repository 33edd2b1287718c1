"""The analytics runs' Lambda tasks (statemachines/analytics_*.asl.json): plan the queries, then
store what they found and tell the people it concerns."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import Any

from ..domain import insights
from ..domain.notifications import StaffNotice
from ..observability import logger
from ..settings import settings
from ..wiring import deps


def plan(event: dict[str, Any]) -> dict[str, Any]:
    """{"run": "monthly"|"daily", "input": the execution's input} → the plan with each query's
    execution parameters. A month or days the input names are validated here, before any query."""
    d = deps()
    given = event.get("input") or {}
    planned: insights.MonthlyPlan | insights.DailyPlan
    if event.get("run") == "monthly":
        retrain = given.get("retrain", True) is not False
        planned = insights.monthly_plan(given.get("month"), d.clock.now(), d.analytics_policy, retrain)
    else:
        planned = insights.daily_plan(given.get("from"), given.get("to"), d.clock.now(), d.analytics_policy)
    return planned.model_dump()


def _results(event: dict[str, Any], *wanted: str) -> dict[str, list[dict[str, Any]]]:
    """The rows of each query the state machine ran (by name), or of those `wanted`."""
    reader = deps().query_results
    return {
        query["name"]: reader.rows(query["id"])
        for query in event["queries"]
        if not wanted or query["name"] in wanted
    }


def store_month(event: dict[str, Any]) -> dict[str, Any]:
    d = deps()
    month = event["plan"]["month"]
    found = _results(event)
    policy = d.analytics_policy
    ranked = insights.rank_units(found["rates"], found["summons"], d.reference, policy.rates)
    candidates = insights.topic_candidates(
        found["topics"],
        found["streets"],
        found["examples"],
        found["trend"],
        d.reference,
        policy.topics,
        month,
    )
    recurrences = insights.recurrences(found["recurrence"][:300], d.reference)
    run = insights.MonthRun(
        month=month,
        ran_at=d.clock.now(),
        orders=sum(r["orders"] for r in found["trend"] if r["month"] == month and r["district"] is None),
        units=sum(len(rows) for rows in ranked.values()),
        candidates=len(candidates),
        recurrences=len(recurrences),
    )
    store = d.insights
    store.store_month(
        run,
        ranked,
        candidates,
        insights.category_trend(found["trend"], d.reference),
        insights.street_volumes(found["streets"], d.reference),
        recurrences,
    )
    for topic in store.topics():
        followed = insights.follow(topic, month, found["topics"])
        if followed is not topic:
            store.put_topic(followed, topic.version)
    logger.info("month stored", month=month, orders=run.orders, candidates=run.candidates)
    return insights.run_summary(run)


def store_day(event: dict[str, Any]) -> dict[str, Any]:
    """Store the day's hotspots and warn each street of its own (未诉先办)."""
    d = deps()
    day = event["plan"]["last_day"]
    found = _results(event, "hotspots")
    spots = insights.hotspots(day, found["hotspots"], d.reference)
    d.insights.store_hotspots(day, spots)
    per_street: dict[str, list[insights.Hotspot]] = defaultdict(list)
    for spot in spots:
        per_street[spot.street].append(spot)
    sent = [
        StaffNotice(
            audience=f"unit:{street}",
            subject=f"预警：{own[0].street_name}近7天诉求异常增多",
            message="\n".join(insights.hotspot_message(s) for s in own),
        )
        for street, own in per_street.items()
    ]
    for notice in sent:
        d.notifier.staff_notice(notice.audience, notice.subject, notice.message)
    logger.info("day stored", day=day, hotspots=len(spots), warned=len(sent))
    return {"first_day": event["plan"]["first_day"], "day": day, "hotspots": len(spots), "warned": len(sent)}


def retrain(event: dict[str, Any]) -> dict[str, Any]:
    """Retrain the dispatch model on the written texts and the closed orders the training query
    found; serve the candidate only if it measures better on the evaluation set (with the
    requests in drifted words) than the serving model measured again on the same requests."""
    from ..domain import dispatch_training, smart_dispatch
    from ..domain.model import RequestType
    from ..reference_data import dispatch_examples, drift_examples, evaluation_examples

    d = deps()
    types = {t.value for t in RequestType}
    history = [
        smart_dispatch.Example(text=str(r["text"]), category=str(r["category"]), type=RequestType(r["type"]))
        for r in _results(event, "training")["training"]
        if r.get("text") and r.get("category") and r.get("type") in types
    ]
    now = d.clock.now()
    catalogue = d.reference.categories()
    evaluation = [*evaluation_examples(), *drift_examples()]
    serving = d.dispatch_model
    # Its stored figures are of the set it was built with, which may have grown since.
    measured = replace(serving, figures=dispatch_training.measure(serving, evaluation, catalogue))
    result = dispatch_training.retrain(
        dispatch_examples(),
        history,
        catalogue,
        evaluation,
        serving=measured,
        version=f"{event['plan']['month']}-{now:%Y%m%d%H%M%S}",
        now=now,
        models=d.dispatch_models,
        folds=settings().retrain_folds,
    )
    logger.info(
        "dispatch model retrained",
        version=result.version,
        promoted=result.promoted,
        history=result.history,
        top1=result.figures.top1,
    )
    return result.model_dump(mode="json")
