"""The order's 办理单: the record of one work order on an A4 page, for the file or a meeting, with
its timeline. It is read away from the portal, so its words are written here in the hotline's
language (zh-CN), from the same codes the portal renders; it holds what the staff view holds for
the caller (a unit never sees a confidential requester) and never a whole phone number."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from .beijing import BEIJING
from .exports import STATUS_WORDS, TYPE_WORDS
from .views import StaffOrder, mask_phone

# How long a link to a printed sheet stays valid.
SHEET_LINK = timedelta(minutes=10)

CHANNEL_WORDS = {
    "web": "网上",
    "phone": "电话",
    "app": "移动应用",
    "enterprise_line": "企业服务热线",
    "open311": "开放接口",
    "partner_hotline": "合作热线",
}
SATISFACTION_WORDS = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}
# A timeline entry's step, by its action (the portal's zh-CN words for the same codes).
STEP_WORDS = {
    "received": "受理",
    "answered": "直接答复",
    "not_dispatched": "不予派单",
    "merged": "合并工单",
    "transferred": "转办",
    "partner_replied": "合作热线答复",
    "reinstated": "恢复受理",
    "dispatched": "派单",
    "auto_dispatched": "智能派单",
    "redispatched": "重新派单",
    "reassigned": "改派",
    "signed": "签收",
    "objected": "申请退回",
    "objection_upheld": "同意退回",
    "objection_rejected": "不予退回",
    "contacted": "联系诉求人",
    "progress": "阶段性答复",
    "assist_requested": "发起协办",
    "assist_signed": "协办签收",
    "assist_reported": "协办反馈",
    "assist_progress": "协办阶段性说明",
    "assist_released": "解除协办",
    "assist_overdue": "协办超期",
    "extended": "延期",
    "extension_requested": "申请延期",
    "extension_refused": "不予延期",
    "extension_lapsed": "延期申请失效",
    "reminded": "期限提醒",
    "sign_overdue": "签收超时",
    "contact_overdue": "联系超时",
    "overdue": "办理超期",
    "urged": "催办",
    "adjudicated_unreasonable": "认定为不合理诉求",
    "adjudication_withdrawn": "撤销不合理诉求认定",
    "appealed": "考核申诉",
    "appeal_upheld": "申诉成立",
    "appeal_rejected": "申诉不成立",
    "replied": "答复",
    "reply_submitted": "提交答复（待审核）",
    "review_passed": "审核通过",
    "review_returned": "审核退回",
    "follow_up_started": "开始回访",
    "follow_up_lapsed": "回访期满",
    "evaluated": "评价",
    "reopened": "退回重办",
    "revisit_opened": "差评回访",
    "revisited": "差评回访处理",
    "revisit_overdue": "回访超时",
    "closed": "办结",
}
ACTOR_WORDS = {
    "handler": "承办人",
    "unit_leader": "单位负责人",
    "operator": "话务员",
    "dispatcher": "派单员",
    "supervisor": "督办员",
    "analyst": "分析员",
    "admin": "管理员",
    "assessor": "考核专员",
    "reviewer": "审核员",
    "system": "系统",
    "hotline": "热线中心",
    "requester": "诉求人",
    "partner": "合作热线",
}


class SheetEntry(BaseModel):
    """One line of the sheet's timeline."""

    model_config = ConfigDict(frozen=True)

    at: str
    step: str
    by: str
    note: str


class HandlingSheet(BaseModel):
    model_config = ConfigDict(frozen=True)

    order_id: str
    title: str
    printed: str  # 打印时间 and who printed it
    fields: list[tuple[str, str]]
    timeline: list[SheetEntry]


class PrintedSheet(BaseModel):
    """A printed sheet ready to download: a short-lived link, and what it holds."""

    model_config = ConfigDict(defer_build=True)

    filename: str
    url: str
    expires_at: datetime
    pages: int
    bytes: int


class SheetPrinter(ABC):
    @abstractmethod
    def publish(self, sheet: HandlingSheet, filename: str, owner: str, valid_for: timedelta) -> PrintedSheet:
        """Lay the sheet out as an A4 PDF, store it under the owner's name and answer a link."""


def _time(at: datetime | None) -> str:
    return at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if at else "—"


def _requester(order: StaffOrder) -> str:
    r = order.requester
    if r.get("confidential"):
        return "保密（由热线中心联系）"
    phone = str(r.get("phone") or "")
    name = str(r.get("name") or "未留姓名")
    return f"{name}  {mask_phone(phone)}" if phone else name


def _fields(order: StaffOrder) -> list[tuple[str, str]]:
    place = order.location
    evaluation = order.evaluation
    return [
        ("工单编号", order.id),
        ("诉求类型", TYPE_WORDS.get(order.type, order.type)),
        ("受理渠道", CHANNEL_WORDS.get(order.channel, order.channel)),
        ("受理时间", _time(order.created_at)),
        ("当前状态", STATUS_WORDS.get(order.status, order.status) + ("（已超期）" if order.overdue else "")),
        ("办理期限", _time(order.deadline)),
        ("诉求人", _requester(order)),
        ("诉求地点", str(place.get("address") or "—")),
        ("问题分类", order.category.name if order.category else "未分类"),
        ("承办单位", order.first_receiver.name if order.first_receiver else "—"),
        ("协办单位", "、".join(u.name for u in order.assisting) or "—"),
        ("抄送单位", "、".join(u.name for u in order.copied_to) or "—"),
        ("诉求内容", order.content),
        ("办理结果", order.reply.result if order.reply else "尚未答复"),
        (
            "诉求人评价",
            (
                f"{'已解决' if evaluation.resolved else '未解决'}，"
                f"{SATISFACTION_WORDS.get(evaluation.satisfaction, evaluation.satisfaction)}"
                + (f"：{evaluation.comment}" if evaluation.comment else "")
            )
            if evaluation
            else "尚未评价",
        ),
    ]


def handling_sheet(order: StaffOrder, printed_by: str, now: datetime) -> HandlingSheet:
    """The sheet of an order as the caller sees it, its timeline oldest first."""
    timeline = [
        SheetEntry(
            at=_time(e.at),
            step=STEP_WORDS.get(e.action, "办理记录"),
            by=" ".join(x for x in (e.unit.name if e.unit else "", ACTOR_WORDS.get(e.actor_role, "")) if x),
            note="；".join(x for x in (e.note, f"内部：{e.internal_note}" if e.internal_note else None) if x),
        )
        for e in order.timeline
    ]
    return HandlingSheet(
        order_id=order.id,
        title="12345市民服务热线工单办理单",
        printed=f"打印时间 {_time(now)}　打印人 {printed_by}",
        fields=_fields(order),
        timeline=timeline,
    )


def filename(order_id: str) -> str:
    return f"工单办理单-{order_id}.pdf"
