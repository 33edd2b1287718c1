"""Jiesu's Lambda functions: composition only. The rules live in chalicelib/domain."""

from __future__ import annotations

import os
from typing import Any

from chalice.app import DynamoDBEvent
from chalicelib import names
from chalicelib.audiences import clients, combine, compose, public, staff
from chalicelib.entrypoints import openapi
from chalicelib.observability import logger
from chalicelib.wiring import deps

# Each function below imports its entry point when it is first called: every task, stream and
# analytics function imports this module, and each loads only its own rules (docs/benchmarks.md).

# Every route, for packaging (one REST API) and the OpenAPI document. Each audience's routes go to
# its own function (audiences/, names.API_AUDIENCES); this app's handler serves the document alone.
app = combine(compose([(openapi.bp, "/api/v1")]), (public.app, staff.app, clients.app))

# Chalice reads the stream ARN when the app is packaged; CDK passes its token through the stage
# environment (research: combined-synth.md), the local stack the moto stream's ARN.
WORK_ORDERS_STREAM = os.environ.get(
    names.ENV_WORK_ORDERS_STREAM_ARN,
    "arn:aws:dynamodb:us-east-1:000000000000:table/unset/stream/unset",
)


@app.lambda_function(name=names.FN_ROUTE_ORDER)
def route_order(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.entrypoints import tasks

    return tasks.route_order(event)


@app.lambda_function(name=names.FN_AWAIT_UNIT)
def await_unit(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.entrypoints import tasks

    return tasks.await_unit(event)


@app.lambda_function(name=names.FN_ADVANCE_ORDER)
def advance_order(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.entrypoints import tasks

    return tasks.advance_order(event)


@app.lambda_function(name=names.FN_CHECK_WHISTLE)
def check_whistle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.entrypoints import tasks

    return tasks.check_whistle(event)


@app.lambda_function(name=names.FN_RECONCILE_WORKFLOWS)
def reconcile_workflows(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.entrypoints import reconciler

    return reconciler.reconcile_workflows(event)


@app.lambda_function(name=names.FN_SEED_REFERENCE)
def seed_reference_data(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Adds the units and catalogue that ship with the code to the reference table; what an admin
    edited stays as it is."""
    from chalicelib.reference_data import all_units, categories, knowledge_base

    reference = deps().reference
    written = reference.seed(all_units(), list(categories()), list(knowledge_base()))
    logger.info("reference data seeded", items=written)
    return {"items": written}


@app.lambda_function(name=names.FN_PLAN_ANALYTICS)
def plan_analytics(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.entrypoints import analytics  # only the analytics runs load it

    return analytics.plan(event)


@app.lambda_function(name=names.FN_STORE_MONTH)
def store_month(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.entrypoints import analytics

    return analytics.store_month(event)


@app.lambda_function(name=names.FN_STORE_DAY)
def store_day(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.entrypoints import analytics

    return analytics.store_day(event)


@app.lambda_function(name=names.FN_RETRAIN_DISPATCH)
def retrain_dispatch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from chalicelib.entrypoints import analytics

    return analytics.retrain(event)


@app.on_dynamodb_record(
    stream_arn=WORK_ORDERS_STREAM,
    batch_size=100,
    starting_position="TRIM_HORIZON",
    name=names.FN_ON_WORK_ORDER_CHANGE,
)
def on_work_order_change(event: DynamoDBEvent) -> None:
    """The requester's SMS and the staff notices of each change, as it happens."""
    from chalicelib.entrypoints import streams

    for record in event:
        streams.on_change(record.new_image, record.old_image)


@app.on_dynamodb_record(
    stream_arn=WORK_ORDERS_STREAM,
    batch_size=names.FACTS_BATCH_SIZE,
    maximum_batching_window_in_seconds=names.FACTS_BATCH_WINDOW_SECONDS,
    starting_position="TRIM_HORIZON",
    name=names.FN_EXPORT_FACTS,
)
def export_work_order_facts(event: DynamoDBEvent) -> None:
    """The de-identified facts of a minute's changes, one object per table and day."""
    from chalicelib.entrypoints import streams

    streams.export_facts([(record.sequence_number, record.new_image) for record in event])
