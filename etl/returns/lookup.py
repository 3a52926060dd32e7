"""Resolve what people write for regions and indicators to catalogue codes.

Rules: exact code, exact official name, name with or without its 区/县/市/旗 suffix, or a
documented alias. Two candidates are never guessed between: the caller gets both back.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass

import polars as pl

from etl.core.text import squash

_REGION_SUFFIXES = ("自治县", "自治旗", "新区", "区", "县", "市", "旗")
# A unit written after the name in the indicator cell: 孕产妇死亡率（1/10万）, 婴儿死亡率(‰)
_TRAILING_UNIT = re.compile(r"\((?:[^()]*)\)$")
# 其中： / 1. / （一） prefixes in indicator cells
_PREFIX = re.compile(r"^(其中[:：]?|[0-9]+[.、]|\(?[一二三四五六七八九十]+\)?[、.]?)")


def _strip_region_suffix(name: str) -> str:
    for suffix in _REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class Match:
    codes: tuple[str, ...]  # empty: unknown; one: resolved; several: see `fan_out`
    how: str  # code | whole | name | short_name | alias | none
    fan_out: bool = False  # several indicators that are the same measure: load into each


class _Memo:
    """resolve() remembered per text: a return names the same few indicators and regions on
    thousands of rows, and each lookup normalises and tries several spellings."""

    def resolve(self, text: str | None) -> Match:
        cache = self.__dict__.setdefault("_resolved", {})
        if text not in cache:
            cache[text] = self._resolve(text)
        return cache[text]

    def _resolve(self, text: str | None) -> Match:
        raise NotImplementedError


# What a return writes for the whole of the home region, by the home region's level.
WHOLE_REGION = {"city": ("全市",), "county": ("全县", "全区")}
WHOLE_REGION_WORDS = frozenset(w for words in WHOLE_REGION.values() for w in words)


# 统计用区划代码: 12 digits, the first 6 being the county's 行政区划代码; a county itself ends
# in six zeros, anything else is a town (乡镇/街道) or village inside it.
_LONG_CODE = re.compile(r"^\d{12}$")


def _county_of_long_code(code: str) -> str | None:
    return code[:6] if _LONG_CODE.match(code) and code.endswith("000000") else None


class RegionLookup(_Memo):
    def __init__(self, regions: pl.DataFrame) -> None:
        self._by_code: dict[str, str] = {}
        self._by_name: dict[str, set[str]] = defaultdict(set)
        self._whole: dict[str, str] = {}
        columns = ["code", "name", "short_name"] + [c for c in ("level", "parent_code") if c in regions.columns]
        rows = list(regions.select(columns).iter_rows(named=True))
        codes = {r["code"] for r in rows}
        for r in rows:
            code, name, short = r["code"], r["name"], r["short_name"]
            self._by_code[code] = name
            for key in {squash(name), squash(short), _strip_region_suffix(squash(name))}:
                if key:
                    self._by_name[key].add(code)
            # the home region: the one whose parent is not loaded (全国 has no parent at all)
            if r.get("parent_code") and r["parent_code"] not in codes:
                for word in WHOLE_REGION.get(r.get("level") or "", ()):
                    self._whole[word] = code

    def name(self, code: str) -> str:
        return self._by_code.get(code, code)

    def _resolve(self, text: str | None) -> Match:
        s = squash(text)
        if s.endswith(".0"):  # a code that went through Excel as a number
            s = s[:-2]
        if s in self._by_code:
            return Match((s,), "code")
        county = _county_of_long_code(s)
        if county in self._by_code:
            return Match((county,), "long_code")
        if s in self._whole:
            return Match((self._whole[s],), "whole")
        for key, how in ((s, "name"), (_strip_region_suffix(s), "short_name")):
            codes = self._by_name.get(key)
            if codes:
                return Match(tuple(sorted(codes)), how)
        return Match((), "none")

    def long_code_reason(self, text: str | None) -> str | None:
        """Why a 12-digit 统计用区划代码 cannot be read here (it names a town or village), or None."""
        s = squash(text)
        if not _LONG_CODE.match(s) or _county_of_long_code(s):
            return None
        county = s[:6]
        where = f"{self._by_code[county]}（{county}）" if county in self._by_code else f"前6位 {county}"
        return (
            f"“{s}”是12位统计用区划代码，指向{where}下的乡镇或村（后6位 {s[6:]} 不全为0），"
            f"本系统按区县填报，不能把乡镇、村的数值当作区县数值；请填写区县的6位代码 {county}"
            f"或其12位代码 {county}000000"
        )

    def suggest(self, text: str | None, n: int = 3) -> list[str]:
        names = sorted({self._by_code[c] for codes in self._by_name.values() for c in codes})
        return difflib.get_close_matches(squash(text), names, n=n, cutoff=0.3)


class IndicatorLookup(_Memo):
    def __init__(self, indicators: pl.DataFrame, aliases: pl.DataFrame) -> None:
        self._codes = {c.upper(): c for c in indicators["code"]}
        self._units = dict(zip(indicators["code"], indicators["unit"], strict=True))
        self._names: dict[str, list[str]] = defaultdict(list)
        for code, name in indicators.select("code", "name").iter_rows():
            self._names[squash(name)].append(code)
        self._aliases = {squash(a): c for a, c in aliases.select("alias", "indicator_code").iter_rows()}
        self._display = sorted({*indicators["name"], *aliases["alias"]})

    def _resolve(self, text: str | None) -> Match:
        s = squash(text)
        if s.upper() in self._codes:
            return Match((self._codes[s.upper()],), "code")
        parts = s.upper().split("/")
        if len(parts) > 1 and all(p in self._codes for p in parts):
            # the template's one row for a measure both outlines list ("A/B"): load into each,
            # but only when they are the same measure (one unit)
            codes = tuple(dict.fromkeys(self._codes[p] for p in parts))
            if len({self._units[c] for c in codes}) == 1:
                return Match(codes, "code", fan_out=len(codes) > 1)
            return Match(codes, "code")
        candidates = [s, _PREFIX.sub("", s)]
        candidates += [_TRAILING_UNIT.sub("", c) for c in candidates]
        for key in candidates:
            if key in self._names:
                codes = tuple(self._names[key])
                # Both outlines list some measures under one name and unit (产前筛查率):
                # one reported value is the same fact for each of them.
                same = len({self._units[c] for c in codes}) == 1
                return Match(codes, "name", fan_out=len(codes) > 1 and same)
            if key in self._aliases:
                return Match((self._aliases[key],), "alias")
        return Match((), "none")

    def suggest(self, text: str | None, n: int = 3) -> list[str]:
        key = _TRAILING_UNIT.sub("", _PREFIX.sub("", squash(text)))
        return difflib.get_close_matches(key, self._display, n=n, cutoff=0.4)
