from datetime import UTC, datetime
from typing import Any

import pytest
from chalicelib.clock import FixedClock
from chalicelib.domain import follow_up, handling, intake, workflow
from chalicelib.domain.deadlines import TimeLimits
from chalicelib.domain.model import Channel, Staff, Submission, WorkOrder
from chalicelib.reference_data import emergency_words

from tests.fakes import MemoryReference, MemoryUploads, MemoryWorkOrders, RecordingWorkflows

HANDLER = Staff(username="andingmen.handler", roles=frozenset({"handler"}), unit="110101004")
LEADER = Staff(username="andingmen.leader", roles=frozenset({"unit_leader"}), unit="110101004")
OTHER_STREET = Staff(username="jiaodaokou.handler", roles=frozenset({"handler"}), unit="110101003")
OPERATOR = Staff(username="operator1", roles=frozenset({"operator"}))
DISPATCHER = Staff(username="dispatcher1", roles=frozenset({"dispatcher"}))
SUPERVISOR = Staff(username="supervisor1", roles=frozenset({"supervisor"}))
ADMIN = Staff(username="admin1", roles=frozenset({"admin"}))


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
def limits():
    return TimeLimits()


@pytest.fixture
def reference(limits):
    return MemoryReference(limits)


@pytest.fixture
def workflows():
    return RecordingWorkflows()


@pytest.fixture
def submission():
    return Submission.model_validate(
        {
            "type": "complaint",
            "content": "胡同口垃圾桶满了好几天没人清运，气味很大",
            "category": "garbage_collection",
            "location": {"district": "110101", "street": "110101004", "address": "东城区安定门街道方家胡同"},
            "requester": {"name": "刘先生", "phone": "13800001234", "kind": "person"},
        }
    )


class Hotline:
    """The domain with its fakes and a fixed clock: receive, let the workflow step, act."""

    def __init__(self, orders, reference, workflows, clock, limits, submission) -> None:
        self.orders = orders
        self.reference = reference
        self.workflows = workflows
        self.clock = clock
        self.limits = limits
        self.submission = submission
        self.codes: dict[str, str] = {}
        self.uploads = MemoryUploads()

    def receive(self, channel: Channel = Channel.WEB, **changes: Any) -> str:
        receipt = intake.receive(
            self.submission.model_copy(update=changes),
            channel,
            orders=self.orders,
            reference=self.reference,
            workflows=self.workflows,
            clock=self.clock,
            limits=self.limits,
            emergencies=emergency_words(),
            knowledge=self.reference.knowledge(),
            uploads=self.uploads,
        )
        self.codes[receipt.id] = receipt.tracking_code
        return receipt.id

    def dispatched(self, **changes: Any) -> str:
        """Given an order received and dispatched by the catalogue."""
        order_id = self.receive(**changes)
        self.dispatch(order_id)
        return order_id

    def dispatch(self, order_id: str) -> workflow.Checkpoint:
        return workflow.dispatch(
            order_id, orders=self.orders, reference=self.reference, clock=self.clock, limits=self.limits
        )

    def advance(self, order_id: str) -> workflow.Checkpoint:
        return workflow.advance(order_id, orders=self.orders, clock=self.clock, limits=self.limits)

    def act(self, order_id: str, action: handling.Action, staff: Staff = HANDLER, version: int | None = None):
        order = self.orders.get(order_id)
        return handling.perform(
            order,
            order.version if version is None else version,
            staff,
            action,
            orders=self.orders,
            workflows=self.workflows,
            clock=self.clock,
        )

    def handled(self, order_id: str) -> WorkOrder:
        """Signed, contacted and replied; the workflow has started the follow-up."""
        self.act(order_id, handling.sign)
        self.act(order_id, handling.contact("电话已联系"))
        self.act(order_id, handling.reply("已修复", True))
        self.advance(order_id)
        return self.orders.get(order_id)

    def rate(self, order_id: str, resolved: bool = True, satisfaction: str = "satisfied") -> WorkOrder:
        form = follow_up.EvaluationForm(
            code=self.codes[order_id], resolved=resolved, satisfaction=satisfaction
        )
        return follow_up.rate(
            order_id, form, orders=self.orders, workflows=self.workflows, clock=self.clock, limits=self.limits
        )

    def order(self, order_id: str) -> WorkOrder:
        return self.orders.get(order_id)


@pytest.fixture
def hotline(orders, reference, workflows, clock, limits, submission):
    return Hotline(orders, reference, workflows, clock, limits, submission)


def suggested(reference, text, location=None):
    """What the form or the operator is offered for `text`, by the shipped dispatch model."""
    from datetime import date

    from chalicelib.domain import suggest
    from chalicelib.reference_data import catalogue_levels, gazetteer, knowledge_base, shipped_model

    return suggest.suggest(
        text,
        location,
        model=shipped_model(),
        reference=reference,
        levels=catalogue_levels(),
        gazetteer=gazetteer(),
        emergencies=emergency_words(),
        knowledge=list(knowledge_base()),
        today=date(2026, 11, 26),
    )
