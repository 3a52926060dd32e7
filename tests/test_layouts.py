"""etl.returns.layouts / etl.returns.header: grids → RawValues for every supported layout and decoration."""

from __future__ import annotations

from pathlib import Path

import fixtures_returns as fx
import pytest

from etl.core.records import SEVERITY_ERROR, SEVERITY_WARNING, TOTAL, RawValue, ReadResult, UnreadableFile
from etl.returns.header import (
    Role,
    TableHeader,
    breakdown_of_label,
    find_header,
    label_key,
    role_of,
    sheet_context,
    year_of_label,
)
from etl.returns.layouts import read_return, read_sheet
from etl.returns.readers import Grid


def cells(result: ReadResult) -> dict[str, RawValue]:
    """Values keyed by "sheet!D12"."""
    return {f"{v.sheet}!{v.column}{v.row}": v for v in result.values}


def rules(result: ReadResult, severity: str | None = None) -> list[tuple[str, int | None]]:
    return [(f.rule, f.row) for f in result.findings if severity is None or f.severity == severity]


def header_of(grid: Grid) -> TableHeader:
    header = find_header(grid)
    assert header is not None, "no header found"
    return header


def problems(result: ReadResult) -> list[tuple[str, int | None]]:
    """Errors and warnings (decorations must produce neither)."""
    return rules(result, SEVERITY_ERROR) + rules(result, SEVERITY_WARNING)


# --- header labels ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("指标名称", Role.IND_NAME),
        ("指 标 名 称", Role.IND_NAME),
        ("指标\n名称", Role.IND_NAME),
        ("*指标代码", Role.IND_CODE),
        ("数　值", Role.VALUE),
        ("数值（%）", Role.VALUE),
        ("县（市、区）", Role.REG_NAME),
        ("计量单位", Role.UNIT),
        ("序号", Role.SEQ),
        ("全市", Role.TOTAL),
        ("张店区", None),
    ],
)
def test_header_labels_are_matched_after_nfkc_and_without_spaces(text: str, role: Role | None) -> None:
    assert role_of(text) is role


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2020", "2020"),
        ("2020年", "2020"),
        ("２０２１年", "2021"),
        ("2022年度", "2022"),
        ("2024年(预计)", "2024"),
        ("2025年目标值", None),
        ("张店区", None),
        ("12024", None),
    ],
)
def test_year_labels(text: str, year: str | None) -> None:
    assert year_of_label(text) == year


@pytest.mark.parametrize(
    ("text", "breakdown"),
    [
        ("城镇", "城镇"),
        ("其中：城镇", "城镇"),
        ("    农村", "农村"),
        ("其中:女", "女"),
        ("　　男", "男"),
        ("合计", TOTAL),
        ("孕产妇死亡率", None),
        ("其中：农村妇女", None),
    ],
)
def test_breakdown_labels(text: str, breakdown: str | None) -> None:
    assert breakdown_of_label(text) == breakdown


def test_label_key_keeps_text_comparable_not_rewritten() -> None:
    assert label_key(" 指标　名称： ") == "指标名称"


# --- 1. long template --------------------------------------------------------------------


def expected_long(file: str, sheet: str) -> list[RawValue]:
    return [
        RawValue(file, sheet, 2, "F", "W-HEALTH-01", "8.5", "370303", "2024", None, "1/10万"),
        RawValue(file, sheet, 3, "F", "W-HEALTH-02", "95.2", "370303", "2024", None, "%", "含农村"),
        # No code: the name stands for the indicator and the region.
        RawValue(file, sheet, 4, "F", "妇女平均预期寿命", "—", "淄川区", "2024年", None, "岁"),
        # Row 5's value cell is empty: nothing is reported for it.
        RawValue(file, sheet, 6, "F", "W-EDU-02", "1,234", "370302", "2024", None, "人"),
    ]


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_long_template_excel(tmp_path: Path, suffix: str) -> None:
    path = fx.long_template(tmp_path, suffix)
    result = read_return(path)
    assert result.values == expected_long(path.name, "Sheet1")
    assert result.findings == []
    assert result.sheets_read == 1
    assert result.values[0].raw_cells == (
        "W-HEALTH-01",
        "孕产妇死亡率",
        "370303",
        "张店区",
        "2024",
        "8.5",
        "1/10万",
    )


@pytest.mark.parametrize(("encoding", "delimiter"), [("utf-8-sig", ","), ("gb18030", "\t"), ("utf-8", ";")])
def test_long_template_csv(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = fx.long_csv(tmp_path, encoding, delimiter)
    assert read_return(path).values == expected_long(path.name, path.stem)


def test_long_vertically_merged_labels_are_carried_down(tmp_path: Path) -> None:
    result = read_return(fx.long_vertical_merges(tmp_path))
    got = [(v.row, v.indicator, v.region, v.year, v.value) for v in result.values]
    assert got == [
        (2, "孕产妇死亡率", "张店区", "2023", "9"),
        (3, "孕产妇死亡率", "张店区", "2024", "8.5"),
        (4, "孕产妇死亡率", "淄川区", "2023", "10.1"),
        (5, "孕产妇死亡率", "淄川区", "2024", "9.8"),
        (6, "婴儿死亡率", "张店区", "2024", "2.1"),
    ]
    # The carrying is auditable: one warning per label, naming the rows, so a forgotten
    # cell that silently took the value above is seen by whoever loads the file.
    filled = [f for f in result.findings if f.rule == "filled_down"]
    assert all(f.severity == SEVERITY_WARNING for f in filled)
    assert any("第3–5行的“指标”" in f.message for f in filled)
    assert any("第3、5行的“地区”" in f.message for f in filled)
    assert [p for p in problems(result) if p[0] != "filled_down"] == []


def test_long_breakdown_column(tmp_path: Path) -> None:
    result = read_return(fx.long_breakdown_column(tmp_path))
    assert [(v.breakdown, v.value) for v in result.values] == [
        ("城镇", "7"),
        ("农村", "10.2"),
        (None, "8.5"),
    ]


# --- 2. decorations ------------------------------------------------------------------------


def test_decorated_form_reads_only_the_value_cells(tmp_path: Path) -> None:
    result = read_return(fx.decorated_form(tmp_path))
    got = cells(result)
    assert sorted(got) == sorted(
        f"妇女发展!{c}" for c in ("E9", "F9", "E10", "F10", "E13", "E15", "F15", "G9", "G10", "G13", "G15")
    )
    # 全市 is the city's own figure, not a sum: read with region 全市 (validation resolves it)
    assert got["妇女发展!G9"].region == "全市" and got["妇女发展!G9"].value == "8.8"
    # 统计年度 wins over 2021—2030 (plan period), 〔2023〕 (文号), 2026 (有效期), 2025 (报出日期).
    assert {v.year for v in result.values} == {"2024"}
    assert got["妇女发展!F10"].value == "—"
    assert got["妇女发展!F10"].note == "淄川区数据暂缺"
    assert got["妇女发展!E9"] == RawValue(
        "decorated.xlsx", "妇女发展", 9, "E", "孕产妇死亡率", "8.5", "张店区", "2024", None, "1/10万"
    )
    # Column A is empty but keeps its place in raw_cells (so positions line up with Excel).
    assert got["妇女发展!E9"].raw_cells[:3] == ("", "1", "孕产妇死亡率")
    assert problems(result) == []


def test_decorations_are_info_findings(tmp_path: Path) -> None:
    result = read_return(fx.decorated_form(tmp_path))
    reasons = {f.row: f.message for f in result.findings if f.rule == "skipped_row"}
    # 1–4 header block, 7 column numbers, 8/12/14 sections, 16–17 notes, 18–19 footer.
    assert sorted(reasons) == [1, 2, 3, 4, 7, 8, 12, 14, 16, 17, 18, 19]
    expected = {
        1: "表头上方",
        4: "表头上方",
        7: "栏号行",
        8: "分组标题行",
        12: "分组标题行",
        14: "分组标题行",
        16: "注释说明行",
        17: "注释说明行",
        18: "表尾",
        19: "表尾",
    }
    for row, says in expected.items():
        assert says in reasons[row], (row, reasons[row])
    assert not [f for f in result.findings if f.rule == "ignored_column"]  # 全市 is read
    assert all("decorated.xlsx" in f.message and "妇女发展" in f.message for f in result.findings)


def test_column_number_row_is_not_data() -> None:
    grid = fx.grid(
        [
            ["指标名称", "张店区", "淄川区"],
            ["甲", "1", "2"],
            ["孕产妇死亡率", "8.5", "9.1"],
        ]
    )
    header = find_header(grid)
    assert header is not None and header.column_number_position == 1
    values = read_sheet(grid, header, year="2024").values
    assert [v.indicator for v in values] == ["孕产妇死亡率", "孕产妇死亡率"]


def test_numeric_column_number_row_must_count_up() -> None:
    """1 | 2 | 3 under the header is a column-number row; a row of values is not."""
    numbered = fx.grid([["指标名称", "张店区", "淄川区"], ["1", "2", "3"], ["甲指标", "5", "6"]])
    assert header_of(numbered).column_number_position == 1
    data = fx.grid([["指标代码", "张店区", "淄川区"], ["7", "95", "96"]])
    assert header_of(data).column_number_position is None


def test_a_fill_in_notes_heading_under_the_table_is_a_note() -> None:
    grid = fx.grid([["指标名称", "张店区"], ["甲指标", "1"], ["填表说明"], ["1.本表由卫生健康委填报"]])
    result = read_sheet(grid, header_of(grid), year="2024")
    assert [v.indicator for v in result.values] == ["甲指标"]
    assert [(f.row, f.message.split("：")[-1]) for f in result.findings if f.rule == "skipped_row"] == [
        (3, "注释说明行，未读取。")
    ]


def test_repeated_header_row_is_skipped() -> None:
    grid = fx.grid(
        [
            ["指标名称", "张店区"],
            ["甲指标", "1"],
            ["指标名称", "张店区"],  # a page break copied the header
            ["乙指标", "2"],
        ]
    )
    result = read_sheet(grid, header_of(grid), year="2024")
    assert [v.indicator for v in result.values] == ["甲指标", "乙指标"]


# --- 3. wide by year -------------------------------------------------------------------------


def test_wide_by_year_region_from_title(tmp_path: Path) -> None:
    result = read_return(fx.wide_by_year(tmp_path, "title"))
    got = cells(result)
    # Years as written in the header (full-width kept; the normaliser reads it).
    assert [got[f"张店区!{c}5"].year for c in "BCD"] == ["２０２０年", "2021年", "2022"]
    assert {v.region for v in result.values} == {"张店区"}
    assert {v.unit for v in result.values} == {"%"}  # from the 计量单位：% line
    # "/" and "暂无数据" are reported (the normaliser decides they are missing).
    assert got["张店区!C6"].value == "/" and got["张店区!D6"].value == "暂无数据"
    # The 2025年目标值 column carries a year but is not a reported value.
    assert not any(v.column == "E" for v in result.values)
    ignored = [f for f in result.findings if f.rule == "ignored_column"]
    assert [(f.row, f.column) for f in ignored] == [(4, "E")] and "目标值" in ignored[0].message
    assert len(result.values) == 6
    assert problems(result) == []


def test_wide_by_year_region_from_merged_column(tmp_path: Path) -> None:
    result = read_return(fx.wide_by_year(tmp_path, "column"))
    assert [(v.row, v.region) for v in result.values if v.column == "C"] == [
        (5, "张店区"),
        (6, "张店区"),
    ]


def test_wide_by_year_without_region_is_a_sheet_error(tmp_path: Path) -> None:
    result = read_return(fx.wide_by_year(tmp_path, "none"))
    assert result.values == []
    assert problems(result) == [("no_region", None)]
    assert result.sheets_read == 0


def test_wide_by_year_region_override(tmp_path: Path) -> None:
    result = read_return(fx.wide_by_year(tmp_path, "none"), region="张店区")
    assert len(result.values) == 6 and {v.region for v in result.values} == {"张店区"}
    assert problems(result) == []


# --- 4. wide by district -------------------------------------------------------------------


def test_wide_by_district_year_from_title(tmp_path: Path) -> None:
    result = read_return(fx.wide_by_district(tmp_path, "title"))
    got = cells(result)
    # "（2024年）" is the year; "2021—2030年" is the plan period, not a year.
    assert {v.year for v in result.values} == {"2024"}
    assert [got[f"2024!{c}3"].region for c in "CDEF"] == ["张店区", "淄川区", "博山区", "全市"]
    assert not any(v.column == "G" for v in result.values)  # 比上年增减
    reasons = {f.column: f.message for f in result.findings if f.rule == "ignored_column"}
    assert "说明性列" in reasons["G"] and "F" not in reasons
    assert got["2024!D4"].value == "-" and got["2024!D4"].note == "淄川区未报"
    assert len(result.values) == 8
    assert problems(result) == []


def test_region_codes_as_column_headers_are_districts_not_years() -> None:
    grid = fx.grid([["指标名称", "370303", "320200"], ["甲指标", "1", "2"]])
    result = read_sheet(grid, header_of(grid), year="2024")
    assert [v.region for v in result.values] == ["370303", "320200"]


def test_wide_by_district_year_column(tmp_path: Path) -> None:
    result = read_return(fx.wide_by_district(tmp_path, "column"))
    assert {v.year for v in result.values} == {"2024年"}
    assert {v.column for v in result.values} == {"D", "E", "F", "G"}  # G: 全市


def test_wide_by_district_without_year_is_a_sheet_error(tmp_path: Path) -> None:
    result = read_return(fx.wide_by_district(tmp_path, "none"))
    assert result.values == []
    assert problems(result) == [("no_year", None)]
    message = next(f.message for f in result.findings if f.rule == "no_year")
    assert "--year" in message and "wide_district_none.xlsx" in message


def test_wide_by_district_year_override(tmp_path: Path) -> None:
    result = read_return(fx.wide_by_district(tmp_path, "none"), year="2024")
    assert len(result.values) == 8 and {v.year for v in result.values} == {"2024"}


def test_override_that_contradicts_the_title_is_used_with_a_warning(tmp_path: Path) -> None:
    result = read_return(fx.wide_by_district(tmp_path, "title"), year="2023")
    assert {v.year for v in result.values} == {"2023"}
    assert rules(result, SEVERITY_WARNING) == [("override_conflict", None)]


def test_two_years_in_the_title_are_ambiguous() -> None:
    grid = fx.grid([["2023年、2024年指标对比表"], ["指标名称", "张店区"], ["甲", "1"]])
    result = read_sheet(grid, header_of(grid))
    assert result.values == []
    assert [f.rule for f in result.findings if f.severity == SEVERITY_ERROR] == ["no_year"]
    assert "2023、2024" in result.findings[-1].message


# --- 5. two-level headers ------------------------------------------------------------------


def test_two_level_years_over_urban_rural(tmp_path: Path) -> None:
    result = read_return(fx.two_level_years(tmp_path))
    got = cells(result)
    assert [(got[f"城乡!{c}5"].year, got[f"城乡!{c}5"].breakdown) for c in "CDEFGH"] == [
        ("2023年", "城镇"),
        ("2023年", "农村"),
        ("2023年", None),
        ("2024年", "城镇"),
        ("2024年", "农村"),
        ("2024年", None),
    ]
    assert {v.region for v in result.values} == {"淄川区"}
    assert got["城乡!D5"].unit == "1/10万"
    assert "城乡!H6" not in got  # empty cell: not reported
    assert len(result.values) == 11
    assert problems(result) == []


@pytest.mark.parametrize("suffix", [".xls", ".xlsx"])
def test_two_level_districts_over_sex_label_row_below(tmp_path: Path, suffix: str) -> None:
    result = read_return(fx.two_level_districts(tmp_path, suffix))
    got = [(v.column, v.region, v.breakdown, v.value) for v in result.values]
    assert got == [
        ("C", "张店区", "女", "98.1"),
        ("D", "张店区", "男", "97.5"),
        ("E", "张店区", None, "97.8"),
        ("F", "淄川区", "女", "96"),
        ("G", "淄川区", "男", "95.2"),
        ("H", "淄川区", None, "95.6"),
        ("I", "全市", "女", "97"),
        ("J", "全市", "男", "96.3"),
        ("K", "全市", None, "96.6"),
    ]
    assert {v.year for v in result.values} == {"2024"}
    assert not [f for f in result.findings if f.rule == "ignored_column"]


def test_breakdown_columns_for_one_district(tmp_path: Path) -> None:
    result = read_return(fx.breakdown_columns(tmp_path))
    assert [(v.region, v.year, v.breakdown, v.value) for v in result.values] == [
        ("博山区", "2024", "城镇", "8"),
        ("博山区", "2024", "农村", "12"),
        ("博山区", "2024", None, "9.6"),
    ]


# --- 6. breakdown rows ---------------------------------------------------------------------


def test_breakdown_rows_belong_to_the_indicator_above(tmp_path: Path) -> None:
    result = read_return(fx.breakdown_rows(tmp_path))
    got = [(v.row, v.indicator, v.breakdown, v.unit) for v in result.values if v.column == "C"]
    assert got == [
        (3, "孕产妇死亡率", None, "1/10万"),
        (4, "孕产妇死亡率", "城镇", "1/10万"),
        (5, "孕产妇死亡率", "农村", "1/10万"),
        (7, "九年义务教育巩固率", "女", "%"),
        (8, "九年义务教育巩固率", "男", "%"),
    ]
    assert {v.year for v in result.values} == {"2024"}  # "2024年度…" title
    # 其中：城镇 straight after a section title has no indicator: an error, nothing loaded.
    assert problems(result) == [("orphan_breakdown", 10)]
    assert not any(v.row == 10 for v in result.values)


def test_breakdown_column_with_merged_indicator(tmp_path: Path) -> None:
    result = read_return(fx.breakdown_column_merged(tmp_path))
    got = [(v.row, v.column, v.indicator, v.breakdown, v.year) for v in result.values]
    assert got[:2] == [(3, "C", "孕产妇死亡率", None, "2023年"), (3, "D", "孕产妇死亡率", None, "2024年")]
    assert got[-1] == (5, "D", "孕产妇死亡率", "农村", "2024年")
    assert {v.region for v in result.values} == {"周村区"}  # 区县：周村区


def test_breakdown_conflict_between_column_and_row() -> None:
    grid = fx.grid(
        [
            ["地区：张店区", "统计年度：2024"],
            ["指标名称", "城镇", "农村"],
            ["甲指标", "1", "2"],
            ["其中：女", "3", "4"],
        ]
    )
    result = read_sheet(grid, header_of(grid))
    assert [(f.rule, f.row, f.column) for f in result.findings if f.severity == SEVERITY_ERROR] == [
        ("breakdown_conflict", 4, "B"),
        ("breakdown_conflict", 4, "C"),
    ]


def test_values_without_indicator_are_an_error() -> None:
    grid = fx.grid([["指标名称", "张店区"], ["甲指标", "1"], ["", "2"]])
    result = read_sheet(grid, header_of(grid), year="2024")
    assert [v.row for v in result.values] == [2]
    assert [(f.rule, f.row) for f in result.findings] == [("no_indicator", 3)]


# --- 7. several sheets / no table ----------------------------------------------------------


def test_multi_sheet_workbook(tmp_path: Path) -> None:
    result = read_return(fx.multi_sheet(tmp_path))
    assert sorted({v.sheet for v in result.values}) == ["儿童", "妇女"]  # not the hidden 旧数据
    assert not any(v.value == "99" for v in result.values)
    assert result.sheets_read == 2
    by_sheet = {(f.sheet, f.rule) for f in result.findings}
    assert {("填报说明", "no_header"), ("旧数据", "skipped_sheet"), ("空表", "skipped_sheet")} <= by_sheet
    assert problems(result) == []


def test_instruction_sentences_are_not_districts() -> None:
    """ "指标名称 | 请填写…。" in a 填报说明 sheet must not read as a wide-by-district header."""
    grid = fx.grid([[str(c or "") for c in row] for row in fx.INSTRUCTIONS])
    assert find_header(grid) is None


def test_no_table_anywhere_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile) as info:
        read_return(fx.instructions_only(tmp_path))
    message = str(info.value)
    assert "instructions.xlsx" in message and "指标名称" in message and "填报说明" in message


# --- the block above the header ------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "years", "region", "unit"),
    [
        ([["统计年度：２０２４"]], ("2024",), None, None),
        ([["统计年度", "2024"]], ("2024",), None, None),
        ([["淄博市监测表（2024年）"]], ("2024",), None, None),
        ([["淄博市妇女发展规划（2021—2030年）"]], (), None, None),
        ([["有效期至：2026年"], ["报出日期：2025年3月"]], (), None, None),
        ([["统计年度：2024    报出日期：2025年1月"]], ("2024",), None, None),
        ([["地区：张店区  年度：2023"]], ("2023",), "张店区", None),
        ([["填报地区", "张店区"]], (), "张店区", None),
        ([["填报地区：张店区"]], (), "张店区", None),
        ([["地区代码：370303"]], (), "370303", None),
        ([["填报单位（盖章）：张店区卫生健康局"]], (), None, None),
        ([["地区：", "年度：2024"]], ("2024",), None, None),
        ([["计量单位：%"]], (), None, "%"),
    ],
)
def test_sheet_context(block: list[list[str]], years: tuple[str, ...], region: str | None, unit: str | None) -> None:
    grid = fx.grid([*block, ["指标名称", "数值"], ["甲", "1"]])
    header = find_header(grid)
    assert header is not None
    ctx = sheet_context(grid, header)
    assert (ctx.years, ctx.region, ctx.unit) == (years, region, unit)
