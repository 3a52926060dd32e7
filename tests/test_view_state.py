"""A shared link reopens the same view; a bad link opens the default with a notice."""

import pytest

from dashboard.view_state import ViewOptions, ViewState, parse_view

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
    assert view == ViewState("liangang", 2024, "370300", "default")
    assert notices == []


def test_round_trip_through_params() -> None:
    view = ViewState("fyp14", 2022, "370303", "midterm", "C-HEALTH-04", "health")
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
