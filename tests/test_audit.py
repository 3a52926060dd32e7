"""Every change is recorded: a correction's audit record says who, when, which file, old → new."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
from conftest import both_stores
from long_returns import long_csv

from dashboard.queries import db as dashboard_db
from dashboard.views import returns as returns_status
from etl.returns.load import submit_file

pytestmark = both_stores  # the write path, on the DuckDB file and on PostgreSQL


def test_a_correction_is_recorded_old_to_new(work_db: Path, tmp_path: Path) -> None:
    first = long_csv(tmp_path / "教育局_2024.csv", [["C-EDU-02", "", "370303", "", "2024", "97.5", ""]])
    fixed = long_csv(tmp_path / "教育局_2024_更正.csv", [["", "学前教育毛入园率", "", "张店区", "2024", "97.8%", ""]])
    t0 = datetime.now()
    r1 = submit_file(work_db, first, unit="education", enforce_unit=True, actor="教育局 张三（edu01）")
    r2 = submit_file(work_db, fixed, unit="education", enforce_unit=True, actor="教育局 李四（edu02）")
    t1 = datetime.now()
    assert r2.revisions == 1

    con = duckdb.connect(str(work_db), read_only=True)
    try:
        rows = con.sql("""
            SELECT changed_at, actor, action, file, submission_id, unit_code, old_value, new_value, detail
            FROM audit_log WHERE indicator_code = 'C-EDU-02' AND region_code = '370303' AND year = 2024
              AND breakdown = '合计' ORDER BY id""").fetchall()
    finally:
        con.close()
    # the sample return's value (loaded at build time) → 97.5 → 97.8
    *_, load1, load2 = rows
    when, actor, action, file, sub, unit, old, new, detail = load2
    assert (actor, action, file, sub, unit) == (
        "教育局 李四（edu02）",
        "load",
        "教育局_2024_更正.csv",
        r2.submission_id,
        "education",
    )
    assert (old, new) == (97.5, 97.8)
    assert t0 <= when <= t1
    assert "F2" in detail  # the cell the new value came from
    assert load1[1] == "教育局 张三（edu01）" and load1[3] == "教育局_2024.csv" and load1[7] == 97.5
    assert load1[4] == r1.submission_id

    # the same record as the office reads it, and the value's history, newest first
    trail = returns_status.audit_trail(work_db, unit_code="education", year=2024)
    top = trail.row(0, named=True)
    assert (top["操作人"], top["操作"], top["文件"], top["原值"], top["新值"]) == (
        "教育局 李四（edu02）",
        "载入",
        "教育局_2024_更正.csv",
        97.5,
        97.8,
    )
    history = returns_status.value_history(work_db, "C-EDU-02", "370303", 2024)
    assert history["数值"].to_list()[:2] == [97.8, 97.5]
    assert history["状态"].to_list()[:2] == ["现行", "已被更正"]
    assert history["上传人"].to_list()[:2] == ["教育局 李四（edu02）", "教育局 张三（edu01）"]
    dashboard_db.close_all()


def test_an_unchanged_value_writes_no_audit_row(work_db: Path, tmp_path: Path) -> None:
    f = long_csv(tmp_path / "a.csv", [["C-EDU-02", "", "370303", "", "2024", "97.5", ""]])
    same = long_csv(tmp_path / "b.csv", [["C-EDU-02", "", "370303", "", "2024", "97.5", "再报一次"]])
    submit_file(work_db, f, unit="education")
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        before = con.sql("SELECT count(*) FROM audit_log").fetchall()
    finally:
        con.close()
    submit_file(work_db, same, unit="education")
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        assert con.sql("SELECT count(*) FROM audit_log").fetchall() == before
    finally:
        con.close()
