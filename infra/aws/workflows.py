"""Workflows: one Standard state machine per names.MACHINES and names.ANALYTICS_MACHINES entry. The
work-order machine carries each work order from dispatch to closure; the whistle machine watches a
street's summons until every department has reported; the analytics machines run the monthly and
daily Athena queries and store what they found (analytics.py adds their queries and permissions)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from .analytics import Analytics
from .api import function_id
from .nag import acknowledge
from .project import STATEMACHINES, names

# The work-order machine's log group keeps the construct id it had while it was the only machine.
# A new logical id would make CloudFormation create a group of the same (fixed) name before it
# deletes the old one, and that update fails.
LOG_GROUP_IDS = {names.WORK_ORDER_MACHINE_SPEC.name: "Logs"}


def machine_name(stack: Stack, spec: names.MachineSpec) -> str:
    """Named up front so the functions can be told its ARN before it exists (no dependency cycle)."""
    return f"{stack.stack_name}-{spec.name}"


def machine_arn(stack: Stack, spec: names.MachineSpec) -> str:
    return stack.format_arn(
        service="states",
        resource="stateMachine",
        resource_name=machine_name(stack, spec),
        arn_format=ArnFormat.COLON_RESOURCE_NAME,
    )


def machine_arns(stack: Stack) -> dict[str, str]:
    """Every machine's formatted ARN (work-order and analytics machines), by spec.name."""
    return {spec.name: machine_arn(stack, spec) for spec in (*names.MACHINES, *names.ANALYTICS_MACHINES)}


class Workflows(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: Callable[[str], lambda_.IFunction],
        analytics: Analytics,
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_groups: dict[str, logs.LogGroup] = {}
        self.machines = {spec.name: self._machine(spec, function) for spec in names.MACHINES}
        self.work_order = self.machines[names.WORK_ORDER_MACHINE_SPEC.name]
        self.whistle = self.machines[names.WHISTLE_MACHINE_SPEC.name]
        self.analytics_machines: dict[str, sfn.StateMachine] = {}
        for spec in names.ANALYTICS_MACHINES:
            machine = self._machine(spec, function, analytics.substitutions(spec))
            analytics.grant_run(machine, spec)
            self.analytics_machines[spec.name] = machine
        self.machines.update(self.analytics_machines)

    def _machine(
        self,
        spec: names.MachineSpec,
        function: Callable[[str], lambda_.IFunction],
        substitutions: Mapping[str, str] | None = None,
    ) -> sfn.StateMachine:
        """`substitutions` is what an analytics machine names besides its task functions (queries,
        workgroup, database, topic). Those machines log every state, still without execution data:
        a run is a handful of transitions a day, and the log shows where a month's run stopped."""
        name = machine_name(Stack.of(self), spec)
        tasks = {placeholder: function(fn) for placeholder, fn in spec.placeholders.items()}
        log_group = logs.LogGroup(
            self,
            LOG_GROUP_IDS.get(spec.name, f"{spec.construct_id}Logs"),
            log_group_name=f"/aws/vendedlogs/states/{name}",
            retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.log_groups[spec.name] = log_group
        # from_string, not from_file: the ASL stays inline, visible to template tests and cfn-lint.
        asl = (STATEMACHINES / spec.asl).read_text(encoding="utf-8")
        is_analytics = spec in names.ANALYTICS_MACHINES
        machine = sfn.StateMachine(
            self,
            spec.construct_id,
            state_machine_name=name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_string(asl),
            definition_substitutions={
                **{placeholder: fn.function_arn for placeholder, fn in tasks.items()},
                **(substitutions or {}),
            },
            logs=sfn.LogOptions(
                destination=log_group,
                level=sfn.LogLevel.ALL if is_analytics else sfn.LogLevel.ERROR,
                include_execution_data=False,
            ),
            tracing_enabled=True,
        )
        for fn in tasks.values():
            fn.grant_invoke(machine)
        if not is_analytics:
            acknowledge(
                machine,
                (
                    "AwsSolutions-SF1",
                    "Only errors are logged, without execution data: orders carry requesters' names "
                    "and phone numbers, and the order and whistle timelines are the audit record.",
                ),
            )
        acknowledge(
            machine,
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
                for fn in sorted(set(spec.placeholders.values()))
            ),
        )
        return machine
