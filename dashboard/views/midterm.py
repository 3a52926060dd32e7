"""中期评估 (mid-term evaluation): the per-domain table offices hand in, counts per category
and a short narrative built only from computed numbers.

Pure functions of ProgressResults. The evaluated plan gives the status, baseline, latest value
and trend; "companion" plans with another target year (十四五 for 2025, 两纲 for 2030) add their
targets as extra columns, so the table shows the 2025 and the 2030 target side by side.

The evaluation table is the region's own returns. Beside it, the level below is ranked
(`below`): a province's cities, a city's counties, a county among its neighbours — each on its
basis (a region without assessed items of its own is a roll-up, marked 汇总) and a total row
pooling the rows' items (dashboard.engine.levels).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from dashboard import engine
from dashboard.engine import ProgressResult, aggregate, levels
from dashboard.engine.progress import DIRECTION_KINDS, DIRECTION_STATUSES
from dashboard.render import exports, present
from dashboard.views import briefing
from etl.core import settings

# what the summary's "进度滞后或退步" counts: the two statuses of those names, nothing else
BEHIND = ("lagging", "regressing")
SUMMARY_TOTAL = "合计"
# a plan beside the evaluated one: its targets (and plan) are all the table reads of it
Companion = ProgressResult | engine.PlanTargets
PARENT_RULE = levels.PARENT_RULE


def companion_codes(db_path: Path, plan_code: str) -> list[str]:
    """The plans shown beside `plan_code` in the evaluation table (see companion_plans)."""
    return companion_plans(plan_code, engine.plans(db_path))


def companion_targets(db_path: Path, plan_code: str, year: int, region: str | None) -> tuple[engine.PlanTargets, ...]:
    """The companion plans' targets for `region`'s scope (engine.resolved_plan_targets: no values
    are evaluated, only the targets become columns); a plan whose years do not include `year`
    is left out."""
    out = []
    for code in companion_codes(db_path, plan_code):
        try:
            out.append(engine.resolved_plan_targets(db_path, code, year, region))
        except engine.EngineError:
            continue
    return tuple(out)


def report_org() -> str:
    """The office's name as the report's author line prints it (setting report_org)."""
    return str(settings.get("report_org"))


def companion_plans(plan_code: str, plans: pl.DataFrame) -> list[str]:
    """For each other target year, the first plan (in the plan table's order) that has it."""
    own = plans.filter(pl.col("code") == plan_code)
    if own.height == 0:
        return []
    own_year = own.item(0, "target_year")
    picked: dict[int, str] = {}
    for code, year in plans.select("code", "target_year").iter_rows():
        if year != own_year and year not in picked:
            picked[year] = code
    return [picked[y] for y in sorted(picked)]


def conclusion(row: Mapping[str, Any]) -> str:
    """评估结论 of one item: its label, then the numbers behind it (progress against time,
    change since the base year, the trend's verdict, 得而复失)."""
    status = str(row["status"])
    if status == "target_pending":
        return "目标待设定，暂不评估"
    if status == "no_data":
        return "无数据，无法评估"
    if status == "not_assessable":
        return f"无法评估：{row.get('reason') or '缺少基期值'}"
    d = row.get("decimals")
    parts = [row.get("status_label") or present.rule_name(status)]
    if present.is_judged(row) and row.get("latest_year") is not None:
        parts.append(f"{row['latest_year']}年评定为{present.judgement(row)}")
    elif status == "achieved":
        parts.append(f"{row['latest_year']}年已达到目标")
    elif status in ("on_track", "lagging", "regressing") and row.get("rho") is not None:
        parts.append(f"完成进度{present.share(row['rho'])}，时间进度{present.share(row['tau'])}")
    elif status == "regressing":
        parts.append(row.get("reason") or "离目标更远")
    elif status == "not_achieved":
        parts.append("定性目标尚未实现")
    elif status in DIRECTION_STATUSES and row.get("change_since_base") is not None:
        change = row["change_since_base"]
        parts.append(f"较基期{'+' if change >= 0 else ''}{present.number(change, d)}")  # "−" when down
    if status != "achieved" and row.get("trend_projection") is not None and row.get("trend_on_track") is not None:
        # a direction target has no line to reach, and its status already says 向好/持平/未向好:
        # a second verdict from the trend line could only repeat or contradict it
        verdict = "" if status in DIRECTION_STATUSES else ("，可达标" if row["trend_on_track"] else "，难以达标")
        capped = "（直线外推超出合理范围，取边界值）" if row.get("trend_capped") else ""
        parts.append(
            f"按当前趋势{row['target_year']}年预计{present.number(row['trend_projection'], d)}{capped}{verdict}"
        )
    if row.get("lost"):
        parts.append(f"{row['last_achieved_year']}年曾达标，现未达标")
    return "；".join(parts)


def narrative(
    scope: str,
    n_indicators: int,
    label_counts: Sequence[tuple[str, int]],
    rate: float | None,
    numerator: int,
    denominator: int,
    direction: int,
    behind_by_domain: Sequence[tuple[str, int]],
    off_trend: int,
    target_year: int,
) -> str:
    """ "全市N项指标中，达标M项…" — every number is an argument, nothing is estimated here.

    label_counts: (label, n) in label order (zero counts are left out of the sentence);
    behind_by_domain: (domain, n of 进度滞后/退步/未实现) largest first; off_trend: items not
    yet achieved whose trend line misses the target at `target_year`.
    """
    listed = "、".join(f"{label}{n}项" for label, n in label_counts if n)
    text = f"{scope}{n_indicators}项指标中，{listed or '暂无可评价的指标'}。"
    if denominator:
        text += (
            f"达标率{present.percent(rate)}（达到数值或定性目标的{numerator}项 ÷ 有数据且有数值或定性目标的"
            f"{denominator}项）"
        )
    else:
        text += "暂无有数据且有数值或定性目标的指标，达标率无法计算"
    if direction:
        text += f"；另有方向性目标{direction}项按较基期变化评价，不计入达标率"
    text += "。"
    behind = [(d, n) for d, n in behind_by_domain if n]
    if behind:
        # every domain is named, so the parts add up to the total stated
        total = sum(n for _d, n in behind)
        # named by the computed status (计算状态), not by a label: a label set may call more
        # statuses 滞后 than these two
        text += (
            f"计算状态为“进度滞后”或“退步”的指标{total}项，分布在"
            + "、".join(f"{d}（{n}项）" for d, n in behind)
            + "。"
        )
    if off_trend:
        text += f"按当前趋势，尚未达标的指标中有{off_trend}项预计到{target_year}年难以达标。"
    return text


@dataclass(frozen=True)
class Below:
    """The level below a region (or a county's neighbours) ranked, with a pooled total row."""

    parent_code: str  # whose regions are ranked
    parent_name: str
    word: str  # 市 / 区县
    table: pl.DataFrame  # 排名, region, 口径, counts per label, 达标率 …; last row the pooled total
    rank_of_region: int | None  # the evaluated region's rank when it is one of the ranked
    drill: dict[str, str]  # ranked regions with regions below them

    @property
    def title(self) -> str:
        return f"{self.parent_name}各{self.word}评估汇总"

    @property
    def total_line(self) -> str:
        """What the last row pools: "合计（汇总）行：所辖8个区县合计（汇总，按指标×区县计，单位：项次）。"."""
        return f"{levels.total_name()}行：{levels.total_text(self.table.height - 1, self.word)}。"

    def rank_line(self, name: str) -> str:
        """ "张店区在淄博市8个区县中排名第3。" when the evaluated region is ranked here."""
        if not self.rank_of_region:
            return ""
        return f"{name}在{self.parent_name}{self.table.height - 1}个{self.word}中排名第{self.rank_of_region}。"


def below(result: ProgressResult, region: str) -> Below:
    """The regions a view of `region` ranks (levels.compared_parent) with their label counts and
    达标率, each on its basis, and the pooled total (levels.pooled_total) as the last row."""
    parent = levels.compared_parent(briefing.tree(result), region)
    ranked = briefing.ranking_of(result, parent).filter(pl.col("region_code") != parent)
    word = briefing.level_word(result, parent)
    styles = present.label_styles(result.labels)
    rollups = ranked.get_column("rollup").fill_null(0) if "rollup" in ranked.columns else None
    rows = [
        {**r, "_name": levels.shown_name(r["region_name"], r.get("rollup") or 0), "_basis": r.get("basis")}
        for r in ranked.iter_rows(named=True)
    ]
    total = levels.pooled_total(ranked)
    rows.append({**total, "rank": None, "_name": levels.total_name(), "_basis": levels.ROLLUP_MARK})
    columns: dict[str, Any] = {"排名": lambda r: r["rank"], word: lambda r: r["_name"]}
    for style in styles:
        columns[f"{style.symbol} {style.label}"] = lambda r, s=style: sum(int(r[f"n_{c}"] or 0) for c in s.codes)
    columns["合计"] = lambda r: int(r["n_items"])
    columns["达标率"] = lambda r: present.percent(r["attainment_rate"]) or "—"
    columns["达标"] = lambda r: int(r["rate_numerator"])
    columns["达标率分母"] = lambda r: int(r["rate_denominator"])
    if rollups is not None and rollups.sum() > 0:
        columns["口径"] = lambda r: r["_basis"] if r["_basis"] == levels.ROLLUP_MARK or r.get("rollup") else "本级"
    text = {word, "达标率", "口径"}
    table = present.rows_table(rows, columns, {k: pl.Int64 for k in columns if k not in text})
    mine = ranked.filter(pl.col("region_code") == region)
    names = dict(result.by_region.select("region_code", "region_name").iter_rows())
    return Below(
        parent_code=parent,
        parent_name=names.get(parent, parent),
        word=word,
        table=table,
        rank_of_region=mine.item(0, "rank") if mine.height else None,
        drill=briefing.drill_targets(result, parent),
    )


@dataclass(frozen=True)
class Midterm:
    region_code: str
    region_name: str
    plan_name: str
    report_year: int
    target_years: tuple[int, ...]
    table: pl.DataFrame  # every domain, with a 领域 column (Chinese headers, rounded as shown)
    by_domain: dict[str, pl.DataFrame]  # domain → its rows without the 领域 column
    summary: pl.DataFrame  # per domain counts per label, 达标率; last row 合计
    narrative: str
    has_values: bool  # the region has at least one value for the plan's indicators
    note: str  # rounding and 示例数据/示例目标, printed under every sheet's title
    below: Below | None = None  # the level below ranked (None when nothing is below or beside)

    def sheets(self) -> dict[str, pl.DataFrame]:
        """Workbook sheets: 汇总 first, then one per domain."""
        return {"汇总": self.summary, **self.by_domain}


def workbook(m: Midterm, org: str = "") -> bytes:
    """The evaluation as an xlsx workbook to hand in: printed A4, a 填报单位/日期/审核人 block
    (`org` fills 填报单位), and no notes about the screen."""
    title = f"{m.region_name}{m.plan_name}中期评估表（{m.report_year}年）"
    note = m.note.replace(present.ROUNDED_NOTE, present.PRINT_ROUNDED_NOTE)
    return exports.workbook_bytes(m.sheets(), title=title, note=note, sign_off=exports.sign_off_line(org))


def _companion_targets(companions: Sequence[Companion], region: str) -> dict[int, dict[str, dict[str, Any]]]:
    out: dict[int, dict[str, dict[str, Any]]] = {}
    for res in companions:
        rows = res.targets.filter(pl.col("region_code") == region)
        out[res.plan.target_year] = {r["indicator_code"]: r for r in rows.iter_rows(named=True)}
    return out


def evaluation(result: ProgressResult, region: str, companions: Sequence[Companion] = ()) -> Midterm:
    """The mid-term evaluation of `region` for the result's plan and report year; `companions`
    (results or engine.PlanTargets of plans with another target year) add their targets."""
    items = present.totals(result.items).filter(pl.col("region_code") == region)
    extra = _companion_targets(companions, region)
    years = tuple(sorted({result.plan.target_year, *extra}))
    table = _evaluation_table(items, result, extra, years)
    by_domain = {str(domain): part.drop("领域") for (domain,), part in table.group_by("领域", maintain_order=True)}
    styles = present.label_styles(result.labels)
    total = aggregate.status_counts(items.with_columns(pl.lit(SUMMARY_TOTAL).alias("domain")), ["domain"])
    region_rows = result.by_region.filter(pl.col("region_code") == region)
    name = region_rows.item(0, "region_name") if region_rows.height else region
    level = region_rows.item(0, "region_level") if region_rows.height else None
    return Midterm(
        region_code=region,
        region_name=name,
        plan_name=result.plan.name,
        report_year=result.report_year,
        target_years=years,
        table=table,
        by_domain=by_domain,
        summary=_summary(items, total, styles),
        narrative=_narrative_of(items, total, styles, present.scope_word(name, level), result.plan.target_year),
        has_values=items.filter(pl.col("latest_value").is_not_null()).height > 0,
        note=present.ROUNDED_NOTE
        + ("含示例数据，仅供演示。" if result.sample_data else "")
        + ("含示例目标（非官方）。" if result.sample_targets else ""),
        below=below_or_none(result, region),
    )


def _evaluation_table(
    items: pl.DataFrame,
    result: ProgressResult,
    extra: dict[int, dict[str, dict[str, Any]]],
    years: tuple[int, ...],
) -> pl.DataFrame:
    """One row per indicator (Chinese headers, rounded as shown): values, a target column per
    target year (the plan's and its companions'), status, trend, conclusion, sources; 序号 per domain."""
    main_year = result.plan.target_year
    base = result.plan.base_year

    def target_for(year: int):
        def build(r: Mapping[str, Any]) -> str | None:
            if year == main_year:
                # an item judged against an interim target has no target of its own for this year
                interim = r.get("target_year") is not None and r["target_year"] != main_year
                return present.TARGET_PENDING if interim else present.target_text(r)
            t = extra[year].get(r["indicator_code"])
            return None if t is None else present.target_text({**t, "decimals": r["decimals"]})

        return build

    def sources(r: Mapping[str, Any]) -> str:
        parts = []
        for year in years:
            t = r if year == main_year else extra[year].get(r["indicator_code"])
            if t is not None and not (t is r and r.get("target_year") not in (None, main_year)):
                parts.append(f"{year}年：{present.target_source(t)}")
        return "；".join(parts)

    columns: dict[str, Any] = {
        "领域": lambda r: r["domain"],
        "指标": lambda r: r["indicator_name"],
        "单位": lambda r: r["unit"],
        f"基期值（{base}年）": lambda r: present.measured(r, "baseline_value"),
        "最新值": lambda r: present.measured(r, "latest_value"),
        "最新值年份": lambda r: None if r["latest_year"] is None else str(r["latest_year"]),
        # a 定性 goal's latest value is the office's verdict, not a number
        "定性评定": present.judgement,
        **{f"{y}年目标": target_for(y) for y in years},
        # status and verdict before the long text, so a printed page shows them beside the numbers
        "评价状态": present.status_cell,
        f"趋势预测（{main_year}年）": lambda r: present.measured(r, "trend_projection"),
        "评估结论": conclusion,
        "牵头单位": lambda r: r["lead_unit"],
        "目标来源": sources,
        "最新值审核状态": present.review_state_text,
    }
    numeric = {f"基期值（{base}年）": pl.Float64, "最新值": pl.Float64, f"趋势预测（{main_year}年）": pl.Float64}
    table = present.rows_table(items.iter_rows(named=True), columns, numeric)
    table = table.with_columns(pl.int_range(1, pl.len() + 1).over("领域").cast(pl.Int64).alias("序号"))
    return table.select("领域", "序号", *[c for c in table.columns if c not in ("领域", "序号")])


def _summary(items: pl.DataFrame, total: pl.DataFrame, styles: Sequence[present.LabelStyle]) -> pl.DataFrame:
    """Per domain, then 合计: indicators, count per label, 达标率 and its denominator."""
    per_domain = aggregate.status_counts(items, ["domain"])
    summary_rows = list(per_domain.iter_rows(named=True)) + list(total.iter_rows(named=True))
    summary_columns: dict[str, Any] = {"领域": lambda r: r["domain"], "指标数": lambda r: int(r["n_items"])}
    for style in styles:
        summary_columns[f"{style.symbol} {style.label}"] = lambda r, s=style: sum(int(r[f"n_{c}"]) for c in s.codes)
    summary_columns["达标率"] = lambda r: present.percent(r["attainment_rate"])
    summary_columns["达标率分母"] = lambda r: int(r["rate_denominator"])
    return present.rows_table(
        summary_rows, summary_columns, {k: pl.Int64 for k in summary_columns if k not in ("领域", "达标率")}
    )


def _narrative_of(
    items: pl.DataFrame, total: pl.DataFrame, styles: Sequence[present.LabelStyle], scope: str, target_year: int
) -> str:
    """The evaluation's paragraph, from the 合计 counts and where the items fall behind."""
    t = total.row(0, named=True) if total.height else {c: 0 for c in aggregate.AGGREGATE_COLUMNS}
    behind = (
        items.filter(pl.col("status").cast(pl.String).is_in(BEHIND))
        .group_by("domain", maintain_order=True)
        .len()
        .sort("len", descending=True, maintain_order=True)
    )
    return narrative(
        scope,
        items.height,
        [(s.label, n) for s, n in present.label_counts(t, styles)],
        t.get("attainment_rate"),
        int(t.get("rate_numerator") or 0),
        int(t.get("rate_denominator") or 0),
        int(t.get("excluded_direction") or 0),
        list(behind.iter_rows()),
        off_trend(items),
        target_year,
    )


MIDTERM_LABEL_SET = "midterm"


def label_hint(label_set: str) -> str:
    """The caption's pointer to the label set a 中期评估 usually uses, unless it is in use."""
    if label_set == MIDTERM_LABEL_SET:
        return ""
    return "（侧栏“评价标签”可换用中期评估常用的“提前实现／基本符合或快于预期／滞后”）"


def off_trend(items: pl.DataFrame) -> int:
    """Items not yet achieved whose trend line misses the target at the target year. Said only
    of items with a line to reach: a direction target's status already says where it goes."""
    return items.filter(
        (pl.col("status").cast(pl.String) != "achieved")
        & (pl.col("trend_on_track") == False)  # noqa: E712
        & ~pl.col("target_kind").is_in(list(DIRECTION_KINDS)).fill_null(False)
    ).height


def below_or_none(result: ProgressResult, region: str) -> Below | None:
    """`below` when some region is ranked beside or below `region`."""
    b = below(result, region)
    return b if b.table.height > 1 else None
