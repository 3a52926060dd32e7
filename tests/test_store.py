"""The single write path: build aside, publish atomically, never half a change."""

import os
import threading
import time

import duckdb
import pytest

from etl.core.store import WriterBusy, publish, writer_lock


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


def test_fresh_build_then_change(tmp_path) -> None:
    db = tmp_path / "x.duckdb"
    publish(db, _add("1"), fresh=True)
    publish(db, _add("2"))
    assert _regions(db) == ["1", "2"]
    assert not (tmp_path / "x.duckdb.tmp").exists()
    assert not (tmp_path / "x.duckdb.wal").exists()


def test_failed_change_leaves_live_file_untouched(tmp_path) -> None:
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


def test_no_change_does_not_replace_the_file(tmp_path) -> None:
    db = tmp_path / "x.duckdb"
    publish(db, _add("1"), fresh=True)
    ident = (os.stat(db).st_ino, os.stat(db).st_mtime_ns)
    assert publish(db, lambda con: ("nothing", False)) == "nothing"
    assert (os.stat(db).st_ino, os.stat(db).st_mtime_ns) == ident


def test_open_reader_keeps_its_snapshot_new_reader_sees_the_load(tmp_path) -> None:
    db = tmp_path / "x.duckdb"
    publish(db, _add("1"), fresh=True)
    reader = duckdb.connect(str(db), read_only=True)
    try:
        publish(db, _add("2"))  # the reader holds the old file open; publishing still works
        assert [r[0] for r in reader.sql("SELECT code FROM region").fetchall()] == ["1"]
    finally:
        reader.close()
    assert _regions(db) == ["1", "2"]


def test_writers_are_serialised(tmp_path) -> None:
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
