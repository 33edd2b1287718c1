"""The Jiesu stack: composes one construct per concern and publishes what clients need."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Stack, Tags
from constructs import Construct

from .analytics import Analytics
from .api import API_GATEWAY_STAGE, Api, function_id
from .audiences import ApiAudiences
from .auth import StaffAuth
from .data import Data
from .frontend import CustomDomain, Frontend, FrontendConfig
from .layer import DependenciesLayer
from .monitoring import Monitoring
from .project import names
from .seed import ReferenceSeed
from .streams import StreamFailures
from .throttling import Throttling
from .workflows import WorkflowReconciler, Workflows, machine_arns


class JiesuStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        layer_dir: Path,
        frontend_dir: Path,
        stage: str,
        domain: CustomDomain | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        Tags.of(self).add("project", names.APP_NAME)

        data = Data(self, "Data")
        analytics = Analytics(self, "Analytics", topic=data.unit_topic)
        auth = StaffAuth(self, "Auth")
        layer = DependenciesLayer(self, "Dependencies", directory=layer_dir)
        api = Api(
            self,
            "Api",
            data=data,
            auth=auth,
            analytics=analytics,
            layer=layer.layer,
            machine_arns=machine_arns(self),
            stage=stage,
        )
        audiences = ApiAudiences(self, "Audiences", api=api, data=data, analytics=analytics, auth=auth)
        Throttling(self, "Throttling", rest_api=api.rest_api)
        workflows = Workflows(self, "Workflows", function=api.function, analytics=analytics)
        analytics.schedule(workflows.analytics_machines)
        ReferenceSeed(
            self,
            "Seed",
            function=api.function(names.FN_SEED_REFERENCE),
            function_id=function_id(names.FN_SEED_REFERENCE),
            after=api.grants,
        )
        # Every open order has a running workflow; what failed lands in a dead-letter queue.
        reconciler = WorkflowReconciler(self, "Reconciler", api=api, table=data.work_orders)
        stream = StreamFailures(self, "StreamFailures", api=api)
        monitoring = Monitoring(
            self,
            "Monitoring",
            work_order=workflows.work_order,
            whistle=workflows.whistle,
            analytics=workflows.analytics_machines,
            api_name=api.api_name,
            api_stage=API_GATEWAY_STAGE,
            dead_letters={
                "StreamDeadLetters": (
                    stream.dead_letters,
                    "The stream consumer failed on work-order changes after its retries: their "
                    "notices were not sent and their facts not exported (docs/deploy.md, Failures).",
                ),
                "ReconcilerDeadLetters": (
                    reconciler.dead_letters,
                    "A workflow reconciler pass failed or could not be delivered: orders whose "
                    "workflow did not start wait for the next pass (docs/deploy.md, Failures).",
                ),
            },
        )
        frontend = Frontend(
            self,
            "Frontend",
            dist=frontend_dir,
            config=FrontendConfig(
                api_url=api.url("/api/v1"),
                region=self.region,
                user_pool_id=auth.user_pool.user_pool_id,
                user_pool_client_id=auth.client.user_pool_client_id,
                stage=stage,
            ),
            # Any API of this account's region: naming this one would make the distribution depend
            # on the API, which names the distribution as the one origin its answers are for.
            api_origin=f"https://*.execute-api.{self.region}.{self.url_suffix}",
            attachments=data.attachments,
            domain=domain,
        )

        audiences.allow_origin(frontend.url)

        # What the frontend's config.json and the operators need (API.md, Local configuration).
        CfnOutput(self, "FrontendUrl", value=frontend.url)
        CfnOutput(self, "ApiUrl", value=api.url("/api/v1"))
        CfnOutput(self, "Region", value=self.region)
        CfnOutput(self, "UserPoolId", value=auth.user_pool.user_pool_id)
        CfnOutput(self, "UserPoolClientId", value=auth.client.user_pool_client_id)
        # WorkOrderStateMachineArn, WhistleStateMachineArn, AnalyticsMonthlyStateMachineArn and
        # AnalyticsDailyStateMachineArn.
        for spec in (*names.MACHINES, *names.ANALYTICS_MACHINES):
            machine = workflows.machines[spec.name]
            CfnOutput(self, f"{spec.construct_id}StateMachineArn", value=machine.state_machine_arn)
        CfnOutput(self, "UnitNotificationsTopicArn", value=data.unit_topic.topic_arn)
        CfnOutput(self, "AlarmTopicArn", value=monitoring.topic.topic_arn)
        # Where analysts query the facts themselves (Athena console, same workgroup and limits).
        CfnOutput(self, "AnalyticsBucketName", value=analytics.bucket.bucket_name)
        CfnOutput(self, "AnalyticsWorkGroup", value=analytics.workgroup.ref)
        CfnOutput(self, "AnalyticsDatabase", value=analytics.database.ref)
