"""The API's functions by audience, behind the one REST API (names.API_AUDIENCES): the public's,
the staff portal's and the machine clients'. Each runs the Chalice app's code with its own entry
module (chalicelib/audiences/<module>.py), so a cold start imports only what its routes need, and
each has a role of its own with only what its routes touch: the public's cannot read the audit trail,
the revocations or the API keys, nor manage staff accounts.

Chalice packages one handler per app; this construct adds a SAM function per audience with that
handler's code, layer and settings, points the audience's routes in the REST API's definition at it,
and lets API Gateway invoke it. The Chalice handler (app.py) keeps the OpenAPI document."""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from aws_cdk import Fn
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sam as sam
from constructs import Construct

from .analytics import Analytics
from .api import STAFF_ADMIN_ACTIONS, Api, function_id, own_log_group
from .auth import StaffAuth
from .data import Data
from .nag import acknowledge, logical_id
from .project import names

INTEGRATION = (
    "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Arn}/invocations"
)
# The handler's settings the audiences' functions share (the rest is their own).
SHARED = ("code_uri", "runtime", "layers", "memory_size", "timeout", "tracing", "architectures")
# The reference table's partitions (adapters/dynamodb.py, DynamoReference) the public and machine
# routes read: units, the catalogue, the time limits and the knowledge base. Never the audit trail,
# the revocations, the keys or the history of edits.
PUBLIC_REFERENCE = ("UNIT", "CATEGORY", "CONFIG", "KNOWLEDGE")
CLIENT_REFERENCE = (*PUBLIC_REFERENCE, "API_KEY")  # a partner's or Open311 client's key, checked
REFERENCE_READS = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query")
PUBLIC, STAFF, CLIENTS = "public", "staff", "clients"


def routes(module: str) -> list[tuple[str, str]]:
    """(path, method) of every route the audience's entry module serves (CORS preflights are
    answered by API Gateway itself)."""
    app = importlib.import_module(f"chalicelib.audiences.{module}").app
    return [(path, method) for path, by in app.routes.items() for method in by if method != "OPTIONS"]


def _escaped(path: str) -> str:
    """A path as one key of a property override (CDK splits overrides on unescaped dots)."""
    return path.replace(".", "\\.")


class ApiAudiences(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api: Api,
        data: Data,
        analytics: Analytics,
        auth: StaffAuth,
    ) -> None:
        super().__init__(scope, construct_id)
        self._api = api
        self.functions: dict[str, sam.CfnFunction] = {}
        self.roles: dict[str, iam.Role] = {}
        handler = api.chalice.get_resource(function_id(names.API_HANDLER))
        assert isinstance(handler, sam.CfnFunction)
        for name, module in names.API_AUDIENCES.items():
            role = iam.Role(self, f"{name}Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
            self.roles[module] = role
            self.functions[module] = self._function(name, module, handler, role)
            self._route(name, module)
        self._grant_orders(data, analytics, (self.roles[PUBLIC], self.roles[CLIENTS]))
        self._grant_reference(data, self.roles[PUBLIC], PUBLIC_REFERENCE)
        self._grant_reference(data, self.roles[CLIENTS], CLIENT_REFERENCE)
        self._grant_board(data, self.roles[PUBLIC])
        self._grant_staff(data, analytics, auth, self.roles[STAFF])

    def _function(self, name: str, module: str, handler: sam.CfnFunction, role: iam.Role) -> sam.CfnFunction:
        function = sam.CfnFunction(
            self,
            name,
            **{setting: getattr(handler, setting) for setting in SHARED},
            handler=f"chalicelib.audiences.{module}.app",
            environment=handler.environment,
            tags=handler.tags.tag_values(),
            role=role.role_arn,
        )
        group = own_log_group(self, function, name)
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[group.log_group_arn]
            )
        )
        # What SAM would attach for Tracing: Active if the function did not bring its own role.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources=["*"]
            )
        )
        acknowledge(
            role, ("AwsSolutions-IAM5[Resource::*]", 'X-Ray\'s writes accept no other resource than "*".')
        )
        return function

    def _route(self, name: str, module: str) -> None:
        """The audience's routes integrate with its function; API Gateway may invoke it."""
        function = self.functions[module]
        rest_api = self._api.rest_api
        uri = Fn.sub(INTEGRATION, {"Arn": function.get_att("Arn").to_string()})
        for path, method in routes(module):
            rest_api.add_property_override(
                f"DefinitionBody.paths.{_escaped(path)}.{method.lower()}.x-amazon-apigateway-integration.uri",
                uri,
            )
        lambda_.CfnPermission(
            self,
            f"{name}InvokePermission",
            action="lambda:InvokeFunction",
            function_name=function.ref,
            principal="apigateway.amazonaws.com",
            source_arn=Fn.sub(
                "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestAPIId}/*",
                {"RestAPIId": rest_api.ref},
            ),
        )

    def allow_origin(self, url: str) -> None:
        """Only the pages' scripts may read the API's answers in a browser (Open311 stays open)."""
        handler = self._api.chalice.get_resource(function_id(names.API_HANDLER))
        for function in (handler, *self.functions.values()):
            function.add_property_override(f"Environment.Variables.{names.ENV_ALLOWED_ORIGIN}", url)

    def _grant_orders(self, data: Data, analytics: Analytics, roles: Iterable[iam.Role]) -> None:
        """A request received, tracked, rated or answered: the work orders, the work-order machine
        (started at intake, woken by a rating or a partner's result), the attachments' uploads, and
        the serving dispatch model (read)."""
        machine = self._api.machine_arns[names.WORK_ORDER_MACHINE_SPEC.name]
        for role in roles:
            data.work_orders.grant_read_write_data(role)
            role.add_to_policy(iam.PolicyStatement(actions=["states:StartExecution"], resources=[machine]))
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
                    resources=[machine],
                )
            )
            self._grant_uploads(data, role)
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["s3:GetObject"], resources=[analytics.objects(names.DISPATCH_MODELS_PREFIX)]
                )
            )
            acknowledge(
                role,
                (
                    f"AwsSolutions-IAM5[Resource::<{logical_id(analytics.bucket)}.Arn>/"
                    f"{names.DISPATCH_MODELS_PREFIX}*]",
                    "The dispatch models: the index and each model is a file of its own under one prefix.",
                ),
            )

    def _grant_uploads(self, data: Data, role: iam.Role) -> None:
        """Presigned uploads (signed with this role), copied to the kept prefix at intake."""
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:GetObject"],
                resources=[
                    data.attachments.arn_for_objects(f"{names.UPLOAD_PREFIX}*"),
                    data.attachments.arn_for_objects(f"{names.KEPT_PREFIX}*"),
                ],
            )
        )
        # Without ListBucket, S3 answers a missing upload with 403 instead of 404.
        role.add_to_policy(
            iam.PolicyStatement(actions=["s3:ListBucket"], resources=[data.attachments.bucket_arn])
        )
        acknowledge(
            role,
            *(
                (
                    f"AwsSolutions-IAM5[Resource::<{logical_id(data.attachments)}.Arn>/{prefix}*]",
                    "Objects under one prefix of the attachments bucket: each upload has a key of its own.",
                )
                for prefix in (names.UPLOAD_PREFIX, names.KEPT_PREFIX)
            ),
            (
                f"AwsSolutions-IAM5[Resource::<{logical_id(data.work_orders)}.Arn>/index/*]",
                "Queries on the work-order table's own GSIs (tracking, a requester's open orders).",
            ),
        )

    def _grant_reference(self, data: Data, role: iam.Role, partitions: tuple[str, ...]) -> None:
        role.add_to_policy(
            iam.PolicyStatement(
                actions=list(REFERENCE_READS),
                resources=[data.reference.table_arn],
                conditions={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": list(partitions)}},
            )
        )

    def _grant_board(self, data: Data, role: iam.Role) -> None:
        """The effectiveness board (Art. 34) reads what the monthly run stored: reads only, no index."""
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:Query"], resources=[data.insights.table_arn]
            )
        )

    def _grant_staff(self, data: Data, analytics: Analytics, auth: StaffAuth, role: iam.Role) -> None:
        """The staff portal: what the functions' shared role has, less the stream, the facts, the
        analytics key and the Athena results that only the stream consumer and the analytics runs
        use."""
        for table in (data.work_orders, data.reference, data.insights, data.messages):
            table.grant_read_write_data(role)
        self._grant_uploads(data, role)
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:PutObject", "s3:GetObject"],
                resources=[
                    data.exports.arn_for_objects(f"{names.EXPORT_PREFIX}*"),
                    analytics.objects(names.DISPATCH_MODELS_PREFIX),
                ],
            )
        )
        every = (*names.MACHINES, *names.ANALYTICS_MACHINES)
        machines = [self._api.machine_arns[spec.name] for spec in every]
        role.add_to_policy(iam.PolicyStatement(actions=["states:StartExecution"], resources=machines))
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
                resources=[self._api.machine_arns[names.WORK_ORDER_MACHINE_SPEC.name]],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=list(STAFF_ADMIN_ACTIONS), resources=[auth.user_pool.user_pool_arn])
        )
        indexed = [(data.tables[spec.construct_id], spec) for spec in names.TABLES if spec.indexes]
        acknowledge(
            role,
            *(
                (
                    f"AwsSolutions-IAM5[Resource::<{logical_id(table)}.Arn>/index/*]",
                    f"Queries on the table's own GSIs ({', '.join(index.name for index in spec.indexes)}).",
                )
                for table, spec in indexed
            ),
            (
                f"AwsSolutions-IAM5[Resource::<{logical_id(data.exports)}.Arn>/{names.EXPORT_PREFIX}*]",
                "Staff exports: each file has a key of its own under the exports prefix.",
            ),
            (
                f"AwsSolutions-IAM5[Resource::<{logical_id(analytics.bucket)}.Arn>/{names.DISPATCH_MODELS_PREFIX}*]",
                "The dispatch models: the index and each model is a file of its own under one prefix.",
            ),
        )
