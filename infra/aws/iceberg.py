"""The Iceberg facts table (DESIGN.md section 8): order_facts, one row per order, which the daily
compaction keeps current (an INSERT of the day's latest versions, then a MERGE that deletes the
versions they superseded), and the Glue Data Catalog's table optimizers that keep it lean.

Athena's row-level deletes on an Iceberg table are merge-on-read: each run adds small data files
and delete files to the month partitions it touches, and a snapshot that still references the files it
replaced. Reads slow down and storage grows as they pile up, so Glue compacts the partitions,
expires old snapshots with their files, and deletes files no snapshot references (a cancelled
query's leftovers), under a role of their own that may touch this table and its prefix only.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import ArnFormat, Stack
from aws_cdk import aws_glue as glue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from .nag import acknowledge, logical_id
from .project import facts, names

# Hive column types (facts.TABLE_COLUMNS) as Iceberg primitive types.
ICEBERG_TYPES = {"string": "string", "int": "int", "bigint": "long", "boolean": "boolean", "double": "double"}
# Iceberg numbers partition fields from 1000, apart from the schema's field ids.
PARTITION_FIELD_ID = 1000
FORMAT_VERSION = "2"  # row-level deletes (what MERGE writes) need Iceberg format version 2
TABLE_PROPERTIES = {
    "write.format.default": "parquet",
    # The codec the Parquet facts used before, which docs/benchmarks.md measured.
    "write.parquet.compression-codec": "snappy",
}

# Compaction starts on a month partition once it holds this many small files. Each daily run
# adds about one data file and one delete file to every month whose orders changed that day, so
# the current month is compacted about every five days; Glue's default of 100 would leave a month
# unread-optimised for most of the quarter. A data file with any deleted row is compacted too.
COMPACTION_MIN_INPUT_FILES = 10
COMPACTION_DELETE_FILE_THRESHOLD = 1
# Snapshots older than this expire, with the files only they reference. A week lets whoever
# notices a wrong daily run after a weekend or a week-long public holiday still read the table as
# it was before (FOR TIMESTAMP AS OF) and put it back; older snapshots would only keep replaced
# rows' files. At least as many snapshots are kept even if the daily runs stop for a while.
SNAPSHOT_RETENTION_DAYS = 7
SNAPSHOTS_KEPT = 7
# Files under the table's prefix that no snapshot references (written by a run that was
# cancelled or failed before its commit) are deleted once they are this old: far longer than any
# query runs, so a file a running compaction has just written is never taken.
ORPHAN_FILE_DAYS = 3
OPTIMIZER_TYPES = ("compaction", "retention", "orphan_file_deletion")
# Glue's optimizers log to these account-wide log groups, by type; Glue creates them.
OPTIMIZER_LOG_GROUPS = {
    "compaction": "/aws-glue/iceberg-compaction/logs",
    "retention": "/aws-glue/iceberg-retention/logs",
    "orphan_file_deletion": "/aws-glue/iceberg-orphan-file-deletion/logs",
}


def iceberg_columns(table: names.AnalyticsTable) -> list[tuple[str, str]]:
    """The table's columns with its partition column last, as Iceberg types (ids 1, 2, ...)."""
    return [
        (name, ICEBERG_TYPES[kind])
        for name, kind in (*facts.TABLE_COLUMNS[table.name], (table.partition, "string"))
    ]


def iceberg_location(bucket: s3.Bucket, table: names.AnalyticsTable) -> str:
    """Without the trailing slash: Iceberg appends /data/ and /metadata/ to the location itself."""
    return f"s3://{bucket.bucket_name}/{table.prefix.rstrip('/')}"


def iceberg_table(
    scope: Construct,
    construct_id: str,
    *,
    database: glue.CfnDatabase,
    bucket: s3.Bucket,
    table: names.AnalyticsTable,
) -> glue.CfnTable:
    """An Iceberg table created by Glue (metadata operation CREATE), identity-partitioned by its
    partition column. It has no TableInput: Glue derives the catalogue's columns from the Iceberg
    schema and records table_type=ICEBERG and metadata_location itself, and a TableInput would be
    sent to UpdateTable by any later stack update, which replaces the table's parameters and so
    drops metadata_location (the table would stop being Iceberg)."""
    columns = iceberg_columns(table)
    ids = {name: number for number, (name, _) in enumerate(columns, start=1)}
    return glue.CfnTable(
        scope,
        construct_id,
        catalog_id=Stack.of(scope).account,
        database_name=database.ref,
        name=table.name,
        open_table_format_input=glue.CfnTable.OpenTableFormatInputProperty(
            iceberg_input=glue.CfnTable.IcebergInputProperty(
                metadata_operation="CREATE",
                version=FORMAT_VERSION,
                iceberg_table_input=glue.CfnTable.IcebergTableInputProperty(
                    location=iceberg_location(bucket, table),
                    schema=glue.CfnTable.IcebergSchemaProperty(
                        type="struct",
                        fields=[
                            glue.CfnTable.IcebergStructFieldProperty(
                                id=ids[name], name=name, required=False, type=kind
                            )
                            for name, kind in columns
                        ],
                    ),
                    partition_spec=glue.CfnTable.IcebergPartitionSpecProperty(
                        fields=[
                            glue.CfnTable.IcebergPartitionFieldProperty(
                                name=table.partition,
                                source_id=ids[table.partition],
                                transform="identity",
                                field_id=PARTITION_FIELD_ID,
                            )
                        ]
                    ),
                    properties=TABLE_PROPERTIES,
                ),
            )
        ),
    )


def nag_text(stack: Stack, value: str) -> str:
    """A resource as cdk-nag writes it in a finding: references as <Name> or <Name.Attribute>."""
    return _render(stack.resolve(value))


def _render(value: Any) -> str:
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return f"<{value['Ref']}>"
    if "Fn::GetAtt" in value:
        return f"<{'.'.join(value['Fn::GetAtt'])}>"
    separator, parts = value["Fn::Join"]
    return str(separator).join(_render(part) for part in parts)


class TableMaintenance(Construct):
    """Glue's compaction, snapshot retention and orphan file deletion on one Iceberg table, run as
    a role that may read and rewrite that table's files and commit to that table only."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: glue.CfnTable,
        table_name: str,
        database_name: str,
        bucket: s3.Bucket,
        prefix: str,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("glue.amazonaws.com"),
            description=f"Jiesu: Glue's table optimizers on the Iceberg table {table_name}.",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                resources=[bucket.arn_for_objects(f"{prefix}*")],
            )
        )
        # Listing finds the orphan files; it cannot be scoped to objects, so to the prefix instead.
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": f"{prefix}*"}},
            )
        )
        # Compaction and retention commit a new snapshot as the table's metadata_location.
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["glue:GetTable", "glue:UpdateTable"],
                resources=[
                    stack.format_arn(service="glue", resource="catalog"),
                    stack.format_arn(service="glue", resource="database", resource_name=database_name),
                    stack.format_arn(
                        service="glue", resource="table", resource_name=f"{database_name}/{table_name}"
                    ),
                ],
            )
        )
        log_groups = [
            stack.format_arn(
                service="logs",
                resource="log-group",
                resource_name=f"{group}:*",
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            )
            for group in OPTIMIZER_LOG_GROUPS.values()
        ]
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                resources=log_groups,
            )
        )
        acknowledge(
            self.role,
            (
                f"AwsSolutions-IAM5[Resource::<{logical_id(bucket)}.Arn>/{prefix}*]",
                "The Iceberg table's files under its one prefix: compaction writes files named by "
                "Glue and deletes the ones it replaced.",
            ),
            *(
                (
                    f"AwsSolutions-IAM5[Resource::{nag_text(stack, arn)}]",
                    "The log streams of Glue's own optimizer log group, which Glue names per run.",
                )
                for arn in log_groups
            ),
        )
        self.optimizers = {
            kind: self._optimizer(kind, table=table, table_name=table_name, database_name=database_name)
            for kind in OPTIMIZER_TYPES
        }

    def _optimizer(
        self, kind: str, *, table: glue.CfnTable, table_name: str, database_name: str
    ) -> glue.CfnTableOptimizer:
        configuration = glue.CfnTableOptimizer.TableOptimizerConfigurationProperty(
            enabled=True, role_arn=self.role.role_arn, **_settings(kind)
        )
        optimizer = glue.CfnTableOptimizer(
            self,
            "".join(part.title() for part in kind.split("_")),
            catalog_id=Stack.of(self).account,
            database_name=database_name,
            table_name=table_name,
            type=kind,
            table_optimizer_configuration=configuration,
        )
        # After the table, and after the role may act on it (Glue checks the role when enabling).
        optimizer.add_resource_dependency(table)
        optimizer.node.add_dependency(self.role)
        return optimizer


def _settings(kind: str) -> dict[str, Any]:
    """An optimizer's own settings, as the keyword argument of its configuration."""
    optimizer = glue.CfnTableOptimizer
    if kind == "compaction":
        compaction = optimizer.IcebergCompactionConfigurationProperty(
            strategy="binpack",
            min_input_files=COMPACTION_MIN_INPUT_FILES,
            delete_file_threshold=COMPACTION_DELETE_FILE_THRESHOLD,
        )
        return {
            "compaction_configuration": optimizer.CompactionConfigurationProperty(
                iceberg_configuration=compaction
            )
        }
    if kind == "retention":
        retention = optimizer.IcebergRetentionConfigurationProperty(
            snapshot_retention_period_in_days=SNAPSHOT_RETENTION_DAYS,
            number_of_snapshots_to_retain=SNAPSHOTS_KEPT,
            clean_expired_files=True,
        )
        return {
            "retention_configuration": optimizer.RetentionConfigurationProperty(
                iceberg_configuration=retention
            )
        }
    orphans = optimizer.IcebergConfigurationProperty(orphan_file_retention_period_in_days=ORPHAN_FILE_DAYS)
    return {
        "orphan_file_deletion_configuration": optimizer.OrphanFileDeletionConfigurationProperty(
            iceberg_configuration=orphans
        )
    }
