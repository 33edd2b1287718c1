"""The place from the text (DESIGN.md section 4): which district and street or township a request
is about, read from its words, so the operator and the form can fill the location in.

A gazetteer of Beijing's 16 districts and 343 streets and townships — their full names, their
short forms ("安定门" for 安定门街道, "朝阳" for 朝阳区, the old names 崇文 and 宣武) — and well-known
places (data/places.json: hutongs, neighbourhoods, landmarks, each with its street). The longest
name found wins where names overlap ("朝阳门" is a street of 东城区, not 朝阳区). A short form that
is also an everyday word or another district's name ("新村", "城关", "海淀") counts only where
the text also names its district."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel

_SUFFIXES = ("满族乡", "回族乡", "地区办事处", "街道", "地区", "镇", "乡")
# Old district names still in use (合并 2010).
_OLD_DISTRICTS = {"崇文": "东城区", "宣武": "西城区"}


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    district_code: str
    district_name: str


@dataclass(frozen=True)
class _Entry:
    name: str
    district: str  # its 6-digit code
    street: str | None  # its 9-digit code, or None for a district name
    strong: bool  # counts without its district named too


class PlaceSuggestion(BaseModel):
    """Where the text says the request is about; `matched` are the words that said it."""

    district: str
    district_name: str
    street: str | None
    street_name: str | None
    matched: list[str]


class Gazetteer:
    def __init__(
        self, divisions: Iterable[Division], places: Mapping[str, str], weak: Iterable[str] = ()
    ) -> None:
        rows = list(divisions)
        self.names = {r.code: r.name for r in rows} | {r.district_code: r.district_name for r in rows}
        district_of = {r.code: r.district_code for r in rows}
        districts = {r.district_name: r.district_code for r in rows}
        short_districts = {name.removesuffix("区"): code for name, code in districts.items()}
        weak_words = set(weak) | set(short_districts)
        entries: dict[str, _Entry] = {}
        for name, code in districts.items():
            entries[name] = _Entry(name, code, None, True)
        for short, code in short_districts.items():
            entries.setdefault(short, _Entry(short, code, None, True))
        for old, name in _OLD_DISTRICTS.items():
            entries.setdefault(old, _Entry(old, districts[name], None, True))
        counts: dict[str, int] = {}
        for r in rows:
            entries[r.name] = _Entry(r.name, r.district_code, r.code, True)
            short = _short(r.name)
            counts[short] = counts.get(short, 0) + 1
        for r in rows:
            short = _short(r.name)
            if len(short) >= 2 and short not in entries:
                unique = counts[short] == 1 and short not in weak_words
                entries[short] = _Entry(short, r.district_code, r.code, unique)
            elif len(short) >= 2 and entries[short].street is not None and entries[short].street != r.code:
                # The same short form in two districts: only its district decides.
                entries[short] = _Entry(short, entries[short].district, entries[short].street, False)
        for place, code in places.items():
            # A place that spans several streets names only its district.
            district, street = (code, None) if len(code) == 6 else (district_of[code], code)
            entries.setdefault(place, _Entry(place, district, street, True))
        self.entries = entries
        ordered = sorted(entries, key=len, reverse=True)
        self.pattern = re.compile("|".join(re.escape(name) for name in ordered))
        # Every street a weak short form may mean, by district.
        self.by_short: dict[str, dict[str, str]] = {}
        for r in rows:
            self.by_short.setdefault(_short(r.name), {})[r.district_code] = r.code

    def find(self, text: str) -> PlaceSuggestion | None:
        """The district and (when it can tell) the street of the text, or None."""
        found = [self.entries[m.group()] for m in self.pattern.finditer(text)]
        if not found:
            return None
        named_districts = [e.district for e in found if e.street is None]
        district = named_districts[0] if named_districts else None
        street: str | None = None
        matched: list[str] = []
        for entry in found:
            if entry.street is None:
                continue
            candidate = entry.street
            if district is not None and entry.district != district:
                # Another district's street: the same short form may name one in this district.
                candidate = self.by_short.get(_short(entry.name), {}).get(district) or ""
                if not candidate:
                    continue
            elif district is None and not entry.strong:
                continue
            street = candidate
            matched.append(entry.name)
            district = district or entry.district
            break
        if district is None:
            return None
        for entry in found:
            if entry.street is None and entry.district == district:
                matched.insert(0, entry.name)
                break
        return PlaceSuggestion(
            district=district,
            district_name=self.names[district],
            street=street,
            street_name=self.names[street] if street else None,
            matched=matched,
        )


def _short(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name.removesuffix(suffix)
    return name
