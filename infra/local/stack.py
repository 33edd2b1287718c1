"""The local stack: moto as the embedded AWS, with the same tables, functions, state machine and
user pool the CDK app deploys, built from the same names (functions/chalicelib/names.py)."""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalicelib import names as names  # also read from here by the server and the benchmarks

from . import moto_patches

if TYPE_CHECKING:
    from .snapshot import Snapshot

ROOT = Path(__file__).resolve().parents[2]
FUNCTIONS = ROOT / "functions"
STATEMACHINES = ROOT / "statemachines"

DEMO_PASSWORD = "Jiesu-demo-2026"
LOCAL_NOTICE_SENDER = "notices@jiesu.local"


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    unit: str | None
    description: str


DEMO_PARTNER_KEY, DEMO_PARTNER = "local-partner-tianjin", "tianjin-12345"
DEMO_USERS = (
    DemoUser("operator1", "operator", None, "hotline operator (话务员)"),
    DemoUser("dispatcher1", "dispatcher", None, "hotline dispatcher (派单员)"),
    DemoUser("andingmen.handler", "handler", "110101004", "handler at 安定门街道, 东城区"),
    DemoUser("andingmen.leader", "unit_leader", "110101004", "leader of 安定门街道"),
    DemoUser(
        "jiaodaokou.handler", "handler", "110101003", "handler at 交道口街道, 东城区 (a neighbouring street)"
    ),
    DemoUser("dongcheng.handler", "handler", "110101", "handler at 东城区人民政府"),
    DemoUser(
        "lighting.handler", "handler", "bj-lighting", "handler at 北京市城市照明管理中心 (city department)"
    ),
    DemoUser(
        "dongcheng.housing",
        "handler",
        "110101-housing",
        "handler at 东城区住房和城乡建设委员会 (district dept.)",
    ),
    DemoUser(
        "dongcheng.enforcement",
        "handler",
        "110101-enforcement",
        "handler at 东城区城市管理综合行政执法局 (district dept.)",
    ),
    DemoUser("supervisor1", "supervisor", None, "hotline supervisor (督办)"),
    DemoUser("analyst1", "analyst", None, "analyst (数据分析)"),
    DemoUser("reviewer1", "reviewer", None, "reply reviewer (办结审核)"),
    DemoUser("admin1", "admin", None, "platform administrator"),
    DemoUser("assessor1", "assessor", None, "assessment officer (考核申诉)"),
)


# Browsers post uploads straight to the bucket and read the answer: the same rule as in AWS.
ATTACHMENTS_CORS = {
    "AllowedMethods": ["POST"],
    "AllowedOrigins": ["*"],
    "AllowedHeaders": ["*"],
    "ExposeHeaders": ["ETag", "Location"],
    "MaxAgeSeconds": 3000,
}
# The portal downloads staff exports with a presigned GET and reads the progress.
EXPORTS_CORS = {
    "AllowedMethods": ["GET"],
    "AllowedOrigins": ["*"],
    "ExposeHeaders": ["Content-Length", "Content-Disposition"],
    "MaxAgeSeconds": 3000,
}


@dataclass
class LocalStack:
    """Creates every resource on a running moto server and knows where each one is."""

    moto_url: str
    time_scale: float = 1.0
    region: str = names.LOCAL_REGION
    epoch: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    outputs: dict[str, str] = field(default_factory=dict)
    workgroup: str = f"{names.APP_NAME}-local"

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(
            service,
            region_name=self.region,
            endpoint_url=self.moto_url,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    # --- resources ----------------------------------------------------------------------------

    def create_tables(self) -> None:
        for spec in names.TABLES:
            table = self.create_table(spec)
            if spec.stream:
                self.outputs[names.ENV_WORK_ORDERS_STREAM_ARN] = table["LatestStreamArn"]
        self.outputs[names.ENV_WORK_ORDERS_TABLE] = names.WORK_ORDERS_TABLE.local_name
        self.outputs[names.ENV_REFERENCE_TABLE] = names.REFERENCE_TABLE.local_name
        self.outputs[names.ENV_INSIGHTS_TABLE] = names.INSIGHTS_TABLE.local_name
        self.outputs[names.ENV_MESSAGES_TABLE] = names.MESSAGES_TABLE.local_name

    def create_table(self, spec: names.TableSpec, name: str | None = None) -> dict[str, Any]:
        """One table from its spec (under another name for tests that need an empty one)."""
        ddb = self.client("dynamodb")
        attributes = {spec.partition_key, spec.sort_key}
        indexes = []
        for index in spec.indexes:
            attributes |= {index.partition_key, index.sort_key}
            indexes.append(
                {
                    "IndexName": index.name,
                    "KeySchema": [
                        {"AttributeName": index.partition_key, "KeyType": "HASH"},
                        {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            )
        kwargs: dict[str, Any] = {
            "TableName": name or spec.local_name,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attributes)],
            "KeySchema": [
                {"AttributeName": spec.partition_key, "KeyType": "HASH"},
                {"AttributeName": spec.sort_key, "KeyType": "RANGE"},
            ],
        }
        if indexes:
            kwargs["GlobalSecondaryIndexes"] = indexes
        if spec.stream and name is None:
            kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        table: dict[str, Any] = ddb.create_table(**kwargs)["TableDescription"]
        if spec.ttl_attribute:
            ddb.update_time_to_live(
                TableName=kwargs["TableName"],
                TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute},
            )
        return table

    def create_topic(self) -> None:
        topic = self.client("sns").create_topic(Name=f"{names.APP_NAME}-local-unit-notifications")
        self.outputs[names.ENV_UNIT_TOPIC_ARN] = topic["TopicArn"]
        self.outputs[names.ENV_REQUESTER_SMS] = "true"
        # Staff e-mail notices: moto's SES keeps what was sent (the sender must be verified there too).
        self.client("ses").verify_email_identity(EmailAddress=LOCAL_NOTICE_SENDER)
        self.outputs[names.ENV_NOTICE_SENDER] = LOCAL_NOTICE_SENDER

    def create_bucket(self) -> None:
        """The attachments bucket: browsers upload to it directly (CORS), unattached uploads expire; and
        the staff exports bucket (downloaded by the portal, gone after a day)."""
        for bucket, cors, rule, prefix, days, output in (
            (
                names.ATTACHMENTS_BUCKET_LOCAL,
                ATTACHMENTS_CORS,
                "unattached-uploads",
                names.UPLOAD_PREFIX,
                names.UNATTACHED_UPLOAD_DAYS,
                names.ENV_ATTACHMENTS_BUCKET,
            ),
            (
                names.EXPORTS_BUCKET_LOCAL,
                EXPORTS_CORS,
                "staff-exports",
                names.EXPORT_PREFIX,
                names.EXPORT_DAYS,
                names.ENV_EXPORTS_BUCKET,
            ),
        ):
            self._bucket(bucket, cors, rule, prefix, days)
            self.outputs[output] = bucket

    def _bucket(self, bucket: str, cors: dict[str, Any], rule: str, prefix: str, days: int) -> None:
        """A bucket the portal reaches from the browser (CORS) whose objects under `prefix` expire."""
        s3 = self.client("s3")
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [cors]})
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket,
            LifecycleConfiguration={
                "Rules": [
                    {
                        "ID": rule,
                        "Status": "Enabled",
                        "Filter": {"Prefix": prefix},
                        "Expiration": {"Days": days},
                    }
                ]
            },
        )

    def create_analytics(self) -> None:
        """The analytics bucket, the hash key's secret, the Glue tables and the Athena workgroup, as
        the CDK app has them; moto's Athena runs the SQL on DuckDB (infra/local/athena.py)."""
        from chalicelib.domain.facts import TABLE_COLUMNS

        from . import athena

        bucket = names.ANALYTICS_BUCKET_LOCAL
        self.client("s3").create_bucket(Bucket=bucket)
        secret = self.client("secretsmanager").create_secret(
            Name=f"{names.APP_NAME}-local-analytics-key", SecretString=names.ANALYTICS_KEY_LOCAL
        )
        glue = self.client("glue")
        glue.create_database(DatabaseInput={"Name": names.ANALYTICS_DATABASE})
        for table in names.ANALYTICS_TABLES:
            columns = [{"Name": c, "Type": t} for c, t in TABLE_COLUMNS[table.name]]
            location = f"s3://{bucket}/{table.prefix}"
            if table.format == "iceberg":
                # Glue creates the Iceberg table (table_type=ICEBERG); moto's Glue does not read
                # an Iceberg schema, so the columns, the partition column among them, are given as
                # Glue lists them for an Iceberg table.
                glue.create_table(
                    DatabaseName=names.ANALYTICS_DATABASE,
                    TableInput={
                        "Name": table.name,
                        "TableType": "EXTERNAL_TABLE",
                        "StorageDescriptor": {
                            "Columns": [*columns, {"Name": table.partition, "Type": "string"}],
                            "Location": location,
                        },
                    },
                    OpenTableFormatInput={"IcebergInput": {"MetadataOperation": "CREATE", "Version": "2"}},
                )
                continue
            glue.create_table(
                DatabaseName=names.ANALYTICS_DATABASE,
                TableInput={
                    "Name": table.name,
                    "TableType": "EXTERNAL_TABLE",
                    "PartitionKeys": [{"Name": table.partition, "Type": "string"}],
                    "StorageDescriptor": {"Columns": columns, "Location": location},
                    "Parameters": {"classification": table.format, "projection.enabled": "true"},
                },
            )
        self.client("athena").create_work_group(
            Name=self.workgroup,
            Configuration={
                "ResultConfiguration": {"OutputLocation": f"s3://{bucket}/{names.QUERY_RESULTS_PREFIX}"},
                "EnforceWorkGroupConfiguration": True,
            },
        )
        self._scratch = tempfile.TemporaryDirectory(prefix="jiesu-athena-")
        athena.install(bucket, Path(self._scratch.name))
        self.outputs[names.ENV_ANALYTICS_BUCKET] = bucket
        self.outputs[names.ENV_ANALYTICS_KEY_SECRET_ARN] = secret["ARN"]

    def create_user_pool(self, demo_users: bool = True) -> None:
        idp = self.client("cognito-idp")
        pool = idp.create_user_pool(
            PoolName=f"{names.APP_NAME}-local-staff",
            Schema=[{"Name": names.UNIT_ATTRIBUTE, "AttributeDataType": "String", "Mutable": True}],
        )["UserPool"]
        pool_id = pool["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="staff-portal",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        for role in names.STAFF_ROLES:
            idp.create_group(UserPoolId=pool_id, GroupName=role)
        for user in DEMO_USERS if demo_users else ():
            attributes = [{"Name": "email", "Value": f"{user.username}@jiesu.local"}]
            if user.unit:
                attributes.append({"Name": f"custom:{names.UNIT_ATTRIBUTE}", "Value": user.unit})
            idp.admin_create_user(
                UserPoolId=pool_id,
                Username=user.username,
                UserAttributes=attributes,
                MessageAction="SUPPRESS",
            )
            idp.admin_set_user_password(
                UserPoolId=pool_id, Username=user.username, Password=DEMO_PASSWORD, Permanent=True
            )
            idp.admin_add_user_to_group(UserPoolId=pool_id, Username=user.username, GroupName=user.role)
        self.outputs[names.ENV_USER_POOL_ID] = pool_id
        self.outputs[names.ENV_USER_POOL_CLIENT_ID] = client_id
        self.outputs[names.ENV_JWKS_URL] = f"{self.moto_url}/{pool_id}/.well-known/jwks.json"
        self.outputs[names.ENV_COGNITO_ISSUER] = f"https://cognito-idp.{self.region}.amazonaws.com/{pool_id}"
        self.outputs[names.ENV_COGNITO_ENDPOINT] = self.moto_url

    def create_functions(self) -> None:
        """One moto Lambda per Chalice function; the patched invoke runs `app.<name>` in-process."""
        iam = self.client("iam")
        role = iam.create_role(
            RoleName=f"{names.APP_NAME}-local-lambda",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "sts:AssumeRole",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                        }
                    ],
                }
            ),
        )
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zf:
            zf.writestr(
                "README.txt", "Handlers run in-process from functions/ (infra/local/moto_patches.py)."
            )
        lam = self.client("lambda")
        functions = (
            *names.TASK_FUNCTIONS,
            *names.ANALYTICS_FUNCTIONS,
            names.FN_SEED_REFERENCE,
            *names.STREAM_CONSUMERS,
            names.FN_RECONCILE_WORKFLOWS,
        )
        for function in functions:
            lam.create_function(
                FunctionName=names.local_function_name(function),
                Runtime="python3.11",
                Role=role["Role"]["Arn"],
                Handler=f"app.{function}",
                Code={"ZipFile": archive.getvalue()},
                Timeout=60,
                Environment={"Variables": self.environment()},
            )
        # Both consumers as in AWS; moto hands each its records at once (no batching window), so
        # the local analytics see a change as soon as it is made.
        for consumer in names.STREAM_CONSUMERS:
            lam.create_event_source_mapping(
                EventSourceArn=self.outputs[names.ENV_WORK_ORDERS_STREAM_ARN],
                FunctionName=names.local_function_name(consumer),
                StartingPosition="TRIM_HORIZON",
                BatchSize=100,
            )

    def function_arn(self, function: str) -> str:
        return (
            f"arn:aws:lambda:{self.region}:{names.LOCAL_ACCOUNT}:function:"
            f"{names.local_function_name(function)}"
        )

    def create_state_machines(self) -> None:
        resources = {
            names.PH_WORKGROUP: self.workgroup,
            names.PH_DATABASE: names.ANALYTICS_DATABASE,
            names.PH_NOTIFICATION_TOPIC: self.outputs[names.ENV_UNIT_TOPIC_ARN],
        }
        for spec in (*names.MACHINES, *names.ANALYTICS_MACHINES):
            definition = (STATEMACHINES / spec.asl).read_text(encoding="utf-8")
            values = {
                **{p: self.function_arn(function) for p, function in spec.placeholders.items()},
                **{
                    p: names.asl_string(
                        (STATEMACHINES / "queries" / f"{query}.sql").read_text(encoding="utf-8")
                    )
                    for p, query in spec.queries.items()
                },
                **{p: resources[p] for p in spec.resources},
            }
            for placeholder, value in values.items():
                definition = definition.replace("${" + placeholder + "}", value)
            machine = self.client("stepfunctions").create_state_machine(
                name=f"{names.APP_NAME}-local-{spec.name}",
                definition=definition,
                roleArn=f"arn:aws:iam::{names.LOCAL_ACCOUNT}:role/{names.APP_NAME}-local-states",
            )
            self.outputs[spec.arn_env] = machine["stateMachineArn"]

    def seed(self) -> dict[str, Any]:
        answer = self.client("lambda").invoke(
            FunctionName=names.local_function_name(names.FN_SEED_REFERENCE), Payload=b"{}"
        )
        result: dict[str, Any] = json.loads(answer["Payload"].read())
        if answer.get("FunctionError"):
            raise RuntimeError(f"seeding the reference data failed: {result}")
        # The demo partner key (README): what an administrator would issue to Tianjin's 12345.
        from chalicelib.adapters.dynamodb_reference import DynamoReference
        from chalicelib.domain.partners import ApiClient, key_hash

        reference = DynamoReference(self.client("dynamodb"), names.REFERENCE_TABLE.local_name)
        demo_keys = (
            ApiClient(
                key_hash=key_hash(DEMO_PARTNER_KEY),
                partner=DEMO_PARTNER,
                created_by="local-stack",
                created_at=datetime.now(UTC),
            ),
            # The demo Open311 api_key (API.md): what an administrator would issue to a city app.
            ApiClient(
                key_hash=key_hash("local-open311-demo"),
                partner="open311-demo",
                audience="open311",
                created_by="local-stack",
                created_at=datetime.now(UTC),
            ),
        )
        for client in demo_keys:
            if reference.api_client(client.key_hash) is None:  # kept from the last run, maybe revoked
                reference.put_api_client(client)
        return result

    # --- environment --------------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        """What the functions read, as the CDK app would set it, plus the demo clock."""
        env = {names.ENV_STAGE: names.LOCAL_STAGE, **self.outputs}
        if self.time_scale != 1:
            env[names.ENV_TIME_SCALE] = repr(self.time_scale)
            env[moto_patches.TIME_SCALE_ENV] = repr(self.time_scale)
            env[names.ENV_CLOCK_EPOCH] = self.epoch
        return env

    def build(self, snapshot: Snapshot | None = None) -> dict[str, str]:
        """Create everything in order; the app's environment is complete before the first Lambda runs.
        With a snapshot (infra/local/snapshot.py), its data is put back before the stream consumer
        and the workflows exist: a restore is not news to them."""
        from . import snapshot as snapshots

        self.create_tables()
        if snapshot is not None:
            snapshots.restore_tables(self, snapshot)
        self.create_topic()
        self.create_bucket()
        self.create_analytics()
        if snapshot is not None:
            snapshots.restore_objects(self, snapshot)
        self.create_user_pool(demo_users=snapshot is None)
        if snapshot is not None:
            snapshots.restore_users(self, snapshot)
        os.environ.update(self.environment())
        self.create_state_machines()
        os.environ.update(self.environment())
        self.create_functions()
        self.seed()
        return self.environment()

    def demo_now(self) -> datetime | None:
        """The demo clock's time now (None when it is wall time)."""
        if self.time_scale == 1:
            return None
        epoch = datetime.fromisoformat(self.epoch)
        return epoch + (datetime.now(UTC) - epoch) * self.time_scale

    def frontend_config(self, api_origin: str) -> dict[str, Any]:
        """GET /config.json (API.md, Local configuration)."""
        return {
            "apiUrl": f"{api_origin}/api/v1",
            "region": self.region,
            "userPoolId": self.outputs[names.ENV_USER_POOL_ID],
            "userPoolClientId": self.outputs[names.ENV_USER_POOL_CLIENT_ID],
            "cognitoEndpoint": self.moto_url,
            "stage": names.LOCAL_STAGE,
            "timeScale": self.time_scale,
            # The demo clock: demo = epoch + (wall - epoch) x timeScale (countdowns need its "now").
            "clockEpoch": self.epoch if self.time_scale != 1 else None,
        }


def process_environment(moto_url: str, moto_port: int) -> dict[str, str]:
    """What a Lambda runtime would provide, pointed at the embedded moto (set before boto3 is used)."""
    return {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": names.LOCAL_REGION,
        "AWS_REGION": names.LOCAL_REGION,
        "AWS_ENDPOINT_URL": moto_url,
        "MOTO_PORT": str(moto_port),
        # botocore 1.44 sends DynamoDB Streams calls to an account-id host moto does not serve.
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": names.APP_NAME,
        names.ENV_PYDANTIC_PLUGINS: names.NO_PYDANTIC_PLUGINS,
    }
