"""Turn a return's sheets into one raw value per value cell, whatever the sheet's layout.

`etl.returns.readers` gives text grids, `etl.returns.header` finds the header and the role of each column;
this module reads what the block above the header states (the sheet's year and district, or
the caller's overrides), reports the decorations it skips, and has `etl.returns.walk` resolve
each data row's indicator, district, year and breakdown. It never interprets codes or numbers
(that is `etl.returns.validate`). The loader takes the values as frames (`read_return_frames`);
`read_return` gives them as RawValue records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from etl.core.records import (
    SEVERITY_ERROR,
    SEVERITY_INFO,
    SEVERITY_WARNING,
    Finding,
    RawValue,
    ReadResult,
    UnreadableFile,
)
from etl.returns.header import (
    Role,
    TableHeader,
    find_header,
    label_key,
    sheet_context,
)
from etl.returns.readers import Grid, column_letter, read_workbook
from etl.returns.walk import RAW_ROWS_SCHEMA, RAW_SCHEMA, raw_cells, sheet_finding, walk

EXPECTED_HEADERS = "表头需有“指标名称”或“指标代码”列，并有“数值”列、年份列（如“2024年”）或地区列（如“张店区”）"


@dataclass
class ReadFrames:
    """A return's raw values as frames (etl.returns.walk.RAW_SCHEMA, joined to their source rows
    by raw_id), with the findings about the file's layout."""

    values: pl.DataFrame
    raw_rows: pl.DataFrame
    findings: list[Finding] = field(default_factory=list)
    sheets_read: int = 0


def read_return(path: Path, *, year: str | None = None, region: str | None = None) -> ReadResult:
    """Every value cell of a return as a RawValue, plus findings about the file's layout.

    `year` / `region` are overrides for what a sheet states only in its title block (or not
    at all); values a sheet gives per row or per column are never replaced. Raises
    UnreadableFile when the file cannot be read or no sheet has a recognisable header.
    """
    frames = read_return_frames(path, year=year, region=region)
    return ReadResult(raw_values(frames.values, frames.raw_rows), frames.findings, frames.sheets_read)


def read_return_frames(path: Path, *, year: str | None = None, region: str | None = None) -> ReadFrames:
    """`read_return` without a Python object per value: what the loader uses."""
    path = Path(path)
    workbook = read_workbook(path)
    result = ReadFrames(pl.DataFrame(schema=RAW_SCHEMA), pl.DataFrame(schema=RAW_ROWS_SCHEMA))
    for skipped in workbook.skipped:
        result.findings.append(
            Finding(
                path.name,
                skipped.sheet,
                None,
                None,
                "skipped_sheet",
                SEVERITY_INFO,
                f"文件“{path.name}”的工作表“{skipped.sheet}”{skipped.reason}。",
            )
        )
    headers_found = 0
    values, raw_rows = [], []
    raw_count = 0
    for grid in workbook.grids:
        header = find_header(grid)
        if header is None:
            result.findings.append(
                sheet_finding(
                    grid,
                    None,
                    None,
                    "no_header",
                    SEVERITY_INFO,
                    f"没有找到可识别的表头（{EXPECTED_HEADERS}），已跳过此工作表。",
                )
            )
            continue
        headers_found += 1
        sheet = _read_sheet(grid, header, year, region, raw_count)
        values.append(sheet.values)
        raw_rows.append(sheet.raw_rows)
        raw_count += sheet.raw_rows.height
        result.findings += sheet.findings
        result.sheets_read += sheet.read
    if headers_found == 0:
        names = "、".join(f"“{g.sheet}”" for g in workbook.grids)
        raise UnreadableFile(f"文件“{path.name}”中没有可识别的填报表：{EXPECTED_HEADERS}。已检查的工作表：{names}。")
    if values:
        result.values = pl.concat(values)
        result.raw_rows = pl.concat(raw_rows, how="diagonal")  # sheets differ in width
    return result


def raw_values(values: pl.DataFrame, raw_rows: pl.DataFrame) -> list[RawValue]:
    """The frames as RawValue records (for callers and tests that want one object per value)."""
    cells = raw_cells(raw_rows)
    return [
        RawValue(
            file=v["file"],
            sheet=v["sheet"],
            row=v["row"],
            column=v["column"],
            indicator=v["indicator"],
            value=v["value"],
            region=v["region"],
            year=v["year"],
            breakdown=v["breakdown"],
            unit=v["unit"],
            note=v["note"],
            indicator_name=v["indicator_name"],
            region_name=v["region_name"],
            raw_cells=tuple(cells.get(v["raw_id"]) or ()),
            region_column=v["region_column"],
        )
        for v in values.iter_rows(named=True)
    ]


@dataclass
class SheetResult:
    values: list[RawValue] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    read: int = 0  # 1 when the sheet's rows were read, 0 when a sheet-level error stopped it


@dataclass
class _SheetFrames:
    values: pl.DataFrame
    raw_rows: pl.DataFrame
    findings: list[Finding]
    read: int


def read_sheet(grid: Grid, header: TableHeader, *, year: str | None = None, region: str | None = None) -> SheetResult:
    """RawValues of one sheet whose header has been found."""
    sheet = _read_sheet(grid, header, year, region, 0)
    return SheetResult(raw_values(sheet.values, sheet.raw_rows), sheet.findings, sheet.read)


def _read_sheet(
    grid: Grid, header: TableHeader, year: str | None, region: str | None, raw_id_start: int
) -> _SheetFrames:
    findings: list[Finding] = []
    ctx = sheet_context(grid, header)
    _report_decorations(grid, header, findings)

    sheet_year = _sheet_level(grid, findings, "year", year, ctx.years)
    sheet_region = _sheet_level(grid, findings, "region", region, (ctx.region,) if ctx.region else ())
    labels = header.labels
    has_region_col = Role.REG_CODE in labels or Role.REG_NAME in labels
    missing = False
    if sheet_year is None and Role.YEAR not in labels and any(vc.year is None for vc in header.value_columns):
        missing = True
        found = "、".join(ctx.years)
        why = f"标题中有多个年份（{found}），无法确定" if len(ctx.years) > 1 else "表中没有年份"
        findings.append(
            sheet_finding(
                grid,
                None,
                None,
                "no_year",
                SEVERITY_ERROR,
                f"{why}：没有“年份”列、年份表头，标题中也没有“统计年度：2024”或“2024年度”。"
                "请在表中注明年份，或导入时指定年份（--year 2024）。",
            )
        )
    if sheet_region is None and not has_region_col and any(vc.region is None for vc in header.value_columns):
        missing = True
        findings.append(
            sheet_finding(
                grid,
                None,
                None,
                "no_region",
                SEVERITY_ERROR,
                "无法确定地区：没有“地区”列、地区表头，标题中也没有“地区：张店区”。"
                "请在表中注明地区，或导入时指定地区（--region 张店区）。",
            )
        )
    if missing:
        return _SheetFrames(pl.DataFrame(schema=RAW_SCHEMA), pl.DataFrame(schema=RAW_ROWS_SCHEMA), findings, 0)
    walked = walk(grid, header, ctx, sheet_year, sheet_region, raw_id_start)
    return _SheetFrames(walked.values, walked.raw_rows, findings + walked.findings, 1)


def _sheet_level(
    grid: Grid,
    findings: list[Finding],
    what: str,
    override: str | None,
    stated: tuple[str, ...],
) -> str | None:
    """The sheet-wide year/region: the caller's override, else what the title block states."""
    label = "年份" if what == "year" else "地区"
    if override:
        if stated and all(label_key(s) != label_key(override) for s in stated):
            findings.append(
                sheet_finding(
                    grid,
                    None,
                    None,
                    "override_conflict",
                    SEVERITY_WARNING,
                    f"表中标题写的{label}是“{'、'.join(stated)}”，导入时指定为“{override}”，按指定值读取。",
                )
            )
        return override
    if len(stated) == 1:
        return stated[0]
    return None


def _report_decorations(grid: Grid, header: TableHeader, findings: list[Finding]) -> None:
    """Info findings for what is recognised and deliberately not read above the data."""
    for n, _ in grid.rows[: header.first_position]:
        findings.append(
            sheet_finding(grid, n, None, "skipped_row", SEVERITY_INFO, "表头上方的标题、表号或填报说明行，未读取。")
        )
    if header.column_number_position is not None:
        n = grid.rows[header.column_number_position][0]
        findings.append(
            sheet_finding(grid, n, None, "skipped_row", SEVERITY_INFO, "表头下的栏号行（甲、乙、1、2…），未读取。")
        )
    header_row = grid.rows[header.header_positions[-1]][0]
    for col in header.ignored:
        findings.append(
            sheet_finding(
                grid,
                header_row,
                column_letter(col.index),
                "ignored_column",
                SEVERITY_INFO,
                f"“{col.label}”列：{col.reason}。",
            )
        )
