"""Load member-unit returns into an open (write) connection: read → check → store.

One function per concern: reading the DB state validation needs, resolving the unit, and
writing one file's submission, raw rows, observations (as revisions), findings and rejects.
"""

from __future__ import annotations

import getpass
import hashlib
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from etl.core import bounds
from etl.core.records import OFFICE_UNIT, SEVERITY_ERROR, SEVERITY_WARNING, Finding, Observation, UnreadableFile
from etl.core.store import insert_rows
from etl.core.text import squash
from etl.returns.validate import CheckResult, Context, Key, Rejected, check_values

OFFICE_NAME = "妇儿工委办"  # the only role that can unlock an approved return
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
    # every value the load saves: indicator_code, region_code, year, breakdown, value, current
    # (the value it replaces, if any), last_year (same value a year earlier), sheet, row, column
    values: list[dict[str, object]] = field(default_factory=list)

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


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pl.DataFrame:
    return con.sql(sql, params=params).pl() if params else con.sql(sql).pl()


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
    cur: dict[Key, float] = {(a, b, c, d): v for a, b, c, d, v in current.iter_rows()}
    return Context.from_frames(indicators, aliases, regions, (years[0], years[1]), cur, today)


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


_S, _I, _F = pl.String, pl.Int64, pl.Float64
_RAW_ROW = {"submission_id": _I, "sheet": _S, "row_no": _I, "cells": pl.List(_S)}
_OBSERVATION = {
    "indicator_code": _S,
    "region_code": _S,
    "year": _I,
    "breakdown": _S,
    "value": _F,
    "revision": _I,
    "submission_id": _I,
    "sheet": _S,
    "row_no": _I,
    "cell": _S,
    "note": _S,
}
_AUDIT = {
    "changed_at": pl.Datetime("us"),
    "actor": _S,
    "action": _S,
    "file": _S,
    "submission_id": _I,
    "unit_code": _S,
    "indicator_code": _S,
    "region_code": _S,
    "year": _I,
    "breakdown": _S,
    "old_value": _F,
    "new_value": _F,
    "detail": _S,
}


def _store(
    con: duckdb.DuckDBPyConnection,
    report: FileReport,
    checked: CheckResult,
    raw_rows,
    ctx: Context,
    *,
    is_sample: bool,
    actor: str,
) -> None:
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
    if raw_rows:
        insert_rows(
            con,
            "raw_row",
            _RAW_ROW,
            [
                (sub_id, s, r, [None if c is None else str(c) for c in cells])
                for (s, r), cells in sorted(raw_rows.items())
            ],
        )
    new = []
    audit = []
    revisions = _frame(
        con, "SELECT indicator_code, region_code, year, breakdown, max(revision) AS rev FROM observation GROUP BY ALL"
    )
    last_rev = {(a, b, c, d): r for a, b, c, d, r in revisions.iter_rows()}
    for o in checked.observations:
        key = (o.indicator_code, o.region_code, o.year, o.breakdown)
        old = ctx.current.get(key)
        if old == o.value:
            continue  # same value again: nothing new to record
        if key in ctx.current:
            report.revisions += 1
        rev = last_rev.get(key, 0) + 1
        new.append(
            (
                o.indicator_code,
                o.region_code,
                o.year,
                o.breakdown,
                o.value,
                rev,
                sub_id,
                o.sheet,
                o.row,
                o.column,
                o.note,
            )
        )
        audit.append(
            (
                now,
                actor,
                "load",
                report.file,
                sub_id,
                report.unit,
                o.indicator_code,
                o.region_code,
                o.year,
                o.breakdown,
                old,
                o.value,
                f"工作表“{o.sheet}”{o.column}{o.row}，第{rev}版",
            )
        )
        ctx.current[key] = o.value
    report.changed = len(new)
    if new:
        insert_rows(con, "observation", _OBSERVATION, new)
        insert_rows(con, "audit_log", _AUDIT, audit)
    if report.findings:
        con.executemany(
            "INSERT INTO finding VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(sub_id, f.file, f.sheet, f.row, f.column, f.rule, f.severity, f.message) for f in report.findings],
        )
    if checked.rejected:
        con.executemany(
            "INSERT INTO rejected_row VALUES (?, ?, ?, ?, ?, ?)",
            [(sub_id, r.sheet, r.row, r.column, list(r.raw_cells), r.reason) for r in checked.rejected],
        )


def _where(file: str, o: Observation) -> str:
    return f"{file} 工作表“{o.sheet}”第{o.row}行{o.column}列"


@dataclass(frozen=True)
class _Guard:
    """What a load may not change: other units' indicators, approved (locked) returns."""

    unit: str | None
    unit_names: dict[str, str]
    own: frozenset[str] | None  # indicators the unit leads or shares; None = not enforced
    approved: dict[tuple[str, int], tuple[str, datetime]]  # (unit, year) → approver, when
    # current values → (the unit that sent it, the audit id of its load; None = before the log)
    current_owner: dict[Key, tuple[str | None, int | None]]
    responsible: dict[str, tuple[list[str], list[str]]]  # indicator → (lead names, shared names)
    owners: dict[str, list[str]]  # indicator → its lead unit codes: their approval locks it
    unit_indicators: frozenset[str] = frozenset()  # what the loading unit leads or shares
    approval_mark: dict[tuple[str, int], int] = field(default_factory=dict)  # (unit, year) → audit id

    def lock_holder(self, key: Key, year: int) -> str | None:
        """The unit whose approved return for `year` locks `key`, whoever is loading it.

        An approval locks the values it approved: those current when it was given. A blank
        (no current value) and a value sent after the approval (补报, awaiting review) are open.
        """
        if key not in self.current_owner:
            return None
        sender, loaded = self.current_owner[key]
        # the loading unit's own approval never locks an indicator it has nothing to do with
        mine = (self.unit,) if key[0] in self.unit_indicators else ()
        for unit in (*mine, *self.owners.get(key[0], ()), sender):
            if unit and (unit, year) in self.approved:
                mark = self.approval_mark.get((unit, year))
                if loaded is None or mark is None or loaded < mark:
                    return unit
        return None


def _guard(con: duckdb.DuckDBPyConnection, unit: str | None, enforce_unit: bool) -> _Guard:
    names = dict(_frame(con, "SELECT code, name FROM member_unit").iter_rows())
    roles = _frame(con, "SELECT indicator_code, unit_code, role FROM indicator_unit ORDER BY unit_code")
    owners: dict[str, list[str]] = {}
    for code, u, role in roles.iter_rows():
        if role == "lead":
            owners.setdefault(code, []).append(u)
    approved = {
        (u, y): (a, t)
        for u, y, a, t in _frame(
            con, "SELECT unit_code, year, actor, acted_at FROM approval_current WHERE state = 'approved'"
        ).iter_rows()
    }
    # the audit log's ids order loads and approvals in one sequence (timestamps may be back-dated)
    current = _frame(
        con,
        """
        WITH loads AS (SELECT submission_id, min(id) AS lid FROM audit_log WHERE action = 'load' GROUP BY ALL)
        SELECT o.indicator_code, o.region_code, o.year, o.breakdown, o.unit_code, loads.lid
        FROM observation_current o LEFT JOIN loads ON loads.submission_id = o.submission_id""",
    )
    marks = _frame(con, "SELECT unit_code, year, max(id) AS aid FROM audit_log WHERE action = 'approved' GROUP BY ALL")
    own = None
    responsible: dict[str, tuple[list[str], list[str]]] = {}
    if enforce_unit:
        own = frozenset(c for c, u, _ in roles.iter_rows() if u == unit)
        if unit == OFFICE_UNIT:
            # the office judges every 定性 goal (an indicator without a unit) and reports what
            # no unit leads
            judged = _frame(
                con,
                "SELECT code FROM indicator WHERE coalesce(trim(unit), '') = '' OR code NOT IN "
                "(SELECT indicator_code FROM indicator_unit WHERE role = 'lead')",
            )
            own |= frozenset(judged.get_column("code").to_list())
        for code, u, role in roles.iter_rows():
            lead, shared = responsible.setdefault(code, ([], []))
            (lead if role == "lead" else shared).append(names.get(u, u))
    mine = frozenset(c for c, u, _ in roles.iter_rows() if u == unit)
    return _Guard(
        unit,
        names,
        own,
        approved,
        {(a, b, c, d): (u, lid) for a, b, c, d, u, lid in current.iter_rows()},
        responsible,
        owners,
        mine,
        {(u, y): aid for u, y, aid in marks.iter_rows()},
    )


def _apply_guard(file: str, checked: CheckResult, raw_rows: dict, ctx: Context, guard: _Guard) -> list[Finding]:
    """Move refused observations to `checked.rejected`; returns the findings saying why.

    Enforced here, in the load itself, so no caller (page, command line, script) can skip it.
    A value equal to the one already current changes nothing and is never refused.
    """
    findings: list[Finding] = []
    kept: list[Observation] = []
    unit_name = guard.unit_names.get(guard.unit or "", guard.unit or "")
    for o in checked.observations:
        key = (o.indicator_code, o.region_code, o.year, o.breakdown)
        info = ctx.info[o.indicator_code]
        rule = message = None
        if guard.own is not None and o.indicator_code not in guard.own:
            lead, shared = guard.responsible.get(o.indicator_code, ([], []))
            owner = f"由{'、'.join(lead)}牵头" if lead else "未指定牵头单位"
            if shared:
                owner += f"（责任单位：{'、'.join(shared)}）"
            rule = "not_own_indicator"
            message = (
                f"指标“{info.name}”（{o.indicator_code}）{owner}，不是{unit_name}负责的指标，"
                f"{unit_name}不能报送或修改该指标的数据，本值未载入。"
            )
        elif ctx.current.get(key) != o.value:
            locked = guard.lock_holder(key, o.year)
            if locked is not None:
                who, when = guard.approved[(locked, o.year)]
                rule = "locked"
                message = (
                    f"{guard.unit_names.get(locked, locked)}{o.year}年报表已审核通过（{who}，"
                    f"{when:%Y-%m-%d %H:%M}），数据已锁定，“{info.name}”本值未载入。"
                    f"如需更正，请联系{OFFICE_NAME}（工委办）解锁后再上传。"
                )
        if rule is None:
            kept.append(o)
            continue
        findings.append(Finding(file, o.sheet, o.row, o.column, rule, SEVERITY_ERROR, f"{_where(file, o)}：{message}"))
        checked.rejected.append(
            Rejected(
                o.sheet, o.row, o.column, tuple(raw_rows.get((o.sheet, o.row), ())), f"{_where(file, o)}：{message}"
            )
        )
    checked.observations = kept
    return findings


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
    from etl.returns.layouts import read_return  # the reader stack is heavy; load it on first use

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
        read = read_return(path, year=year, region=region)
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
    ctx = ctx or load_context(con, today)
    checked = check_values(read.values, ctx)
    report.findings = [*safety_findings, *read.findings, *checked.findings]
    sheet_errors = [f for f in read.findings if f.severity == SEVERITY_ERROR]
    if not read.values and sheet_errors:
        report.status = "failed"
        report.message = "；".join(f.message for f in sheet_errors)
        return report
    if not read.values:
        # "载入0个数值" would hide that nothing in the file was a value: say so, and load nothing.
        message = (
            f"文件“{path.name}”中没有任何填写了数值的单元格（只有表头或数值列全部为空），"
            "未载入；请填写“数值”列后再上传。"
        )
        report.findings.append(Finding(path.name, "", None, None, "no_values", SEVERITY_ERROR, message))
        report.status, report.message = "failed", message
        return report
    report.unit = unit or _infer_unit(con, [o.indicator_code for o in checked.observations])
    raw_rows = {(v.sheet, v.row): v.raw_cells for v in read.values}
    # A value is recorded as sent by `unit`: whoever names a unit (the unit itself, the office
    # choosing one, `etl load --unit`) may only send that unit's indicators.
    refused = _apply_guard(path.name, checked, raw_rows, ctx, _guard(con, report.unit, enforce_unit or bool(unit)))
    if refused:
        cells = {(f.sheet, f.row, f.column) for f in refused}
        # "loaded as a revision" or "check this value" would contradict the refusal of the same cell
        report.findings = [
            f for f in report.findings if not (f.severity == SEVERITY_WARNING and (f.sheet, f.row, f.column) in cells)
        ] + refused
    report.accepted = len({(o.sheet, o.row, o.column) for o in checked.observations})
    report.rejected = len({(r.sheet, r.row, r.column) for r in checked.rejected})
    report.missing = checked.missing
    report.values = [
        {
            "indicator_code": o.indicator_code,
            "region_code": o.region_code,
            "year": o.year,
            "breakdown": o.breakdown,
            "value": o.value,
            "current": ctx.current.get((o.indicator_code, o.region_code, o.year, o.breakdown)),
            "last_year": ctx.current.get((o.indicator_code, o.region_code, o.year - 1, o.breakdown)),
            "sheet": o.sheet,
            "row": o.row,
            "column": o.column,
        }
        for o in checked.observations
    ]
    _store(con, report, checked, raw_rows, ctx, is_sample=is_sample, actor=actor or default_actor())
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
    with tempfile.TemporaryDirectory(prefix="fuer-preview-") as folder:
        copy = Path(folder) / "preview.duckdb"
        shutil.copyfile(db_path, copy)
        con = duckdb.connect(str(copy))
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
