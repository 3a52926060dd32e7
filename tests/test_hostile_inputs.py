"""One fixture per failure mode (tests/fixtures/: the file names are the catalogue): each is
refused with a finding naming its rule, row and column, and leaves the database unchanged."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from long_returns import current_value

from etl.returns import readers
from etl.returns.load import submit_file
from etl.workflow import approval

FIXTURES = Path(__file__).parent / "fixtures"
OFFICE = "妇儿工委办 王芳（office01）"
TODAY = date(2026, 6, 1)


def observations(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql("SELECT * FROM observation ORDER BY ALL").fetchall()
    finally:
        con.close()


def errors(report) -> list[tuple]:
    return [(f.rule, f.row, f.column) for f in report.findings if f.severity == "error"]


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("value_1e309_overflows_to_inf.csv", [("non_numeric", 2, "F")]),
        ("value_nan_text.csv", [("non_numeric", 2, "F")]),
        ("value_inf_text.csv", [("non_numeric", 2, "F")]),
        ("life_expectancy_1e308.csv", [("out_of_range", 2, "F")]),
        ("count_1.2e19.csv", [("out_of_range", 2, "F")]),
        ("indicator_code_and_name_disagree.csv", [("indicator_name_mismatch", 2, "F")]),
        ("region_code_and_name_disagree.csv", [("region_name_mismatch", 2, "F")]),
        ("year_after_current_year.csv", [("future_year", 2, "F")]),
        ("twelve_digit_town_code.csv", [("region_code_too_fine", 2, "F")]),
        ("unterminated_quote.csv", [("unreadable", 3, None)]),
        ("cell_over_csv_field_limit.csv", [("unreadable", 3, None)]),
        ("header_only.csv", [("no_values", None, None)]),
    ],
)
def test_bad_value_is_a_finding_and_changes_nothing(work_db: Path, fixture: str, expected: list[tuple]) -> None:
    before = observations(work_db)
    report = submit_file(work_db, FIXTURES / fixture, unit="health", today=TODAY)
    assert errors(report) == expected
    assert report.accepted == 0
    assert observations(work_db) == before


def test_messages_say_what_is_wrong_in_chinese(work_db: Path) -> None:
    def message(fixture: str) -> str:
        report = submit_file(work_db, FIXTURES / fixture, unit="health", today=TODAY)
        return next(f.message for f in report.findings if f.severity == "error")

    assert "超出可表示的数值范围" in message("value_1e309_overflows_to_inf.csv")
    assert "超出合理范围（0—120）" in message("life_expectancy_1e308.csv")
    got = message("indicator_code_and_name_disagree.csv")
    assert "“W-HEALTH-M1”是“孕产妇系统管理率”" in got and "“产后访视率”（名称对应 W-HEALTH-M5）" in got
    got = message("region_code_and_name_disagree.csv")
    assert "“370302”是淄川区" in got and "“张店区”（名称对应 张店区(370303)）" in got
    assert "年份2030晚于当前年份2026年" in message("year_after_current_year.csv")
    assert "第 3 行的引号" in message("unterminated_quote.csv")
    assert "第 3 行有一个单元格超过 131,072 个字符" in message("cell_over_csv_field_limit.csv")
    assert "没有任何填写了数值的单元格" in message("header_only.csv")
    assert "指向张店区（370303）下的乡镇或村" in message("twelve_digit_town_code.csv")


def test_the_current_year_comes_from_today(work_db: Path) -> None:
    report = submit_file(work_db, FIXTURES / "year_after_current_year.csv", unit="health", today=date(2030, 1, 2))
    assert errors(report) == [] and report.accepted == 1


def test_minus_zero_is_stored_as_zero(work_db: Path) -> None:
    report = submit_file(work_db, FIXTURES / "negative_zero_as_age.csv", unit="health", today=TODAY)
    assert report.accepted == 1
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        text = con.sql(
            "SELECT CAST(value AS VARCHAR) FROM observation_current WHERE indicator_code = "
            "'W-HEALTH-01-F1' AND region_code = '370303' AND year = 2025 AND breakdown = '合计'"
        ).fetchall()
    finally:
        con.close()
    assert text == [("0.0",)]


def test_excel_unicode_text_export_is_read(work_db: Path) -> None:
    report = submit_file(work_db, FIXTURES / "excel_unicode_text_utf16.txt", unit="health", today=TODAY)
    assert errors(report) == [] and report.accepted == 1
    assert current_value(work_db, "W-HEALTH-M1", "370303", 2025) == 96.5


def test_twelve_digit_county_code_is_read_as_the_county(work_db: Path) -> None:
    report = submit_file(work_db, FIXTURES / "twelve_digit_county_code.csv", unit="health", today=TODAY)
    assert errors(report) == [] and report.accepted == 1
    assert current_value(work_db, "W-HEALTH-M1", "370303", 2025) == 96.5


def test_too_many_cells_is_refused(work_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(readers, "MAX_CELLS", 10)
    before = observations(work_db)
    report = submit_file(work_db, FIXTURES / "unterminated_quote.csv", unit="health", today=TODAY)
    assert errors(report) == [("unreadable", None, None)]
    assert "单元格超过 10 个" in report.message
    assert observations(work_db) == before


# --- locks follow the indicator's owner ------------------------------------------------------


def test_another_units_indicator_under_a_unit_is_refused(work_db: Path) -> None:
    before = observations(work_db)
    report = submit_file(
        work_db, FIXTURES / "other_units_indicator_under_a_unit.csv", unit="health", actor=OFFICE, today=TODAY
    )
    assert errors(report) == [("not_own_indicator", 2, "F")]
    assert "由教育局牵头" in report.findings[-1].message
    assert observations(work_db) == before


@pytest.mark.parametrize("unit", ["education", None])
def test_owners_approval_locks_the_value_whoever_loads_it(work_db: Path, unit: str | None) -> None:
    """教育局's approved 2024 return locks C-EDU-02 for the office and for a load without a unit."""
    approval.approve(work_db, "education", 2024, actor=OFFICE)
    before = observations(work_db)
    fixture = FIXTURES / "approved_value_changed_without_unlock.csv"
    report = submit_file(work_db, fixture, unit=unit, actor=OFFICE, today=TODAY)
    assert errors(report) == [("locked", 2, "F")]
    assert "教育局2024年报表已审核通过" in report.findings[-1].message
    assert observations(work_db) == before

    approval.unlock(work_db, "education", 2024, actor=OFFICE, reason="更正学前教育毛入园率")
    report = submit_file(work_db, fixture, unit=unit, actor=OFFICE, today=TODAY)
    assert errors(report) == [] and report.accepted == 1
    assert current_value(work_db, "C-EDU-02", "370303", 2024) == 97.9


# --- crashes ---------------------------------------------------------------------------------


def test_command_line_reports_a_bad_csv_without_a_traceback(work_db: Path, capsys: pytest.CaptureFixture) -> None:
    from etl.__main__ import main

    before = observations(work_db)
    assert main(["load", "--unit", "卫生健康委", str(FIXTURES / "cell_over_csv_field_limit.csv")]) == 1
    out = capsys.readouterr()
    shown = out.out + out.err
    assert "Traceback" not in shown and "_csv.Error" not in shown
    assert "131,072" in shown
    assert observations(work_db) == before


def test_reader_library_failure_is_a_finding(work_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import etl.returns.layouts

    def explode(*_args, **_kwargs):
        raise KeyError("internal detail")

    monkeypatch.setattr(etl.returns.layouts, "read_workbook", explode)
    report = submit_file(work_db, FIXTURES / "twelve_digit_county_code.csv", unit="health", today=TODAY)
    assert errors(report) == [("reader_error", None, None)]
    assert "内容格式异常（KeyError）" in report.message


def test_a_stored_infinite_value_does_not_break_the_template_or_exports(work_db: Path, tmp_path: Path) -> None:
    """Data stored before entry refused inf must not stop a unit from downloading its template."""
    from dashboard.render.exports import workbook_bytes
    from etl.returns.template import write_template

    con = duckdb.connect(str(work_db))
    try:
        con.execute("UPDATE observation SET value = 'inf'::DOUBLE WHERE indicator_code = 'C-EDU-02' AND year = 2024")
        assert write_template(con, "education", 2025, "370300", tmp_path / "模板.xlsx") > 0
        frame = con.sql("SELECT value FROM observation WHERE indicator_code = 'C-EDU-02' AND year = 2024").pl()
    finally:
        con.close()
    assert frame.height > 0
    assert workbook_bytes({"数值": frame}, title="导出").startswith(b"PK")
