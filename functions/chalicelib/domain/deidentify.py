"""De-identification of free text before it leaves the hotline (Open311, analytics): mobile and
landline numbers, 18-digit resident ID numbers (GB 11643) and Chinese licence plates (GA 36) are
masked with "*". A requester's name in free text is not recognised: text that must stay private
is not published at all (confidential orders)."""

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


_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[int, str] | None]], ...] = (
    (_ID_CARD, _id_card),
    (_MOBILE, _mobile),
    (_LANDLINE, _number),
    (_LOCAL_NUMBER, _number),
    (_PLATE, _plate),
)


def mask_text(text: str) -> str:
    """The text with phone numbers, ID-card numbers and licence plates masked, everything else as
    it was: "车牌京A12345，电话13812345678" → "车牌京A*****，电话138****5678"."""
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
