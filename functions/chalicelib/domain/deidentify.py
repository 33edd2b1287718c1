"""De-identification of free text before it leaves the hotline (Open311, analytics): mobile and
landline numbers, 18-digit resident ID numbers (GB 11643), Chinese licence plates (GA 36), the
names people give of themselves and others ("我叫王小明", "我姓王", "联系人李先生") and the
house, building, unit and room numbers of an address ("12号院3号楼2单元502") are masked with
"*". Names are read from the words around them, so a name said in no such words stays: text
that must stay private is not published at all (confidential orders, publication.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

MASK = "*"

# Full-width digits, letters and separators (common in Chinese input) read as their ASCII forms;
# one character for one, so a match's span in the translation is its span in the original.
_HALF_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): chr(0x30 + i) for i in range(10)},
        **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
        "－": "-",
        "＋": "+",
        "（": "(",
        "）": ")",
        "\u3000": " ",
    }
)

_ID_CARD = re.compile(
    r"(?<![0-9A-Za-z])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"[0-9]{3}[0-9Xx](?![0-9A-Za-z])"
)
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])")
# Area codes: 010 and 02x have three digits, every other one four.
_AREA = r"0(?:10|2[0-9]|[3-9][0-9]{2})"
_LANDLINE = re.compile(
    rf"(?<![0-9])(?:\({_AREA}\) ?|{_AREA}[- ]?)([2-9][0-9]{{2,3}}[- ]?[0-9]{{4}})(?![0-9])"
)
# A local number without its area code is only a number when the text says it is a phone.
_LOCAL_NUMBER = re.compile(
    r"(?:电话|座机|固话|手机|联系方式|tel|Tel|TEL)[：:是为 ]{0,3}([2-9][0-9]{2,3}[- ]?[0-9]{4})(?![0-9])"
)
_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Za-z][·•・. -]?"
    r"([A-Za-z0-9]{5,6})(?![A-Za-z0-9])"
)


def _masked(text: str, keep_first: int, keep_last: int) -> str:
    """`text` with its digits and letters masked, but the first and last few of them kept."""
    positions = [i for i, c in enumerate(text) if c.isascii() and c.isalnum()]
    hidden = set(positions[keep_first : len(positions) - keep_last])
    return "".join(MASK if i in hidden else c for i, c in enumerate(text))


def _id_card(found: re.Match[str]) -> tuple[int, str]:
    # The first six digits name a district, as the order's location does; the rest is the person.
    return found.start(), _masked(found.group(), 6, 0)


def _mobile(found: re.Match[str]) -> tuple[int, str]:
    text = found.group()
    start = len(text) - len(text.lstrip("+86- ")) if text.startswith(("+86", "86")) else 0
    # The usual 138****1234: the carrier prefix and the last four digits stay.
    return found.start() + start, _masked(text[start:], 3, 4)


def _number(found: re.Match[str]) -> tuple[int, str]:
    """A landline's subscriber number: the area code and the last four digits stay."""
    return found.start(1), _masked(found.group(1), 0, 4)


def _plate(found: re.Match[str]) -> tuple[int, str] | None:
    serial = found.group(1)
    if sum(c.isdigit() for c in serial) < 3:
        return None  # five letters after 京A is a word, not a plate
    return found.start(1), MASK * len(serial)


# The commonest Chinese family names (compound ones first): a name is only masked where one starts
# it. Left out: family names that are everyday words before a title ("我和师傅", "向师傅反映").
_SURNAMES = (
    "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|令狐|长孙|宇文|司徒|夏侯|"
    "王|李|张|刘|陈|杨|黄|赵|吴|周|徐|孙|马|朱|胡|郭|何|高|林|罗|郑|梁|谢|宋|唐|许|韩|冯|邓|曹|彭|"
    "曾|肖|萧|田|董|袁|潘|蒋|蔡|余|杜|叶|程|苏|魏|吕|丁|任|沈|姚|卢|姜|崔|钟|谭|陆|汪|范|金|石|廖|贾|"
    "夏|韦|付|傅|方|白|邹|孟|熊|秦|邱|江|尹|薛|闫|阎|段|雷|侯|龙|史|陶|黎|贺|顾|毛|郝|龚|邵|万|钱|严|"
    "覃|武|戴|莫|孔|汤|常|温|康|施|文|牛|樊|葛|邢|安|齐|易|乔|伍|庞|颜|倪|庄|聂|章|鲁|岳|翟|殷|"
    "詹|申|欧|耿|关|兰|焦|俞|左|柳|甘|祝|包|宁|尚|符|舒|阮|柯|纪|梅|童|凌|毕|单|季|裴|霍|涂|成|苗|谷|"
    "盛|曲|翁|冉|骆|蓝|路|游|辛|靳|管|柴|蒙|鲍|华|喻|祁|蒲|房|滕|屈|饶|解|牟|艾|尤|阳|穆|农|司|卓|"
    "古|吉|缪|简|车|项|连|芦|麦|褚|娄|窦|戚|岑|景|党|宫|费|卜|冷|晏|席|卫|米|柏|宗|瞿|桂|全|佟|应|臧|"
    "闵|苟|邬|边|卞|姬|师|仇|栾|隋|商|刁|沙|荣|巫|寇|桑|郎|甄|丛|仲|虞|敖|巩|明|佘|池|查|麻|苑|迟|邝"
)
_HAN = "[\u4e00-\u9fff]"
# Where a name given in words ends: punctuation, the end, or a word that does not belong to it.
_NAME_END = (
    r"(?=$|[\s，。、；：！？,.;:!?（）()“”\"'…—~～]"
    r"|[住在家的是电手联今现从和跟与说也就已要想]|先生|女士)"
)
# "我叫…", "名叫…", "联系人…", "姓名：…" are followed by a name; "我是…" only when a family
# name starts what follows ("我是业主" is no name).
_NAMED = re.compile(
    rf"(?:我叫|名叫|叫做|我的名字是|名字叫|姓名[：:是为 ]{{0,2}}|联系人[：:是为 ]{{0,2}})"
    rf"({_HAN}{{2,4}}?){_NAME_END}"
)
_SELF = re.compile(rf"(?:我是|本人是?|我们是|户主是?|业主是?)((?:{_SURNAMES}){_HAN}{{1,2}}?){_NAME_END}")
_SURNAME_ONLY = re.compile(rf"(?:姓|免贵姓)((?:{_SURNAMES}))(?=$|[^\u4e00-\u9fff]|[，。叫名的])")
_ADDRESSED = re.compile(rf"((?:{_SURNAMES}))(?:先生|女士|小姐|阿姨|大爷|大妈|奶奶|爷爷|师傅)")
# House, building, unit, floor and room numbers; "5月3号" is a date and "1号线" a subway line.
_HOUSE = re.compile(r"(?<![0-9月日年*])([0-9]+)(?=号(?!线)|单元|室(?![0-9]厅)|房间|栋|幢|座|层|楼(?!盘))")
# The room after a unit or building: "3单元401", "5号楼1201", "3栋502".
_ROOM = re.compile(r"(?:单元|号楼|[栋幢座])([0-9]{2,4})(?![0-9])")
# "12-3-401": building, unit and room in the short form.
_SHORT_ADDRESS = re.compile(r"(?<![0-9*-])([0-9]{1,3}-[0-9]{1,2}-[0-9]{2,4})(?![0-9-])")


def _whole(found: re.Match[str]) -> tuple[int, str]:
    return found.start(1), MASK * len(found.group(1))


def _digits(found: re.Match[str]) -> tuple[int, str]:
    return found.start(1), "".join(MASK if c.isdigit() else c for c in found.group(1))


_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[int, str] | None]], ...] = (
    (_ID_CARD, _id_card),
    (_MOBILE, _mobile),
    (_LANDLINE, _number),
    (_LOCAL_NUMBER, _number),
    (_PLATE, _plate),
    (_ADDRESSED, _whole),  # first: "联系人王女士" keeps its 女士
    (_NAMED, _whole),
    (_SELF, _whole),
    (_SURNAME_ONLY, _whole),
    (_SHORT_ADDRESS, _digits),
    (_HOUSE, _digits),
    (_ROOM, _digits),
)


def mask_text(text: str) -> str:
    """The text with phone numbers, ID-card numbers, licence plates, names and house and room
    numbers masked, everything else as it was: "车牌京A12345，电话13812345678" → "车牌京A*****，
    电话138****5678"; "我叫王小明，住在方家胡同12号3单元401" → "我叫***，住在方家胡同**号*单元***"."""
    original = list(text)
    seen = text.translate(_HALF_WIDTH)
    for pattern, mask in _RULES:
        spans = [span for found in pattern.finditer(seen) if (span := mask(found)) is not None]
        if not spans:
            continue
        current = list(seen)
        for start, replacement in spans:
            for offset, char in enumerate(replacement):
                if char == MASK:
                    original[start + offset] = MASK
                    current[start + offset] = MASK
        seen = "".join(current)
    return "".join(original)
