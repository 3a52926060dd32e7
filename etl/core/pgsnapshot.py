"""The local DuckDB snapshot of the PostgreSQL store, which every process reads.

Built from PostgreSQL through Arrow (COPY … TO STDOUT as CSV, parsed by polars, into DuckDB) in
one repeatable-read transaction, into a temporary file that is `os.replace`d over the snapshot:
a reader never sees half a publish. `refresh` rebuilds it when PostgreSQL's publish version has
moved on. A marker file beside the snapshot records which database and version it holds, and
for which file (its inode), so no process has to open the snapshot to know.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from etl.core import migrations
from etl.core.duckfile import WriterBusy, bump_version, discard, insert_frame, replace_checked, writer_lock
from etl.core.migrations.dialect import pg_as_text
from etl.core.pg import (
    POLARS_TYPES,
    WRITER_TIMEOUT,
    StoreUnavailable,
    Table,
    check,
    connect,
    pg_version,
    sequences,
    source,
    tables,
)

CHECK_SECONDS = 1.0  # how often a reader asks PostgreSQL whether a new version was published

# --- PostgreSQL → DuckDB ---------------------------------------------------------------------


def _read(conn: Any, table: Table) -> pl.DataFrame:
    """The rows of `table` in PostgreSQL, as CSV parsed by polars (far faster than building
    Python tuples): every value quoted, so an empty string stays apart from NULL; lists travel
    as JSON."""
    select = ", ".join(pg_as_text(c, t) for c, t in zip(table.columns, table.types, strict=True))
    buf = bytearray()
    with conn.cursor() as cur:
        with cur.copy(f"COPY (SELECT {select} FROM {table.name}) TO STDOUT (FORMAT CSV, FORCE_QUOTE *)") as copy:
            for block in copy:
                buf += block
    if not buf:
        return pl.DataFrame(schema=table.schema)
    text_schema = {
        c: (pl.String() if t == "VARCHAR[]" else POLARS_TYPES[t])
        for c, t in zip(table.columns, table.types, strict=True)
    }
    frame = pl.read_csv(bytes(buf), has_header=False, new_columns=list(table.columns), schema=text_schema)
    lists = [c for c, t in zip(table.columns, table.types, strict=True) if t == "VARCHAR[]"]
    return frame.with_columns(pl.col(c).str.json_decode(pl.List(pl.String())) for c in lists)


def build(conn: Any, path: Path) -> int:
    """Write PostgreSQL's current state to a new DuckDB file at `path`, from `conn`'s
    transaction (the caller makes it consistent); returns the publish version it holds."""
    check(conn)
    version = pg_version(conn)
    # a scan from the first block returns an append-only table in the order it was written;
    # timestamps and doubles in the text form polars parses, doubles exactly
    conn.execute("SET LOCAL synchronize_seqscans = off")
    conn.execute("SET LOCAL DateStyle = 'ISO, YMD'")
    conn.execute("SET LOCAL extra_float_digits = 1")
    discard(path)
    duck = duckdb.connect(str(path))
    try:
        duck.begin()
        migrations.migrate(migrations.DuckDB(duck))
        for table in tables(duck):
            insert_frame(duck, table.name, _read(conn, table))
        for table, column, seq in sequences(duck):
            top = duck.sql(f"SELECT max({column}) FROM {table}").fetchall()[0][0]
            if top is not None:
                duck.sql(f"SELECT setval('{seq}', {int(top)})").fetchall()
        bump_version(duck, to=version)
        duck.commit()
        duck.execute("CHECKPOINT")
    except BaseException:
        duck.close()
        discard(path)
        raise
    duck.close()
    return version


def _marker(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".pg.json")


def snapshot_state(db_path: Path) -> tuple[str, int] | None:
    """(database, publish version) of the snapshot now at `db_path`, or None when unknown."""
    try:
        mark = json.loads(_marker(db_path).read_text(encoding="utf-8"))
        if mark["inode"] != os.stat(db_path).st_ino:
            return None  # the marker describes another file (a replace is under way)
        return mark["source"], mark["version"]
    except (OSError, ValueError, KeyError):
        return None


def _publish_snapshot(db_path: Path, tmp: Path, source: str, version: int) -> None:
    """Replace the snapshot with `tmp`; the marker names tmp's inode, which the rename keeps."""
    marker = _marker(db_path)
    staged = marker.with_name(marker.name + ".tmp")
    staged.write_text(json.dumps({"source": source, "version": version, "inode": os.stat(tmp).st_ino}))
    os.replace(staged, marker)
    replace_checked(tmp, db_path)


def sync(db_path: Path, url: str | None = None) -> int:
    """Rebuild the local snapshot from PostgreSQL now (the caller holds writer_lock(db_path));
    returns the version it holds."""
    conn = connect(url)
    try:
        from psycopg import IsolationLevel

        conn.isolation_level = IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        tmp = db_path.with_name(db_path.name + ".sync")
        with conn.transaction():
            version = build(conn, tmp)
        _publish_snapshot(db_path, tmp, source(conn), version)
        return version
    finally:
        conn.close()


_checked: dict[str, float] = {}
_checked_lock = threading.Lock()


def refresh(db_path: Path, *, force: bool = False, background: bool = False) -> bool:
    """Rebuild the snapshot at `db_path` if PostgreSQL has published since it was built;
    returns whether it did. Asks PostgreSQL at most every CHECK_SECONDS per process unless
    `force`. With `background` (the app) an existing snapshot keeps serving while a thread
    rebuilds it, so no page waits for a rebuild. While another process on this machine is
    rebuilding or writing, or PostgreSQL cannot be reached, the current snapshot keeps serving
    (it is whole, only older)."""
    db_path = Path(db_path)
    key = str(db_path.resolve())
    with _checked_lock:
        now = time.monotonic()
        if not force and db_path.exists() and now - _checked.get(key, -CHECK_SECONDS) < CHECK_SECONDS:
            return False
        _checked[key] = now
    try:
        conn = connect()
    except StoreUnavailable:
        if db_path.exists():
            return False
        raise
    try:
        check(conn)
        latest = (source(conn), pg_version(conn))
        conn.rollback()
    finally:
        conn.close()
    if snapshot_state(db_path) == latest:
        return False
    if background and db_path.exists():
        with _checked_lock:
            if key in _rebuilding:
                return False
            _rebuilding.add(key)
        threading.Thread(target=_rebuild_quietly, args=(db_path, latest, key), daemon=True).start()
        return False
    return _rebuild(db_path, latest)


_rebuilding: set[str] = set()


def _rebuild(db_path: Path, latest: tuple[str, int]) -> bool:
    try:
        with writer_lock(db_path, timeout=0 if db_path.exists() else WRITER_TIMEOUT):
            if snapshot_state(db_path) == latest:
                return False
            sync(db_path)
            return True
    except WriterBusy:
        return False


def _rebuild_quietly(db_path: Path, latest: tuple[str, int], key: str) -> None:
    try:
        _rebuild(db_path, latest)
    except Exception:  # noqa: BLE001 - the current snapshot keeps serving; the next check tries again
        logging.getLogger(__name__).exception("rebuilding the snapshot %s from PostgreSQL failed", db_path)
    finally:
        with _checked_lock:
            _rebuilding.discard(key)
