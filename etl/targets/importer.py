"""Import and export a plan's target table (the 主要目标 annex layout plan documents use).

Long layout: 指标名称, 单位, 2025年目标, 2030年目标, 目标类型, 牵头单位, 责任单位, 来源/文号, and
optionally 规划, 地区代码/地区, 指标代码, 备注. Wide layout (per-district targets): 指标名称, 单位,
目标年份, 来源/文号 and one column per district. Every problem is a finding naming sheet, row and
cell; good rows still import, and nothing already entered is lost (an import only appends
revisions). An export states plan and region on every row and reads back unchanged.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import polars as pl

from etl.core.records import SEVERITY_ERROR, SEVERITY_INFO, SEVERITY_WARNING, Finding
from etl.core.store import publish
from etl.returns.lookup import IndicatorLookup, RegionLookup
from etl.returns.readers import Grid, UnreadableFile, column_letter, read_workbook
from etl.targets.revisions import KIND_ZH, RevisionResult, TargetChange, parsed_change, record, resolve_plan
from etl.targets.text import NUMERIC_KINDS, TargetTextError, is_empty, kind_from_words, parse_target_text, render
from etl.workflow import duties

ALL_REGIONS = "全部地区"
_ALL_REGION_WORDS = frozenset({"", "全部", ALL_REGIONS, "全市", "全区", "全县", "所有地区"})
_YEAR_HEADER = re.compile(r"^((?:20[2-3]\d))年?(?:目标|目标值)?$")
# header label (squashed) → role
_HEADERS: dict[str, str] = {
    "指标名称": "name",
    "指标": "name",
    "指标项": "name",
    "主要指标": "name",
    "指标代码": "code",
    "单位": "unit",
    "计量单位": "unit",
    "目标类型": "kind",
    "指标属性": "kind",
    "类型": "kind",
    "牵头单位": "lead",
    "责任单位": "shared",
    "配合单位": "shared",
    "来源/文号": "source",
    "来源": "source",
    "文号": "source",
    "目标来源": "source",
    "来源文号": "source",
    "规划": "plan",
    "所属规划": "plan",
    "地区代码": "region_code",
    "地区": "region",
    "区县": "region",
    "目标年份": "year",
    "备注": "note",
}
_IGNORED_HEADERS = frozenset({"序号", "编号", "领域", "说明", "指标类别"})
EXPORT_COLUMNS = ("规划", "地区代码", "地区", "指标代码", "指标名称", "单位")
EXPORT_TAIL = ("目标类型", "牵头单位", "责任单位", "来源/文号", "备注")


def _label(text: str) -> str:
    s = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", "", s).replace("／", "/")


def _unit_key(unit: str | None) -> str:
    s = _label(unit or "")
    return "1/10万" if s in ("/10万", "1/10万", "人/10万", "1/10万人") else s


@dataclass
class PreviewRow:
    """One target cell as read, for the office to confirm (parsed beside the original)."""

    sheet: str
    row: int
    column: str
    indicator_text: str
    indicator_code: str | None
    plan_code: str | None
    region_code: str | None
    target_year: int | None
    original: str
    kind: str | None = None
    value: float | None = None
    unit: str | None = None
    tolerance: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    source: str | None = None
    status: str = "ok"  # ok | error | warning
    message: str = ""


DUTY_PREVIEW_SCHEMA = {
    "工作表": pl.String,
    "行": pl.Int64,
    "指标代码": pl.String,
    "牵头单位（原文）": pl.String,
    "责任单位（原文）": pl.String,
    "牵头单位": pl.String,
    "责任单位": pl.String,
    "结果": pl.String,
    "说明": pl.String,
}


@dataclass
class DutyRow:
    """The 牵头单位 / 责任单位 of one table row, as read (the duty it asks for)."""

    sheet: str
    row: int
    column: str  # the 牵头单位 cell, else the 责任单位 cell
    duty: duties.Duty
    lead_text: str
    shared_text: str
    lead_name: str  # the units recognised, as the directory names them
    shared_names: str
    status: str = "ok"  # ok | unchanged | error
    message: str = ""


@dataclass
class ImportReport:
    file: str
    rows: list[PreviewRow] = field(default_factory=list)
    changes: list[tuple[TargetChange, PreviewRow]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    result: RevisionResult | None = None
    duty_rows: list[DutyRow] = field(default_factory=list)
    duty_result: duties.DutyResult | None = None
    plan_names: dict[str, str] = field(default_factory=dict)  # code → 两纲 / 两规 / 十四五

    def duty_preview(self) -> pl.DataFrame:
        """The units each row names beside the units recognised, in Chinese column names."""
        return pl.DataFrame(
            [
                {
                    "工作表": r.sheet,
                    "行": r.row,
                    "指标代码": r.duty.indicator_code,
                    "牵头单位（原文）": r.lead_text,
                    "责任单位（原文）": r.shared_text,
                    "牵头单位": r.lead_name,
                    "责任单位": r.shared_names,
                    "结果": {"ok": "将更新分工", "unchanged": "与现行分工相同", "error": "有问题"}[r.status],
                    "说明": r.message,
                }
                for r in self.duty_rows
            ],
            schema=DUTY_PREVIEW_SCHEMA,
        )

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == SEVERITY_ERROR]

    def preview(self) -> pl.DataFrame:
        """The parsed targets beside the original wording, in Chinese column names."""
        return pl.DataFrame(
            [
                {
                    "工作表": r.sheet,
                    "行": r.row,
                    "列": r.column,
                    "指标": r.indicator_text,
                    "指标代码": r.indicator_code,
                    "规划": self.plan_names.get(r.plan_code or "", r.plan_code),
                    "地区代码": r.region_code or ALL_REGIONS,
                    "目标年份": r.target_year,
                    "原文": r.original,
                    "解析类型": KIND_ZH.get(r.kind or "", ""),
                    "解析值": r.value,
                    "单位": r.unit,
                    "允许偏差": r.tolerance,
                    "区间下限": r.band_low,
                    "区间上限": r.band_high,
                    "来源/文号": r.source,
                    "结果": {"ok": "可导入", "error": "有问题", "warning": "可导入（有提示）"}[r.status],
                    "说明": r.message,
                }
                for r in self.rows
            ],
            schema_overrides={
                "解析值": pl.Float64,
                "允许偏差": pl.Float64,
                "区间下限": pl.Float64,
                "区间上限": pl.Float64,
                "行": pl.Int64,
                "目标年份": pl.Int64,
            },
        )


class _Reader:
    def __init__(self, con: duckdb.DuckDBPyConnection, file: str, plan: str | None, region: str | None) -> None:
        self.con, self.file = con, file
        self.indicators = con.sql("SELECT code, name, unit, direction FROM indicator").pl()
        self.lookup = IndicatorLookup(
            self.indicators, con.sql("SELECT alias, indicator_code FROM indicator_alias").pl()
        )
        self.regions = RegionLookup(con.sql("SELECT code, name, short_name, level, parent_code FROM region").pl())
        self.units = {c: u for c, u in self.indicators.select("code", "unit").iter_rows()}
        self.directory = duties.UnitDirectory.of(con)
        self.duties_now = duties.current(con)
        self.directions = {c: d for c, d in self.indicators.select("code", "direction").iter_rows()}
        self.plan_default = resolve_plan(con, plan or "两规")
        self.region_default = region
        self.plan_years = {c: y for c, y in con.sql("SELECT code, target_year FROM plan").fetchall()}
        self.report = ImportReport(file, plan_names=dict(con.sql("SELECT code, name FROM plan").fetchall()))
        self.seen: dict[tuple, str] = {}

    def finding(
        self, sheet: str, row: int | None, col: str | None, rule: str, message: str, severity: str = SEVERITY_ERROR
    ) -> None:
        where = f"工作表“{sheet}”" + (f"第{row}行" if row else "") + (f"{col}列" if col else "")
        found = Finding(self.file, sheet, row, col, rule, severity, f"{self.file} {where}：{message}")
        if found not in self.report.findings:  # a name shared by two outlines reports once
            self.report.findings.append(found)

    # --- layout ---------------------------------------------------------------------------

    def read(self, grid: Grid) -> None:
        header_at = next(
            (i for i, (_, cells) in enumerate(grid.rows) if any(_HEADERS.get(_label(c)) == "name" for c in cells)), None
        )
        if header_at is None:
            self.finding(
                grid.sheet, None, None, "no_header", "找不到表头（需要“指标名称”列），本工作表未导入", SEVERITY_WARNING
            )
            return
        header_row, header = grid.rows[header_at]
        roles: dict[str, int] = {}
        years: dict[int, int] = {}
        districts: dict[int, str] = {}
        for i, cell in enumerate(header):
            label = _label(cell)
            if not label or label in _IGNORED_HEADERS:
                continue
            role = _HEADERS.get(label)
            year = _YEAR_HEADER.match(label)
            if role and role not in roles:
                roles[role] = i
            elif year:
                years[i] = int(year.group(1))
            else:
                match = self.regions.resolve(label)
                if len(match.codes) == 1:
                    districts[i] = match.codes[0]
                else:
                    self.finding(
                        grid.sheet,
                        header_row,
                        column_letter(i),
                        "unknown_column",
                        f"表头“{cell}”既不是目标表的列名，也不是地区名称，本列未导入",
                        SEVERITY_WARNING,
                    )
        if not years and not districts:
            self.finding(
                grid.sheet,
                header_row,
                None,
                "no_target_columns",
                "表头中没有目标列（如“2030年目标”）或区县列，本工作表未导入",
            )
            return
        for row_no, cells in grid.rows[header_at + 1 :]:
            self._row(grid.sheet, row_no, cells, roles, years, districts)

    def _cell(self, cells: tuple[str, ...], roles: dict[str, int], role: str) -> str:
        i = roles.get(role)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    # --- one row --------------------------------------------------------------------------

    def _row(
        self,
        sheet: str,
        row_no: int,
        cells: tuple[str, ...],
        roles: dict[str, int],
        years: dict[int, int],
        districts: dict[int, str],
    ) -> None:
        name = self._cell(cells, roles, "name")
        code_text = self._cell(cells, roles, "code")
        if not name and not code_text:
            return
        name_col = column_letter(roles.get("code", roles["name"]) if code_text else roles["name"])
        codes = self._indicator(sheet, row_no, name_col, code_text or name)
        if not codes:
            return
        plan = self._plan(sheet, row_no, cells, roles)
        if plan is None:
            return
        unit_text = self._cell(cells, roles, "unit")
        if unit_text and any(_unit_key(unit_text) != _unit_key(self.units[c]) for c in codes if self.units[c]):
            self.finding(
                sheet,
                row_no,
                column_letter(roles["unit"]),
                "unit_mismatch",
                f"单位“{unit_text}”与指标目录的单位“{self.units[codes[0]]}”不一致，本行未导入",
            )
            return
        try:
            kind_hint = kind_from_words(self._cell(cells, roles, "kind"))
        except TargetTextError as exc:
            self.finding(sheet, row_no, column_letter(roles["kind"]), "unknown_kind", f"{exc}，本行未导入")
            return
        self._duty(sheet, row_no, cells, roles, codes)
        source = self._cell(cells, roles, "source") or None
        note = self._cell(cells, roles, "note") or None
        if districts:
            year_text = self._cell(cells, roles, "year")
            year = int(year_text) if year_text.isdigit() else self.plan_years[plan]
            targets = [(i, year, region) for i, region in districts.items()]
        else:
            region = self._region(sheet, row_no, cells, roles)
            if region is False:
                return
            targets = [(i, year, region) for i, year in years.items()]
        for code in codes:
            parsed_by_year: dict[int, PreviewRow] = {}
            for i, year, region in targets:
                text = cells[i] if i < len(cells) else ""
                if is_empty(text):
                    continue
                preview = self._target(
                    sheet, row_no, i, name or code_text, code, plan, region, year, text, kind_hint, source, note
                )
                if preview is not None and preview.status != "error":
                    parsed_by_year.setdefault(year, preview)
            self._check_years(sheet, row_no, parsed_by_year)

    def _duty(
        self, sheet: str, row_no: int, cells: tuple[str, ...], roles: dict[str, int], codes: tuple[str, ...]
    ) -> None:
        """The row's 牵头单位 / 责任单位 as a duty change; an empty cell keeps what is there."""
        lead_text, shared_text = self._cell(cells, roles, "lead"), self._cell(cells, roles, "shared")
        if not lead_text and not shared_text:
            return
        lead = shared = None
        for role, text, label in (("lead", lead_text, "牵头单位"), ("shared", shared_text, "责任单位")):
            if not text:
                continue
            found, unknown = self.directory.resolve_all(text)
            col = column_letter(roles[role])
            if unknown:
                self.finding(
                    sheet,
                    row_no,
                    col,
                    "unknown_unit",
                    f"{label}“{'、'.join(unknown)}”不在成员单位名录中（可写：{self.directory.known()}），本行分工未导入",
                )
                return
            if role == "lead" and len(found) != 1:
                self.finding(sheet, row_no, col, "several_leads", f"牵头单位只能写一个（“{text}”），本行分工未导入")
                return
            if role == "lead":
                lead = found[0]
            else:
                shared = found
        col = column_letter(roles["lead" if lead_text else "shared"])
        for code in codes:
            duty = replace(
                duties.with_units(self.duties_now[code], lead, shared),
                origin=f"{self.file} 工作表“{sheet}”第{row_no}行{col}列",
            )
            names = (
                self.directory.name(duty.lead_unit),
                "、".join(self.directory.name(u) for u in duty.shared_units),
            )
            self.report.duty_rows.append(DutyRow(sheet, row_no, col, duty, lead_text, shared_text, *names))

    def _indicator(self, sheet: str, row_no: int, col: str, text: str) -> tuple[str, ...]:
        match = self.lookup.resolve(text)
        if len(match.codes) == 1 or match.fan_out:
            return match.codes
        if match.codes:
            self.finding(
                sheet,
                row_no,
                col,
                "ambiguous_indicator",
                f"指标“{text}”对应多个指标（{'、'.join(match.codes)}），请改写指标代码，本行未导入",
            )
            return ()
        hint = self.lookup.suggest(text)
        more = f"；是否为：{'、'.join(hint)}" if hint else ""
        self.finding(sheet, row_no, col, "unknown_indicator", f"指标“{text}”不在指标目录中{more}，本行未导入")
        return ()

    def _plan(self, sheet: str, row_no: int, cells: tuple[str, ...], roles: dict[str, int]) -> str | None:
        text = self._cell(cells, roles, "plan")
        if not text:
            return self.plan_default
        try:
            return resolve_plan(self.con, text)
        except ValueError as exc:
            self.finding(sheet, row_no, column_letter(roles["plan"]), "unknown_plan", f"{exc}，本行未导入")
            return None

    def _region(self, sheet: str, row_no: int, cells: tuple[str, ...], roles: dict[str, int]) -> str | None | bool:
        """The row's region code, None for every region, False when it cannot be read."""
        for role in ("region_code", "region"):
            if role not in roles:
                continue
            text = self._cell(cells, roles, role)
            if _label(text) in _ALL_REGION_WORDS:
                return None
            match = self.regions.resolve(text)
            if len(match.codes) == 1:
                return match.codes[0]
            self.finding(
                sheet,
                row_no,
                column_letter(roles[role]),
                "unknown_region",
                f"地区“{text}”无法识别" + ("（对应多个地区）" if match.codes else "") + "，本行未导入",
            )
            return False
        return self.region_default

    def _target(
        self,
        sheet: str,
        row_no: int,
        i: int,
        indicator_text: str,
        code: str,
        plan: str,
        region: str | None,
        year: int,
        text: str,
        kind_hint: str | None,
        source: str | None,
        note: str | None,
    ) -> PreviewRow | None:
        col = column_letter(i)
        preview = PreviewRow(sheet, row_no, col, indicator_text, code, plan, region, year, text.strip(), source=source)
        self.report.rows.append(preview)
        try:
            parsed = parse_target_text(text, kind_hint=kind_hint, direction=self.directions.get(code))
        except TargetTextError as exc:
            return self._bad(preview, "unparseable_target", f"目标“{text.strip()}”无法识别：{exc}，本格未导入")
        preview.kind, preview.value, preview.unit, preview.tolerance = (
            parsed.kind,
            parsed.value,
            parsed.unit,
            parsed.tolerance,
        )
        preview.band_low, preview.band_high = parsed.band_low, parsed.band_high
        unit = self.units.get(code)
        if parsed.unit and unit and _unit_key(parsed.unit) != _unit_key(unit):
            return self._bad(
                preview,
                "unit_mismatch",
                f"目标“{text.strip()}”的单位“{parsed.unit}”与指标单位“{unit}”不一致，本格未导入",
            )
        key = (plan, code, region, year)
        if key in self.seen:
            return self._bad(preview, "duplicate", f"与{self.seen[key]}重复（同一指标、地区、目标年份），本格未导入")
        self.seen[key] = f"工作表“{sheet}”第{row_no}行{col}列"
        if parsed.kind in NUMERIC_KINDS and not source:
            return self._bad(preview, "missing_source", "数值目标必须注明来源/文号，本格未导入")
        if parsed.kind == "band" and parsed.tolerance is None and not parsed.is_range:
            preview.status, preview.message = "warning", "未写明允许偏差（如“左右（±2）”），导入后按目标待设定显示"
            self.finding(sheet, row_no, col, "band_without_tolerance", preview.message, SEVERITY_WARNING)
        change = parsed_change(
            plan,
            code,
            region,
            year,
            parsed,
            text,
            source=source,
            note=note,
            origin=f"{self.file} 工作表“{sheet}”第{row_no}行{col}列",
        )
        self.report.changes.append((change, preview))
        return preview

    def _bad(self, preview: PreviewRow, rule: str, message: str) -> PreviewRow:
        preview.status, preview.message = "error", message
        self.finding(preview.sheet, preview.row, preview.column, rule, message)
        return preview

    def _check_years(self, sheet: str, row_no: int, by_year: dict[int, PreviewRow]) -> None:
        """A later target may not ask for less than an earlier one in the same row."""
        years = sorted(y for y, p in by_year.items() if p.kind in ("at_least", "at_most") and p.value is not None)
        for earlier, later in zip(years, years[1:], strict=False):
            a, b = by_year[earlier], by_year[later]
            if a.kind != b.kind:
                continue
            if (a.kind == "at_least" and b.value < a.value) or (a.kind == "at_most" and b.value > a.value):
                message = (
                    f"{later}年目标“{b.original}”低于{earlier}年目标“{a.original}”的要求，请核对，本行两个目标均未导入"
                )
                for p in (a, b):
                    p.status, p.message = "error", message
                self.report.changes = [(c, p) for c, p in self.report.changes if p not in (a, b)]
                self.finding(sheet, row_no, b.column, "later_less_ambitious", message)


def read_plan_table(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    plan: str | None = None,
    region: str | None = None,
    file_name: str | None = None,
) -> ImportReport:
    """Read a plan target table into changes and findings, without writing anything."""
    name = file_name or Path(path).name
    reader = _Reader(con, name, plan, region)
    try:
        workbook = read_workbook(Path(path))
    except UnreadableFile as exc:
        reader.finding("", None, None, "unreadable", str(exc))
        return reader.report
    for grid in workbook.grids:
        reader.read(grid)
    for skipped in workbook.skipped:
        reader.finding(skipped.sheet, None, None, "skipped_sheet", skipped.reason, SEVERITY_INFO)
    _judge_duties(reader.report, duties.classify(con, [r.duty for r in reader.report.duty_rows]), findings=True)
    return reader.report


def _judge_duties(report: ImportReport, result: duties.DutyResult, *, findings: bool) -> None:
    """Mark each duty row with what happens to it; a refused one is a finding on its cell."""
    by_id = {id(r.duty): r for r in report.duty_rows}
    for duty in result.unchanged:
        by_id[id(duty)].status = "unchanged"
    for duty, why in result.refused:
        row = by_id[id(duty)]
        row.status, row.message = "error", f"{why}，本行分工未导入"
        if findings:
            report.findings.append(
                Finding(
                    report.file,
                    row.sheet,
                    row.row,
                    row.column,
                    "duty_refused",
                    SEVERITY_ERROR,
                    f"{report.file} 工作表“{row.sheet}”第{row.row}行{row.column}列：{row.message}",
                )
            )


def import_plan_table(
    db_path: Path,
    path: Path,
    *,
    actor: str,
    reason: str | None = None,
    plan: str | None = None,
    region: str | None = None,
    file_name: str | None = None,
) -> ImportReport:
    """Read `path` and record every good target as a revision through the one write path."""
    name = file_name or Path(path).name

    def change(con: duckdb.DuckDBPyConnection) -> tuple[ImportReport, bool]:
        report = read_plan_table(con, path, plan=plan, region=region, file_name=name)
        report.result = record(con, [c for c, _ in report.changes], actor=actor, reason=reason or f"导入目标表 {name}")
        where = {id(c): p for c, p in report.changes}
        for c, why in report.result.refused:
            p = where[id(c)]
            p.status, p.message = "error", f"{why}，本格未导入"
            report.findings.append(
                Finding(
                    name,
                    p.sheet,
                    p.row,
                    p.column,
                    "refused",
                    SEVERITY_ERROR,
                    f"{name} 工作表“{p.sheet}”第{p.row}行{p.column}列：{p.message}",
                )
            )
        report.duty_result = duties.record(
            con, [r.duty for r in report.duty_rows], actor=actor, reason=reason or f"导入目标表 {name}"
        )
        _judge_duties(report, report.duty_result, findings=False)  # read_plan_table reported the refused
        return report, bool(report.result.added or report.duty_result.added)

    return publish(Path(db_path), change)


def export_frame(con: duckdb.DuckDBPyConnection, *, plan: str | None = None, region: str | None = None) -> pl.DataFrame:
    """Effective targets in the annex layout, plan and region stated on every row."""
    plan_code = resolve_plan(con, plan) if plan else None
    rows = con.sql(
        """
        SELECT p.name AS plan_name, t.region_code, g.name AS region_name, t.indicator_code, i.name AS indicator_name,
               i.unit, t.target_year, t.kind, t.value, t.band_low, t.band_high, t.tolerance, t.target_text,
               t.source, t.note,
               c.lead_unit, c.other_units
        FROM target_effective t JOIN plan p ON p.code = t.plan_code JOIN indicator i ON i.code = t.indicator_code
        LEFT JOIN region g ON g.code = t.region_code
        LEFT JOIN indicator_catalogue c ON c.indicator_code = t.indicator_code
        WHERE ($plan IS NULL OR t.plan_code = $plan)
          AND ($region IS NULL OR t.region_code IS NOT DISTINCT FROM $region)
        ORDER BY t.plan_code, t.region_code NULLS FIRST, t.indicator_code, t.target_year
        """,
        params={"plan": plan_code, "region": region},
    ).pl()
    years = sorted(set(rows.get_column("target_year").to_list()))
    grouped: dict[tuple, dict[str, str]] = {}
    for r in rows.iter_rows(named=True):
        cell = render(
            r["kind"],
            r["value"],
            r["unit"],
            r["tolerance"],
            r["target_text"],
            band_low=r["band_low"],
            band_high=r["band_high"],
        )
        if not cell:
            continue  # a target without a value (目标待设定) has nothing to write
        key = (r["plan_name"], r["region_code"], r["indicator_code"], r["kind"], r["source"], r["note"])
        out = grouped.setdefault(
            key,
            {
                "规划": r["plan_name"],
                "地区代码": r["region_code"] or "全部",
                "地区": r["region_name"] or ALL_REGIONS,
                "指标代码": r["indicator_code"],
                "指标名称": r["indicator_name"],
                "单位": r["unit"] or "",
                **{f"{y}年目标": "" for y in years},
                "目标类型": KIND_ZH[r["kind"]],
                "牵头单位": r["lead_unit"] or "",
                "责任单位": r["other_units"] or "",
                "来源/文号": r["source"] or "",
                "备注": r["note"] or "",
            },
        )
        if out[f"{r['target_year']}年目标"]:  # two rows of one group for one year cannot happen (key)
            raise AssertionError("duplicate target key")
        out[f"{r['target_year']}年目标"] = cell
    columns = [*EXPORT_COLUMNS, *(f"{y}年目标" for y in years), *EXPORT_TAIL]
    return pl.DataFrame(list(grouped.values()), schema=dict.fromkeys(columns, pl.String))


def write_export(frame: pl.DataFrame, path: Path) -> None:
    """xlsx by suffix, else CSV that Excel opens with Chinese intact."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        frame.write_excel(path, worksheet="目标")
    else:
        frame.write_csv(path, include_bom=True)
