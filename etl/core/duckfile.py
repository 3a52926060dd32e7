"""The DuckDB file mechanics every store shares: the writer lock, scratch copies, the atomic
replace, the publish counter and bulk inserts. Both the DuckDB write path (etl.core.store) and
the PostgreSQL store's snapshots (etl.core.pgsnapshot) are built from these."""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import duckdb
import polars as pl

from etl.core import migrations

T = TypeVar("T")
# A change to the database: given the writable copy's connection, (result, whether to publish).
Change = Callable[[duckdb.DuckDBPyConnection], tuple[T, bool]]


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


def discard(path: Path) -> None:
    """Remove a scratch database and its log, if any."""
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


def replace_checked(tmp: Path, db_path: Path) -> None:
    """Move a closed, checkpointed database over `db_path` in one step."""
    if tmp.with_name(tmp.name + ".wal").exists():  # would be lost by the rename
        discard(tmp)
        raise RuntimeError("检查点后仍有未写入的日志文件，已放弃发布")
    os.replace(tmp, db_path)


def bump_version(con: duckdb.DuckDBPyConnection, to: int | None = None) -> None:
    """Move the publish counter on (or set it `to`), inside the publishing transaction."""
    if to is None:
        con.execute("UPDATE publish_version SET version = version + 1, published_at = $t", {"t": datetime.now()})
    else:
        con.execute("UPDATE publish_version SET version = $v, published_at = $t", {"v": to, "t": datetime.now()})


def migrated_copy(source: Path, copy: Path) -> duckdb.DuckDBPyConnection:
    """A writable copy of a DuckDB file, brought to the current schema version."""
    shutil.copyfile(source, copy)
    con = duckdb.connect(str(copy))
    migrations.migrate(migrations.DuckDB(con))
    return con


def insert_rows(con: duckdb.DuckDBPyConnection, table: str, schema: dict[str, pl.DataType], rows: list[tuple]) -> None:
    """Append tuples (in `schema`'s column order) to `table` in one statement: DuckDB's
    executemany runs one statement per row, hundreds of times slower for a whole return."""
    insert_frame(con, table, pl.DataFrame(rows, schema=schema, orient="row"))


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Append `frame` to `table` by column name (nothing when the frame is empty)."""
    if frame.height:
        cols = ", ".join(frame.columns)
        with registered(con, "_insert_frame", frame):
            con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _insert_frame")


class _ArrowStream:
    """A polars frame as DuckDB scans it: through the Arrow PyCapsule interface, so neither side
    needs pyarrow (registering the frame itself converts it with pyarrow, a slow import for a
    load in a fresh process). Each scan gets a fresh stream."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self.frame.__arrow_c_stream__(requested_schema)


@contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> Iterator[None]:
    """`frame` visible to SQL on `con` as the view `name` for the duration of the block."""
    con.register(name, _ArrowStream(frame))
    try:
        yield
    finally:
        con.unregister(name)


def query_frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> pl.DataFrame:
    """A query's result as a polars frame, through the Arrow PyCapsule interface (`.pl()`
    goes through pyarrow)."""
    return pl.DataFrame(con.sql(sql, params=params) if params else con.sql(sql))
