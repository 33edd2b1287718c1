"""Who is told what when an order changes (Arts. 8, 14, 15, 23): the requester by SMS, staff by
notice to an audience — a unit's handlers, a unit's leader, or a role at the hotline centre."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .model import AssistStatus, Status, TimelineEvent, WorkOrder
from .triage import SETTLED, Reason, told
from .whistles import Whistle


@dataclass(frozen=True)
class Sms:
    phone: str
    message: str


@dataclass(frozen=True)
class StaffNotice:
    audience: str  # unit:<id> | leader:<id> | hotline:<role>
    subject: str
    message: str


Notice = Sms | StaffNotice


def unit(unit_id: str) -> str:
    return f"unit:{unit_id}"


def leader(unit_id: str) -> str:
    return f"leader:{unit_id}"


def hotline(role: str) -> str:
    return f"hotline:{role}"


def _when(order: WorkOrder) -> str:
    return order.deadline.isoformat(timespec="minutes") if order.deadline else "—"


def _said(event: TimelineEvent) -> str:
    """What an event tells the requester, in the words of an SMS (events recorded before the
    timeline had codes carry the whole message as their note)."""
    p = event.params
    if event.code == "settled":
        return told(Reason(p["reason"]), p.get("transfer_to"), p.get("merged_into")) + (event.note or "")
    if event.code == "knowledge_answer":
        return f"{event.note}（依据：{p.get('policy', '')}）如仍需办理，可在查询页面申请转办。"
    return event.note or ""


def _settled_note(order: WorkOrder) -> str:
    """The last public note of a settled order: what the requester is told to do."""
    return next((said for e in reversed(order.timeline) if (said := _said(e))), "")


def notices(before: WorkOrder | None, after: WorkOrder) -> list[Notice]:
    """The notices one change of an order calls for; none when nothing a person waits for changed."""
    if before is None:
        return [_received(after)]
    return [notice for kind in _CHANGES for notice in kind(before, after)]


def _received(order: WorkOrder) -> Sms:
    if order.status in SETTLED:
        return Sms(
            order.requester.phone, f"【12345】您的诉求已记录，工单号{order.id}。{_settled_note(order)}"
        )
    return Sms(
        order.requester.phone, f"【12345】您的诉求已受理，工单号{order.id}，请凭工单号和查询码查询办理进度。"
    )


def _to_requester(order: WorkOrder, said: str) -> Sms:
    return Sms(order.requester.phone, f"【12345】您的诉求（工单号{order.id}）{said}")


def _settled(before: WorkOrder, after: WorkOrder) -> list[Notice]:
    if after.status in SETTLED and before.status is not after.status:
        return [_to_requester(after, f"：{_settled_note(after)}")]
    return []


def _partner_replied(before: WorkOrder, after: WorkOrder) -> list[Notice]:
    if any(e.action == "partner_replied" for e in after.timeline[len(before.timeline) :]):
        return [_to_requester(after, "承办方已反馈办理结果，请查询。")]
    return []


def _reinstated(before: WorkOrder, after: WorkOrder) -> list[Notice]:
    if after.reinstated > before.reinstated:
        return [_to_requester(after, "已重新受理，将派至承办单位办理。")]
    return []


def _sent_to_new_unit(before: WorkOrder, after: WorkOrder) -> bool:
    return after.status is Status.DISPATCHED and (
        before.status is not Status.DISPATCHED or before.first_receiver != after.first_receiver
    )


def _dispatched(before: WorkOrder, after: WorkOrder) -> list[Notice]:
    """The units an order is sent to: its first receiver, the units copied and the co-handling ones."""
    oid, first = after.id, after.first_receiver
    if not (_sent_to_new_unit(before, after) and first):
        return []
    return [
        StaffNotice(
            unit(first), f"新工单 {oid}", f"工单{oid}已派至本单位，请及时签收办理，办理期限{_when(after)}。"
        ),
        *(StaffNotice(unit(u), f"工单抄送 {oid}", f"工单{oid}抄送本单位督办。") for u in after.copied_to),
        *(
            StaffNotice(unit(u), f"协办工单 {oid}", f"工单{oid}请本单位协助办理，并向承办单位反馈。")
            for u in after.assisting
        ),
    ]


def _assists_asked(before: WorkOrder, after: WorkOrder) -> list[Notice]:
    """Units asked to co-handle an order that stays with its first receiver."""
    if _sent_to_new_unit(before, after):
        return []
    oid = after.id
    asked = {a.unit for a in after.assists} - {a.unit for a in before.assists if a.open}
    return [
        StaffNotice(unit(u), f"协办工单 {oid}", f"工单{oid}请本单位协助办理，并在期限内向承办单位反馈。")
        for u in sorted(asked)
        if (a := after.assist(u)) is not None and a.open
    ]


def _assists_late_or_reported(before: WorkOrder, after: WorkOrder) -> list[Notice]:
    oid, first = after.id, after.first_receiver
    if not first:
        return []
    was = {a.unit: a for a in before.assists}
    found: list[Notice] = []
    for assist in after.assists:
        previous = was.get(assist.unit)
        if assist.late and not (previous and previous.late):
            message = f"工单{oid}的协办单位未在期限内向承办单位反馈。"
            found += [
                StaffNotice(unit(assist.unit), f"协办超期 {oid}", message),
                StaffNotice(leader(assist.unit), f"协办超期 {oid}", message),
                StaffNotice(unit(first), f"协办超期 {oid}", message),
            ]
        if assist.status is AssistStatus.REPORTED and previous and previous.status != assist.status:
            found.append(StaffNotice(unit(first), f"协办反馈 {oid}", f"工单{oid}的协办单位已反馈办理结果。"))
    return found


def _objections(before: WorkOrder, after: WorkOrder) -> list[Notice]:
    """A dispatch objection raised goes to the dispatchers; a rejected one back to its unit."""
    oid = after.id
    found: list[Notice] = []
    if len(after.objections) > len(before.objections):
        found.append(
            StaffNotice(
                hotline("dispatcher"), f"派单异议 {oid}", f"工单{oid}的承办单位提出派单异议，请审核。"
            )
        )
    decided = [
        o
        for o, was in zip(after.objections, before.objections, strict=False)
        if o.decision and not was.decision
    ]
    found += [
        StaffNotice(unit(o.unit), f"异议未通过 {oid}", f"工单{oid}的派单异议未通过，请继续办理。")
        for o in decided
        if o.decision == "rejected"
    ]
    return found


def _appeals(before: WorkOrder, after: WorkOrder) -> list[Notice]:
    """考核申诉: a unit's appeal goes to the assessment officers; their decision back to the unit."""
    oid, appeal = after.id, after.appeal
    if appeal is None or appeal == before.appeal:
        return []
    if before.appeal is None:
        return [
            StaffNotice(hotline("assessor"), f"考核申诉 {oid}", f"工单{oid}的承办单位提出考核申诉，请审核。")
        ]
    if appeal.upheld:
        return [
            StaffNotice(
                unit(appeal.unit), f"申诉成立 {oid}", f"工单{oid}的考核申诉成立，该单不计入本单位考评。"
            )
        ]
    return [
        StaffNotice(unit(appeal.unit), f"申诉不成立 {oid}", f"工单{oid}的考核申诉不成立，该单照常计入考评。")
    ]


def _time_limits(before: WorkOrder, after: WorkOrder) -> list[Notice]:
    """Sign-for and contact limits missed, reminders, the deadline passed."""
    oid, first = after.id, after.first_receiver
    if not first:
        return []
    found: list[Notice] = []
    if after.sign_late and not before.sign_late:
        found.append(StaffNotice(leader(first), f"工单未签收 {oid}", f"工单{oid}已超过签收时限仍未签收。"))
    if after.contact_late and not before.contact_late:
        found.append(
            StaffNotice(leader(first), f"未联系诉求人 {oid}", f"工单{oid}已超过联系时限仍未联系诉求人。")
        )
    if len(after.reminded) > len(before.reminded) and after.reminded:
        found.append(
            StaffNotice(
                unit(first),
                f"办理提醒 {oid}",
                f"工单{oid}办理时限已过{max(after.reminded)}%，期限{_when(after)}，请抓紧办理。",
            )
        )
    if after.overdue and not before.overdue:
        message = f"工单{oid}已超过办理期限（{_when(after)}），请尽快办理并反馈。"
        found += [
            StaffNotice(unit(first), f"工单超期 {oid}", message),
            StaffNotice(leader(first), f"工单超期 {oid}", message),
            StaffNotice(hotline("supervisor"), f"工单超期 {oid}", message),
        ]
    return found


def _urged(before: WorkOrder, after: WorkOrder) -> list[Notice]:
    first = after.first_receiver
    if not (first and after.urges > before.urges):
        return []
    message = f"热线中心对工单{after.id}进行催办，请加快办理，期限{_when(after)}。"
    return [
        StaffNotice(unit(first), f"催办 {after.id}", message),
        StaffNotice(leader(first), f"催办 {after.id}", message),
    ]


def _extended(before: WorkOrder, after: WorkOrder) -> list[Notice]:
    if len(after.extensions) <= len(before.extensions):
        return []
    extension = after.extensions[-1]
    new = extension.new_deadline.isoformat(timespec="minutes")
    return [
        _to_requester(after, f"办理期限延至{new}，原因：{extension.reason}"),
        StaffNotice(
            unit(extension.unit),
            f"延期已批准 {after.id}",
            f"工单{after.id}的延期申请已批准，办理期限延至{new}。",
        ),
    ]


def _extension_requests(before: WorkOrder, after: WorkOrder) -> list[Notice]:
    """A request goes to the supervisors, a refusal back to its unit (a request the deadline
    overtook is on the timeline; the overdue notice says the rest)."""
    oid = after.id
    if len(after.extension_requests) > len(before.extension_requests):
        asked = after.extension_requests[-1]
        new = asked.new_deadline.isoformat(timespec="minutes")
        message = f"工单{oid}的承办单位申请延期至{new}，理由：{asked.reason}。请在办理期限前审批。"
        return [StaffNotice(hotline("supervisor"), f"延期申请 {oid}", message)]
    refused = [
        r
        for r, was in zip(after.extension_requests, before.extension_requests, strict=False)
        if r.decision == "refused" and not was.decision
    ]
    return [
        StaffNotice(
            unit(r.unit),
            f"延期未批准 {oid}",
            f"工单{oid}的延期申请未获批准，理由：{r.decision_note}。请在原办理期限{_when(after)}前办结。",
        )
        for r in refused
    ]


def _replied_or_reopened(before: WorkOrder, after: WorkOrder) -> list[Notice]:
    if before.status == after.status:
        return []
    if after.status is Status.REPLIED:
        return [_to_requester(after, "已有办理结果，请查询。")]
    if after.status is Status.REOPENED and after.first_receiver:
        oid = after.id
        return [
            _to_requester(after, f"已退回承办单位重新办理，期限{_when(after)}。"),
            StaffNotice(
                unit(after.first_receiver),
                f"重办工单 {oid}",
                f"诉求人对工单{oid}的办理结果不满意，请重新办理。",
            ),
        ]
    return []


def _revisit(before: WorkOrder, after: WorkOrder) -> list[Notice]:
    """差评二次回访: the requester is told a call is coming, the supervisors of a bad rating to call
    back on, and of a call not decided within its time limit."""
    task = after.revisits[-1] if after.revisits else None
    if task is None or after.status is not Status.REVISIT:
        return []
    oid = after.id
    due = task.due.isoformat(timespec="minutes")
    if before.status is not Status.REVISIT:
        message = f"诉求人对工单{oid}的办理结果评价为未解决或不满意，请于{due}前回访核实并作出处理决定。"
        return [
            _to_requester(after, "的办理评价已收到，热线中心将电话回访核实情况后再作处理。"),
            StaffNotice(hotline("supervisor"), f"差评回访 {oid}", message),
        ]
    if task.late and not (before.revisits and before.revisits[-1].late):
        message = f"工单{oid}的差评回访已超过时限（{due}），请尽快回访并作出处理决定。"
        return [StaffNotice(hotline("supervisor"), f"差评回访超时 {oid}", message)]
    return []


def _reviewed(before: WorkOrder, after: WorkOrder) -> list[Notice]:
    """办结审核: the reviewers learn of a reply to review; the unit of a reply returned to it, and why."""
    oid, first = after.id, after.first_receiver
    if after.status is Status.IN_REVIEW and before.status is not Status.IN_REVIEW:
        return [StaffNotice(hotline("reviewer"), f"办结审核 {oid}", f"工单{oid}的办结答复待审核。")]
    if after.returns > before.returns and first:
        reason = after.timeline[-1].internal_note or ""
        message = f"工单{oid}的办结答复未通过审核，请重新办理并答复：{reason}"
        return [StaffNotice(unit(first), f"答复退回 {oid}", message)]
    return []


def _follow_up_started(before: WorkOrder, after: WorkOrder) -> list[Notice]:
    if after.follow_up_until is not None and before.follow_up_until is None:
        return [
            Sms(after.requester.phone, f"【12345】请对工单{after.id}的办理情况进行评价：是否解决、是否满意。")
        ]
    return []


# Each kind of change and the notices it calls for, in the order they are sent.
_CHANGES: tuple[Callable[[WorkOrder, WorkOrder], list[Notice]], ...] = (
    _settled,
    _partner_replied,
    _reinstated,
    _dispatched,
    _assists_asked,
    _assists_late_or_reported,
    _objections,
    _appeals,
    _time_limits,
    _urged,
    _extension_requests,
    _extended,
    _replied_or_reopened,
    _revisit,
    _reviewed,
    _follow_up_started,
)


def whistle_notices(before: Whistle | None, after: Whistle) -> list[StaffNotice]:
    """Who a whistle's change concerns: summoned departments, their leaders and the district when
    a report is missed, the street when a department reports."""
    wid = after.id
    was = {s.unit: s for s in before.summons} if before else {}
    found: list[StaffNotice] = []
    for s in after.summons:
        previous = was.get(s.unit)
        if previous is None:
            by = s.report_by.isoformat(timespec="minutes")
            found.append(
                StaffNotice(
                    unit(s.unit), f"吹哨报到 {wid}", f"街乡吹哨：{after.matter[:60]}。请于{by}前报到。"
                )
            )
        if s.escalated_at and not (previous and previous.escalated_at):
            message = f"吹哨{wid}：{s.unit}未在报到时限内报到，已报区政府。"
            found += [
                StaffNotice(leader(s.unit), f"未按时报到 {wid}", message),
                StaffNotice(unit(after.district), f"未按时报到 {wid}", message),
            ]
        if s.reported_at and previous and not previous.reported_at:
            found.append(StaffNotice(unit(after.street), f"部门报到 {wid}", f"吹哨{wid}：{s.unit}已报到。"))
    if before and before.status is not after.status and after.result:
        found += [
            StaffNotice(unit(s.unit), f"吹哨结束 {wid}", f"吹哨{wid}已办结：{after.result[:80]}")
            for s in after.summons
        ]
    return found
