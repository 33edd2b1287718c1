"""One Logger, Tracer and Metrics for every function (Powertools)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

from .names import APP_NAME

logger = Logger(service=APP_NAME)
tracer = Tracer(service=APP_NAME)
metrics = Metrics(namespace="Jiesu", service=APP_NAME)

__all__ = ["MetricUnit", "logger", "metrics", "tracer"]
