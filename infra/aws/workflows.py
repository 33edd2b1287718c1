"""Workflows: one Standard state machine per names.MACHINES and names.ANALYTICS_MACHINES entry. The
work-order machine carries each work order from dispatch to closure; the whistle machine watches a
street's summons until every department has reported; the analytics machines run the monthly and
daily Athena queries and store what they found (analytics.py adds their queries and permissions).
The reconciler (domain/reconcile.py) makes sure every open work order has its run: its own role and
its schedule are here."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from aws_cdk import ArnFormat, Aws, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from .analytics import Analytics
from .api import Api, function_id
from .nag import acknowledge, logical_id
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


# What the reconciler reads: the orders waiting for a run, and (a sweep) every open order by status.
RECONCILER_INDEXES = (names.WORK_ORDERS_PENDING_INDEX, names.WORK_ORDERS_STATUS_INDEX)


def dead_letter_queue(scope: Construct, construct_id: str) -> sqs.Queue:
    """A queue that keeps what failed for 14 days (the longest SQS keeps a message), encrypted,
    reachable over TLS only. An alarm fires when it holds anything (monitoring.py)."""
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )
    acknowledge(
        queue,
        (
            "AwsSolutions-SQS3",
            "This queue is itself a dead-letter queue (of an event source mapping or a schedule): "
            "what lands here stays for a person, behind an alarm.",
        ),
    )
    return queue


class WorkflowReconciler(Construct):
    """The reconciler function (names.FN_RECONCILE_WORKFLOWS) on a role of its own, started by
    EventBridge Scheduler every names.RECONCILE_SCHEDULE. Its role may read an order, take it off
    the waiting list, query the two indexes it walks, and start, describe, list and redrive the
    work-order machine's runs: nothing else (the API's role may not describe or redrive runs).
    A pass the scheduler could not deliver, or that failed, lands in `dead_letters`."""

    def __init__(self, scope: Construct, construct_id: str, *, api: Api, table: dynamodb.ITable) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        fid = function_id(names.FN_RECONCILE_WORKFLOWS)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Jiesu workflow reconciler: starts or redrives the runs of open work orders.",
        )
        api.chalice.get_resource(fid).add_property_override("Role", self.role.role_arn)
        log_group = api.node.find_child(f"{fid}Logs")
        assert isinstance(log_group, logs.LogGroup)
        # Pseudo parameters, not the stack's (possibly concrete) region and account: the ARN, and so
        # its cdk-nag finding below, reads the same in every environment.
        executions = (
            f"arn:{Aws.PARTITION}:states:{Aws.REGION}:{Aws.ACCOUNT_ID}:execution:"
            f"{machine_name(stack, names.WORK_ORDER_MACHINE_SPEC)}:*"
        )
        work_order = machine_arn(stack, names.WORK_ORDER_MACHINE_SPEC)
        for actions, resources in (
            (["logs:CreateLogStream", "logs:PutLogEvents"], [log_group.log_group_arn]),
            (["dynamodb:GetItem", "dynamodb:UpdateItem"], [table.table_arn]),
            (["dynamodb:Query"], [f"{table.table_arn}/index/{index.name}" for index in RECONCILER_INDEXES]),
            (["states:StartExecution", "states:ListExecutions"], [work_order]),
            (["states:DescribeExecution", "states:RedriveExecution"], [executions]),
            # Active tracing (as every function of the app): X-Ray accepts these only on "*".
            (["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"]),
        ):
            self.role.add_to_policy(iam.PolicyStatement(actions=actions, resources=resources))
        acknowledge(
            self.role,
            (
                "AwsSolutions-IAM5[Resource::*]",
                'The X-Ray writes of active tracing, which IAM only accepts on "*".',
            ),
            (
                f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:"
                f"execution:{machine_name(stack, names.WORK_ORDER_MACHINE_SPEC)}:*]",
                "The work-order machine's executions: one per order and run, named order-<number>[-r<k>].",
            ),
            (
                f"AwsSolutions-IAM5[Resource::<{logical_id(log_group)}.Arn>]",
                "The function's own log group: a group's Arn attribute covers its streams.",
            ),
        )
        self.dead_letters = dead_letter_queue(self, "ScheduleDeadLetters")
        function = api.function(names.FN_RECONCILE_WORKFLOWS)
        invoker = iam.Role(
            self,
            "ScheduleRole",
            assumed_by=iam.ServicePrincipal("scheduler.amazonaws.com"),
            description="Jiesu: EventBridge Scheduler invokes the workflow reconciler.",
        )
        acknowledge(
            invoker,
            (
                f"AwsSolutions-IAM5[Resource::<{fid}.Arn>:*]",
                "The reconciler function's versions and aliases (CDK's grant_invoke adds them).",
            ),
        )
        # The scheduler invokes asynchronously: a pass that raises (after one more try) is recorded
        # in the same queue as a pass the scheduler could not deliver.
        resource = api.chalice.get_resource(fid)
        on_failure = lambda_.CfnEventInvokeConfig(
            self,
            "OnFailure",
            function_name=resource.ref,
            qualifier="$LATEST",
            maximum_retry_attempts=1,
            destination_config=lambda_.CfnEventInvokeConfig.DestinationConfigProperty(
                on_failure=lambda_.CfnEventInvokeConfig.OnFailureProperty(
                    destination=self.dead_letters.queue_arn
                )
            ),
        )
        iam.Grant.add_to_principal(
            grantee=self.role, actions=["sqs:SendMessage"], resource_arns=[self.dead_letters.queue_arn]
        ).apply_before(on_failure)
        self.schedule = scheduler.Schedule(
            self,
            "Schedule",
            description=f"Jiesu: every open work order has a running workflow ({names.RECONCILE_SCHEDULE}).",
            schedule=scheduler.ScheduleExpression.expression(names.RECONCILE_SCHEDULE),
            target=targets.LambdaInvoke(
                function,
                input=scheduler.ScheduleTargetInput.from_object({}),
                role=invoker,
                dead_letter_queue=self.dead_letters,
                retry_attempts=2,
                # A pass the next one would repeat anyway is not worth more than its own interval.
                max_event_age=Duration.minutes(5),
            ),
        )
