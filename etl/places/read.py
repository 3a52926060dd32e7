"""One place file → its records: find the header in each sheet, skip the decorations under it,
read every row, and fold rows that name the same record twice."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from etl.core.records import SEVERITY_ERROR, SEVERITY_INFO, Finding
from etl.places.rows import ROW_READERS, PlaceRow, RowContext, RowError, where_in_file
from etl.places.sheet import PlaceHeader, detect_kind, find_place_header, skip_reason
from etl.places.vocabulary import CHILD_FRIENDLY, COMMUNITY_COUNT, COURTYARD, EXPECTED
from etl.returns.readers import Grid, column_letter, read_workbook


@dataclass
class FileRows:
    rows: list[PlaceRow] = field(default_factory=list)
    raw: list[tuple[str, int, tuple[str, ...]]] = field(default_factory=list)
    sheets_read: int = 0


def read_file(
    path: Path, kind: str | None, ctx_for: Callable[[str], RowContext]
) -> tuple[str | None, RowContext | None, FileRows, list[Finding]]:
    """(kind, context, rows, notes): the kind is `kind` or told from the first sheet with a
    recognisable header; with none, kind and context are None and the notes say which sheets
    were skipped. Row problems go to the context's findings and rejections."""
    workbook = read_workbook(path)
    notes = [
        Finding(
            path.name,
            s.sheet,
            None,
            None,
            "skipped_sheet",
            SEVERITY_INFO,
            f"文件“{path.name}”的工作表“{s.sheet}”{s.reason}。",
        )
        for s in workbook.skipped
    ]
    if kind is None:
        kind = next((k for g in workbook.grids if (k := detect_kind(g)) is not None), None)
        if kind is None:
            return None, None, FileRows(), notes
    ctx = ctx_for(kind)
    ctx.findings.extend(notes)
    out = FileRows()
    for grid in workbook.grids:
        header = find_place_header(grid, kind)
        if header is None:
            ctx.findings.append(
                Finding(
                    path.name,
                    grid.sheet,
                    None,
                    None,
                    "no_header",
                    SEVERITY_INFO,
                    f"文件“{path.name}”工作表“{grid.sheet}”没有找到可识别的表头（{EXPECTED[kind]}），已跳过此工作表。",
                )
            )
            continue
        out.sheets_read += 1
        _read_sheet(ctx, grid, header, out)
    return kind, ctx, out, []


def _read_sheet(ctx: RowContext, grid: Grid, header: PlaceHeader, out: FileRows) -> None:
    """Every row under the header: skipped (a note says why), read, or rejected (an error)."""
    reader = ROW_READERS[ctx.kind]
    for n, cells in grid.rows[header.position + 1 :]:
        reason = skip_reason(cells, header)
        if reason is not None:
            ctx.findings.append(
                Finding(
                    ctx.file,
                    grid.sheet,
                    n,
                    None,
                    "skipped_row",
                    SEVERITY_INFO,
                    f"{where_in_file(ctx, grid.sheet, n, None)}：{reason}，未读取。",
                )
            )
            continue
        out.raw.append((grid.sheet, n, cells))
        try:
            out.rows.append(reader(ctx, header, grid.sheet, n, cells))
        except RowError as err:
            message = f"{where_in_file(ctx, grid.sheet, n, err.col)}：{err.message}"
            letter = column_letter(err.col) if err.col is not None else None
            ctx.findings.append(Finding(ctx.file, grid.sheet, n, letter, err.rule, SEVERITY_ERROR, message))
            ctx.rejected.append((grid.sheet, n, letter, cells, message))


def dedupe(ctx: RowContext, rows: list[PlaceRow]) -> list[PlaceRow]:
    """Same key twice: same values load once (info); different values reject all of them."""
    groups: dict[tuple, list[PlaceRow]] = defaultdict(list)
    for r in rows:
        groups[r.key].append(r)
    kept = []
    for group in groups.values():
        if len({r.compare for r in group}) > 1:
            where = "、".join(f"工作表“{r.sheet}”第{r.row}行" for r in group)
            for r in group:
                message = (
                    f"{where_in_file(ctx, r.sheet, r.row, None)}：同一{_key_label(ctx.kind)}"
                    f"在本文件中出现多次且数值不同（{where}），均未载入"
                )
                ctx.findings.append(
                    Finding(ctx.file, r.sheet, r.row, None, "duplicate_conflict", SEVERITY_ERROR, message)
                )
                ctx.rejected.append((r.sheet, r.row, None, r.cells, message))
            continue
        kept.append(group[0])
        for dup in group[1:]:
            ctx.findings.append(
                Finding(
                    ctx.file,
                    dup.sheet,
                    dup.row,
                    None,
                    "duplicate_same",
                    SEVERITY_INFO,
                    f"{where_in_file(ctx, dup.sheet, dup.row, None)}：与第{group[0].row}行重复（数值相同），只载入一次",
                )
            )
    return sorted(kept, key=lambda r: (r.sheet, r.row))


def _key_label(kind: str) -> str:
    return {COURTYARD: "村、年份", CHILD_FRIENDLY: "社区、类别", COMMUNITY_COUNT: "区县、年份"}[kind]
