"""The one write path to the database: build or change a copy aside, then publish it atomically.

DuckDB lets only one process hold a read-write connection and blocks every other opener while
it does, so the app never writes to the live file. A writer copies it, applies its change in one
transaction, checkpoints, closes and `os.replace`s the copy over the live file. Readers keep
their snapshot; new connections see the new one; a failed change leaves the live file as it was.
A lock file next to the database serialises writers. Every publish first brings the copy to the
current schema version (etl.core.migrations) and moves the publish counter on.
"""

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

from etl.core import migrations, settings

T = TypeVar("T")
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


def publish(db_path: Path, change: Change[T], *, fresh: bool = False) -> T:
    """Apply `change` to a copy of the database (or a new one) and publish it if it changed.

    `change` runs inside one transaction and returns (result, changed). Nothing is published
    when it raises or reports no change, so the live file is never touched in vain. The copy is
    brought to the current schema version first, in the same transaction; a database that
    needed that is published even when `change` changed nothing.
    """
    return _publish(Path(db_path), change, fresh)[0]


def upgrade(db_path: Path) -> list[migrations.Step]:
    """Bring the database to the current schema version through the write path; returns the
    steps applied (none when it was current already)."""
    return _publish(Path(db_path), lambda con: (None, False), False)[1]


def _publish(db_path: Path, change: Change[T], fresh: bool) -> tuple[T, list[migrations.Step]]:
    if settings.database_url():
        from etl.core import pgstore  # PostgreSQL is the system of record; db_path is its snapshot

        return pgstore.publish(db_path, change, fresh)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with writer_lock(db_path):
        tmp = db_path.with_name(db_path.name + ".tmp")
        discard(tmp)
        fresh = fresh or not db_path.exists()
        if not fresh:
            shutil.copyfile(db_path, tmp)
        con = duckdb.connect(str(tmp))
        try:
            con.begin()
            try:
                applied = migrations.migrate(migrations.DuckDB(con))
                result, changed = change(con)
                changed = changed or fresh or bool(applied)
                if changed:
                    bump_version(con)
            except BaseException:
                con.rollback()
                raise
            con.commit()
            con.execute("CHECKPOINT")
        except BaseException:
            con.close()
            discard(tmp)
            raise
        con.close()
        if not changed:
            discard(tmp)
        else:
            replace_checked(tmp, db_path)
        return result, applied


def bump_version(con: duckdb.DuckDBPyConnection, to: int | None = None) -> None:
    """Move the publish counter on (or set it `to`), inside the publishing transaction."""
    if to is None:
        con.execute("UPDATE publish_version SET version = version + 1, published_at = $t", {"t": datetime.now()})
    else:
        con.execute("UPDATE publish_version SET version = $v, published_at = $t", {"v": to, "t": datetime.now()})


def refresh_snapshot(db_path: Path, *, background: bool = False) -> None:
    """With PostgreSQL as the system of record, rebuild the local snapshot at `db_path` when a
    newer version has been published there (checked at most about once a second; in a thread
    while the current snapshot keeps serving, with `background`); otherwise nothing: the DuckDB
    file is the database itself."""
    if settings.database_url():
        from etl.core import pgstore

        pgstore.refresh(Path(db_path), background=background)


def open_snapshot(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection for a command that only reads (the caller closes it). Raises
    migrations.SchemaError, with the Chinese instruction, unless the file is at the current
    schema version; never changes the file."""
    refresh_snapshot(db_path)
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        migrations.check_current(migrations.DuckDB(con), f"数据库 {db_path} ")
    except BaseException:
        con.close()
        raise
    return con


def schema_version(db_path: Path) -> int:
    """The schema version of the published database (read only): the file's, or PostgreSQL's."""
    if settings.database_url():
        from etl.core import pgstore

        return pgstore.status()[0]
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return migrations.version(migrations.DuckDB(con))
    finally:
        con.close()


def scratch_copy(db_path: Path, copy: Path) -> duckdb.DuckDBPyConnection:
    """A private, writable copy of the published database at the current schema version, for a
    dry run that is rolled back; the live file is only read."""
    refresh_snapshot(db_path)
    return migrated_copy(db_path, copy)


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
        # the newest Arrow level hands polars' string views over without copying every string
        con.register("_insert_frame", frame.to_arrow(compat_level=pl.CompatLevel.newest()))
        cols = ", ".join(frame.columns)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _insert_frame")
        con.unregister("_insert_frame")
