"""The analytics side of the synthesized stack (DESIGN.md section 8): the facts bucket, the hash
key, the Glue tables, the Athena workgroup, the analytics machines, their schedules, and what each
role may do with them. The fixture is in conftest.py (one synth per session)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from chalicelib import names
from chalicelib.domain import facts

from infra.aws.analytics import (
    BYTES_SCANNED_CUTOFF,
    database_name,
    query_text,
    tables_read,
    tables_written,
    workgroup_name,
)
from infra.aws.api import DEFAULT_ROLE, function_id
from infra.aws.project import STATEMACHINES

from .conftest import ACCOUNT, REGION, Synth
from .test_stack import (
    ASL_PLACEHOLDER,
    as_list,
    attachments_id,
    functions,
    logical_id_of,
    machine,
    policies_of_role,
    statements,
    statements_of_role,
    table_id,
)

ANALYTICS_IDS = [spec.construct_id for spec in names.ANALYTICS_MACHINES]
TABLE_IDS = [table.name for table in names.ANALYTICS_TABLES]
ATHENA_SYNC = "arn:aws:states:::athena:startQueryExecution.sync"


def bucket_id(synth: Synth) -> str:
    return logical_id_of(synth, "AWS::S3::Bucket", "AnalyticsBucket")


def objects(synth: Synth, prefix: str) -> str:
    """A grant's resource for the objects under `prefix` of the analytics bucket, as a key."""
    arn = {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id(synth), "Arn"]}, f"/{prefix}*"]]}
    return json.dumps(arn, sort_keys=True)


def whole_bucket(synth: Synth) -> str:
    return json.dumps({"Fn::GetAtt": [bucket_id(synth), "Arn"]}, sort_keys=True)


def workgroup_arn(synth: Synth) -> str:
    return f"arn:aws:athena:{REGION}:{ACCOUNT}:workgroup/{synth.stack.stack_name}-analytics"


def glue_arn(resource: str) -> str:
    return f"arn:aws:glue:{REGION}:{ACCOUNT}:{resource}"


def granted(found: list[dict[str, Any]], prefix: str) -> set[tuple[str, str]]:
    """(action, resource) for every action starting with `prefix` in the statements."""
    return {
        (action, resource if isinstance(resource, str) else json.dumps(resource, sort_keys=True))
        for statement in found
        for action in as_list(statement["Action"])
        if action.startswith(prefix)
        for resource in as_list(statement["Resource"])
    }


def machine_role(synth: Synth, spec: names.MachineSpec) -> str:
    _, resource = machine(synth, spec)
    role: str = resource["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    return role


def table_name(props: dict[str, Any]) -> str:
    """A Glue table's name: in its TableInput, or (an Iceberg table, which has none) beside it."""
    name: str = props["TableInput"]["Name"] if "TableInput" in props else props["Name"]
    return name


def glue_table(synth: Synth, table: names.AnalyticsTable) -> dict[str, Any]:
    (found,) = [
        res["Properties"]
        for res in synth.of_type("AWS::Glue::Table").values()
        if table_name(res["Properties"]) == table.name
    ]
    return found


def in_bucket(synth: Synth, path: str) -> dict[str, Any]:
    """s3://<analytics bucket>/<path> as the template writes it."""
    return {"Fn::Join": ["", ["s3://", {"Ref": bucket_id(synth)}, f"/{path}"]]}


def states(definition: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every state of an ASL definition, the branches of Parallel states included."""
    for name, state in definition["States"].items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from states(branch)


def rendered(synth: Synth, spec: names.MachineSpec) -> dict[str, Any]:
    """The machine's definition as CloudFormation will substitute it: string substitutions as they
    are, references (function ARNs, the topic) as a marker naming the placeholder."""
    _, resource = machine(synth, spec)
    props = resource["Properties"]
    text = props["DefinitionString"]
    for placeholder, value in props["DefinitionSubstitutions"].items():
        text = text.replace(
            f"${{{placeholder}}}", value if isinstance(value, str) else f"<ref {placeholder}>"
        )
    assert "${" not in text, f"{spec.name}: a placeholder is left"
    parsed: dict[str, Any] = json.loads(text)
    return parsed


# --- storage and catalogue ------------------------------------------------------------------------


def test_the_analytics_bucket_is_private_encrypted_and_query_results_expire(synth: Synth) -> None:
    bucket = synth.resources[bucket_id(synth)]
    props = bucket["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}
    (expiry,) = [r for r in props["LifecycleConfiguration"]["Rules"] if r.get("ExpirationInDays")]
    assert (expiry["Prefix"], expiry["ExpirationInDays"], expiry["Status"]) == (
        names.QUERY_RESULTS_PREFIX,
        30,
        "Enabled",
    )
    # The facts are the only history of each order's changes: kept with the stack gone.
    assert bucket["DeletionPolicy"] == "Retain"
    (policy,) = [
        res["Properties"]
        for res in synth.of_type("AWS::S3::BucketPolicy").values()
        if res["Properties"]["Bucket"] == {"Ref": bucket_id(synth)}
    ]
    (deny,) = policy["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_hash_key_is_a_generated_secret_kept_with_the_stack_gone(synth: Synth) -> None:
    (secret,) = synth.of_type("AWS::SecretsManager::Secret").values()
    generated = secret["Properties"]["GenerateSecretString"]
    assert generated["PasswordLength"] >= 32
    assert "SecretString" not in secret["Properties"]
    assert secret["DeletionPolicy"] == "Retain"
    assert not synth.of_type("AWS::SecretsManager::RotationSchedule")


def test_the_glue_database_is_named_after_the_stack(synth: Synth) -> None:
    import aws_cdk as cdk

    (database,) = synth.of_type("AWS::Glue::Database").values()
    assert database["Properties"]["DatabaseInput"]["Name"] == "jiesu_analytics"
    assert database["Properties"]["CatalogId"] == ACCOUNT
    assert database_name(synth.stack) == "jiesu_analytics"
    # Glue names are per account and region: another stack gets its own, in Athena's spelling.
    other = cdk.Stack(cdk.App(), "Jiesu-Staging")
    assert database_name(other) == "jiesu_staging_analytics"
    assert workgroup_name(other) == "Jiesu-Staging-analytics"


JSON_TABLES = [table for table in names.ANALYTICS_TABLES if table.format == "json"]


@pytest.mark.parametrize("table", JSON_TABLES, ids=[table.name for table in JSON_TABLES])
def test_each_json_table_has_the_fact_columns_and_a_projected_partition(
    synth: Synth, table: names.AnalyticsTable
) -> None:
    props = glue_table(synth, table)
    (database,) = synth.of_type("AWS::Glue::Database")
    assert props["DatabaseName"] == {"Ref": database}
    assert props["CatalogId"] == ACCOUNT
    table_input = props["TableInput"]
    assert table_input["TableType"] == "EXTERNAL_TABLE"
    storage = table_input["StorageDescriptor"]

    columns = [(column["Name"], column["Type"]) for column in storage["Columns"]]
    assert columns == list(facts.TABLE_COLUMNS[table.name])
    assert table_input["PartitionKeys"] == [{"Name": table.partition, "Type": "string"}]
    assert table.partition not in dict(columns)

    assert storage["Location"] == in_bucket(synth, table.prefix)
    parameters = table_input["Parameters"]
    p = table.partition
    assert parameters["storage.location.template"] == in_bucket(synth, f"{table.prefix}{p}=${{{p}}}/")
    expected = {
        "day": ("yyyy-MM-dd", "2024-01-01,NOW", "DAYS"),
        "month": ("yyyy-MM", "2024-01,NOW", "MONTHS"),
    }[p]
    assert parameters["projection.enabled"] == "true"
    assert parameters[f"projection.{p}.type"] == "date"
    assert (
        parameters[f"projection.{p}.format"],
        parameters[f"projection.{p}.range"],
        parameters[f"projection.{p}.interval.unit"],
    ) == expected
    assert parameters[f"projection.{p}.interval"] == "1"
    assert parameters["classification"] == table.format

    assert storage["SerdeInfo"]["SerializationLibrary"] == "org.openx.data.jsonserde.JsonSerDe"
    assert storage["InputFormat"] == "org.apache.hadoop.mapred.TextInputFormat"
    assert storage["OutputFormat"] == "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
    assert "OpenTableFormatInput" not in props


def test_the_json_tables_are_the_two_change_logs() -> None:
    assert [table.name for table in JSON_TABLES] == ["order_changes", "summons_changes"]
    assert [table.name for table in names.ANALYTICS_TABLES if table.format == "iceberg"] == ["order_facts"]


def test_the_facts_are_an_iceberg_table_with_one_column_per_fact_and_the_month_partition(
    synth: Synth,
) -> None:
    props = glue_table(synth, names.ORDER_FACTS)
    (database,) = synth.of_type("AWS::Glue::Database")
    assert (props["Name"], props["DatabaseName"], props["CatalogId"]) == (
        "order_facts",
        {"Ref": database},
        ACCOUNT,
    )
    # No TableInput: a stack update would send it to UpdateTable and drop metadata_location.
    assert "TableInput" not in props
    iceberg = props["OpenTableFormatInput"]["IcebergInput"]
    assert (iceberg["MetadataOperation"], iceberg["Version"]) == ("CREATE", "2")
    spec = iceberg["IcebergTableInput"]
    assert spec["Location"] == in_bucket(synth, "facts/order_facts")

    fields = spec["Schema"]["Fields"]
    assert spec["Schema"]["Type"] == "struct"
    assert [field["Id"] for field in fields] == list(range(1, len(fields) + 1))
    assert not any(field["Required"] for field in fields)
    hive = {"string": "string", "int": "int", "bigint": "long", "boolean": "boolean"}
    assert [(field["Name"], field["Type"]) for field in fields] == [
        *((name, hive[kind]) for name, kind in facts.TABLE_COLUMNS["order_facts"]),
        ("month", "string"),
    ]
    types = {field["Name"]: field["Type"] for field in fields}
    assert (types["id"], types["version"], types["created_at"], types["overdue"]) == (
        "string",
        "int",
        "long",
        "boolean",
    )

    (partition,) = spec["PartitionSpec"]["Fields"]
    month = next(field["Id"] for field in fields if field["Name"] == "month")
    assert partition == {"Name": "month", "SourceId": month, "Transform": "identity", "FieldId": 1000}
    assert spec["Properties"]["write.format.default"] == "parquet"


def test_there_is_one_glue_table_per_analytics_table(synth: Synth) -> None:
    found = sorted(table_name(res["Properties"]) for res in synth.of_type("AWS::Glue::Table").values())
    assert found == sorted(TABLE_IDS) == ["order_changes", "order_facts", "summons_changes"]


def test_the_workgroup_is_enforced_encrypted_and_capped(synth: Synth) -> None:
    (workgroup,) = synth.of_type("AWS::Athena::WorkGroup").values()
    props = workgroup["Properties"]
    assert props["Name"] == f"{synth.stack.stack_name}-analytics"
    assert props["RecursiveDeleteOption"] is True
    config = props["WorkGroupConfiguration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    assert config["PublishCloudWatchMetricsEnabled"] is True
    assert config["BytesScannedCutoffPerQuery"] == BYTES_SCANNED_CUTOFF == 10 * 1024**3
    assert config["EngineVersion"] == {"SelectedEngineVersion": "Athena engine version 3"}
    results = config["ResultConfiguration"]
    assert results["OutputLocation"] == in_bucket(synth, names.QUERY_RESULTS_PREFIX)
    assert results["EncryptionConfiguration"] == {"EncryptionOption": "SSE_S3"}


# --- the machines -----------------------------------------------------------------------------------


def test_the_sql_decides_which_tables_each_run_reads_and_writes() -> None:
    monthly, daily = names.ANALYTICS_MONTHLY_MACHINE_SPEC, names.ANALYTICS_DAILY_MACHINE_SPEC
    assert [t.name for t in tables_read(monthly)] == ["order_facts", "summons_changes"]
    assert tables_written(monthly) == []
    assert [t.name for t in tables_read(daily)] == ["order_changes", "order_facts"]
    assert [t.name for t in tables_written(daily)] == ["order_facts"]


def test_a_query_may_write_the_iceberg_facts_but_not_a_change_log(monkeypatch: pytest.MonkeyPatch) -> None:
    from infra.aws import analytics

    daily = names.ANALYTICS_DAILY_MACHINE_SPEC
    sql = {
        "compact": "-- INSERT INTO summons_changes is a comment\nSELECT 1 FROM order_changes",
        "prune": "merge into ORDER_FACTS AS f USING x ON true",
        "hotspots": "SELECT 1 FROM order_changes",
    }
    monkeypatch.setattr(analytics, "query_text", sql.__getitem__)
    assert [t.name for t in tables_written(daily)] == ["order_facts"]
    assert [t.name for t in tables_read(daily)] == ["order_changes", "order_facts"]

    sql["hotspots"] = "INSERT INTO order_changes SELECT * FROM order_changes"
    with pytest.raises(ValueError, match="order_changes, which is not an Iceberg table"):
        tables_written(daily)


@pytest.mark.parametrize("spec", names.ANALYTICS_MACHINES, ids=ANALYTICS_IDS)
def test_each_analytics_machine_runs_its_own_sql_in_the_workgroup(
    synth: Synth, spec: names.MachineSpec
) -> None:
    _, resource = machine(synth, spec)
    props = resource["Properties"]
    asl_text = (STATEMACHINES / spec.asl).read_text(encoding="utf-8")
    assert json.loads(props["DefinitionString"]) == json.loads(asl_text)
    assert (
        set(props["DefinitionSubstitutions"])
        == set(ASL_PLACEHOLDER.findall(asl_text))
        == spec.all_placeholders
    )
    for placeholder, fn in spec.placeholders.items():
        assert props["DefinitionSubstitutions"][placeholder] == {"Fn::GetAtt": [function_id(fn), "Arn"]}

    original = dict(states(json.loads(asl_text)))
    definition = dict(states(rendered(synth, spec)))
    queries = {}
    for name, state in definition.items():
        if state.get("Resource") != ATHENA_SYNC:
            continue
        match = ASL_PLACEHOLDER.fullmatch(original[name]["Parameters"]["QueryString"])
        assert match, name
        query = spec.queries[match.group(1)]
        queries[query] = state["Parameters"]["QueryString"]
        assert state["Parameters"]["WorkGroup"] == f"{synth.stack.stack_name}-analytics", name
        assert state["Parameters"]["QueryExecutionContext"] == {"Database": "jiesu_analytics"}, name
        # Parameters are bound by Athena from the plan, never formatted into the SQL; a query with
        # none (the prune, a MERGE: Athena binds none there) is sent without.
        bound = "?" in re.sub(r"--[^\n]*", "", query_text(query))
        assert ("ExecutionParameters.$" in state["Parameters"]) == bound, name
    assert queries == {query: query_text(query) for query in spec.queries.values()}
    assert len(queries) == len(spec.queries) > 0

    if spec == names.ANALYTICS_DAILY_MACHINE_SPEC:
        assert "INSERT INTO order_facts" in queries["compact"]
        assert "MERGE INTO order_facts" in queries["prune"]
    topics = [
        state for state in definition.values() if state.get("Resource") == "arn:aws:states:::sns:publish"
    ]
    if names.PH_NOTIFICATION_TOPIC in spec.resources:
        unit_topic = logical_id_of(synth, "AWS::SNS::Topic", "DataUnitNotifications")
        assert props["DefinitionSubstitutions"][names.PH_NOTIFICATION_TOPIC] == {"Ref": unit_topic}
        assert [state["Parameters"]["TopicArn"] for state in topics] == [
            f"<ref {names.PH_NOTIFICATION_TOPIC}>"
        ]
    else:
        assert not topics


@pytest.mark.parametrize("spec", names.ANALYTICS_MACHINES, ids=ANALYTICS_IDS)
def test_each_analytics_machine_logs_every_state_without_execution_data(
    synth: Synth, spec: names.MachineSpec
) -> None:
    _, resource = machine(synth, spec)
    props = resource["Properties"]
    assert props["StateMachineType"] == "STANDARD"
    assert props["TracingConfiguration"] == {"Enabled": True}
    assert props["LoggingConfiguration"]["Level"] == "ALL"
    assert props["LoggingConfiguration"]["IncludeExecutionData"] is False


def test_athena_is_granted_on_the_analytics_workgroup_only(synth: Synth) -> None:
    athena = [
        (rid, st)
        for rid, st in statements(synth)
        if any(a.startswith("athena:") for a in as_list(st["Action"]))
    ]
    assert athena
    for rid, statement in athena:
        assert as_list(statement["Resource"]) == [workgroup_arn(synth)], rid

    for spec in names.ANALYTICS_MACHINES:
        actions = {a for a, _ in granted(statements_of_role(synth, machine_role(synth, spec)), "athena:")}
        assert actions == {
            "athena:StartQueryExecution",
            "athena:GetQueryExecution",
            "athena:StopQueryExecution",
        }
    # The functions read results; only the machines run queries.
    actions = {a for a, _ in granted(statements_of_role(synth, DEFAULT_ROLE), "athena:")}
    assert actions == {"athena:GetQueryResults", "athena:GetQueryExecution"}


@pytest.mark.parametrize("spec", names.ANALYTICS_MACHINES, ids=ANALYTICS_IDS)
def test_each_analytics_machine_reads_only_its_tables_and_writes_only_where_it_merges(
    synth: Synth, spec: names.MachineSpec
) -> None:
    found = statements_of_role(synth, machine_role(synth, spec))
    reads, writes = tables_read(spec), tables_written(spec)
    results = names.QUERY_RESULTS_PREFIX

    s3 = granted(found, "s3:")
    assert {r for a, r in s3 if a == "s3:GetObject"} == {
        *(objects(synth, t.prefix) for t in reads),
        objects(synth, results),
    }
    written = {objects(synth, t.prefix) for t in writes} | {objects(synth, results)}
    for action in ("s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"):
        assert {r for a, r in s3 if a == action} == written, action
    # Deletes only the files of the Iceberg tables it writes, never query results or change logs.
    assert {r for a, r in s3 if a == "s3:DeleteObject"} == {objects(synth, t.prefix) for t in writes}
    bucket_actions = {a for a, r in s3 if r == whole_bucket(synth)}
    assert bucket_actions == {"s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"}
    assert {a for a, _ in s3} == {
        "s3:GetObject",
        "s3:PutObject",
        "s3:AbortMultipartUpload",
        "s3:ListMultipartUploadParts",
        *(["s3:DeleteObject"] if writes else []),
        *bucket_actions,
    }

    glue = granted(found, "glue:")
    catalog = [glue_arn("catalog"), glue_arn("database/jiesu_analytics")]
    for action in ("glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions"):
        expected = {*catalog, *(glue_arn(f"table/jiesu_analytics/{t.name}") for t in (*reads, *writes))}
        assert {r for a, r in glue if a == action} == expected, action
    # An Iceberg commit updates its table; nothing registers partitions (projection, Iceberg).
    assert {r for a, r in glue if a == "glue:UpdateTable"} == (
        {*catalog, *(glue_arn(f"table/jiesu_analytics/{t.name}") for t in writes)} if writes else set()
    )
    assert {a for a, _ in glue} <= {
        "glue:GetDatabase",
        "glue:GetTable",
        "glue:GetPartition",
        "glue:GetPartitions",
        "glue:UpdateTable",
    }

    publishes = granted(found, "sns:")
    if names.PH_NOTIFICATION_TOPIC in spec.resources:
        unit_topic = logical_id_of(synth, "AWS::SNS::Topic", "DataUnitNotifications")
        assert publishes == {("sns:Publish", json.dumps({"Ref": unit_topic}))}
    else:
        assert not publishes
    assert not granted(found, "secretsmanager:")
    assert not granted(found, "dynamodb:")


def test_only_the_daily_machine_writes_the_iceberg_facts_and_only_there(synth: Synth) -> None:
    facts_objects = objects(synth, "facts/order_facts/")
    facts_table = glue_arn("table/jiesu_analytics/order_facts")
    writes = {"s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"}

    daily = statements_of_role(synth, machine_role(synth, names.ANALYTICS_DAILY_MACHINE_SPEC))
    daily_s3 = granted(daily, "s3:")
    assert {a for a, r in daily_s3 if r == facts_objects} == {"s3:GetObject", *writes}
    # The raw change logs are read, never written or deleted, by the compaction.
    changes = objects(synth, "facts/order_changes/")
    assert {a for a, r in daily_s3 if r == changes} == {"s3:GetObject"}
    assert {r for a, r in daily_s3 if a in ("s3:PutObject", "s3:DeleteObject")} <= {
        facts_objects,
        objects(synth, names.QUERY_RESULTS_PREFIX),
    }
    assert {r for a, r in granted(daily, "glue:") if a == "glue:UpdateTable"} == {
        glue_arn("catalog"),
        glue_arn("database/jiesu_analytics"),
        facts_table,
    }

    monthly = statements_of_role(synth, machine_role(synth, names.ANALYTICS_MONTHLY_MACHINE_SPEC))
    monthly_s3 = granted(monthly, "s3:")
    assert {a for a, r in monthly_s3 if r == facts_objects} == {"s3:GetObject"}
    assert not {a for a, _ in monthly_s3} & {"s3:DeleteObject"}
    assert not {a for a, _ in granted(monthly, "glue:")} - {
        "glue:GetDatabase",
        "glue:GetTable",
        "glue:GetPartition",
        "glue:GetPartitions",
    }


# --- keeping the Iceberg table lean ------------------------------------------------------------------


def optimizers(synth: Synth) -> dict[str, dict[str, Any]]:
    return {
        res["Properties"]["Type"]: {**res["Properties"], "DependsOn": res.get("DependsOn", [])}
        for res in synth.of_type("AWS::Glue::TableOptimizer").values()
    }


def test_glue_compacts_expires_snapshots_and_deletes_orphans_of_the_facts(synth: Synth) -> None:
    found = optimizers(synth)
    assert sorted(found) == ["compaction", "orphan_file_deletion", "retention"]
    (table_id,) = [
        rid
        for rid, res in synth.of_type("AWS::Glue::Table").items()
        if "OpenTableFormatInput" in res["Properties"]
    ]
    roles = set()
    for kind, props in found.items():
        assert (props["CatalogId"], props["DatabaseName"], props["TableName"]) == (
            ACCOUNT,
            "jiesu_analytics",
            "order_facts",
        ), kind
        assert table_id in props["DependsOn"], kind
        configuration = props["TableOptimizerConfiguration"]
        assert configuration["Enabled"] is True, kind
        roles.add(configuration["RoleArn"]["Fn::GetAtt"][0])
    assert len(roles) == 1

    compaction = found["compaction"]["TableOptimizerConfiguration"]["CompactionConfiguration"]
    assert compaction["IcebergConfiguration"] == {
        "Strategy": "binpack",
        "MinInputFiles": 10,
        "DeleteFileThreshold": 1,
    }
    retention = found["retention"]["TableOptimizerConfiguration"]["RetentionConfiguration"]
    assert retention["IcebergConfiguration"] == {
        "SnapshotRetentionPeriodInDays": 7,
        "NumberOfSnapshotsToRetain": 7,
        "CleanExpiredFiles": True,
    }
    orphans = found["orphan_file_deletion"]["TableOptimizerConfiguration"]["OrphanFileDeletionConfiguration"]
    assert orphans["IcebergConfiguration"] == {"OrphanFileRetentionPeriodInDays": 3}


def test_the_optimizers_role_may_touch_the_facts_table_and_its_prefix_only(synth: Synth) -> None:
    (configuration,) = {
        json.dumps(props["TableOptimizerConfiguration"]["RoleArn"]) for props in optimizers(synth).values()
    }
    role_id = json.loads(configuration)["Fn::GetAtt"][0]
    role = synth.resources[role_id]["Properties"]
    trust = role["AssumeRolePolicyDocument"]["Statement"]
    assert {json.dumps(st["Principal"]) for st in trust} == {json.dumps({"Service": "glue.amazonaws.com"})}
    assert "ManagedPolicyArns" not in role

    found = statements_of_role(synth, role_id)
    facts_objects = objects(synth, "facts/order_facts/")
    logs = {
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws-glue/iceberg-{kind}/logs:*"
        for kind in ("compaction", "retention", "orphan-file-deletion")
    }
    assert granted(found, "") == {
        ("s3:GetObject", facts_objects),
        ("s3:PutObject", facts_objects),
        ("s3:DeleteObject", facts_objects),
        ("s3:ListBucket", whole_bucket(synth)),
        *(
            (action, glue_arn(resource))
            for action in ("glue:GetTable", "glue:UpdateTable")
            for resource in ("catalog", "database/jiesu_analytics", "table/jiesu_analytics/order_facts")
        ),
        *(
            (action, group)
            for action in ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
            for group in logs
        ),
    }
    (listing,) = [st for st in found if "s3:ListBucket" in as_list(st["Action"])]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": "facts/order_facts/*"}}


@pytest.mark.parametrize("spec", names.ANALYTICS_MACHINES, ids=ANALYTICS_IDS)
def test_each_schedule_starts_its_machine_in_beijing_time(synth: Synth, spec: names.MachineSpec) -> None:
    machine_id, _ = machine(synth, spec)
    (schedule,) = [
        res["Properties"]
        for res in synth.of_type("AWS::Scheduler::Schedule").values()
        if res["Properties"]["Target"]["Arn"] == {"Ref": machine_id}
    ]
    assert schedule["ScheduleExpression"] == names.ANALYTICS_SCHEDULES[spec.name]
    assert schedule["ScheduleExpressionTimezone"] == names.SCHEDULE_TIMEZONE == "Asia/Shanghai"
    assert schedule["State"] == "ENABLED"
    assert json.loads(schedule["Target"]["Input"]) == {}

    role_id = schedule["Target"]["RoleArn"]["Fn::GetAtt"][0]
    trust = synth.resources[role_id]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert {st["Principal"]["Service"] for st in trust} == {"scheduler.amazonaws.com"}
    assert granted(statements_of_role(synth, role_id), "") == {
        ("states:StartExecution", json.dumps({"Ref": machine_id}))
    }


def test_the_schedules_are_the_shared_ones() -> None:
    assert names.ANALYTICS_SCHEDULES == {
        "analytics-monthly": "cron(0 2 1 * ? *)",
        "analytics-daily": "cron(0 1 * * ? *)",
    }


# --- the functions ----------------------------------------------------------------------------------


def test_the_functions_know_the_analytics_resources(synth: Synth) -> None:
    (secret,) = synth.of_type("AWS::SecretsManager::Secret")
    for fid, fn in functions(synth).items():
        env = fn["Properties"]["Environment"]["Variables"]
        assert env[names.ENV_ANALYTICS_BUCKET] == {"Ref": bucket_id(synth)}, fid
        assert env[names.ENV_ANALYTICS_KEY_SECRET_ARN] == {"Ref": secret}, fid
        assert env[names.ENV_INSIGHTS_TABLE] == {"Ref": table_id(synth, names.INSIGHTS_TABLE)}, fid
    timeouts = {fid: fn["Properties"]["Timeout"] for fid, fn in functions(synth).items()}
    for name in (
        names.FN_STORE_MONTH,
        names.FN_STORE_DAY,
        names.FN_SEED_REFERENCE,
        names.FN_RETRAIN_DISPATCH,
    ):
        assert timeouts.pop(function_id(name)) == 300, name
    assert set(timeouts.values()) == {30}
    memory = {fid: fn["Properties"].get("MemorySize") for fid, fn in functions(synth).items()}
    # Retraining the dispatch model holds features x categories weights: it alone gets 3 GB.
    assert memory.pop(function_id(names.FN_RETRAIN_DISPATCH)) == 3008
    assert set(memory.values()) == {512}


def test_the_functions_put_facts_and_dispatch_models_under_their_prefixes_only(synth: Synth) -> None:
    found = statements_of_role(synth, DEFAULT_ROLE)
    s3 = granted(found, "s3:")
    analytics = {(a, r) for a, r in s3 if f'"{bucket_id(synth)}"' in r}
    assert analytics == {
        ("s3:PutObject", objects(synth, names.ORDER_CHANGES.prefix)),
        ("s3:PutObject", objects(synth, names.SUMMONS_CHANGES.prefix)),
        ("s3:GetObject", objects(synth, names.QUERY_RESULTS_PREFIX)),
        ("s3:GetObject", objects(synth, names.DISPATCH_MODELS_PREFIX)),
        ("s3:PutObject", objects(synth, names.DISPATCH_MODELS_PREFIX)),
        ("s3:ListBucket", whole_bucket(synth)),
        ("s3:GetBucketLocation", whole_bucket(synth)),
    }
    assert (names.ORDER_CHANGES.prefix, names.SUMMONS_CHANGES.prefix) == (
        "facts/order_changes/",
        "facts/summons_changes/",
    )
    # Every S3 grant of the functions is on one of the three buckets (exports: test_stack.py).
    attachments = attachments_id(synth)
    exports = next(k for k, v in synth.resources.items() if v["Type"] == "AWS::S3::Bucket" and "Exports" in k)
    assert all(any(f'"{b}"' in r for b in (bucket_id(synth), attachments, exports)) for _, r in s3)


def test_only_the_functions_may_read_the_hash_key_and_only_its_value(synth: Synth) -> None:
    (secret,) = synth.of_type("AWS::SecretsManager::Secret")
    found = [
        (rid, st)
        for rid, st in statements(synth)
        if any("secretsmanager" in a for a in as_list(st["Action"]))
    ]
    (only,) = found
    rid, statement = only
    assert rid in policies_of_role(synth, DEFAULT_ROLE)
    assert statement["Effect"] == "Allow"
    assert as_list(statement["Action"]) == ["secretsmanager:GetSecretValue"]
    assert as_list(statement["Resource"]) == [{"Ref": secret}]


def test_the_functions_read_and_write_the_insights_table(synth: Synth) -> None:
    insights = json.dumps({"Fn::GetAtt": [table_id(synth, names.INSIGHTS_TABLE), "Arn"]}, sort_keys=True)
    actions = {a for a, r in granted(statements_of_role(synth, DEFAULT_ROLE), "dynamodb:") if r == insights}
    assert {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"} <= actions


def test_the_functions_may_start_the_analytics_runs(synth: Synth) -> None:
    started = [
        r
        for a, r in granted(statements_of_role(synth, DEFAULT_ROLE), "states:")
        if a == "states:StartExecution"
    ]
    for spec in names.ANALYTICS_MACHINES:
        arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{synth.stack.stack_name}-{spec.name}"
        assert arn in started, spec.name


def test_the_stack_outputs_the_analytics_resources(synth: Synth) -> None:
    outputs = synth.json["Outputs"]
    assert outputs["AnalyticsBucketName"]["Value"] == {"Ref": bucket_id(synth)}
    (workgroup,) = synth.of_type("AWS::Athena::WorkGroup")
    (database,) = synth.of_type("AWS::Glue::Database")
    assert outputs["AnalyticsWorkGroup"]["Value"] == {"Ref": workgroup}
    assert outputs["AnalyticsDatabase"]["Value"] == {"Ref": database}
