"""Who is told what when an order changes: the requester by SMS, units by notice (Arts. 8, 15, 23)."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Status, WorkOrder


@dataclass(frozen=True)
class Sms:
    phone: str
    message: str


@dataclass(frozen=True)
class UnitNotice:
    unit: str
    subject: str
    message: str


Notice = Sms | UnitNotice


def notices(before: WorkOrder | None, after: WorkOrder) -> list[Notice]:
    """The notices one change of an order calls for; none when nothing a person waits for changed."""
    found: list[Notice] = []
    phone = after.requester.phone
    if before is None:
        found.append(
            Sms(phone, f"【12345】您的诉求已受理，工单号{after.id}，请凭工单号和查询码查询办理进度。")
        )
        return found
    if before.status != after.status:
        if after.status is Status.DISPATCHED and after.first_receiver:
            deadline = after.deadline.isoformat() if after.deadline else "—"
            found.append(
                UnitNotice(
                    after.first_receiver,
                    f"新工单 {after.id}",
                    f"工单{after.id}已派至本单位，请及时签收办理，办理期限{deadline}。",
                )
            )
            found.extend(
                UnitNotice(unit, f"工单抄送 {after.id}", f"工单{after.id}抄送本单位督办。")
                for unit in after.copied_to
            )
        elif after.status is Status.REPLIED:
            found.append(Sms(phone, f"【12345】您的诉求（工单号{after.id}）已有办理结果，请查询。"))
        elif after.status is Status.FOLLOW_UP:
            found.append(Sms(phone, f"【12345】请对工单{after.id}的办理情况进行评价：是否解决、是否满意。"))
    if after.overdue and not before.overdue and after.first_receiver:
        found.append(
            UnitNotice(
                after.first_receiver,
                f"工单超期 {after.id}",
                f"工单{after.id}已超过办理期限，请尽快办理并反馈。",
            )
        )
    return found
