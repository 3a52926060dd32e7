"""Cell text → number, year. Understands what people type into returns."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from etl.core.text import squash

# Written in a cell to say "no value"; these are gaps, not errors.
MISSING_MARKS = frozenset(
    {
        "",
        "—",
        "——",
        "-",
        "--",
        "–",
        "/",
        "\\",
        "无",
        "暂无",
        "暂无数据",
        "缺",
        "空",
        "NA",
        "N/A",
        "n/a",
        "null",
        "NULL",
        "…",
        "...",
        "×",
        "x",
    }
)

# Units a cell may carry after the number; each maps to the catalogue unit it stands for.
_UNIT_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("/10万活产", "1/10万"),
    ("/10万", "1/10万"),
    ("/万", "1/万"),
    ("‰", "‰"),
    ("%", "%"),
    ("岁", "岁"),
    ("个", "个"),
    ("张", "张"),
    ("人", "人"),
    ("年", "年"),
    ("百分点", "百分点"),
)
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_YEAR = re.compile(r"^(19|20)\d\d$")


@dataclass(frozen=True)
class ParsedNumber:
    value: float | None  # None when missing or invalid
    missing: bool = False  # a gap (—, 无, empty): not an error
    unit: str | None = None  # unit written in the cell, mapped to catalogue spelling
    error: str | None = None  # Chinese reason when the text is not a number


def unit_key(unit: str | None) -> str:
    """Catalogue units compared loosely: 1/10万 == /10万, ‰ == ‰."""
    u = squash(unit)
    if u.startswith("1/"):
        u = u[1:]
    return u.replace("活产", "")


def parse_number(text: str | None) -> ParsedNumber:
    """Parse '95.2%', '1,234', '４.９‰', '15.7/10万', '—' into a value and a unit."""
    s = squash(text)
    if s in MISSING_MARKS:
        return ParsedNumber(None, missing=True)
    unit = None
    for suffix, canonical in _UNIT_SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            unit, s = canonical, s[: -len(suffix)]
            break
    if _THOUSANDS.match(s):
        s = s.replace(",", "")
    if not _NUMBER.match(s):
        return ParsedNumber(None, unit=unit, error=f"“{text}”不是数值")
    value = float(s)
    if not math.isfinite(value):
        # 1e309 parses as inf: an overflow is never a measurement, and inf breaks every writer
        return ParsedNumber(None, unit=unit, error=f"“{text}”超出可表示的数值范围，不是有效数值")
    # -0 is stored as 0 so that "-0" never shows up in tables or exports
    return ParsedNumber(value + 0.0, unit=unit)


def parse_year(text: str | None) -> int | None:
    """'2024', '2024年', '２０２４年度', '2024.0' → 2024; anything else → None."""
    s = squash(text).removesuffix("年度").removesuffix("年")
    if s.endswith(".0"):
        s = s[:-2]
    return int(s) if _YEAR.match(s) else None
