"""The words of a 400's details in the caller's language (`Accept-Language`: Chinese unless the
caller asks for English), each field named as the portal's forms label it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from ..domain.errors import FieldProblem

Language = Literal["zh-CN", "en"]

# A field as the forms label it, by its dotted path first and by its own name second.
LABELS: Mapping[str, tuple[str, str]] = {
    "requester.name": ("联系人姓名", "Your name"),
    "requester.phone": ("联系电话", "Phone"),
    "requester.kind": ("诉求人类别", "Requester type"),
    "location.district": ("所在区", "District"),
    "location.street": ("街道（乡镇）", "Street or township"),
    "location.address": ("详细地址", "Address"),
    "location.lat": ("纬度", "Latitude"),
    "location.lng": ("经度", "Longitude"),
    "address": ("详细地址", "Address"),
    "attachments": ("附件", "Attachments"),
    "body": ("请求内容", "Request body"),
    "category": ("分类", "Category"),
    "code": ("查询码", "Tracking code"),
    "comment": ("评价意见", "Comment"),
    "confidential": ("保密", "Confidential"),
    "content": ("诉求内容", "Request"),
    "content_type": ("文件类型", "File type"),
    "cursor": ("分页位置", "Page cursor"),
    "date": ("日期", "Date"),
    "deadline": ("办理期限", "Deadline"),
    "decision": ("审核结论", "Decision"),
    "departments": ("报到部门", "Departments"),
    "description": ("说明", "Description"),
    "district": ("所在区", "District"),
    "email": ("电子邮箱", "E-mail"),
    "enabled": ("启用状态", "Enabled"),
    "filename": ("文件名", "File name"),
    "finding": ("回访核实情况", "Finding"),
    "grounds": ("异议理由类别", "Grounds"),
    "id": ("编号", "Number"),
    "into": ("合并至工单", "Merge into order"),
    "keywords": ("关键词", "Keywords"),
    "kind": ("类型", "Kind"),
    "lead_unit": ("牵头单位", "Lead unit"),
    "limit": ("每页条数", "Page size"),
    "location": ("诉求地点", "Location"),
    "matter": ("吹哨事项", "Matter"),
    "month": ("月份", "Month"),
    "name": ("名称", "Name"),
    "new_deadline": ("新的办理期限", "New deadline"),
    "note": ("说明", "Note"),
    "overdue": ("超期", "Overdue"),
    "partner": ("转办热线", "Partner hotline"),
    "phone": ("联系电话", "Phone"),
    "q": ("搜索内容", "Search"),
    "question": ("问题", "Question"),
    "reason": ("理由", "Reason"),
    "reassign_to": ("改派单位", "Reassign to"),
    "requester": ("诉求人信息", "Requester"),
    "resolved": ("是否解决", "Resolved"),
    "resolved_claim": ("是否已解决", "Resolved"),
    "result": ("办理结果", "Result"),
    "roles": ("角色", "Roles"),
    "satisfaction": ("满意程度", "Satisfaction"),
    "size": ("文件大小", "File size"),
    "source_policy": ("政策依据", "Policy source"),
    "status": ("状态", "Status"),
    "street": ("街道（乡镇）", "Street or township"),
    "tier": ("办理时限档", "Time-limit tier"),
    "title": ("标题", "Title"),
    "transfer_to": ("转接电话", "Line to call"),
    "type": ("诉求类型", "Request type"),
    "unit": ("承办单位", "Unit"),
    "units": ("承办单位", "Units"),
    "username": ("用户名", "User name"),
    "version": ("版本", "Version"),
    "work_order_id": ("工单号", "Order number"),
    # the message centre's forms
    "email_address": ("电子邮箱", "E-mail address"),
    "sms": ("短信提醒", "SMS notices"),
    "ids": ("消息", "Messages"),
    "all": ("全部已读", "All read"),
}

# Pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/) in words;
# `{label}` is the field, the rest comes from the error's context.
WORDS: Mapping[str, tuple[str, str]] = {
    "missing": ("请填写{label}", "{label} is required"),
    "string_too_short": (
        "{label}至少需要 {min_length} 个字",
        "{label} needs at least {min_length} characters",
    ),
    "string_too_long": ("{label}最多 {max_length} 个字", "{label} takes at most {max_length} characters"),
    "too_short": ("{label}至少需要 {min_length} 项", "{label} needs at least {min_length} items"),
    "too_long": ("{label}最多 {max_length} 项", "{label} takes at most {max_length} items"),
    "string_pattern_mismatch": ("{label}的格式不正确", "{label} is not in the expected format"),
    "string_type": ("{label}应为文字", "{label} must be text"),
    "enum": ("{label}应为以下之一：{expected}", "{label} must be one of: {expected}"),
    "literal_error": ("{label}应为以下之一：{expected}", "{label} must be one of: {expected}"),
    "int_parsing": ("{label}应为整数", "{label} must be a whole number"),
    "int_type": ("{label}应为整数", "{label} must be a whole number"),
    "int_from_float": ("{label}应为整数", "{label} must be a whole number"),
    "float_parsing": ("{label}应为数字", "{label} must be a number"),
    "float_type": ("{label}应为数字", "{label} must be a number"),
    "bool_parsing": ("{label}应为“是”或“否”", "{label} must be true or false"),
    "bool_type": ("{label}应为“是”或“否”", "{label} must be true or false"),
    "greater_than": ("{label}应大于 {gt}", "{label} must be greater than {gt}"),
    "greater_than_equal": ("{label}不能小于 {ge}", "{label} must be at least {ge}"),
    "less_than": ("{label}应小于 {lt}", "{label} must be less than {lt}"),
    "less_than_equal": ("{label}不能大于 {le}", "{label} must be at most {le}"),
    "list_type": ("{label}应为列表", "{label} must be a list"),
    "dict_type": ("{label}应为对象", "{label} must be an object"),
    "model_type": ("{label}应为对象", "{label} must be an object"),
    "model_attributes_type": ("{label}应为对象", "{label} must be an object"),
    "datetime_parsing": ("{label}应为带时区的时间", "{label} must be a date and time with a zone"),
    "datetime_from_date_parsing": ("{label}应为带时区的时间", "{label} must be a date and time with a zone"),
    "datetime_type": ("{label}应为带时区的时间", "{label} must be a date and time with a zone"),
    "timezone_aware": ("{label}应带时区", "{label} must name its time zone"),
    "date_parsing": ("{label}应为日期（年-月-日）", "{label} must be a date (YYYY-MM-DD)"),
    "date_from_datetime_parsing": ("{label}应为日期（年-月-日）", "{label} must be a date (YYYY-MM-DD)"),
    "date_type": ("{label}应为日期（年-月-日）", "{label} must be a date (YYYY-MM-DD)"),
    "extra_forbidden": ("{label}不是可填写的项目", "{label} is not a field that can be sent"),
    "url_parsing": ("{label}应为网址", "{label} must be a web address"),
    "value_error": ("{label}{said}", "{label} {said}"),
    "assertion_error": ("{label}不正确", "{label} is not valid"),
}
FALLBACK = ("{label}不正确", "{label} is not valid")

# The project's own validators' reasons (ValueError texts), in Chinese; one not listed here is
# said as "不正确" in Chinese and as it was written in English.
REASONS: Mapping[str, str] = {
    "must be an 11-digit mainland mobile number": "应为 11 位手机号码",
    "needs a time zone, e.g. 2026-11-30T18:00:00+08:00": "应带时区，例如 2026-11-30T18:00:00+08:00",
    "default_tier must name one of the tiers": "的默认时限档应为已有的时限档之一",
    "reminders must be increasing percentages": "的提醒点应为递增的百分比",
    "the first day comes after the last": "的开始日期晚于结束日期",
    "does not fit the finding": "与回访核实情况不符",
    "is needed for SMS notices": "：开启短信提醒需填写手机号码",
    "is needed for e-mail notices": "：开启邮件提醒需填写电子邮箱",
    "must be an e-mail address": "应为电子邮箱地址",
    "name the messages read (ids) or mark all read (all)": "：请指明已读的消息，或标记全部已读",
}


def language(accept_language: str | None) -> Language:
    """The caller's language: English when it prefers English to Chinese, Chinese otherwise."""
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, i, tag.strip().lower()))
    for _q, _i, tag in sorted(ranked):
        if tag.startswith("en"):
            return "en"
        if tag.startswith("zh") or tag == "*":
            return "zh-CN"
    return "zh-CN"


def label(path: str, lang: Language) -> str:
    """The form's label of a dotted field path (list positions are counted from one)."""
    parts = path.split(".")
    named = [p for p in parts if not p.isdigit()]
    index = next((int(p) + 1 for p in reversed(parts) if p.isdigit()), None)
    words = LABELS.get(".".join(named)) or (LABELS.get(named[-1]) if named else None)
    if words is None:
        return path
    text = words[0] if lang == "zh-CN" else words[1]
    if index is None:
        return text
    return f"{text}第 {index} 项" if lang == "zh-CN" else f"{text} (item {index})"


def _context(item: ErrorDetails, lang: Language) -> dict[str, Any]:
    ctx: dict[str, Any] = dict(item.get("ctx") or {})
    if "expected" in ctx:
        # pydantic says "'a', 'b' or 'c'"; the list is shown as the values the API takes.
        words = str(ctx["expected"]).replace("'", "")
        comma = "、" if lang == "zh-CN" else ", "
        ctx["expected"] = words.replace(" or ", ", ").replace(", ", comma)
    if "error" in ctx:
        reason = str(ctx.pop("error"))
        ctx["said"] = REASONS.get(reason, "不正确") if lang == "zh-CN" else reason
    return ctx


def field_path(item: ErrorDetails) -> str:
    """The dotted path of the field a pydantic error is about ("body" for the whole input)."""
    return ".".join(str(part) for part in item["loc"]) or "body"


def detail(item: ErrorDetails, lang: Language) -> FieldProblem:
    path = field_path(item)
    zh, en = WORDS.get(item["type"], FALLBACK)
    template = zh if lang == "zh-CN" else en
    try:
        text = template.format(label=label(path, lang), **_context(item, lang))
    except (KeyError, IndexError, ValueError):
        text = (FALLBACK[0] if lang == "zh-CN" else FALLBACK[1]).format(label=label(path, lang))
    return FieldProblem(path, text)


def problems(error: ValidationError, accept_language: str | None) -> list[FieldProblem]:
    """Each invalid field of a pydantic error, said in the caller's language."""
    lang = language(accept_language)
    return [detail(item, lang) for item in error.errors(include_url=False)]


def as_written(error: ValidationError) -> list[FieldProblem]:
    """Each invalid field named as the caller sent it, in the validators' own English words: for
    machine clients that read a spec's field names rather than a form's labels (Open311)."""
    return [
        FieldProblem(field_path(item), item["msg"].removeprefix("Value error, ")) for item in error.errors()
    ]
