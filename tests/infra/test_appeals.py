"""考核申诉 in the template: the assessment officers sign in as a group of their own, and their
queue (a partition of the work-order table's sparse overdue index) is an API route the staff
function serves with a query on that table's indexes and no more."""

from __future__ import annotations

import json

from chalicelib import names

from .conftest import Synth
from .test_audiences import audience_id, integration, role_of
from .test_stack import as_list, statements_of_role, table_id


def test_assessors_are_a_cognito_group(synth: Synth) -> None:
    groups = {g["Properties"]["GroupName"] for g in synth.of_type("AWS::Cognito::UserPoolGroup").values()}

    assert "assessor" in groups


def test_the_appeal_routes_are_the_staff_functions_and_it_may_query_the_orders_indexes(synth: Synth) -> None:
    staff = audience_id(synth, "StaffApi")
    orders = table_id(synth, names.WORK_ORDERS_TABLE)

    for path, method in (
        ("/api/v1/staff/appeals", "GET"),
        ("/api/v1/staff/work-orders/{order_id}/appeal", "POST"),
        ("/api/v1/staff/work-orders/{order_id}/appeal/decision", "POST"),
    ):
        assert integration(synth, path, method) == staff, path
    on_orders = [
        st
        for st in statements_of_role(synth, role_of(synth, staff))
        if orders in json.dumps(st["Resource"]) and "dynamodb:Query" in as_list(st["Action"])
    ]
    assert on_orders, "the staff function cannot query the work-order table"
    assert any("/index/*" in json.dumps(st["Resource"]) for st in on_orders)
