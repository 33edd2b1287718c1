"""The synthesized Jiesu stack: what the deployed platform relies on, checked on the template.

The Chalice resources stay AWS::Serverless::* here (the SAM transform runs at deploy time), so
functions are asserted at SAM level. The fixture is in conftest.py (one synth per session).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint
from chalicelib import names

from infra.aws.api import API_GATEWAY_STAGE, DEFAULT_ROLE, GATEWAY_ERRORS, function_id
from infra.aws.project import ROOT, STATEMACHINES
from infra.aws.seed import reference_data_hash
from infra.aws.throttling import resource_path
from infra.aws.workflows import machine_arn, machine_name

from .conftest import ACCOUNT, REGION, Synth

SAM_FUNCTION = "AWS::Serverless::Function"
STATE_MACHINE = "AWS::StepFunctions::StateMachine"
ASL_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
# Actions granted on "*" because IAM accepts nothing narrower for them: requester SMS, listing
# streams (stream read), and the log-delivery and X-Ray actions CDK gives the state machine.
STAR_ONLY_ACTIONS = {"dynamodb:ListStreams", "sns:Publish"}
# CDK's bucket deployment (the frontend) grants its cache invalidation on "*" itself: the function
# is told which distribution, and nothing else it may do touches data.
CDK_STAR_ACTIONS = {"cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"}
STAR_ONLY_PREFIXES = ("logs:", "xray:")
WRITES_TO_LOG_GROUPS = {"logs:CreateLogStream", "logs:PutLogEvents", "logs:CreateLogGroup"}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(synth: Synth) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every IAM statement in the template, with the id of the resource that carries it."""
    for rid, res in synth.resources.items():
        props = res.get("Properties", {})
        if res["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for statement in props["PolicyDocument"]["Statement"]:
                yield rid, statement
        elif res["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                for statement in policy["PolicyDocument"]["Statement"]:
                    yield rid, statement


def policies_of_role(synth: Synth, role_id: str) -> list[str]:
    """The AWS::IAM::Policy resources attached to a role, by Ref or (imported role) by its ARN."""
    return [
        rid
        for rid, res in synth.of_type("AWS::IAM::Policy").items()
        if any(
            role == {"Ref": role_id} or f'["{role_id}", "Arn"]' in json.dumps(role)
            for role in res["Properties"]["Roles"]
        )
    ]


def statements_of_role(synth: Synth, role_id: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for rid in policies_of_role(synth, role_id):
        found += synth.resources[rid]["Properties"]["PolicyDocument"]["Statement"]
    return found


def logical_id_of(synth: Synth, kind: str, prefix: str) -> str:
    (found,) = [rid for rid in synth.of_type(kind) if rid.startswith(prefix)]
    return found


def attachments_id(synth: Synth) -> str:
    (found,) = [
        rid for rid in synth.of_type("AWS::S3::Bucket") if re.fullmatch(r"DataAttachments[0-9A-F]{8}", rid)
    ]
    return found


def table_id(synth: Synth, spec: names.TableSpec) -> str:
    return logical_id_of(synth, "AWS::DynamoDB::Table", f"Data{spec.construct_id}")


def functions(synth: Synth) -> dict[str, dict[str, Any]]:
    return synth.of_type(SAM_FUNCTION)


def machine(synth: Synth, spec: names.MachineSpec) -> tuple[str, dict[str, Any]]:
    """The logical id and resource of the state machine deployed for `spec`, found by its name."""
    name = f"{synth.stack.stack_name}-{spec.name}"
    (found,) = [
        (rid, res)
        for rid, res in synth.of_type(STATE_MACHINE).items()
        if res["Properties"]["StateMachineName"] == name
    ]
    return found


def arn_of(synth: Synth, spec: names.MachineSpec) -> Any:
    return synth.resolve(machine_arn(synth.stack, spec))


def as_keys(resources: list[Any]) -> list[str]:
    return sorted(json.dumps(resource, sort_keys=True) for resource in resources)


MACHINE_IDS = [spec.construct_id for spec in names.MACHINES]
# The work-order machines and the analytics machines (tests/infra/test_analytics.py has the latter's own).
ALL_MACHINES = (*names.MACHINES, *names.ANALYTICS_MACHINES)
ALL_MACHINE_IDS = [spec.construct_id for spec in ALL_MACHINES]


# --- data ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", names.TABLES, ids=lambda spec: spec.construct_id)
def test_tables_are_built_from_the_shared_specs(synth: Synth, spec: names.TableSpec) -> None:
    table = synth.resources[table_id(synth, spec)]
    props = table["Properties"]

    assert props["KeySchema"] == [
        {"AttributeName": spec.partition_key, "KeyType": "HASH"},
        {"AttributeName": spec.sort_key, "KeyType": "RANGE"},
    ]
    indexes = {index["IndexName"]: index for index in props.get("GlobalSecondaryIndexes", [])}
    assert set(indexes) == {index.name for index in spec.indexes}
    for index in spec.indexes:
        assert indexes[index.name]["KeySchema"] == [
            {"AttributeName": index.partition_key, "KeyType": "HASH"},
            {"AttributeName": index.sort_key, "KeyType": "RANGE"},
        ]
        assert indexes[index.name]["Projection"] == {"ProjectionType": "ALL"}
    assert len(props.get("GlobalSecondaryIndexes", [])) == len(spec.indexes)
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    if spec.stream:
        assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    else:
        assert "StreamSpecification" not in props
    if spec.ttl_attribute:
        assert props["TimeToLiveSpecification"] == {"AttributeName": spec.ttl_attribute, "Enabled": True}
    else:
        assert "TimeToLiveSpecification" not in props


def test_the_work_orders_table_has_the_inbox_status_requester_pending_run_and_overdue_indexes(
    synth: Synth,
) -> None:
    """Whistles live in the work-orders table too: no table of their own, four GSIs in all."""
    assert [spec.construct_id for spec in names.TABLES] == ["WorkOrders", "Reference", "Insights", "Messages"]
    props = synth.resources[table_id(synth, names.WORK_ORDERS_TABLE)]["Properties"]
    indexes = {
        index["IndexName"]: (
            [key["AttributeName"] for key in index["KeySchema"]],
            index["Projection"]["ProjectionType"],
        )
        for index in props["GlobalSecondaryIndexes"]
    }
    assert indexes == {
        "inbox": (["gsi1pk", "gsi1sk"], "ALL"),
        "by_status": (["gsi2pk", "gsi2sk"], "ALL"),
        "by_requester": (["gsi3pk", "gsi3sk"], "ALL"),
        "workflow_pending": (["gsi4pk", "gsi4sk"], "ALL"),
        "overdue": (["gsi5pk", "gsi5sk"], "ALL"),
    }
    attributes = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
    keys = (
        "pk",
        "sk",
        "gsi1pk",
        "gsi1sk",
        "gsi2pk",
        "gsi2sk",
        "gsi3pk",
        "gsi3sk",
        "gsi4pk",
        "gsi4sk",
        "gsi5pk",
        "gsi5sk",
    )
    assert attributes == dict.fromkeys(keys, "S")


# --- functions ----------------------------------------------------------------------------------


def test_every_function_runs_python311_with_the_dependencies_layer(synth: Synth) -> None:
    layer = logical_id_of(synth, "AWS::Lambda::LayerVersion", "Dependencies")
    assert synth.resources[layer]["Properties"]["CompatibleRuntimes"] == ["python3.11"]
    assert synth.resources[layer]["Properties"]["CompatibleArchitectures"] == ["x86_64"]

    found = functions(synth)
    expected = {function_id(name) for name in (*names.TASK_FUNCTIONS, names.FN_SEED_REFERENCE)}
    expected |= {function_id(name) for name in names.STREAM_CONSUMERS} | {function_id(names.API_HANDLER)}
    expected |= {function_id(names.STAFF_AUTHORIZER)}
    expected |= {function_id(name) for name in names.ANALYTICS_FUNCTIONS}
    expected |= {function_id(names.FN_RECONCILE_WORKFLOWS)}
    audiences = {logical_id_of(synth, SAM_FUNCTION, f"Audiences{name}") for name in names.API_AUDIENCES}
    assert set(found) == expected | audiences
    reconciler_role = logical_id_of(synth, "AWS::IAM::Role", "ReconcilerRole")
    for fid, fn in found.items():
        assert fn["Properties"]["Runtime"] == "python3.11", fid
        assert fn["Properties"]["Layers"] == [{"Ref": layer}], fid
        if fid == function_id(names.STAFF_AUTHORIZER) or fid in audiences:  # a role of its own
            assert fn["Properties"]["Role"] != {"Fn::GetAtt": [DEFAULT_ROLE, "Arn"]}, fid
        else:
            role = reconciler_role if fid == function_id(names.FN_RECONCILE_WORKFLOWS) else DEFAULT_ROLE
            assert fn["Properties"]["Role"] == {"Fn::GetAtt": [role, "Arn"]}, fid
        assert fn["Properties"]["Tracing"] == "Active", fid


def test_functions_are_configured_through_the_shared_env_names(synth: Synth) -> None:
    work_orders = table_id(synth, names.WORK_ORDERS_TABLE)
    reference = table_id(synth, names.REFERENCE_TABLE)
    topic = logical_id_of(synth, "AWS::SNS::Topic", "DataUnitNotifications")
    pool = logical_id_of(synth, "AWS::Cognito::UserPool", "AuthUserPool")
    client = logical_id_of(synth, "AWS::Cognito::UserPoolClient", "AuthUserPoolStaffPortal")
    machines = {spec.name: machine(synth, spec)[0] for spec in ALL_MACHINES}
    issuer = {"Fn::Join": ["", [f"https://cognito-idp.{REGION}.amazonaws.com/", {"Ref": pool}]]}

    for fid, fn in functions(synth).items():
        env = fn["Properties"]["Environment"]["Variables"]
        assert env[names.ENV_WORK_ORDERS_TABLE] == {"Ref": work_orders}, fid
        assert env[names.ENV_WORK_ORDERS_STREAM_ARN] == {"Fn::GetAtt": [work_orders, "StreamArn"]}, fid
        assert env[names.ENV_REFERENCE_TABLE] == {"Ref": reference}, fid
        assert env[names.ENV_INSIGHTS_TABLE] == {"Ref": table_id(synth, names.INSIGHTS_TABLE)}, fid
        assert env[names.ENV_UNIT_TOPIC_ARN] == {"Ref": topic}, fid
        assert env[names.ENV_ATTACHMENTS_BUCKET] == {"Ref": attachments_id(synth)}, fid
        assert env[names.ENV_REQUESTER_SMS] == "true", fid
        assert env[names.ENV_USER_POOL_ID] == {"Ref": pool}, fid
        assert env[names.ENV_USER_POOL_CLIENT_ID] == {"Ref": client}, fid
        assert env[names.ENV_COGNITO_ISSUER] == issuer, fid
        jwks = env[names.ENV_JWKS_URL]["Fn::Join"][1]
        assert jwks == [*issuer["Fn::Join"][1], "/.well-known/jwks.json"], fid
        assert env[names.ENV_STAGE], fid
        assert env["POWERTOOLS_SERVICE_NAME"] == names.APP_NAME, fid
        assert env[names.ENV_PYDANTIC_PLUGINS] == names.NO_PYDANTIC_PLUGINS, fid
        # Each machine's formatted ARN, never a reference to a machine (that is the cycle).
        for spec in ALL_MACHINES:
            arn = env[spec.arn_env]
            assert arn == arn_of(synth, spec), (fid, spec.name)
            assert not any(rid in json.dumps(arn) for rid in machines.values()), (fid, spec.name)
        assert env[names.ENV_WHISTLE_STATE_MACHINE_ARN] == arn_of(synth, names.WHISTLE_MACHINE_SPEC), fid
        # Local-only settings stay local.
        assert names.ENV_COGNITO_ENDPOINT not in env and names.ENV_TIME_SCALE not in env, fid


def test_there_is_one_machine_per_spec(synth: Synth) -> None:
    deployed = {res["Properties"]["StateMachineName"] for res in synth.of_type(STATE_MACHINE).values()}
    stack = synth.stack.stack_name
    assert deployed == {f"{stack}-{spec.name}" for spec in ALL_MACHINES}
    assert deployed == {
        f"{stack}-work-order",
        f"{stack}-whistle",
        f"{stack}-analytics-monthly",
        f"{stack}-analytics-daily",
    }


@pytest.mark.parametrize("spec", ALL_MACHINES, ids=ALL_MACHINE_IDS)
def test_the_formatted_machine_arn_names_the_deployed_machine(synth: Synth, spec: names.MachineSpec) -> None:
    name = f"{synth.stack.stack_name}-{spec.name}"
    assert synth.resolve(machine_name(synth.stack, spec)) == name
    _, resource = machine(synth, spec)
    assert resource["Properties"]["StateMachineName"] == name
    assert arn_of(synth, spec) == f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"


@pytest.mark.parametrize("function", names.STREAM_CONSUMERS)
def test_the_stream_consumers_read_the_work_order_stream_once_they_may(synth: Synth, function: str) -> None:
    work_orders = table_id(synth, names.WORK_ORDERS_TABLE)
    consumer = functions(synth)[function_id(function)]

    (event,) = consumer["Properties"]["Events"].values()
    assert event["Type"] == "DynamoDB"
    assert event["Properties"]["Stream"] == {"Fn::GetAtt": [work_orders, "StreamArn"]}
    # The event source mapping is created with the function: the stream grant must exist first.
    granted = [
        statement
        for policy_id in consumer["DependsOn"]
        for statement in synth.resources[policy_id]["Properties"]["PolicyDocument"]["Statement"]
    ]
    stream_statements = [s for s in granted if s["Resource"] == {"Fn::GetAtt": [work_orders, "StreamArn"]}]
    actions = {a for s in stream_statements for a in as_list(s["Action"])}
    assert {"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream"} <= actions


# --- workflows ----------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", names.MACHINES, ids=MACHINE_IDS)
def test_each_machine_substitutes_every_asl_placeholder(synth: Synth, spec: names.MachineSpec) -> None:
    asl_text = (STATEMACHINES / spec.asl).read_text(encoding="utf-8")
    _, resource = machine(synth, spec)
    props = resource["Properties"]

    in_asl = set(ASL_PLACEHOLDER.findall(asl_text))
    substitutions = props["DefinitionSubstitutions"]
    assert in_asl, f"{spec.asl} names no task function"
    assert set(substitutions) == in_asl == set(spec.placeholders)
    for placeholder, fn in spec.placeholders.items():
        assert substitutions[placeholder] == {"Fn::GetAtt": [function_id(fn), "Arn"]}

    definition = props["DefinitionString"]
    assert isinstance(definition, str), "the ASL must be inline (DefinitionBody.from_string)"
    assert json.loads(definition) == json.loads(asl_text)
    left_over = set(ASL_PLACEHOLDER.findall(definition)) - set(substitutions)
    assert not left_over
    assert props["StateMachineType"] == "STANDARD"
    assert props["TracingConfiguration"] == {"Enabled": True}
    assert props["LoggingConfiguration"]["Level"] == "ERROR"
    assert props["LoggingConfiguration"]["IncludeExecutionData"] is False


def test_the_whistle_machine_runs_check_whistle(synth: Synth) -> None:
    _, resource = machine(synth, names.WHISTLE_MACHINE_SPEC)
    check = {"Fn::GetAtt": [function_id(names.FN_CHECK_WHISTLE), "Arn"]}
    assert resource["Properties"]["DefinitionSubstitutions"] == {"CheckWhistleFunctionArn": check}


def test_every_task_function_belongs_to_one_machine() -> None:
    used = [fn for spec in names.MACHINES for fn in set(spec.placeholders.values())]
    assert sorted(used) == sorted(names.TASK_FUNCTIONS)


@pytest.mark.parametrize("spec", ALL_MACHINES, ids=ALL_MACHINE_IDS)
def test_each_machine_may_invoke_exactly_its_task_functions(synth: Synth, spec: names.MachineSpec) -> None:
    machine_id, resource = machine(synth, spec)
    role_id = resource["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    others = {
        res["Properties"]["RoleArn"]["Fn::GetAtt"][0]
        for rid, res in synth.of_type(STATE_MACHINE).items()
        if rid != machine_id
    }
    assert role_id not in others, "each machine has a role of its own"

    invoked = set()
    for statement in statements_of_role(synth, role_id):
        if "lambda:InvokeFunction" in as_list(statement["Action"]):
            for resource_arn in as_list(statement["Resource"]):
                invoked.add(json.dumps(resource_arn, sort_keys=True))
    expected = set()
    for fn in set(spec.placeholders.values()):
        arn = {"Fn::GetAtt": [function_id(fn), "Arn"]}
        expected.add(json.dumps(arn, sort_keys=True))
        expected.add(json.dumps({"Fn::Join": ["", [arn, ":*"]]}, sort_keys=True))
    assert invoked == expected


@pytest.mark.parametrize("spec", ALL_MACHINES, ids=ALL_MACHINE_IDS)
def test_each_machine_logs_errors_to_its_own_log_group(synth: Synth, spec: names.MachineSpec) -> None:
    _, resource = machine(synth, spec)
    (destination,) = resource["Properties"]["LoggingConfiguration"]["Destinations"]
    group_id, attribute = destination["CloudWatchLogsLogGroup"]["LogGroupArn"]["Fn::GetAtt"]
    assert attribute == "Arn"
    group = synth.resources[group_id]["Properties"]
    assert group["LogGroupName"] == f"/aws/vendedlogs/states/{synth.stack.stack_name}-{spec.name}"
    assert group["RetentionInDays"] == 90
    if spec == names.WORK_ORDER_MACHINE_SPEC:
        # The logical id it had as the only machine: a new one would make CloudFormation create
        # a second group of the same name before deleting the first, and the update would fail.
        assert group_id.startswith("WorkflowsLogs"), group_id


# --- least privilege ----------------------------------------------------------------------------


def test_no_statement_grants_everything_or_data_and_workflows_on_star(synth: Synth) -> None:
    for rid, statement in statements(synth):
        actions = as_list(statement.get("Action", []))
        assert "*" not in actions, rid
        assert not any(action.endswith(":*") for action in actions), rid
        if "*" in as_list(statement.get("Resource", [])):
            unexpected = {
                a
                for a in actions
                if a not in STAR_ONLY_ACTIONS | CDK_STAR_ACTIONS and not a.startswith(STAR_ONLY_PREFIXES)
            }
            assert not unexpected, (rid, unexpected)
            assert not WRITES_TO_LOG_GROUPS & set(actions), rid


def test_the_functions_role_only_writes_its_own_logs_inline(synth: Synth) -> None:
    role = synth.resources[DEFAULT_ROLE]["Properties"]
    (policy,) = role["Policies"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert set(statement["Action"]) == {"logs:CreateLogStream", "logs:PutLogEvents"}

    groups = set(synth.of_type("AWS::Logs::LogGroup"))
    targets = {resource["Fn::GetAtt"][0] for resource in statement["Resource"]}
    assert targets <= groups
    # All but the authorizer's and the API audiences' (each has a role of its own).
    own_roles = {function_id(names.STAFF_AUTHORIZER)} | {
        logical_id_of(synth, SAM_FUNCTION, f"Audiences{name}") for name in names.API_AUDIENCES
    }
    assert len(targets) == len(functions(synth)) - len(own_roles)
    for fid, fn in functions(synth).items():
        if fid not in own_roles:
            assert fn["Properties"]["LoggingConfig"]["LogGroup"]["Ref"] in targets, fid


def test_the_functions_may_start_every_machine_and_wake_only_the_work_order_machine(synth: Synth) -> None:
    work_order = arn_of(synth, names.WORK_ORDER_MACHINE_SPEC)
    whistle = arn_of(synth, names.WHISTLE_MACHINE_SPEC)
    assert work_order != whistle
    every = [arn_of(synth, spec) for spec in ALL_MACHINES]
    assert len(as_keys(every)) == len(set(as_keys(every))) == 4
    granted: dict[str, list[Any]] = {}
    for statement in statements_of_role(synth, DEFAULT_ROLE):
        for action in as_list(statement["Action"]):
            if action.startswith("states:"):
                granted.setdefault(action, []).extend(as_list(statement["Resource"]))
    assert set(granted) == {
        "states:StartExecution",
        "states:SendTaskSuccess",
        "states:SendTaskFailure",
        "states:SendTaskHeartbeat",
    }
    assert as_keys(granted["states:StartExecution"]) == as_keys(every)
    for action in ("states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"):
        assert granted[action] == [work_order], action


def test_the_functions_manage_staff_accounts_on_the_staff_pool_only(synth: Synth) -> None:
    from infra.aws.api import STAFF_ADMIN_ACTIONS

    (pool,) = synth.of_type("AWS::Cognito::UserPool")
    granted = [
        statement
        for statement in statements_of_role(synth, DEFAULT_ROLE)
        if any(a.startswith("cognito-idp:") for a in as_list(statement["Action"]))
    ]
    assert len(granted) == 1
    assert set(as_list(granted[0]["Action"])) == set(STAFF_ADMIN_ACTIONS)
    assert as_list(granted[0]["Resource"]) == [{"Fn::GetAtt": [pool, "Arn"]}]
    assert not any("Delete" in a and "Attributes" not in a for a in STAFF_ADMIN_ACTIONS)


def test_the_authorizer_may_only_read_revocation_records_and_write_its_own_logs(synth: Synth) -> None:
    authorizer = functions(synth)[function_id(names.STAFF_AUTHORIZER)]
    role_id = authorizer["Properties"]["Role"]["Fn::GetAtt"][0]
    assert role_id != DEFAULT_ROLE
    assert "Policies" not in synth.resources[role_id]["Properties"]
    granted = {tuple(sorted(as_list(st["Action"]))): st for st in statements_of_role(synth, role_id)}

    assert set(granted) == {
        ("dynamodb:GetItem",),
        ("logs:CreateLogStream", "logs:PutLogEvents"),
        ("xray:PutTelemetryRecords", "xray:PutTraceSegments"),
    }
    read = granted[("dynamodb:GetItem",)]
    assert as_list(read["Resource"]) == [{"Fn::GetAtt": [table_id(synth, names.REFERENCE_TABLE), "Arn"]}]
    assert read["Condition"] == {
        "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [names.REVOCATION_PARTITION]}
    }
    logs = granted[("logs:CreateLogStream", "logs:PutLogEvents")]
    (group,) = as_list(logs["Resource"])
    assert authorizer["Properties"]["LoggingConfig"]["LogGroup"] == {"Ref": group["Fn::GetAtt"][0]}


# --- API ----------------------------------------------------------------------------------------


def test_gateway_errors_answer_in_the_api_error_shape(synth: Synth) -> None:
    api = synth.resources["RestAPI"]["Properties"]
    assert api["StageName"] == API_GATEWAY_STAGE
    responses = api["DefinitionBody"]["x-amazon-apigateway-gateway-responses"]
    assert set(responses) == {
        "UNAUTHORIZED",
        "ACCESS_DENIED",
        "MISSING_AUTHENTICATION_TOKEN",
        "THROTTLED",
        "REQUEST_TOO_LARGE",
        "UNSUPPORTED_MEDIA_TYPE",
        "DEFAULT_4XX",
        "DEFAULT_5XX",
    }
    statuses = {kind: response.get("statusCode") for kind, response in responses.items()}
    assert statuses == {
        "UNAUTHORIZED": "401",
        "ACCESS_DENIED": "403",
        "MISSING_AUTHENTICATION_TOKEN": "404",
        "THROTTLED": "429",
        "REQUEST_TOO_LARGE": "413",
        "UNSUPPORTED_MEDIA_TYPE": "415",
        "DEFAULT_4XX": None,
        "DEFAULT_5XX": None,
    }
    for kind, response in responses.items():
        body = json.loads(response["responseTemplates"]["application/json"])
        assert body == {
            "error": {
                "code": GATEWAY_ERRORS[kind].code,
                "message": GATEWAY_ERRORS[kind].message,
                "details": [],
            }
        }
        assert re.fullmatch(r"[a-z_]+", body["error"]["code"])
        headers = response["responseParameters"]
        assert headers["gatewayresponse.header.Cache-Control"] == f"'{names.NO_STORE}'"
        assert headers["gatewayresponse.header.X-Content-Type-Options"] == "'nosniff'"


# --- auth ---------------------------------------------------------------------------------------


def test_staff_groups_are_the_roles_and_the_unit_is_a_custom_attribute(synth: Synth) -> None:
    groups = {g["Properties"]["GroupName"] for g in synth.of_type("AWS::Cognito::UserPoolGroup").values()}
    assert groups == set(names.STAFF_ROLES)
    assert "reviewer" in groups  # 办结审核: the hotline's reviewers pass or return units' replies

    (pool,) = synth.of_type("AWS::Cognito::UserPool").values()
    props = pool["Properties"]
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    custom = [a for a in props["Schema"] if a["Name"] == names.UNIT_ATTRIBUTE]
    assert custom and custom[0]["AttributeDataType"] == "String"
    assert pool["DeletionPolicy"] == "Retain"

    (client,) = synth.of_type("AWS::Cognito::UserPoolClient").values()
    flows = set(client["Properties"]["ExplicitAuthFlows"])
    assert {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"} <= flows
    # A staff member must not be able to move themselves to another unit.
    assert f"custom:{names.UNIT_ATTRIBUTE}" not in client["Properties"]["WriteAttributes"]


# --- seed and monitoring ------------------------------------------------------------------------


def test_reference_data_is_seeded_again_when_it_changes(synth: Synth) -> None:
    (seed,) = synth.of_type("Custom::ReferenceData").values()
    assert seed["Properties"]["DataHash"] == reference_data_hash()
    # Only once the seed function may write the reference table.
    assert set(policies_of_role(synth, DEFAULT_ROLE)) <= set(seed["DependsOn"])

    framework = seed["Properties"]["ServiceToken"]["Fn::GetAtt"][0]
    framework_role = synth.resources[framework]["Properties"]["Role"]["Fn::GetAtt"][0]
    invoked = {
        json.dumps(resource, sort_keys=True)
        for statement in statements_of_role(synth, framework_role)
        if "lambda:InvokeFunction" in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    }
    seed_arn = {"Fn::GetAtt": [function_id(names.FN_SEED_REFERENCE), "Arn"]}
    assert invoked == {
        json.dumps(seed_arn, sort_keys=True),
        json.dumps({"Fn::Join": ["", [seed_arn, ":*"]]}, sort_keys=True),
    }


def test_alarms_watch_failed_workflows_and_api_errors(synth: Synth) -> None:
    every = list(synth.of_type("AWS::CloudWatch::Alarm").values())
    alarms = {a["Properties"]["MetricName"]: a["Properties"] for a in every}
    assert sorted(a["Properties"]["MetricName"] for a in every) == [
        "5XXError",
        *["ApproximateNumberOfMessagesVisible"] * 2,
        *["ExecutionsFailed"] * 4,
    ]
    api = synth.resources["RestAPI"]["Properties"]
    assert api["Name"] == api["DefinitionBody"]["info"]["title"]
    dimensions = {d["Name"]: d["Value"] for d in alarms["5XXError"]["Dimensions"]}
    assert dimensions == {"ApiName": api["Name"], "Stage": API_GATEWAY_STAGE}
    watched = {
        json.dumps(a["Properties"]["Dimensions"], sort_keys=True)
        for a in every
        if a["Properties"]["MetricName"] == "ExecutionsFailed"
    }
    assert watched == {
        json.dumps([{"Name": "StateMachineArn", "Value": {"Ref": machine(synth, spec)[0]}}], sort_keys=True)
        for spec in ALL_MACHINES
    }
    topic = logical_id_of(synth, "AWS::SNS::Topic", "MonitoringAlarms")
    for alarm in every:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic}]


def test_the_stack_outputs_every_machine_arn(synth: Synth) -> None:
    outputs = synth.json["Outputs"]
    for spec in ALL_MACHINES:
        machine_id, _ = machine(synth, spec)
        assert outputs[f"{spec.construct_id}StateMachineArn"]["Value"] == {"Ref": machine_id}, spec.name
    assert {
        "WorkOrderStateMachineArn",
        "WhistleStateMachineArn",
        "AnalyticsMonthlyStateMachineArn",
        "AnalyticsDailyStateMachineArn",
    } <= set(outputs)


# --- the template as a whole --------------------------------------------------------------------


def test_cfn_lint_finds_no_errors(synth: Synth, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # cfn-lint reads .cfnlintrc.yaml from the working directory, and the project's names cdk.out.
    monkeypatch.chdir(tmp_path)
    config = ManualArgs(regions=[REGION], ignore_checks=["W3005"])
    matches = lint(json.dumps(synth.json), config=config)
    errors = [str(match) for match in matches if match.rule.id.startswith("E")]
    assert not errors, "\n".join(errors)


def test_cdk_json_runs_this_app(synth: Synth) -> None:
    config = json.loads((ROOT / "cdk.json").read_text())
    assert config["app"] == ".venv/bin/python -m infra.aws.main"
    assert config["cli-telemetry"] is False


def test_cdk_nag_findings_are_acknowledged_one_by_one_with_a_reason(synth: Synth) -> None:
    """cdk-nag runs on every synth (main.build) and fails it on a finding nobody acknowledged."""
    import aws_cdk as cdk

    acknowledged = {}
    for construct in synth.stack.node.find_all():
        for entry in construct.node.metadata:
            if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                acknowledged.update(
                    {(construct.node.path, rule): reason for rule, reason in entry.data.items()}
                )
    assert acknowledged
    for (path, rule), reason in acknowledged.items():
        assert path != synth.stack.node.path, f"{rule} is acknowledged for the whole stack"
        # cdk-nag's findings, and the one SAM reference CDK's own check cannot resolve.
        assert rule.startswith("AwsSolutions::AwsSolutions-") or (
            rule == "CloudFormation-Validate::F1020" and path.endswith("/Throttling/OnStage")
        ), rule
        assert len(reason) > 40, (rule, reason)


def test_the_template_has_no_dependency_cycle(synth: Synth) -> None:
    """The state-machine ARN reaches the functions as a formatted ARN, so nothing loops back."""
    from aws_cdk.assertions import Template

    Template.from_stack(synth.stack, skip_cyclical_dependencies_check=False)


# --- attachments and throttling ------------------------------------------------------------------


def test_attachments_are_private_encrypted_logged_and_unattached_uploads_expire(synth: Synth) -> None:
    bucket = synth.resources[attachments_id(synth)]["Properties"]

    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}
    assert "DestinationBucketName" in bucket["LoggingConfiguration"]
    (expiry,) = [r for r in bucket["LifecycleConfiguration"]["Rules"] if r.get("ExpirationInDays")]
    assert (expiry["Prefix"], expiry["ExpirationInDays"]) == (
        names.UPLOAD_PREFIX,
        names.UNATTACHED_UPLOAD_DAYS,
    )
    # Browsers post uploads straight to the bucket and nothing else.
    (cors,) = bucket["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedMethods"] == ["POST"]
    assert synth.resources[attachments_id(synth)]["DeletionPolicy"] == "Retain"


def test_staff_exports_have_a_private_bucket_that_forgets_them_after_a_day(synth: Synth) -> None:
    exports = logical_id_of(synth, "AWS::S3::Bucket", "DataExports")
    bucket = synth.resources[exports]["Properties"]

    assert all(bucket["PublicAccessBlockConfiguration"].values())
    assert "DestinationBucketName" in bucket["LoggingConfiguration"]
    (expiry,) = [r for r in bucket["LifecycleConfiguration"]["Rules"] if r.get("ExpirationInDays")]
    assert expiry["ExpirationInDays"] == names.EXPORT_DAYS
    # The portal only downloads from it, through links the API signs.
    (cors,) = bucket["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedMethods"] == ["GET"] and "Content-Length" in cors["ExposedHeaders"]
    granted = {
        (action, json.dumps(resource, sort_keys=True))
        for st in statements_of_role(synth, DEFAULT_ROLE)
        for action in as_list(st["Action"])
        for resource in as_list(st["Resource"])
        if f'"{exports}"' in json.dumps(resource)
    }
    objects = json.dumps(
        {"Fn::Join": ["", [{"Fn::GetAtt": [exports, "Arn"]}, f"/{names.EXPORT_PREFIX}*"]]}, sort_keys=True
    )
    assert granted == {("s3:PutObject", objects), ("s3:GetObject", objects)}
    for fid, fn in functions(synth).items():
        assert fn["Properties"]["Environment"]["Variables"][names.ENV_EXPORTS_BUCKET] == {"Ref": exports}, fid


def test_the_functions_may_touch_only_the_upload_and_kept_prefixes(synth: Synth) -> None:
    """Of the attachments bucket; the analytics bucket's grants are in test_analytics.py."""
    bucket = attachments_id(synth)
    s3_statements = [
        st
        for st in statements_of_role(synth, DEFAULT_ROLE)
        if any(a.startswith("s3:") for a in as_list(st["Action"]))
    ]

    granted = {
        (action, json.dumps(resource, sort_keys=True))
        for st in s3_statements
        for action in as_list(st["Action"])
        for resource in as_list(st["Resource"])
        if f'"{bucket}"' in json.dumps(resource)
    }
    objects = {
        json.dumps({"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, f"/{prefix}*"]]}, sort_keys=True)
        for prefix in (names.UPLOAD_PREFIX, names.KEPT_PREFIX)
    }
    whole = json.dumps({"Fn::GetAtt": [bucket, "Arn"]}, sort_keys=True)
    assert granted == {(a, o) for a in ("s3:GetObject", "s3:PutObject") for o in objects} | {
        ("s3:ListBucket", whole)
    }


def test_every_throttled_route_has_a_gateway_limit_and_a_per_client_rule(synth: Synth) -> None:
    settings = synth.resources["RestAPI"]["Properties"]["MethodSettings"]
    by_route = {(m["HttpMethod"], m["ResourcePath"]): m for m in settings}
    (acl,) = synth.of_type("AWS::WAFv2::WebACL").values()
    rules = acl["Properties"]["Rules"]
    patterns = {
        rid: res["Properties"]["RegularExpressionList"]
        for rid, res in synth.of_type("AWS::WAFv2::RegexPatternSet").items()
    }

    assert ("*", "/*") in by_route
    for (method, path), throttle in names.THROTTLED_ROUTES.items():
        setting = by_route[(method, resource_path(path))]
        assert setting["ThrottlingBurstLimit"] >= throttle.burst
        matching = [
            r
            for r in rules
            if method in json.dumps(r)
            and any(rid in json.dumps(r) and patterns[rid] == [names.route_pattern(path)] for rid in patterns)
        ]
        assert len(matching) == 1, (method, path)
        (rule,) = matching
        assert rule["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
        assert rule["Action"]["Block"]["CustomResponse"]["ResponseCode"] == 429
    (association,) = synth.of_type("AWS::WAFv2::WebACLAssociation").values()
    assert {"Ref": "RestAPI.Stage"} in association["Properties"]["ResourceArn"]["Fn::Join"][1]


# --- every open order has a running workflow; failures land in dead-letter queues ---------------


def test_the_reconciler_runs_every_five_minutes_on_a_role_that_may_only_bring_up_runs(synth: Synth) -> None:
    from infra.aws.workflows import machine_name

    work_orders = table_id(synth, names.WORK_ORDERS_TABLE)
    fid = function_id(names.FN_RECONCILE_WORKFLOWS)
    role = logical_id_of(synth, "AWS::IAM::Role", "ReconcilerRole")
    assert synth.resources[role]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "lambda.amazonaws.com"
    }
    assert "ManagedPolicyArns" not in synth.resources[role]["Properties"]
    granted: dict[str, list[Any]] = {}
    for statement in statements_of_role(synth, role):
        assert statement["Effect"] == "Allow"
        for action in as_list(statement["Action"]):
            granted.setdefault(action, []).extend(as_list(statement["Resource"]))
    table_arn = {"Fn::GetAtt": [work_orders, "Arn"]}
    assert granted["dynamodb:GetItem"] == granted["dynamodb:UpdateItem"] == [table_arn]
    queried = [synth.resolve(r) for r in granted["dynamodb:Query"]]
    assert sorted(json.dumps(r) for r in queried) == sorted(
        json.dumps({"Fn::Join": ["", [table_arn, f"/index/{index}"]]})
        for index in ("workflow_pending", "by_status")
    )
    work_order = arn_of(synth, names.WORK_ORDER_MACHINE_SPEC)
    assert granted["states:StartExecution"] == granted["states:ListExecutions"] == [work_order]
    (executions,) = granted["states:DescribeExecution"]
    assert granted["states:RedriveExecution"] == [executions]
    assert json.dumps(executions).endswith(
        f':execution:{machine_name(synth.stack, names.WORK_ORDER_MACHINE_SPEC)}:*"]]}}'
    )
    assert set(granted) == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "dynamodb:Query",
        "states:StartExecution",
        "states:ListExecutions",
        "states:DescribeExecution",
        "states:RedriveExecution",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        # A failed pass is recorded in its dead-letter queue (the function's on-failure destination).
        "sqs:SendMessage",
    }
    # The API's role may neither describe nor redrive runs.
    assert not any(
        a in ("states:DescribeExecution", "states:RedriveExecution", "states:ListExecutions")
        for statement in statements_of_role(synth, DEFAULT_ROLE)
        for a in as_list(statement["Action"])
    )

    (schedule,) = [
        s["Properties"]
        for s in synth.of_type("AWS::Scheduler::Schedule").values()
        if s["Properties"]["Target"]["Arn"] == {"Fn::GetAtt": [fid, "Arn"]}
    ]
    assert schedule["ScheduleExpression"] == names.RECONCILE_SCHEDULE == "rate(5 minutes)"
    assert json.loads(schedule["Target"]["Input"]) == {}
    queue = logical_id_of(synth, "AWS::SQS::Queue", "ReconcilerScheduleDeadLetters")
    assert schedule["Target"]["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [queue, "Arn"]}}
    (invoke_config,) = synth.of_type("AWS::Lambda::EventInvokeConfig").values()
    assert invoke_config["Properties"]["FunctionName"] == {"Ref": fid}
    assert invoke_config["Properties"]["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": [queue, "Arn"]}}
    }


@pytest.mark.parametrize("function", names.STREAM_CONSUMERS)
def test_the_stream_consumers_retry_then_send_what_they_failed_on_to_a_dead_letter_queue(
    synth: Synth, function: str
) -> None:
    consumer = functions(synth)[function_id(function)]
    (event,) = consumer["Properties"]["Events"].values()
    queue = logical_id_of(synth, "AWS::SQS::Queue", "StreamFailuresDeadLetters")

    props = event["Properties"]
    assert props["MaximumRetryAttempts"] == names.STREAM_RETRY_ATTEMPTS
    assert props["BisectBatchOnFunctionError"] is True
    assert 0 < props["MaximumRecordAgeInSeconds"] <= 24 * 3600
    assert props["DestinationConfig"] == {
        "OnFailure": {"Type": "SQS", "Destination": {"Fn::GetAtt": [queue, "Arn"]}}
    }
    # The mapping sends with the function's role: the grant exists before the mapping is created.
    sends = [
        statement
        for policy_id in consumer["DependsOn"]
        for statement in synth.resources[policy_id]["Properties"]["PolicyDocument"]["Statement"]
        if "sqs:SendMessage" in as_list(statement["Action"])
    ]
    assert [(s["Action"], s["Resource"]) for s in sends] == [
        ("sqs:SendMessage", {"Fn::GetAtt": [queue, "Arn"]})
    ]


def test_notices_go_out_at_once_and_facts_in_a_minutes_batch(synth: Synth) -> None:
    """One S3 object per minute and shard instead of one per change; a requester's SMS never waits."""
    found = functions(synth)
    (notices,) = found[function_id(names.FN_ON_WORK_ORDER_CHANGE)]["Properties"]["Events"].values()
    (facts,) = found[function_id(names.FN_EXPORT_FACTS)]["Properties"]["Events"].values()
    assert notices["Properties"].get("MaximumBatchingWindowInSeconds", 0) == 0
    assert facts["Properties"]["MaximumBatchingWindowInSeconds"] == names.FACTS_BATCH_WINDOW_SECONDS
    assert facts["Properties"]["BatchSize"] == names.FACTS_BATCH_SIZE


def test_every_dead_letter_queue_is_encrypted_kept_two_weeks_and_alarmed(synth: Synth) -> None:
    queues = synth.of_type("AWS::SQS::Queue")
    alarms = [a["Properties"] for a in synth.of_type("AWS::CloudWatch::Alarm").values()]
    topic = logical_id_of(synth, "AWS::SNS::Topic", "MonitoringAlarms")

    assert len(queues) == 2
    for qid, queue in queues.items():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True, qid
        assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600, qid
        (alarm,) = [
            a
            for a in alarms
            if a["MetricName"] == "ApproximateNumberOfMessagesVisible"
            and a["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [qid, "QueueName"]}}]
        ]
        assert alarm["Threshold"] == 1 and alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold", qid
        assert alarm["AlarmActions"] == [{"Ref": topic}], qid
    policies = synth.of_type("AWS::SQS::QueuePolicy")
    secured = {q["Ref"] for p in policies.values() for q in p["Properties"]["Queues"]}
    assert secured == set(queues)  # TLS only
