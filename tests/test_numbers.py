"""Cell text → numbers and years: each rule with the input that breaks it."""

import pytest

from etl.core.numbers import parse_number, parse_year, unit_key


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("95.2", 95.2, None),
        ("95.2%", 95.2, "%"),
        ("９５．２％", 95.2, "%"),  # full-width digits and percent sign
        ("1,234", 1234.0, None),
        ("1,302.8", 1302.8, None),
        ("4.9‰", 4.9, "‰"),
        ("15.7/10万", 15.7, "1/10万"),
        (" 12 ", 12.0, None),
        ("-3", -3.0, None),
    ],
)
def test_numbers_people_type(text: str, value: float, unit: str | None) -> None:
    parsed = parse_number(text)
    assert parsed.value == value
    assert parsed.unit == unit
    assert not parsed.missing and parsed.error is None


@pytest.mark.parametrize("text", ["", "—", "-", "/", "无", "暂无数据", "  ", "——"])
def test_missing_marks_are_gaps_not_errors(text: str) -> None:
    parsed = parse_number(text)
    assert parsed.missing and parsed.value is None and parsed.error is None


@pytest.mark.parametrize("text", ["abc", "1,2,3", "12..5", "约95", "95%%"])
def test_non_numbers_are_errors_naming_the_text(text: str) -> None:
    parsed = parse_number(text)
    assert parsed.value is None and not parsed.missing
    assert text in parsed.error


@pytest.mark.parametrize(
    ("text", "year"),
    [("2024", 2024), ("2024年", 2024), ("２０２４年度", 2024), ("2024.0", 2024), ("24", None), ("二〇二四", None)],
)
def test_years(text: str, year: int | None) -> None:
    assert parse_year(text) == year


def test_unit_key_treats_rate_spellings_alike() -> None:
    assert unit_key("1/10万") == unit_key("/10万") == unit_key("1/10万活产")
    assert unit_key("%") != unit_key("‰")
