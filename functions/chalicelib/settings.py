"""Settings, parsed once at cold start from the environment the CDK app (or the local stack) sets."""

from __future__ import annotations

import os
from datetime import datetime
from functools import cache

from pydantic import BaseModel, ConfigDict

from . import names
from .domain.publication import PublicationPolicy


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    stage: str = "dev"
    work_orders_table: str
    reference_table: str
    work_order_state_machine_arn: str = ""
    whistle_state_machine_arn: str = ""
    unit_topic_arn: str = ""
    attachments_bucket: str = ""
    analytics_bucket: str = ""
    exports_bucket: str = ""
    analytics_key_secret_arn: str = ""
    insights_table: str = ""
    messages_table: str = ""
    notice_sender: str = ""
    analytics_monthly_machine_arn: str = ""
    analytics_daily_machine_arn: str = ""
    requester_sms: bool = False
    user_pool_id: str = ""
    user_pool_client_id: str = ""
    jwks_url: str = ""
    cognito_issuer: str = ""
    cognito_endpoint: str | None = None
    time_scale: float = 1.0
    clock_epoch: datetime | None = None
    revocation_cache_seconds: float = names.REVOCATION_CACHE_SECONDS
    publication: PublicationPolicy | None = None  # None: the shipped data/publication.json
    allowed_origin: str | None = None  # None: CORS answers any origin
    retrain_folds: int = names.RETRAIN_FOLDS


@cache
def settings() -> Settings:
    env = os.environ
    return Settings(
        stage=env.get(names.ENV_STAGE, "dev"),
        work_orders_table=env.get(names.ENV_WORK_ORDERS_TABLE, ""),
        reference_table=env.get(names.ENV_REFERENCE_TABLE, ""),
        work_order_state_machine_arn=env.get(names.ENV_WORK_ORDER_STATE_MACHINE_ARN, ""),
        whistle_state_machine_arn=env.get(names.ENV_WHISTLE_STATE_MACHINE_ARN, ""),
        unit_topic_arn=env.get(names.ENV_UNIT_TOPIC_ARN, ""),
        attachments_bucket=env.get(names.ENV_ATTACHMENTS_BUCKET, ""),
        analytics_bucket=env.get(names.ENV_ANALYTICS_BUCKET, ""),
        exports_bucket=env.get(names.ENV_EXPORTS_BUCKET, ""),
        analytics_key_secret_arn=env.get(names.ENV_ANALYTICS_KEY_SECRET_ARN, ""),
        insights_table=env.get(names.ENV_INSIGHTS_TABLE, ""),
        messages_table=env.get(names.ENV_MESSAGES_TABLE, ""),
        notice_sender=env.get(names.ENV_NOTICE_SENDER, ""),
        analytics_monthly_machine_arn=env.get(names.ENV_ANALYTICS_MONTHLY_MACHINE_ARN, ""),
        analytics_daily_machine_arn=env.get(names.ENV_ANALYTICS_DAILY_MACHINE_ARN, ""),
        requester_sms=env.get(names.ENV_REQUESTER_SMS, "false").lower() == "true",
        user_pool_id=env.get(names.ENV_USER_POOL_ID, ""),
        user_pool_client_id=env.get(names.ENV_USER_POOL_CLIENT_ID, ""),
        jwks_url=env.get(names.ENV_JWKS_URL, ""),
        cognito_issuer=env.get(names.ENV_COGNITO_ISSUER, ""),
        cognito_endpoint=env.get(names.ENV_COGNITO_ENDPOINT) or None,
        time_scale=float(env.get(names.ENV_TIME_SCALE) or 1),
        clock_epoch=env.get(names.ENV_CLOCK_EPOCH) or None,
        revocation_cache_seconds=min(
            60.0, float(env.get(names.ENV_REVOCATION_CACHE_SECONDS) or names.REVOCATION_CACHE_SECONDS)
        ),
        allowed_origin=env.get(names.ENV_ALLOWED_ORIGIN) or None,
        retrain_folds=int(env.get(names.ENV_RETRAIN_FOLDS) or names.RETRAIN_FOLDS),
        publication=(
            PublicationPolicy.model_validate_json(env[names.ENV_PUBLICATION])
            if env.get(names.ENV_PUBLICATION)
            else None
        ),
    )
