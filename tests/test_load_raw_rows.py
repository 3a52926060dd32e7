"""A workbook's raw rows are stored by sheet name, then row, whatever order its sheets come in;
a single sheet read top to bottom is stored as read."""

from __future__ import annotations

from pathlib import Path

import duckdb
import xlsxwriter

from etl.returns.load import submit_file

HEADER = ["指标代码", "指标名称", "地区代码", "地区名称", "年份", "数值"]


def _rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def test_raw_rows_are_stored_by_sheet_then_row(work_db: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(work_db))
    con.execute("DELETE FROM approval")  # nothing locked: every value loads
    con.close()
    path = tmp_path / "两年.xlsx"
    book = xlsxwriter.Workbook(str(path))
    for sheet, year, values in (("2024年", "2024", ("92.5", "93.5")), ("2023年", "2023", ("91.5", "90.5"))):
        ws = book.add_worksheet(sheet)
        ws.write_row(0, 0, HEADER)
        ws.write_row(1, 0, ["C-EDU-02", "学前教育毛入园率", "370303", "张店区", year, values[0]])
        ws.write_row(2, 0, ["C-EDU-02", "学前教育毛入园率", "370304", "博山区", year, values[1]])
    book.close()
    report = submit_file(work_db, path, actor="测试")
    assert (report.status, report.accepted, report.rejected) == ("loaded", 4, 0)
    assert _rows(
        work_db,
        f"SELECT sheet, row_no, cells[3], cells[6] FROM raw_row WHERE submission_id = {report.submission_id}"
        " ORDER BY rowid",
    ) == [
        ("2023年", 2, "370303", "91.5"),
        ("2023年", 3, "370304", "90.5"),
        ("2024年", 2, "370303", "92.5"),
        ("2024年", 3, "370304", "93.5"),
    ]
    # the values keep the file's order, each a second revision of the sample's value
    assert _rows(
        work_db,
        "SELECT sheet, row_no, region_code, year, value, revision FROM observation "
        f"WHERE submission_id = {report.submission_id} ORDER BY id",
    ) == [
        ("2024年", 2, "370303", 2024, 92.5, 2),
        ("2024年", 3, "370304", 2024, 93.5, 2),
        ("2023年", 2, "370303", 2023, 91.5, 2),
        ("2023年", 3, "370304", 2023, 90.5, 2),
    ]
