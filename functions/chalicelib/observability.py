"""One Logger and one Metrics for every function (Powertools).

Tracing is Lambda's active tracing (set by the CDK app): X-Ray records every invocation, API
Gateway stage and Step Functions execution without an SDK in the function. The Powertools Tracer
would add subsegments per AWS call, but importing the X-Ray SDK doubles the cold-start import
time (docs/benchmarks.md), so the functions do without it."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from .names import APP_NAME

logger = Logger(service=APP_NAME)
metrics = Metrics(namespace="Jiesu", service=APP_NAME)

__all__ = ["MetricUnit", "logger", "metrics"]
