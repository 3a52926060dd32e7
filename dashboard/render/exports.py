"""Export bytes for downloads: CSV that Excel opens with Chinese intact and no live formulas.

Plain functions over polars frames (no Streamlit), so they are unit-tested directly.
"""

from __future__ import annotations

import math

import polars as pl

# A text cell starting with one of these is run as a formula by Excel/WPS (CSV injection);
# tab and carriage return are included because spreadsheets strip them and then evaluate.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

PLAIN_NUMBER = r"^[+-]?[0-9]+(\.[0-9]+)?%?$"


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Neutralise every text cell; numbers stay numbers (a negative number is not a formula)."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text_columns:
        return frame
    starts = "^[" + "".join(FORMULA_PREFIXES).replace("-", r"\-") + "]"
    return frame.with_columns(
        # "-0.4" or "+1.2%" shown as text is a number to a spreadsheet, not a formula: a quote
        # in front would print in Excel and stop it being summed
        pl.when(pl.col(name).str.contains(starts) & ~pl.col(name).str.contains(PLAIN_NUMBER))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (Excel needs it to read Chinese), formulas neutralised."""
    text = neutralise_frame(frame).write_csv(include_bom=True)
    return text.encode("utf-8")


def _sheet_name(name: str, used: set[str]) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, unique."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
    base, n = clean, 2
    while clean in used:
        suffix = f"({n})"
        clean, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(clean)
    return clean


BLANK = "　" * 6  # room to write by hand on the printed form


def sign_off_line(org: str = "") -> str:
    """The 填报单位 / 日期 / 审核人 line of a form handed in; empty parts are left to fill by hand."""
    return f"填报单位：{org or BLANK}　　填报日期：　　年　　月　　日　　审核人：{BLANK}"


def workbook_bytes(sheets: dict[str, pl.DataFrame], *, title: str, note: str = "", sign_off: str = "") -> bytes:
    """An xlsx workbook, one sheet per entry, formatted for printing (A4 landscape, fit to width).

    Strings are written as strings (never as formulas), each sheet repeats its title and header
    rows on every printed page. `sign_off` (sign_off_line) is printed under the title.
    """
    import io

    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "nan_inf_to_errors": True}
    )
    title_fmt = wb.add_format({"bold": True, "font_size": 14})
    note_fmt = wb.add_format({"italic": True, "font_color": "#666666"})
    head_fmt = wb.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "vcenter", "align": "center"}
    )
    cell_fmt = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    used: set[str] = set()
    for name, frame in sheets.items():
        ws = wb.add_worksheet(_sheet_name(name, used))
        ws.write_string(0, 0, f"{title}　{name}", title_fmt)
        top = 1
        if sign_off:
            ws.write_string(top, 0, sign_off)
            top += 1
        if note:
            ws.write_string(top, 0, note, note_fmt)
        header = top + 1
        ws.write_row(header, 0, frame.columns, head_fmt)
        for i, row in enumerate(frame.iter_rows(), start=header + 1):
            for j, value in enumerate(row):
                if value is None or (isinstance(value, float) and not math.isfinite(value)):
                    ws.write_blank(i, j, None, cell_fmt)
                elif isinstance(value, bool):
                    ws.write_string(i, j, "是" if value else "否", cell_fmt)
                elif isinstance(value, int | float):
                    ws.write_number(i, j, value, cell_fmt)
                else:
                    ws.write_string(i, j, str(value), cell_fmt)
        for j, col in enumerate(frame.columns):
            longest = max([len(col)] + [len(str(v)) for v in frame[col].head(200).to_list() if v is not None])
            ws.set_column(j, j, min(max(8, longest * 1.6), 40))
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0, header)
        ws.freeze_panes(header + 1, 0)
        ws.set_footer("&C第 &P 页，共 &N 页")
    wb.close()
    return buf.getvalue()
