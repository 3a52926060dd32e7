"""A member unit's return template: one row per value it owes (each indicator × district, after
a row for the home region's own figure), with the indicator's unit,
decimals and 统计口径 beside it, and a 填报说明 sheet (deadline, 口径 per indicator, contacts).

Value cells carry Excel data validation (a number within the indicator's bounds, etl.core.bounds);
label and key columns are protected without a password, so Excel warns before an edit but the
loader still reads an edited file. Indicators that are one measure in both outlines (same name
and unit, e.g. 产前筛查率) get one row whose code cell lists every code ("A/B"): the loader feeds
the value to each of them.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import xlsxwriter

from etl.core import bounds, settings
from etl.core.records import TOTAL
from etl.workflow import duties
from etl.workflow.users import load_users

HEADER = [
    "指标代码",
    "指标名称",
    "计量单位",
    "小数位数",
    "统计口径",
    "地区代码",
    "地区名称",
    "年份",
    "分组",
    "数值",
    "上年数值（参考）",
    "备注",
]
VALUE_COLUMN = HEADER.index("数值")
NOTE_COLUMN = HEADER.index("备注")
FIRST_ROW = 3  # 0-based row of the first data row (title, unit line, header above it)
CODE_SEPARATOR = "/"


def owed_rows(con: duckdb.DuckDBPyConnection, unit_code: str, region: str) -> pl.DataFrame:
    """indicator_code, region_code of every value the unit owes each year under the completeness
    rule (dashboard.engine.aggregate.CompletenessRule for a return): the 合计 of each indicator it
    leads that has a unit of measure, for every county-level district of `region` its duty
    covers (etl.workflow.duties: all of them unless the office named some)."""
    return con.sql(
        f"""
        SELECT u.indicator_code, r.code AS region_code
        FROM ({duties.LINKS_SQL}) u JOIN indicator i ON i.code = u.indicator_code
        CROSS JOIN (SELECT code FROM region WHERE parent_code = $region AND level = 'county') r
        WHERE u.unit_code = $unit AND u.role = 'lead' AND coalesce(trim(i.unit), '') <> ''
          AND (u.districts IS NULL OR list_contains(string_split(u.districts, '|'), r.code))
        """,
        params={"unit": unit_code, "region": region},
    ).pl()


def template_rows(
    con: duckdb.DuckDBPyConnection, unit_code: str, year: int, region: str, owed: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per owed value (`owed`: indicator_code, region_code; default owed_rows) after one
    row for the home region's own figure, indicators sharing a name and unit merged into one row,
    with last year's value and the bounds."""
    owed = owed_rows(con, unit_code, region) if owed is None else owed.select("indicator_code", "region_code")
    # the home region's own figure (a city's rate is not the sum of its districts') is asked for
    # too, one row per indicator above its districts; it is not one of the owed district values
    home = owed.select("indicator_code").unique(maintain_order=True).with_columns(pl.lit(region).alias("region_code"))
    owed = pl.concat([home, owed.filter(pl.col("region_code") != region)])
    rows = con.sql(
        """
        WITH owed_cells AS (SELECT unnest($codes) AS indicator_code, unnest($regions) AS region_code),
        cells AS (
            SELECT i.name, coalesce(i.unit, '') AS unit, o.region_code, i.code, i.decimals, i.definition,
                   i.plausible_min, i.plausible_max, i.outline, i.domain, p.value AS last_value
            FROM owed_cells o JOIN indicator i ON i.code = o.indicator_code
            LEFT JOIN observation_current p ON p.indicator_code = i.code AND p.region_code = o.region_code
                 AND p.year = $year - 1 AND p.breakdown = $total
        )
        SELECT string_agg(c.code, '/' ORDER BY c.outline DESC, c.code) AS indicator_code, c.name AS indicator_name,
               c.unit, max(c.decimals) AS decimals, first(c.definition ORDER BY c.definition NULLS LAST) AS definition,
               max(c.plausible_min) AS plausible_min, min(c.plausible_max) AS plausible_max,
               c.region_code, g.name AS region_name,
               first(c.last_value ORDER BY c.last_value NULLS LAST) AS last_value,
               max(c.outline) AS outline, min(c.domain) AS domain, min(c.code) AS first_code
        FROM cells c JOIN region g ON g.code = c.region_code
        GROUP BY c.name, c.unit, c.region_code, g.name
        ORDER BY outline DESC, domain, first_code, c.region_code <> $region, c.region_code
        """,
        params={
            "year": year,
            "region": region,
            "total": TOTAL,
            "codes": owed["indicator_code"].to_list(),
            "regions": owed["region_code"].to_list(),
        },
    ).pl()
    pairs = [
        bounds.value_bounds(u, lo, hi) for u, lo, hi in rows.select("unit", "plausible_min", "plausible_max").rows()
    ]
    return rows.with_columns(
        pl.Series("low", [p[0] for p in pairs], dtype=pl.Float64),
        pl.Series("high", [p[1] for p in pairs], dtype=pl.Float64),
    )


def due_date(year: int, con: duckdb.DuckDBPyConnection | None = None, unit_code: str | None = None) -> date:
    """The return for `year` is due on this day of the following year (return_deadline setting),
    or on the unit's own deadline where its duties set one (given `con` and `unit_code`)."""
    month, day = (int(x) for x in settings.get("return_deadline").split("-"))
    general = date(year + 1, month, day)
    if con is None or unit_code is None:
        return general
    links = con.sql(duties.LINKS_SQL).pl()
    return duties.unit_deadlines(links, year, f"{month:02d}-{day:02d}").get(unit_code, general)


def unit_contacts(unit_code: str) -> list[str]:
    """The unit's signed-up users (name, e-mail) from the users file, if one is configured."""
    try:
        config = load_users()
    except (OSError, ValueError):
        return []
    return [
        f"{u.display_name}（{u.email}）" if u.email else u.display_name
        for u in config.users.values()
        if u.unit_code == unit_code
    ]


def write_template(
    con: duckdb.DuckDBPyConnection, unit_code: str, year: int, region: str, out: Path, owed: pl.DataFrame | None = None
) -> int:
    """Write the xlsx template in the long layout the loader reads; returns the number of rows."""
    unit_name = con.sql("SELECT name FROM member_unit WHERE code = $c", params={"c": unit_code}).fetchall()[0][0]
    rows = template_rows(con, unit_code, year, region, owed)
    due = due_date(year, con, unit_code)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(out))
    wb.set_properties({"title": f"{unit_name}{year}年度指标数据填报表", "created": datetime(year, 1, 1)})
    ws = wb.add_worksheet("填报表")
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    locked = wb.add_format({"bg_color": "#F2F2F2", "border": 1})
    wrapped = wb.add_format({"bg_color": "#F2F2F2", "border": 1, "text_wrap": True, "font_size": 9})
    hint = wb.add_format({"font_color": "#808080", "border": 1, "italic": True})
    fill = wb.add_format({"bg_color": "#FFF2CC", "border": 1, "locked": False})
    ws.write(0, 0, f"{unit_name}妇女儿童发展规划监测指标数据填报表（{year}年度）", title)
    ws.write(1, 0, f"填报单位（盖章）：{unit_name}　　统计年度：{year}年　　报送截止：{due:%Y年%m月%d日}")
    ws.write_row(2, 0, HEADER, head)
    for i, r in enumerate(rows.iter_rows(named=True), start=FIRST_ROW):
        ws.write_row(i, 0, [r["indicator_code"], r["indicator_name"], r["unit"], r["decimals"]], locked)
        ws.write(i, 4, r["definition"] or "", wrapped)
        ws.write_row(i, 5, [r["region_code"], r["region_name"], str(year), ""], locked)
        ws.write_blank(i, VALUE_COLUMN, None, fill)
        ws.data_validation(i, VALUE_COLUMN, i, VALUE_COLUMN, _value_rule(r))
        # a non-finite value stored before entry refused them must not break the template
        if r["last_value"] is None or not math.isfinite(r["last_value"]):
            ws.write_blank(i, VALUE_COLUMN + 1, None, hint)
        else:
            ws.write_number(i, VALUE_COLUMN + 1, r["last_value"], hint)
        ws.write_blank(i, NOTE_COLUMN, None, fill)
    last = rows.height + FIRST_ROW + 1
    ws.write(
        last,
        0,
        "注：请只填写黄色的“数值”和“备注”列；无数据请留空（留空即为缺报）；“上年数值（参考）”列仅供核对，不会载入。"
        "灰色列已保护（无密码），如确需修改可在“审阅”中撤销工作表保护。",
    )
    ws.write(last + 1, 0, "单位负责人：　　　　统计负责人：　　　　填表人：　　　　报出日期：")
    _lay_out(ws)
    _write_instructions(wb, rows, unit_code, unit_name, year, due)
    wb.close()
    return rows.height


def _value_rule(r: dict[str, Any]) -> dict[str, Any]:
    """Excel's own check of a value cell: a decimal within the indicator's bounds, or blank."""
    return {
        "validate": "decimal",
        "criteria": "between",
        "minimum": r["low"],
        "maximum": r["high"],
        "ignore_blank": True,
        "error_type": "stop",
        "error_title": "数值不符合要求",
        "error_message": f"“{r['indicator_name'][:60]}”须填写 {r['low']:g}—{r['high']:g} 之间的数值"
        f"（单位：{r['unit'] or '是=1/否=0'}）；无数据请留空。",
        "input_title": "填写数值",
        "input_message": f"{r['low']:g}—{r['high']:g}，保留{r['decimals']}位小数",
    }


def _lay_out(ws: Any) -> None:
    """Column widths, frozen labels, and the protection that keeps the grey columns as sent."""
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 36)
    ws.set_column(2, 3, 9)
    ws.set_column(4, 4, 30)
    ws.set_column(5, 11, 12)
    ws.freeze_panes(FIRST_ROW, 2)
    # no password: Excel asks before an edit of a label, and an edited file still loads
    ws.protect("", {"autofilter": True, "sort": False, "format_columns": True, "format_rows": True})


def _write_instructions(
    wb: xlsxwriter.Workbook, rows: pl.DataFrame, unit_code: str, unit_name: str, year: int, due: date
) -> None:
    ws = wb.add_worksheet("填报说明")
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    contacts = unit_contacts(unit_code)
    lines = [
        ("填报单位", unit_name),
        ("统计年度", f"{year}年"),
        ("报送截止日", f"{due:%Y年%m月%d日}"),
        ("本单位联系人", "、".join(contacts) if contacts else "（未登记，请在此填写）"),
        (
            "填写方法",
            "在“填报表”黄色的“数值”列逐行填写；每行是一个应报数值（一个指标 × 一个区县），"
            "留空即为缺报。数值须在该指标的合理范围内，百分比按百分数填写（95.3，不是 0.953）。",
        ),
        ("同一指标", "两纲中名称和单位相同的指标只列一行，指标代码写作“代码1/代码2”，所填数值同时计入这些指标。"),
        ("全市（全县）行", "每个指标的第一行是本级的汇总数（不是各区县相加），请按统计口径填写；应报数值按区县计算。"),
    ]
    for i, (k, v) in enumerate(lines):
        ws.write(i, 0, k, bold)
        ws.write(i, 1, v, wrap)
    start = len(lines) + 1
    ws.write_row(start, 0, ["指标代码", "指标名称", "计量单位", "小数位数", "合理范围", "统计口径"], head)
    per_indicator = rows.unique("indicator_code", maintain_order=True)
    for j, r in enumerate(per_indicator.iter_rows(named=True), start=start + 1):
        ws.write_row(
            j,
            0,
            [
                r["indicator_code"],
                r["indicator_name"],
                r["unit"],
                r["decimals"],
                f"{r['low']:g}—{r['high']:g}",
                r["definition"] or "（目录未载明）",
            ],
            wrap,
        )
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 36)
    ws.set_column(2, 4, 10)
    ws.set_column(5, 5, 60)
