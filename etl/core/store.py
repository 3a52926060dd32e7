"""The one write path to the database: build or change a copy aside, then publish it atomically.

DuckDB lets only one process hold a read-write connection and blocks every other opener while
it does, so the app never writes to the live file. A writer copies it, applies its change in one
transaction, checkpoints, closes and `os.replace`s the copy over the live file. Readers keep
their snapshot; new connections see the new one; a failed change leaves the live file as it was.
A lock file next to the database serialises writers. Every publish first brings the copy to the
current schema version (etl.core.migrations) and moves the publish counter on.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl

from etl.core import migrations, settings
from etl.core.duckfile import (  # the shared mechanics, re-exported for the writers that use them
    Change,
    T,
    WriterBusy,
    bump_version,
    discard,
    insert_frame,
    insert_rows,
    migrated_copy,
    query_frame,
    replace_checked,
    writer_lock,
)

__all__ = [
    "Change",
    "WriterBusy",
    "bump_version",
    "discard",
    "insert_frame",
    "insert_rows",
    "migrated_copy",
    "open_snapshot",
    "publish",
    "refresh_snapshot",
    "replace_checked",
    "schema_version",
    "scratch_copy",
    "snapshot_query",
    "upgrade",
    "writer_lock",
]


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
            # The big tables only grow: vacuuming at the checkpoint finds nothing to reclaim there
            # and instead rewrites every appended row once more, to merge it into the table's last,
            # partly filled row group. Rows deleted from the small editable tables stay marked
            # deleted, which costs nothing worth a rewrite.
            con.execute("SET max_vacuum_tasks = 0")
            # a large append goes to disk a row group at a time, not five (600,000 rows) held in
            # memory first: a load's peak memory is what decides whether it may run at all
            con.execute("SET write_buffer_row_group_count = 1")
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


def refresh_snapshot(db_path: Path, *, background: bool = False) -> None:
    """With PostgreSQL as the system of record, rebuild the local snapshot at `db_path` when a
    newer version has been published there (checked at most about once a second; in a thread
    while the current snapshot keeps serving, with `background`); otherwise nothing: the DuckDB
    file is the database itself."""
    if settings.database_url():
        from etl.core import pgsnapshot

        pgsnapshot.refresh(Path(db_path), background=background)


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


def snapshot_query(db_path: Path, sql: str, params: dict | None = None) -> pl.DataFrame:
    """One query's result from a read-only snapshot (open_snapshot), for a command that only reads."""
    con = open_snapshot(db_path)
    try:
        return query_frame(con, sql, params)
    finally:
        con.close()


def schema_version(db_path: Path) -> int:
    """The schema version of the published database (read only): the file's, or PostgreSQL's."""
    if settings.database_url():
        from etl.core import pg

        return pg.status()[0]
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
