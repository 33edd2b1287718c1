"""Data: the work-order, reference and insights tables (built from names.TABLES), the attachments
bucket and the unit-notice topic."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from .nag import acknowledge
from .project import names


def _string(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class Data(Construct):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.tables = {spec.construct_id: self._table(spec) for spec in names.TABLES}
        self.work_orders = self.tables[names.WORK_ORDERS_TABLE.construct_id]
        self.reference = self.tables[names.REFERENCE_TABLE.construct_id]
        # What the analytics runs found, by month and day, and the topics analysts adopted.
        self.insights = self.tables[names.INSIGHTS_TABLE.construct_id]
        # The staff message centre: notices per audience, read marks and channel choices per member.
        self.messages = self.tables[names.MESSAGES_TABLE.construct_id]

        self.attachments = self._attachments()
        self.exports = self._exports()

        # Units subscribe (e-mail, SMS, HTTPS) and filter on the `unit` message attribute.
        self.unit_topic = sns.Topic(
            self,
            "UnitNotifications",
            display_name="Jiesu unit notifications",
            enforce_ssl=True,
            master_key=kms.Alias.from_alias_name(self, "SnsManagedKey", "alias/aws/sns"),
        )

    def _attachments(self) -> s3.Bucket:
        """Photos, video and recordings: browsers upload with presigned POSTs (hence CORS for POST);
        what no order kept is removed after a day; kept files are records and stay. Every access to
        a requester's files is logged."""
        access_logs = s3.Bucket(
            self,
            "AttachmentsAccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
            lifecycle_rules=[s3.LifecycleRule(id="keep-a-year", expiration=Duration.days(365))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(access_logs, ("AwsSolutions-S1", "The access-log bucket itself: logging it would loop."))
        self.access_logs = access_logs
        return s3.Bucket(
            self,
            "Attachments",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="attachments/",
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.POST],
                    allowed_origins=["*"],
                    allowed_headers=["*"],
                    exposed_headers=["ETag", "Location"],
                    max_age=3000,
                )
            ],
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="unattached-uploads",
                    prefix=names.UPLOAD_PREFIX,
                    expiration=Duration.days(names.UNATTACHED_UPLOAD_DAYS),
                    noncurrent_version_expiration=Duration.days(names.UNATTACHED_UPLOAD_DAYS),
                ),
                s3.LifecycleRule(
                    id="abort-incomplete", abort_incomplete_multipart_upload_after=Duration.days(1)
                ),
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )

    def _exports(self) -> s3.Bucket:
        """Staff exports (Excel): written by the API function, downloaded by the portal through a
        presigned GET whose progress it reads (hence CORS for GET), gone after a day."""
        return s3.Bucket(
            self,
            "Exports",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="exports/",
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.GET],
                    allowed_origins=["*"],
                    exposed_headers=["Content-Length", "Content-Disposition"],
                    max_age=3000,
                )
            ],
            lifecycle_rules=[
                s3.LifecycleRule(id="staff-exports", expiration=Duration.days(names.EXPORT_DAYS)),
                s3.LifecycleRule(
                    id="abort-incomplete", abort_incomplete_multipart_upload_after=Duration.days(1)
                ),
            ],
            removal_policy=RemovalPolicy.DESTROY,
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
