"""Preview warnings for plausible mistakes: they flag a value, never refuse it."""

import polars as pl

from etl.core.records import RawValue
from etl.returns.plausibility import modified_z
from etl.returns.validate import Context, check_values

INDICATORS = pl.DataFrame(
    {
        "code": ["C-HEALTH-04", "C-EDU-02", "X-COUNT", "X-AGE"],
        "name": ["婴儿死亡率", "学前教育毛入园率", "托位数", "平均预期寿命"],
        "unit": ["‰", "%", "个", "岁"],
        "plausible_min": [0.0, 0.0, 0.0, 0.0],
        "plausible_max": [1000.0, 100.0, 1e9, 120.0],
        "breakdowns": [None, None, None, None],
    }
)
ALIASES = pl.DataFrame({"alias": [], "indicator_code": []}, schema={"alias": pl.String, "indicator_code": pl.String})
REGIONS = pl.DataFrame(
    {
        "code": ["370300", "370302", "370303", "370304", "370305", "370306"],
        "name": ["淄博市", "淄川区", "张店区", "博山区", "临淄区", "周村区"],
        "short_name": ["淄博", "淄川", "张店", "博山", "临淄", "周村"],
        "parent_code": ["370000", "370300", "370300", "370300", "370300", "370300"],
    }
)


def check(values: list[RawValue], current: dict | None = None):
    ctx = Context.from_frames(INDICATORS, ALIASES, REGIONS, (2020, 2030), current)
    return check_values(values, ctx)


def rv(indicator: str, value: str, region: str = "张店区", row: int = 5) -> RawValue:
    return RawValue("报表.xlsx", "Sheet1", row, "H", indicator, value, region, "2025")


def warnings(result) -> list[tuple[int, str]]:
    return [(f.row, f.rule) for f in result.findings if f.severity == "warning"]


def test_infant_mortality_jump_from_last_year_warns_but_loads() -> None:
    out = check([rv("婴儿死亡率", "9.9")], {("C-HEALTH-04", "370303", 2024, "合计"): 3.6})
    assert warnings(out) == [(5, "jump_from_last_year")]
    assert "3.6‰ 变为 9.9‰（2.75 倍）" in out.findings[0].message
    assert [o.value for o in out.observations] == [9.9] and out.rejected == []


def test_small_change_from_last_year_is_quiet() -> None:
    out = check([rv("婴儿死亡率", "3.9")], {("C-HEALTH-04", "370303", 2024, "合计"): 3.6})
    assert warnings(out) == []


def test_ratio_threshold_is_a_setting(monkeypatch) -> None:
    monkeypatch.setenv("FUER_OUTLIER_RATIO", "3")
    out = check([rv("婴儿死亡率", "9.9")], {("C-HEALTH-04", "370303", 2024, "合计"): 3.6})
    assert warnings(out) == []


def test_single_percentage_written_as_fraction_warns() -> None:
    out = check([rv("学前教育毛入园率", "0.953")], {("C-EDU-02", "370303", 2024, "合计"): 94.1})
    assert warnings(out) == [(5, "looks_like_fraction")]
    assert "如为 95.3%，请改为 95.3" in out.findings[0].message
    assert [o.value for o in out.observations] == [0.953]


def test_value_far_from_the_other_districts_warns() -> None:
    current = {
        ("C-EDU-02", code, 2025, "合计"): v
        for code, v in (("370302", 91.0), ("370304", 92.0), ("370305", 93.0), ("370306", 92.5))
    }
    # the city's own figure is not one of the districts
    current[("C-EDU-02", "370300", 2025, "合计")] = 40.0
    out = check([rv("学前教育毛入园率", "60")], current)
    assert warnings(out) == [(5, "far_from_districts")]
    quiet = check([rv("学前教育毛入园率", "91.5")], current)
    assert warnings(quiet) == []


def test_modified_z_score_worked_example() -> None:
    # median 92, absolute deviations 1, 0, 1, 0.5, 32 → MAD 1; 0.6745 × (60 − 92) ÷ 1 = −21.584
    assert round(modified_z(60, [91, 92, 93, 92.5, 60]), 3) == -21.584
    assert modified_z(5, [5, 5, 5, 5]) is None


def test_value_at_the_edge_of_its_bounds_warns() -> None:
    out = check([rv("学前教育毛入园率", "99.8"), rv("平均预期寿命", "119.5", row=6), rv("托位数", "0", row=7)])
    assert warnings(out) == [(5, "at_bound_edge"), (6, "at_bound_edge")]
    assert len(out.observations) == 3


def test_unknown_district_points_at_the_district_column() -> None:
    value = RawValue("报表.xlsx", "填报表", 9, "H", "婴儿死亡率", "3.1", "天桥区", "2025", region_column="E")
    out = check([value])
    assert [(f.row, f.column, f.rule) for f in out.findings] == [(9, "E", "unknown_region")]
    assert "第9行E列" in out.findings[0].message


def test_an_indicator_that_always_sits_at_its_edge_is_quiet() -> None:
    # 99.9 % last year and 99.95 % now: where this rate lives, not a mistake; 99.8 % after 80 % is one
    quiet = check([rv("学前教育毛入园率", "99.95")], {("C-EDU-02", "370303", 2024, "合计"): 99.9})
    assert warnings(quiet) == []
    moved = check([rv("学前教育毛入园率", "99.8")], {("C-EDU-02", "370303", 2024, "合计"): 80.0})
    assert warnings(moved) == [(5, "at_bound_edge")]


def test_a_small_percentage_is_not_taken_for_a_fraction() -> None:
    # 0.8 % after 1.2 % is a small rate; 0.953 after 94.1 % is a fraction (94.1 ≥ 20 × 0.953)
    out = check([rv("学前教育毛入园率", "0.8")], {("C-EDU-02", "370303", 2024, "合计"): 1.2})
    assert warnings(out) == []
