"""A member unit can only load its own indicators — enforced in the load itself, not the UI."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import both_stores
from long_returns import current_value, long_csv

from etl.returns.load import load_file, load_files, submit_file

# C-EDU-02 学前教育毛入园率 is led by 教育局 alone; W-HEALTH-01 妇女人均预期寿命 is led by
# 卫生健康委 and shared by 统计局 (data/catalogue/indicators.csv).


@both_stores
def test_unit_loading_another_units_indicator_is_refused(work_db: Path, tmp_path: Path) -> None:
    before = current_value(work_db, "W-HEALTH-01", "370303", 2024)
    f = long_csv(
        tmp_path / "教育局_2024.csv",
        [["C-EDU-02", "", "370303", "", "2024", "97.7", ""], ["W-HEALTH-01", "", "370303", "", "2024", "79.5", ""]],
    )
    report = submit_file(work_db, f, unit="education", enforce_unit=True, actor="教育局 测试员（edu01）")

    assert report.status == "loaded" and report.accepted == 1 and report.rejected == 1
    refused = [x for x in report.findings if x.rule == "not_own_indicator"]
    assert len(refused) == 1
    msg = refused[0].message
    # names the file, the row and cell, the indicator and the unit that owns it
    assert "教育局_2024.csv" in msg and "第3行" in msg and "妇女人均预期寿命" in msg
    assert "由卫生健康委牵头" in msg and "统计局" in msg
    assert refused[0].severity == "error" and (refused[0].row, refused[0].column) == (3, "F")
    # the other unit's value did not change; the unit's own value did
    assert current_value(work_db, "W-HEALTH-01", "370303", 2024) == before
    assert current_value(work_db, "C-EDU-02", "370303", 2024) == 97.7
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        (reason,) = con.sql(
            "SELECT reason FROM rejected_row WHERE submission_id = $s", params={"s": report.submission_id}
        ).fetchall()[0]
    finally:
        con.close()
    assert "卫生健康委" in reason


def test_refused_at_function_level_without_any_ui(work_db: Path, tmp_path: Path) -> None:
    """load_files on a bare connection (as a script would call it) enforces the same rule."""
    db = tmp_path / "direct.duckdb"
    shutil.copyfile(work_db, db)
    f = long_csv(tmp_path / "x.csv", [["W-HEALTH-01", "", "370303", "", "2023", "79.1", ""]])
    con = duckdb.connect(str(db))
    try:
        con.begin()
        [report] = load_files(con, [f], unit="教育局", enforce_unit=True)
        con.rollback()
    finally:
        con.close()
    assert report.accepted == 0 and report.rejected == 1
    assert [x.rule for x in report.findings if x.severity == "error"] == ["not_own_indicator"]


@both_stores
def test_a_unit_that_shares_an_indicator_may_load_it(work_db: Path, tmp_path: Path) -> None:
    # 2025: 卫生健康委's sample return for 2024 is approved and locked
    f = long_csv(tmp_path / "统计局.csv", [["W-HEALTH-01", "", "370303", "", "2025", "83.1", ""]])
    report = submit_file(work_db, f, unit="statistics", enforce_unit=True, actor="统计局")
    assert report.accepted == 1 and not [x for x in report.findings if x.rule == "not_own_indicator"]
    assert current_value(work_db, "W-HEALTH-01", "370303", 2025) == 83.1


def test_enforcing_without_a_unit_is_an_error(work_db: Path, tmp_path: Path) -> None:
    f = long_csv(tmp_path / "x.csv", [["C-EDU-02", "", "370303", "", "2024", "97.7", ""]])
    con = duckdb.connect(str(work_db))
    try:
        with pytest.raises(ValueError, match="必须指定成员单位"):
            load_file(con, f, enforce_unit=True)
    finally:
        con.close()


@both_stores
def test_a_load_under_a_unit_takes_only_that_units_indicators(work_db: Path, tmp_path: Path) -> None:
    """The office or the CLI naming a unit may not attribute another unit's indicator to it."""
    f = long_csv(
        tmp_path / "汇总.csv",
        [["C-EDU-02", "", "370303", "", "2024", "97.9", ""], ["W-HEALTH-01", "", "370303", "", "2025", "79.9", ""]],
    )
    before = current_value(work_db, "W-HEALTH-01", "370303", 2025)
    report = submit_file(work_db, f, unit="education")
    assert report.accepted == 1 and report.rejected == 1
    assert [(x.rule, x.row, x.column) for x in report.findings if x.severity == "error"] == [
        ("not_own_indicator", 3, "F")
    ]
    assert current_value(work_db, "C-EDU-02", "370303", 2024) == 97.9
    assert current_value(work_db, "W-HEALTH-01", "370303", 2025) == before


@both_stores
def test_a_load_without_a_unit_is_not_restricted(work_db: Path, tmp_path: Path) -> None:
    """The command line without --unit (a bulk file) loads every unit's indicators."""
    f = long_csv(
        tmp_path / "汇总.csv",
        [["C-EDU-02", "", "370303", "", "2025", "97.9", ""], ["W-HEALTH-01", "", "370303", "", "2025", "79.9", ""]],
    )
    report = submit_file(work_db, f)
    assert report.accepted == 2 and report.rejected == 0
    assert current_value(work_db, "W-HEALTH-01", "370303", 2025) == 79.9


@both_stores
def test_an_inferred_units_approval_does_not_lock_another_units_indicator(work_db: Path, tmp_path: Path) -> None:
    """A bulk file without --unit is attributed to its most common lead unit (卫生健康委 here,
    approved for 2024); that approval must not lock 教育局's C-EDU-02, whose 2024 return is pending."""
    f = long_csv(
        tmp_path / "汇总.csv",
        [
            ["W-HEALTH-01", "", "370303", "", "2025", "80.1", ""],
            ["W-HEALTH-01", "", "370304", "", "2025", "79.6", ""],
            ["C-EDU-02", "", "370303", "", "2024", "97.9", ""],
        ],
    )
    report = submit_file(work_db, f)
    assert [x.rule for x in report.findings if x.severity == "error"] == []
    assert report.accepted == 3
    assert current_value(work_db, "C-EDU-02", "370303", 2024) == 97.9
