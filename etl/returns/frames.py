"""Small polars helpers the vectorised reader and validator share.

Two ideas run through the loader: a rule that needs Python (NFKC, regexes over Chinese labels,
catalogue lookups) is applied once per distinct text and joined back, never once per cell; and
blank means what Python's `str.strip()` means, so the frame code and the per-value code agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

# Exactly the characters Python's str.isspace() accepts: str.strip() strips these, and polars'
# default strip_chars() does not strip \x1c–\x1f.
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def strip(expr: pl.Expr) -> pl.Expr:
    """`text.strip()` for a string expression."""
    return expr.str.strip_chars(PY_WHITESPACE)


# one character that is not white space
_NOT_SPACE = "[^" + "".join(f"\\u{{{ord(c):x}}}" for c in PY_WHITESPACE) + "]"


def filled(expr: pl.Expr) -> pl.Expr:
    """True where the text holds more than white space (null counts as empty)."""
    return expr.str.contains(_NOT_SPACE).fill_null(False)


def or_null(expr: pl.Expr) -> pl.Expr:
    """`text or None`: the empty string as null."""
    return pl.when(expr == "").then(None).otherwise(expr)


def map_distinct(
    frame: pl.DataFrame,
    keys: list[str],
    fn: Callable[..., Any],
    schema: dict[str, pl.DataType],
) -> pl.DataFrame:
    """`frame` with the columns of `schema` added: `fn(*key values)` computed once per distinct
    combination of `keys` (nulls included) and joined back, order kept.

    `fn` returns a tuple in `schema`'s column order (or a single value for a one-column schema).
    Only the key columns take part in the join; the frame's other columns are not copied.
    """
    distinct = frame.select(keys).unique(maintain_order=True)
    results = [fn(*row) for row in distinct.iter_rows()]
    if len(schema) == 1:
        results = [(r,) for r in results]
    table = pl.concat([distinct, rows_frame(results, schema)], how="horizontal")
    added = frame.select(keys).join(table, on=keys, how="left", nulls_equal=True, maintain_order="left")
    return frame.hstack(added.drop(keys))


def keep(frame: pl.DataFrame, mask: pl.Expr | str) -> pl.DataFrame:
    """`frame.filter(mask)`, but the frame itself when every row passes (a filter copies every
    column, and most files pass every check)."""
    passed = frame.select(pl.col(mask) if isinstance(mask, str) else mask).to_series()
    return frame if passed.null_count() == 0 and passed.all() else frame.filter(passed)


def look_up(frame: pl.DataFrame, table: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """`frame` with `table`'s other columns added, matched on `keys` (a left join whose right
    side has unique keys), without copying the frame's own columns."""
    found = frame.select(keys).join(table, on=keys, how="left", maintain_order="left")
    return frame.hstack(found.drop(keys))


def rows_frame(rows: list[tuple], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """A frame from row tuples, built column by column (row construction cannot take list values)."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    return pl.DataFrame(
        [pl.Series(name, list(col), dtype=t) for (name, t), col in zip(schema.items(), columns, strict=True)]
    )
