"""The return template opened as Excel would: one row per owed value, validation on value
cells, protected labels without a password, a 填报说明 sheet — and a filled copy loads."""

from __future__ import annotations

from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest

from etl.returns.load import preview_file
from etl.returns.template import write_template

TEMPLATE_HEADER = [
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


@pytest.fixture
def health_template(work_db: Path, tmp_path: Path) -> tuple[Path, int]:
    out = tmp_path / "卫生健康委_2025.xlsx"
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        n = write_template(con, "health", 2025, "370300", out)
    finally:
        con.close()
    return out, n


def data_rows(ws, n: int) -> list[list]:
    return [[c.value for c in r] for r in ws.iter_rows(min_row=4, max_row=3 + n)]


def test_one_row_per_owed_value_and_shared_measures_once(health_template) -> None:
    path, n = health_template
    # 卫生健康委 leads 40 measurable indicators; 婚前医学检查率 and 产前筛查率 are each listed in both
    # outlines, so 38 measures × 8 county-level districts = 304 owed values, plus the city's own
    # figure for each of the 38 measures
    assert n == 342
    ws = openpyxl.load_workbook(path)["填报表"]
    assert [c.value for c in ws[3]] == TEMPLATE_HEADER
    rows = data_rows(ws, n)
    assert len({(r[0], r[5]) for r in rows}) == 342  # no duplicate rows
    assert len([r for r in rows if r[5] != "370300"]) == 304
    premarital = [r for r in rows if r[1] == "婚前医学检查率"]
    assert len(premarital) == 9 and {r[0] for r in premarital} == {"W-HEALTH-M2/C-HEALTH-06b"}
    assert premarital[0][6] == "淄博市"  # the city's own figure first
    assert {r[2] for r in premarital} == {"%"} and {r[3] for r in premarital} == {1}
    assert {r[6] for r in rows} == {
        "淄博市",
        "淄川区",
        "张店区",
        "博山区",
        "临淄区",
        "周村区",
        "桓台县",
        "高青县",
        "沂源县",
    }


def test_value_cells_are_validated_and_labels_protected(health_template) -> None:
    path, n = health_template
    ws = openpyxl.load_workbook(path)["填报表"]
    assert ws.protection.sheet is True and not ws.protection.password
    assert ws["A4"].protection.locked is True and ws["J4"].protection.locked is False
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert len(rules) == n
    first = rules["J4"]  # 婚前医学检查率, a percentage
    # "between" is Excel's default operator: the file stores none
    assert (first.type, first.operator, first.formula1, first.formula2) == ("decimal", None, "0.0", "100.0")
    assert first.errorStyle is None and "无数据请留空" in first.error  # None: "stop", which refuses the entry


def test_instructions_sheet(health_template) -> None:
    path, _ = health_template
    ws = openpyxl.load_workbook(path)["填报说明"]
    cells = {r[0].value: r[1].value for r in ws.iter_rows(max_row=7)}
    assert cells["报送截止日"] == "2026年03月31日" and cells["填报单位"] == "卫生健康委"
    assert "本单位联系人" in cells
    header = [c.value for c in ws[9]]  # after seven lines and a blank one
    assert header == ["指标代码", "指标名称", "计量单位", "小数位数", "合理范围", "统计口径"]


def test_filled_and_edited_template_loads_into_every_shared_indicator(
    work_db: Path, health_template, tmp_path: Path
) -> None:
    path, n = health_template
    wb = openpyxl.load_workbook(path)
    ws = wb["填报表"]
    ws.protection.sheet = False  # a clerk who removed the protection and edited a label
    ws["J5"] = 85.5  # row 4 is the city's own figure; 5 and 6 are 淄川区 and 张店区
    ws["B6"] = "婚前医学检查率"  # unchanged text retyped
    ws["J6"] = 91.2
    filled = tmp_path / "已填.xlsx"
    wb.save(filled)
    report = preview_file(work_db, filled, unit="health", enforce_unit=True)
    assert report.status == "loaded" and report.rejected == 0
    assert sorted((v["indicator_code"], v["region_code"], v["value"]) for v in report.values) == [
        ("C-HEALTH-06b", "370302", 85.5),
        ("C-HEALTH-06b", "370303", 91.2),
        ("W-HEALTH-M2", "370302", 85.5),
        ("W-HEALTH-M2", "370303", 91.2),
    ]


def test_owed_means_one_thing_on_every_page(work_db: Path, health_template) -> None:
    """成员单位 (the engine), 审核 / 数据填报 (returns_status) and the template count the same
    应报 for 卫生健康委 in one year: 38 measures × 8 districts."""
    from dashboard import engine
    from dashboard.views import returns as returns_status

    _, rows = health_template
    review = returns_status.completeness(work_db, 2024).filter(pl.col("unit_code") == "health")["expected"].item()
    for plan in ("两纲", "十四五"):
        cells = engine.run(work_db, plan, 2024, "370300").completeness_cells
        units_page = cells.filter((pl.col("unit_code") == "health") & (pl.col("year") == 2024)).height
        assert units_page == 304, plan
    assert review == 304 and rows == 304 + 38  # the template adds the city's own figure per measure
