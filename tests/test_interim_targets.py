"""A pending plan target falls back to an interim one (the 十四五 2025 target inside 两纲 2030)."""

import polars as pl

from dashboard.engine import targets
from dashboard.render import present

COLUMNS = {
    "plan_code": pl.String,
    "indicator_code": pl.String,
    "region_code": pl.String,
    "target_year": pl.Int64,
    "kind": pl.String,
    "value": pl.Float64,
    "target_text": pl.String,
}


def frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=COLUMNS, orient="row")


def test_pending_target_uses_the_interim_one() -> None:
    plan = frame(
        [
            ("liangang", "C-EDU-01", None, 2030, "at_least", None, "学前教育毛入园率达到90%以上"),
            ("liangang", "C-EDU-02", None, 2030, "at_least", 96.0, "九年义务教育巩固率提高到96%"),
        ]
    )
    fyp = frame(
        [
            ("fyp14", "C-EDU-01", None, 2025, "at_least", 90.0, "学前教育毛入园率90%以上"),
            ("fyp14", "C-EDU-02", None, 2025, "at_least", 95.0, None),
        ]
    )
    got = targets.with_interim_targets(plan, fyp, plan_target_year=2030, report_year=2024)
    by_code = {r["indicator_code"]: r for r in got.iter_rows(named=True)}
    # C-EDU-01's 两纲 number is pending: judged against ≥90 by 2025, and the text says so
    assert (by_code["C-EDU-01"]["target_year"], by_code["C-EDU-01"]["value"]) == (2025, 90.0)
    assert by_code["C-EDU-01"]["plan_code"] == "liangang"
    assert by_code["C-EDU-01"]["target_text"] == "学前教育毛入园率90%以上（按2025年目标评估）"
    # a plan target that is set is never replaced
    assert (by_code["C-EDU-02"]["target_year"], by_code["C-EDU-02"]["value"]) == (2030, 96.0)
    shown = present.target_text(
        {
            "target_kind": "at_least",
            "target_value": 90.0,
            "decimals": 1,
            "target_text": by_code["C-EDU-01"]["target_text"],
        }
    )
    assert shown == "≥90.0（按2025年目标评估）"


def test_no_interim_target_after_its_year() -> None:
    plan = frame([("liangang", "C-EDU-01", None, 2030, "at_least", None, None)])
    fyp = frame([("fyp14", "C-EDU-01", None, 2025, "at_least", 90.0, None)])
    got = targets.with_interim_targets(plan, fyp, plan_target_year=2030, report_year=2026)
    assert got.item(0, "value") is None and got.item(0, "target_year") == 2030
