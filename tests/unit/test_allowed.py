"""The actions an order's staff view offers are exactly the ones the domain accepts.

For generated orders in every status, and callers of every role in every relation to the order
(its first receiver, an assisting unit, another unit, the hotline centre), an action is offered
iff performing it — the role and unit check the route makes, then the action with well-formed
input — raises no forbidden, not-found, invalid or wrong-state error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from chalicelib.domain import (
    appeals,
    co_handling,
    dispatch,
    extensions,
    handling,
    objections,
    partners,
    review,
    revisit,
    supervision,
    triage,
)
from chalicelib.domain.access import Permission, require, require_visible
from chalicelib.domain.allowed import RULES
from chalicelib.domain.appeal_records import Appeal, AppealDecision, AppealGrounds
from chalicelib.domain.deadlines import TimeLimits
from chalicelib.domain.errors import DomainError
from chalicelib.domain.follow_up import Answers, by_phone
from chalicelib.domain.model import (
    Assist,
    AssistStatus,
    Evaluation,
    Extension,
    ExtensionDecision,
    ExtensionRequest,
    Objection,
    ObjectionGrounds,
    Place,
    Requester,
    Satisfaction,
    Staff,
    Status,
    WorkOrder,
)
from chalicelib.domain.revisit_record import Finding, Revisit, RevisitDecision
from chalicelib.domain.views import staff_view
from chalicelib.names import STAFF_ROLES
from chalicelib.reference_data import partners as known_partners
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakes import MemoryReference

NOW = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)
LIMITS = TimeLimits()
REFERENCE = MemoryReference(LIMITS)
STREET = "110101004"  # 安定门街道, the first receiver
UNITS = (STREET, "110101003", "110101-housing", "bj-lighting")
ROLES = STAFF_ROLES  # every role the directory knows
PARTNER = next(iter(known_partners().values()))
# Another order, open, that a repeat could merge into.
ORIGINAL = WorkOrder(
    id="202611260099",
    tracking_hash="x",
    type="complaint",
    status=Status.DISPATCHED,
    content="路灯不亮",
    location=Place(district="110101", street=STREET),
    requester=Requester(phone="13800001234"),
    first_receiver=STREET,
    created_at=NOW,
    updated_at=NOW,
)


def _assist_unit(order: WorkOrder) -> str:
    """A unit that could be asked to assist: not the first receiver, not assisting already."""
    taken = {order.first_receiver, *(a.unit for a in order.assists if a.open)}
    return next(u for u in (*UNITS[1:], "110101005") if u not in taken)


def _open_objection(order: WorkOrder) -> str:
    pending = order.open_objection()
    return pending.id if pending else f"{order.id}-1"


def _extended_to(order: WorkOrder) -> datetime:
    """A day later, or as late as the order's tier still allows."""
    later = (order.deadline or NOW) + timedelta(days=1)
    latest = extensions.room(order, LIMITS)[1]
    return later if latest is None else min(later, latest)


def _release_unit(order: WorkOrder) -> str:
    return next((a.unit for a in order.assists if a.open), "110101-housing")


# What each route asks of the caller (entrypoints/staff/) and the domain call it makes,
# with input that is well formed for the order as it is.
Call = Callable[[WorkOrder], handling.Action]
PERFORMED: dict[str, tuple[Permission, Call]] = {
    "sign": (Permission.HANDLE, lambda _o: handling.sign),
    "objection": (
        Permission.HANDLE,
        lambda _o: objections.object_to(ObjectionGrounds.DUTY, "不属于本单位职责"),
    ),
    "contact": (Permission.HANDLE, lambda _o: handling.contact(None)),
    "progress": (Permission.HANDLE, lambda _o: handling.progress("正在协调物业维修")),
    "assists": (
        Permission.HANDLE,
        lambda o: co_handling.request([_assist_unit(o)], o.deadline or NOW + timedelta(hours=1), REFERENCE),
    ),
    "release": (Permission.HANDLE, lambda o: co_handling.release(_release_unit(o), "已无需协办")),
    "extension": (
        Permission.HANDLE,
        lambda o: extensions.ask("需更换电缆", _extended_to(o), LIMITS),
    ),
    "extension-decision": (
        Permission.DECIDE_EXTENSION,
        lambda _o: extensions.decide(extensions.REFUSE, "清运属日常工作", LIMITS),
    ),
    "reply": (Permission.HANDLE, lambda _o: review.submit("已修复", True, REFERENCE, LIMITS)),
    "assist-sign": (Permission.ASSIST, lambda _o: co_handling.sign),
    "assist-report": (Permission.ASSIST, lambda _o: co_handling.report("已配合完成")),
    "assist-progress": (Permission.ASSIST, lambda _o: co_handling.explain("材料未齐")),
    "dispatch": (
        Permission.DISPATCH,
        lambda _o: dispatch.dispatch_by([STREET], None, "属地街道办理", REFERENCE, LIMITS),
    ),
    "triage": (Permission.DISPATCH, lambda _o: triage.decide(triage.Reason.OUTSIDE_DUTIES, None, None)),
    "merge": (Permission.DISPATCH, lambda _o: triage.merge(ORIGINAL)),
    "transfer": (Permission.DISPATCH, lambda _o: partners.transfer(PARTNER, None)),
    "reinstate": (Permission.REINSTATE, lambda _o: triage.reinstate("误判，恢复受理", LIMITS)),
    "decision": (
        Permission.REVIEW_OBJECTION,
        lambda o: objections.decide(_open_objection(o), objections.REJECT, None, None, REFERENCE, LIMITS),
    ),
    "urge": (Permission.URGE, lambda _o: supervision.urge(None)),
    "adjudication": (
        Permission.ADJUDICATE,
        lambda o: supervision.adjudicate(not o.adjudicated_unreasonable, "依法拒绝的诉求"),
    ),
    "review": (Permission.REVIEW_REPLY, lambda _o: review.decide(review.RETURN, "未说明处理结果", LIMITS)),
    "follow-up": (
        Permission.TAKE_FOLLOW_UP,
        lambda _o: by_phone(Answers(resolved=True, satisfaction=Satisfaction.SATISFIED), LIMITS),
    ),
    "revisit": (
        Permission.REVISIT,
        lambda _o: revisit.decide(
            revisit.Verdict(
                finding=Finding.POLICY, decision=RevisitDecision.CLOSE, reason="评价针对政策规定"
            ),
            LIMITS,
        ),
    ),
    "appeal": (
        Permission.APPEAL,
        lambda _o: appeals.lodge(AppealGrounds.OUTSIDE_DUTIES, "噪声执法属城管部门职责，非本街道", LIMITS),
    ),
    "appeal-decision": (Permission.DECIDE_APPEAL, lambda _o: appeals.decide(appeals.UPHOLD, "理由成立")),
}
# Second follow-ups an order may carry: none, one waiting, one decided.
REVISITS: tuple[list[Revisit], ...] = (
    [],
    [Revisit(opened_at=NOW, due=NOW, may_reopen=True)],
    [
        Revisit(
            opened_at=NOW, due=NOW, may_reopen=False, finding=Finding.POLICY, decision=RevisitDecision.CLOSE
        )
    ],
)


def accepted(order: WorkOrder, staff: Staff, name: str) -> bool:
    permission, call = PERFORMED[name]
    try:
        require_visible(staff, order, order.id)
        require(staff, permission, order)
        call(order)(order, staff, NOW)
    except DomainError:
        return False
    return True


def at(minutes: int | None) -> datetime | None:
    return None if minutes is None else NOW + timedelta(minutes=minutes)


MINUTES = st.none() | st.integers(-3 * 24 * 60, 3 * 24 * 60)


@st.composite
def orders(draw: st.DrawFn, status: Status) -> WorkOrder:
    first_receiver = draw(st.sampled_from([None, STREET, STREET, "110101003"]))
    assists = [
        Assist(
            unit=unit,
            deadline=NOW + timedelta(hours=draw(st.integers(-5, 5))),
            status=state,
            requested_at=NOW,
        )
        for unit, state in draw(
            st.dictionaries(st.sampled_from(UNITS[1:]), st.sampled_from(list(AssistStatus)), max_size=2)
        ).items()
    ]
    decisions = draw(st.lists(st.sampled_from([None, "rejected", "upheld"]), max_size=2))
    found = [
        Objection(
            id=f"202611260001-{i + 1}",
            unit=draw(st.sampled_from([first_receiver or STREET, "110101003"])),
            grounds=ObjectionGrounds.DUTY,
            reason="不属于本单位职责",
            by="someone",
            at=NOW,
            resume_status=Status.DISPATCHED,
            decision=decision,
        )
        for i, decision in enumerate(decisions)
    ]
    rated = draw(st.booleans())
    deadline = at(draw(MINUTES))
    requests = [
        ExtensionRequest(
            reason="等待材料",
            new_deadline=(deadline or NOW) + timedelta(hours=draw(st.integers(1, 30))),
            # Asked for this deadline, or for one the order no longer has (reassigned meanwhile).
            deadline=draw(st.sampled_from([deadline or NOW, NOW - timedelta(days=2)])),
            unit=draw(st.sampled_from([first_receiver or STREET, "110101003"])),
            by="someone",
            at=NOW - timedelta(days=3),
            decision=decision,
        )
        for decision in draw(st.lists(st.sampled_from([None, ExtensionDecision.REFUSED]), max_size=1))
    ]
    granted = [
        Extension(
            reason="等待材料",
            previous_deadline=(deadline or NOW) - timedelta(hours=draw(st.integers(0, 200))),
            new_deadline=deadline or NOW,
            unit=first_receiver or STREET,
            at=NOW - timedelta(days=1),
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    # An appeal of the first receiver: none, awaiting a decision, or decided.
    appealed = draw(st.booleans())
    return WorkOrder(
        id="202611260001",
        tracking_hash="x",
        type="complaint",
        status=status,
        content="路灯不亮",
        category=draw(st.sampled_from([None, "garbage_collection"])),
        location=Place(district="110101", street=STREET),
        requester=Requester(phone="13800001234"),
        first_receiver=first_receiver,
        assists=assists,
        objections=found,
        deadline=deadline,
        extension_requests=requests,
        extensions=granted,
        follow_up_until=at(draw(MINUTES)),
        evaluation=Evaluation(resolved=False, satisfaction=Satisfaction.DISSATISFIED, at=NOW)
        if rated
        else None,
        adjudicated_unreasonable=rated and draw(st.booleans()),
        revisits=draw(st.sampled_from(REVISITS)),
        dispatched_at=draw(st.sampled_from([None, NOW - timedelta(hours=20)])),
        closed_at=at(draw(MINUTES)),
        appeal=Appeal(
            unit=first_receiver or STREET,
            grounds=AppealGrounds.WRONG_UNIT,
            evidence="应由交道口街道办理",
            by="someone",
            at=NOW,
            until=NOW,
            decision=draw(st.sampled_from([None, *AppealDecision])),
        )
        if appealed
        else None,
        # Received this month or in an earlier one whose appeals are over.
        created_at=NOW - timedelta(days=draw(st.sampled_from([1, 1, 40]))),
        updated_at=NOW,
    )


def callers(role: str) -> st.SearchStrategy[Staff]:
    units = st.sampled_from([None, *UNITS])
    return units.map(lambda unit: Staff(username="someone", roles=frozenset({role}), unit=unit))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("status", list(Status))
def test_the_offered_actions_are_exactly_those_the_domain_accepts(status: Status, role: str) -> None:
    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(order=orders(status), staff=callers(role))
    def offered_iff_accepted(order: WorkOrder, staff: Staff) -> None:
        view = staff_view(order, staff, REFERENCE)
        offered = {a.action for a in view.actions if a.until is None or a.until > NOW}
        taken = {name for name in PERFORMED if accepted(order, staff, name)}

        assert offered == taken
        for hint in view.blocked:  # a hint stands for an action the domain refuses now
            if hint.since is None or hint.since <= NOW:
                assert hint.action not in taken

    offered_iff_accepted()


def test_every_action_offered_is_one_this_test_performs() -> None:
    assert sorted(r.action for r in RULES) == sorted(PERFORMED)
