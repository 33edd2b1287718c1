"""The automatic check of a unit's reply before the hotline reviews it (办结审核).

It flags replies that do not answer the request: too short, boilerplate (套话), no action or result,
a result that contradicts the unit's own `resolved_claim`, not about the request's subject (little
overlap with the request text and its category's name and keywords), and promises without a date.
The phrase lists and thresholds were tuned on tests/benchmarks/data/reply_review_development.jsonl
only; docs/benchmarks.md has the precision and recall measured on the evaluation set."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from .catalogue_entries import Category
from .text import bigrams

# Shortest reply (CJK characters, letters and digits) that can say what was done.
MIN_LENGTH = 8
# Least share of the topic a reply names ("关于…问题") that the request and its category must share.
MIN_TOPIC_OVERLAP = 0.5
# A topic is the reply's own when it is named at its start (after a greeting at most).
MAX_TOPIC_START = 4
# Confidence at or above which a reply with no flag counts as a high-confidence pass.
HIGH_CONFIDENCE = 0.8


class Flag(StrEnum):
    TOO_SHORT = "too_short"
    BOILERPLATE = "boilerplate"
    NO_ACTION = "no_action"
    CONTRADICTS_CLAIM = "contradicts_claim"
    OFF_SUBJECT = "off_subject"
    PROMISE_WITHOUT_DATE = "promise_without_date"


class QualityCheck(BaseModel):
    """What the check found: its flags (none: it passes) and how sure it is the reply is sound."""

    model_config = ConfigDict(frozen=True)

    flags: tuple[Flag, ...] = ()
    confidence: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.flags

    @property
    def high_confidence(self) -> bool:
        return self.passed and self.confidence >= HIGH_CONFIDENCE


_CORE = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")
# Stock phrases of a reply that says nothing (套话).
_BOILERPLATE = re.compile(
    r"高度重视|非常重视|十分重视|感谢您|感谢.{0,8}(支持|监督|关心)|一如既往|切实维护|依法依规|请您放心|"
    r"欢迎.{0,10}监督|理解(您的心情|支持)|请您理解|执法为民|依法行政|积极治理|共同努力|共同监督|"
    r"持续关注|第一时间|认真处理|妥善处理|用户至上|全力确保|一直致力于|重要民生|高度关注|已收悉|已知悉|"
    r"已经知晓|我们已经收到|已经记录|记录在案|事关|关系到每一|请相信|坚决予以|坚决打击|切实改善|敬请谅解|"
    r"始终坚持|持续改善"
)
# Something done or found: a concrete act, a check's finding, a refund, a repair.
_ACTION = re.compile(
    r"(已|已经|于|当日|当天|当晚|次日)[^，。；]{0,12}"
    r"(检查|核查|核实|整改|维修|修复|修好|更换|清运|清理|清除|拆除|安装|补设|补装|施划|设置|加装|退还|退回|"
    r"退费|赔偿|补发|发放|约谈|下达|责令|处罚|罚款|立案|查处|暂扣|封堵|恢复|调整|更正|完成|办理|告知|"
    r"上门|到场|现场|鉴定|检测|采样|协调|调解|签订|受理|指导|移交|关停|扑灭|劝导|取缔|纠正|补办|改约|"
    r"致歉|道歉|回电|疏通|抢修|加固|铺设|增设|增加|配备|张贴|公示|收回|开放|开业|返还|缴纳|补缴|复工|退款|赔付|"
    r"出具|出示|说明|解释|收缴|出警|拨付|审批|送医|纳入|延长|撤下|补盖|安排|发送|收到|答复|减免)|"
    r"经(核查|核实|调查|查|检测|勘查|现场查看|协调|了解)[，,][^。]{0,40}(\d|发现|确|属实|符合|系|为)|"
    r"\d+(月|日|号|时|点|元|件|处|个|次|户|人|台|米|吨|家|份|辆|盏|棵|条|所|位)"
)
# Saying it will be done, or telling the requester to wait or go elsewhere.
_PROMISE = re.compile(
    r"将|(?<!大)会(?!议)|尽快|尽早|抓紧|后续|下一步|适时|择期|近期|计划|拟|争取|加大|加强|督促|请您耐心等待|耐心等待"
)
_DATE = re.compile(
    r"\d+\s*(月|日|号|天|周|个工作日|小时)|[一二两三四五六七八九十]+(天|周|个月|个工作日)|年底|月底|月初|"
    r"上旬|中旬|下旬|本周|下周|明天|明日|今天|当日|当天|次日|今年|明年|春节前|汛期|供暖季"
)
# Still open, passed on, or not done: what a reply claiming "resolved" must not say.
_UNRESOLVED = re.compile(
    r"正在|协调中|处理中|调查中|采购中|仍在|仍坚持|尚未|尚在|暂无法|无法(办理|解决|联系)|不同意|"
    r"暂未|未解决|要等|再议|待.{0,6}(后|反馈|通知|资金)|等待|不归|不属于(我|本)|将继续|会尽快|择期|排期|研究(?!生)|已转(?![^。]{0,20}(完成|修复|到场|检查))|转至|转交|"
    r"反馈给|反馈至"
)
_TOPIC = re.compile(
    r"关于(您|你)?(反映|所反映|来电反映)?的?(?P<topic>[^，,。；]{2,24}?)(的?问题|的?情况|事宜|[，,。；])"
)
# Words of a reply that say nothing about its subject.
_GENERIC = frozenset(
    bigrams(
        "关于您反映的问题情况我们已经相关部门单位进行处理工作要求请您市民来电人已经目前表示"
        "街道社区物业公司现场有关方面"
    )
)


def check(result: str, resolved_claim: bool, request: str, category: Category | None) -> QualityCheck:
    """The flags a reply earns against the request it answers and the category it was filed under."""
    core = "".join(_CORE.findall(result))
    if len(core) < MIN_LENGTH:
        return QualityCheck(flags=(Flag.TOO_SHORT,), confidence=0.0)
    acted = bool(_ACTION.search(result))
    flags: list[Flag] = []
    if _BOILERPLATE.search(result) and not _digits(result):
        flags.append(Flag.BOILERPLATE)
    if resolved_claim and _UNRESOLVED.search(result):
        flags.append(Flag.CONTRADICTS_CLAIM)
    promised = bool(_PROMISE.search(result))
    if promised and not _DATE.search(result) and not acted:
        flags.append(Flag.PROMISE_WITHOUT_DATE)
    if not acted and not flags:
        flags.append(Flag.NO_ACTION)
    subject = _subject(request, category)
    shared = len((bigrams(result) & subject) - _GENERIC)
    if _off_subject(result, subject, shared):
        flags.append(Flag.OFF_SUBJECT)
    return QualityCheck(flags=tuple(flags), confidence=_confidence(result, acted, shared, flags))


def _subject(request: str, category: Category | None) -> set[str]:
    """The request's subject as bigrams: its own words, its category's name and keywords."""
    subject = bigrams(request)
    if category is not None:
        subject |= bigrams(category.name)
        for keyword in category.keywords:
            subject |= bigrams(keyword)
    return subject


def _off_subject(result: str, subject: set[str], shared: int) -> bool:
    """A reply that names its topic ("关于…问题") names one the request is not about; one that does
    not shares no word with the request and gives no figure or date either."""
    named = _TOPIC.search(result)
    if named and named.start() <= MAX_TOPIC_START:
        words = bigrams(named.group("topic")) - _GENERIC
        return bool(words) and len(words & subject) / len(words) < MIN_TOPIC_OVERLAP
    return shared == 0 and not _digits(result)


def _digits(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _confidence(result: str, acted: bool, shared: int, flags: list[Flag]) -> float:
    """How sure the check is that a reply is sound: a reply with dates, figures, acts and the
    request's own words scores high; any flag scores low."""
    if flags:
        return round(0.4 / (1 + len(flags)), 2)
    score = 0.3 if acted else 0.0
    score += 0.2 if _DATE.search(result) else 0.0
    score += 0.2 if _digits(result) else 0.0
    score += min(0.3, 0.05 * shared)
    return round(min(1.0, score), 2)
