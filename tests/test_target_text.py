"""Golden tests: one per wording a plan document uses, with the literal reading expected."""

import pytest

from etl.targets.text import TargetTextError, kind_from_words, parse_target_text, render

GOLDEN = [
    ("≥95%", ("at_least", 95.0, "%", None)),
    ("95%以上", ("at_least", 95.0, "%", None)),
    ("达到95%", ("at_least", 95.0, "%", None)),
    ("达到95%以上", ("at_least", 95.0, "%", None)),
    ("１２／１０万以下", ("at_most", 12.0, "1/10万", None)),
    ("12/10万以下", ("at_most", 12.0, "1/10万", None)),
    ("下降到12/10万", ("at_most", 12.0, "1/10万", None)),
    ("下降到12/10万以下，城乡、区域差距缩小", ("at_most", 12.0, "1/10万", None)),
    ("控制在12‰以内", ("at_most", 12.0, "‰", None)),
    ("≤5.2‰", ("at_most", 5.2, "‰", None)),
    ("保持在90%以上", ("at_least", 90.0, "%", None)),
    ("保持在45%左右", ("band", 45.0, "%", None)),
    ("保持在45%左右（±2个百分点）", ("band", 45.0, "%", 2.0)),
    ("45%±2", ("band", 45.0, "%", 2.0)),
    ("人均预期寿命达到81岁以上", ("at_least", 81.0, "岁", None)),
    ("逐步提高", ("increase", None, None, None)),
    ("稳步提升", ("increase", None, None, None)),
    ("逐步降低", ("decrease", None, None, None)),
    ("持续下降", ("decrease", None, None, None)),
    ("实现全覆盖", ("at_least", 100.0, "%", None)),
    ("是", ("qualitative", 1.0, None, None)),
    ("定性：城乡、区域差距缩小", ("qualitative", None, None, None)),
    ("示例：美丽庭院创建率达到90%以上", ("at_least", 90.0, "%", None)),
]


@pytest.mark.parametrize(("text", "expected"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden(text: str, expected: tuple) -> None:
    assert parse_target_text(text).as_tuple() == expected


def test_improvement_follows_the_indicator_direction() -> None:
    assert parse_target_text("明显改善", direction="up").kind == "increase"
    assert parse_target_text("明显改善", direction="down").kind == "decrease"
    with pytest.raises(TargetTextError, match="没有规定哪个方向为好"):
        parse_target_text("明显改善")


def test_bare_number_needs_a_kind() -> None:
    with pytest.raises(TargetTextError, match="只有数值"):
        parse_target_text("95%")
    assert parse_target_text("95%", kind_hint="at_least").as_tuple() == ("at_least", 95.0, "%", None)


def test_kind_column_must_agree_with_the_words() -> None:
    with pytest.raises(TargetTextError, match="不一致"):
        parse_target_text("95%以上", kind_hint="at_most")
    assert parse_target_text("城乡差距缩小", kind_hint="qualitative").as_tuple() == ("qualitative", None, None, None)


# Ranges: a band given by its edges, (kind, band_low, band_high, unit), no centre value.
GOLDEN_RANGES = [
    ("40%—50%", ("band", 40.0, 50.0, "%")),
    ("40-50%", ("band", 40.0, 50.0, "%")),
    ("保持在40%至50%", ("band", 40.0, 50.0, "%")),
    ("40%～50%", ("band", 40.0, 50.0, "%")),
    ("40％－50％", ("band", 40.0, 50.0, "%")),
    ("40%——50%", ("band", 40.0, 50.0, "%")),
    ("40–50%", ("band", 40.0, 50.0, "%")),
    ("40%到50%", ("band", 40.0, 50.0, "%")),
    ("保持在40%-50%之间", ("band", 40.0, 50.0, "%")),
    ("控制在10—12/10万", ("band", 10.0, 12.0, "1/10万")),
    ("1.5‰～2.5‰", ("band", 1.5, 2.5, "‰")),
]


@pytest.mark.parametrize(("text", "expected"), GOLDEN_RANGES, ids=[g[0] for g in GOLDEN_RANGES])
def test_golden_ranges(text: str, expected: tuple) -> None:
    parsed = parse_target_text(text)
    assert (parsed.kind, parsed.band_low, parsed.band_high, parsed.unit) == expected
    assert (parsed.value, parsed.tolerance, parsed.text) == (None, None, text)


def test_range_agrees_with_the_kind_column() -> None:
    assert parse_target_text("40%—50%", kind_hint="band").is_range
    with pytest.raises(TargetTextError, match="不一致"):
        parse_target_text("40%—50%", kind_hint="at_least")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("50%—40%", "下限应小于上限"),
        ("40%—50‰", "单位不一致"),
        ("40%—50%以上", "无法识别"),
        ("0-6岁儿童达到90%", "其他数值"),
    ],
)
def test_unclear_ranges_are_refused(text: str, why: str) -> None:
    with pytest.raises(TargetTextError, match=why):
        parse_target_text(text)


@pytest.mark.parametrize("text", ["", "—", "城乡差距", "2025年达到95%", "力争"])
def test_unclear_text_is_refused(text: str) -> None:
    with pytest.raises(TargetTextError):
        parse_target_text(text)


def test_kind_words() -> None:
    assert kind_from_words("约束性") is None
    assert kind_from_words("不低于") == "at_least"
    assert kind_from_words("定性") == "qualitative"
    with pytest.raises(TargetTextError, match="无法识别"):
        kind_from_words("差不多")


@pytest.mark.parametrize(
    ("kind", "value", "unit", "tolerance", "text"),
    [
        ("at_least", 95.0, "%", None, "≥95%"),
        ("at_most", 12.0, "1/10万", None, "≤12/10万"),
        ("band", 45.0, "%", 2.0, "保持在45%左右（±2）"),
        ("increase", None, None, None, "逐步提高"),
        ("qualitative", 1.0, None, None, "是"),
    ],
)
def test_render_reads_back(kind, value, unit, tolerance, text) -> None:
    written = render(kind, value, unit, tolerance)
    assert written == text
    assert parse_target_text(written).as_tuple()[:2] == (kind, value)
    assert parse_target_text(written).tolerance == tolerance


def test_render_range_reads_back() -> None:
    written = render("band", None, "1/10万", band_low=10.0, band_high=12.5)
    assert written == "10/10万—12.5/10万"
    parsed = parse_target_text(written)
    assert (parsed.kind, parsed.band_low, parsed.band_high, parsed.unit) == ("band", 10.0, 12.5, "1/10万")
