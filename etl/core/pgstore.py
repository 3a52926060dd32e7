"""PostgreSQL as the system of record (FUER_DATABASE_URL), with a local DuckDB snapshot to read.

Writes. A change still runs on a DuckDB working copy, so every loader, check and lock rule is
the one the embedded store uses; its new rows then go to PostgreSQL by binary COPY in one
transaction, under an advisory lock that serialises writers on every machine. The copy is the
snapshot at PostgreSQL's current publish version, taken inside that transaction, so a change
always sees the latest data. Every table is append-only (the schema says so); a change that
altered an existing row is refused rather than half-copied, except in the few catalogue tables
the office edits (EDITABLE), which are mirrored row by primary key. A build replaces every table.

Reads go to a local DuckDB snapshot rebuilt from PostgreSQL (etl.core.pgsnapshot); the writer's
own snapshot is read back from PostgreSQL after each commit too, never taken from its copy.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl

from etl.core import migrations
from etl.core.duckfile import Change, discard, insert_frame, migrated_copy, writer_lock
from etl.core.migrations.dialect import PG_TYPES
from etl.core.pg import Table, connect, pg_version, sequences, source, tables, take_lock
from etl.core.pgsnapshot import build, snapshot_state, sync

T = TypeVar("T")
# The catalogue rows the office edits in place: a local indicator's definition and every
# indicator's lead and shared units, each written from its latest revision (local_indicator_revision,
# duty_revision: append-only like the rest). A change to them is mirrored by primary key.
EDITABLE = frozenset({"indicator", "indicator_unit"})


class NotAppendOnly(RuntimeError):
    """A change altered rows that already existed; only appends can go to PostgreSQL."""


# --- DuckDB → PostgreSQL ---------------------------------------------------------------------


def _write(conn: Any, table: Table, frame: pl.DataFrame) -> None:
    if not frame.height:
        return
    with conn.cursor() as cur, cur.copy(f"COPY {table.name} ({table.column_list}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([PG_TYPES[t] for t in table.types])
        for row in frame.iter_rows():
            copy.write_row(row)


def _states(duck: duckdb.DuckDBPyConnection, tabs: list[Table]) -> dict[str, tuple[int, int, int]]:
    """(rows, highest rowid, checksum of the rows) per table."""
    out = {}
    for t in tabs:
        out[t.name] = tuple(
            duck.sql(
                f"SELECT count(*), coalesce(max(rowid), -1), coalesce(sum(hash({t.column_list})), 0) FROM {t.name}"
            ).fetchall()[0]
        )
    return out


def _append(conn: Any, duck: duckdb.DuckDBPyConnection, tabs: list[Table], before: dict) -> int:
    """Copy the rows `change` appended to each table; refuse a change that altered old rows,
    except in the EDITABLE tables, which are mirrored by primary key."""
    written = 0
    for t in tabs:
        count, top, digest = before[t.name]
        kept = duck.sql(
            f"SELECT count(*), coalesce(sum(hash({t.column_list})), 0) FROM {t.name} WHERE rowid <= {top}"
        ).fetchall()[0]
        if tuple(kept) != (count, digest):
            if t.name in EDITABLE:
                written += _mirror(conn, duck, t)
                continue
            raise NotAppendOnly(f"写入改动了表 {t.name} 中已有的行；PostgreSQL 存储只接受追加的行，本次写入已取消")
        frame = duck.sql(f"SELECT {t.column_list} FROM {t.name} WHERE rowid > {top} ORDER BY rowid").pl()
        _write(conn, t, frame)
        written += frame.height
    _set_sequences(conn, duck)
    return written


def _mirror(conn: Any, duck: duckdb.DuckDBPyConnection, t: Table) -> int:
    """Make PostgreSQL's `t` equal to the working copy's, row by primary key: rows gone are
    deleted, rows changed are updated, new rows are inserted; rows left alone stay where they
    are. Returns the number of rows deleted, updated or inserted."""
    [keys] = duck.sql(
        "SELECT constraint_column_names FROM duckdb_constraints()"
        " WHERE table_name = $t AND constraint_type = 'PRIMARY KEY'",
        params={"t": t.name},
    ).fetchall()[0]
    key_list = ", ".join(f'"{k}"' for k in keys)
    others = [c for c in t.columns if c not in keys]
    conn.execute(f"CREATE TEMP TABLE _mirror (LIKE {t.name}) ON COMMIT DROP")
    _write(
        conn,
        Table("_mirror", t.columns, t.types),
        duck.sql(f"SELECT {t.column_list} FROM {t.name} ORDER BY rowid").pl(),
    )
    same_key = " AND ".join(f'm."{k}" = x."{k}"' for k in keys)
    gone = conn.execute(f"DELETE FROM {t.name} x WHERE NOT EXISTS (SELECT 1 FROM _mirror m WHERE {same_key})")
    if others:
        update = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in others)
        old = ", ".join(f'{t.name}."{c}"' for c in others)
        new = ", ".join(f'EXCLUDED."{c}"' for c in others)
        # only rows that differ are rewritten, so the rest keep their place in the table
        on_conflict = f"DO UPDATE SET {update} WHERE ({old}) IS DISTINCT FROM ({new})"
    else:
        on_conflict = "DO NOTHING"
    put = conn.execute(
        f"INSERT INTO {t.name} ({t.column_list}) SELECT {t.column_list} FROM _mirror"
        f" ON CONFLICT ({key_list}) {on_conflict}"
    )
    conn.execute("DROP TABLE _mirror")
    return gone.rowcount + put.rowcount


def _replace_all(conn: Any, duck: duckdb.DuckDBPyConnection, tabs: list[Table]) -> None:
    conn.execute(f"TRUNCATE {', '.join(t.name for t in tabs)}")
    for t in tabs:
        _write(conn, t, duck.sql(f"SELECT {t.column_list} FROM {t.name} ORDER BY rowid").pl())
    _set_sequences(conn, duck)


def _set_sequences(conn: Any, duck: duckdb.DuckDBPyConnection) -> None:
    """Rows arrive with their ids; keep PostgreSQL's sequences past them for anyone inserting there."""
    for table, column, seq in sequences(duck):
        conn.execute(f"SELECT setval('{seq}', coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)")


def publish(db_path: Path, change: Change[T], fresh: bool) -> tuple[T, list[migrations.Step]]:
    """The write path with PostgreSQL as the system of record (see the module docstring)."""
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    published = False
    with writer_lock(db_path):
        conn = connect()
        tmp = db_path.with_name(db_path.name + ".tmp")
        try:
            with conn.transaction():
                take_lock(conn)
                applied = migrations.migrate(migrations.Postgres(conn))
                discard(tmp)
                if fresh:
                    pass  # a new, empty working copy
                elif not applied and snapshot_state(db_path) == (source(conn), pg_version(conn)):
                    shutil.copyfile(db_path, tmp)
                else:
                    build(conn, tmp)  # inside this transaction: nobody else can write meanwhile
                duck = duckdb.connect(str(tmp))
                try:
                    if fresh:
                        migrations.migrate(migrations.DuckDB(duck))
                    tabs = tables(duck)
                    before = None if fresh else _states(duck, tabs)
                    duck.begin()
                    try:
                        result, changed = change(duck)
                    except BaseException:
                        duck.rollback()
                        raise
                    duck.commit()
                    if fresh:
                        _replace_all(conn, duck, tabs)
                    elif changed:
                        _append(conn, duck, tabs, before)
                    if fresh or changed or applied:
                        conn.execute(
                            "UPDATE publish_version SET version = version + 1, published_at = %s", [datetime.now()]
                        )
                        published = True
                finally:
                    duck.close()
        finally:
            conn.close()
            discard(tmp)
        if published:
            sync(db_path)  # read back what PostgreSQL now holds: the snapshot is never the writer's own copy
    return result, applied


def import_file(db_path: Path, source: Path) -> int:
    """Replace everything in PostgreSQL with the contents of a DuckDB database file (moving a
    single-machine installation to PostgreSQL); returns the number of rows copied."""
    with tempfile.TemporaryDirectory(prefix="fuer-import-") as folder:
        duck = migrated_copy(Path(source), Path(folder) / "source.duckdb")  # at the current version
        try:
            tabs = tables(duck)
            rows = sum(duck.sql(f"SELECT count(*) FROM {t.name}").fetchall()[0][0] for t in tabs)

            def change(con: duckdb.DuckDBPyConnection) -> tuple[int, bool]:
                for t in tabs:
                    insert_frame(con, t.name, duck.sql(f"SELECT {t.column_list} FROM {t.name} ORDER BY rowid").pl())
                for table, column, seq in sequences(con):
                    top = con.sql(f"SELECT max({column}) FROM {table}").fetchall()[0][0]
                    if top is not None:
                        con.sql(f"SELECT setval('{seq}', {int(top)})").fetchall()
                return rows, True

            return publish(Path(db_path), change, True)[0]
        finally:
            duck.close()
