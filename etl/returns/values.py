"""A whole column of value cells → numbers, with `etl.core.numbers.parse_number`'s rules.

What people type (95.2, "1,234", "９６.５%", "15.7/10万", "—") is parsed by polars expressions.
A text with any other character goes through parse_number itself, once per distinct text, so
the two paths cannot disagree: the expressions only take texts whose NFKC form they compute
exactly (ASCII, full-width ASCII, the ideographic space, and the unit and gap words below,
which NFKC leaves alone).
"""

from __future__ import annotations

import polars as pl

from etl.core.numbers import _UNIT_SUFFIXES, MISSING_MARKS, parse_number
from etl.returns.frames import map_distinct

# Characters the expressions understand; NFKC maps full-width ASCII (U+FF01–FF5E) to ASCII and
# U+3000 to a space, and leaves every character of these words as it is.
_WORD_CHARS = "".join(sorted(set("".join(s for s, _ in _UNIT_SUFFIXES) + "".join(MISSING_MARKS)) - {"…"}))
_SAFE = "^[\t\x20-\x7e\u3000\uff01-\uff5e" + "".join(c for c in _WORD_CHARS if ord(c) > 0x7E) + "]*$"
_FULL_WIDTH = [chr(c) for c in range(0xFF01, 0xFF5F)]
_ASCII = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)]
_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
_THOUSANDS = r"^[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$"

NOT_A_NUMBER, OVERFLOW = "not_a_number", "overflow"
PARSED: dict[str, pl.DataType] = {
    "num_value": pl.Float64(),
    "num_missing": pl.Boolean(),
    "num_unit": pl.String(),
    "num_error": pl.String(),  # NOT_A_NUMBER | OVERFLOW
}


def error_message(text: str, error: str) -> str:
    """parse_number's reason for `text`, in Chinese."""
    if error == OVERFLOW:
        return f"“{text}”超出可表示的数值范围，不是有效数值"
    return f"“{text}”不是数值"


def _one(text: str | None) -> tuple[float | None, bool, str | None, str | None]:
    parsed = parse_number(text)
    error = None
    if parsed.error:
        error = OVERFLOW if "超出可表示" in parsed.error else NOT_A_NUMBER
    return parsed.value, parsed.missing, parsed.unit, error


def parse_values(texts: pl.Series) -> pl.DataFrame:
    """The PARSED columns, one row per text of `texts` (null reads as empty)."""
    texts = texts.fill_null("")
    distinct = texts.unique()
    if distinct.len() * 2 > texts.len():
        return _parse(texts)
    # a return repeats its values (rates to one decimal, counts, "—"): each text is parsed once
    found = distinct.to_frame("_s").hstack(_parse(distinct))
    return texts.to_frame("_s").join(found, on="_s", how="left", maintain_order="left").drop("_s")


def _parse(texts: pl.Series) -> pl.DataFrame:
    frame = pl.DataFrame({"_s": texts})
    safe = frame["_s"].str.contains(_SAFE)
    s = pl.col("_s")
    frame = frame.select(s.str.replace_many(_FULL_WIDTH, _ASCII).str.replace_all("[ \t\u3000]", "").alias("_s"))
    missing = s.is_in(sorted(MISSING_MARKS))
    unit = pl.lit(None, dtype=pl.String)
    body = s
    for suffix, canonical in reversed(_UNIT_SUFFIXES):
        has = s.str.ends_with(suffix) & (s.str.len_chars() > len(suffix))
        unit = pl.when(has).then(pl.lit(canonical)).otherwise(unit)
        body = pl.when(has).then(s.str.head(-len(suffix))).otherwise(body)
    frame = frame.select(body.alias("_s"), unit.alias("num_unit"), missing.alias("num_missing"))
    frame = frame.with_columns(pl.when(s.str.contains(_THOUSANDS)).then(s.str.replace_all(",", "")).otherwise(s))
    number = s.str.contains(_NUMBER)
    frame = frame.with_columns(
        number.alias("_number"), pl.when(number).then(s.cast(pl.Float64, strict=False)).alias("_v")
    )
    value, number, finite = pl.col("_v"), pl.col("_number"), pl.col("_v").is_finite()
    gap = pl.col("num_missing")
    parsed = frame.select(
        pl.when(gap).then(None).when(finite).then(pl.when(value == 0).then(0.0).otherwise(value))  # -0 is stored as 0
        .alias("num_value"),
        gap,
        # parse_number reports no unit for a gap
        pl.when(gap).then(None).otherwise(pl.col("num_unit")).alias("num_unit"),
        pl.when(gap).then(None).when(~number).then(pl.lit(NOT_A_NUMBER)).when(~finite).then(pl.lit(OVERFLOW))
        .alias("num_error"),
    )  # fmt: skip
    if safe.all():
        return parsed
    # every other text: parse_number itself, once per distinct text
    at = (~safe).arg_true()
    rest = map_distinct(pl.DataFrame({"_t": texts.filter(~safe)}), ["_t"], _one, PARSED)
    return parsed.with_columns(parsed[c].scatter(at, rest[c]) for c in PARSED)
