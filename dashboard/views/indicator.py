"""指标详情 (indicator detail): one indicator's trend, status and "why", metadata and revisions.

`detail` is pure over ProgressResults (the home region's run and the 全国 run); `metadata`
and `revision_history` read the catalogue and the full observation history (every revision,
not only the current value) with read-only queries.

Levels (dashboard.engine.levels): a region is shown with the level below it — a province with
its cities, a city with its counties — and a county with its neighbours (its city's counties).
Every value is the region's own return; the regions below are ranked by their own latest value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl

from dashboard.engine import ProgressResult, current, levels, publication
from dashboard.engine.progress import THRESHOLD_KINDS, TOTAL
from dashboard.queries import db
from dashboard.render import present
from dashboard.views import briefing

NATIONAL = present.NATIONAL


NO_DATA_MARK = "（暂无数据）"


def indicator_choices(result: ProgressResult) -> dict[str, str]:
    """The plan's indicators (code → name): those with a value in some region first, then the
    rest marked （暂无数据）, each group in catalogue order — so the default pick has a chart."""
    frame = (
        present.totals(result.items)
        .group_by("indicator_code", maintain_order=True)
        .agg(pl.col("indicator_name").first().cast(pl.String), pl.col("latest_value").is_not_null().any().alias("has"))
    )
    with_data = frame.filter(pl.col("has"))
    without = frame.filter(~pl.col("has")).with_columns(pl.col("indicator_name") + NO_DATA_MARK)
    return dict(pl.concat([with_data, without]).select("indicator_code", "indicator_name").iter_rows())


def breakdowns(result: ProgressResult, code: str) -> list[str]:
    """合计 first, then the breakdowns (城镇/农村 …) that have a value for this indicator."""
    found = result.items.filter(pl.col("indicator_code") == code).get_column("breakdown").unique().to_list()
    return [TOTAL] + sorted(b for b in found if b != TOTAL)


@dataclass(frozen=True)
class IndicatorDetail:
    code: str
    name: str
    unit: str | None
    domain: str | None
    decimals: int
    region_code: str
    region_name: str
    breakdown: str
    item: dict[str, Any]
    why: pl.DataFrame  # 项目, 数值, 说明
    series: pl.DataFrame  # region_name, year, value, review_state (what the chart draws)
    national: pl.DataFrame  # year, value
    national_item: dict[str, Any] | None
    districts: pl.DataFrame  # the compared region and the level below it, ranked (Chinese headers)
    target_line: float | None  # drawn only for a verified numeric target
    parent_name: str = ""  # whose regions the table shows
    word: str = "区县"  # what the regions below are called: 市 or 区县
    rank_rule: str = ""  # how the table ranks them
    drill: dict[str, str] = field(default_factory=dict)  # regions below with regions below them

    @property
    def target_label(self) -> str:
        return f"目标（{present.target_source(self.item)}）"

    @property
    def has_pending_points(self) -> bool:
        """Whether the chart draws a value awaiting review (an open marker)."""
        return bool((self.series.get_column("review_state") == publication.STATE_PENDING).any())

    @property
    def latest_text(self) -> str:
        """The latest value as its card shows it, rounded."""
        shown = present.number(self.item["latest_value"], self.decimals)
        return "无数据" if shown is None else shown

    @property
    def latest_review_note(self) -> str | None:
        """待审核 under the latest value's card when it is not reviewed (含待审核数据), else None."""
        return publication.STATE_LABELS[publication.STATE_PENDING] if present.pending_mark(self.item) else None

    @property
    def empty_note(self) -> str | None:
        """Why the status panel is empty when the region itself has no value."""
        if self.item["latest_value"] is not None:
            return None
        if self.series.height:
            return (
                f"{self.region_name}本级暂无这个指标的数值（上级数值不由下级数值相加或平均）；"
                f"图中为所辖各{self.word}本级数值，可在侧栏“地区”中选择{self.word}查看其评价依据。"
            )
        return f"{self.region_name}暂无这个指标的数值。"


def _yes_no(flag: bool | None) -> str | None:
    return None if flag is None else ("是" if flag else "否")


def rounding_note(item: dict[str, Any]) -> str:
    """When the value shown at the indicator's decimals reads as meeting the target but the
    unrounded value does not (94.96 shown as 95.0 against ≥95), say that the status follows
    the unrounded value — otherwise the table seems to contradict itself."""
    v, t, kind, d = item.get("latest_value"), item.get("target_value"), item.get("target_kind"), item.get("decimals")
    if v is None or t is None or item.get("achieved") or kind not in ("at_least", "at_most"):
        return ""
    shown = present.rounded(v, d)
    if shown is None or not (shown >= t if kind == "at_least" else shown <= t):
        return ""
    return f"；最新值未四舍五入为 {v:g}，按此判断未达到目标（显示值按规定的小数位舍入）"


def _target_note(item: dict[str, Any]) -> str:
    """Target year and source, and the plan's own wording (保持在40%至50%) when it has one."""
    note = f"目标年份 {item['target_year']}；来源：{present.target_source(item)}"
    wording = (item.get("target_text") or "").strip()
    return note + (f"；原文：{wording}" if wording else "")


def _why(item: dict[str, Any], base_year: int) -> pl.DataFrame:
    """The status with its inputs and intermediates (every status must be explainable)."""
    d = item["decimals"]
    judged = present.is_judged(item)
    growth = item.get("growth_label")
    rows: list[tuple[str, str | None, str]] = [
        ("状态", present.status_cell(item), f"计算状态：{present.rule_name(item['status'])}" + rounding_note(item)),
        ("目标", present.target_text(item), _target_note(item)),
        (f"基期值（{base_year}年）", present.value_text(item, item["baseline_value"]), "v_B"),
        (
            "最新值",
            (present.value_with_year(item["latest_value"], item["latest_year"], d, judged=judged) or "")
            + present.pending_mark(item)
            or None,
            "v，报告年份及以前最近一年",
        ),
        ("上年值", present.value_text(item, item["previous_value"]), "最新年份前一年"),
        # a judged goal's 1 and 0 are verdicts: their difference is not a change
        ("同比变化", None if judged else present.number(item["yoy_change"], d), "最新值 − 上年值"),
        ("较基期变化", None if judged else present.number(item["change_since_base"], d), "最新值 − 基期值"),
        ("时间进度 τ", present.share(item["tau"]), "(最新年份 − 基期年) ÷ (目标年 − 基期年)"),
        ("进度 ρ", present.share(item["rho"]), "(v − v_B) ÷ (目标 − v_B)；ρ ≥ τ 为进度正常"),
        (
            "趋势斜率（每年）",
            present.number(item["trend_slope"], (d or 0) + 2),
            f"最小二乘，{item['trend_points']} 个数据点",
        ),
        (
            f"趋势预测（{item['target_year']}年）",
            present.number(item["trend_projection"], d),
            "按当前趋势外推" + ("；直线外推超出合理范围，取边界值" if item.get("trend_capped") else ""),
        ),
        ("按当前趋势可达标", _yes_no(item["trend_on_track"]), ""),
        ("国际方法（增长率比）", present.number(item["growth_ratio"], 2), growth or (item.get("growth_reason") or "")),
        (
            "得而复失",
            "是" if item["lost"] else "否",
            f"{item['last_achieved_year']}年曾达标" if item["last_achieved_year"] else "",
        ),
        ("说明", item["reason"], ""),
        ("数据提示", present.flags_text(item["flags"]), "跳变、超出合理范围或经过修订的数值"),
    ]
    return pl.DataFrame(
        {"项目": [r[0] for r in rows], "数值": [r[1] for r in rows], "说明": [r[2] for r in rows]},
        schema={"项目": pl.String, "数值": pl.String, "说明": pl.String},
    )


def detail(
    result: ProgressResult,
    national: ProgressResult | None,
    code: str,
    region: str,
    breakdown: str = TOTAL,
) -> IndicatorDetail | None:
    """Everything the page shows for indicator `code` in `region`; None when the plan has no
    such indicator or region."""
    item = result.item(code, region, breakdown) or (result.item(code, region) if breakdown != TOTAL else None)
    if item is None:
        return None
    breakdown = item["breakdown"]
    all_items = result.items.filter((pl.col("indicator_code") == code) & (pl.col("breakdown") == breakdown))
    names = dict(result.by_region.select("region_code", "region_name").iter_rows())
    parent = levels.compared_parent(briefing.tree(result), region)
    below = [c for c in sorted(briefing.districts_of(result, parent)) if c != parent]
    nat_series = pl.DataFrame(schema={"year": pl.Int32, "value": pl.Float64})
    nat_item = None
    if national is not None:
        nat_series = national.series(code, NATIONAL, breakdown).select("year", "value")
        nat_item = national.item(code, NATIONAL, breakdown)
    kind = item["target_kind"]
    table, rank_rule = _ranked_table(all_items, parent, below)
    # a region with regions below: itself and them; a county: itself with the region above it
    shown = [region, *below] if parent == region else [region, parent]
    return IndicatorDetail(
        code=code,
        name=item["indicator_name"],
        unit=item["unit"],
        domain=item["domain"],
        decimals=1 if item["decimals"] is None else int(item["decimals"]),
        region_code=region,
        region_name=item["region_name"],
        breakdown=breakdown,
        item=item,
        why=_why(item, result.plan.base_year),
        series=_series(result, code, shown, breakdown, names),
        national=nat_series,
        national_item=nat_item,
        districts=table,
        target_line=item["target_value"] if kind in THRESHOLD_KINDS and item["target_verified"] else None,
        parent_name=names.get(parent, parent),
        word=briefing.level_word(result, parent),
        rank_rule=rank_rule,
        drill=briefing.drill_targets(result, parent),
    )


_DISTRICT_COLUMNS = [
    "地区",
    "基期值",
    "最新值",
    "定性评定",
    "最新年份",
    "最新值审核状态",
    "目标",
    "目标来源",
    "状态",
    "计算状态",
    "进度ρ（%）",
    "时间进度τ（%）",
    "趋势预测",
    "按趋势可达标",
    "说明",
    "数据提示",
]


def _ranked_table(items: pl.DataFrame, parent: str, below: list[str]) -> tuple[pl.DataFrame, str]:
    """`parent` first, then the regions `below` it ranked by their own latest value (value_ranks),
    as a table with a 排名 column; and the ranking rule."""
    compared = items.filter(pl.col("region_code").is_in([parent, *below]))
    ranks, rule = value_ranks(compared.filter(pl.col("region_code") != parent))
    order = {parent: -1, **{c: ranks.get(c) or len(below) + i for i, c in enumerate(below)}}
    compared = compared.with_columns(
        pl.col("region_code").replace_strict(order, default=None, return_dtype=pl.Int64).alias("_o")
    ).sort("_o", "region_code")
    table = present.item_table(compared, _DISTRICT_COLUMNS)
    rank_column = [None if c == parent else ranks.get(c) for c in compared.get_column("region_code").to_list()]
    return table.insert_column(0, pl.Series("排名", rank_column, dtype=pl.Int64)), rule


def _series(result: ProgressResult, code: str, shown: list[str], breakdown: str, names: dict[str, str]) -> pl.DataFrame:
    """region_name, year, value of the `shown` regions, in that order."""
    obs = result.observations.filter(
        (pl.col("indicator_code") == code) & (pl.col("breakdown") == breakdown) & pl.col("region_code").is_in(shown)
    )
    if "review_state" not in obs.columns:
        obs = obs.with_columns(pl.lit(None, dtype=pl.String).alias("review_state"))
    order = {c: i for i, c in enumerate(shown)}
    return (
        obs.with_columns(
            pl.col("region_code").replace_strict(names, default=pl.col("region_code")).alias("region_name"),
            pl.col("region_code").replace_strict(order, default=len(order), return_dtype=pl.Int64).alias("_o"),
        )
        .sort("_o", "year")
        .select("region_name", "year", "value", "review_state")
    )


_HIGHER_BETTER = ("at_least", "increase", "qualitative")
_LOWER_BETTER = ("at_most", "decrease")


def value_ranks(items: pl.DataFrame) -> tuple[dict[str, int], str]:
    """Regions ranked by their own latest value of one indicator, best first: higher first for
    ≥ and 逐步提高 targets (and 定性 是), lower first for ≤ and 逐步降低, nearest the centre first
    for a band; ties by region code. Regions without a value, or an indicator without a target
    direction, get no rank. Returns (region code → rank, the rule in Chinese)."""
    rows = [r for r in items.iter_rows(named=True) if r["latest_value"] is not None]
    if not rows:
        return {}, "无数值，不排名"
    kind = rows[0]["target_kind"]
    if kind in _HIGHER_BETTER:
        key, rule = (lambda r: -r["latest_value"]), "按本级最新值从高到低排名"
    elif kind in _LOWER_BETTER:
        key, rule = (lambda r: r["latest_value"]), "按本级最新值从低到高排名（越低越好）"
    elif kind == "band":
        low, high = rows[0]["target_band_low"], rows[0]["target_band_high"]
        centre = (low + high) / 2 if low is not None and high is not None else rows[0]["target_value"]
        if centre is None:
            return {}, "目标区间未设定，不排名"
        key, rule = (lambda r: abs(r["latest_value"] - centre)), "按本级最新值与目标的距离从近到远排名"
    else:
        return {}, "指标没有目标方向，不排名"
    ordered = sorted(rows, key=lambda r: (key(r), r["region_code"]))
    return {r["region_code"]: i for i, r in enumerate(ordered, start=1)}, rule + "；无数据的地区不排名"


def add_projection(fig: go.Figure, d: IndicatorDetail) -> go.Figure:
    """The fitted trend line, dotted, from the latest year to the projection at the target year.

    It starts on the line (not at the latest value), so its slope is the slope the table states;
    a projection held at a bound ends at the bound."""
    item = d.item
    if item["trend_projection"] is None or item["latest_year"] is None or item["target_year"] is None:
        return fig
    slope = item.get("trend_slope")
    start = item["latest_value"]
    if slope is not None and not item.get("trend_capped"):
        start = item["trend_projection"] - slope * (item["target_year"] - item["latest_year"])
    fig.add_trace(
        go.Scatter(
            x=[item["latest_year"], item["target_year"]],
            y=[start, item["trend_projection"]],
            name=f"{d.region_name} 趋势预测",
            mode="lines+markers",
            line={"dash": "dot", "color": "#7f7f7f"},
            marker={"symbol": ["circle-open", "star"], "size": 10},
            hovertemplate=f"%{{x}}年：%{{y:.{d.decimals}f}}<extra>趋势预测</extra>",
        )
    )
    return fig


def national_caption(d: IndicatorDetail) -> str:
    if d.national.height == 0:
        return "全国：暂无全国数值。"
    last = d.national.sort("year").row(-1, named=True)
    return f"全国（参考值）：{present.number(last['value'], d.decimals)}（{last['year']}年），见图中虚线。"


# --- database reads -----------------------------------------------------------------------------

DIRECTION_LABELS = {"up": "正向（越高越好）", "down": "逆向（越低越好）"}


def metadata(db_path: Path, code: str) -> dict[str, str | None]:
    """统计口径, 数据来源, 牵头单位, 责任单位, 指标方向, 分组, 纲要目标表述 for one indicator."""
    frame = db.query(
        db_path,
        """
        SELECT i.definition, i.data_source, i.direction, i.breakdowns, i.target_text,
               c.lead_unit, c.other_units
        FROM indicator i LEFT JOIN indicator_catalogue c ON c.indicator_code = i.code
        WHERE i.code = $code
        """,
        {"code": code},
    )
    if frame.height == 0:
        return {}
    r = frame.row(0, named=True)
    districts, deadline = _duty_terms(db_path, code)
    return {
        "统计口径": r["definition"],
        "数据来源": r["data_source"],
        "牵头单位": r["lead_unit"],
        "责任单位": r["other_units"],
        "填报区县": districts,
        "每年报送截止日": deadline,
        "指标方向": DIRECTION_LABELS.get(r["direction"] or "", r["direction"]),
        "分组": (r["breakdowns"] or "").replace("|", "、") or None,
        "纲要目标表述": r["target_text"],
    }


def _duty_terms(db_path: Path, code: str) -> tuple[str, str]:
    """The districts the lead unit reports this indicator for and its yearly deadline, as the
    office set them (成员单位分工), else every district and the general deadline."""
    districts, deadline = None, None
    frame = db.query(
        db_path,
        """
        SELECT (SELECT string_agg(g.name, '、' ORDER BY g.code) FROM region g
                 WHERE list_contains(string_split(d.districts, '|'), g.code)) AS districts, d.deadline
        FROM duty_current d WHERE d.indicator_code = $code
        """,
        {"code": code},
    )
    if frame.height:
        districts, deadline = frame.row(0)
    month_day = f"次年{int(deadline[:2])}月{int(deadline[3:])}日" if deadline else "按系统设置（年度报表截止日）"
    return districts or "全部区县", month_day


def revision_history(db_path: Path, code: str, region: str, basis: str) -> tuple[pl.DataFrame, int]:
    """The values loaded for the indicator in the region that a view on `basis` shows
    (current.versions: on 仅已审核数据 only reviewed versions), newest first, with the file each
    came from, its review state and whether it is the value the view uses (现行); a correction
    adds a revision, the earlier value stays. Also how many versions the basis leaves out."""
    frame, left_out = current.versions(db_path, code, region, basis)
    versions = frame.group_by("year", "breakdown").len()
    frame = frame.join(versions, on=["year", "breakdown"], how="left", maintain_order="left")
    withdrawn = pl.col("review_state") == publication.STATE_WITHDRAWN
    table = frame.select(
        pl.col("year").cast(pl.String).alias("年份"),
        pl.col("breakdown").alias("分组"),
        pl.col("value").alias("数值"),
        pl.col("revision").alias("版本"),
        pl.when(pl.col("is_current"))
        .then(pl.lit("现行"))
        .when(withdrawn)
        .then(pl.lit("已撤回"))
        .otherwise(pl.lit("已被替代"))
        .alias("状态"),
        pl.col("review_state")
        .replace_strict(publication.STATE_LABELS, default=None, return_dtype=pl.String)
        .alias("审核状态"),
        pl.col("len").alias("该年列出的版本数"),
        pl.col("file_name").alias("来源文件"),
        pl.col("loaded_at").dt.strftime("%Y-%m-%d %H:%M").alias("载入时间"),
        present.nature(),
    )
    return table, left_out


def revisions_caption(basis: str, left_out: int) -> str:
    """What the revision table lists on `basis`, and what it leaves out."""
    text = "更正后的报表作为新版本载入，旧值保留；“现行”为目前计入的数值。"
    if basis == publication.REVIEWED:
        return (
            text + "仅列出已审核的数值" + (f"（另有 {left_out} 个待审核或已撤回的版本未列出）。" if left_out else "。")
        )
    return text + "含待审核数据：每个版本的审核状态见“审核状态”列，待审核和已撤回的数值不是审核通过的数值。"


@dataclass(frozen=True)
class IndicatorRecords:
    """What the database records about one indicator beside its evaluation: its metadata, its
    values' revisions in a region, and the changes to its targets, duties and (for a local
    indicator) its own definition."""

    metadata: dict[str, str | None]
    revisions: pl.DataFrame
    revisions_caption: str
    target_history: pl.DataFrame
    duty_history: pl.DataFrame
    local_history: pl.DataFrame  # empty for a catalogue indicator


def records(db_path: Path, code: str, region: str, basis: str) -> IndicatorRecords:
    """The 指标详情 page's record sections for `code` in `region`, read at once; the value
    revisions on the view's publication `basis`."""
    from dashboard.views import duties, local_indicators, targets

    revisions, left_out = revision_history(db_path, code, region, basis)
    return IndicatorRecords(
        metadata=metadata(db_path, code),
        revisions=revisions,
        revisions_caption=revisions_caption(basis, left_out),
        target_history=targets.history_table(db_path, code),
        duty_history=duties.history_table(db_path, code),
        local_history=local_indicators.history_table(db_path, code),
    )
