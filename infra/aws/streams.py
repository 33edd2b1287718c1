"""The work-order stream consumer's failures: a batch the function keeps failing on is split in
halves to isolate the record, retried names.STREAM_RETRY_ATTEMPTS times, and then described in a
dead-letter queue (the records themselves stay in the stream for 24 hours) instead of holding up
the shard; monitoring.py alarms on the queue."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sqs as sqs
from chalice.utils import to_cfn_resource_name
from constructs import Construct

from .api import Api, function_id
from .project import names
from .workflows import dead_letter_queue


def stream_event(function: str) -> str:
    """The name Chalice gives a consumer's DynamoDB event in the SAM template."""
    return to_cfn_resource_name(f"{function}-dynamodb-event-source")


# A record older than this is given up on (the stream keeps records for 24 hours).
MAX_RECORD_AGE = Duration.hours(6)


class StreamFailures(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, api: Api) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters: sqs.Queue = dead_letter_queue(self, "DeadLetters")
        sends = iam.Grant.add_to_principal(
            grantee=api.role, actions=["sqs:SendMessage"], resource_arns=[self.dead_letters.queue_arn]
        )
        for function in names.STREAM_CONSUMERS:  # the notices' and the facts' consumers alike
            consumer = api.chalice.get_resource(function_id(function))
            event = f"Events.{stream_event(function)}.Properties"
            consumer.add_property_override(f"{event}.MaximumRetryAttempts", names.STREAM_RETRY_ATTEMPTS)
            consumer.add_property_override(f"{event}.BisectBatchOnFunctionError", True)
            consumer.add_property_override(f"{event}.MaximumRecordAgeInSeconds", MAX_RECORD_AGE.to_seconds())
            consumer.add_property_override(
                f"{event}.DestinationConfig",
                {"OnFailure": {"Type": "SQS", "Destination": self.dead_letters.queue_arn}},
            )
            # The event source mapping sends with the function's role (SAM adds nothing to a role
            # it did not create); the grant must exist before the mapping is created.
            sends.apply_before(consumer)
