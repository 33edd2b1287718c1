"""The time limits in force, in the reference table (the defaults until an admin saves them)."""

from __future__ import annotations

from ..domain.deadlines import DEFAULT_LIMITS, TimeLimits, TimeLimitsStore
from ..domain.errors import StaleVersion
from .dynamodb_documents import ReferenceTable, expecting

TIME_LIMITS = "time_limits"


class DynamoTimeLimits(ReferenceTable, TimeLimitsStore):
    def time_limits(self) -> TimeLimits:
        doc = self._doc("CONFIG", TIME_LIMITS)
        return TimeLimits.model_validate(doc) if doc else DEFAULT_LIMITS

    def put_time_limits(self, limits: TimeLimits, expected_version: int) -> TimeLimits:
        stored = self._doc("CONFIG", TIME_LIMITS)
        if stored is None and expected_version != DEFAULT_LIMITS.version:
            raise StaleVersion("The time limits")
        condition = expecting(None if stored is None else expected_version)
        self._versioned_put(("CONFIG", TIME_LIMITS), limits, limits.version, condition, "The time limits")
        return limits
