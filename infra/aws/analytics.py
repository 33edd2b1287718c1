"""Analytics (DESIGN.md section 8): the bucket of de-identified facts, the key of their hashes, the
Glue catalogue that describes them, the Athena workgroup that queries them, what the analytics
machines may do there, and the schedules that start those machines. The Iceberg facts table and
the optimizers that keep it lean are in iceberg.py.

The machines themselves are built with the others in workflows.py (same logging, tracing and task
grants); this module adds what only analytics runs need: their queries and resources as ASL
substitutions, and their Athena, Glue, S3 and SNS permissions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack, TimeZone
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from .iceberg import TableMaintenance, iceberg_table
from .nag import acknowledge, logical_id
from .project import QUERIES, facts, names

QUERY_RESULTS_DAYS = 30
# A query that would read more than this is cancelled by Athena. The monthly queries read one
# month of the Iceberg facts and the daily compaction one day of raw JSON, each well under a
# gigabyte for a city's hotline; 10 GB leaves room for growth and for a wider "run now", while a
# query that lost its partition filter stops at about US$0.05 instead of scanning years of facts.
BYTES_SCANNED_CUTOFF = 10 * 1024**3
ENGINE_VERSION = "Athena engine version 3"

JSON_FORMAT = {
    "serde": "org.openx.data.jsonserde.JsonSerDe",
    "input": "org.apache.hadoop.mapred.TextInputFormat",
    "output": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
}
FORMATS = {"json": JSON_FORMAT}
# Partition projection of the json tables by partition column: Athena computes the partitions from
# these, so no crawler or MSCK REPAIR ever has to register a new day or month. (An Iceberg table
# lists its own partitions in its metadata.)
PROJECTIONS = {
    "day": {"format": "yyyy-MM-dd", "range": "2024-01-01,NOW", "unit": "DAYS"},
    "month": {"format": "yyyy-MM", "range": "2024-01,NOW", "unit": "MONTHS"},
}

_SQL_COMMENT = re.compile(r"--[^\n]*")
# A MERGE reads the rows of its target it matches, so its target is read as well as written.
_READ = re.compile(r"\b(?:FROM|JOIN|MERGE\s+INTO)\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_WRITE = re.compile(r"\b(?:INSERT|MERGE)\s+INTO\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_TABLES = {table.name: table for table in names.ANALYTICS_TABLES}


def database_name(stack: Stack) -> str:
    """Glue names are per account and region, not per stack: the stack name keeps two stacks
    apart. Glue wants lower case, and Athena reads a hyphen in an unquoted name as a minus."""
    return re.sub(r"[^a-z0-9_]", "_", f"{stack.stack_name}_analytics".lower())


def workgroup_name(stack: Stack) -> str:
    return f"{stack.stack_name}-analytics"


def query_text(query: str) -> str:
    """statemachines/queries/<query>.sql as written: Athena runs it, DuckDB runs it locally."""
    return (QUERIES / f"{query}.sql").read_text(encoding="utf-8")


def _sql(spec: names.MachineSpec) -> str:
    return "\n".join(_SQL_COMMENT.sub("", query_text(query)) for query in spec.queries.values())


def tables_written(spec: names.MachineSpec) -> list[names.AnalyticsTable]:
    """The analytics tables a machine's queries INSERT INTO or MERGE INTO, read from the SQL itself
    so the grants follow the queries. Only an Iceberg table may be written by a query: writing a
    json table would also register partitions in the catalogue, which no role is granted (the
    stream export alone writes those tables)."""
    found = {match.lower() for match in _WRITE.findall(_sql(spec))}
    written = [table for table in names.ANALYTICS_TABLES if table.name in found]
    for table in written:
        if table.format != "iceberg":
            raise ValueError(f"{spec.name}: a query writes {table.name}, which is not an Iceberg table")
    return written


def tables_read(spec: names.MachineSpec) -> list[names.AnalyticsTable]:
    """The analytics tables a machine's queries read (FROM / JOIN / MERGE INTO; CTE names are not
    tables)."""
    found = {match.lower() for match in _READ.findall(_sql(spec))}
    return [table for table in names.ANALYTICS_TABLES if table.name in found]


class Analytics(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, topic: sns.ITopic) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.topic = topic
        self.database_name = database_name(stack)
        self.workgroup_name = workgroup_name(stack)

        self.bucket = self._bucket()
        self.key_secret = self._key_secret()
        self.database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=stack.account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=self.database_name,
                description="Jiesu: de-identified work-order and whistle facts (DESIGN.md section 8).",
            ),
        )
        self.tables = {table.name: self._table(table) for table in names.ANALYTICS_TABLES}
        self.maintenance = {
            table.name: TableMaintenance(
                self,
                f"{_title(table)}Maintenance",
                table=self.tables[table.name],
                table_name=table.name,
                database_name=self.database_name,
                bucket=self.bucket,
                prefix=table.prefix,
            )
            for table in names.ANALYTICS_TABLES
            if table.format == "iceberg"
        }
        self.workgroup = self._workgroup()

    # --- storage -------------------------------------------------------------------------------

    def _bucket(self) -> s3.Bucket:
        """The facts (written by the stream consumer and by the daily compaction) and Athena's
        query results. The facts are kept: they are the only history of how each order moved, and
        the monthly queries compare months. Query results are read once by the run that made them,
        so they expire."""
        bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="query-results",
                    prefix=names.QUERY_RESULTS_PREFIX,
                    expiration=Duration.days(QUERY_RESULTS_DAYS),
                ),
                s3.LifecycleRule(
                    id="abort-incomplete", abort_incomplete_multipart_upload_after=Duration.days(1)
                ),
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            bucket,
            (
                "AwsSolutions-S1",
                "De-identified facts only (no names, phones or addresses; requesters and places are "
                "keyed hashes), written by the stream consumer and read through Athena, whose query "
                "history records every query and who ran it.",
            ),
        )
        return bucket

    def _key_secret(self) -> secretsmanager.Secret:
        """The key of the requester and place hashes (functions/chalicelib/domain/facts.py). Kept
        when the stack goes: without it no later month can recognise an earlier month's requester."""
        secret = secretsmanager.Secret(
            self,
            "HashKey",
            description="Jiesu: key of the de-identified requester and place hashes in the analytics facts.",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True, include_space=False
            ),
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            secret,
            (
                "AwsSolutions-SMG4",
                "Rotating the hash key would give every requester and place a new hash, so repeat "
                "requesters and recurring places could no longer be counted across months.",
            ),
        )
        return secret

    def location(self, table: names.AnalyticsTable) -> str:
        return f"s3://{self.bucket.bucket_name}/{table.prefix}"

    def _table(self, table: names.AnalyticsTable) -> glue.CfnTable:
        """One Glue table per names.ANALYTICS_TABLES entry, its columns from facts.TABLE_COLUMNS
        (the schema the stream export writes and DuckDB declares locally): the json tables with
        projected partitions, the facts as an Iceberg table (iceberg.py)."""
        stack = Stack.of(self)
        if table.format == "iceberg":
            return iceberg_table(
                self, f"{_title(table)}Table", database=self.database, bucket=self.bucket, table=table
            )
        projection = PROJECTIONS[table.partition]
        column = table.partition
        file_format = FORMATS[table.format]
        parameters = {
            "classification": table.format,
            "EXTERNAL": "TRUE",
            "projection.enabled": "true",
            f"projection.{column}.type": "date",
            f"projection.{column}.format": projection["format"],
            f"projection.{column}.range": projection["range"],
            f"projection.{column}.interval": "1",
            f"projection.{column}.interval.unit": projection["unit"],
            # Hive-style partition folders, the ones the stream export writes.
            "storage.location.template": f"{self.location(table)}{column}=${{{column}}}/",
        }
        return glue.CfnTable(
            self,
            f"{_title(table)}Table",
            catalog_id=stack.account,
            # The database's Ref is its name: the table is created after it, and removed before it.
            database_name=self.database.ref,
            table_input=glue.CfnTable.TableInputProperty(
                name=table.name,
                description=f"Jiesu analytics facts: {table.name} ({table.format}, by {column}).",
                table_type="EXTERNAL_TABLE",
                parameters=parameters,
                partition_keys=[glue.CfnTable.ColumnProperty(name=column, type="string")],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    columns=[
                        glue.CfnTable.ColumnProperty(name=name, type=kind)
                        for name, kind in facts.TABLE_COLUMNS[table.name]
                    ],
                    location=self.location(table),
                    input_format=file_format["input"],
                    output_format=file_format["output"],
                    serde_info=glue.CfnTable.SerdeInfoProperty(serialization_library=file_format["serde"]),
                ),
            ),
        )

    # --- queries -------------------------------------------------------------------------------

    def _workgroup(self) -> athena.CfnWorkGroup:
        """Enforced, so a query cannot choose another result location, skip the encryption or lift
        the cutoff; removed with its query history when the stack goes (the results stay in the
        retained bucket until they expire)."""
        return athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=self.workgroup_name,
            description="Jiesu analytics: the monthly and daily runs and analysts' queries.",
            state="ENABLED",
            recursive_delete_option=True,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=BYTES_SCANNED_CUTOFF,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version=ENGINE_VERSION
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{self.bucket.bucket_name}/{names.QUERY_RESULTS_PREFIX}",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_S3"
                    ),
                ),
            ),
        )

    @property
    def workgroup_arn(self) -> str:
        return Stack.of(self).format_arn(
            service="athena", resource="workgroup", resource_name=self.workgroup_name
        )

    @property
    def catalog_arn(self) -> str:
        return Stack.of(self).format_arn(service="glue", resource="catalog")

    @property
    def database_arn(self) -> str:
        return Stack.of(self).format_arn(
            service="glue", resource="database", resource_name=self.database_name
        )

    def table_arn(self, table: names.AnalyticsTable) -> str:
        return Stack.of(self).format_arn(
            service="glue",
            resource="table",
            resource_name=f"{self.database_name}/{table.name}",
            arn_format=ArnFormat.SLASH_RESOURCE_NAME,
        )

    def objects(self, prefix: str) -> str:
        return self.bucket.arn_for_objects(f"{prefix}*")

    def substitutions(self, spec: names.MachineSpec) -> dict[str, str]:
        """An analytics machine's ASL substitutions beyond its task functions: each query's SQL as
        a JSON string, and the stack's resources it names."""
        resources = {
            names.PH_WORKGROUP: self.workgroup_name,
            names.PH_DATABASE: self.database_name,
            names.PH_NOTIFICATION_TOPIC: self.topic.topic_arn,
        }
        return {
            **{
                placeholder: names.asl_string(query_text(query))
                for placeholder, query in spec.queries.items()
            },
            **{placeholder: resources[placeholder] for placeholder in spec.resources},
        }

    # --- what a run may do ---------------------------------------------------------------------

    def grant_run(self, machine: sfn.StateMachine, spec: names.MachineSpec) -> None:
        """What `athena:startQueryExecution.sync` needs for this machine's queries, and no more:
        Athena runs a query with the caller's permissions, so the machine's role reads the tables
        its SQL reads, writes the Iceberg tables its MERGE or INSERT writes, and writes the
        workgroup's results."""
        reads = tables_read(spec)
        writes = tables_written(spec)
        # .sync polls GetQueryExecution and stops the query when the execution is stopped.
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=[
                    "athena:StartQueryExecution",
                    "athena:GetQueryExecution",
                    "athena:StopQueryExecution",
                ],
                resources=[self.workgroup_arn],
            )
        )
        # Glue authorises a table action on the catalog, the database and the table together.
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions"],
                resources=[
                    self.catalog_arn,
                    self.database_arn,
                    *(self.table_arn(table) for table in [*reads, *writes]),
                ],
            )
        )
        if writes:
            # An Iceberg write commits by pointing the table's metadata_location at its new snapshot.
            machine.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["glue:UpdateTable"],
                    resources=[
                        self.catalog_arn,
                        self.database_arn,
                        *(self.table_arn(table) for table in writes),
                    ],
                )
            )
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
                resources=[self.bucket.bucket_arn],
            )
        )
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[self.objects(table.prefix) for table in reads],
            )
        )
        written = [*(table.prefix for table in writes), names.QUERY_RESULTS_PREFIX]
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
                resources=[self.objects(prefix) for prefix in written],
            )
        )
        if writes:
            # Data, delete and metadata files of the Iceberg tables it writes (Athena removes the
            # files of a write that did not commit).
            machine.add_to_role_policy(
                iam.PolicyStatement(
                    actions=["s3:DeleteObject"],
                    resources=[self.objects(table.prefix) for table in writes],
                )
            )
        # Athena reads back the manifest a write leaves next to its results.
        machine.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"], resources=[self.objects(names.QUERY_RESULTS_PREFIX)]
            )
        )
        if names.PH_NOTIFICATION_TOPIC in spec.resources:
            # alias/aws/sns lets this account's principals use it through SNS: no KMS statement.
            machine.add_to_role_policy(
                iam.PolicyStatement(actions=["sns:Publish"], resources=[self.topic.topic_arn])
            )

        bucket_id = logical_id(self.bucket)
        prefixes = sorted({*(table.prefix for table in [*reads, *writes]), names.QUERY_RESULTS_PREFIX})
        acknowledge(
            machine,
            *(
                (
                    f"AwsSolutions-IAM5[Resource::<{bucket_id}.Arn>/{prefix}*]",
                    "Objects under one prefix of the analytics bucket: Athena names the files of "
                    "each partition, each Iceberg snapshot and each query result itself.",
                )
                for prefix in prefixes
            ),
        )

    # --- when runs start -----------------------------------------------------------------------

    def schedule(self, machines: Mapping[str, sfn.IStateMachine]) -> dict[str, scheduler.Schedule]:
        """One EventBridge Scheduler schedule per names.ANALYTICS_SCHEDULES entry, in Beijing time.
        The input is empty: the plan function takes the previous month or yesterday from the
        clock. Each schedule's role may start its own machine and nothing else."""
        schedules = {}
        for spec in names.ANALYTICS_MACHINES:
            schedules[spec.name] = scheduler.Schedule(
                self,
                f"{spec.construct_id.removeprefix('Analytics')}Schedule",
                description=f"Jiesu: starts {spec.name} ({names.ANALYTICS_SCHEDULES[spec.name]}, "
                f"{names.SCHEDULE_TIMEZONE}).",
                schedule=scheduler.ScheduleExpression.expression(
                    names.ANALYTICS_SCHEDULES[spec.name], TimeZone.of(names.SCHEDULE_TIMEZONE)
                ),
                target=targets.StepFunctionsStartExecution(
                    machines[spec.name], input=scheduler.ScheduleTargetInput.from_object({})
                ),
            )
        return schedules


def _title(table: names.AnalyticsTable) -> str:
    """order_facts -> OrderFacts, for construct ids."""
    return "".join(part.title() for part in table.name.split("_"))
