"""Importing the plan's 主要目标 table: findings name row and cell, good rows import, an export
reads back unchanged, and the engine uses the new targets at once."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from dashboard import engine
from etl.__main__ import main
from etl.targets.importer import export_frame, import_plan_table, write_export

FIXTURES = Path(__file__).parent / "fixtures" / "plan"
SAMPLE = FIXTURES / "lianggui_targets.csv"


def _q(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def _statuses(db: Path, codes: list[str]) -> list[tuple]:
    items = engine.run(db, "两规", 2024).items
    return (
        items.filter(
            pl.col("region_code").is_in(["370300", "370303"]),
            pl.col("indicator_code").is_in(codes),
            pl.col("breakdown") == "合计",
        )
        .sort("indicator_code", "region_code")
        .select("indicator_code", "region_code", pl.col("status").cast(pl.String), "target_value")
        .rows()
    )


def test_sample_plan_table_findings_name_row_and_cell(work_db: Path) -> None:
    report = import_plan_table(work_db, SAMPLE, actor="office01")
    assert [(f.row, f.column, f.rule) for f in report.findings] == [
        (5, "B", "unknown_indicator"),
        (6, "C", "unit_mismatch"),
        (7, "E", "unparseable_target"),
        (8, "E", "later_less_ambitious"),
        (9, "E", "duplicate"),
        (10, "E", "missing_source"),
    ]
    assert report.findings[0].message == (
        "lianggui_targets.csv 工作表“lianggui_targets”第5行B列：指标“不存在的指标”不在指标目录中，本行未导入"
    )
    assert len(report.result.added) == 5
    rows = _q(
        work_db,
        "SELECT indicator_code, target_year, kind, value, source, actor, reason, origin"
        " FROM target_revision ORDER BY id",
    )
    assert rows == [
        (
            "W-HEALTH-03",
            2025,
            "at_least",
            55.0,
            "淄妇儿工委〔2022〕1号",
            "office01",
            "导入目标表 lianggui_targets.csv",
            "lianggui_targets.csv 工作表“lianggui_targets”第2行D列",
        ),
        (
            "W-HEALTH-03",
            2030,
            "at_least",
            60.0,
            "淄妇儿工委〔2022〕1号",
            "office01",
            "导入目标表 lianggui_targets.csv",
            "lianggui_targets.csv 工作表“lianggui_targets”第2行E列",
        ),
        (
            "W-HEALTH-02",
            2030,
            "at_most",
            8.0,
            "淄妇儿工委〔2022〕1号",
            "office01",
            "导入目标表 lianggui_targets.csv",
            "lianggui_targets.csv 工作表“lianggui_targets”第3行E列",
        ),
        (
            "C-WELFARE-08",
            2030,
            "at_least",
            100.0,
            "淄妇儿工委〔2022〕2号",
            "office01",
            "导入目标表 lianggui_targets.csv",
            "lianggui_targets.csv 工作表“lianggui_targets”第4行E列",
        ),
        (
            "W-HEALTH-01",
            2030,
            "increase",
            None,
            None,
            "office01",
            "导入目标表 lianggui_targets.csv",
            "lianggui_targets.csv 工作表“lianggui_targets”第11行E列",
        ),
    ]


def test_engine_statuses_follow_the_imported_targets(work_db: Path) -> None:
    codes = ["C-WELFARE-08", "W-HEALTH-01", "W-HEALTH-02", "W-HEALTH-03"]
    assert _statuses(work_db, codes) == [
        ("C-WELFARE-08", "370300", "on_track", 95.0),
        ("C-WELFARE-08", "370303", "achieved", 95.0),
        ("W-HEALTH-01", "370300", "on_track", 83.5),
        ("W-HEALTH-01", "370303", "on_track", 83.5),
        ("W-HEALTH-02", "370300", "on_track", 10.0),
        ("W-HEALTH-02", "370303", "achieved", 10.0),
        ("W-HEALTH-03", "370300", "on_track", 75.0),
        ("W-HEALTH-03", "370303", "on_track", 75.0),
    ]
    import_plan_table(work_db, SAMPLE, actor="office01")
    assert _statuses(work_db, codes) == [
        ("C-WELFARE-08", "370300", "on_track", 100.0),
        ("C-WELFARE-08", "370303", "on_track", 100.0),  # 97.7 no longer meets 全覆盖
        ("W-HEALTH-01", "370300", "improving", None),  # 逐步提高: 81.67 → 82.5
        ("W-HEALTH-01", "370303", "stable", None),
        ("W-HEALTH-02", "370300", "lagging", 8.0),  # (13.6−11.8)/(13.6−8) = 0.32 < τ 0.4
        ("W-HEALTH-02", "370303", "on_track", 8.0),  # (12.4−10)/(12.4−8) = 0.55 ≥ 0.4
        ("W-HEALTH-03", "370300", "on_track", 60.0),
        ("W-HEALTH-03", "370303", "achieved", 60.0),  # 63 ≥ 60
    ]


def test_export_then_import_changes_nothing(work_db: Path, tmp_path: Path) -> None:
    import_plan_table(work_db, SAMPLE, actor="office01")
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"all{suffix}"
        assert main(["targets", "export", "-o", str(out)]) == 0
        before = (work_db.stat().st_mtime_ns, _q(work_db, "SELECT count(*) FROM target_revision"))
        report = import_plan_table(work_db, out, actor="office01")
        assert report.findings == []
        assert (len(report.result.added), len(report.result.refused)) == (0, 0)
        assert len(report.result.unchanged) == 250  # national 两纲/十四五 rows included, recognised as unchanged
        assert (work_db.stat().st_mtime_ns, _q(work_db, "SELECT count(*) FROM target_revision")) == before


def test_export_states_plan_and_region_on_every_row(work_db: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        frame = export_frame(con, plan="两规")
    finally:
        con.close()
    assert frame.height == 80
    assert set(frame.get_column("规划")) == {"两规"}
    assert set(frame.get_column("地区")) == {"全部地区"}
    first = frame.row(0, named=True)
    assert (first["指标代码"], first["2030年目标"], first["目标类型"]) == ("C-EDU-02", "≥96%", "不低于")
    write_export(frame, tmp_path / "x.csv")
    assert (tmp_path / "x.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_district_sheet_and_nothing_already_entered_is_lost(work_db: Path) -> None:
    import_plan_table(work_db, SAMPLE, actor="office01")
    report = import_plan_table(work_db, FIXTURES / "district_targets.csv", actor="office02", reason="各区县规划")
    assert [(f.row, f.column, f.rule) for f in report.findings] == [(2, "G", "unparseable_target")]
    rows = _q(
        work_db,
        "SELECT region_code, kind, value FROM target_effective WHERE plan_code = 'lianggui'"
        " AND indicator_code = 'W-HEALTH-02' ORDER BY region_code NULLS FIRST",
    )
    assert rows == [(None, "at_most", 8.0), ("370302", "at_most", 11.0), ("370303", "at_most", 9.0)]
    assert _q(work_db, "SELECT count(*) FROM target_revision") == [(7,)]


def test_cli_import_reports_findings_with_exit_code(work_db: Path) -> None:
    assert main(["targets", "import", str(SAMPLE), "--by", "office01"]) == 1
    assert main(["targets", "import", str(FIXTURES / "nope.csv")]) == 2
