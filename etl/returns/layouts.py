"""Turn a return's sheets into one RawValue per value cell, whatever the sheet's layout.

`etl.returns.readers` gives text grids, `etl.returns.header` finds the header and the role of each column;
this module walks the rows under the header: it skips decorations (section titles, footers,
notes), attaches 其中：城镇 / 农村 rows to the indicator above, and resolves each value's
indicator, district, year and breakdown from its row, its column, the title block or the
caller's overrides. It never interprets codes or numbers (that is the normalise stage).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from etl.core.records import (
    SEVERITY_ERROR,
    SEVERITY_INFO,
    SEVERITY_WARNING,
    TOTAL,
    Finding,
    RawValue,
    ReadResult,
    UnreadableFile,
)
from etl.returns.header import (
    Role,
    SheetContext,
    TableHeader,
    breakdown_of_label,
    find_header,
    label_key,
    role_of,
    sheet_context,
)
from etl.returns.readers import Grid, column_letter, read_workbook

EXPECTED_HEADERS = "表头需有“指标名称”或“指标代码”列，并有“数值”列、年份列（如“2024年”）或地区列（如“张店区”）"

# Rows under the table that are signatures, dates and notes, matched on their first cell.
_FOOTER = re.compile(
    r"^(?:单位负责人|统计负责人|部门负责人|负责人|填表人|填报人|制表人|审核人|审核|"
    r"报出日期|填报日期|填表日期|联系电话|联系人|电话)"
)
_NOTE = re.compile(r"^(?:注|说明|备注|填表说明|附注)\d*[:、.]")
# Domain titles: "一、妇女与健康", "（二）儿童与教育", "第三部分", or a bare "妇女与健康".
_SECTION = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十]+部分)")
_DOMAIN = re.compile(r"^(?:妇女|儿童)(?:与|参与)\S{1,10}$")
_SEQ_SECTION = re.compile(r"^(?:[一二三四五六七八九十]+[、.]?|\([一二三四五六七八九十]+\))$")

_INDICATOR_ROLES = (Role.IND_CODE, Role.IND_NAME)
_SPACES = re.compile(r"\s+")


def read_return(path: Path, *, year: str | None = None, region: str | None = None) -> ReadResult:
    """Every value cell of a return as a RawValue, plus findings about the file's layout.

    `year` / `region` are overrides for what a sheet states only in its title block (or not
    at all); values a sheet gives per row or per column are never replaced. Raises
    UnreadableFile when the file cannot be read or no sheet has a recognisable header.
    """
    path = Path(path)
    workbook = read_workbook(path)
    result = ReadResult()
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
    for grid in workbook.grids:
        header = find_header(grid)
        if header is None:
            result.findings.append(
                _finding(
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
        sheet = read_sheet(grid, header, year=year, region=region)
        result.values += sheet.values
        result.findings += sheet.findings
        result.sheets_read += sheet.read
    if headers_found == 0:
        names = "、".join(f"“{g.sheet}”" for g in workbook.grids)
        raise UnreadableFile(f"文件“{path.name}”中没有可识别的填报表：{EXPECTED_HEADERS}。已检查的工作表：{names}。")
    return result


@dataclass
class SheetResult:
    values: list[RawValue] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    read: int = 0  # 1 when the sheet's rows were read, 0 when a sheet-level error stopped it


@dataclass(frozen=True)
class _Parent:
    """The last indicator row: 其中：城镇 / 农村 rows below it are its breakdowns."""

    indicator: str
    unit: str | None


def read_sheet(grid: Grid, header: TableHeader, *, year: str | None = None, region: str | None = None) -> SheetResult:
    """RawValues of one sheet whose header has been found."""
    out = SheetResult()
    ctx = sheet_context(grid, header)
    _report_decorations(grid, header, out)

    sheet_year = _sheet_level(grid, out, "year", year, ctx.years)
    sheet_region = _sheet_level(grid, out, "region", region, (ctx.region,) if ctx.region else ())
    labels = header.labels
    has_region_col = Role.REG_CODE in labels or Role.REG_NAME in labels
    missing = False
    if sheet_year is None and Role.YEAR not in labels and any(vc.year is None for vc in header.value_columns):
        missing = True
        found = "、".join(ctx.years)
        why = f"标题中有多个年份（{found}），无法确定" if len(ctx.years) > 1 else "表中没有年份"
        out.findings.append(
            _finding(
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
        out.findings.append(
            _finding(
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
        return out
    out.read = 1
    _RowWalker(grid, header, ctx, sheet_year, sheet_region, out).walk()
    return out


class _RowWalker:
    """Walks the data rows of one sheet; holds the state that carries from row to row."""

    def __init__(
        self,
        grid: Grid,
        header: TableHeader,
        ctx: SheetContext,
        sheet_year: str | None,
        sheet_region: str | None,
        out: SheetResult,
    ) -> None:
        self.grid, self.header, self.ctx, self.out = grid, header, ctx, out
        self.sheet_year, self.sheet_region = sheet_year, sheet_region
        self.parent: _Parent | None = None
        # Label cells carried down from the row above: offices merge cells vertically
        # (one indicator over its 城镇/农村 rows, one district over its indicators), and a
        # merged cell's text is only in its first row.
        self.carried: dict[str, str] = {}
        self.filled: dict[str, list[int]] = {}

    def cell(self, cells: tuple[str, ...], role: Role) -> str:
        i = self.header.labels.get(role)
        return cells[i].strip() if i is not None else ""

    def walk(self) -> None:
        for pos in range(self.header.data_start, len(self.grid.rows)):
            self.row(*self.grid.rows[pos])
        for what, rows in self.filled.items():
            self.out.findings.append(
                _finding(
                    self.grid,
                    rows[0],
                    None,
                    "filled_down",
                    SEVERITY_WARNING,
                    # a warning, not info: a forgotten cell would otherwise silently take the value above
                    f"第{_row_list(rows)}行的“{what}”为空，已沿用上方单元格（按合并单元格处理），请核对。",
                )
            )

    def skip(self, rownum: int, reason: str) -> None:
        self.out.findings.append(_finding(self.grid, rownum, None, "skipped_row", SEVERITY_INFO, f"{reason}，未读取。"))

    def row(self, rownum: int, cells: tuple[str, ...]) -> None:
        first = _squash(next(c for c in cells if c.strip()))
        if _FOOTER.match(first):
            return self.skip(rownum, "表尾签署、日期或联系方式行")
        if _NOTE.match(first):
            return self.skip(rownum, "注释说明行")
        name = self.cell(cells, Role.IND_NAME)
        code = self.cell(cells, Role.IND_CODE)
        if role_of(name) in _INDICATOR_ROLES or role_of(code) in _INDICATOR_ROLES:
            return self.skip(rownum, "重复的表头行")
        values = [(vc, cells[vc.index]) for vc in self.header.value_columns if cells[vc.index].strip()]
        row_breakdown = breakdown_of_label(name) if name else None

        if not values:
            if _is_section(name or code, self.cell(cells, Role.SEQ)):
                self.parent = None
                return self.skip(rownum, "分组标题行")
            if (name or code) and row_breakdown is None:
                # An indicator with no values of its own may still head 城镇/农村 rows.
                self.parent = _Parent(code or name, self.cell(cells, Role.UNIT) or None)
            elif not (name or code):
                self.skip(rownum, "没有指标名称也没有数值的行")
            return None

        unit = self.cell(cells, Role.UNIT) or None
        indicator_name = None
        if row_breakdown is not None:
            if self.parent is None:
                self.out.findings.append(
                    _finding(
                        self.grid,
                        rownum,
                        None,
                        "orphan_breakdown",
                        SEVERITY_ERROR,
                        f"“{name}”是分组行（城镇/农村、女/男），但上方没有它所属的指标，此行数值未读取。",
                    )
                )
                return None
            indicator = code or self.parent.indicator
            unit = unit or self.parent.unit
        elif name or code:
            indicator = code or name
            indicator_name = name if code and name else None
            self.parent = _Parent(indicator, unit)
        elif self.parent is not None and self._has_row_labels(cells):
            indicator = self.parent.indicator
            unit = unit or self.parent.unit
            self.filled.setdefault("指标", []).append(rownum)
        else:
            self.out.findings.append(
                _finding(
                    self.grid,
                    rownum,
                    None,
                    "no_indicator",
                    SEVERITY_ERROR,
                    "此行有数值但没有指标名称或指标代码，数值未读取。",
                )
            )
            return None

        region = self._row_label(rownum, cells, (Role.REG_CODE, Role.REG_NAME), "地区", self.sheet_region)
        region_code, region_name = self.cell(cells, Role.REG_CODE), self.cell(cells, Role.REG_NAME)
        region_name = region_name if region_code and region_name else None
        year = self._row_label(rownum, cells, (Role.YEAR,), "年份", self.sheet_year)
        column_breakdown = self.cell(cells, Role.BREAKDOWN)
        if row_breakdown is None and column_breakdown:
            row_breakdown = breakdown_of_label(column_breakdown) or column_breakdown
        if row_breakdown == TOTAL:
            row_breakdown = None
        note = self.cell(cells, Role.NOTE) or None
        raw = _trim(cells)
        for vc, text in values:
            if vc.breakdown and row_breakdown and vc.breakdown != row_breakdown:
                self.out.findings.append(
                    _finding(
                        self.grid,
                        rownum,
                        vc.letter,
                        "breakdown_conflict",
                        SEVERITY_ERROR,
                        f"列表头为“{vc.breakdown}”，行又标为“{row_breakdown}”，无法确定分组，此格未读取。",
                    )
                )
                continue
            self.out.values.append(
                RawValue(
                    file=self.grid.file,
                    sheet=self.grid.sheet,
                    row=rownum,
                    column=vc.letter,
                    indicator=indicator,
                    value=text,
                    region=vc.region or region,
                    year=vc.year or year,
                    breakdown=vc.breakdown or row_breakdown,
                    unit=unit or self.ctx.unit,
                    note=note,
                    indicator_name=indicator_name,
                    region_name=None if vc.region else region_name,
                    raw_cells=raw,
                    region_column=None if vc.region else self._label_column(cells, (Role.REG_CODE, Role.REG_NAME)),
                )
            )
        return None

    def _label_column(self, cells: tuple[str, ...], roles: tuple[Role, ...]) -> str | None:
        """The letter of the first of `roles` filled in on this row (else the first the header has)."""
        present = [r for r in roles if r in self.header.labels]
        filled = [r for r in present if self.cell(cells, r)]
        chosen = (filled or present or [None])[0]
        return None if chosen is None else column_letter(self.header.labels[chosen])

    def _has_row_labels(self, cells: tuple[str, ...]) -> bool:
        """Does the row name a district, year or breakdown of its own (so that an empty
        indicator cell reads as the lower part of a vertically merged cell)?"""
        roles = (Role.REG_CODE, Role.REG_NAME, Role.YEAR, Role.BREAKDOWN)
        return any(self.cell(cells, r) for r in roles)

    def _row_label(
        self,
        rownum: int,
        cells: tuple[str, ...],
        roles: tuple[Role, ...],
        what: str,
        fallback: str | None,
    ) -> str | None:
        """The row's own code-or-name cell, else the cell carried down, else the sheet's."""
        present = [r for r in roles if r in self.header.labels]
        if not present:
            return fallback
        own = next((t for t in (self.cell(cells, r) for r in present) if t), "")
        if own:
            self.carried[what] = own
            return own
        if what in self.carried:
            self.filled.setdefault(what, []).append(rownum)
            return self.carried[what]
        return fallback


def _sheet_level(
    grid: Grid,
    out: SheetResult,
    what: str,
    override: str | None,
    stated: tuple[str, ...],
) -> str | None:
    """The sheet-wide year/region: the caller's override, else what the title block states."""
    label = "年份" if what == "year" else "地区"
    if override:
        if stated and all(label_key(s) != label_key(override) for s in stated):
            out.findings.append(
                _finding(
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


def _report_decorations(grid: Grid, header: TableHeader, out: SheetResult) -> None:
    """Info findings for what is recognised and deliberately not read above the data."""
    for n, _ in grid.rows[: header.first_position]:
        out.findings.append(
            _finding(grid, n, None, "skipped_row", SEVERITY_INFO, "表头上方的标题、表号或填报说明行，未读取。")
        )
    if header.column_number_position is not None:
        n = grid.rows[header.column_number_position][0]
        out.findings.append(
            _finding(grid, n, None, "skipped_row", SEVERITY_INFO, "表头下的栏号行（甲、乙、1、2…），未读取。")
        )
    header_row = grid.rows[header.header_positions[-1]][0]
    for col in header.ignored:
        out.findings.append(
            _finding(
                grid,
                header_row,
                column_letter(col.index),
                "ignored_column",
                SEVERITY_INFO,
                f"“{col.label}”列：{col.reason}。",
            )
        )


def _is_section(label: str, seq: str) -> bool:
    key = _squash(label)
    if key and (_SECTION.match(key) or _DOMAIN.match(key)):
        return True
    return bool(seq) and bool(_SEQ_SECTION.match(_squash(seq)))


def _squash(text: str) -> str:
    """NFKC without spaces, keeping punctuation (unlike label_key) for 注：/一、 prefixes."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def _trim(cells: tuple[str, ...]) -> tuple[str, ...]:
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _row_list(rows: list[int]) -> str:
    """[5, 6, 7, 9] → "5–7、9"."""
    spans: list[list[int]] = []
    for n in rows:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return "、".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _finding(grid: Grid, row: int | None, column: str | None, rule: str, severity: str, message: str) -> Finding:
    where = f"文件“{grid.file}”工作表“{grid.sheet}”"
    if row is not None:
        where += f"第{row}行"
    if column is not None:
        where += f"{column}列"
    return Finding(grid.file, grid.sheet, row, column, rule, severity, f"{where}：{message}")
