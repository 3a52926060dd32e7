"""A member unit's return template: its indicators × the home region and its districts, with hints."""

from __future__ import annotations

import math
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import xlsxwriter

HEADER = [
    "指标代码", "指标名称", "计量单位", "地区代码", "地区名称", "年份", "分组", "数值", "上年数值（参考）", "备注",
]


def template_rows(con: duckdb.DuckDBPyConnection, unit_code: str, year: int, region: str) -> pl.DataFrame:
    """One row per indicator (led or shared by the unit) × region (the home region, then its
    districts) × breakdown, with last year's value."""
    return con.sql(
        """
        WITH ind AS (
            SELECT DISTINCT i.code, i.name, i.unit, i.domain, i.outline, i.breakdowns
            FROM indicator i JOIN indicator_unit u ON u.indicator_code = i.code
            WHERE u.unit_code = $unit AND i.unit IS NOT NULL AND i.unit <> ''
        ), brk AS (
            SELECT code, unnest(list_prepend('合计', CASE WHEN breakdowns IS NULL OR breakdowns = ''
                   THEN []::VARCHAR[] ELSE string_split(breakdowns, '|') END)) AS breakdown FROM ind
        ), dist AS (
            -- the home region's own (全市) figure first, then its districts; a county is its own row
            SELECT code AS region_code, name AS region_name FROM region WHERE code = $region OR parent_code = $region
        )
        SELECT ind.code AS indicator_code, ind.name AS indicator_name, ind.unit, d.region_code, d.region_name,
               $year AS year, b.breakdown, o.value AS last_value
        FROM ind JOIN brk b ON b.code = ind.code CROSS JOIN dist d
        LEFT JOIN observation_current o ON o.indicator_code = ind.code AND o.region_code = d.region_code
             AND o.year = $year - 1 AND o.breakdown = b.breakdown
        ORDER BY ind.outline DESC, ind.domain, ind.code, d.region_code <> $region, d.region_code,
                 CASE b.breakdown WHEN '合计' THEN 0 ELSE 1 END, b.breakdown
        """,
        params={"unit": unit_code, "year": year, "region": region},
    ).pl()


def write_template(con: duckdb.DuckDBPyConnection, unit_code: str, year: int, region: str, out: Path) -> int:
    """Write the xlsx template in the long layout the loader reads; returns the number of rows."""
    unit_name = con.sql("SELECT name FROM member_unit WHERE code = $c", params={"c": unit_code}).fetchall()[0][0]
    rows = template_rows(con, unit_code, year, region)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(out))
    wb.set_properties({"title": f"{unit_name}{year}年度指标数据填报表", "created": datetime(year, 1, 1)})
    ws = wb.add_worksheet("填报表")
    title = wb.add_format({"bold": True, "font_size": 14})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    locked = wb.add_format({"bg_color": "#F2F2F2", "border": 1})
    hint = wb.add_format({"font_color": "#808080", "border": 1, "italic": True})
    fill = wb.add_format({"bg_color": "#FFF2CC", "border": 1})
    ws.write(0, 0, f"{unit_name}妇女儿童发展规划监测指标数据填报表（{year}年度）", title)
    ws.write(1, 0, f"填报单位（盖章）：{unit_name}　　统计年度：{year}年")
    ws.write_row(2, 0, HEADER, head)
    for i, r in enumerate(rows.iter_rows(named=True), start=3):
        ws.write_row(i, 0, [r["indicator_code"], r["indicator_name"], r["unit"], r["region_code"],
                            r["region_name"], str(year), "" if r["breakdown"] == "合计" else r["breakdown"]], locked)
        ws.write_blank(i, 7, None, fill)
        # a non-finite value stored before entry refused them must not break the template
        if r["last_value"] is None or not math.isfinite(r["last_value"]):
            ws.write_blank(i, 8, None, hint)
        else:
            ws.write_number(i, 8, r["last_value"], hint)
        ws.write_blank(i, 9, None, fill)
    last = rows.height + 4
    ws.write(last, 0, "注：请只填写“数值”列（黄色）；无数据请留空或填“—”；“上年数值（参考）”列仅供核对，不会载入。")
    ws.write(last + 1, 0, "单位负责人：　　　　统计负责人：　　　　填表人：　　　　报出日期：")
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 36)
    ws.set_column(2, 9, 12)
    ws.freeze_panes(3, 2)
    wb.close()
    return rows.height
