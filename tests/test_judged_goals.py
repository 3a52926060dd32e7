"""A 定性 goal's value is a verdict (1 已实现, 0 未实现), never a measurement: every table
shows the verdict in words (定性评定) and leaves the number columns empty, and no page computes a
change from it. The sample database: 博山区's C-LAW-01 (保障儿童权利的法律法规体系) is judged 已实现
in every year the sample holds."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dashboard import engine
from dashboard.views import districts, indicator, midterm

BOSHAN, ZIBO = "370304", "370300"
CODE, NAME = "C-LAW-01", "保障儿童权利的法律法规体系"


@pytest.fixture(scope="module")
def result(built_db: Path) -> engine.ProgressResult:
    return engine.run(built_db, "liangang", 2024, ZIBO)


def test_indicator_detail_shows_the_verdict_and_no_change(result: engine.ProgressResult) -> None:
    d = indicator.detail(result, None, CODE, BOSHAN, "合计")
    row = d.districts.filter(pl.col("地区") == "博山区")
    assert row.select("基期值", "最新值", "定性评定", "最新年份", "状态").row(0) == (
        None,
        None,
        "已实现",
        "2024",
        "✔ 达标",
    )
    why = dict(d.why.select("项目", "数值").iter_rows())
    assert why["基期值（2020年）"] == "已实现"
    assert why["最新值"] == "已实现（2024年）"
    assert why["上年值"] == "已实现"
    assert why["同比变化"] is None and why["较基期变化"] is None


def test_district_scorecard_and_midterm_say_it_in_words(result: engine.ProgressResult) -> None:
    card = districts.scorecard(result, BOSHAN).items
    assert card.filter(pl.col("指标") == NAME).select("最新值", "定性评定").row(0) == (None, "已实现")
    table = midterm.evaluation(result, BOSHAN).table.filter(pl.col("指标") == NAME)
    assert table.select("最新值", "定性评定", "评估结论").row(0) == (None, "已实现", "达标；2024年评定为已实现")


def test_a_table_without_judged_goals_has_no_verdict_column(result: engine.ProgressResult) -> None:
    d = indicator.detail(result, None, "C-HEALTH-13", BOSHAN, "合计")
    assert "定性评定" not in d.districts.columns and "最新值" in d.districts.columns
