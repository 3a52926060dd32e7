"""Normalise and validate raw values → observations, findings and rejected rows.

Every rule yields a `Finding` (file, sheet, row, column, rule, severity, Chinese message);
nothing prints. Errors reject the row; warnings and info rows are loaded and shown.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from etl.core import bounds
from etl.core.numbers import parse_number, parse_year, unit_key
from etl.core.records import (
    SEVERITY_ERROR,
    SEVERITY_INFO,
    SEVERITY_WARNING,
    TOTAL,
    Finding,
    Observation,
    RawValue,
)
from etl.core.text import squash
from etl.returns.lookup import WHOLE_REGION_WORDS, IndicatorLookup, RegionLookup
from etl.returns.plausibility import plausibility_findings

BREAKDOWN_WORDS = {
    "城镇": "城镇",
    "城市": "城镇",
    "农村": "农村",
    "乡村": "农村",
    "女": "女",
    "女性": "女",
    "男": "男",
    "男性": "男",
    "合计": TOTAL,
    "总计": TOTAL,
}

Key = tuple[str, str, int, str]  # indicator, region, year, breakdown


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name: str
    unit: str | None
    plausible_min: float | None
    plausible_max: float | None
    breakdowns: frozenset[str]


@dataclass
class Context:
    """What validation needs to know about the database it loads into."""

    indicators: IndicatorLookup
    regions: RegionLookup
    info: dict[str, IndicatorInfo]
    first_year: int
    last_year: int
    current: dict[Key, float] = field(default_factory=dict)  # observation_current values
    # No value may be for a year after this one: a 2024 return cannot know 2030.
    latest_year: int = field(default_factory=lambda: date.today().year)
    # the region the dashboard is for (its parent is not loaded): not one of the districts
    home_regions: frozenset[str] = frozenset()

    @classmethod
    def from_frames(
        cls,
        indicators: pl.DataFrame,
        aliases: pl.DataFrame,
        regions: pl.DataFrame,
        years: tuple[int, int],
        current: dict[Key, float] | None = None,
        today: date | None = None,
    ) -> Context:
        info = {
            r["code"]: IndicatorInfo(
                r["code"],
                r["name"],
                r["unit"],
                r["plausible_min"],
                r["plausible_max"],
                frozenset(b for b in (r["breakdowns"] or "").split("|") if b),
            )
            for r in indicators.iter_rows(named=True)
        }
        codes = set(regions["code"].to_list())
        home = (
            frozenset(c for c, p in regions.select("code", "parent_code").iter_rows() if p not in codes)
            if "parent_code" in regions.columns
            else frozenset()
        )
        return cls(
            IndicatorLookup(indicators, aliases),
            RegionLookup(regions),
            info,
            years[0],
            years[1],
            current or {},
            (today or date.today()).year,
            home,
        )


@dataclass(frozen=True)
class Rejected:
    sheet: str
    row: int
    column: str
    raw_cells: tuple[str, ...]
    reason: str


@dataclass
class CheckResult:
    observations: list[Observation] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    missing: int = 0  # gaps written as —/无/暂无数据


def _where(v: RawValue) -> str:
    return f"{v.file} 工作表“{v.sheet}”第{v.row}行{v.column}列"


def _finding(v: RawValue, rule: str, severity: str, message: str, column: str | None = None) -> Finding:
    col = column or v.column
    where = f"{v.file} 工作表“{v.sheet}”第{v.row}行{col}列"
    return Finding(v.file, v.sheet, v.row, col, rule, severity, f"{where}：{message}")


def _breakdown(v: RawValue) -> str | None:
    if v.breakdown is None:
        return TOTAL
    return BREAKDOWN_WORDS.get(squash(v.breakdown).removeprefix("其中:").removeprefix("其中"))


class _Checker:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.out = CheckResult()

    def reject(self, v: RawValue, rule: str, message: str, column: str | None = None) -> None:
        f = _finding(v, rule, SEVERITY_ERROR, message, column)
        self.out.findings.append(f)
        self.out.rejected.append(Rejected(v.sheet, v.row, f.column or v.column, v.raw_cells, f.message))

    def note(self, v: RawValue, rule: str, severity: str, message: str) -> None:
        self.out.findings.append(_finding(v, rule, severity, message))

    def one(self, v: RawValue) -> list[Observation]:
        """Normalise one raw value; returns its observations (several when fanned out)."""
        ctx = self.ctx
        ind = ctx.indicators.resolve(v.indicator)
        if not ind.codes:
            hint = "、".join(ctx.indicators.suggest(v.indicator)) or "无相近指标"
            self.reject(v, "unknown_indicator", f"指标“{v.indicator}”不在指标目录中（相近的指标：{hint}）")
            return []
        if len(ind.codes) > 1 and not ind.fan_out:
            self.reject(
                v,
                "ambiguous_indicator",
                f"指标名称“{v.indicator}”对应多个指标（{'、'.join(ind.codes)}），请填写指标代码",
            )
            return []
        if v.indicator_name and not self._names_agree_indicator(v, ind.codes):
            return []
        reg = ctx.regions.resolve(v.region)
        if not reg.codes and ctx.regions.long_code_reason(v.region):
            self.reject(v, "region_code_too_fine", ctx.regions.long_code_reason(v.region) or "")
            return []
        if not reg.codes and squash(v.region) in WHOLE_REGION_WORDS:
            # e.g. a city table's 全市 column sent to a county's dashboard: not this region's figure
            self.note(
                v,
                "whole_region_skipped",
                SEVERITY_INFO,
                f"“{v.region}”列是上级或其他层级的合计数，与本系统的本级地区不符，未读取",
            )
            return []
        if not reg.codes:
            hint = "、".join(ctx.regions.suggest(v.region)) or "无"
            # the district cell is what needs fixing, not the value beside it
            self.reject(v, "unknown_region", f"地区“{v.region or ''}”无法识别（相近的地区：{hint}）", v.region_column)
            return []
        if len(reg.codes) > 1:
            names = "、".join(f"{ctx.regions.name(c)}({c})" for c in reg.codes)
            self.reject(v, "ambiguous_region", f"地区“{v.region}”对应多个地区（{names}），请填写地区代码")
            return []
        if v.region_name and not self._names_agree_region(v, reg.codes[0]):
            return []
        year = parse_year(v.year)
        if year is None:
            self.reject(v, "bad_year", f"年份“{v.year or ''}”无法识别")
            return []
        if not ctx.first_year <= year <= ctx.last_year:
            self.reject(v, "year_out_of_plan", f"年份{year}不在规划期内（{ctx.first_year}—{ctx.last_year}年）")
            return []
        if year > ctx.latest_year:
            self.reject(v, "future_year", f"年份{year}晚于当前年份{ctx.latest_year}年，尚未发生的年份不能填报数值")
            return []
        breakdown = _breakdown(v)
        if breakdown is None:
            self.reject(v, "unknown_breakdown", f"分组“{v.breakdown}”无法识别（可用：城镇、农村、女、男）")
            return []
        num = parse_number(v.value)
        if num.missing:
            self.out.missing += 1
            return []
        if num.error:
            self.reject(v, "non_numeric", num.error)
            return []
        obs = []
        for code in ind.codes:
            o = self._check_value(v, ctx.info[code], reg.codes[0], year, breakdown, num)
            if o is not None:
                obs.append(o)
        if ind.fan_out and obs:
            self.note(
                v,
                "same_measure",
                SEVERITY_INFO,
                f"“{v.indicator}”在两个纲要中是同一指标，数值同时计入 {'、'.join(ind.codes)}",
            )
        return obs

    def _names_agree_indicator(self, v: RawValue, codes: tuple[str, ...]) -> bool:
        """A code with a name beside it: both must name the same indicator, or the row is refused."""
        named = self.ctx.indicators.resolve(v.indicator_name)
        if named.codes and set(named.codes) & set(codes):
            return True
        code = codes[0]
        meant = f"（名称对应 {'、'.join(named.codes)}）" if named.codes else "（名称不在指标目录中）"
        self.reject(
            v,
            "indicator_name_mismatch",
            f"指标代码“{v.indicator}”是“{self.ctx.info[code].name}”，但指标名称写的是"
            f"“{v.indicator_name}”{meant}，代码与名称不一致，本值未载入；请核对后改正其中之一",
        )
        return False

    def _names_agree_region(self, v: RawValue, code: str) -> bool:
        named = self.ctx.regions.resolve(v.region_name)
        if code in named.codes:
            return True
        meant = (
            f"（名称对应 {'、'.join(f'{self.ctx.regions.name(c)}({c})' for c in named.codes)}）"
            if named.codes
            else "（名称无法识别）"
        )
        self.reject(
            v,
            "region_name_mismatch",
            f"地区代码“{v.region}”是{self.ctx.regions.name(code)}，但地区名称写的是"
            f"“{v.region_name}”{meant}，代码与名称不一致，本值未载入；请核对后改正其中之一",
        )
        return False

    def _check_value(
        self, v: RawValue, info: IndicatorInfo, region: str, year: int, breakdown: str, num
    ) -> Observation | None:
        value = num.value
        cell_unit = num.unit or (squash(v.unit) or None)
        if cell_unit and info.unit and unit_key(cell_unit) != unit_key(info.unit):
            self.reject(v, "unit_mismatch", f"计量单位“{cell_unit}”与指标“{info.name}”的单位“{info.unit}”不一致")
            return None
        if breakdown != TOTAL and breakdown not in info.breakdowns:
            allowed = "、".join(sorted(info.breakdowns)) or "无分组"
            self.reject(v, "breakdown_not_allowed", f"指标“{info.name}”没有“{breakdown}”分组（该指标分组：{allowed}）")
            return None
        low, high = bounds.value_bounds(info.unit, info.plausible_min, info.plausible_max)
        if value < 0 and (low is None or low >= 0):
            self.reject(v, "negative", f"“{info.name}”不能为负数（{v.value}）")
            return None
        if info.unit == "%" and value > 100 and (high is None or high <= 100):
            self.reject(v, "percent_over_100", f"百分比“{info.name}”超过100（{v.value}）")
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.reject(v, "out_of_range", f"“{info.name}”数值{v.value}超出合理范围（{_fmt(low)}—{_fmt(high)}）")
            return None
        return Observation(info.code, region, year, breakdown, value, v.sheet, v.row, v.column, v.note or None)


def _fmt(x: float | None) -> str:
    return "不限" if x is None else f"{x:g}"


def _flag_fractions(chk: _Checker, pairs: list[tuple[RawValue, Observation]]) -> set[int]:
    """Percentages that all look like fractions (0.953 for 95.3%) are rejected, never stored."""
    by_indicator: dict[str, list[int]] = defaultdict(list)
    for i, (_, o) in enumerate(pairs):
        if chk.ctx.info[o.indicator_code].unit == "%":
            by_indicator[o.indicator_code].append(i)
    bad: set[int] = set()
    for idxs in by_indicator.values():
        values = [pairs[i][1].value for i in idxs]
        if len(values) >= 2 and all(0 < x <= 1 for x in values):
            for i in idxs:
                v, o = pairs[i]
                chk.reject(
                    v,
                    "looks_like_fraction",
                    f"“{chk.ctx.info[o.indicator_code].name}”数值{v.value}像是小数而非百分数"
                    f"（本文件中该指标全部数值都不超过1），请按百分数填写，如 {o.value * 100:g}",
                )
            bad.update(idxs)
    return bad


def check_values(values: list[RawValue], ctx: Context) -> CheckResult:
    """Normalise and validate one file's raw values against the catalogue and current data."""
    chk = _Checker(ctx)
    pairs: list[tuple[RawValue, Observation]] = []
    for v in values:
        pairs.extend((v, o) for o in chk.one(v))
    bad = _flag_fractions(chk, pairs)
    pairs = [p for i, p in enumerate(pairs) if i not in bad]

    # Duplicates in one file with different values: reject all of them, never pick one.
    groups: dict[Key, list[tuple[RawValue, Observation]]] = defaultdict(list)
    for v, o in pairs:
        groups[(o.indicator_code, o.region_code, o.year, o.breakdown)].append((v, o))
    for key, group in groups.items():
        distinct = {o.value for _, o in group}
        if len(distinct) > 1:
            cells = "、".join(f"第{v.row}行{v.column}列={v.value}" for v, _ in group)
            for v, _ in group:
                chk.reject(
                    v, "duplicate_conflict", f"同一指标、地区、年份在本文件中出现多次且数值不同（{cells}），均未载入"
                )
            continue
        v, o = group[0]
        for dup, _ in group[1:]:
            chk.note(dup, "duplicate_same", SEVERITY_INFO, f"与第{v.row}行重复（数值相同），只载入一次")
        old = ctx.current.get(key)
        if old is not None and old != o.value:
            chk.note(
                v, "revision", SEVERITY_WARNING, f"与已载入数值不同：{old:g} → {o.value:g}，作为新修订载入，原值保留"
            )
        chk.out.observations.append(o)
    chk.out.findings.extend(
        plausibility_findings(
            values[0].file if values else "", chk.out.observations, ctx.info, ctx.current, home_regions=ctx.home_regions
        )
    )
    return chk.out
