"""成员单位 (member unit): what a unit owes, what is missing or late, what is off-track, its
data-quality flags, and its pre-filled return template.

`unit_view` is pure over a ProgressResult (its completeness tables follow the engine's
CompletenessRule: the unit's lead indicators with a unit of measure that the plan has a target
for, the 合计 value of every district, every year from the base year to the report year).
`template_bytes` writes the same template as `python -m etl template`.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from dashboard.engine import ProgressResult, aggregate, levels
from dashboard.queries import db
from dashboard.render import present
from etl.returns.template import write_template


@dataclass(frozen=True)
class UnitView:
    unit_code: str
    unit_name: str
    region_code: str
    expected: int
    received: int
    missing: int
    completeness_pct: float | None
    on_time: int
    timeliness_pct: float | None
    owes: pl.DataFrame  # per indicator: expected, received, missing
    matrix: pl.DataFrame  # district × year: "已报/应报"
    missing_cells: pl.DataFrame  # every expected value not received
    timeliness: pl.DataFrame  # per year: deadline, expected, received, on time, late
    off_track: pl.DataFrame  # the unit's lead indicators not on course
    flags: pl.DataFrame  # the unit's values with data-quality flags
    lead_items: int  # 合计 items the unit leads in the scope (whether or not expected)


def _pct(num: int, den: int) -> float | None:
    return num / den * 100.0 if den else None


def _scope(result: ProgressResult, region: str) -> list[str]:
    """The county-level districts a unit reports for under `region` (returns are per county,
    also in a province), or the region itself when nothing is below it."""
    if result.regions is not None:
        return levels.counties_under(result.regions, region) or [region]
    districts = result.ranking.get_column("region_code").to_list()
    return [region] if region in districts else districts


def unit_view(result: ProgressResult, unit_code: str, unit_name: str, region: str) -> UnitView:
    """The unit's page for `region` (a district, or the home region = all its districts)."""
    scope = _scope(result, region)
    cells = result.completeness_cells.filter((pl.col("unit_code") == unit_code) & pl.col("region_code").is_in(scope))
    # the engine's counting rule per year; the unit's totals are their sums
    per_year = aggregate.completeness_summary(cells, ["year", "deadline"])
    expected, received, on_time, tracked = (
        int(per_year.get_column(c).sum()) for c in ("expected", "received", "on_time", "tracked")
    )
    led = present.totals(result.items).filter(
        (pl.col("lead_unit_code") == unit_code) & pl.col("region_code").is_in(scope)
    )
    flagged = result.items.filter(
        (pl.col("lead_unit_code") == unit_code) & pl.col("region_code").is_in(scope) & pl.col("flags").is_not_null()
    )
    return UnitView(
        unit_code=unit_code,
        unit_name=unit_name,
        region_code=region,
        expected=expected,
        received=received,
        missing=expected - received,
        completeness_pct=_pct(received, expected),
        on_time=on_time,
        timeliness_pct=_pct(on_time, tracked),
        owes=_owes(cells),
        # per district and year from the cells (the office may give indicators different deadlines)
        matrix=_matrix(aggregate.completeness_summary(cells, ["region_code", "region_name", "year"])),
        missing_cells=cells.filter(~pl.col("received")).select(
            pl.col("indicator_name").alias("指标"),
            pl.col("indicator_code").alias("指标代码"),
            pl.col("region_name").alias("区县"),
            pl.col("year").cast(pl.String).alias("年份"),
            pl.col("deadline").cast(pl.String).alias("报送截止日期"),
        ),
        timeliness=_timeliness(per_year),
        off_track=_off_track(led),
        flags=present.item_table(
            flagged, ["指标", "地区", "分组", "最新值", "定性评定", "最新年份", "数据提示", "状态"]
        ),
        lead_items=led.height,
    )


def _owes(cells: pl.DataFrame) -> pl.DataFrame:
    """Per indicator: 应报, 已报, 缺报."""
    return (
        cells.group_by("indicator_code", "indicator_name", maintain_order=True)
        .agg(pl.len().alias("应报"), pl.col("received").sum().alias("已报"))
        .with_columns((pl.col("应报") - pl.col("已报")).alias("缺报"))
        .select(
            pl.col("indicator_code").alias("指标代码"),
            pl.col("indicator_name").alias("指标"),
            pl.col("应报").cast(pl.Int64),
            pl.col("已报").cast(pl.Int64),
            pl.col("缺报").cast(pl.Int64),
        )
    )


def _matrix(summary: pl.DataFrame) -> pl.DataFrame:
    """District × year: "已报/应报"."""
    years = sorted(summary.get_column("year").unique().to_list())
    matrix_rows: dict[str, dict[str, Any]] = {}
    for r in summary.iter_rows(named=True):
        row = matrix_rows.setdefault(r["region_code"], {"区县": r["region_name"]})
        row[f"{r['year']}年"] = f"{r['received']}/{r['expected']}"
    return pl.DataFrame(list(matrix_rows.values()), schema={"区县": pl.String, **{f"{y}年": pl.String for y in years}})


def _timeliness(per_year: pl.DataFrame) -> pl.DataFrame:
    """Per year: deadline, expected, received, on time, late, missing and the two rates."""

    def judged(r: dict[str, Any], column: str) -> int | None:
        return r[column] if r["tracked"] else None  # back-filled history: no 按时/逾期

    return present.rows_table(
        per_year.iter_rows(named=True),
        {
            "年份": lambda r: str(r["year"]),
            "报送截止日期": lambda r: str(r["deadline"]),
            "应报": lambda r: r["expected"],
            "已报": lambda r: r["received"],
            "按时": lambda r: judged(r, "on_time"),
            "逾期": lambda r: judged(r, "late"),
            "缺报": lambda r: r["missing"],
            "完整率": lambda r: present.percent(r["completeness_pct"]),
            "及时率": lambda r: present.percent(r["timeliness_pct"]) if r["tracked"] else "历史补录",
        },
        {k: pl.Int64 for k in ("应报", "已报", "按时", "逾期", "缺报")},
    )


def _off_track(led: pl.DataFrame) -> pl.DataFrame:
    """The unit's lead indicators not on course (off-track statuses and 得而复失)."""
    off = led.filter(pl.col("status").cast(pl.String).is_in(present.OFF_TRACK) | pl.col("lost").fill_null(False))
    return present.item_table(
        off.sort("status_order", maintain_order=True),
        [
            "指标",
            "地区",
            "基期值",
            "最新值",
            "定性评定",
            "最新年份",
            "目标",
            "目标来源",
            "状态",
            "计算状态",
            "进度ρ（%）",
            "时间进度τ（%）",
            "趋势预测",
            "按趋势可达标",
        ],
    )


def busiest_unit(db_path: Path) -> str | None:
    """The unit leading the most indicators with a unit of measure: the default page view,
    since a unit that owes nothing would open on an empty page."""
    return db.scalar(
        db_path,
        """
        SELECT u.unit_code FROM indicator_unit u JOIN indicator i ON i.code = u.indicator_code
        JOIN member_unit m ON m.code = u.unit_code
        WHERE u.role = 'lead' AND i.unit IS NOT NULL AND i.unit <> ''
        GROUP BY u.unit_code ORDER BY count(*) DESC, u.unit_code LIMIT 1
        """,
    )


def template_bytes(db_path: Path, unit_code: str, year: int, region: str) -> bytes:
    """The unit's xlsx return template for `year` (one row per value it owes, last year's
    value as a hint) — the file `python -m etl template` writes, as bytes."""
    from dashboard.views.returns import expected_values  # the one 应报 rule decides the rows

    owed = expected_values(db_path, year).filter(pl.col("unit_code") == unit_code)
    cursor = db.connect(db_path).cursor()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "template.xlsx"
            write_template(cursor, unit_code, year, region, out, owed)
            return out.read_bytes()
    finally:
        cursor.close()


def template_name(unit_name: str, year: int) -> str:
    return f"{unit_name}_{year}年度指标数据填报表.xlsx"
