"""Normalisation and validation rules, each with the small input that shows its failure mode."""

import polars as pl
import pytest

from etl.core.records import RawValue
from etl.returns.validate import Context, check_values

INDICATORS = pl.DataFrame(
    {
        "code": ["C-HEALTH-04", "C-EDU-02", "W-HEALTH-M3", "C-HEALTH-06c", "W-HEALTH-02", "X-COUNT"],
        "name": ["婴儿死亡率", "学前教育毛入园率", "产前筛查率", "产前筛查率", "孕产妇死亡率", "托位数"],
        "unit": ["‰", "%", "%", "%", "1/10万", "个"],
        "plausible_min": [0.0, 0.0, 0.0, 0.0, 0.0, None],
        "plausible_max": [1000.0, 100.0, 100.0, 100.0, 100000.0, None],
        "breakdowns": ["城镇|农村", None, None, None, "城镇|农村", None],
    }
)
ALIASES = pl.DataFrame({"alias": ["学前三年毛入园率"], "indicator_code": ["C-EDU-02"]})
REGIONS = pl.DataFrame(
    {
        "code": ["370303", "370321", "370322", "999901", "999902"],
        "name": ["张店区", "桓台县", "高青县", "新城区", "新城县"],
        "short_name": ["张店", "桓台", "高青", "新城区", "新城县"],
    }
)


def ctx(current=None) -> Context:
    return Context.from_frames(INDICATORS, ALIASES, REGIONS, (2020, 2030), current)


def rv(indicator="婴儿死亡率", value="4.2", region="张店区", year="2024", breakdown=None, row=5, col="D", unit=None):
    return RawValue("报表.xlsx", "Sheet1", row, col, indicator, value, region, year, breakdown, unit, None, ())


def rules(result) -> list[str]:
    return [f.rule for f in result.findings]


def test_valid_value_becomes_an_observation() -> None:
    out = check_values([rv()], ctx())
    assert [(o.indicator_code, o.region_code, o.year, o.breakdown, o.value) for o in out.observations] == [
        ("C-HEALTH-04", "370303", 2024, "合计", 4.2)
    ]
    assert out.findings == [] and out.rejected == []


@pytest.mark.parametrize("region", ["370303", "张店区", "张店", " 张 店 区 ", "３７０３０３", "370303.0"])
def test_region_by_code_or_name_with_or_without_suffix(region: str) -> None:
    assert check_values([rv(region=region)], ctx()).observations[0].region_code == "370303"


def test_region_ambiguous_between_two_is_never_guessed() -> None:
    # 新城 could be 新城区 or 新城县: both are named, neither is picked
    out = check_values([rv(region="新城")], ctx())
    assert out.observations == [] and rules(out) == ["ambiguous_region"]
    assert "新城区" in out.findings[0].message and "新城县" in out.findings[0].message


CITY_REGIONS = pl.DataFrame(
    {
        "code": ["100000", "370300", "370303", "370321"],
        "name": ["全国", "淄博市", "张店区", "桓台县"],
        "short_name": ["全国", "淄博", "张店", "桓台"],
        "level": ["country", "city", "county", "county"],
        "parent_code": [None, "370000", "370300", "370300"],
    }
)


def test_whole_city_column_is_the_home_city() -> None:
    # 全市 in a city's dashboard is the city's own figure, not a district
    city = Context.from_frames(INDICATORS, ALIASES, CITY_REGIONS, (2020, 2030))
    out = check_values([rv(region="全市"), rv(region="张店区")], city)
    assert [o.region_code for o in out.observations] == ["370300", "370303"]
    assert out.findings == []


def test_whole_column_of_another_level_is_skipped_with_a_note() -> None:
    # a county's dashboard (home 桓台县) given a city table: 全市 is not its figure; 全县 is
    county = Context.from_frames(INDICATORS, ALIASES, CITY_REGIONS.filter(pl.col("code") == "370321"), (2020, 2030))
    out = check_values([rv(region="全市", row=7, col="G"), rv(region="全县", row=8)], county)
    assert [o.region_code for o in out.observations] == ["370321"]
    assert rules(out) == ["whole_region_skipped"] and out.rejected == []
    assert "第7行G列" in out.findings[0].message and "未读取" in out.findings[0].message


def test_unknown_region_names_file_row_cell() -> None:
    out = check_values([rv(region="张店镇", row=9, col="F")], ctx())
    assert rules(out) == ["unknown_region"]
    msg = out.findings[0].message
    assert "报表.xlsx" in msg and "第9行" in msg and "F列" in msg and "张店区" in msg  # suggestion


@pytest.mark.parametrize("name", ["C-HEALTH-04", "c-health-04", "婴儿死亡率", "婴儿死亡率（‰）", "其中：婴儿死亡率"])
def test_indicator_by_code_or_name(name: str) -> None:
    assert check_values([rv(indicator=name)], ctx()).observations[0].indicator_code == "C-HEALTH-04"


def test_indicator_alias() -> None:
    out = check_values([rv(indicator="学前三年毛入园率", value="91.5")], ctx())
    assert out.observations[0].indicator_code == "C-EDU-02"


def test_unknown_indicator_suggests_closest_names() -> None:
    out = check_values([rv(indicator="学前教育入园率", value="91")], ctx())
    assert rules(out) == ["unknown_indicator"]
    assert "学前教育毛入园率" in out.findings[0].message


def test_same_measure_in_both_outlines_is_loaded_into_each() -> None:
    out = check_values([rv(indicator="产前筛查率", value="93.5")], ctx())
    assert sorted(o.indicator_code for o in out.observations) == ["C-HEALTH-06c", "W-HEALTH-M3"]
    assert rules(out) == ["same_measure"]


@pytest.mark.parametrize(
    ("value", "rule"),
    [("abc", "non_numeric"), ("-1", "negative"), ("101.5", "percent_over_100")],
)
def test_bad_percentages(value: str, rule: str) -> None:
    out = check_values([rv(indicator="学前教育毛入园率", value=value)], ctx())
    assert out.observations == [] and rules(out) == [rule]
    assert out.rejected[0].reason == out.findings[0].message


def test_rate_outside_plausible_range() -> None:
    out = check_values([rv(value="1200")], ctx())  # 1200‰ is impossible
    assert rules(out) == ["out_of_range"]


def test_unit_written_in_cell_must_match() -> None:
    ok = check_values([rv(value="4.9‰")], ctx())
    assert ok.observations[0].value == 4.9
    bad = check_values([rv(value="4.9%")], ctx())
    assert rules(bad) == ["unit_mismatch"] and "‰" in bad.findings[0].message
    rate = check_values([rv(indicator="孕产妇死亡率", value="15.7/10万")], ctx())
    assert rate.observations[0].value == 15.7


def test_unit_column_must_match() -> None:
    assert rules(check_values([rv(unit="%")], ctx())) == ["unit_mismatch"]
    assert check_values([rv(unit="‰")], ctx()).observations


def test_fraction_percentages_are_flagged_not_stored() -> None:
    vals = [
        rv(indicator="学前教育毛入园率", value=v, region=r)
        for v, r in (("0.953", "张店区"), ("0.912", "桓台县"), ("0.88", "高青县"))
    ]
    out = check_values(vals, ctx())
    assert out.observations == []
    assert rules(out) == ["looks_like_fraction"] * 3
    assert "95.3" in out.findings[0].message


def test_one_small_percentage_among_normal_ones_is_kept() -> None:
    vals = [rv(indicator="学前教育毛入园率", value=v, region=r) for v, r in (("0.9", "张店区"), ("91.2", "桓台县"))]
    assert len(check_values(vals, ctx()).observations) == 2


def test_missing_marks_are_counted_not_rejected() -> None:
    out = check_values([rv(value="—"), rv(value="暂无数据", region="桓台县")], ctx())
    assert out.observations == [] and out.rejected == [] and out.missing == 2


@pytest.mark.parametrize(
    ("year", "rule"), [("2019", "year_out_of_plan"), ("2031", "year_out_of_plan"), ("去年", "bad_year")]
)
def test_years_outside_the_plan(year: str, rule: str) -> None:
    assert rules(check_values([rv(year=year)], ctx())) == [rule]


def test_breakdowns() -> None:
    out = check_values([rv(breakdown="其中：城镇"), rv(breakdown="农村", row=6)], ctx())
    assert [o.breakdown for o in out.observations] == ["城镇", "农村"]
    assert rules(check_values([rv(indicator="学前教育毛入园率", value="90", breakdown="农村")], ctx())) == [
        "breakdown_not_allowed"
    ]
    assert rules(check_values([rv(breakdown="山区")], ctx())) == ["unknown_breakdown"]


def test_conflicting_duplicates_are_both_rejected() -> None:
    out = check_values([rv(value="4.2", row=5), rv(value="4.5", row=8)], ctx())
    assert out.observations == []
    assert rules(out) == ["duplicate_conflict", "duplicate_conflict"]
    assert "第5行" in out.findings[0].message and "第8行" in out.findings[0].message


def test_identical_duplicates_load_once() -> None:
    out = check_values([rv(value="4.2", row=5), rv(value="4.20", row=8)], ctx())
    assert len(out.observations) == 1 and rules(out) == ["duplicate_same"]


def test_changed_value_is_a_revision_warning() -> None:
    current = {("C-HEALTH-04", "370303", 2024, "合计"): 4.0}
    out = check_values([rv(value="4.2")], ctx(current))
    assert len(out.observations) == 1
    assert rules(out) == ["revision"] and "4 → 4.2" in out.findings[0].message
    same = check_values([rv(value="4.0")], ctx(current))
    assert rules(same) == []
