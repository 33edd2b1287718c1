from datetime import UTC, datetime

import pytest
from chalicelib.clock import FixedClock
from chalicelib.domain.deadlines import TimeLimits
from chalicelib.domain.model import Submission

from tests.fakes import MemoryReference, MemoryWorkOrders, RecordingWorkflows


@pytest.fixture(autouse=True)
def _no_network(socket_disabled):
    """Unit tests are pure: any socket use fails the test."""


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 11, 26, 1, 30, tzinfo=UTC))


@pytest.fixture
def orders():
    return MemoryWorkOrders()


@pytest.fixture
def reference():
    return MemoryReference()


@pytest.fixture
def workflows():
    return RecordingWorkflows()


@pytest.fixture
def limits():
    return TimeLimits()


@pytest.fixture
def submission():
    return Submission.model_validate(
        {
            "type": "complaint",
            "content": "胡同路灯昏暗，晚上经常有人摔跤",
            "category": "street_lighting",
            "location": {"district": "110101", "street": "110101004", "address": "东城区安定门街道方家胡同"},
            "requester": {"name": "刘先生", "phone": "13800001234", "kind": "person"},
        }
    )
