"""Staff lists as spreadsheets: which columns, under which headers, from which fields. The rows are
the same the portal's lists show, read page by page; the file format is the adapter's business.

A spreadsheet is read away from the portal, so its headers and words are written here, in the
hotline's language (zh-CN), from the same codes the portal renders."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, StringConstraints

from .assessment import Assessment
from .beijing import BEIJING
from .model import UnitKind
from .views import StaffSummary

Cell = str | int | float | datetime | None
# An export answers within the API's time; larger lists are narrowed by their filters first.
MOST_ROWS = 50_000

STATUS_WORDS = {
    "received": "已受理",
    "answered": "已直接答复",
    "not_dispatched": "不予派单",
    "merged": "已合并",
    "dispatched": "已派单",
    "signed": "已签收",
    "in_progress": "办理中",
    "objected": "申请退回",
    "in_review": "答复审核中",
    "replied": "已答复",
    "follow_up": "待回访",
    "closed": "已办结",
    "reopened": "重新办理",
    "revisit": "差评回访中",
}
TYPE_WORDS = {
    "consultation": "咨询",
    "help": "求助",
    "complaint": "投诉",
    "report": "举报",
    "suggestion": "建议",
}
KIND_WORDS = {
    "street": "街道乡镇",
    "district": "区政府",
    "department": "委办局",
    "enterprise": "公共服务企业",
}


class ExportFile(BaseModel):
    """A spreadsheet ready to download: a short-lived link, and what it holds."""

    model_config = ConfigDict(defer_build=True)

    filename: str
    url: str
    expires_at: datetime
    rows: int
    bytes: int
    # More rows matched than one file holds: the file has the first MOST_ROWS.
    truncated: bool = False


class RankingExport(BaseModel):
    """The body of POST /exports/assessments: the ranking's own query, without paging."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    month: Annotated[str, StringConstraints(pattern=r"^20\d\d-(0[1-9]|1[0-2])$")]
    kind: UnitKind = UnitKind.STREET
    group: Literal["ranked", "insufficient", "all"] = "all"


@dataclass(frozen=True)
class Sheet:
    """One spreadsheet: its title, headers and rows (a generator: rows are written as read)."""

    title: str
    headers: tuple[str, ...]
    rows: Iterator[list[Cell]]


class Workbooks(ABC):
    """Spreadsheets for staff to download: written as the rows come, kept a day."""

    @abstractmethod
    def publish(self, sheet: Sheet, filename: str, owner: str, valid_for: timedelta) -> ExportFile:
        """Write the sheet, store it under the owner's name and answer a link valid for `valid_for`."""


def _beijing(at: datetime | None) -> datetime | None:
    # Spreadsheets hold times without a zone: the hotline's local time, as people read it.
    return at.astimezone(BEIJING).replace(tzinfo=None) if at else None


def _yes(flag: bool) -> str:
    return "是" if flag else ""


ORDER_HEADERS = (
    "工单编号",
    "类型",
    "状态",
    "是否超期",
    "超期时间",
    "未按时签收",
    "未按时联系",
    "办理时限",
    "签收时限",
    "联系时限",
    "问题分类",
    "承办单位",
    "所属区",
    "受理时间",
    "催办次数",
    "反复退单",
    "诉求内容摘要",
)


def order_rows(orders: Iterator[StaffSummary]) -> Iterator[list[Cell]]:
    for o in orders:
        yield [
            o.id,
            TYPE_WORDS.get(o.type, o.type),
            STATUS_WORDS.get(o.status, o.status),
            _yes(o.overdue),
            _beijing(o.overdue_at),
            _yes(o.sign_missed),
            _yes(o.contact_missed),
            _beijing(o.deadline),
            _beijing(o.sign_by),
            _beijing(o.contact_by),
            o.category.name if o.category else "",
            o.first_receiver.name if o.first_receiver else "",
            o.district.name if o.district else "",
            _beijing(o.created_at),
            o.urges,
            _yes(o.pingpong),
            o.content,
        ]


RANKING_HEADERS = (
    "排名",
    "单位",
    "单位类别",
    "派单量",
    "及时联系",
    "响应率",
    "已回访",
    "已解决",
    "解决率",
    "满意",
    "满意率",
    "综合得分",
    "样本不足",
)


def _rate(part: int, whole: int, value: float | None) -> str:
    """响应率 98.0% (392/400): the rate with the counts behind it."""
    return f"{value * 100:.1f}% ({part}/{whole})" if value is not None else f"— ({part}/{whole})"


def ranking_rows(rows: list[Assessment]) -> Iterator[list[Cell]]:
    for a in rows:
        yield [
            a.rank,
            a.unit.name,
            KIND_WORDS.get(a.unit.kind, a.unit.kind),
            a.dispatched,
            a.responded,
            _rate(a.responded, a.dispatched, a.response_rate),
            a.followed_up,
            a.resolved,
            _rate(a.resolved, a.followed_up, a.resolution_rate),
            a.satisfied,
            _rate(a.satisfied, a.followed_up, a.satisfaction_rate),
            a.score,
            _yes(a.insufficient),
        ]


T = TypeVar("T")


def capped(
    pages: Callable[[str | None], tuple[list[T], str | None]], most: int = MOST_ROWS
) -> tuple[Iterator[T], Callable[[], bool]]:
    """Every order of a list, page after page, up to `most`; and whether more were left. The
    first page is read at once: a caller who may not see the list, or asked badly, is told so
    before any file is begun."""
    left = [False]
    first = pages(None)

    def walk() -> Iterator[T]:
        items, cursor = first
        count = 0
        while True:
            for item in items:
                if count == most:
                    left[0] = True
                    return
                count += 1
                yield item
            if cursor is None:
                return
            items, cursor = pages(cursor)

    return walk(), lambda: left[0]


def filename(title: str, now: datetime) -> str:
    return f"{title}-{now.astimezone(BEIJING).strftime('%Y%m%d-%H%M%S')}.xlsx"
