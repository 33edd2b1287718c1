"""Builds the adapters from settings, once per container. Tests swap in their own with `use`.

Every adapter, and the settings with them, is imported when a function first asks for it: an entry
module that imports `deps` loads none of them (the API's import-time budget, docs/benchmarks.md)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .adapters.analytics import AnalyticsRuns
    from .adapters.cognito import CognitoTokens
    from .domain.accounts import Directory, Revocations
    from .domain.attachments import Uploads
    from .domain.deadlines import TimeLimits
    from .domain.exports import Workbooks
    from .domain.facts import FactsSink
    from .domain.handling_sheet import SheetPrinter
    from .domain.inbox import Messages
    from .domain.insights import AnalyticsPolicy
    from .domain.insights_store import Insights, QueryResults
    from .domain.ports import Clock, Notifier, Workflows, WorkOrders
    from .domain.publication import PublicationPolicy
    from .domain.reference import Reference
    from .domain.smart_dispatch import DispatchModel, DispatchModels
    from .domain.whistles import Whistles
    from .settings import Settings


def _client(service: str) -> Any:
    import boto3  # imported on first use: keeps cold starts of functions that never call AWS short

    return boto3.client(service)


@dataclass
class Dependencies:
    config: Settings

    @cached_property
    def orders(self) -> WorkOrders:
        from .adapters.dynamodb import DynamoWorkOrders

        return DynamoWorkOrders(_client("dynamodb"), self.config.work_orders_table)

    @cached_property
    def whistles(self) -> Whistles:
        from .adapters.dynamodb_whistles import DynamoWhistles

        return DynamoWhistles(_client("dynamodb"), self.config.work_orders_table)

    @cached_property
    def reference(self) -> Reference:
        from .adapters.dynamodb_reference import DynamoReference

        return DynamoReference(_client("dynamodb"), self.config.reference_table)

    @cached_property
    def workflows(self) -> Workflows:
        from .adapters.stepfunctions import StepFunctionsWorkflows

        return StepFunctionsWorkflows(
            _client("stepfunctions"),
            self.config.work_order_state_machine_arn,
            self.config.whistle_state_machine_arn,
            next_step=self._next_step,
        )

    def _next_step(self, order_id: str) -> dict[str, Any]:
        from .domain import workflow

        checkpoint = workflow.advance(order_id, orders=self.orders, clock=self.clock, limits=self.limits)
        return checkpoint.model_dump(mode="json")

    @cached_property
    def notifier(self) -> Notifier:
        """Staff notices are also kept for the message centre and sent as each member chose."""
        from .adapters.notifications import SnsNotifier
        from .domain.inbox import KeepingNotifier

        sent = SnsNotifier(
            _client("sns"),
            self.config.unit_topic_arn,
            self.config.requester_sms,
            mail=lambda: _client("sesv2"),
            sender=self.config.notice_sender,
        )
        return KeepingNotifier(sent, self.messages, self.clock)

    @cached_property
    def messages(self) -> Messages:
        from .adapters.dynamodb_inbox import DynamoMessages

        return DynamoMessages(_client("dynamodb"), self.config.messages_table)

    @cached_property
    def uploads(self) -> Uploads:
        from .adapters.s3 import S3Uploads
        from .domain.attachments import SNIFF_BYTES

        return S3Uploads(_client("s3"), self.config.attachments_bucket, SNIFF_BYTES)

    @cached_property
    def workbooks(self) -> Workbooks:
        from .adapters.workbooks import S3Workbooks

        return S3Workbooks(_client("s3"), self.config.exports_bucket)

    @cached_property
    def sheets(self) -> SheetPrinter:
        from .adapters.pdf_sheets import S3SheetPrinter

        return S3SheetPrinter(_client("s3"), self.config.exports_bucket)

    @cached_property
    def tokens(self) -> CognitoTokens:
        # Imported on first use: only the staff authorizer verifies tokens (PyJWT + cryptography).
        from .adapters.cognito import CognitoTokens

        return CognitoTokens(
            self.config.jwks_url, self.config.cognito_issuer, self.config.user_pool_client_id
        )

    @cached_property
    def revocations(self) -> Revocations:
        """Read by the staff authorizer, written by the admin routes (adapters/revocations.py says
        why its short cache may live as long as the container)."""
        from .adapters.revocations import DynamoRevocations

        return DynamoRevocations(
            _client("dynamodb"), self.config.reference_table, self.config.revocation_cache_seconds
        )

    @cached_property
    def directory(self) -> Directory:
        from .adapters.cognito_directory import CognitoDirectory

        return CognitoDirectory(_client("cognito-idp"), self.config.user_pool_id)

    # --- analytics (imported on first use: only the stream consumer and the analytics runs) -------

    @cached_property
    def facts(self) -> FactsSink:
        from .adapters.analytics import S3Facts

        return S3Facts(_client("s3"), self.config.analytics_bucket)

    @cached_property
    def analytics_key(self) -> bytes:
        """The key of the requester and place hashes, from Secrets Manager once per container."""
        secret = _client("secretsmanager").get_secret_value(SecretId=self.config.analytics_key_secret_arn)
        return str(secret["SecretString"]).encode("utf-8")

    @cached_property
    def insights(self) -> Insights:
        from .adapters.analytics import DynamoInsights

        return DynamoInsights(_client("dynamodb"), self.config.insights_table)

    @cached_property
    def query_results(self) -> QueryResults:
        from .adapters.analytics import AthenaResults

        return AthenaResults(_client("athena"))

    @cached_property
    def analytics_runs(self) -> AnalyticsRuns:
        from .adapters.analytics import AnalyticsRuns

        return AnalyticsRuns(
            _client("stepfunctions"),
            self.config.analytics_monthly_machine_arn,
            self.config.analytics_daily_machine_arn,
        )

    @cached_property
    def analytics_policy(self) -> AnalyticsPolicy:
        from .reference_data import analytics_policy

        return analytics_policy()

    @cached_property
    def clock(self) -> Clock:
        from .clock import ScaledClock, SystemClock

        if self.config.time_scale != 1 and self.config.clock_epoch is not None:
            return ScaledClock(self.config.clock_epoch, self.config.time_scale)
        return SystemClock()

    @cached_property
    def dispatch_models(self) -> DispatchModels:
        from .adapters.models import S3DispatchModels
        from .reference_data import normaliser

        return S3DispatchModels(_client("s3"), self.config.analytics_bucket, normaliser())

    @property
    def dispatch_model(self) -> DispatchModel:
        """The dispatch model that serves suggestions and automatic dispatch: the one a retraining
        run or an analyst put in service, else the one shipped with the code (read on first use)."""
        from .reference_data import shipped_model

        return self.dispatch_models.serving(shipped_model())

    @property
    def publication(self) -> PublicationPolicy:
        """What Open311 and the public pages publish: the stage's setting, else the shipped file."""
        from .reference_data import publication_policy

        return self.config.publication or publication_policy()

    @property
    def limits(self) -> TimeLimits:
        """The time limits in force: an admin's edit reaches every container within a minute."""
        return self.reference.time_limits()


_current: Dependencies | None = None


def deps() -> Dependencies:
    global _current
    if _current is None:
        from .settings import settings

        _current = Dependencies(settings())
    return _current


def use(dependencies: Dependencies | None) -> None:
    """Replace the dependencies (tests), or forget them so the next call rebuilds from settings."""
    global _current
    _current = dependencies
    if dependencies is None:
        from .settings import settings

        settings.cache_clear()
