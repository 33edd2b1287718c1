"""Data: the work-order and reference tables (built from names.TABLES) and the unit-notice topic."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from .project import names


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class Data(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.tables = {spec.construct_id: self._table(spec) for spec in names.TABLES}
        self.work_orders = self.tables[names.WORK_ORDERS_TABLE.construct_id]
        self.reference = self.tables[names.REFERENCE_TABLE.construct_id]

        # Units subscribe (e-mail, SMS, HTTPS) and filter on the `unit` message attribute.
        self.unit_topic = sns.Topic(
            self,
            "UnitNotifications",
            display_name="Jiesu unit notifications",
            enforce_ssl=True,
            master_key=kms.Alias.from_alias_name(self, "SnsManagedKey", "alias/aws/sns"),
        )

    def _table(self, spec: names.TableSpec) -> dynamodb.Table:
        table = dynamodb.Table(
            self,
            spec.construct_id,
            partition_key=_string(spec.partition_key),
            sort_key=_string(spec.sort_key),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if spec.stream else None,
            time_to_live_attribute=spec.ttl_attribute,
            # Work orders are public records: a stack deletion must never take them along.
            removal_policy=RemovalPolicy.RETAIN,
        )
        for index in spec.indexes:
            table.add_global_secondary_index(
                index_name=index.name,
                partition_key=_string(index.partition_key),
                sort_key=_string(index.sort_key),
                projection_type=dynamodb.ProjectionType.ALL,
            )
        return table
