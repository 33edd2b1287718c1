"""The Chalice app (functions/): REST API, authorizer, task, analytics and stream functions, with
least-privilege grants on the data, the workflows, the analytics resources and the topics."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aws_cdk import CfnResource, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_ses as ses
from chalice.cdk import Chalice
from chalice.utils import to_cfn_resource_name
from constructs import Construct

from .auth import StaffAuth
from .data import Data
from .nag import acknowledge, logical_id
from .project import FUNCTIONS, names

if TYPE_CHECKING:
    from .analytics import Analytics

API_GATEWAY_STAGE = "api"
DEFAULT_ROLE = "DefaultRole"
NOTICE_SENDER_CONTEXT = "noticeSender"  # the SES identity staff e-mail notices come from
REST_API = "RestAPI"
SAM_FUNCTION = "AWS::Serverless::Function"
LOG_RETENTION = logs.RetentionDays.THREE_MONTHS


@dataclass(frozen=True)
class GatewayError:
    """An error API Gateway answers itself, in the shape API.md gives every error."""

    code: str
    message: str
    status: int | None = None  # None keeps the status API Gateway chose (4XX, 5XX)

    def template(self) -> str:
        body = {"error": {"code": self.code, "message": self.message, "details": []}}
        return json.dumps(body, ensure_ascii=False)


GATEWAY_ERRORS = {
    "UNAUTHORIZED": GatewayError("unauthorized", "Sign in to continue.", 401),
    "ACCESS_DENIED": GatewayError("forbidden", "You may not do this.", 403),
    # API Gateway's answer to a path or method it does not know.
    "MISSING_AUTHENTICATION_TOKEN": GatewayError("not_found", "There is nothing at this address.", 404),
    "THROTTLED": GatewayError("throttled", "Too many requests; try again in a moment.", 429),
    # Bodies over API Gateway's own limit and content types it refuses; any other 4xx of its own.
    "REQUEST_TOO_LARGE": GatewayError("too_large", "The request body is too large.", 413),
    "UNSUPPORTED_MEDIA_TYPE": GatewayError(
        "unsupported_media_type", "This address does not take this content type.", 415
    ),
    "DEFAULT_4XX": GatewayError("refused", "The request was refused."),
    "DEFAULT_5XX": GatewayError("internal", "Something went wrong on our side; try again."),
}


def function_id(name: str) -> str:
    """The logical id Chalice gives the function it deploys for `name`."""
    return "APIHandler" if name == names.API_HANDLER else to_cfn_resource_name(name)


def own_log_group(scope: Construct, function: CfnResource, fid: str) -> logs.LogGroup:
    """The function's own log group (kept three months), named for the stack and the function."""
    group = logs.LogGroup(
        scope,
        f"{fid}Logs",
        log_group_name=f"/aws/lambda/{Stack.of(scope).stack_name}/{fid}",
        retention=LOG_RETENTION,
        removal_policy=RemovalPolicy.DESTROY,
    )
    function.add_property_override("LoggingConfig", {"LogGroup": group.log_group_name})
    return group


# Work-order and analytics machines: the functions are told every one's ARN and may start each.
ALL_MACHINES = (*names.MACHINES, *names.ANALYTICS_MACHINES)
# Reading a month's query results and storing a month's insights takes longer than an API call may.
LONG_RUNNING = (names.FN_SEED_REFERENCE, names.FN_STORE_MONTH, names.FN_STORE_DAY, names.FN_RETRAIN_DISPATCH)
LONG_RUNNING_TIMEOUT = 300
# Retraining the dispatch model holds a weight matrix of features x categories in memory (numpy).
RETRAIN_MEMORY_MB = 3008
LAMBDA_MEMORY_MB = 512  # every other function
# The facts the stream consumer writes (de-identified order and summons changes, by day).
FACTS_WRITTEN = (names.ORDER_CHANGES, names.SUMMONS_CHANGES)


# What the staff users routes (entrypoints/staff/users.py, through adapters/cognito_directory.py) call
# on the staff user pool.
STAFF_ADMIN_ACTIONS = (
    "cognito-idp:ListUsers",
    "cognito-idp:ListUsersInGroup",
    "cognito-idp:AdminGetUser",
    "cognito-idp:AdminListGroupsForUser",
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminRemoveUserFromGroup",
    "cognito-idp:AdminUpdateUserAttributes",
    "cognito-idp:AdminDeleteUserAttributes",
    "cognito-idp:AdminEnableUser",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminUserGlobalSignOut",
)


# API Gateway's own answers (no route, no or bad token) carry what the app's answers carry.
GATEWAY_RESPONSE_HEADERS = {
    "gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
    "gatewayresponse.header.Cache-Control": f"'{names.NO_STORE}'",
    **{f"gatewayresponse.header.{name}": f"'{value}'" for name, value in names.SECURITY_HEADERS},
}


class Api(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        data: Data,
        auth: StaffAuth,
        analytics: Analytics,
        layer: lambda_.ILayerVersion,
        machine_arns: Mapping[str, str],
        stage: str,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        # Every machine's formatted ARN by spec.name, never the machine: it refers to the functions.
        self.machine_arns = dict(machine_arns)
        self.api_name = f"{stack.stack_name}-api"
        # Staff who choose e-mail notices get them from this SES identity (context `noticeSender`;
        # unset: no e-mail is sent, the message centre and SMS still are).
        self.notice_sender = str(self.node.try_get_context(NOTICE_SENDER_CONTEXT) or "")
        environment = {
            names.ENV_STAGE: stage,
            names.ENV_WORK_ORDERS_TABLE: data.work_orders.table_name,
            names.ENV_WORK_ORDERS_STREAM_ARN: data.work_orders.table_stream_arn,
            names.ENV_REFERENCE_TABLE: data.reference.table_name,
            names.ENV_INSIGHTS_TABLE: data.insights.table_name,
            names.ENV_MESSAGES_TABLE: data.messages.table_name,
            names.ENV_NOTICE_SENDER: self.notice_sender,
            **{spec.arn_env: self.machine_arns[spec.name] for spec in ALL_MACHINES},
            names.ENV_UNIT_TOPIC_ARN: data.unit_topic.topic_arn,
            names.ENV_ATTACHMENTS_BUCKET: data.attachments.bucket_name,
            names.ENV_ANALYTICS_BUCKET: analytics.bucket.bucket_name,
            names.ENV_EXPORTS_BUCKET: data.exports.bucket_name,
            names.ENV_ANALYTICS_KEY_SECRET_ARN: analytics.key_secret.secret_arn,
            names.ENV_REQUESTER_SMS: "true",
            names.ENV_USER_POOL_ID: auth.user_pool.user_pool_id,
            names.ENV_USER_POOL_CLIENT_ID: auth.client.user_pool_client_id,
            names.ENV_COGNITO_ISSUER: auth.issuer,
            names.ENV_JWKS_URL: auth.jwks_url,
            "POWERTOOLS_SERVICE_NAME": names.APP_NAME,
            names.ENV_PYDANTIC_PLUGINS: names.NO_PYDANTIC_PLUGINS,
        }
        # Chalice copies these into os.environ before it imports app.py, so the stream decorator
        # receives the table's stream-ARN token (research: combined-synth.md).
        self.chalice = Chalice(
            self,
            "Chalice",
            source_dir=str(FUNCTIONS),
            stage_config={
                "api_gateway_stage": API_GATEWAY_STAGE,
                "environment_variables": environment,
                "layers": [layer.layer_version_arn],
                "lambda_timeout": 30,
                "lambda_memory_size": LAMBDA_MEMORY_MB,
                # Active tracing: X-Ray records each invocation; no SDK in the function.
                "xray": True,
                "tags": {"project": names.APP_NAME, "stack": stack.stack_name},
            },
        )
        # Loading a whole division catalogue, or storing a month's insights, takes longer.
        for name in LONG_RUNNING:
            self.chalice.get_resource(function_id(name)).add_property_override(
                "Timeout", LONG_RUNNING_TIMEOUT
            )
        self.chalice.get_resource(function_id(names.FN_RETRAIN_DISPATCH)).add_property_override(
            "MemorySize", RETRAIN_MEMORY_MB
        )
        rest_api = self.chalice.get_resource(REST_API)
        # A known name for the 5XX alarm's ApiName dimension (the OpenAPI title would be "jiesu").
        rest_api.add_property_override("Name", self.api_name)
        rest_api.add_property_override("DefinitionBody.info.title", self.api_name)
        rest_api.add_property_override("TracingEnabled", True)
        # Part of the OpenAPI body, so they go live with the same deployment as the routes.
        rest_api.add_property_override(
            "DefinitionBody.x-amazon-apigateway-gateway-responses",
            {
                kind: {
                    **({"statusCode": str(error.status)} if error.status else {}),
                    "responseParameters": GATEWAY_RESPONSE_HEADERS,
                    "responseTemplates": {"application/json": error.template()},
                }
                for kind, error in GATEWAY_ERRORS.items()
            },
        )

        self._functions: dict[str, lambda_.IFunction] = {}
        self.role = self.chalice.get_role(DEFAULT_ROLE)
        self._logs_only()
        self.grants = self._grant(stack, data)
        self._grant_analytics(analytics)
        self._manage_staff(auth)
        self.authorizer_role = self._authorizer_role(data)

    def _authorizer_role(self, data: Data) -> iam.Role:
        """The staff authorizer runs before every staff request, with a role of its own: it checks
        the token's signature against the pool's public keys (HTTPS, no permission) and reads the
        account's revocation record, one item of one partition of the reference table."""
        fid = function_id(names.STAFF_AUTHORIZER)
        role = iam.Role(self, "AuthorizerRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem"],
                resources=[data.reference.table_arn],
                conditions={
                    "ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [names.REVOCATION_PARTITION]}
                },
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self._log_groups[fid].log_group_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"]
            )
        )
        acknowledge(
            role,
            ("AwsSolutions-IAM5[Resource::*]", 'X-Ray\'s writes accept no other resource than "*".'),
        )
        function = self.chalice.get_resource(fid)
        function.add_property_override("Role", role.role_arn)
        return role

    def _grant_analytics(self, analytics: Analytics) -> None:
        """The stream consumer writes de-identified facts (and needs the hash key for that); the
        store functions read the results of the queries the analytics machines ran. The functions
        never run queries themselves and never read the facts: only the machines do."""
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject"],
                resources=[analytics.objects(table.prefix) for table in FACTS_WRITTEN],
            )
        )
        # GetQueryResults reads the result file from S3 with the caller's own permissions.
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["athena:GetQueryResults", "athena:GetQueryExecution"],
                resources=[analytics.workgroup_arn],
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"], resources=[analytics.objects(names.QUERY_RESULTS_PREFIX)]
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket", "s3:GetBucketLocation"], resources=[analytics.bucket.bucket_arn]
            )
        )
        # The dispatch models: the API reads the index and the serving model, the retraining run
        # writes a model and the index, an analyst the index (adapters/models.py).
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject"],
                resources=[analytics.objects(names.DISPATCH_MODELS_PREFIX)],
            )
        )
        # The secret's own ARN (not grant_read, which adds DescribeSecret): the value and nothing else.
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["secretsmanager:GetSecretValue"], resources=[analytics.key_secret.secret_arn]
            )
        )
        acknowledge(
            self.role,
            *(
                (
                    f"AwsSolutions-IAM5[Resource::<{logical_id(analytics.bucket)}.Arn>/{prefix}*]",
                    "Objects under one prefix of the analytics bucket: each stream batch, each "
                    "query result and each dispatch model is a file of its own.",
                )
                for prefix in (
                    *(table.prefix for table in FACTS_WRITTEN),
                    names.QUERY_RESULTS_PREFIX,
                    names.DISPATCH_MODELS_PREFIX,
                )
            ),
        )

    def _manage_staff(self, auth: StaffAuth) -> None:
        """Administrators manage staff accounts through the API: the admin actions it calls, on
        this user pool only (no user pool or client configuration, no deletion)."""
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=list(STAFF_ADMIN_ACTIONS), resources=[auth.user_pool.user_pool_arn])
        )

    def functions(self) -> list[CfnResource]:
        """Every function of the Chalice app, as the included SAM resource."""
        return [
            child
            for child in self.chalice.sam_template.node.children
            if isinstance(child, CfnResource) and child.cfn_resource_type == SAM_FUNCTION
        ]

    def function(self, name: str) -> lambda_.IFunction:
        """The deployed function Chalice built for `name` (a names.FN_* constant).

        Not Chalice's get_function: its from_function_arn cannot tell that a function in this very
        stack shares the stack's account once the account is known (every real deploy), and then
        grant_invoke fails with CannotModifyLambdaPermission instead of writing the caller's policy.
        """
        fid = function_id(name)
        if fid not in self._functions:
            resource: CfnResource = self.chalice.get_resource(fid)
            self._functions[fid] = lambda_.Function.from_function_attributes(
                self,
                f"{fid}Function",
                function_arn=resource.get_att("Arn").to_string(),
                same_environment=True,
            )
        return self._functions[fid]

    @property
    def rest_api(self) -> CfnResource:
        resource: CfnResource = self.chalice.get_resource(REST_API)
        return resource

    @property
    def rest_api_id(self) -> str:
        return self.rest_api.ref

    def url(self, path: str = "") -> str:
        stack = Stack.of(self)
        return (
            f"https://{self.rest_api_id}.execute-api.{stack.region}.{stack.url_suffix}/"
            f"{API_GATEWAY_STAGE}{path}"
        )

    def _logs_only(self) -> None:
        """Chalice's generated policy allows every log group and stream reads on "*". Each function
        logs to its own group here instead (with a retention), and the role may write only to those."""
        groups = []
        self._log_groups: dict[str, logs.LogGroup] = {}
        for function in self.functions():
            fid = function.node.id
            group = own_log_group(self, function, fid)
            self._log_groups[fid] = group
            if fid != function_id(names.STAFF_AUTHORIZER):  # it runs with a role of its own
                groups.append(group)
        # Set on the resource itself (not as an override) so cdk-nag checks the policy that ships.
        role = self.chalice.get_resource(DEFAULT_ROLE)
        assert isinstance(role, iam.CfnRole)
        role.policies = [
            iam.CfnRole.PolicyProperty(
                policy_name="LogsOnly",
                policy_document={
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            # A log group's Arn attribute ends in ":*": its streams.
                            "Resource": [group.log_group_arn for group in groups],
                        }
                    ],
                },
            )
        ]

    def _grant_mail(self, stack: Stack) -> None:
        """E-mail to the staff members who chose it: SendEmail from the sender's identity only."""
        if not self.notice_sender:
            return
        identity = ses.EmailIdentity(self, "NoticeSender", identity=ses.Identity.email(self.notice_sender))
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail"],
                resources=[
                    stack.format_arn(
                        service="ses", resource="identity", resource_name=identity.email_identity_name
                    )
                ],
            )
        )

    def _grant(self, stack: Stack, data: Data) -> list[iam.Grant]:
        grants = [
            data.work_orders.grant_read_write_data(self.role),
            data.reference.grant_read_write_data(self.role),
            data.insights.grant_read_write_data(self.role),
            data.messages.grant_read_write_data(self.role),
        ]
        self._grant_mail(stack)
        # Attachments: the presigned POST is signed with this role, so it needs PutObject on the
        # uploads; intake reads them and copies them to the kept prefix; staff download kept ones.
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:GetObject"],
                resources=[data.attachments.arn_for_objects(f"{names.UPLOAD_PREFIX}*")],
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:GetObject"],
                resources=[data.attachments.arn_for_objects(f"{names.KEPT_PREFIX}*")],
            )
        )
        # Staff exports: written by the function, downloaded through the links it signs.
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:GetObject"],
                resources=[data.exports.arn_for_objects(f"{names.EXPORT_PREFIX}*")],
            )
        )
        # Without ListBucket, S3 answers a missing upload with 403 instead of 404.
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["s3:ListBucket"], resources=[data.attachments.bucket_arn])
        )
        # The stream's event source mapping is created with the function: its permissions first.
        stream = data.work_orders.grant_stream_read(self.role)
        for consumer in names.STREAM_CONSUMERS:
            stream.apply_before(self.chalice.get_resource(function_id(consumer)))
        grants.append(stream)

        # The machines' ARNs, not the machines: a machine refers to the functions (no cycle).
        # Every machine is started by the functions (the analytics ones on an analyst's "run now");
        # only the work-order machine waits for a unit's answer with a task token (the whistle
        # machine only waits on the clock).
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["states:StartExecution"],
                resources=[self.machine_arns[spec.name] for spec in ALL_MACHINES],
            )
        )
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
                resources=[self.machine_arns[names.WORK_ORDER_MACHINE_SPEC.name]],
            )
        )
        # The topic's key is the AWS managed alias/aws/sns, whose key policy already lets this
        # account's principals use it through SNS: no KMS statement (topic.grant_publish adds one).
        self.role.add_to_principal_policy(
            iam.PolicyStatement(actions=["sns:Publish"], resources=[data.unit_topic.topic_arn])
        )
        # SMS to a requester is a Publish with PhoneNumber, which has no resource to name.
        self.role.add_to_principal_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=["*"]))
        # What SAM would attach for Tracing: Active if Chalice did not bring its own role.
        self.role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"]
            )
        )

        indexed = [(data.tables[spec.construct_id], spec) for spec in names.TABLES if spec.indexes]
        acknowledge(
            self.role,
            (
                "AwsSolutions-IAM5[Resource::*]",
                'Actions IAM only accepts on "*": sns:Publish to a PhoneNumber (requester SMS), '
                "dynamodb:ListStreams (stream read for the event source mapping) and the X-Ray writes.",
            ),
            *(
                (
                    f"AwsSolutions-IAM5[Resource::<{logical_id(table)}.Arn>/index/*]",
                    f"Queries on the table's own GSIs ({', '.join(index.name for index in spec.indexes)}).",
                )
                for table, spec in indexed
            ),
            *(
                (
                    f"AwsSolutions-IAM5[Resource::<{logical_id(data.attachments)}.Arn>/{prefix}*]",
                    "Objects under one prefix of the attachments bucket: each upload has a key of its own.",
                )
                for prefix in (names.UPLOAD_PREFIX, names.KEPT_PREFIX)
            ),
            (
                f"AwsSolutions-IAM5[Resource::<{logical_id(data.exports)}.Arn>/{names.EXPORT_PREFIX}*]",
                "Staff exports: each file has a key of its own under the exports prefix.",
            ),
        )
        return grants
