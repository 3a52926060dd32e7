"""How engine items are written on the pages: numbers, targets, statuses, file names.

Pure functions (no Streamlit, no database) shared by the page modules (briefing, indicator
detail, districts, units, mid-term). Rounding happens only here, to each indicator's decimals,
so a table and its CSV download show the same digits.

Two kinds of status wording meet here:
- the *label* of the chosen label set (data/config/status_labels.toml: 达标／未达标, 提前实现…),
  which is what an office reports and what colours mean; always shown with its symbol so it
  reads without colour;
- the *rule name* of the computed status (STATUS_RULE_NAMES: 进度正常, 进度滞后…), the names
  of the progress rules. It is shown next to the label as "计算状态" so a reader
  can tell *why* an item got its label — several rules share one label in most label sets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from dashboard.engine.progress import DIRECTION_KINDS, QUALITATIVE, THRESHOLD_KINDS, TOTAL
from dashboard.engine.publication import PENDING_MARK, STATE_LABELS, STATE_PENDING
from etl.core.records import COUNTRY_CODE

NATIONAL = COUNTRY_CODE  # 全国, the region the national reference values belong to

STATUS_RULE_NAMES: Mapping[str, str] = {
    "achieved": "已达标",
    "on_track": "进度正常",
    "lagging": "进度滞后",
    "regressing": "退步",
    "not_achieved": "未实现",
    "improving": "向好",
    "stable": "持平",
    "worsening": "未向好（方向性目标）",
    "no_data": "无数据",
    "not_assessable": "无法评估",
    "target_pending": "目标待设定",
}
# Not on course to the target (for 成员单位 "what is off-track" and the briefing's watch list).
OFF_TRACK: tuple[str, ...] = ("lagging", "regressing", "not_achieved", "stable", "worsening")

TARGET_PENDING = "目标待设定"
QUALITATIVE_TEXT = "定性目标（工委办评定）"
DIRECTION_TEXT: Mapping[str, str] = {"increase": "逐步提高", "decrease": "逐步降低"}
ROUNDED_NOTE = "表中数值已按各指标规定的小数位舍入（末尾的 0 省略），下载的 CSV 与页面显示一致。"
PRINT_ROUNDED_NOTE = "表中数值已按各指标规定的小数位舍入（末尾的 0 省略）。"  # printed: no screen to match
UNROUNDED_NOTE = "表中数值为原始数值（未舍入），下载的 CSV 与页面显示一致。"
COUNT_NOTE = "表中为计数和百分比（百分比保留一位小数），下载的 CSV 与页面显示一致。"


MINUS = "\u2212"  # typographic minus: text never starts with "-", so no CSV formula guard fires


def number(value: float | None, decimals: int | None = 1) -> str | None:
    """A value rounded for display as text (None stays empty; negatives with "−")."""
    if value is None:
        return None
    d = 1 if decimals is None else max(int(decimals), 0)
    text = f"{value:.{d}f}"
    return MINUS + text[1:] if text.startswith("-") else text


def rounded(value: float | None, decimals: int | None = 1) -> float | None:
    """A value rounded to the indicator's decimals, kept a number (table cells, CSV)."""
    if value is None:
        return None
    return round(float(value), 1 if decimals is None else max(int(decimals), 0))


def percent(value: float | None, decimals: int = 1) -> str | None:
    """95.2 → "95.2%" (values are stored as percentages already)."""
    text = number(value, decimals)
    return None if text is None else f"{text}%"


def share(value: float | None) -> str | None:
    """A ratio (τ, ρ: 0.4) as a percentage "40.0%"."""
    return None if value is None else percent(value * 100.0)


def share_number(value: float | None) -> float | None:
    """A ratio as a percentage number rounded to one decimal (0.4 → 40.0)."""
    return None if value is None else round(value * 100.0, 1)


def target_text(row: Mapping[str, Any]) -> str:
    """The target as a reader sees it: "≥90", "≤12", "40–60", 逐步提高, 是 — or 目标待设定.

    An unverified target or a threshold without a value says 目标待设定 (never a
    number from memory); a direction target keeps its direction in brackets because the
    engine still judges 向好/持平/退步 against it. 示例目标 are marked as such.
    """
    kind = row.get("target_kind")
    value = row.get("target_value")
    decimals = row.get("decimals")
    verified = row.get("target_verified")
    if kind in DIRECTION_KINDS:
        text = DIRECTION_TEXT[kind]
        if verified is False:
            text = f"{TARGET_PENDING}（暂按“{text}”评价）"
    elif kind in THRESHOLD_KINDS and value is None and kind != "band":
        text = TARGET_PENDING
    elif kind == QUALITATIVE and value != 1 and not row.get("unit"):
        # a goal without a measure is judged by the office (已实现/未实现), never 目标待设定
        text = QUALITATIVE_TEXT
    elif verified is False:
        text = TARGET_PENDING
    elif kind == "at_least":
        text = f"≥{number(value, decimals)}"
    elif kind == "at_most":
        text = f"≤{number(value, decimals)}"
    elif kind == "band":
        low, high = row.get("target_band_low"), row.get("target_band_high")
        tol = row.get("target_tolerance")
        if low is not None and high is not None:
            text = f"{number(low, decimals)}–{number(high, decimals)}"
        elif value is not None and tol is not None:
            text = f"{number(value, decimals)}±{number(tol, decimals)}"
        else:
            text = TARGET_PENDING
    elif kind == QUALITATIVE:
        text = "是" if value == 1 else (row.get("target_text") or "定性目标")
    else:
        text = TARGET_PENDING
    if row.get("target_is_sample"):
        text += "（示例目标）"
    interim = re.search(r"按\d{4}年目标评估", row.get("target_text") or "")
    if interim and text != TARGET_PENDING:
        text += f"（{interim.group(0)}）"
    return text


def target_source(row: Mapping[str, Any]) -> str:
    """Where the target comes from (every shown target carries it)."""
    return row.get("target_source") or "未注明来源"


def status_cell(row: Mapping[str, Any]) -> str:
    """ "✔ 达标": the label with its symbol, readable without colour."""
    return f"{row.get('status_symbol') or ''} {row.get('status_label') or ''}".strip()


def rule_name(status: str | None) -> str:
    return STATUS_RULE_NAMES.get(status or "", status or "")


FLAG_LABELS: Mapping[str, str] = {
    "jump": "较上年变化异常大",
    "out_of_range": "超出合理范围",
    "revised": "数值经过修订",
}


def flags_text(flags: str | None) -> str | None:
    """The engine's flag codes ("jump|revised") in Chinese: "较上年变化异常大、数值经过修订"."""
    if not flags:
        return None
    return "、".join(FLAG_LABELS.get(code, code) for code in flags.split("|"))


def pending_mark(row: Mapping[str, Any]) -> str:
    """ "（待审核）" behind a value that is not reviewed yet (dashboard.engine.publication), else ""."""
    return PENDING_MARK if row.get("review_state") == STATE_PENDING else ""


# 数据性质 of a loaded file: generated sample, a published reference, the office's own verdict,
# or what a member unit reported
_NATURE: Mapping[str, str] = {"reference": "国家参考数据", "assessment": "工委办评定"}
SAMPLE_NATURE, REPORTED_NATURE = "示例数据", "报送数据"


def nature(is_sample: str = "is_sample", kind: str = "kind") -> pl.Expr:
    """The 数据性质 column from a submission's `is_sample` and `kind` columns."""
    return (
        pl.when(pl.col(is_sample))
        .then(pl.lit(SAMPLE_NATURE))
        .otherwise(pl.col(kind).replace_strict(_NATURE, default=REPORTED_NATURE, return_dtype=pl.String))
        .alias("数据性质")
    )


def review_state_text(row: Mapping[str, Any]) -> str | None:
    """已审核 / 待审核 of the item's latest value, for tables and exports (None without a value)."""
    return STATE_LABELS.get(row.get("review_state") or "")


def is_judged(row: Mapping[str, Any]) -> bool:
    """A 定性 goal the office judges: its values are 1 (已实现) and 0 (未实现), not measurements."""
    return row.get("target_kind") == QUALITATIVE and not row.get("unit")


def value_text(row: Mapping[str, Any], value: float | None) -> str | None:
    """A value as a reader sees it: 已实现 / 未实现 for a judged goal, else the rounded number."""
    if value is None:
        return None
    if is_judged(row):
        return "已实现" if value == 1 else "未实现"
    return number(value, row.get("decimals"))


def measured(row: Mapping[str, Any], key: str) -> float | None:
    """A number column of an item (baseline, latest value, trend) rounded as shown; empty for a
    judged goal, whose 1 and 0 only encode the office's verdict (judgement says which)."""
    return None if is_judged(row) else rounded(row[key], row.get("decimals"))


def judgement(row: Mapping[str, Any]) -> str | None:
    """已实现 / 未实现 of a judged goal's latest judgement; None for a measured item or no judgement."""
    return value_text(row, row["latest_value"]) if is_judged(row) else None


def value_with_year(value: float | None, year: int | None, decimals: int | None, *, judged: bool = False) -> str | None:
    text = ("已实现" if value == 1 else "未实现") if judged and value is not None else number(value, decimals)
    return None if text is None else f"{text}（{year}年）"


# --- label groups -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelStyle:
    """One label of a label set with the status codes that map to it."""

    label: str
    colour: str
    symbol: str
    order: int
    codes: tuple[str, ...]


def label_styles(labels: pl.DataFrame) -> tuple[LabelStyle, ...]:
    """The label set's labels in display order (labels frame of a ProgressResult).

    Several status codes usually share a label (达标／未达标 collapses five codes into 未达标);
    they share its colour and symbol too, so grouping by label loses nothing.
    """
    groups: dict[str, dict[str, Any]] = {}
    for row in labels.sort("status_order", maintain_order=True).iter_rows(named=True):
        group = groups.setdefault(
            row["status_label"],
            {"colour": row["status_colour"], "symbol": row["status_symbol"], "order": row["status_order"], "codes": []},
        )
        group["codes"].append(str(row["status"]))
    return tuple(
        LabelStyle(label, g["colour"], g["symbol"], g["order"], tuple(g["codes"])) for label, g in groups.items()
    )


def label_colours(styles: Sequence[LabelStyle]) -> dict[str, str]:
    return {s.label: s.colour for s in styles}


def label_counts(counts: Mapping[str, Any], styles: Sequence[LabelStyle]) -> list[tuple[LabelStyle, int]]:
    """Counts per label from an aggregate row (its n_<status> columns), in label order."""
    return [(s, int(sum(counts.get(f"n_{code}") or 0 for code in s.codes))) for s in styles]


def rule_counts(counts: Mapping[str, Any]) -> list[tuple[str, int]]:
    """The non-zero counts per computed status, with their rule names, in engine order."""
    return [
        (name, int(counts.get(f"n_{code}") or 0)) for code, name in STATUS_RULE_NAMES.items() if counts.get(f"n_{code}")
    ]


# --- regions and files ------------------------------------------------------------------------


def scope_word(name: str, level: str | None) -> str:
    """全市 / 全区 / 全县 / 全省 / 全国 for a region, as reports begin their summaries."""
    if level == "country":
        return "全国"
    if level == "province":
        return "全省"
    if level == "city":
        return "全市"
    for suffix in ("区", "县", "市", "旗"):
        if name.endswith(suffix):
            return "全" + suffix
    return name


def file_name(what: str, region_name: str, year: int, ext: str = "csv") -> str:
    """ "中期评估_淄博市_2024.csv": what, where and when, so saved downloads stay findable."""
    safe = "".join("_" if ch in '\\/:*?"<>|' else ch for ch in f"{what}_{region_name}_{year}")
    return f"{safe}.{ext}"


def totals(items: pl.DataFrame) -> pl.DataFrame:
    """The 合计 items (breakdown rows are details of the same indicator)."""
    return items.filter(pl.col("breakdown") == TOTAL)


def rows_table(
    rows: Iterable[Mapping[str, Any]],
    columns: Mapping[str, Callable[[Mapping[str, Any]], Any]],
    schema: Mapping[str, type[pl.DataType] | pl.DataType] | None = None,
) -> pl.DataFrame:
    """A frame with Chinese headers built column by column from item rows.

    Every column is text unless `schema` says otherwise, so empty cells stay empty and the
    digits are exactly the rounded ones shown.
    """
    rows = list(rows)
    data = {name: [build(r) for r in rows] for name, build in columns.items()}
    types = {name: (schema or {}).get(name, pl.String) for name in columns}
    return pl.DataFrame(data, schema=types)


# Item columns most tables share: header → how to write it from an item row.
ITEM_COLUMNS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "领域": lambda r: r["domain"],
    "指标代码": lambda r: r["indicator_code"],
    "指标": lambda r: r["indicator_name"],
    "单位": lambda r: r["unit"],
    "地区": lambda r: r["region_name"],
    "分组": lambda r: r["breakdown"],
    "基期值": lambda r: measured(r, "baseline_value"),
    "最新值": lambda r: measured(r, "latest_value"),
    "定性评定": judgement,
    "最新年份": lambda r: None if r["latest_year"] is None else str(r["latest_year"]),
    # 已审核 / 待审核 of the latest value (dashboard.engine.publication): on 含待审核数据 every
    # unreviewed value carries its mark, in the table and its download alike
    "最新值审核状态": review_state_text,
    "目标": target_text,
    "目标年份": lambda r: None if r["target_year"] is None else str(r["target_year"]),
    "目标来源": target_source,
    "状态": status_cell,
    "计算状态": lambda r: rule_name(r["status"]),
    "进度ρ（%）": lambda r: share_number(r["rho"]),
    "时间进度τ（%）": lambda r: share_number(r["tau"]),
    "趋势预测": lambda r: measured(r, "trend_projection"),
    "按趋势可达标": lambda r: None if r["trend_on_track"] is None else ("是" if r["trend_on_track"] else "否"),
    "说明": lambda r: r["reason"],
    "数据提示": lambda r: flags_text(r["flags"]),
    "牵头单位": lambda r: r["lead_unit"],
}


# ITEM_COLUMNS that are numbers (rounded to the indicator's decimals), the rest is text.
NUMERIC_ITEM_COLUMNS: frozenset[str] = frozenset({"基期值", "最新值", "趋势预测", "进度ρ（%）", "时间进度τ（%）"})


def item_table(items: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Items as a table with the named ITEM_COLUMNS (Chinese headers, rounded as shown)."""
    schema = {c: pl.Float64 for c in columns if c in NUMERIC_ITEM_COLUMNS}
    table = rows_table(items.iter_rows(named=True), {c: ITEM_COLUMNS[c] for c in columns}, schema)
    # 定性评定 only where a judged goal is shown: a column empty on every row would say nothing
    if "定性评定" in table.columns and table.get_column("定性评定").null_count() == table.height:
        table = table.drop("定性评定")
    return table
