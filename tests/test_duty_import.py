"""牵头单位 / 责任单位 from the plan's target table: checked against the unit directory (an unknown
unit is a finding naming row and cell), stored as duty revisions with history, shown on the
indicator page and in the export, and read back unchanged."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
from conftest import both_stores

from dashboard.queries import db
from dashboard.views import indicator as indicator_view
from etl.targets.importer import export_frame, import_plan_table


def _q(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


TABLE = (
    "序号,指标名称,单位,2030年目标,牵头单位,责任单位,来源/文号\n"
    "1,适龄妇女宫颈癌人群筛查率,%,≥70%,卫健委,妇联、医保局,淄妇儿工委〔2022〕1号\n"
    "2,孕产妇死亡率,1/10万,≤9/10万,卫生健康委员会,不存在的局,淄妇儿工委〔2022〕1号\n"
    "3,城乡社区儿童之家覆盖率,%,≥98%,民政局|妇联,,淄妇儿工委〔2022〕2号\n"
    "4,婴儿死亡率,‰,,教育局,,\n"
)


@both_stores
def test_units_are_checked_stored_and_shown(work_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(TABLE, encoding="utf-8")
    assert _q(
        work_db, "SELECT lead_unit, other_units FROM indicator_catalogue WHERE indicator_code = 'W-HEALTH-03'"
    ) == [("卫生健康委", None)]
    report = import_plan_table(work_db, path, actor="office01", reason="规划印发")
    assert [(f.row, f.column, f.rule) for f in report.findings] == [
        (3, "F", "unknown_unit"),
        (4, "E", "several_leads"),
    ]
    assert report.findings[0].message.startswith(
        "plan.csv 工作表“plan”第3行F列：责任单位“不存在的局”不在成员单位名录中（可写：农业农村局、民政局、"
    )
    assert report.findings[0].message.endswith("），本行分工未导入")
    # the rows' targets still import; the good duties are recorded with who, when and why
    assert [c.indicator_code for c in report.result.added] == ["W-HEALTH-03", "W-HEALTH-02", "C-WELFARE-08"]
    assert report.duty_preview().select("行", "指标代码", "牵头单位", "责任单位", "结果").rows() == [
        (2, "W-HEALTH-03", "卫生健康委", "妇联、医保局", "将更新分工"),
        (5, "C-HEALTH-04", "教育局", "", "将更新分工"),
    ]
    assert _q(
        work_db,
        "SELECT indicator_code, action, lead_unit, shared_units, actor, reason, origin FROM duty_revision ORDER BY id",
    ) == [
        ("W-HEALTH-03", "shipped", "health", None, "随系统提供", "指标目录随系统提供的分工", "指标目录"),
        ("W-HEALTH-03", "set", "health", "medical_insurance|women_federation", "office01", "规划印发",
         "plan.csv 工作表“plan”第2行E列"),
        ("C-HEALTH-04", "shipped", "health", None, "随系统提供", "指标目录随系统提供的分工", "指标目录"),
        ("C-HEALTH-04", "set", "education", None, "office01", "规划印发", "plan.csv 工作表“plan”第5行E列"),
    ]  # fmt: skip

    # the indicator page and the export show the new units
    meta = indicator_view.metadata(work_db, "W-HEALTH-03")
    assert (meta["牵头单位"], meta["责任单位"]) == ("卫生健康委", "医保局、妇联")
    db.close_all()
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        frame = export_frame(con, plan="两规")
    finally:
        con.close()
    row = frame.filter(pl.col("指标代码") == "W-HEALTH-03").select("牵头单位", "责任单位").row(0)
    assert row == ("卫生健康委", "医保局、妇联")

    # the export reads back with no change to targets or duties
    out = tmp_path / "export.csv"
    frame.write_csv(out, include_bom=True)
    before = _q(work_db, "SELECT count(*) FROM duty_revision")
    again = import_plan_table(work_db, out, actor="office01")
    assert (again.findings, len(again.duty_result.added), len(again.duty_result.refused)) == ([], 0, 0)
    assert _q(work_db, "SELECT count(*) FROM duty_revision") == before


def test_an_empty_unit_cell_keeps_the_current_duty(work_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(
        "指标名称,单位,2030年目标,牵头单位,责任单位,来源/文号\n孕产妇死亡率,1/10万,≤9/10万,,,淄妇儿工委〔2022〕1号\n",
        encoding="utf-8",
    )
    report = import_plan_table(work_db, path, actor="office01")
    assert (report.findings, report.duty_rows) == ([], [])
    assert _q(work_db, "SELECT count(*) FROM duty_revision") == [(0,)]
