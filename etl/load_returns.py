"""Load member-unit returns into an open (write) connection: read → check → store.

One function per concern: reading the DB state validation needs, resolving the unit, and
writing one file's submission, raw rows, observations (as revisions), findings and rejects.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from etl.records import SEVERITY_ERROR, Finding, UnreadableFile
from etl.text import squash
from etl.validate import CheckResult, Context, Key, check_values


@dataclass
class FileReport:
    file: str
    sha256: str
    status: str  # loaded | unchanged | failed
    accepted: int = 0
    rejected: int = 0
    missing: int = 0
    revisions: int = 0  # accepted values that changed an earlier value
    submission_id: int | None = None
    unit: str | None = None
    message: str = ""
    findings: list[Finding] = field(default_factory=list)

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


def load_context(con: duckdb.DuckDBPyConnection) -> Context:
    """Catalogue, regions, plan years and current values, as validation needs them."""
    indicators = _frame(con, "SELECT code, name, unit, plausible_min, plausible_max, breakdowns FROM indicator")
    aliases = _frame(con, "SELECT alias, indicator_code FROM indicator_alias")
    regions = _frame(con, "SELECT code, name, short_name FROM region")
    years = _frame(con, "SELECT min(base_year) AS a, max(target_year) AS b FROM plan").row(0)
    current = _frame(con, "SELECT indicator_code, region_code, year, breakdown, value FROM observation_current")
    cur: dict[Key, float] = {(a, b, c, d): v for a, b, c, d, v in current.iter_rows()}
    return Context.from_frames(indicators, aliases, regions, (years[0], years[1]), cur)


def resolve_unit(con: duckdb.DuckDBPyConnection, text: str | None) -> str | None:
    """Unit code from a code, name or alias; raises ValueError with the known names."""
    if not text:
        return None
    units = _frame(con, "SELECT code, name, coalesce(aliases, '') AS aliases FROM member_unit")
    key = squash(text)
    for code, name, aliases in units.iter_rows():
        names = {squash(code), squash(name), *(squash(a) for a in aliases.split("|") if a)}
        if key in names or key.removeprefix("市").removeprefix("县").removeprefix("区") in names:
            return code
    raise ValueError(f"未知成员单位“{text}”（可用：{'、'.join(units['name'])}）")


def _infer_unit(con: duckdb.DuckDBPyConnection, codes: list[str]) -> str | None:
    """The unit that leads most of a file's indicators, when --unit was not given."""
    if not codes:
        return None
    leads = _frame(
        con,
        "SELECT indicator_code, unit_code FROM indicator_unit WHERE role = 'lead' "
        "AND list_contains($codes, indicator_code)",
        {"codes": sorted(set(codes))},
    ) if codes else pl.DataFrame()
    counts = Counter(leads["unit_code"].to_list()) if leads.height else Counter()
    return counts.most_common(1)[0][0] if counts else None


def _store(con: duckdb.DuckDBPyConnection, report: FileReport, checked: CheckResult, raw_rows,
           ctx: Context, *, is_sample: bool) -> None:
    sub_id = con.sql(
        "INSERT INTO submission (file_name, sha256, kind, unit_code, loaded_at, status, rows_accepted,"
        " rows_rejected, is_sample) VALUES ($f, $s, 'return', $u, $t, 'loaded', $a, $r, $x) RETURNING id",
        params={"f": report.file, "s": report.sha256, "u": report.unit, "t": datetime.now(),
                "a": report.accepted, "r": report.rejected, "x": is_sample},
    ).fetchall()[0][0]
    report.submission_id = sub_id
    if raw_rows:
        con.executemany("INSERT INTO raw_row VALUES (?, ?, ?, ?)",
                        [(sub_id, s, r, list(cells)) for (s, r), cells in sorted(raw_rows.items())])
    new = []
    revisions = _frame(con, "SELECT indicator_code, region_code, year, breakdown, max(revision) AS rev "
                            "FROM observation GROUP BY ALL")
    last_rev = {(a, b, c, d): r for a, b, c, d, r in revisions.iter_rows()}
    for o in checked.observations:
        key = (o.indicator_code, o.region_code, o.year, o.breakdown)
        if ctx.current.get(key) == o.value:
            continue  # same value again: nothing new to record
        if key in ctx.current:
            report.revisions += 1
        rev = last_rev.get(key, 0) + 1
        new.append((o.indicator_code, o.region_code, o.year, o.breakdown, o.value, rev, sub_id,
                    o.sheet, o.row, o.column, o.note))
        ctx.current[key] = o.value
    if new:
        con.executemany(
            "INSERT INTO observation (indicator_code, region_code, year, breakdown, value, revision,"
            " submission_id, sheet, row_no, cell, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", new)
    if report.findings:
        con.executemany("INSERT INTO finding VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [(sub_id, f.file, f.sheet, f.row, f.column, f.rule, f.severity, f.message)
                         for f in report.findings])
    if checked.rejected:
        con.executemany("INSERT INTO rejected_row VALUES (?, ?, ?, ?, ?, ?)",
                        [(sub_id, r.sheet, r.row, r.column, list(r.raw_cells), r.reason)
                         for r in checked.rejected])


def load_file(con: duckdb.DuckDBPyConnection, path: Path, *, unit: str | None = None,
              year: str | None = None, region: str | None = None, is_sample: bool = False,
              ctx: Context | None = None) -> FileReport:
    """Load one return into `con` (inside the caller's transaction). Never raises on bad input."""
    from etl.layouts import read_return  # the reader stack is heavy; load it on first use

    path = Path(path)
    digest = sha256_of(path)
    report = FileReport(file=path.name, sha256=digest, status="loaded")
    seen = con.sql("SELECT id FROM submission WHERE sha256 = $s AND status = 'loaded'",
                   params={"s": digest}).fetchall()
    if seen:
        report.status, report.submission_id = "unchanged", seen[0][0]
        report.message = f"{path.name} 已于之前载入（提交编号 {seen[0][0]}），本次未作改动"
        return report
    try:
        read = read_return(path, year=year, region=region)
    except UnreadableFile as exc:
        report.status, report.message = "failed", str(exc)
        report.findings.append(Finding(path.name, "", None, None, "unreadable", SEVERITY_ERROR, str(exc)))
        return report
    ctx = ctx or load_context(con)
    checked = check_values(read.values, ctx)
    report.findings = [*read.findings, *checked.findings]
    sheet_errors = [f for f in read.findings if f.severity == SEVERITY_ERROR]
    if not read.values and sheet_errors:
        report.status = "failed"
        report.message = "；".join(f.message for f in sheet_errors)
        return report
    report.accepted = len({(o.sheet, o.row, o.column) for o in checked.observations})
    report.rejected = len({(r.sheet, r.row, r.column) for r in checked.rejected})
    report.missing = checked.missing
    report.unit = unit or _infer_unit(con, [o.indicator_code for o in checked.observations])
    raw_rows = {(v.sheet, v.row): v.raw_cells for v in read.values}
    _store(con, report, checked, raw_rows, ctx, is_sample=is_sample)
    report.message = (f"{path.name}：载入{report.accepted}个数值（其中修订{report.revisions}个），"
                      f"拒绝{report.rejected}个，空缺{report.missing}个")
    return report


def load_files(con: duckdb.DuckDBPyConnection, paths: list[Path], *, unit: str | None = None,
               year: str | None = None, region: str | None = None, is_sample: bool = False,
               on_file=None) -> list[FileReport]:
    """Load several files in one transaction; each file sees the values of those before it."""
    unit_code = resolve_unit(con, unit)
    ctx = load_context(con)
    reports = []
    for path in paths:
        report = load_file(con, path, unit=unit_code, year=year, region=region, is_sample=is_sample, ctx=ctx)
        reports.append(report)
        if on_file:
            on_file(report)
    return reports
