"""Everything that differs between the two stores' SQL, in one place.

Migration steps are written once, in the SQL DuckDB and PostgreSQL share; `translate` turns a
step into PostgreSQL's spelling. The catalogue queries and the column types the PostgreSQL copy
path needs are here too, so no other module knows which words differ.
"""

from __future__ import annotations

import re

DUCKDB = "duckdb"
POSTGRES = "postgres"

# DuckDB column type (as duckdb_columns() names it) → PostgreSQL type name, as psycopg's binary
# COPY needs it: an array must carry exactly the column's element type.
PG_TYPES: dict[str, str] = {
    "VARCHAR": "varchar",
    "INTEGER": "int4",
    "BIGINT": "int8",
    "DOUBLE": "float8",
    "BOOLEAN": "bool",
    "TIMESTAMP": "timestamp",
    "VARCHAR[]": "varchar[]",
}

_DOUBLE = re.compile(r"\bDOUBLE\b(?!\s+PRECISION)")


def translate(sql: str, dialect: str) -> str:
    """A migration step's SQL as `dialect` spells it."""
    if dialect == DUCKDB:
        return sql
    if dialect == POSTGRES:
        return _DOUBLE.sub("DOUBLE PRECISION", sql)
    raise ValueError(f"unknown dialect {dialect}")


def tables_sql(dialect: str) -> str:
    """Names of the base tables (no views), in the order they were created."""
    if dialect == DUCKDB:
        return "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' ORDER BY table_oid"
    return (
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = current_schema() AND c.relkind = 'r' ORDER BY c.oid"
    )


def placeholders(sql: str, dialect: str) -> str:
    """The runner's own statements use `?`; psycopg wants `%s`."""
    return sql.replace("?", "%s") if dialect == POSTGRES else sql


def pg_as_text(column: str, duck_type: str) -> str:
    """A PostgreSQL select expression giving `column` as text polars reads back as `duck_type`:
    lists as JSON, booleans as true / false (PostgreSQL's CSV says t / f)."""
    if duck_type == "VARCHAR[]":
        return f'array_to_json("{column}")::text'
    if duck_type == "BOOLEAN":
        return f'"{column}"::text'
    return f'"{column}"'
