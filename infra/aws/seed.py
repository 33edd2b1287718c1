"""Loads the reference data that ships with the functions into the reference table on every deploy
that changes it."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import CustomResource, RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct, IDependable

from .nag import acknowledge
from .project import FUNCTIONS, REFERENCE_DATA, files_hash


def reference_data_hash() -> str:
    """Changes when a data file, or the code that derives units and categories from them, changes."""
    data = [path for path in REFERENCE_DATA.rglob("*") if path.is_file() and path.suffix != ".md"]
    return files_hash([*data, FUNCTIONS / "chalicelib" / "reference_data.py"])


class ReferenceSeed(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.IFunction,
        function_id: str,
        after: Sequence[IDependable],
    ) -> None:
        super().__init__(scope, construct_id)
        # The Provider framework fails the deployment when the seed function fails, which a bare
        # Lambda Invoke from an AwsCustomResource would report as success.
        self.provider = cr.Provider(
            self,
            "Provider",
            on_event_handler=function,
            log_group=logs.LogGroup(
                self,
                "ProviderLogs",
                retention=logs.RetentionDays.ONE_MONTH,
                removal_policy=RemovalPolicy.DESTROY,
            ),
        )
        self.resource = CustomResource(
            self,
            "ReferenceData",
            service_token=self.provider.service_token,
            resource_type="Custom::ReferenceData",
            properties={"DataHash": reference_data_hash()},
        )
        for dependency in after:
            self.resource.node.add_dependency(dependency)
        acknowledge(
            self.provider,
            (
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaBasicExecutionRole]",
                "CDK's custom-resource framework function: the managed policy only lets it write its logs.",
            ),
            (
                f"AwsSolutions-IAM5[Resource::<{function_id}.Arn>:*]",
                "The framework may invoke the seed function's versions and aliases, and nothing else.",
            ),
        )
