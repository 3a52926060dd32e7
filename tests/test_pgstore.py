"""PostgreSQL as the system of record: snapshots are exact copies and follow the publish version,
a reader never sees half a publish, migrations apply there too, and the commands work with it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import duckdb
import psycopg
import pytest

from dashboard.queries import db as dashboard_db
from etl.__main__ import main as etl_main
from etl.build import ensure_database
from etl.catalogue import local
from etl.catalogue.local import LocalIndicator
from etl.core import migrations, pg, pgsnapshot
from etl.core import store as write_path
from etl.core.migrations import SchemaOutdated
from etl.core.pg import StoreUnavailable
from etl.core.pgstore import NotAppendOnly
from etl.workflow import duties

pytestmark = pytest.mark.postgres
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def store() -> str:
    """Every test here is about the PostgreSQL store (work_db and empty_store follow it)."""
    return "postgres"


def _rows(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def _pg(sql: str) -> list[tuple]:
    with pg.connect() as conn:
        return conn.execute(sql).fetchall()


def test_the_snapshot_is_the_database_row_for_row(work_db: Path, built_db: Path) -> None:
    """Every table of the default database, imported into PostgreSQL and read back, in order."""
    source = duckdb.connect(str(built_db), read_only=True)
    copy = duckdb.connect(str(work_db), read_only=True)
    try:
        tables = pg.tables(source)
        assert len(tables) == 22
        for t in tables:
            sql = f"SELECT {t.column_list} FROM {t.name} ORDER BY rowid"
            assert copy.sql(sql).fetchall() == source.sql(sql).fetchall(), t.name
        # the catalogue's order (rowid) is what pages sort by
        assert copy.sql("SELECT code FROM member_unit ORDER BY rowid LIMIT 3").fetchall() == (
            source.sql("SELECT code FROM member_unit ORDER BY rowid LIMIT 3").fetchall()
        )
    finally:
        source.close()
        copy.close()
    assert _pg("SELECT count(*) FROM observation") == [(9220,)]


def test_snapshot_follows_the_publish_version_and_keeps_open_readers_whole(work_db: Path) -> None:
    [(version,)] = _pg("SELECT version FROM publish_version")
    assert pgsnapshot.snapshot_state(work_db)[1] == version
    assert pgsnapshot.refresh(work_db, force=True) is False  # already current: nothing rebuilt
    reader = duckdb.connect(str(work_db), read_only=True)
    try:
        _publish_elsewhere(work_db, "from another process")
        assert _pg("SELECT version FROM publish_version") == [(version + 1,)]
        assert pgsnapshot.refresh(work_db, force=True) is True
        # the open reader still sees its whole old snapshot; a new one sees the publish
        assert reader.sql("SELECT count(*) FROM build_info WHERE key = 'note'").fetchall() == [(0,)]
    finally:
        reader.close()
    assert _rows(work_db, "SELECT value FROM build_info WHERE key = 'note'") == [("from another process",)]
    assert _rows(work_db, "SELECT version FROM publish_version") == [(version + 1,)]
    assert dashboard_db.scalar(work_db, "SELECT value FROM build_info WHERE key = 'note'") == "from another process"
    dashboard_db.close_all()


def test_the_app_reads_on_while_a_thread_rebuilds(work_db: Path) -> None:
    [(version,)] = _pg("SELECT version FROM publish_version")
    _publish_elsewhere(work_db, "from another machine")
    with write_path.writer_lock(work_db):  # this machine is busy writing: no rebuild can start
        pgsnapshot._checked.clear()
        assert dashboard_db.scalar(work_db, "SELECT count(*) FROM build_info WHERE key = 'note'") == 0
    pgsnapshot._checked.clear()
    # the next page query finds the newer version and starts a rebuild, reading on meanwhile
    dashboard_db.scalar(work_db, "SELECT 1")
    for _ in range(600):
        if pgsnapshot.snapshot_state(work_db)[1] == version + 1:
            break
        time.sleep(0.1)
    assert dashboard_db.scalar(work_db, "SELECT value FROM build_info WHERE key = 'note'") == "from another machine"
    dashboard_db.close_all()


def _publish_elsewhere(work_db: Path, note: str) -> None:
    """A writer in another process, with its own snapshot (as on another machine)."""
    code = (
        "from pathlib import Path; import sys; from etl.core.store import publish; "
        "publish(Path(sys.argv[1]), lambda con: (con.execute("
        "\"INSERT INTO build_info VALUES ('note', $n)\", {'n': sys.argv[2]}), True))"
    )
    other = Path(work_db).with_name("elsewhere.duckdb")
    subprocess.run([sys.executable, "-c", code, str(other), note], cwd=REPO, check=True, timeout=120)


def test_a_change_to_existing_rows_is_refused_and_nothing_is_written(work_db: Path) -> None:
    before = _pg("SELECT version, (SELECT count(*) FROM region) FROM publish_version")

    def rename(con):
        con.execute("INSERT INTO region VALUES ('999999', '新区', '新区', 'county', '370300')")
        con.execute("UPDATE region SET name = '改名' WHERE code = '370303'")
        return None, True

    with pytest.raises(NotAppendOnly, match="表 region 中已有的行"):
        write_path.publish(work_db, rename)
    assert _pg("SELECT version, (SELECT count(*) FROM region) FROM publish_version") == before
    assert _pg("SELECT name FROM region WHERE code = '370303'") == [("张店区",)]


def test_ids_continue_after_the_snapshot(work_db: Path) -> None:
    """The working copy numbers new rows after PostgreSQL's, and PostgreSQL's sequences follow."""
    [(top,)] = _pg("SELECT max(id) FROM submission")

    def add(con):
        new = con.sql(
            "INSERT INTO submission (file_name, sha256, kind, loaded_at, status, rows_accepted, rows_rejected, "
            "is_sample) VALUES ('x.csv', 'x', 'return', now()::TIMESTAMP, 'loaded', 0, 0, false) RETURNING id"
        ).fetchall()[0][0]
        return new, True

    assert write_path.publish(work_db, add) == top + 1
    assert _pg("SELECT nextval('submission_id_seq')") == [(top + 2,)]


def test_an_older_postgresql_is_upgraded_by_the_write_path(empty_store: str, tmp_path: Path, monkeypatch) -> None:
    with pg.connect() as conn:
        migrations.migrate(migrations.Postgres(conn), upto=1)
        conn.execute("INSERT INTO region VALUES ('370303', '张店区', '张店', 'county', '370300')")
    snap = tmp_path / "snap.duckdb"
    monkeypatch.setenv("FUER_DB", str(snap))
    with pytest.raises(SchemaOutdated, match="PostgreSQL 数据库 .* 的结构版本为 1.*python -m etl migrate"):
        pgsnapshot.refresh(snap, force=True)
    assert etl_main(["migrate"]) == 0
    assert _pg("SELECT version FROM schema_version ORDER BY version") == [(1,), (2,), (3,), (4,), (5,), (6,), (7,)]
    assert _pg("SELECT version FROM publish_version") == [(1,)]
    assert _rows(snap, "SELECT name FROM region") == [("张店区",)]
    assert write_path.upgrade(snap) == []  # twice: nothing to do, nothing published
    assert _pg("SELECT version FROM publish_version") == [(1,)]


def test_the_app_start_builds_an_empty_postgresql(empty_store: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FUER_SAMPLE_DIR", str(tmp_path / "samples"))
    snap = tmp_path / "snap.duckdb"
    with pytest.raises(SchemaOutdated, match="还是空的：请先运行 python -m etl build"):
        pgsnapshot.refresh(snap)
    ensure_database(snap)
    assert _pg("SELECT count(*) FROM indicator") == [(194,)]
    assert _rows(snap, "SELECT count(*) FROM observation") == _pg("SELECT count(*) FROM observation")
    version = _pg("SELECT version FROM publish_version")
    ensure_database(snap)  # built already: nothing happens
    assert _pg("SELECT version FROM publish_version") == version


def test_pg_import_command(empty_store: str, built_db: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("FUER_DB", str(tmp_path / "snap.duckdb"))
    assert etl_main(["pg-import", str(built_db)]) == 0
    assert "已把" in capsys.readouterr().err
    assert _pg("SELECT count(*) FROM raw_row") == _rows(built_db, "SELECT count(*) FROM raw_row")
    # the commands that read work on the snapshot
    assert etl_main(["targets", "export", "-o", str(tmp_path / "t.csv")]) == 0


def test_an_unreachable_server_is_named_without_its_password(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FUER_DATABASE_URL", "postgresql://office:s3cret@127.0.0.1:1/fuer")
    with pytest.raises(StoreUnavailable) as err:
        pgsnapshot.refresh(tmp_path / "none.duckdb")
    assert str(err.value).startswith("无法连接 PostgreSQL 数据库 127.0.0.1:1/fuer：")
    assert "s3cret" not in str(err.value)


def test_a_reader_keeps_its_snapshot_while_the_server_is_away(work_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("FUER_DATABASE_URL", "postgresql://fuer@127.0.0.1:1/gone")
    assert pgsnapshot.refresh(work_db, force=True) is False
    assert dashboard_db.scalar(work_db, "SELECT count(*) FROM indicator") == 194
    dashboard_db.close_all()


def test_the_writers_advisory_lock_serialises_machines(work_db: Path) -> None:
    """A writer elsewhere holds the lock: this one waits, then says so in Chinese."""
    with psycopg.connect(os.environ["FUER_DATABASE_URL"]) as other:
        other.execute("SELECT pg_advisory_xact_lock(%s)", [pg.LOCK_ID])
        with pg.connect() as conn, pytest.raises(write_path.WriterBusy, match="正被另一个载入任务写入"):
            pg.take_lock(conn, timeout=0.5)


def test_the_offices_catalogue_edits_reach_postgresql_by_key(work_db: Path) -> None:
    """A local indicator's edit and a duty change rewrite catalogue rows; PostgreSQL follows them
    row by key, and every other row keeps its place (pages sort the catalogue by it)."""
    order = [c for (c,) in _rows(work_db, "SELECT code FROM indicator ORDER BY rowid")]
    ind = LocalIndicator("婚姻家庭纠纷调解成功率", "%", 1, "妇女与家庭建设", "up", lead_unit="justice")
    code = local.save(work_db, ind, actor="office01", reason="本市规划新增").code
    edited = replace(ind, code=code, definition="调解成功件数 ÷ 调解件数 × 100", lead_unit="civil_affairs")
    assert local.save(work_db, edited, actor="office02", reason="口径调整").changed
    duties.save(work_db, [duties.Duty("W-HEALTH-03", "education", ("health",))], actor="office01", reason="调整")
    assert _pg(f"SELECT definition FROM indicator WHERE code = '{code}'") == [("调解成功件数 ÷ 调解件数 × 100",)]
    links = "SELECT indicator_code, unit_code, role FROM indicator_unit WHERE indicator_code IN ('W-HEALTH-03', '{}')"
    assert sorted(_pg(links.format(code))) == [
        ("L-OFFICE-001", "civil_affairs", "lead"),
        ("W-HEALTH-03", "education", "lead"),
        ("W-HEALTH-03", "health", "shared"),
    ]
    assert sorted(_rows(work_db, links.format(code))) == sorted(_pg(links.format(code)))
    assert [c for (c,) in _rows(work_db, "SELECT code FROM indicator ORDER BY rowid")] == [*order, code]
    assert _pg("SELECT count(*) FROM indicator_unit") == _rows(work_db, "SELECT count(*) FROM indicator_unit")
