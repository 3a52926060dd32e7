"""The one write path to the database: build or change a copy aside, then publish it atomically.

DuckDB lets only one process hold a read-write connection and blocks every other opener while
it does, so the app never writes to the live file. A writer copies it, applies its change in one
transaction, checkpoints, closes and `os.replace`s the copy over the live file. Readers keep
their snapshot; new connections see the new one; a failed change leaves the live file as it was.
A lock file next to the database serialises writers.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import duckdb
import polars as pl

SCHEMA_SQL = Path(__file__).with_name("schema.sql")
ADDITIONS_MARKER = "-- additions --"
T = TypeVar("T")


class WriterBusy(RuntimeError):
    """Another load holds the writer lock for longer than we are willing to wait."""


@contextmanager
def writer_lock(db_path: Path, timeout: float = 120.0) -> Iterator[None]:
    lock_path = db_path.with_name(db_path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WriterBusy(f"数据库 {db_path} 正被另一个载入任务写入，请稍后再试") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _discard(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def publish(
    db_path: Path,
    change: Callable[[duckdb.DuckDBPyConnection], tuple[T, bool]],
    *,
    fresh: bool = False,
) -> T:
    """Apply `change` to a copy of the database (or a new one) and publish it if it changed.

    `change` runs inside one transaction and returns (result, changed). Nothing is published
    when it raises or reports no change, so the live file is never touched in vain.
    """
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(db_path):
        tmp = db_path.with_name(db_path.name + ".tmp")
        _discard(tmp)
        if not fresh and db_path.exists():
            shutil.copyfile(db_path, tmp)
        con = duckdb.connect(str(tmp))
        try:
            if fresh or not db_path.exists():
                con.execute(SCHEMA_SQL.read_text(encoding="utf-8"))
            else:
                ensure_additions(con)
            con.begin()
            try:
                result, changed = change(con)
            except BaseException:
                con.rollback()
                raise
            con.commit()
            con.execute("CHECKPOINT")
        except BaseException:
            con.close()
            _discard(tmp)
            raise
        con.close()
        if not changed and not fresh:
            _discard(tmp)
            return result
        if tmp.with_name(tmp.name + ".wal").exists():  # would be lost by the rename
            _discard(tmp)
            raise RuntimeError("检查点后仍有未写入的日志文件，已放弃发布")
        os.replace(tmp, db_path)
        return result


def ensure_additions(con: duckdb.DuckDBPyConnection) -> None:
    """Give a database built before them the schema's idempotent additions (the section of
    schema.sql after ADDITIONS_MARKER)."""
    text = SCHEMA_SQL.read_text(encoding="utf-8")
    con.execute(text[text.index(ADDITIONS_MARKER) :])


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, schema: dict[str, pl.DataType], rows: list[tuple]) -> None:
    """Append tuples (in `schema`'s column order) to `table` in one statement: DuckDB's
    executemany runs one statement per row, hundreds of times slower for a whole return."""
    insert_frame(con, table, pl.DataFrame(rows, schema=schema, orient="row"))


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Append `frame` to `table` by column name (nothing when the frame is empty)."""
    if frame.height:
        con.register("_insert_frame", frame.to_arrow())
        cols = ", ".join(frame.columns)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _insert_frame")
        con.unregister("_insert_frame")
