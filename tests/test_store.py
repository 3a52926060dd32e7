"""The single write path: build aside, publish atomically, never half a change — on both stores
(the DuckDB file, and PostgreSQL as the system of record read through a local snapshot)."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from conftest import both_stores

from etl.core.store import WriterBusy, publish, writer_lock

REPO = Path(__file__).resolve().parents[1]


def _regions(path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [r[0] for r in con.sql("SELECT code FROM region ORDER BY code").fetchall()]
    finally:
        con.close()


def _add(code: str):
    def change(con):
        con.execute("INSERT INTO region VALUES ($c, $c, $c, 'county', NULL)", {"c": code})
        return code, True

    return change


@both_stores
def test_fresh_build_then_change(tmp_path, empty_store) -> None:
    db = tmp_path / "x.duckdb"
    publish(db, _add("1"), fresh=True)
    publish(db, _add("2"))
    assert _regions(db) == ["1", "2"]
    assert not (tmp_path / "x.duckdb.tmp").exists()
    assert not (tmp_path / "x.duckdb.wal").exists()


@both_stores
def test_failed_change_leaves_live_file_untouched(tmp_path, empty_store) -> None:
    db = tmp_path / "x.duckdb"
    publish(db, _add("1"), fresh=True)
    before = db.read_bytes()

    def boom(con):
        con.execute("INSERT INTO region VALUES ('2', '2', '2', 'county', NULL)")
        raise ValueError("half-way")

    with pytest.raises(ValueError):
        publish(db, boom)
    assert db.read_bytes() == before
    assert _regions(db) == ["1"]
    assert not (tmp_path / "x.duckdb.tmp").exists()


@both_stores
def test_no_change_does_not_replace_the_file(tmp_path, empty_store) -> None:
    db = tmp_path / "x.duckdb"
    publish(db, _add("1"), fresh=True)
    ident = (os.stat(db).st_ino, os.stat(db).st_mtime_ns)
    assert publish(db, lambda con: ("nothing", False)) == "nothing"
    assert (os.stat(db).st_ino, os.stat(db).st_mtime_ns) == ident


@both_stores
def test_open_reader_keeps_its_snapshot_new_reader_sees_the_load(tmp_path, empty_store) -> None:
    db = tmp_path / "x.duckdb"
    publish(db, _add("1"), fresh=True)
    reader = duckdb.connect(str(db), read_only=True)
    try:
        publish(db, _add("2"))  # the reader holds the old file open; publishing still works
        assert [r[0] for r in reader.sql("SELECT code FROM region").fetchall()] == ["1"]
    finally:
        reader.close()
    assert _regions(db) == ["1", "2"]


@both_stores
def test_writers_are_serialised(tmp_path, empty_store) -> None:
    db = tmp_path / "x.duckdb"
    publish(db, _add("0"), fresh=True)
    order: list[str] = []

    def slow(con):
        order.append("slow-start")
        time.sleep(0.5)
        con.execute("INSERT INTO region VALUES ('a', 'a', 'a', 'county', NULL)")
        order.append("slow-end")
        return None, True

    t = threading.Thread(target=publish, args=(db, slow))
    t.start()
    time.sleep(0.1)
    publish(db, _add("b"))
    order.append("second-done")
    t.join()
    assert order == ["slow-start", "slow-end", "second-done"]
    assert _regions(db) == ["0", "a", "b"]  # neither load lost the other's rows


def test_writer_lock_times_out_with_a_chinese_message(tmp_path) -> None:
    db = tmp_path / "x.duckdb"
    with writer_lock(db), pytest.raises(WriterBusy, match="正被另一个载入任务写入"), writer_lock(db, timeout=0.3):
        pass


_WRITER = """
import sys
from pathlib import Path
from etl.core.store import publish
db, tag = Path(sys.argv[1]), sys.argv[2]
for i in range(5):
    code = f"{tag}{i}"
    publish(db, lambda con: (con.execute("INSERT INTO region VALUES ($c, $c, $c, 'county', NULL)", {"c": code}), True))
"""


@both_stores
def test_concurrent_loads_from_several_processes_lose_nothing(tmp_path, empty_store) -> None:
    db = tmp_path / "x.duckdb"
    publish(db, _add("0"), fresh=True)
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(db), tag], cwd=REPO, stderr=subprocess.PIPE)
        for tag in ("a", "b", "c")
    ]
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read().decode()
    assert _regions(_fresh(db)) == sorted(["0", *(f"{t}{i}" for t in "abc" for i in range(5))])


_KILLED = """
import sys, time
from pathlib import Path
from etl.core import pgstore, store
db, ready = Path(sys.argv[1]), Path(sys.argv[2])

def hold(*args, **kwargs):
    # the new rows are written (to the copy, or to PostgreSQL inside the open transaction) and
    # about to be published: the moment a crash would do the most harm
    ready.write_text("ready")
    time.sleep(600)

store.replace_checked = hold
pgstore._set_sequences = hold
store.publish(db, lambda con: (con.execute("INSERT INTO region VALUES ('killed', 'k', 'k', 'county', NULL)"), True))
"""


@both_stores
def test_kill_9_during_a_load_leaves_everything_as_it_was(tmp_path, empty_store) -> None:
    db = tmp_path / "x.duckdb"
    publish(db, _add("1"), fresh=True)
    before = db.read_bytes()
    ready = tmp_path / "ready"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED, str(db), str(ready)], cwd=REPO, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not ready.exists():
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert db.read_bytes() == before
    assert _regions(_fresh(db)) == ["1"]  # the system of record has none of it either
    # the lock died with the process: the next load goes through at once
    publish(db, _add("2"))
    assert _regions(_fresh(db)) == ["1", "2"]


def _fresh(db: Path) -> Path:
    """The snapshot rebuilt from the system of record itself (PostgreSQL store), or the file."""
    if os.environ.get("FUER_DATABASE_URL"):
        from etl.core import pgsnapshot

        with writer_lock(db):
            pgsnapshot.sync(db)
    return db


_SUBMIT = """
import sys
from pathlib import Path
from etl.returns.load import submit_file
report = submit_file(Path(sys.argv[1]), Path(sys.argv[2]), unit="education")
print(report.status)
"""


@both_stores
def test_the_same_return_sent_twice_at_once_lands_once(work_db: Path, tmp_path: Path) -> None:
    """Each writer checks against the latest data: the second sees the first's submission."""
    from long_returns import current_value, long_csv

    f = long_csv(tmp_path / "教育局_2025.csv", [["C-EDU-02", "", "370303", "", "2025", "96.1", ""]])
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _SUBMIT, str(work_db), str(f)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outcomes = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()
        outcomes.append(out.decode().strip())
    assert sorted(outcomes) == ["loaded", "unchanged"]
    assert current_value(_fresh(work_db), "C-EDU-02", "370303", 2025) == 96.1
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        assert con.sql("SELECT count(*) FROM submission WHERE file_name = '教育局_2025.csv'").fetchall() == [(1,)]
        assert con.sql("SELECT count(*) FROM audit_log WHERE file = '教育局_2025.csv'").fetchall() == [(1,)]
    finally:
        con.close()
