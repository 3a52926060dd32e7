"""Office targets with history: revisions append, the effective view and the engine follow."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from conftest import both_stores

from dashboard.queries import db, plan_targets
from etl.core.migrations import SchemaOutdated
from etl.targets.revisions import RevisionError, TargetChange, save

WHEN = datetime(2026, 5, 1, 9, 30)


def _q(path: Path, sql: str, params: dict | None = None) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql(sql, params=params).fetchall()
    finally:
        con.close()


def _set(value: float, source: str | None = "淄博市儿童发展规划（2021—2030年）") -> TargetChange:
    return TargetChange(
        "lianggui",
        "C-WELFARE-08",
        None,
        2030,
        kind="at_least",
        value=value,
        target_text=f"{value:g}%以上",
        source=source,
    )


@both_stores
def test_every_change_is_a_revision_and_the_latest_counts(work_db: Path) -> None:
    first = save(work_db, [_set(96)], actor="office01", reason="规划印发", when=WHEN)
    second = save(work_db, [_set(98)], actor="office02", reason="中期调整", when=datetime(2027, 1, 2, 8, 0))
    assert (len(first.added), len(second.added)) == (1, 1)
    rows = _q(work_db, "SELECT value, actor, reason, changed_at FROM target_revision ORDER BY id")
    assert rows == [(96.0, "office01", "规划印发", WHEN), (98.0, "office02", "中期调整", datetime(2027, 1, 2, 8, 0))]
    assert _q(
        work_db,
        "SELECT kind, value, verified, is_sample FROM target_effective WHERE plan_code = 'lianggui'"
        " AND indicator_code = 'C-WELFARE-08'",
    ) == [("at_least", 98.0, True, False)]
    # the shipped sample row is still there, untouched
    assert _q(
        work_db, "SELECT value, is_sample FROM target WHERE plan_code = 'lianggui' AND indicator_code = 'C-WELFARE-08'"
    ) == [(95.0, True)]
    history = plan_targets.target_history(work_db, "C-WELFARE-08").filter(plan_code="lianggui")
    assert history.select("revision", "value", "actor").rows() == [
        (0, 95.0, plan_targets.SAMPLE_ACTOR),
        (1, 96.0, "office01"),
        (2, 98.0, "office02"),
    ]


@both_stores
def test_same_target_again_changes_nothing(work_db: Path) -> None:
    save(work_db, [_set(96)], actor="office01", reason="规划印发", when=WHEN)
    mtime = work_db.stat().st_mtime_ns
    again = save(work_db, [_set(96)], actor="office01", reason="再次导入", when=WHEN)
    assert (len(again.added), len(again.unchanged)) == (0, 1)
    assert work_db.stat().st_mtime_ns == mtime
    assert _q(work_db, "SELECT count(*) FROM target_revision") == [(1,)]


@both_stores
def test_national_targets_are_read_only_but_recognised_unchanged(work_db: Path) -> None:
    same = TargetChange(
        "liangang", "W-HEALTH-02", None, 2030, kind="at_most", value=12.0, source="《中国妇女发展纲要（2021—2030年）》"
    )
    changed = TargetChange("liangang", "W-HEALTH-02", None, 2030, kind="at_most", value=10.0, source="本市")
    result = save(work_db, [same, changed], actor="office01", reason="试图修改", when=WHEN)
    assert len(result.unchanged) == 1
    assert [reason for _, reason in result.refused] == ["国家规划目标随系统提供，只读，不能在此修改"]
    assert _q(work_db, "SELECT count(*) FROM target_revision") == [(0,)]


@both_stores
def test_numeric_target_needs_a_source_and_a_reason(work_db: Path) -> None:
    result = save(work_db, [_set(96, source=" ")], actor="office01", reason="规划印发", when=WHEN)
    assert [reason for _, reason in result.refused] == ["数值目标必须注明来源/文号"]
    with pytest.raises(RevisionError, match="修改原因"):
        save(work_db, [_set(96)], actor="office01", reason=" ", when=WHEN)


@both_stores
def test_less_ambitious_local_target_is_allowed_and_marked(work_db: Path) -> None:
    # national: 孕产妇死亡率 ≤12/10万; a local ≤14 asks for less
    change = TargetChange("lianggui", "W-HEALTH-02", None, 2030, kind="at_most", value=14.0, source="本市妇女规划")
    assert len(save(work_db, [change], actor="office01", reason="本地基数高", when=WHEN).added) == 1
    row = plan_targets.plan_targets(work_db, "lianggui").filter(indicator_code="W-HEALTH-02")
    assert row.select("value", "national_value", "less_ambitious", "plan_name").rows() == [(14.0, 12.0, True, "两规")]


def test_an_older_database_gains_the_revision_table_on_its_next_write(work_db: Path, tmp_path: Path) -> None:
    old = tmp_path / "old.duckdb"
    shutil.copyfile(work_db, old)
    con = duckdb.connect(str(old))
    # a database built before revisions and before schema versions were recorded
    con.execute(
        "DROP VIEW target_current; DROP VIEW target_effective; DROP TABLE target_revision;"
        " DROP SEQUENCE target_revision_id_seq; DROP TABLE publish_version; DROP TABLE schema_version;"
        " DROP VIEW duty_current; DROP TABLE duty_revision; DROP SEQUENCE duty_revision_id_seq;"
        " DROP TABLE local_indicator_revision; DROP SEQUENCE local_indicator_revision_id_seq;"
        " CREATE VIEW target_current AS SELECT t.*, NULL AS target_label FROM target t"
    )
    con.close()
    with pytest.raises(SchemaOutdated, match="python -m etl migrate"):
        plan_targets.plan_targets(old)
    db.close_all()
    save(old, [_set(97)], actor="office01", reason="规划印发", when=WHEN)
    assert _q(old, "SELECT max(version) FROM schema_version") == [(7,)]
    assert _q(
        old, "SELECT value FROM target_current WHERE plan_code = 'lianggui' AND indicator_code = 'C-WELFARE-08'"
    ) == [(97.0,)]
    assert plan_targets.plan_targets(old, "lianggui").filter(indicator_code="C-WELFARE-08")["value"].to_list() == [97.0]
    db.close_all()
