"""Workflows: the Standard state machine that carries each work order from dispatch to closure."""

from __future__ import annotations

from collections.abc import Callable

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from .api import function_id
from .nag import acknowledge
from .project import STATEMACHINES, names


def machine_name(stack: Stack) -> str:
    """Named up front so the functions can be told its ARN before it exists (no dependency cycle)."""
    return f"{stack.stack_name}-{names.WORK_ORDER_MACHINE}"


def machine_arn(stack: Stack) -> str:
    return stack.format_arn(
        service="states",
        resource="stateMachine",
        resource_name=machine_name(stack),
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )


class Workflows(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, function: Callable[[str], lambda_.IFunction]
    ) -> None:
        super().__init__(scope, construct_id)
        name = machine_name(Stack.of(self))
        tasks = {placeholder: function(fn) for placeholder, fn in names.WORK_ORDER_PLACEHOLDERS.items()}
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/vendedlogs/states/{name}",
            retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=RemovalPolicy.DESTROY,
        )
        # from_string, not from_file: the ASL stays inline, visible to template tests and cfn-lint.
        asl = (STATEMACHINES / names.WORK_ORDER_ASL).read_text(encoding="utf-8")
        self.work_order = sfn.StateMachine(
            self,
            "WorkOrder",
            state_machine_name=name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string(asl),
            definition_substitutions={placeholder: fn.function_arn for placeholder, fn in tasks.items()},
            logs=sfn.LogOptions(
                destination=self.log_group, level=sfn.LogLevel.ERROR, include_execution_data=False
            ),
            tracing_enabled=True,
        )
        for fn in tasks.values():
            fn.grant_invoke(self.work_order)
        acknowledge(
            self.work_order,
            (
                "AwsSolutions-SF1",
                "Only errors are logged, without execution data: orders carry requesters' "
                "names and phone numbers, and the order timeline is the audit record.",
            ),
            (
                "AwsSolutions-IAM5[Resource::*]",
                "Log delivery and X-Ray actions, which IAM only accepts on "
                '"*" (added by CDK for logging and tracing).',
            ),
            *(
                (
                    f"AwsSolutions-IAM5[Resource::<{function_id(fn)}.Arn>:*]",
                    "The task function's versions and aliases (CDK's grant_invoke adds them).",
                )
                for fn in names.WORK_ORDER_PLACEHOLDERS.values()
            ),
        )
