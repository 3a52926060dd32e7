"""Export bytes for downloads: CSV that Excel opens with Chinese intact and no live formulas.

Plain functions over polars frames (no Streamlit), so they are unit-tested directly.
"""

from __future__ import annotations

import polars as pl

# A text cell starting with one of these is run as a formula by Excel/WPS (CSV injection);
# tab and carriage return are included because spreadsheets strip them and then evaluate.
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

UTF8_BOM = b"\xef\xbb\xbf"


def neutralise(text: str | None) -> str | None:
    """Prefix a single quote to text a spreadsheet would treat as a formula."""
    if text is not None and text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Neutralise every text cell; numbers stay numbers (a negative number is not a formula)."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text_columns:
        return frame
    starts = "^[" + "".join(FORMULA_PREFIXES).replace("-", r"\-") + "]"
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(starts))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text_columns
    )


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (Excel needs it to read Chinese), formulas neutralised."""
    text = neutralise_frame(frame).write_csv(include_bom=True)
    return text.encode("utf-8")
