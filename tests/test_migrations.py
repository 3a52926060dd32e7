"""The versioned schema: an old database is upgraded step by step with its data kept, applying
twice changes nothing, the version is recorded, and readers refuse an old file with the command
that upgrades it."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from dashboard.queries import db
from etl.__main__ import main as etl_main
from etl.build import ensure_database
from etl.core import migrations, store
from etl.core.migrations import STEPS, SchemaOutdated, SchemaTooNew

V1_ROWS = """
INSERT INTO region VALUES ('370303', '张店区', '张店', 'county', '370300');
INSERT INTO plan VALUES ('lianggui', '两规', '淄博市两规', 'local', 2020, 2030);
INSERT INTO member_unit VALUES ('education', '教育局', NULL);
INSERT INTO indicator (code, outline, domain, name, unit, decimals, direction, target_kind, row_type)
VALUES ('C-EDU-02', 'children', '儿童与教育', '学前教育毛入园率', '%', 1, 'up', 'at_least', 'main_goal');
INSERT INTO target (plan_code, indicator_code, target_year, kind, value, verified, is_sample)
VALUES ('lianggui', 'C-EDU-02', 2030, 'at_least', 95.0, true, false);
INSERT INTO submission (file_name, sha256, kind, unit_code, loaded_at, status, rows_accepted, rows_rejected, is_sample)
VALUES ('教育局_2024.csv', 'abc', 'return', 'education', TIMESTAMP '2025-03-20 09:00:00', 'loaded', 2, 0, false);
INSERT INTO observation (indicator_code, region_code, year, breakdown, value, revision, submission_id)
VALUES ('C-EDU-02', '370303', 2024, '合计', 91.5, 1, 1), ('C-EDU-02', '370303', 2024, '合计', 92.5, 2, 1);
"""


def _rows(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def _v1(path: Path, *, recorded: bool) -> Path:
    """A database at version 1 holding a value, its correction and a target; `recorded=False`
    builds it as before versions were recorded (step 1's tables and nothing else)."""
    con = duckdb.connect(str(path))
    try:
        if recorded:
            assert [s.number for s in migrations.migrate(migrations.DuckDB(con), upto=1)] == [1]
        else:
            con.execute(STEPS[0].sql())
        con.execute(V1_ROWS)
        assert migrations.version(migrations.DuckDB(con)) == 1
    finally:
        con.close()
    return path


@pytest.mark.parametrize("recorded", [True, False], ids=["recorded", "before-versions"])
def test_an_old_database_is_upgraded_step_by_step_with_its_data(tmp_path: Path, recorded: bool) -> None:
    path = _v1(tmp_path / "old.duckdb", recorded=recorded)
    assert [s.number for s in store.upgrade(path)] == [2, 3, 4, 5, 6, 7]
    assert _rows(path, "SELECT version, why FROM schema_version ORDER BY version") == [
        (s.number, s.why + ("" if recorded or s.number > 1 else "（已有数据库，按表结构识别）")) for s in STEPS
    ]
    # the data is kept and the new objects work on it
    assert _rows(path, "SELECT value, revision FROM observation_current") == [(92.5, 2)]
    assert _rows(path, "SELECT plan_code, value, target_label FROM target_current") == [("lianggui", 95.0, None)]
    assert _rows(path, "SELECT count(*) FROM target_revision") == [(0,)]
    assert _rows(path, "SELECT version FROM publish_version") == [(1,)]  # the upgrade was a publish
    # applying again is a no-op: nothing applied, the file is not replaced
    before = os.stat(path)
    assert store.upgrade(path) == []
    after = os.stat(path)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert _rows(path, "SELECT count(*) FROM schema_version") == [(7,)]


def test_values_keep_their_ids_when_the_catalogue_keys_are_dropped(tmp_path: Path) -> None:
    path = _v1(tmp_path / "old.duckdb", recorded=True)
    store.upgrade(path)
    assert _rows(path, "SELECT id, indicator_code, region_code, value, revision FROM observation ORDER BY id") == [
        (1, "C-EDU-02", "370303", 91.5, 1),
        (2, "C-EDU-02", "370303", 92.5, 2),
    ]
    # the loader checks indicator and region, and writes the submission first (step 7)
    assert _rows(
        path,
        "SELECT constraint_type, constraint_column_names FROM duckdb_constraints() "
        "WHERE table_name = 'observation' AND constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY') ORDER BY 1",
    ) == [("PRIMARY KEY", ["id"])]
    # the next value continues the same sequence
    store.publish(
        path,
        lambda con: (
            con.execute(
                "INSERT INTO observation (indicator_code, region_code, year, breakdown, value, revision, submission_id)"
                " VALUES ('C-EDU-02', '370303', 2024, '合计', 93.5, 3, 1)"
            ),
            True,
        ),
    )
    assert _rows(path, "SELECT observation_id, value, revision FROM observation_current") == [(3, 93.5, 3)]


def test_raw_rows_and_values_keep_their_order_when_the_submission_keys_are_dropped(tmp_path: Path) -> None:
    path = _v1(tmp_path / "old.duckdb", recorded=True)
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO raw_row VALUES (1, '表', 3, ['C-EDU-02', '91.5']), (1, '表', 2, ['C-EDU-02', '92.5'])")
    con.close()
    store.upgrade(path)
    assert _rows(path, "SELECT submission_id, sheet, row_no, cells FROM raw_row ORDER BY rowid") == [
        (1, "表", 3, ["C-EDU-02", "91.5"]),
        (1, "表", 2, ["C-EDU-02", "92.5"]),
    ]
    assert _rows(path, "SELECT id, value FROM observation ORDER BY rowid") == [(1, 91.5), (2, 92.5)]
    # written with their submission by every writer; the small tables keep their keys
    keyed = "SELECT DISTINCT table_name FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY' ORDER BY 1"
    assert [t for (t,) in _rows(path, keyed) if t in ("raw_row", "observation", "finding", "rejected_row")] == [
        "finding",
        "rejected_row",
    ]


def test_a_new_database_records_every_step(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    store.publish(path, lambda con: (None, True), fresh=True)
    assert _rows(path, "SELECT version FROM schema_version ORDER BY version") == [(s.number,) for s in STEPS]
    assert [s.number for s in STEPS] == [1, 2, 3, 4, 5, 6, 7]
    assert migrations.CURRENT == 7


def test_a_reader_refuses_an_old_file_and_names_the_upgrade_command(tmp_path: Path) -> None:
    path = _v1(tmp_path / "old.duckdb", recorded=True)
    with pytest.raises(SchemaOutdated) as err:
        db.query(path, "SELECT 1")
    assert str(err.value) == (
        "数据库的结构版本为 1，本程序需要版本 7。请妇儿工委办运行 python -m etl migrate "
        "升级数据库（数据全部保留，约需数秒），然后刷新页面。"
    )
    with pytest.raises(SchemaOutdated, match="python -m etl migrate"):
        store.open_snapshot(path)
    # reading changed nothing
    assert _rows(path, "SELECT max(version) FROM schema_version") == [(1,)]


def test_a_newer_database_is_refused_by_readers_and_writers(tmp_path: Path) -> None:
    path = tmp_path / "new.duckdb"
    store.publish(path, lambda con: (None, True), fresh=True)
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_version VALUES (99, 'from a later release', $t)", {"t": datetime(2030, 1, 1)})
    con.close()
    with pytest.raises(SchemaTooNew, match="高于本程序支持的版本 7"):
        db.query(path, "SELECT 1")
    before = path.read_bytes()
    with pytest.raises(SchemaTooNew, match="请先将本程序更新到最新版本"):
        store.publish(path, lambda con: (None, True))
    assert path.read_bytes() == before


def test_migrate_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    path = _v1(tmp_path / "old.duckdb", recorded=True)
    monkeypatch.setenv("FUER_DB", str(path))
    assert etl_main(["migrate"]) == 0
    err = capsys.readouterr().err
    assert "已升级到版本 2：工委办自定的目标保留修改历史" in err and "本次升级 6 步" in err
    assert "已升级到版本 6：数值在写入前已对照指标目录和地区检查，写入时不再逐行重复检查" in err
    steps = [line.replace("PostgreSQL", "") for line in err.splitlines() if line.startswith("已升级到版本")]
    assert len(steps) == 6 and not any(re.search(r"[A-Za-z]", line) for line in steps)  # Chinese only
    assert etl_main(["migrate"]) == 0
    assert "本次升级 0 步" in capsys.readouterr().err
    # a read-only command on an old file says what to run instead of failing on a missing table
    old = _v1(tmp_path / "older.duckdb", recorded=True)
    assert etl_main(["--db", str(old), "targets", "export", "-o", str(tmp_path / "t.xlsx")]) == 2
    assert "python -m etl migrate" in capsys.readouterr().err


def test_the_app_start_upgrades_an_old_file(tmp_path: Path) -> None:
    path = _v1(tmp_path / "old.duckdb", recorded=False)
    ensure_database(path)
    assert _rows(path, "SELECT max(version) FROM schema_version") == [(7,)]
    assert db.query(path, "SELECT value FROM observation_current")["value"].to_list() == [92.5]
    db.close_all()


def test_postgresql_spelling_is_made_in_one_place() -> None:
    from etl.core.migrations.dialect import pg_as_text, translate

    step = "value DOUBLE, tolerance DOUBLE PRECISION, cells VARCHAR[] NOT NULL"
    assert translate(step, "duckdb") == step
    assert translate(step, "postgres") == "value DOUBLE PRECISION, tolerance DOUBLE PRECISION, cells VARCHAR[] NOT NULL"
    assert pg_as_text("cells", "VARCHAR[]") == 'array_to_json("cells")::text'
    assert pg_as_text("is_sample", "BOOLEAN") == '"is_sample"::text'
