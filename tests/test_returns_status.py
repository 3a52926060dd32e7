"""What the review page says each unit owes: the engine's completeness rule, and the reminders
that follow from it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from dashboard.engine import aggregate
from dashboard.queries import db
from dashboard.views import returns as returns_status


def test_return_rule_is_the_engine_rule_without_the_plan_filter() -> None:
    engine_rule = aggregate.DEFAULT_RULE
    assert returns_status.RETURN_RULE.roles == engine_rule.roles
    assert returns_status.RETURN_RULE.numeric_only == engine_rule.numeric_only
    assert returns_status.RETURN_RULE.region_level == engine_rule.region_level
    assert not returns_status.RETURN_RULE.plan_indicators_only


def test_a_removed_value_shows_up_as_owed(work_db: Path) -> None:
    before = returns_status.completeness(work_db, 2024).filter(pl.col("unit_code") == "health").row(0, named=True)
    db.close_all()  # the app's read-only connection; a writer needs the file to itself
    con = duckdb.connect(str(work_db))
    con.execute(
        "DELETE FROM observation WHERE indicator_code = 'W-HEALTH-02' AND region_code = '370323' AND year = 2024"
    )
    con.close()
    db.close_all()

    owed = returns_status.expected_values(work_db, 2024)
    health = owed.filter(pl.col("unit_code") == "health")
    # only districts are owed (the 全市 figure is the city's own, not a district's return)
    assert set(health["region_code"]) == {
        "370302",
        "370303",
        "370304",
        "370305",
        "370306",
        "370321",
        "370322",
        "370323",
    }
    after = returns_status.completeness(work_db, 2024).filter(pl.col("unit_code") == "health").row(0, named=True)
    assert after["expected"] == before["expected"] == health.height
    assert after["received"] == before["received"] - 1 == int(health["received"].sum())
    assert after["rate"] == round(after["received"] / after["expected"] * 100, 1)

    reminders = returns_status.reminder_list(work_db, 2024)
    row = reminders.filter(pl.col("指标代码") == "W-HEALTH-02").row(0, named=True)
    assert (row["成员单位"], row["缺报区县数"], row["缺报区县"]) == ("卫生健康委", 1, "沂源县")
    summary = returns_status.reminder_summary(work_db, 2024).filter(pl.col("成员单位") == "卫生健康委")
    assert summary.item(0, "缺报数值数") == after["expected"] - after["received"]
    assert "尚缺" in summary.item(0, "提醒内容")


def test_every_rule_a_return_can_raise_has_a_chinese_name() -> None:
    # the upload preview shows the rule's name; a bare code such as "orphan_breakdown" means
    # nothing to a member unit. Rules are found where the reader and validator raise them.
    import re

    source = "".join(
        p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parent.parent / "etl" / "returns").glob("*.py"))
    )
    raised = set(re.findall(r'"([a-z_]+)",\s*SEVERITY_', source))
    raised |= set(re.findall(r'(?:reject|note)\(\w+, "([a-z_]+)"', source))
    # the per-value and per-indicator rules are tried from tables of rule names
    for table in re.findall(r'^_[A-Z_]*RULES = \(\n((?:\s+"[a-z_]+",\n)+)\)', source, flags=re.M):
        raised |= set(re.findall(r'"([a-z_]+)"', table))
    raised.discard("missing")  # a blank value is counted as 缺报, never raised as a finding
    assert {"orphan_breakdown", "unknown_region", "whole_region_skipped"} <= raised  # the scan finds them
    assert sorted(raised - set(returns_status.RULE_LABELS)) == []


def test_back_filled_years_say_so_instead_of_late(built_db: Path) -> None:
    # the sample returns were loaded on 2025-03-20: 2024's deadline (2025-03-31) was still ahead,
    # 2022's (2023-03-31) long gone — that year was typed in afterwards, not sent late
    def timeliness(year: int) -> set[str]:
        return set(returns_status.return_status(built_db, year).get_column("timeliness"))

    assert "按时" in timeliness(2024) and "历史补录" not in timeliness(2024)  # units without a file: 逾期未报
    assert timeliness(2022) == {"历史补录"}
