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
        ("另一市", "所辖1个区县合计（按指标×区县计，单位：项次）"),
        ("示例市", "本级"),
    ]
    # where the province view can go down to: both cities have counties
    assert briefing.drill_targets(result, PROVINCE) == {CITY2: "另一市", CITY1: "示例市"}
    assert briefing.drill_targets(result, CITY1) == {}


def test_counties_under_a_province_go_through_its_cities() -> None:
    from dashboard.engine import levels

    assert levels.counties_under(REGIONS, PROVINCE) == [K21, K11, K12]
    assert levels.counties_under(REGIONS, CITY1) == [K11, K12]
    assert levels.counties_under(REGIONS, K11) == []
