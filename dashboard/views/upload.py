"""What an upload will save, for the clerk to check before confirming: every value with last
year's value and the change, the warnings on it, and how many owed values stay blank.

Plain functions over the preview's FileReport and the published snapshot; no Streamlit.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dashboard.queries import db
from dashboard.views.returns import RULE_LABELS, expected_values
from etl.core.records import SEVERITY_WARNING, TOTAL
from etl.returns import plausibility
from etl.returns.load import FileReport

_SCHEMA = {
    "指标代码": pl.String,
    "指标名称": pl.String,
    "地区": pl.String,
    "分组": pl.String,
    "年份": pl.Int64,
    "本次数值": pl.Float64,
    "计量单位": pl.String,
    "上年数值": pl.Float64,
    "较上年变化": pl.Float64,
    "现有数值": pl.Float64,
    "提醒": pl.String,
    "单元格": pl.String,
}


def preview_values(db_path: Path, report: FileReport) -> pl.DataFrame:
    """One row per value the load would save, in file order, with last year's value, the change
    and the warnings on its cell (empty when none)."""
    if not report.values:
        return pl.DataFrame(schema=_SCHEMA)
    names = dict(db.query(db_path, "SELECT code, name FROM indicator").iter_rows())
    units = dict(db.query(db_path, "SELECT code, coalesce(unit, '') FROM indicator").iter_rows())
    regions = dict(db.query(db_path, "SELECT code, name FROM region").iter_rows())
    warned: dict[tuple, list[str]] = {}
    for f in report.findings:
        if f.severity == SEVERITY_WARNING and f.rule != "revision":
            warned.setdefault((f.sheet, f.row, f.column), []).append(RULE_LABELS.get(f.rule, f.rule))
    rows = []
    for v in report.values:
        last = v["last_year"]
        rows.append(
            {
                "指标代码": v["indicator_code"],
                "指标名称": names.get(v["indicator_code"], v["indicator_code"]),
                "地区": regions.get(v["region_code"], v["region_code"]),
                "分组": v["breakdown"],
                "年份": v["year"],
                "本次数值": v["value"],
                "计量单位": units.get(v["indicator_code"], ""),
                "上年数值": last,
                "较上年变化": None if last is None else round(v["value"] - last, 6),
                "现有数值": v["current"],
                "提醒": "、".join(dict.fromkeys(warned.get((v["sheet"], v["row"], v["column"]), []))),
                "单元格": f"{v['sheet']} {v['column']}{v['row']}",
            }
        )
    return pl.DataFrame(rows, schema=_SCHEMA)


SUSPICIOUS_RULES = plausibility.RULES  # values that may be wrong: the preview's plausibility warnings


def suspicious_count(report: FileReport) -> int:
    """How many cells of the file carry a plausibility warning."""
    return len(
        {
            (f.sheet, f.row, f.column)
            for f in report.findings
            if f.severity == SEVERITY_WARNING and f.rule in SUSPICIOUS_RULES
        }
    )


def owed_after(db_path: Path, unit_code: str, year: int, report: FileReport | None = None) -> tuple[int, int]:
    """(filled, owed): the unit's owed values for `year` (the one 应报 rule) that have a value
    once `report`'s values are saved. A blank cell in the template is an owed value still
    missing (缺报), whether the clerk left it empty or wrote “—”."""
    owed = expected_values(db_path, year).filter(pl.col("unit_code") == unit_code)
    sent = {
        (v["indicator_code"], v["region_code"])
        for v in (report.values if report else [])
        if v["year"] == year and v["breakdown"] == TOTAL
    }
    filled = sum(
        1
        for code, region, got in owed.select("indicator_code", "region_code", "received").iter_rows()
        if got or (code, region) in sent
    )
    return filled, owed.height


def completeness_label(filled: int, owed: int) -> str:
    """报齐 or 部分报送 n / m — the words every page uses for a return's completeness."""
    if owed and filled >= owed:
        return f"已报齐 {filled} / {owed}"
    return f"部分报送 {filled} / {owed}"
