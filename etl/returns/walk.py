"""The data rows of one sheet, walked as a whole frame: which rows are decorations, which
indicator each value row belongs to, and one raw value per value cell.

The walk reads like a clerk reads: top to bottom, remembering the last indicator (其中：城镇 /
农村 rows belong to it) and the district and year last written (a vertically merged cell has
its text only in its first row). Both memories are forward fills over the rows that set them,
so the whole sheet is decided at once; label rules that need Python (NFKC, the footer and
section patterns, breakdown words) run once per distinct text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import polars as pl

from etl.core.records import SEVERITY_ERROR, SEVERITY_INFO, SEVERITY_WARNING, TOTAL, Finding
from etl.returns.frames import filled, keep, map_distinct, or_null, strip
from etl.returns.header import FOOTER as _FOOTER
from etl.returns.header import NOTE as _NOTE
from etl.returns.header import Role, SheetContext, TableHeader, breakdown_of_label, role_of
from etl.returns.readers import Grid, cell_column, column_letter

# Domain titles: "一、妇女与健康", "（二）儿童与教育", "第三部分", or a bare "妇女与健康".
_SECTION = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十]+部分)")
_DOMAIN = re.compile(r"^(?:妇女|儿童)(?:与|参与)\S{1,10}$")
_SEQ_SECTION = re.compile(r"^(?:[一二三四五六七八九十]+[、.]?|\([一二三四五六七八九十]+\))$")

_INDICATOR_ROLES = (Role.IND_CODE, Role.IND_NAME)
_SPACES = re.compile(r"\s+")

# The raw values of a sheet, one row per value cell; `raw_id` points into the sheet's raw rows.
RAW_SCHEMA: dict[str, pl.DataType] = {
    "file": pl.String(),
    "sheet": pl.String(),
    "row": pl.Int64(),
    "column": pl.String(),
    "indicator": pl.String(),
    "value": pl.String(),
    "region": pl.String(),
    "year": pl.String(),
    "breakdown": pl.String(),
    "unit": pl.String(),
    "note": pl.String(),
    "indicator_name": pl.String(),
    "region_name": pl.String(),
    "region_column": pl.String(),
    "raw_id": pl.Int64(),
}
# The source rows those values came from: the row's first `n` cells (trailing empty cells cut
# off) are its columns c0, c1, … (etl.returns.readers.cell_column), which follow these. They stay
# columns, sharing the grid's strings, and become lists only where they are stored.
RAW_ROWS_SCHEMA: dict[str, pl.DataType] = {
    "raw_id": pl.Int64(),
    "sheet": pl.String(),
    "row": pl.Int64(),
    "n": pl.Int64(),
}


def raw_cells(raw_rows: pl.DataFrame) -> dict[int, tuple[str, ...]]:
    """raw_id → the row's cells, for the callers that want Python tuples."""
    width = len(raw_rows.columns) - len(RAW_ROWS_SCHEMA)
    columns = [cell_column(i) for i in range(width)]
    return {r[0]: tuple(r[2 : 2 + r[1]]) for r in raw_rows.select("raw_id", "n", *columns).iter_rows()}


def raw_rows_frame(rows: list[tuple[int, str, int, tuple[str, ...]]]) -> pl.DataFrame:
    """The raw rows frame of (raw_id, sheet, row, cells) tuples."""
    width = max((len(cells) for *_, cells in rows), default=0)
    return pl.DataFrame(
        [
            pl.Series("raw_id", [r[0] for r in rows], dtype=pl.Int64),
            pl.Series("sheet", [r[1] for r in rows], dtype=pl.String),
            pl.Series("row", [r[2] for r in rows], dtype=pl.Int64),
            pl.Series("n", [len(r[3]) for r in rows], dtype=pl.Int64),
            *(
                pl.Series(cell_column(i), [r[3][i] if i < len(r[3]) else None for r in rows], dtype=pl.String)
                for i in range(width)
            ),
        ]
    )


# What a row is, decided once per row (codes, not strings, so the when/then chains stay cheap).
_FOOTER_ROW, _NOTE_ROW, _HEADER_ROW, _SECTION_ROW, _PARENT_ROW, _EMPTY_ROW, _BREAKDOWN_ONLY = range(7)
_OWN, _UNDER_PARENT, _FILLED, _ORPHAN, _NO_INDICATOR = range(7, 12)
_SKIP_REASONS = {
    _FOOTER_ROW: "表尾签署、日期或联系方式行",
    _NOTE_ROW: "注释说明行",
    _HEADER_ROW: "重复的表头行",
    _SECTION_ROW: "分组标题行",
    _EMPTY_ROW: "没有指标名称也没有数值的行",
}


@dataclass
class Walked:
    values: pl.DataFrame  # RAW_SCHEMA
    raw_rows: pl.DataFrame  # RAW_ROWS_SCHEMA
    findings: list[Finding]


def sheet_finding(grid: Grid, row: int | None, column: str | None, rule: str, severity: str, message: str) -> Finding:
    """A finding about a place in `grid`, its message starting with the file, sheet, row and column."""
    where = f"文件“{grid.file}”工作表“{grid.sheet}”"
    if row is not None:
        where += f"第{row}行"
    if column is not None:
        where += f"{column}列"
    return Finding(grid.file, grid.sheet, row, column, rule, severity, f"{where}：{message}")


def squash_keep_punct(text: str) -> str:
    """NFKC without spaces, keeping punctuation (unlike label_key) for 注：/一、 prefixes."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def _first_cell_kind(text: str | None) -> int | None:
    first = squash_keep_punct(text or "")
    if _FOOTER.match(first):
        return _FOOTER_ROW
    if _NOTE.match(first):
        return _NOTE_ROW
    return None


def _label_facts(text: str) -> tuple[bool, bool, str | None]:
    """(a repeated 指标名称/指标代码 header cell, a section title, the breakdown it names)."""
    key = squash_keep_punct(text)
    section = bool(key) and bool(_SECTION.match(key) or _DOMAIN.match(key))
    return role_of(text) in _INDICATOR_ROLES, section, breakdown_of_label(text) if text else None


def _seq_section(seq: str) -> bool:
    return bool(seq) and bool(_SEQ_SECTION.match(squash_keep_punct(seq)))


def _column_breakdown(text: str) -> str | None:
    return (breakdown_of_label(text) or text) if text else None


def row_list(rows: list[int]) -> str:
    """[5, 6, 7, 9] → "5–7、9"."""
    spans: list[list[int]] = []
    for n in rows:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return "、".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def walk(
    grid: Grid,
    header: TableHeader,
    ctx: SheetContext,
    sheet_year: str | None,
    sheet_region: str | None,
    raw_id_start: int = 0,
) -> Walked:
    """The raw values under `header` and the findings about the rows (in row order, then the
    filled-down remarks). `raw_id_start` numbers this sheet's raw rows after earlier sheets'."""
    labels = header.labels
    data = grid.frame.slice(header.data_start)
    columns = data.columns[1:]

    def cell(role: Role) -> pl.Expr:
        i = labels.get(role)
        return strip(pl.col(cell_column(i))) if i is not None else pl.lit("", dtype=pl.String)

    # which cells hold something, worked out once per cell
    data = data.with_columns(filled(pl.col(c)).alias(f"_f{i}") for i, c in enumerate(columns))
    flag = [pl.col(f"_f{i}") for i in range(len(columns))]
    rows = data.with_row_index("pos").with_columns(
        pl.coalesce([pl.when(f).then(pl.col(c)) for f, c in zip(flag, columns, strict=True)]).alias("first"),
        cell(Role.IND_NAME).alias("name"),
        cell(Role.IND_CODE).alias("code"),
        cell(Role.SEQ).alias("seq"),
        cell(Role.UNIT).alias("unit_cell"),
        pl.any_horizontal(flag[vc.index] for vc in header.value_columns).alias("has_values"),
        # the row's cells up to its last filled one
        pl.max_horizontal(pl.when(f).then(i + 1) for i, f in enumerate(flag)).alias("n_cells"),
    )
    rows = map_distinct(rows, ["first"], _first_cell_kind, {"first_kind": pl.Int64()})
    facts = {"is_header": pl.Boolean(), "section": pl.Boolean(), "row_bd": pl.String()}
    rows = map_distinct(rows, ["name"], _label_facts, {f"name_{k}": t for k, t in facts.items()})
    rows = map_distinct(rows, ["code"], _label_facts, {f"code_{k}": t for k, t in facts.items()})
    rows = map_distinct(rows, ["seq"], _seq_section, {"seq_section": pl.Boolean()})

    name, code, has_values = pl.col("name"), pl.col("code"), pl.col("has_values")
    named = (name != "") | (code != "")
    row_bd = pl.when(name != "").then(pl.col("name_row_bd"))
    label_section = pl.when(name != "").then(pl.col("name_section")).otherwise(pl.col("code_section"))
    section = (label_section & named) | pl.col("seq_section")
    kind = (
        pl.when(pl.col("first_kind").is_not_null())
        .then(pl.col("first_kind"))
        .when(pl.col("name_is_header") | pl.col("code_is_header"))
        .then(_HEADER_ROW)
        .when(~has_values & section)
        .then(_SECTION_ROW)
        .when(~has_values & named & row_bd.is_null())
        .then(_PARENT_ROW)
        .when(~has_values & ~named)
        .then(_EMPTY_ROW)
        .when(~has_values)
        .then(_BREAKDOWN_ONLY)
        .when(row_bd.is_not_null())
        .then(_UNDER_PARENT)
        .when(named)
        .then(_OWN)
        .otherwise(_FILLED)
    )
    rows = rows.with_columns(kind.alias("kind"), row_bd.alias("row_bd"))

    # The last indicator row above: set by an indicator row (with or without values of its
    # own), cleared by a section title.
    sets_parent = pl.col("kind").is_in([_PARENT_ROW, _OWN])
    own_indicator = pl.when(code != "").then(code).otherwise(name)
    event = pl.when(sets_parent).then(pl.lit("set")).when(pl.col("kind") == _SECTION_ROW).then(pl.lit("reset"))
    rows = rows.with_columns(
        (event.forward_fill() == "set").fill_null(False).alias("has_parent"),
        pl.when(sets_parent).then(own_indicator).forward_fill().alias("parent_indicator"),
        pl.when(sets_parent).then(pl.col("unit_cell")).forward_fill().alias("parent_unit"),
    )
    # A row with values but no indicator of its own takes the parent's when it names a district,
    # year or breakdown of its own (the lower part of a vertically merged indicator cell).
    own_labels = [cell(r) != "" for r in (Role.REG_CODE, Role.REG_NAME, Role.YEAR, Role.BREAKDOWN) if r in labels]
    has_row_labels = pl.any_horizontal(own_labels) if own_labels else pl.lit(False)
    rows = rows.with_columns(
        pl.when((pl.col("kind") == _UNDER_PARENT) & ~pl.col("has_parent"))
        .then(_ORPHAN)
        .when((pl.col("kind") == _FILLED) & ~(pl.col("has_parent") & has_row_labels))
        .then(_NO_INDICATOR)
        .otherwise(pl.col("kind"))
        .alias("kind")
    )
    located = _row_findings(grid, rows)

    reached = keep(rows, pl.col("kind").is_in([_OWN, _UNDER_PARENT, _FILLED]))
    indicator = (
        pl.when(pl.col("kind") == _OWN)
        .then(own_indicator)
        .when((pl.col("kind") == _UNDER_PARENT) & (code != ""))
        .then(code)
        .otherwise(pl.col("parent_indicator"))
    )
    unit = (
        pl.when(pl.col("kind") == _OWN)
        .then(or_null(pl.col("unit_cell")))
        .otherwise(pl.coalesce(or_null(pl.col("unit_cell")), or_null(pl.col("parent_unit"))))
    )
    reached = reached.with_columns(
        indicator.alias("indicator"),
        unit.alias("unit"),
        pl.when((pl.col("kind") == _OWN) & (code != "") & (name != "")).then(name).alias("indicator_name"),
        cell(Role.REG_CODE).alias("region_code"),
        cell(Role.REG_NAME).alias("region_cell"),
        cell(Role.YEAR).alias("year_cell"),
        _label_column(labels, (Role.REG_CODE, Role.REG_NAME), cell).alias("region_column"),
        or_null(cell(Role.NOTE)).alias("note"),
        cell(Role.BREAKDOWN).alias("column_bd"),
    )
    code_cell, name_cell = pl.col("region_code"), pl.col("region_cell")
    reached = reached.with_columns(
        pl.when((code_cell != "") & (name_cell != "")).then(name_cell).alias("region_name"),
        _own(labels, (Role.REG_CODE, Role.REG_NAME), (code_cell, name_cell)).alias("own_region"),
        _own(labels, (Role.YEAR,), (pl.col("year_cell"),)).alias("own_year"),
    ).with_columns(
        *_carried(pl.col("own_region"), sheet_region, "region"),
        *_carried(pl.col("own_year"), sheet_year, "year"),
    )
    reached = map_distinct(reached, ["column_bd"], _column_breakdown, {"column_bd_word": pl.String()})
    row_breakdown = pl.coalesce(pl.col("row_bd"), pl.col("column_bd_word"))
    reached = reached.with_columns(pl.when(row_breakdown != TOTAL).then(row_breakdown).alias("row_breakdown"))
    return _values(grid, header, ctx, reached, located, raw_id_start)


def _label_column(labels: dict[Role, int], roles: tuple[Role, ...], cell) -> pl.Expr:  # noqa: ANN001
    """The letter of the first of `roles` filled in on the row, else the first the header has."""
    present = [r for r in roles if r in labels]
    if not present:
        return pl.lit(None, dtype=pl.String)
    expr = pl.when(cell(present[0]) != "").then(pl.lit(column_letter(labels[present[0]])))
    for role in present[1:]:
        expr = expr.when(cell(role) != "").then(pl.lit(column_letter(labels[role])))
    return expr.otherwise(pl.lit(column_letter(labels[present[0]])))


def _own(labels: dict[Role, int], roles: tuple[Role, ...], cells: tuple[pl.Expr, ...]) -> pl.Expr:
    """The row's own district (or year): the first of its `roles` cells that is filled; null
    when none is (and always when the header has none of them)."""
    present = [c for r, c in zip(roles, cells, strict=True) if r in labels]
    return pl.coalesce([or_null(c) for c in present]) if present else pl.lit(None, dtype=pl.String)


def _carried(own: pl.Expr, fallback: str | None, what: str) -> tuple[pl.Expr, pl.Expr]:
    """The row's district (or year): its own, else the last one written above (a vertically
    merged cell), else the sheet's; and whether it was carried down."""
    carried = own.forward_fill()
    return (
        pl.coalesce(carried, pl.lit(fallback, dtype=pl.String)).alias(what),
        (own.is_null() & carried.is_not_null()).alias(f"{what}_filled"),
    )


def _row_findings(grid: Grid, rows: pl.DataFrame) -> list[tuple[int, int, Finding]]:
    """(position, order in row, finding) for skipped rows and rows whose values are not read."""
    out: list[tuple[int, int, Finding]] = []
    kinds = [*_SKIP_REASONS, _ORPHAN, _NO_INDICATOR]
    for pos, row, kind, name in (
        rows.filter(pl.col("kind").is_in(kinds)).select("pos", "row", "kind", "name").iter_rows()
    ):
        if kind in _SKIP_REASONS:
            f = sheet_finding(grid, row, None, "skipped_row", SEVERITY_INFO, f"{_SKIP_REASONS[kind]}，未读取。")
        elif kind == _ORPHAN:
            message = f"“{name}”是分组行（城镇/农村、女/男），但上方没有它所属的指标，此行数值未读取。"
            f = sheet_finding(grid, row, None, "orphan_breakdown", SEVERITY_ERROR, message)
        else:
            message = "此行有数值但没有指标名称或指标代码，数值未读取。"
            f = sheet_finding(grid, row, None, "no_indicator", SEVERITY_ERROR, message)
        out.append((pos, 0, f))
    return out


def _values(
    grid: Grid,
    header: TableHeader,
    ctx: SheetContext,
    reached: pl.DataFrame,
    located: list[tuple[int, int, Finding]],
    raw_id_start: int,
) -> Walked:
    """One raw value per filled value cell of the reached rows; a cell whose column and row name
    different breakdowns is a finding instead."""
    parts = []
    for k, vc in enumerate(header.value_columns):
        conflict = pl.lit(False)
        if vc.breakdown:
            conflict = pl.col("row_breakdown").is_not_null() & (pl.col("row_breakdown") != vc.breakdown)
        parts.append(
            keep(reached, f"_f{vc.index}").select(
                "pos",
                pl.lit(k, dtype=pl.Int64).alias("k"),
                conflict.alias("conflict"),
                pl.lit(grid.file, dtype=pl.String).alias("file"),
                pl.lit(grid.sheet, dtype=pl.String).alias("sheet"),
                "row",
                pl.lit(vc.letter, dtype=pl.String).alias("column"),
                "indicator",
                pl.col(cell_column(vc.index)).alias("value"),
                pl.lit(vc.region, dtype=pl.String).alias("region") if vc.region else "region",
                pl.lit(vc.year, dtype=pl.String).alias("year") if vc.year else "year",
                pl.lit(vc.breakdown, dtype=pl.String).alias("breakdown")
                if vc.breakdown
                else pl.col("row_breakdown").alias("breakdown"),
                pl.coalesce(pl.col("unit"), pl.lit(ctx.unit, dtype=pl.String)).alias("unit"),
                "note",
                "indicator_name",
                pl.lit(None, dtype=pl.String).alias("region_name") if vc.region else "region_name",
                pl.lit(None, dtype=pl.String).alias("region_column") if vc.region else "region_column",
                pl.lit(vc.breakdown, dtype=pl.String).alias("column_breakdown"),
                "row_breakdown",
            )
        )
    # one value column (a long table) is in row order already
    cells = parts[0] if len(parts) == 1 else pl.concat(parts).sort("pos", "k", maintain_order=True)
    for pos, k, row, column, bd, row_bd in (
        cells.filter("conflict").select("pos", "k", "row", "column", "column_breakdown", "row_breakdown").iter_rows()
    ):
        message = f"列表头为“{bd}”，行又标为“{row_bd}”，无法确定分组，此格未读取。"
        located.append((pos, k, sheet_finding(grid, row, column, "breakdown_conflict", SEVERITY_ERROR, message)))
    kept = keep(cells, ~pl.col("conflict"))
    # the source rows of the values read, numbered in row order after earlier sheets'
    new_row = (pl.col("pos") != pl.col("pos").shift()).fill_null(True)
    values = kept.with_columns((new_row.cum_sum() - 1 + raw_id_start).cast(pl.Int64).alias("raw_id"))
    raw_rows = keep(
        reached.select("pos", "row", "n_cells", *(pl.col(c) for c in grid.frame.columns[1:])),
        pl.col("pos").is_in(kept["pos"].unique().implode()),
    ).select(
        (pl.int_range(pl.len()) + raw_id_start).cast(pl.Int64).alias("raw_id"),
        pl.lit(grid.sheet, dtype=pl.String).alias("sheet"),
        "row",
        pl.col("n_cells").cast(pl.Int64).alias("n"),
        *grid.frame.columns[1:],
    )
    values = values.select(list(RAW_SCHEMA))
    located.sort(key=lambda item: (item[0], item[1]))
    findings = [f for _, _, f in located] + _filled_down(grid, reached)
    return Walked(values, raw_rows, findings)


def _filled_down(grid: Grid, reached: pl.DataFrame) -> list[Finding]:
    """One warning per label that was carried down from a merged cell, listing its rows; in the
    order the labels were first carried down."""
    first: list[tuple[int, int, str, list[int]]] = []
    for order, (what, flag) in enumerate(
        (("指标", pl.col("kind") == _FILLED), ("地区", pl.col("region_filled")), ("年份", pl.col("year_filled")))
    ):
        hit = reached.filter(flag).select("pos", "row")
        if hit.height:
            first.append((hit["pos"][0], order, what, hit["row"].to_list()))
    first.sort()
    return [
        sheet_finding(
            grid,
            rows[0],
            None,
            "filled_down",
            SEVERITY_WARNING,
            # a warning, not info: a forgotten cell would otherwise silently take the value above
            f"第{row_list(rows)}行的“{what}”为空，已沿用上方单元格（按合并单元格处理），请核对。",
        )
        for _, _, what, rows in first
    ]
