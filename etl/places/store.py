"""Place records in the database: the tables they go to, the current record per key (the
schema's <kind>_current views), warnings where a file revises a loaded record, and the write of
one file's submission, rows, findings and rejections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from etl.core.records import SEVERITY_WARNING, Finding
from etl.core.store import insert_frame
from etl.places.read import FileRows
from etl.places.rows import PlaceRow, RowContext, where_in_file
from etl.places.vocabulary import CHILD_FRIENDLY, COMMUNITY_COUNT, COURTYARD, KINDS
from etl.returns.load import FileReport
from etl.returns.lookup import RegionLookup

_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    COURTYARD: {
        "village_code": pl.String,
        "village_name": pl.String,
        "district_code": pl.String,
        "street": pl.String,
        "year": pl.Int32,
        "rural_households": pl.Int32,
        "courtyard_households": pl.Int32,
        "premium_households": pl.Int32,
        "lon": pl.Float64,
        "lat": pl.Float64,
    },
    CHILD_FRIENDLY: {
        "community_name": pl.String,
        "district_code": pl.String,
        "street": pl.String,
        "kind": pl.String,
        "level": pl.String,
        "year_named": pl.Int32,
        "status": pl.String,
        "lon": pl.Float64,
        "lat": pl.Float64,
    },
    COMMUNITY_COUNT: {"district_code": pl.String, "year": pl.Int32, "villages": pl.Int32, "communities": pl.Int32},
}
# The columns of each table in the order they are written.
_TABLE_COLUMNS = {kind: tuple(schema) for kind, schema in _SCHEMAS.items()}
# Columns that identify a record across files (a later file's record replaces an earlier one;
# the *_current views of etl/core/migrations/0004_counted_views.sql partition by the same columns). A courtyard record
# without a village code is known by its name.
_KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    COURTYARD: ("district_code", "_village", "year"),
    CHILD_FRIENDLY: ("district_code", "community_name", "kind"),
    COMMUNITY_COUNT: ("district_code", "year"),
}
_COMPARE_COLUMNS: dict[str, tuple[str, ...]] = {
    COURTYARD: ("rural_households", "courtyard_households", "premium_households"),
    CHILD_FRIENDLY: ("level", "year_named", "status"),
    COMMUNITY_COUNT: ("villages", "communities"),
}


def current_sql(kind: str) -> str:
    """SQL of the current record per key (the schema's `<kind>_current` view), with is_sample."""
    if kind not in KINDS:
        raise ValueError(f"未知数据类别“{kind}”（可用：{'、'.join(KINDS)}）")
    return f"SELECT * FROM {kind}_current"


def note_revisions(con: duckdb.DuckDBPyConnection, ctx: RowContext, rows: list[PlaceRow]) -> int:
    """Warn where a record replaces a different one already loaded; returns how many."""
    kind = ctx.kind
    current = con.sql(current_sql(kind)).pl()
    if current.height == 0:
        return 0
    if kind == COURTYARD:
        current = current.with_columns(pl.coalesce("village_code", "village_name").alias("_village"))
    old = {
        tuple(k): tuple(v)
        for k, v in zip(
            current.select(_KEY_COLUMNS[kind]).iter_rows(),
            current.select(_COMPARE_COLUMNS[kind]).iter_rows(),
            strict=True,
        )
    }
    n = 0
    for r in rows:
        before = old.get(r.key)
        if before is not None and before != r.compare:
            n += 1
            shown = "、".join("空" if v is None else str(v) for v in before)
            ctx.findings.append(
                Finding(
                    ctx.file,
                    r.sheet,
                    r.row,
                    None,
                    "revision",
                    SEVERITY_WARNING,
                    f"{where_in_file(ctx, r.sheet, r.row, None)}：与已载入数据（{shown}）不同，"
                    "以本次为准，原记录保留在历史提交中",
                )
            )
    return n


def write_submission(
    con: duckdb.DuckDBPyConnection,
    report: FileReport,
    ctx: RowContext,
    read: FileRows,
    rows: list[PlaceRow],
    *,
    is_sample: bool,
) -> None:
    """Record the file as a submission, then its raw rows, records, findings and rejections."""
    sub_id = con.sql(
        "INSERT INTO submission (file_name, sha256, kind, loaded_at, status, rows_accepted, rows_rejected,"
        " is_sample) VALUES ($f, $s, $k, $t, 'loaded', $a, $r, $x) RETURNING id",
        params={
            "f": report.file,
            "s": report.sha256,
            "k": ctx.kind,
            "t": datetime.now(),
            "a": report.accepted,
            "r": report.rejected,
            "x": is_sample,
        },
    ).fetchall()[0][0]
    report.submission_id = sub_id
    if read.raw:
        raw = [(sub_id, s, n, list(c)) for s, n, c in read.raw]
        insert_frame(con, "raw_row", pl.DataFrame(raw, schema=_RAW_ROW, orient="row"))
    columns = _TABLE_COLUMNS[ctx.kind]
    frame = pl.DataFrame(
        [[r.values[c] for c in columns] for r in rows], schema=_SCHEMAS[ctx.kind], orient="row"
    ).with_columns(pl.lit(sub_id, dtype=pl.Int32).alias("submission_id"))
    insert_frame(con, ctx.kind, frame)
    if report.findings:
        found = [(sub_id, f.file, f.sheet, f.row, f.column, f.rule, f.severity, f.message) for f in report.findings]
        insert_frame(con, "finding", pl.DataFrame(found, schema=_FINDING, orient="row"))
    if ctx.rejected:
        rejected = [(sub_id, s, n, c, list(cells), reason) for s, n, c, cells, reason in ctx.rejected]
        insert_frame(con, "rejected_row", pl.DataFrame(rejected, schema=_REJECTED_ROW, orient="row"))


_RAW_ROW = {"submission_id": pl.Int32, "sheet": pl.String, "row_no": pl.Int32, "cells": pl.List(pl.String)}
_FINDING = {
    "submission_id": pl.Int32,
    "file": pl.String,
    "sheet": pl.String,
    "row_no": pl.Int32,
    "col": pl.String,
    "rule": pl.String,
    "severity": pl.String,
    "message": pl.String,
}
_REJECTED_ROW = {
    "submission_id": pl.Int32,
    "sheet": pl.String,
    "row_no": pl.Int32,
    "col": pl.String,
    "raw_cells": pl.List(pl.String),
    "reason": pl.String,
}


@dataclass
class DbState:
    regions: RegionLookup
    levels: dict[str, str]
    first_year: int
    last_year: int


def db_state(con: duckdb.DuckDBPyConnection) -> DbState:
    regions = con.sql("SELECT code, name, short_name, level FROM region").pl()
    years = con.sql("SELECT min(base_year) AS a, max(target_year) AS b FROM plan").pl().row(0)
    first, last = (years[0] or 2020), (years[1] or 2030)
    return DbState(RegionLookup(regions), dict(zip(regions["code"], regions["level"], strict=True)), first, last)
