"""Regions at every level: a province ranks its cities, a city its counties; a parent's
headline reads its own values and is labelled as a roll-up when it has none.

A hand-made province, checkable by hand (base year 2020, report year 2024, τ = 0.4):

    A 孕产妇死亡率 (at_most 12)   B 毛入园率 (at_least 90)
    370300 示例市 (own values)   A 14 → 11 已达标       B 85 → 86 ρ = 0.2 进度滞后
      370302 甲区                A 14 → 13 ρ = 0.5 进度正常  B 85 → 91 已达标
      370303 乙县                A 14 → 15 退步          B 85 → 86 进度滞后
    370100 另一市 (no values)
      370102 丙区                A 14 → 11 已达标       B 85 → 91 已达标
    370000 示例省 (no values)
"""

from __future__ import annotations

import polars as pl
from page_fixtures import INDICATORS, OBSERVATION_SCHEMA, PLAN, TARGETS

from dashboard import engine
from dashboard.engine import labels
from dashboard.views import briefing

PROVINCE, CITY1, CITY2 = "370000", "370300", "370100"
K11, K12, K21 = "370302", "370303", "370102"
REGIONS = pl.DataFrame(
    {
        "code": [CITY2, K21, PROVINCE, CITY1, K11, K12],
        "name": ["另一市", "丙区", "示例省", "示例市", "甲区", "乙县"],
        "short_name": ["另一", "丙", "示例省", "示例", "甲", "乙"],
        "level": ["city", "county", "province", "city", "county", "county"],
        "parent_code": [PROVINCE, CITY2, "100000", PROVINCE, CITY1, CITY1],
    }
).sort("code")
VALUES = {
    ("A", CITY1): (14.0, 11.0),
    ("B", CITY1): (85.0, 86.0),
    ("A", K11): (14.0, 13.0),
    ("B", K11): (85.0, 91.0),
    ("A", K12): (14.0, 15.0),
    ("B", K12): (85.0, 86.0),
    ("A", K21): (14.0, 11.0),
    ("B", K21): (85.0, 91.0),
}


def _observations() -> pl.DataFrame:
    rows = [
        {
            "indicator_code": code,
            "region_code": region,
            "breakdown": "合计",
            "year": year,
            "value": value,
            "revision": 1,
            "submission_id": 1,
            "is_sample": False,
        }
        for (code, region), pair in VALUES.items()
        for year, value in zip((2020, 2024), pair, strict=True)
    ]
    return pl.DataFrame(rows, schema=OBSERVATION_SCHEMA)


def _result() -> engine.ProgressResult:
    config = labels.load_labels()
    chosen = config.label_set("default")
    scope = REGIONS.get_column("code").to_list()
    computed = engine.compute(
        PLAN,
        2024,
        regions=REGIONS,
        indicators=INDICATORS.filter(pl.col("indicator_code") != "C"),
        raw_targets=TARGETS.filter(pl.col("indicator_code") != "C"),
        observations=_observations(),
        scope=scope,
        status_labels=chosen.frame(),
        growth_labels=config.growth_frame(),
        region=PROVINCE,
    )
    empty = pl.DataFrame()
    return engine.ProgressResult(
        plan=PLAN,
        report_year=2024,
        region=PROVINCE,
        label_set=chosen.key,
        label_set_name=chosen.name,
        items=computed.items,
        by_region=computed.by_region,
        by_domain=computed.by_domain,
        by_outline=computed.by_outline,
        by_unit=computed.by_unit,
        ranking=computed.ranking,
        completeness=empty,
        completeness_by_unit=empty,
        completeness_cells=empty,
        observations=_observations(),
        targets=computed.targets,
        labels=chosen.frame(),
        growth_labels=config.growth_frame(),
        rate_rule="",
        growth_method="",
        completeness_rule="",
        deadline_rule="",
        snapshot="levels",
        sample_data=False,
        sample_targets=False,
        regions=REGIONS,
    )


def test_province_ranks_its_cities_each_on_its_basis() -> None:
    ranking = _result().ranking
    rows = ranking.select("rank", "region_code", "rate_numerator", "rate_denominator", "rollup", "basis").rows()
    assert rows == [
        # 另一市 has no values: its one county's items, 2 of 2 达标, labelled as a roll-up
        (1, CITY2, 2, 2, 1, "所辖1个区县合计（按指标×区县计，单位：项次）"),
        # 示例市 reads its own values (1 of 2), never its counties' (1 of 4)
        (2, CITY1, 1, 2, 0, "本级指标（单位：项）"),
    ]


def test_city_headline_in_a_province_reads_its_own_values() -> None:
    result = _result()
    head = briefing.headline(result, CITY1)
    assert (head.basis, head.rate_text, head.is_rollup) == ("本级指标（单位：项）", "50.0%", False)
    assert (head.counts["rate_numerator"], head.counts["rate_denominator"]) == (1, 2)
    other = briefing.headline(result, CITY2)
    assert other.basis == "所辖1个区县合计（按指标×区县计，单位：项次）"
    assert (other.is_rollup, other.rate_text, other.unit_word) == (True, "100.0%", "项次")


def test_province_headline_pools_its_cities_items_as_a_rollup() -> None:
    head = briefing.headline(_result(), PROVINCE)
    # the cities' own items: 示例市 A 达标, B 滞后; 另一市 A, B 无数据 → 1 ÷ 2, coverage 2 / 4
    assert head.basis == "所辖2个市合计（按指标×市计，单位：项次）"
    assert (head.rate_text, head.coverage_text, head.is_rollup) == ("50.0%", "2/4", True)


def test_a_city_in_a_province_view_ranks_its_counties() -> None:
    result = _result()
    table = briefing.ranking_table(result, CITY1)
    assert table.select("排名", "区县", "达标率").rows() == [(1, "甲区", "50.0%"), (2, "乙县", "0.0%")]
    province = briefing.ranking_table(result, PROVINCE)
    assert province.columns[1] == "市"
    assert province.select("市", "口径").rows() == [
        ("另一市（汇总）", "所辖1个区县合计（按指标×区县计，单位：项次）"),
        ("示例市", "本级"),
    ]
    # where the province view can go down to: both cities have counties
    assert briefing.drill_targets(result, PROVINCE) == {CITY2: "另一市", CITY1: "示例市"}
    assert briefing.drill_targets(result, CITY1) == {}
    # the chart marks the roll-up too (worst first: the bar chart draws the first row at the bottom)
    assert briefing.ranking_bars(result, PROVINCE)["region_name"].to_list() == ["示例市", "另一市（汇总）"]


def test_counties_under_a_province_go_through_its_cities() -> None:
    from dashboard.engine import levels

    assert levels.counties_under(REGIONS, PROVINCE) == [K21, K11, K12]
    assert levels.counties_under(REGIONS, CITY1) == [K11, K12]
    assert levels.counties_under(REGIONS, K11) == []


# --- the pages that compare the level below: 区县对比, 中期评估, 指标详情 --------------------------


def test_a_comparison_shows_the_level_below_or_a_countys_neighbours() -> None:
    from dashboard.engine import levels

    assert levels.compared_parent(REGIONS, PROVINCE) == PROVINCE
    assert levels.compared_parent(REGIONS, CITY1) == CITY1
    assert levels.compared_parent(REGIONS, K12) == CITY1  # a county among its city's counties
    assert levels.parent_of(REGIONS, PROVINCE) is None  # 100000 is not in the tree


def test_districts_page_at_each_level() -> None:
    from dashboard.views import districts

    result = _result()
    province = districts.scope(result, PROVINCE)
    assert (province.parent_name, province.parent_scope, province.word) == ("示例省", "全省", "市")
    assert province.names == {CITY2: "另一市", CITY1: "示例市"} and province.chosen is None
    assert province.drill == {CITY2: "另一市", CITY1: "示例市"}  # both cities have counties to go down to
    city = districts.scope(result, CITY1)
    assert (city.parent_name, city.parent_scope, city.word, city.chosen) == ("示例市", "全市", "区县", None)
    assert city.names == {K11: "甲区", K12: "乙县"} and city.drill == {}
    county = districts.scope(result, K12)
    assert (county.parent, county.chosen, county.codes) == (CITY1, K12, (K11, K12))

    view = districts.view(result, None, PROVINCE, "", True, CITY2, "健康")
    assert view.matrix.columns[5:] == ["另一市", "示例市"]  # the cities, in code order
    # each city's own values: 另一市 has none, so its cells are empty — never its county's figures
    assert view.matrix.select("指标", "另一市", "示例市").rows() == [
        ("孕产妇死亡率", "— 无数据", "✔ 达标 11.0"),
        ("学前教育毛入园率", "— 无数据", "✖ 未达标 86.0"),
    ]
    assert view.ranking.select("排名", "市", "达标率", "口径").rows() == [
        (1, "另一市（汇总）", "100.0%", "所辖1个区县合计（按指标×区县计，单位：项次）"),
        (2, "示例市", "50.0%", "本级"),
    ]
    card = view.scorecard
    assert (card.rank, card.ranked, card.headline.rate_text, card.headline.is_rollup) == (1, 2, "100.0%", True)
    # 健康 (A only): 另一市 rolls up 丙区 (达标); 示例省 has no values either, so it rolls up its
    # cities' own items — 示例市 达标, 另一市 无数据
    assert view.rates.rows() == [("另一市（汇总）", "100.0%", 1, 1, 0), ("示例省（汇总）", "100.0%", 1, 1, 1)]
    # the indicator table compares own values: neither has one, so there is nothing to set side by side
    assert view.comparison.height == 0

    inside = districts.view(result, None, K12, "", True, K12, "教育")
    assert inside.ranking.select("排名", "区县", "达标率").rows() == [(1, "甲区", "50.0%"), (2, "乙县", "0.0%")]
    assert (inside.scorecard.rank, inside.scorecard.ranked) == (2, 2)
    # the county against its own city's values (示例市 has its own: B 进度滞后), not the province's
    assert inside.rates.rows() == [("乙县", "0.0%", 0, 1, 0), ("示例市", "0.0%", 0, 1, 0)]


def test_midterm_ranks_the_level_below_with_a_pooled_total() -> None:
    from dashboard.views import midterm

    province = midterm.below(midterm_result := _result(), PROVINCE)
    assert province.title == "示例省各市评估汇总"
    assert province.table.select("排名", "市", "✔ 达标", "✖ 未达标", "合计", "达标率", "达标率分母", "口径").rows() == [
        (1, "另一市（汇总）", 2, 0, 2, "100.0%", 2, "所辖1个区县合计（按指标×区县计，单位：项次）"),
        (2, "示例市", 1, 1, 2, "50.0%", 2, "本级"),
        # the rows' items pooled: 3 of 4 项次, a ratio of sums — not the mean of 100% and 50%
        (None, "合计（汇总）", 3, 1, 4, "75.0%", 4, "汇总"),
    ]
    assert province.drill == {CITY2: "另一市", CITY1: "示例市"} and province.rank_of_region is None

    county = midterm.below(midterm_result, K12)
    assert county.table.select("排名", "区县", "达标率", "达标率分母").rows() == [
        (1, "甲区", "50.0%", 2),
        (2, "乙县", "0.0%", 2),
        (None, "合计（汇总）", "25.0%", 4),
    ]
    assert "口径" not in county.table.columns  # every county counts its own items
    assert county.rank_line("乙县") == "乙县在示例市2个区县中排名第2。"
    assert county.total_line == "合计（汇总）行：所辖2个区县合计（汇总，按指标×区县计，单位：项次）。"
    # the evaluation table itself stays the region's own: 示例省 has no values
    m = midterm.evaluation(midterm_result, PROVINCE)
    assert (m.has_values, m.below.title) == (False, "示例省各市评估汇总")
    assert m.summary.row(-1, named=True)["— 无数据"] == 2


def test_indicator_detail_ranks_the_level_below_by_own_values() -> None:
    from dashboard.views import indicator

    result = _result()
    province = indicator.detail(result, None, "A", PROVINCE)
    assert province.districts.select("排名", "地区", "最新值").rows() == [
        (None, "示例省", None),
        (1, "示例市", 11.0),
        (None, "另一市", None),  # no value of its own: no rank, never its county's 11
    ]
    assert province.rank_rule == "按本级最新值从低到高排名（越低越好）；无数据的地区不排名"
    assert (province.parent_name, province.word) == ("示例省", "市")
    assert province.drill == {CITY2: "另一市", CITY1: "示例市"}
    assert province.series["region_name"].unique(maintain_order=True).to_list() == ["示例市"]
    assert province.empty_note == (
        "示例省本级暂无这个指标的数值（上级数值不由下级数值相加或平均）；"
        "图中为所辖各市本级数值，可在侧栏“地区”中选择市查看其评价依据。"
    )
    city = indicator.detail(result, None, "B", CITY1)
    assert city.districts.select("排名", "地区", "最新值").rows() == [
        (None, "示例市", 86.0),
        (1, "甲区", 91.0),
        (2, "乙县", 86.0),
    ]
    assert city.rank_rule.startswith("按本级最新值从高到低排名")
    county = indicator.detail(result, None, "B", K12)
    assert county.series["region_name"].unique(maintain_order=True).to_list() == ["乙县", "示例市"]
    assert county.districts["地区"].to_list() == ["示例市", "甲区", "乙县"] and county.drill == {}


def test_value_ranks_follow_the_target() -> None:
    from dashboard.views import indicator

    band = pl.DataFrame(
        {
            "region_code": ["a", "b", "c", "d"],
            "latest_value": [106.0, 110.0, 104.0, None],
            "target_kind": ["band"] * 4,
            "target_value": [None] * 4,
            "target_band_low": [105.0] * 4,
            "target_band_high": [108.0] * 4,
        }
    )
    # centre 106.5: a is 0.5 away, c 2.5, b 3.5; d has no value
    assert indicator.value_ranks(band) == (
        {"a": 1, "c": 2, "b": 3},
        "按本级最新值与目标的距离从近到远排名；无数据的地区不排名",
    )
    none = band.with_columns(pl.lit(None, pl.String).alias("target_kind"))
    assert indicator.value_ranks(none) == ({}, "指标没有目标方向，不排名")
