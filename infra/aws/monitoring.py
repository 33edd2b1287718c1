"""Monitoring: an alarm when work-order, whistle or analytics workflows fail, one when the API
answers 5XX, and one for each dead-letter queue that holds anything (stream records the consumer
failed on, reconciler passes the scheduler could not deliver)."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from .project import names

FIVE_MINUTES = Duration.minutes(5)
# What a failed analytics run leaves undone, by machine (names.ANALYTICS_MACHINES).
ANALYTICS_FAILURES = {
    names.ANALYTICS_MONTHLY_MACHINE_SPEC.name: "The monthly analytics run failed: the month's rates, topic "
    "candidates and briefing are missing until it is run again.",
    names.ANALYTICS_DAILY_MACHINE_SPEC.name: "The daily analytics run failed: yesterday's changes are not "
    "compacted and the streets got no early warnings.",
}


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        work_order: sfn.IStateMachine,
        whistle: sfn.IStateMachine,
        analytics: Mapping[str, sfn.IStateMachine],
        api_name: str,
        api_stage: str,
        dead_letters: Mapping[str, tuple[sqs.IQueue, str]],
    ) -> None:
        """`dead_letters`: construct id of the alarm → (queue, what a message there means)."""
        super().__init__(scope, construct_id)
        # Operators subscribe to this topic (e-mail, chat) after the first deploy.
        self.topic = sns.Topic(
            self,
            "Alarms",
            display_name="Jiesu alarms",
            enforce_ssl=True,
            master_key=kms.Alias.from_alias_name(self, "SnsManagedKey", "alias/aws/sns"),
        )
        failed = [
            cloudwatch.Alarm(
                self,
                construct_id,
                alarm_description=description,
                metric=machine.metric_failed(period=FIVE_MINUTES, statistic="Sum"),
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            for construct_id, machine, description in (
                (
                    "WorkOrderExecutionsFailed",
                    work_order,
                    "A work-order workflow failed: its order no longer advances on its own.",
                ),
                (
                    "WhistleExecutionsFailed",
                    whistle,
                    "A whistle workflow failed: missed reports for duty are no longer escalated.",
                ),
                *(
                    (
                        f"{spec.construct_id}ExecutionsFailed",
                        analytics[spec.name],
                        ANALYTICS_FAILURES[spec.name],
                    )
                    for spec in names.ANALYTICS_MACHINES
                ),
            )
        ]
        api_errors = cloudwatch.Alarm(
            self,
            "Api5xx",
            alarm_description="The API answered 5XX errors (a function failed or timed out).",
            metric=cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name="5XXError",
                dimensions_map={"ApiName": api_name, "Stage": api_stage},
                period=FIVE_MINUTES,
                statistic="Sum",
            ),
            threshold=5,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        undelivered = [
            cloudwatch.Alarm(
                self,
                alarm_id,
                alarm_description=description,
                metric=queue.metric_approximate_number_of_messages_visible(
                    period=FIVE_MINUTES, statistic="Maximum"
                ),
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            for alarm_id, (queue, description) in dead_letters.items()
        ]
        for alarm in (*failed, api_errors, *undelivered):
            alarm.add_alarm_action(actions.SnsAction(self.topic))
