"""The API split by audience (names.API_AUDIENCES): which function serves which path, and what each
function's role may touch."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalicelib import names

from infra.aws.api import STAFF_ADMIN_ACTIONS, function_id
from infra.aws.audiences import CLIENT_REFERENCE, PUBLIC_REFERENCE, routes

from .conftest import Synth
from .test_stack import SAM_FUNCTION, as_list, logical_id_of, statements_of_role, table_id

AUDIENCES = list(names.API_AUDIENCES.items())


def audience_id(synth: Synth, name: str) -> str:
    return logical_id_of(synth, SAM_FUNCTION, f"Audiences{name}")


def role_of(synth: Synth, fid: str) -> str:
    role: str = synth.resources[fid]["Properties"]["Role"]["Fn::GetAtt"][0]
    return role


def integration(synth: Synth, path: str, method: str) -> str:
    """The logical id of the function API Gateway sends `method path` to."""
    operation = synth.resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"][path][method.lower()]
    uri = json.dumps(operation["x-amazon-apigateway-integration"]["uri"])
    # Chalice's own: Fn::Sub with ${APIHandler.Arn}; the audiences': Fn::Sub with an Fn::GetAtt.
    (fid,) = [fid for fid in synth.of_type(SAM_FUNCTION) if f'"{fid}"' in uri or "${" + fid + ".Arn}" in uri]
    return fid


def actions_of(synth: Synth, role: str) -> set[str]:
    return {action for st in statements_of_role(synth, role) for action in as_list(st["Action"])}


@pytest.mark.parametrize(("name", "module"), AUDIENCES)
def test_each_audiences_routes_go_to_its_own_function(synth: Synth, name: str, module: str) -> None:
    fid = audience_id(synth, name)
    function = synth.resources[fid]["Properties"]
    served = routes(module)

    assert function["Handler"] == f"chalicelib.audiences.{module}.app"
    assert len(served) >= 10
    for path, method in served:
        assert integration(synth, path, method) == fid, (path, method)


def test_every_route_belongs_to_one_audience_and_the_document_stays_with_the_app(synth: Synth) -> None:
    by_audience = [set(routes(module)) for _name, module in AUDIENCES]
    every = {
        (path, method)
        for path, operations in synth.resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"].items()
        for method in operations
        if method != "options"
    }

    assert sum(len(served) for served in by_audience) == len(set().union(*by_audience))
    assert {(path, method.lower()) for served in by_audience for path, method in served} == every - {
        ("/api/v1/openapi.json", "get")
    }
    assert integration(synth, "/api/v1/openapi.json", "GET") == function_id(names.API_HANDLER)


@pytest.mark.parametrize(("name", "module"), AUDIENCES)
def test_api_gateway_may_invoke_each_audiences_function(synth: Synth, name: str, module: str) -> None:
    fid = audience_id(synth, name)
    permissions = [
        p["Properties"]
        for p in synth.of_type("AWS::Lambda::Permission").values()
        if p["Properties"]["FunctionName"] == {"Ref": fid}
    ]

    (permission,) = permissions
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert permission["Action"] == "lambda:InvokeFunction"
    assert {"Ref": "RestAPI"} in permission["SourceArn"]["Fn::Sub"][1].values()


def _reference_reads(synth: Synth, role: str) -> list[dict[str, Any]]:
    reference = {"Fn::GetAtt": [table_id(synth, names.REFERENCE_TABLE), "Arn"]}
    return [st for st in statements_of_role(synth, role) if reference in as_list(st["Resource"])]


def test_the_public_function_cannot_read_the_audit_trail_keys_or_revocations_nor_manage_staff(
    synth: Synth,
) -> None:
    role = role_of(synth, audience_id(synth, "PublicApi"))
    actions = actions_of(synth, role)
    insights = table_id(synth, names.INSIGHTS_TABLE)

    assert not {a for a in actions if a.startswith(("cognito-idp:", "secretsmanager:", "athena:", "sns:"))}
    (reads,) = _reference_reads(synth, role)
    assert set(as_list(reads["Action"])) <= {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}
    partitions = reads["Condition"]["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"]
    assert sorted(partitions) == sorted(PUBLIC_REFERENCE)
    assert not {"AUDIT", "API_KEY", names.REVOCATION_PARTITION} & set(partitions)
    # The effectiveness board reads the monthly run's stored figures, and nothing else of insights.
    on_insights = [st for st in statements_of_role(synth, role) if insights in json.dumps(st["Resource"])]
    (board,) = on_insights
    assert set(as_list(board["Action"])) == {"dynamodb:GetItem", "dynamodb:Query"}
    assert as_list(board["Resource"]) == [{"Fn::GetAtt": [insights, "Arn"]}]


def test_machine_clients_also_check_their_keys_and_only_the_staff_function_manages_accounts(
    synth: Synth,
) -> None:
    clients = role_of(synth, audience_id(synth, "ClientsApi"))
    staff = role_of(synth, audience_id(synth, "StaffApi"))
    (pool,) = synth.of_type("AWS::Cognito::UserPool")

    (reads,) = _reference_reads(synth, clients)
    assert sorted(reads["Condition"]["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"]) == sorted(
        CLIENT_REFERENCE
    )
    assert not {a for a in actions_of(synth, clients) if a.startswith("cognito-idp:")}
    managed = [
        st
        for st in statements_of_role(synth, staff)
        if any(a.startswith("cognito-idp:") for a in as_list(st["Action"]))
    ]
    (statement,) = managed
    assert set(as_list(statement["Action"])) == set(STAFF_ADMIN_ACTIONS)
    assert as_list(statement["Resource"]) == [{"Fn::GetAtt": [pool, "Arn"]}]
    # The staff portal never reads the stream, the facts' key or the query results.
    assert not {a for a in actions_of(synth, staff) if a.startswith(("secretsmanager:", "athena:"))}
    assert "StreamArn" not in json.dumps(statements_of_role(synth, staff))


@pytest.mark.parametrize(("name", "module"), AUDIENCES)
def test_each_audiences_function_writes_only_its_own_logs(synth: Synth, name: str, module: str) -> None:
    fid = audience_id(synth, name)
    group = synth.resources[fid]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    role = role_of(synth, fid)
    logs = [st for st in statements_of_role(synth, role) if "logs:PutLogEvents" in as_list(st["Action"])]

    (statement,) = logs
    assert as_list(statement["Resource"]) == [{"Fn::GetAtt": [group, "Arn"]}]
    assert "Policies" not in synth.resources[role]["Properties"]
