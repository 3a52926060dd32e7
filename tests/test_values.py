"""etl.returns.values: a whole column of value cells parsed at once, with parse_number's rules,
whether a text goes through the expressions (what people type) or parse_number itself (the rest)."""

from __future__ import annotations

import polars as pl

from etl.returns.values import NOT_A_NUMBER, OVERFLOW, parse_values

CASES = [
    # text, value, missing, unit, error
    ("95.2", 95.2, False, None, None),
    ("95.2%", 95.2, False, "%", None),
    ("９５．２％", 95.2, False, "%", None),
    ("1,234", 1234.0, False, None, None),
    ("1,302.8", 1302.8, False, None, None),
    ("1,23", None, False, None, NOT_A_NUMBER),
    ("4.9‰", 4.9, False, "‰", None),
    ("15.7/10万", 15.7, False, "1/10万", None),
    ("8.5/10万活产", 8.5, False, "1/10万", None),
    ("3个", 3.0, False, "个", None),
    ("2百分点", 2.0, False, "百分点", None),
    (" 12 ", 12.0, False, None, None),
    ("1\u30002", 12.0, False, None, None),
    ("-0", 0.0, False, None, None),
    ("+4", 4.0, False, None, None),
    (".5", 0.5, False, None, None),
    ("5.", 5.0, False, None, None),
    ("1e2", 100.0, False, None, None),
    ("1e309", None, False, None, OVERFLOW),
    ("inf", None, False, None, NOT_A_NUMBER),
    ("nan", None, False, None, NOT_A_NUMBER),
    ("abc", None, False, None, NOT_A_NUMBER),
    ("%", None, False, None, NOT_A_NUMBER),
    ("—", None, True, None, None),
    ("暂无数据", None, True, None, None),
    ("N/A", None, True, None, None),
    ("", None, True, None, None),
    (None, None, True, None, None),
    # not what the expressions take: parse_number decides
    ("…", None, True, None, None),
    ("٣", 3.0, False, None, None),
    ("12\n", 12.0, False, None, None),
    ("９６.５％\u00a0", 96.5, False, "%", None),
]


def test_each_text_parses_as_parse_number_says() -> None:
    parsed = parse_values(pl.Series([c[0] for c in CASES], dtype=pl.String))
    got = list(parsed.select("num_value", "num_missing", "num_unit", "num_error").iter_rows())
    assert got == [c[1:] for c in CASES]


def test_minus_zero_is_plain_zero() -> None:
    value = parse_values(pl.Series(["-0", "-0.0"]))["num_value"]
    assert [str(v) for v in value] == ["0.0", "0.0"]
