"""The Chinese message of each refusal or remark validation makes, from the value and what its
rule found (etl.returns.validate decides which rule applies to which value)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from etl.core import bounds
from etl.core.numbers import parse_year
from etl.returns.values import error_message

if TYPE_CHECKING:
    from etl.returns.validate import Context, IndicatorInfo


def _fmt(x: float | None) -> str:
    return "不限" if x is None else f"{x:g}"


class Renderer:
    """The Chinese message of each refusal or remark, from the value and what its rule found."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def message(self, e: dict) -> tuple[str, str, str | None]:
        """(rule, message, column when not the value's own)."""
        rule = e["fail"]
        return rule, getattr(self, f"_{rule}")(e), e["region_column"] if rule == "unknown_region" else None

    def _info(self, e: dict) -> IndicatorInfo:
        return self.ctx.info[e["code"]]

    def _unknown_indicator(self, e: dict) -> str:
        hint = "、".join(self.ctx.indicators.suggest(e["indicator"])) or "无相近指标"
        return f"指标“{e['indicator']}”不在指标目录中（相近的指标：{hint}）"

    def _ambiguous_indicator(self, e: dict) -> str:
        return f"指标名称“{e['indicator']}”对应多个指标（{'、'.join(e['ind_codes'])}），请填写指标代码"

    def _indicator_name_mismatch(self, e: dict) -> str:
        named = self.ctx.indicators.resolve(e["indicator_name"])
        meant = f"（名称对应 {'、'.join(named.codes)}）" if named.codes else "（名称不在指标目录中）"
        return (
            f"指标代码“{e['indicator']}”是“{self.ctx.info[e['ind_codes'][0]].name}”，但指标名称写的是"
            f"“{e['indicator_name']}”{meant}，代码与名称不一致，本值未载入；请核对后改正其中之一"
        )

    def _region_code_too_fine(self, e: dict) -> str:
        return self.ctx.regions.long_code_reason(e["region"]) or ""

    def _whole_region_skipped(self, e: dict) -> str:
        # e.g. a city table's 全市 column sent to a county's dashboard: not this region's figure
        return f"“{e['region']}”列是上级或其他层级的合计数，与本系统的本级地区不符，未读取"

    def _unknown_region(self, e: dict) -> str:
        hint = "、".join(self.ctx.regions.suggest(e["region"])) or "无"
        return f"地区“{e['region'] or ''}”无法识别（相近的地区：{hint}）"

    def _ambiguous_region(self, e: dict) -> str:
        names = "、".join(f"{self.ctx.regions.name(c)}({c})" for c in e["reg_codes"])
        return f"地区“{e['region']}”对应多个地区（{names}），请填写地区代码"

    def _region_name_mismatch(self, e: dict) -> str:
        regions = self.ctx.regions
        named = regions.resolve(e["region_name"])
        meant = (
            f"（名称对应 {'、'.join(f'{regions.name(c)}({c})' for c in named.codes)}）"
            if named.codes
            else "（名称无法识别）"
        )
        return (
            f"地区代码“{e['region']}”是{regions.name(e['reg_codes'][0])}，但地区名称写的是"
            f"“{e['region_name']}”{meant}，代码与名称不一致，本值未载入；请核对后改正其中之一"
        )

    def _bad_year(self, e: dict) -> str:
        return f"年份“{e['year'] or ''}”无法识别"

    def _year_out_of_plan(self, e: dict) -> str:
        year = parse_year(e["year"])
        return f"年份{year}不在规划期内（{self.ctx.first_year}—{self.ctx.last_year}年）"

    def _future_year(self, e: dict) -> str:
        year = parse_year(e["year"])
        return f"年份{year}晚于当前年份{self.ctx.latest_year}年，尚未发生的年份不能填报数值"

    def _unknown_breakdown(self, e: dict) -> str:
        return f"分组“{e['breakdown']}”无法识别（可用：城镇、农村、女、男）"

    def _non_numeric(self, e: dict) -> str:
        return error_message(e["value"], e["num_error"])

    def _unit_mismatch(self, e: dict) -> str:
        info = self._info(e)
        cell_unit = e["num_unit"] or e["unit_sq"]
        return f"计量单位“{cell_unit}”与指标“{info.name}”的单位“{info.unit}”不一致"

    def _breakdown_not_allowed(self, e: dict) -> str:
        info = self._info(e)
        allowed = "、".join(sorted(info.breakdowns)) or "无分组"
        return f"指标“{info.name}”没有“{e['bd']}”分组（该指标分组：{allowed}）"

    def _negative(self, e: dict) -> str:
        return f"“{self._info(e).name}”不能为负数（{e['value']}）"

    def _percent_over_100(self, e: dict) -> str:
        return f"百分比“{self._info(e).name}”超过100（{e['value']}）"

    def _out_of_range(self, e: dict) -> str:
        info = self._info(e)
        low, high = bounds.value_bounds(info.unit, info.plausible_min, info.plausible_max)
        return f"“{info.name}”数值{e['value']}超出合理范围（{_fmt(low)}—{_fmt(high)}）"

    def _same_measure(self, e: dict) -> str:
        return f"“{e['indicator']}”在两个纲要中是同一指标，数值同时计入 {'、'.join(e['ind_codes'])}"

    def _looks_like_fraction(self, e: dict) -> str:
        return (
            f"“{self._info(e).name}”数值{e['value']}像是小数而非百分数"
            f"（本文件中该指标全部数值都不超过1），请按百分数填写，如 {e['num_value'] * 100:g}"
        )

    def _duplicate_conflict(self, e: dict) -> str:
        return f"同一指标、地区、年份在本文件中出现多次且数值不同（{e['cells']}），均未载入"

    def _duplicate_same(self, e: dict) -> str:
        return f"与第{e['first_row']}行重复（数值相同），只载入一次"

    def _revision(self, e: dict) -> str:
        return f"与已载入数值不同：{e['old']:g} → {e['num_value']:g}，作为新修订载入，原值保留"
