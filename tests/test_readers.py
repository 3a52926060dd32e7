"""etl.returns.readers: files → text grids (positions, number texts, encodings, unreadable files)."""

from __future__ import annotations

from pathlib import Path

import fixtures_returns as fx
import pytest

from etl.core.records import UnreadableFile
from etl.returns.readers import column_letter, read_workbook


def cells_by_row(path: Path) -> dict[int, tuple[str, ...]]:
    (grid,) = read_workbook(path).grids
    return dict(grid.rows)


@pytest.mark.parametrize(("index", "letter"), [(0, "A"), (2, "C"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA")])
def test_column_letter(index: int, letter: str) -> None:
    assert column_letter(index) == letter


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_numbers_come_out_as_excel_shows_them(tmp_path: Path, suffix: str) -> None:
    rows = cells_by_row(fx.numbers_sheet(tmp_path, suffix))
    # The table starts at C3: rows 1–2 and columns A–B are empty but keep their places.
    assert sorted(rows) == [3, 4, 5]
    assert rows[3][:3] == ("", "", "年份")
    assert rows[4][2:] == ("2024", "12", "95.2", "95.2", "2024.0", "1234567.5")
    # Text cells are kept exactly as typed (spaces, full-width digits); empty cells are "".
    assert rows[5][2:] == ("  空格 ", "０５", "", "0.3", "—", "")


def test_formulas_give_cached_values_and_error_texts(tmp_path: Path) -> None:
    rows = cells_by_row(fx.formulas_xlsx(tmp_path))
    # "#DIV/0!" must reach validation as a value, not disappear as an empty cell.
    assert rows[2] == ("1.5", "2", "3.5", "#DIV/0!")


def test_hidden_and_empty_sheets_are_skipped_and_said_so(tmp_path: Path) -> None:
    workbook = read_workbook(fx.hidden_and_empty(tmp_path))
    assert [g.sheet for g in workbook.grids] == ["可见"]
    assert {s.sheet: s.reason for s in workbook.skipped} == {
        "隐藏": "是隐藏工作表，未读取",
        "空": "是空工作表",
    }


def test_only_hidden_or_empty_sheets_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match=r"only_hidden\.xlsx.*没有含数据的可见工作表"):
        read_workbook(fx.only_hidden(tmp_path))


def test_hidden_sheet_in_xls_is_skipped(tmp_path: Path) -> None:
    path = fx.write_xls(
        tmp_path / "h.xls",
        {
            "表": fx.SheetSpec([["指标名称", "数值"]]),
            "隐": fx.SheetSpec([["x"]], hidden=True),
        },
    )
    assert [g.sheet for g in read_workbook(path).grids] == ["表"]


EXPECTED_LONG_ROW_6 = ("W-EDU-02", "女性专业技术人员", "370302", "淄川区", "2024", "1,234", "人")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str) -> None:
    path = fx.long_csv(tmp_path, encoding, delimiter)
    (grid,) = read_workbook(path).grids
    rows = dict(grid.rows)
    # No BOM glued to the first header, no mojibake, "1,234" still one cell.
    assert rows[1][:2] == ("指标代码", "指标名称")
    assert rows[6][:7] == EXPECTED_LONG_ROW_6
    assert rows[4][5] == "—"
    # Excel calls a CSV's only sheet after the file; messages use the same name.
    assert grid.sheet == path.stem


def test_csv_tab_delimited_with_thousands_commas(tmp_path: Path) -> None:
    """Unquoted "1,234" values in a tab file must not make the sniffer pick commas."""
    path = tmp_path / "tab.csv"
    path.write_text("指标名称\t地区\t数值\n甲\t张店区\t1,234\n乙\t淄川区\t2,345\n", encoding="utf-8")
    assert cells_by_row(path)[2] == ("甲", "张店区", "1,234")


def test_csv_row_numbers_count_blank_lines(tmp_path: Path) -> None:
    """A title line and a blank line above the header: row numbers are Excel's, not the
    index among non-empty rows."""
    path = tmp_path / "title.csv"
    path.write_text("2024年度统计表\n\n指标名称,数值\n甲,1\n", encoding="utf-8")
    rows = cells_by_row(path)
    assert sorted(rows) == [1, 3, 4]
    assert rows[1] == ("2024年度统计表", "")


def test_gb18030_is_decoded_not_mangled(tmp_path: Path) -> None:
    path = tmp_path / "gbk.csv"
    path.write_bytes("指标名称,数值\n孕产妇死亡率,8.5\n".encode("gb18030"))
    assert cells_by_row(path)[2] == ("孕产妇死亡率", "8.5")


def test_gb18030_after_a_long_ascii_start_is_decoded(tmp_path: Path) -> None:
    """The first 64 KB are plain ASCII (valid UTF-8 too): the Chinese further down still decides."""
    path = tmp_path / "gbk_late.csv"
    path.write_bytes(("a,b\n" * 20_000 + "孕产妇死亡率,8.5\n").encode("gb18030"))
    assert cells_by_row(path)[20_001] == ("孕产妇死亡率", "8.5")


def test_bytes_neither_encoding_after_a_long_start_name_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "late_bad.csv"
    path.write_bytes(b"a,b\n" * 20_000 + b"\xff,1\n")
    with pytest.raises(UnreadableFile) as info:
        read_workbook(path)
    assert str(info.value) == (
        "文件“late_bad.csv”的编码无法识别（既不是 UTF-8，也不是 GB18030/GBK，第 80001 个字节处出错）。"
        "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”。"
    )


def test_workbook_named_csv_is_read_as_workbook(tmp_path: Path) -> None:
    rows = cells_by_row(fx.xlsx_named_csv(tmp_path))
    assert rows[2][:2] == ("W-HEALTH-01", "孕产妇死亡率")


def test_xls_long_template(tmp_path: Path) -> None:
    rows = cells_by_row(fx.long_template(tmp_path, ".xls"))
    assert rows[6][:7] == EXPECTED_LONG_ROW_6


@pytest.mark.parametrize(
    ("case", "says"),
    [
        ("zero_byte", "空文件"),
        ("zero_byte_csv", "空文件"),
        ("text_as_xlsx", "不是 Excel 工作簿（看起来是文本文件）"),
        ("image_as_xlsx", "看起来是图片"),
        ("image_as_csv", "不是文本表格"),
        ("unsupported", "不受支持"),
        ("not_a_workbook_zip", "可能已损坏"),
        ("bad_encoding_csv", "既不是 UTF-8，也不是 GB18030"),
    ],
)
def test_unreadable_files_say_why_and_name_the_file(tmp_path: Path, case: str, says: str) -> None:
    path = fx.bad_files(tmp_path)[case]
    with pytest.raises(UnreadableFile) as info:
        read_workbook(path)
    assert path.name in str(info.value)
    assert says in str(info.value)


def test_truncated_workbook_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="truncated.xlsx"):
        read_workbook(fx.truncated_xlsx(tmp_path))


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="nope.xlsx"):
        read_workbook(tmp_path / "nope.xlsx")


# --- a CSV without quotes is split by polars: it must read exactly as the csv module reads ---

PLAIN = "标题\r\n\r\n指标名称,地区,数值\r\n甲,张店区,1.5\r\n乙, 淄川区 ,\r\n丙\r\n\r\n丁,桓台县,2,多余,\r\n  ,\t,\r\n"
EXPECTED_PLAIN = {
    1: ("标题", "", "", ""),
    3: ("指标名称", "地区", "数值", ""),
    4: ("甲", "张店区", "1.5", ""),
    5: ("乙", " 淄川区 ", "", ""),
    6: ("丙", "", "", ""),
    8: ("丁", "桓台县", "2", "多余"),
}


def test_plain_csv_rows_blank_lines_and_ragged_lines(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_bytes(PLAIN.encode("utf-8"))
    assert cells_by_row(path) == EXPECTED_PLAIN


def test_plain_and_quoted_csv_read_alike(tmp_path: Path) -> None:
    """The same rows with one quoted cell go through the csv module instead: same grid."""
    path = tmp_path / "quoted.csv"
    path.write_bytes(PLAIN.replace("甲", '"甲"').encode("gb18030"))
    assert cells_by_row(path) == EXPECTED_PLAIN


def test_plain_csv_over_the_cell_cap_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.returns import readers

    monkeypatch.setattr(readers, "MAX_CELLS", 10)
    path = tmp_path / "many.csv"
    path.write_text("a,b,c\n\n1,2,3\n4,5,6\n7,8,9\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="单元格超过 10 个（已数到 12 个）"):
        read_workbook(path)


def test_csv_wider_than_a_column_per_field(tmp_path: Path) -> None:
    """A line of 600 fields is split into lists, not 600 columns for every row; same grid."""
    path = tmp_path / "wide.csv"
    path.write_text("指标名称,数值" + "," * 598 + "\n甲,1\n乙,2" + ",x" + "\n", encoding="utf-8")
    (grid,) = read_workbook(path).grids
    assert grid.width == 3
    assert dict(grid.rows) == {1: ("指标名称", "数值", ""), 2: ("甲", "1", ""), 3: ("乙", "2", "x")}


def test_grid_rows_are_made_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("指标名称,数值\n" + "".join(f"指标{i},{i}\n" for i in range(1000)), encoding="utf-8")
    (grid,) = read_workbook(path).grids
    assert len(grid.rows) == 1001
    assert grid.rows[1] == (2, ("指标0", "0"))
    assert grid.rows[-1] == (1001, ("指标999", "999"))
    assert grid.rows[2:4] == [(3, ("指标1", "1")), (4, ("指标2", "2"))]
    assert grid.frame.columns == ["row", "c0", "c1"]
