"""Talking to PostgreSQL, the optional system of record (FUER_DATABASE_URL): connections, the
messages that name a server (never its password), schema and publish versions, the writers'
advisory lock, and the list of tables both copy directions walk.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from etl.core import migrations, settings
from etl.core.duckfile import WriterBusy

LOCK_ID = 726_613_401  # the advisory lock every writer of this product takes
MANAGED = frozenset({migrations.VERSION_TABLE, "publish_version"})  # kept by the store itself
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
        if not ready:
            raise RuntimeError(f"tables reference each other in a circle: {sorted(found)}")
        for n in ready:
            ordered.append(found.pop(n))
    return ordered


def sequences(duck: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
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


def source(conn: Any) -> str:
    info = conn.info
    return f"{info.host}:{info.port}/{info.dbname}"


def pg_version(conn: Any) -> int:
    return conn.execute("SELECT version FROM publish_version").fetchone()[0]


def check(conn: Any) -> None:
    """Readers need a PostgreSQL database at the code's schema version that has been built."""
    db = migrations.Postgres(conn)
    if not migrations.tables(db):
        raise migrations.SchemaOutdated(
            f"PostgreSQL 数据库 {source(conn)} 还是空的：请先运行 python -m etl build 建立数据库，"
            "或用 python -m etl pg-import 导入已有的 DuckDB 数据库文件。"
        )
    migrations.check_current(db, f"PostgreSQL 数据库 {source(conn)} ")


def take_lock(conn: Any, timeout: float = WRITER_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not conn.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_ID]).fetchone()[0]:
        if time.monotonic() > deadline:
            raise WriterBusy(f"PostgreSQL 数据库 {source(conn)} 正被另一个载入任务写入，请稍后再试")
        time.sleep(0.2)


def status(url: str | None = None) -> tuple[int, int]:
    """(schema version, publish version) of the PostgreSQL database; (0, 0) when it is empty."""
    conn = connect(url)
    try:
        have = migrations.version(migrations.Postgres(conn))
        published = pg_version(conn) if have >= 3 else (1 if have else 0)
        conn.rollback()
        return have, published
    finally:
        conn.close()
