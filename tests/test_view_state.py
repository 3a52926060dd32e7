"""A shared link reopens the same view; a bad link opens the default with a notice."""

import pytest

from dashboard.ui.view_state import ViewOptions, ViewState, parse_view

OPTIONS = ViewOptions(
    plans={"liangang": "两纲", "lianggui": "两规", "fyp14": "十四五"},
    years=(2020, 2021, 2022, 2023, 2024),
    regions={"370300": "淄博市", "370303": "张店区"},
    label_sets={"default": "达标/未达标", "midterm": "中期评估"},
    indicators={"C-HEALTH-04": "婴儿死亡率"},
    units={"health": "卫生健康委"},
)


def test_defaults_when_no_params() -> None:
    view, notices = parse_view({}, OPTIONS)
    assert view == ViewState("liangang", 2024, "370300", "default", basis="all")
    assert notices == []


def test_round_trip_through_params() -> None:
    view = ViewState("fyp14", 2022, "370303", "midterm", "C-HEALTH-04", "health", "all")
    assert parse_view(view.as_params(), OPTIONS) == (view, [])


def test_names_are_accepted_as_well_as_codes() -> None:
    view, notices = parse_view({"plan": "十四五", "region": "张店区"}, OPTIONS)
    assert (view.plan, view.region, notices) == ("fyp14", "370303", [])


@pytest.mark.parametrize(
    ("params", "field", "default", "word"),
    [
        ({"plan": "五五"}, "plan", "liangang", "规划"),
        ({"region": "999999"}, "region", "370300", "地区"),
        ({"year": "abc"}, "year", 2024, "年份"),
        ({"year": "1999"}, "year", 2024, "没有数据"),
        ({"labels": "x"}, "labels", "default", "标签方案"),
        ({"indicator": "NOPE"}, "indicator", None, "指标"),
    ],
)
def test_bad_params_fall_back_with_a_notice(params, field, default, word) -> None:
    view, notices = parse_view(params, OPTIONS)
    assert getattr(view, field) == default
    assert len(notices) == 1 and word in notices[0]


REVIEWING = ViewOptions(
    plans={"liangang": "两纲"},
    years=(2020, 2021, 2022, 2023, 2024, 2025),
    regions={"370300": "淄博市"},
    label_sets={"default": "达标/未达标"},
    bases={"reviewed": "仅已审核数据", "all": "含待审核数据"},
    default_years={"reviewed": 2024, "all": 2025},
)


def test_default_year_follows_the_chosen_basis() -> None:
    # a partial 2025 return moves the year only for those who asked to see unreviewed values
    assert parse_view({}, REVIEWING)[0].year == 2024
    assert parse_view({"basis": "all"}, REVIEWING)[0].year == 2025
    assert parse_view({"basis": "all", "year": "2023"}, REVIEWING)[0].year == 2023


def test_a_basis_the_user_may_not_choose_falls_back_with_a_notice() -> None:
    leader = ViewOptions(
        plans={"liangang": "两纲"},
        years=(2024, 2025),
        regions={"370300": "淄博市"},
        label_sets={"default": "达标/未达标"},
        bases={"reviewed": "仅已审核数据"},
        default_years={"reviewed": 2024},
    )
    view, notices = parse_view({"basis": "all"}, leader)
    assert (view.basis, view.year) == ("reviewed", 2024)
    assert notices == ["链接中的数据口径“all”不存在，已改为默认数据口径。"]
