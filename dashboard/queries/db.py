"""Read-only access to the published DuckDB snapshot.

The ETL publishes a new database by building it aside and `os.replace`-ing it over the live
file (etl.core.store). The app therefore keys its connection on the live
file's identity: while the identity is unchanged every caller shares one read-only connection;
once a new snapshot appears, the old connection is closed and the new file opened.

Two DuckDB facts shape this module:
- In one process, opening a path while an older connection to it is still open returns the
  *old* cached database, so the old connection must be closed before the new one is opened.
- A connection is not safe to share between threads; each query uses its own cursor.

Every reader may assume the current schema: a connection is only handed out for a file at the
code's schema version (etl.core.migrations); an older one raises SchemaOutdated with the
command that upgrades it.

No Streamlit here: the module is plain Python so scripts and tests can use it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from etl.core import migrations, store

# (st_ino, st_mtime_ns, st_size): changes whenever a new file is moved into place.
Identity = tuple[int, int, int]

_lock = threading.Lock()
# resolved path -> (identity it was opened at, connection)
_connections: dict[str, tuple[Identity, duckdb.DuckDBPyConnection]] = {}


def _key(db_path: Path | str) -> str:
    return str(Path(db_path).resolve())


def file_identity(db_path: Path | str) -> Identity:
    """Identity of the file now at `db_path`; raises FileNotFoundError when it is missing."""
    st = os.stat(db_path)
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def snapshot_id(db_path: Path | str) -> str:
    """The published snapshot's identity as text, for use as a cache key."""
    store.refresh_snapshot(Path(db_path), background=True)
    ino, mtime_ns, size = file_identity(db_path)
    return f"{ino}-{mtime_ns}-{size}"


def connect(db_path: Path | str) -> duckdb.DuckDBPyConnection:
    """Shared read-only connection to the snapshot currently at `db_path`.

    Returns the cached connection while the file is unchanged; after a replace, closes the old
    connection and opens the new file. Callers must not close the returned connection and
    should query through `con.cursor()` (or `query`), never the connection itself, from threads.
    """
    key = _key(db_path)
    # PostgreSQL store: rebuilt (in a thread, while this snapshot serves) when a version was published
    store.refresh_snapshot(Path(key), background=True)
    identity = file_identity(key)
    with _lock:
        cached = _connections.get(key)
        if cached is not None:
            if cached[0] == identity:
                return cached[1]
            # Close first: DuckDB would hand back the old database while it is still open.
            del _connections[key]
            cached[1].close()
        con = duckdb.connect(key, read_only=True)
        try:
            # readers never migrate: an older file names the command that upgrades it
            migrations.check_current(migrations.DuckDB(con), "数据库")
        except BaseException:
            con.close()
            raise
        _connections[key] = (identity, con)
        return con


def close_all() -> None:
    """Close every cached connection (tests, shutdown)."""
    with _lock:
        for _identity, con in _connections.values():
            con.close()
        _connections.clear()


def query(db_path: Path | str, sql: str, params: list[Any] | dict[str, Any] | None = None) -> pl.DataFrame:
    """Run one read-only query on the current snapshot and return a polars frame."""
    for attempt in (1, 2):
        con = connect(db_path)
        cur = con.cursor()
        try:
            if params is None:
                return cur.sql(sql).pl()
            return cur.sql(sql, params=params).pl()
        except duckdb.ConnectionException:
            # Another thread saw a newer snapshot and closed this connection mid-query;
            # the next connect() opens the new file, so one retry is enough.
            if attempt == 2:
                raise
        finally:
            try:
                cur.close()
            except duckdb.Error:
                pass  # already closed together with its connection
    raise AssertionError("unreachable")


def scalar(db_path: Path | str, sql: str, params: list[Any] | dict[str, Any] | None = None) -> Any:
    """First column of the first row of a query, or None when it returns no rows."""
    frame = query(db_path, sql, params)
    if frame.height == 0:
        return None
    return frame.item(0, 0)
