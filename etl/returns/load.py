"""Load member-unit returns into an open (write) connection: read → check → store.

One function per concern: reading the DB state validation needs, resolving the unit, and
writing one file's submission, raw rows, observations (as revisions), findings and rejects.
"""

from __future__ import annotations

import getpass
import hashlib
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from etl.core import bounds
from etl.core.duckfile import insert_frame, query_frame, registered
from etl.core.records import SEVERITY_ERROR, SEVERITY_WARNING, Finding, UnreadableFile
from etl.core.text import squash
from etl.returns.frames import look_up
from etl.returns.guard import OFFICE_NAME as OFFICE_NAME  # the office's name, for workflow messages
from etl.returns.guard import apply_guard, load_guard
from etl.returns.validate import CURRENT_SCHEMA, CheckedFrames, Context, check_frames

# Refusals that depend on who loads and on the approval state, not on the file itself.
CONTEXT_RULES = ("not_own_indicator", "locked")


@dataclass
class FileReport:
    file: str
    sha256: str
    status: str  # loaded | unchanged | failed
    accepted: int = 0
    rejected: int = 0
    missing: int = 0
    revisions: int = 0  # accepted values that changed an earlier value
    changed: int = 0  # values that are new or differ from the current ones: what the load changes
    submission_id: int | None = None
    unit: str | None = None
    message: str = ""
    findings: list[Finding] = field(default_factory=list)
    dry_run: bool = False  # a preview: checked against the database, nothing saved
    # every value the load saves, as a frame with the columns of `values`
    value_frame: pl.DataFrame | None = None

    @property
    def values(self) -> list[dict[str, object]]:
        """Every value the load saves: indicator_code, region_code, year, breakdown, value, current
        (the value it replaces, if any), last_year (same value a year earlier), sheet, row, column."""
        return [] if self.value_frame is None else self.value_frame.to_dicts()

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "status": self.status,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "missing": self.missing,
            "revisions": self.revisions,
            "submission_id": self.submission_id,
            "unit": self.unit,
            "message": self.message,
            "findings": [f.as_dict() for f in self.findings],
        }


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> pl.DataFrame:
    return query_frame(con, sql, params)


def load_context(con: duckdb.DuckDBPyConnection, today: date | None = None) -> Context:
    """Catalogue, regions, plan years and current values, as validation needs them.

    `today` (default: the real date) decides the latest year a value may be for."""
    indicators = bounds.with_bounds(
        _frame(con, "SELECT code, name, unit, plausible_min, plausible_max, breakdowns FROM indicator")
    )
    aliases = _frame(con, "SELECT alias, indicator_code FROM indicator_alias")
    regions = _frame(con, "SELECT code, name, short_name, level, parent_code FROM region")
    years = _frame(con, "SELECT min(base_year) AS a, max(target_year) AS b FROM plan").row(0)
    current = _frame(con, "SELECT indicator_code, region_code, year, breakdown, value FROM observation_current")
    return Context.from_frames(indicators, aliases, regions, (years[0], years[1]), current, today)


def unit_names_index(units: pl.DataFrame) -> dict[str, str]:
    """squash(code | name | alias) → unit code, from a member_unit-shaped frame."""
    index: dict[str, str] = {}
    for code, name, aliases in units.select("code", "name", pl.col("aliases").fill_null("")).iter_rows():
        for n in (code, name, *(a for a in aliases.split("|") if a)):
            index.setdefault(squash(n), code)
    return index


def resolve_unit(con: duckdb.DuckDBPyConnection, text: str | None) -> str | None:
    """Unit code from a code, name or alias; raises ValueError with the known names."""
    if not text:
        return None
    units = _frame(con, "SELECT code, name, coalesce(aliases, '') AS aliases FROM member_unit")
    index = unit_names_index(units)
    key = squash(text)
    for candidate in (key, key.removeprefix("市").removeprefix("县").removeprefix("区")):
        if candidate in index:
            return index[candidate]
    raise ValueError(f"未知成员单位“{text}”（可用：{'、'.join(units['name'])}）")


def default_actor() -> str:
    """Who a change is recorded as when no signed-in user is given: the command line's user."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        who = "未知用户"
    return f"命令行（{who}）"


def _infer_unit(con: duckdb.DuckDBPyConnection, codes: list[str]) -> str | None:
    """The unit that leads most of a file's indicators, when --unit was not given."""
    if not codes:
        return None
    leads = (
        _frame(
            con,
            "SELECT indicator_code, unit_code FROM indicator_unit WHERE role = 'lead' "
            "AND list_contains($codes, indicator_code)",
            {"codes": sorted(set(codes))},
        )
        if codes
        else pl.DataFrame()
    )
    counts = Counter(leads["unit_code"].to_list()) if leads.height else Counter()
    return counts.most_common(1)[0][0] if counts else None


def _store(
    con: duckdb.DuckDBPyConnection,
    report: FileReport,
    checked: CheckedFrames,
    current: pl.DataFrame,
    raw_rows: pl.DataFrame,
    ctx: Context,
    *,
    is_sample: bool,
    actor: str,
    keep_current: bool,
) -> None:
    """Write one file's submission, raw rows, changed values (each a new revision, with its
    audit row), findings and refused rows; with `keep_current`, `ctx.current` then holds the
    new values (for the files loaded after it). `current` is `checked.observations` with the
    value each replaces (null: none)."""
    now = datetime.now()
    sub_id = con.sql(
        "INSERT INTO submission (file_name, sha256, kind, unit_code, loaded_at, status, rows_accepted,"
        " rows_rejected, is_sample) VALUES ($f, $s, 'return', $u, $t, 'loaded', $a, $r, $x) RETURNING id",
        params={
            "f": report.file,
            "s": report.sha256,
            "u": report.unit,
            "t": now,
            "a": report.accepted,
            "r": report.rejected,
            "x": is_sample,
        },
    ).fetchall()[0][0]
    report.submission_id = sub_id
    sub = pl.lit(sub_id, dtype=pl.Int64).alias("submission_id")
    _insert_with_cells(con, "raw_row", _in_sheet_order(raw_rows).with_columns(sub), ["submission_id", "sheet"], "cells")
    key = list(CURRENT_SCHEMA)[:4]
    new = current.rename({"current": "old"})
    same = pl.col("old").is_not_null() & (pl.col("old") == pl.col("value"))
    if new.select(same.any()).item():
        new = new.filter(~same)  # the same value again: nothing new to record
    report.revisions = new.filter(pl.col("old").is_not_null()).height
    report.changed = new.height
    if new.height:
        with registered(con, "_new_keys", new.select(key)):  # one row per key: duplicates were refused
            revisions = query_frame(
                con,
                "SELECT o.indicator_code, o.region_code, o.year::BIGINT AS year, o.breakdown, max(o.revision) AS rev "
                "FROM observation o JOIN _new_keys USING (indicator_code, region_code, year, breakdown) GROUP BY ALL",
            )
        if revisions.height:
            new = look_up(new, revisions, key).with_columns(
                (pl.col("rev").fill_null(0) + 1).cast(pl.Int64).alias("revision")
            )
        else:  # no earlier revision of any of them (a first load): no join over every value
            new = new.with_columns(pl.lit(1, dtype=pl.Int64).alias("revision"))
        insert_frame(
            con,
            "observation",
            new.select(
                *key,
                "value",
                "revision",
                sub,
                "sheet",
                pl.col("row").alias("row_no"),
                pl.col("column").alias("cell"),
                "note",
            ),  # fmt: skip
        )
        insert_frame(
            con,
            "audit_log",
            new.select(
                pl.lit(now, dtype=pl.Datetime("us")).alias("changed_at"),
                pl.lit(actor, dtype=pl.String).alias("actor"),
                pl.lit("load").alias("action"),
                pl.lit(report.file, dtype=pl.String).alias("file"),
                sub,
                pl.lit(report.unit, dtype=pl.String).alias("unit_code"),
                *key,
                pl.col("old").alias("old_value"),
                pl.col("value").alias("new_value"),
                pl.format("工作表“{}”{}{}，第{}版", "sheet", "column", "row", "revision").alias("detail"),
            ),
        )
    if new.height and keep_current:
        ctx.current = pl.concat(
            [ctx.current.join(new.select(key), on=key, how="anti"), new.select(list(CURRENT_SCHEMA))]
        )
    findings = pl.DataFrame(
        [(f.file, f.sheet, f.row, f.column, f.rule, f.severity, f.message) for f in report.findings],
        schema={
            "file": pl.String,
            "sheet": pl.String,
            "row_no": pl.Int64,
            "col": pl.String,
            "rule": pl.String,
            "severity": pl.String,
            "message": pl.String,
        },  # fmt: skip
        orient="row",
    )
    insert_frame(con, "finding", findings.select(sub, pl.all()))
    if checked.rejected.height:  # (the join would hash every raw row even for no refusal)
        rejected = checked.rejected.join(
            raw_rows.drop("sheet", "row"), on="raw_id", how="left", maintain_order="left"
        ).with_columns(sub, pl.col("column").alias("col"), pl.col("n").fill_null(0))
        _insert_with_cells(con, "rejected_row", rejected, ["submission_id", "sheet", "col", "reason"], "raw_cells")


_CELL = re.compile(r"c\d+")


def _in_sheet_order(raw_rows: pl.DataFrame) -> pl.DataFrame:
    """The raw rows by sheet name, then row; the frame itself when it is so already (one sheet
    read top to bottom: sorting would copy every cell)."""
    ordered = raw_rows.select(
        (
            (pl.col("sheet") > pl.col("sheet").shift())
            | ((pl.col("sheet") == pl.col("sheet").shift()) & (pl.col("row") > pl.col("row").shift()))
        )
        .fill_null(True)
        .all()
    ).item()
    return raw_rows if ordered else raw_rows.sort("sheet", "row")


def _insert_with_cells(
    con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame, named: list[str], cells_as: str
) -> None:
    """Append `frame` to `table`: the `named` columns by name, "row" as row_no, and the first
    `n` cells c0, c1, … (etl.returns.walk.RAW_ROWS_SCHEMA) as the list column `cells_as`.
    DuckDB builds the lists, several times faster than polars can."""
    if not frame.height:
        return
    cells = sorted((c for c in frame.columns if _CELL.fullmatch(c)), key=lambda c: int(c[1:]))
    listed = f"list_slice([{', '.join(cells)}]::VARCHAR[], 1, n)" if cells else "[]::VARCHAR[]"
    with registered(con, "_cells_frame", frame):
        con.execute(
            f"INSERT INTO {table} ({', '.join(named)}, row_no, {cells_as}) "
            f"SELECT {', '.join(named)}, row, {listed} FROM _cells_frame"
        )


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    unit: str | None = None,
    year: str | None = None,
    region: str | None = None,
    is_sample: bool = False,
    ctx: Context | None = None,
    actor: str | None = None,
    enforce_unit: bool = False,
    safety: bool = False,
    max_bytes: int | None = None,
    today: date | None = None,
) -> FileReport:
    """Load one return into `con` (inside the caller's transaction). Never raises on bad input.

    `unit` is a member_unit code. When a unit is given, values of indicators it neither leads
    nor shares are refused (`enforce_unit` demands a unit). Values are locked by the approval of
    the indicator's lead unit (and of the unit that sent the current value) for that year,
    whoever loads them, the office included: an approved return needs an unlock first. `actor`
    is recorded in the audit trail for every changed value (default: the command line's user).
    `safety` inspects the file first (size up to `max_bytes`, zip bomb, external links, macros,
    formula cells). `today` (default: the real date) sets the latest year a value may be for.
    """
    from etl.returns.layouts import read_return_frames  # the reader stack is heavy; load it on first use

    path = Path(path)
    if enforce_unit and not unit:
        raise ValueError("按成员单位权限载入时必须指定成员单位")
    digest = sha256_of(path)
    report = FileReport(file=path.name, sha256=digest, status="loaded")
    safety_findings: list[Finding] = []
    if safety:
        from etl.returns.safety import inspect_file

        inspected = inspect_file(path, max_bytes=max_bytes)
        if not inspected.ok:
            report.status, report.findings = "failed", inspected.findings
            report.message = "；".join(f.message for f in inspected.errors)
            return report
        safety_findings = inspected.findings
    # A file sent before counts as "unchanged" unless it was withdrawn (its values no longer
    # count) or some of its values were refused for who sent it or a lock: after an unlock, or
    # sent by the office, the same file must load.
    seen = con.sql(
        "SELECT id FROM submission WHERE sha256 = $s AND status = 'loaded' "
        "AND id NOT IN (SELECT submission_id FROM submission_withdrawal) "
        "AND id NOT IN (SELECT submission_id FROM finding WHERE list_contains($rules, rule))",
        params={"s": digest, "rules": list(CONTEXT_RULES)},
    ).fetchall()
    if seen:
        report.status, report.submission_id = "unchanged", seen[0][0]
        report.message = f"{path.name} 已于之前载入（提交编号 {seen[0][0]}），本次未作改动"
        return report
    try:
        read = read_return_frames(path, year=year, region=region)
    except UnreadableFile as exc:
        return _failed(report, "unreadable", str(exc), safety_findings, row=exc.row)
    except Exception as exc:  # noqa: BLE001 - hostile content may trip any reader library
        # never a traceback for the clerk or the command line: a finding that names the file
        return _failed(
            report,
            "reader_error",
            f"文件“{path.name}”无法读取：内容格式异常（{type(exc).__name__}），未载入任何数值。"
            "请用 Excel 打开后另存为 .xlsx 或“CSV UTF-8（逗号分隔）”再上传。",
            safety_findings,
        )
    shared_ctx = ctx is not None  # the caller loads more files against it
    ctx = ctx or load_context(con, today)
    checked = check_frames(read.values, read.raw_rows, ctx)
    no_values = read.values.is_empty()
    raw_rows = read.raw_rows
    read.values = read.values.clear()  # checked: only the raw rows are still to be stored
    report.findings = [*safety_findings, *read.findings, *checked.findings]
    sheet_errors = [f for f in read.findings if f.severity == SEVERITY_ERROR]
    if no_values and sheet_errors:
        report.status = "failed"
        report.message = "；".join(f.message for f in sheet_errors)
        return report
    if no_values:
        # "载入0个数值" would hide that nothing in the file was a value: say so, and load nothing.
        message = (
            f"文件“{path.name}”中没有任何填写了数值的单元格（只有表头或数值列全部为空），"
            "未载入；请填写“数值”列后再上传。"
        )
        report.findings.append(Finding(path.name, "", None, None, "no_values", SEVERITY_ERROR, message))
        report.status, report.message = "failed", message
        return report
    report.unit = unit or _infer_unit(con, checked.observations["indicator_code"].unique().to_list())
    # A value is recorded as sent by `unit`: whoever names a unit (the unit itself, the office
    # choosing one, `etl load --unit`) may only send that unit's indicators.
    refused = apply_guard(path.name, checked, ctx, load_guard(con, report.unit, enforce_unit or bool(unit)))
    if refused:
        cells = {(f.sheet, f.row, f.column) for f in refused}
        # "loaded as a revision" or "check this value" would contradict the refusal of the same cell
        report.findings = [
            f for f in report.findings if not (f.severity == SEVERITY_WARNING and (f.sheet, f.row, f.column) in cells)
        ] + refused
    place = ["sheet", "row", "column"]
    report.accepted = checked.observations.select(place).unique().height
    report.rejected = checked.rejected.select(place).unique().height
    report.missing = checked.missing
    key = list(CURRENT_SCHEMA)[:4]
    last_year = ctx.current.select(
        "indicator_code",
        "region_code",
        (pl.col("year") + 1).alias("year"),
        "breakdown",
        pl.col("value").alias("last_year"),
    )
    # each value with the one it replaces: for the report, and for the store to tell what changed
    current = look_up(checked.observations, ctx.current.rename({"value": "current"}), key)
    report.value_frame = look_up(current.select(*key, "value", "current"), last_year, key).hstack(
        checked.observations.select("sheet", "row", "column")
    )
    _store(
        con,
        report,
        checked,
        current,
        raw_rows,
        ctx,
        is_sample=is_sample,
        actor=actor or default_actor(),
        keep_current=shared_ctx,
    )
    report.message = (
        f"{path.name}：载入{report.accepted}个数值（其中修订{report.revisions}个），"
        f"拒绝{report.rejected}个，标为无数据（—）{report.missing}个"
    )
    return report


def _failed(report: FileReport, rule: str, message: str, earlier: list[Finding], row: int | None = None) -> FileReport:
    report.status, report.message = "failed", message
    report.findings = [*earlier, Finding(report.file, "", row, None, rule, SEVERITY_ERROR, message)]
    return report


def load_files(
    con: duckdb.DuckDBPyConnection,
    paths: list[Path],
    *,
    unit: str | None = None,
    year: str | None = None,
    region: str | None = None,
    is_sample: bool = False,
    on_file=None,
    actor: str | None = None,
    enforce_unit: bool = False,
    safety: bool = False,
    max_bytes: int | None = None,
) -> list[FileReport]:
    """Load several files in one transaction; each file sees the values of those before it."""
    unit_code = resolve_unit(con, unit)
    ctx = load_context(con)
    reports = []
    for path in paths:
        report = load_file(
            con,
            path,
            unit=unit_code,
            year=year,
            region=region,
            is_sample=is_sample,
            ctx=ctx,
            actor=actor,
            enforce_unit=enforce_unit,
            safety=safety,
            max_bytes=max_bytes,
        )
        reports.append(report)
        if on_file:
            on_file(report)
    return reports


def preview_file(db_path: Path, path: Path, **options) -> FileReport:
    """What loading `path` would do, without changing anything: every finding, per cell.

    Runs the very same `load_file` (reader, validator, unit and lock checks) on a throwaway copy
    of the database inside a transaction that is rolled back; the live file is only read. The
    copy is private, so a preview never waits for, or blocks, a writer.
    """
    from etl.core.store import scratch_copy

    with tempfile.TemporaryDirectory(prefix="fuer-preview-") as folder:
        con = scratch_copy(Path(db_path), Path(folder) / "preview.duckdb")
        try:
            con.begin()
            try:
                report = load_file(con, path, **options)
            finally:
                con.rollback()
        finally:
            con.close()
    report.dry_run = True
    if report.status == "loaded":
        report.submission_id = None  # nothing was saved; the number would be assigned on loading
        report.message = (
            f"{report.file}：预检（尚未保存）— 可载入{report.accepted}个数值"
            f"（其中修订{report.revisions}个），拒绝{report.rejected}个，标为无数据（—）{report.missing}个"
        )
    return report


def submit_file(db_path: Path, path: Path, **options) -> FileReport:
    """Load `path` through the one write path (etl.core.store.publish): all of it or nothing."""
    from etl.core.store import publish

    def change(con: duckdb.DuckDBPyConnection) -> tuple[FileReport, bool]:
        report = load_file(con, path, **options)
        return report, report.status == "loaded"

    return publish(Path(db_path), change)
