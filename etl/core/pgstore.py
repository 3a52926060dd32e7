"""PostgreSQL as the system of record (FUER_DATABASE_URL), with a local DuckDB snapshot to read.

Writes. A change still runs on a DuckDB working copy, so every loader, check and lock rule is
the one the embedded store uses; its new rows then go to PostgreSQL by binary COPY in one
transaction, under an advisory lock that serialises writers on every machine. The copy is the
snapshot at PostgreSQL's current publish version, taken inside that transaction, so a change
always sees the latest data. Every table is append-only (the schema says so); a change that
altered an existing row is refused rather than half-copied, except in the few catalogue tables
the office edits (EDITABLE), which are mirrored row by primary key. A build replaces every table.

Reads. Each process reads a local DuckDB file (FUER_DB) built from PostgreSQL through Arrow
(COPY … TO STDOUT in binary, into polars, into DuckDB) in one repeatable-read transaction, into
a temporary file that is `os.replace`d over the snapshot: a reader never sees half a publish.
`refresh` rebuilds it when PostgreSQL's publish version moves on. A marker file beside the
snapshot records which version (and which database) it holds, and for which file.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl

from etl.core import migrations, settings
from etl.core.migrations.dialect import PG_TYPES
from etl.core.store import Change, WriterBusy, bump_version, discard, insert_frame, replace_checked, writer_lock

T = TypeVar("T")
LOCK_ID = 726_613_401  # the advisory lock every writer of this product takes
MANAGED = frozenset({migrations.VERSION_TABLE, "publish_version"})  # kept by the store itself
# The catalogue rows the office edits in place: a local indicator's definition and every
# indicator's lead and shared units, each written from its latest revision (local_indicator_revision,
# duty_revision: append-only like the rest). A change to them is mirrored by primary key.
EDITABLE = frozenset({"indicator", "indicator_unit"})
CHECK_SECONDS = 1.0  # how often a reader asks PostgreSQL whether a new version was published
WRITER_TIMEOUT = 120.0
POLARS_TYPES: dict[str, pl.DataType] = {
    "VARCHAR": pl.String(),
    "INTEGER": pl.Int32(),
    "BIGINT": pl.Int64(),
    "DOUBLE": pl.Float64(),
    "BOOLEAN": pl.Boolean(),
    "TIMESTAMP": pl.Datetime("us"),
    "VARCHAR[]": pl.List(pl.String()),
}


class StoreUnavailable(RuntimeError):
    """PostgreSQL cannot be reached; the message is Chinese and names the server, never the password."""


class NotAppendOnly(RuntimeError):
    """A change altered rows that already existed; only appends can go to PostgreSQL."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    types: tuple[str, ...]

    @property
    def column_list(self) -> str:
        return ", ".join(f'"{c}"' for c in self.columns)

    @property
    def schema(self) -> dict[str, pl.DataType]:
        return {c: POLARS_TYPES[t] for c, t in zip(self.columns, self.types, strict=True)}


def tables(duck: duckdb.DuckDBPyConnection) -> list[Table]:
    """Base tables of a DuckDB database, each after the tables it references (so rows can be
    inserted in this order), without the store's own."""
    rows = duck.sql("""
        SELECT c.table_name, list(c.column_name ORDER BY c.column_index), list(c.data_type ORDER BY c.column_index)
        FROM duckdb_columns() c JOIN duckdb_tables() t ON t.table_oid = c.table_oid
        WHERE t.schema_name = 'main' GROUP BY c.table_name ORDER BY c.table_name""").fetchall()
    refs: dict[str, set[str]] = {}
    for name, parent in duck.sql(
        "SELECT table_name, referenced_table FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY'"
    ).fetchall():
        refs.setdefault(name, set()).add(parent)
    found = {n: Table(n, tuple(cols), tuple(types)) for n, cols, types in rows if n not in MANAGED}
    ordered: list[Table] = []
    while found:
        ready = [n for n in found if not (refs.get(n, set()) & found.keys()) - {n}]
        for n in ready:
            ordered.append(found.pop(n))
    return ordered


def _sequences(duck: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(table, column, sequence) for every column numbered by a sequence."""
    rows = duck.sql(
        "SELECT table_name, column_name, column_default FROM duckdb_columns() WHERE column_default LIKE 'nextval(%'"
    ).fetchall()
    return [(t, c, d.split("'")[1]) for t, c, d in rows]


# --- connections -----------------------------------------------------------------------------


def where(url: str) -> str:
    """The server and database of `url`, for messages (never the password)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        info = conninfo_to_dict(url)
    except Exception:  # noqa: BLE001 - a malformed address is reported as such
        return "（地址格式有误）"
    return f"{info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"


def connect(url: str | None = None) -> Any:
    """A psycopg connection to the system of record (not autocommit)."""
    import psycopg

    url = url or settings.database_url()
    try:
        return psycopg.connect(url, connect_timeout=10, client_encoding="utf8")
    except psycopg.Error as exc:
        raise StoreUnavailable(f"无法连接 PostgreSQL 数据库 {where(url)}：{str(exc).strip()}") from None


def _source(conn: Any) -> str:
    info = conn.info
    return f"{info.host}:{info.port}/{info.dbname}"


def _pg_version(conn: Any) -> int:
    return conn.execute("SELECT version FROM publish_version").fetchone()[0]


def _check(conn: Any) -> None:
    """Readers need a PostgreSQL database at the code's schema version that has been built."""
    db = migrations.Postgres(conn)
    if not migrations.tables(db):
        raise migrations.SchemaOutdated(
            f"PostgreSQL 数据库 {_source(conn)} 还是空的：请先运行 python -m etl build 建立数据库，"
            "或用 python -m etl pg-import 导入已有的 DuckDB 数据库文件。"
        )
    migrations.check_current(db, f"PostgreSQL 数据库 {_source(conn)} ")


def _take_lock(conn: Any, timeout: float = WRITER_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not conn.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_ID]).fetchone()[0]:
        if time.monotonic() > deadline:
            raise WriterBusy(f"PostgreSQL 数据库 {_source(conn)} 正被另一个载入任务写入，请稍后再试")
        time.sleep(0.2)


def status(url: str | None = None) -> tuple[int, int]:
    """(schema version, publish version) of the PostgreSQL database; (0, 0) when it is empty."""
    conn = connect(url)
    try:
        have = migrations.version(migrations.Postgres(conn))
        published = _pg_version(conn) if have >= 3 else (1 if have else 0)
        conn.rollback()
        return have, published
    finally:
        conn.close()


# --- PostgreSQL → DuckDB ---------------------------------------------------------------------


def _read(conn: Any, table: Table) -> pl.DataFrame:
    """The rows of `table` in PostgreSQL, as CSV parsed by polars (far faster than building
    Python tuples): every value quoted, so an empty string stays apart from NULL; lists travel
    as JSON."""
    select = ", ".join(_as_text(c, t) for c, t in zip(table.columns, table.types, strict=True))
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


def _as_text(column: str, duck_type: str) -> str:
    if duck_type == "VARCHAR[]":
        return f'array_to_json("{column}")::text'
    if duck_type == "BOOLEAN":
        return f'"{column}"::text'  # true / false, which polars reads
    return f'"{column}"'


def _build(conn: Any, path: Path) -> int:
    """Write PostgreSQL's current state to a new DuckDB file at `path`, from `conn`'s
    transaction (the caller makes it consistent); returns the publish version it holds."""
    _check(conn)
    version = _pg_version(conn)
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
        for table, column, seq in _sequences(duck):
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
            version = _build(conn, tmp)
        _publish_snapshot(db_path, tmp, _source(conn), version)
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
        _check(conn)
        latest = (_source(conn), _pg_version(conn))
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
    for table, column, seq in _sequences(duck):
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
                _take_lock(conn)
                applied = migrations.migrate(migrations.Postgres(conn))
                discard(tmp)
                if fresh:
                    pass  # a new, empty working copy
                elif not applied and snapshot_state(db_path) == (_source(conn), _pg_version(conn)):
                    shutil.copyfile(db_path, tmp)
                else:
                    _build(conn, tmp)  # inside this transaction: nobody else can write meanwhile
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
    import tempfile

    from etl.core.store import migrated_copy

    with tempfile.TemporaryDirectory(prefix="fuer-import-") as folder:
        duck = migrated_copy(Path(source), Path(folder) / "source.duckdb")  # at the current version
        try:
            tabs = tables(duck)
            rows = sum(duck.sql(f"SELECT count(*) FROM {t.name}").fetchall()[0][0] for t in tabs)

            def change(con: duckdb.DuckDBPyConnection) -> tuple[int, bool]:
                for t in tabs:
                    insert_frame(con, t.name, duck.sql(f"SELECT {t.column_list} FROM {t.name} ORDER BY rowid").pl())
                for table, column, seq in _sequences(con):
                    top = con.sql(f"SELECT max({column}) FROM {table}").fetchall()[0][0]
                    if top is not None:
                        con.sql(f"SELECT setval('{seq}', {int(top)})").fetchall()
                return rows, True

            return publish(Path(db_path), change, True)[0]
        finally:
            duck.close()
