"""The versioned schema: numbered steps, each with a one-line why, recorded in `schema_version`.

A database records every step applied to it. The write path (etl.core.store.publish, the build,
`python -m etl migrate`) applies the missing steps, in order, inside its own transaction, on
either store; readers never change a database and only check that it is current
(`check_current`), telling the office in Chinese what to run when it is not.

A new step is a new SQL file here plus one line in STEPS; steps are never edited once released.
Databases built before versions were recorded are recognised by their tables (`_recognise`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from etl.core.migrations.dialect import DUCKDB, POSTGRES, placeholders, tables_sql, translate

__all__ = ["CURRENT", "STEPS", "DuckDB", "Postgres", "SchemaOutdated", "SchemaTooNew", "migrate", "version"]

UPGRADE_COMMAND = "python -m etl migrate"


@dataclass(frozen=True)
class Step:
    number: int
    why: str
    file: str
    # what the step changes, as `python -m etl migrate` tells the office
    said: str

    def sql(self) -> str:
        return Path(__file__).with_name(self.file).read_text(encoding="utf-8")


STEPS: tuple[Step, ...] = (
    Step(
        1,
        "base schema: catalogue, targets, regions, returns as revisions, places, review workflow",
        "0001_base.sql",
        said="基础结构：指标目录、目标、地区、按修订保存的报表数值、场所、审核流程",
    ),
    Step(
        2,
        "the office's own targets keep their history; readers use target_effective",
        "0002_target_revisions.sql",
        said="工委办自定的目标保留修改历史",
    ),
    Step(
        3,
        "a publish counter, so snapshots of a PostgreSQL store know when to rebuild",
        "0003_publish_version.sql",
        said="发布计数：PostgreSQL 存储的本机副本据此知道何时更新",
    ),
    Step(
        4,
        "one definition of the current record for values and place records",
        "0004_counted_views.sql",
        said="数值和场所记录的“现行记录”统一为一个定义",
    ),
    Step(
        5,
        "ranges by their edges; member-unit duties and local indicators keep their history",
        "0005_office_plan.sql",
        said="区间目标按上下限保存；成员单位分工和本地指标保留修改历史",
    ),
    Step(
        6,
        "values are checked against the catalogue before writing, not again per row",
        "0006_observation_keys.sql",
        said="数值在写入前已对照指标目录和地区检查，写入时不再逐行重复检查",
    ),
    Step(
        7,
        "raw rows and values are written with their submission, not checked against it per row",
        "0007_row_submission_keys.sql",
        said="原始行和数值与其提交记录在同一事务中写入，写入时不再逐行检查提交记录",
    ),
)
CURRENT = STEPS[-1].number

VERSION_TABLE = "schema_version"
_VERSION_TABLE_SQL = (
    f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} ("
    "version INTEGER PRIMARY KEY, why VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
)
_RECOGNISED = "（已有数据库，按表结构识别）"


class SchemaError(RuntimeError):
    """The database's schema version does not match the code's; the message is Chinese."""


class SchemaOutdated(SchemaError):
    pass


class SchemaTooNew(SchemaError):
    pass


class Database(Protocol):
    """One open connection to either store, inside the caller's transaction."""

    dialect: str

    def run(self, sql: str, params: list[Any] | None = None) -> None: ...

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]: ...


class DuckDB:
    dialect = DUCKDB

    def __init__(self, con: Any) -> None:
        self.con = con

    def run(self, sql: str, params: list[Any] | None = None) -> None:
        self.con.execute(sql, params) if params else self.con.execute(sql)

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        return (self.con.sql(sql, params=params) if params else self.con.sql(sql)).fetchall()


class Postgres:
    dialect = POSTGRES

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def run(self, sql: str, params: list[Any] | None = None) -> None:
        self.conn.execute(placeholders(sql, POSTGRES), params) if params else self.conn.execute(sql)

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        return self.conn.execute(placeholders(sql, POSTGRES), params).fetchall()


def tables(db: Database) -> list[str]:
    """Base tables in creation order."""
    return [r[0] for r in db.rows(tables_sql(db.dialect))]


def _recognise(names: set[str]) -> int:
    """The version of a database built before versions were recorded, from its tables."""
    if "region" not in names:
        return 0
    return 2 if "target_revision" in names else 1


def version(db: Database) -> int:
    """The schema version of the database (0: empty)."""
    names = set(tables(db))
    if VERSION_TABLE not in names:
        return _recognise(names)
    return db.rows(f"SELECT coalesce(max(version), 0) FROM {VERSION_TABLE}")[0][0]


def migrate(db: Database, upto: int = CURRENT) -> list[Step]:
    """Apply the missing steps up to `upto`, in order; returns those applied (none: current).

    Runs in the caller's transaction, so a failed step leaves the database as it was."""
    have = version(db)
    if have > CURRENT:
        raise SchemaTooNew(_too_new(have, "数据库"))
    if VERSION_TABLE not in tables(db):
        db.run(_VERSION_TABLE_SQL)
        now = datetime.now()
        for step in STEPS[:have]:
            db.run(f"INSERT INTO {VERSION_TABLE} VALUES (?, ?, ?)", [step.number, step.why + _RECOGNISED, now])
    applied = []
    for step in STEPS:
        if have < step.number <= upto:
            db.run(translate(step.sql(), db.dialect))
            db.run(f"INSERT INTO {VERSION_TABLE} VALUES (?, ?, ?)", [step.number, step.why, datetime.now()])
            applied.append(step)
    return applied


def _too_new(have: int, where: str) -> str:
    return (
        f"{where}的结构版本为 {have}，高于本程序支持的版本 {CURRENT}：它已由更新版本的程序升级。"
        "请先将本程序更新到最新版本再使用。"
    )


def check_current(db: Database, where: str) -> None:
    """Raise SchemaOutdated / SchemaTooNew (Chinese, naming `where` and what to do) unless the
    database is at the code's version. Readers call this; it never changes anything."""
    have = version(db)
    if have < CURRENT:
        raise SchemaOutdated(
            f"{where}的结构版本为 {have}，本程序需要版本 {CURRENT}。请妇儿工委办运行 {UPGRADE_COMMAND} "
            "升级数据库（数据全部保留，约需数秒），然后刷新页面。"
        )
    if have > CURRENT:
        raise SchemaTooNew(_too_new(have, where))
