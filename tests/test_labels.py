"""Label configuration (data/config/status_labels.toml via dashboard.engine.labels)."""

from __future__ import annotations

import re

import pytest

from dashboard.engine import labels, progress
from dashboard.engine.labels import LabelConfigError, parse_labels

SHIPPED = labels.LABELS_FILE.read_text(encoding="utf-8")


def test_every_status_code_has_a_label_in_every_shipped_set() -> None:
    config = labels.load_labels()
    assert set(config.sets) == {"default", "midterm", "evaluation"}
    for label_set in config.sets.values():
        assert set(label_set.styles) == set(progress.STATUS_CODES), label_set.key
        frame = label_set.frame()
        assert frame.get_column("status").to_list() == list(progress.STATUS_CODES)
        assert frame.null_count().sum_horizontal().item() == 0
    assert set(config.growth) == set(progress.GROWTH_CATEGORIES)


def test_default_set_is_the_three_way_split() -> None:
    # 达标 / 未达标 / 无数据 for targets with a line, 向好 / 持平 / 未向好 for direction-only targets
    # (never counted as 达标, so the 达标 count is the 达标率 numerator); 无法评估 and 目标待设定 apart,
    # never folded into 未达标.
    config = labels.load_labels()
    assert config.default_set == "default"
    default = config.label_set()
    used = {style.label for style in default.styles.values()}
    assert used == {"达标", "未达标", "向好", "持平", "未向好", "无法评估", "无数据", "目标待设定"}
    assert [c for c, st in default.styles.items() if st.label == "达标"] == ["achieved"]
    assert default.styles["lagging"].label == "未达标"
    assert default.styles["improving"].label == "向好"
    assert (default.styles["stable"].label, default.styles["worsening"].label) == ("持平", "未向好")
    assert (default.styles["not_assessable"].label, default.styles["not_assessable"].symbol) == ("无法评估", "？")
    assert default.styles["no_data"].label == "无数据"


def test_not_assessable_is_never_shown_as_not_achieved() -> None:
    config = labels.load_labels()
    for key in config.sets:
        style = config.label_set(key).styles["not_assessable"]
        assert (style.label, style.symbol) == ("无法评估", "？"), key


def test_the_other_two_shipped_sets() -> None:
    config = labels.load_labels()
    midterm = {s.label for s in config.label_set("midterm").styles.values()}
    assert {"提前实现", "基本符合或快于预期", "滞后"} <= midterm
    evaluation = {s.label for s in config.label_set("evaluation").styles.values()}
    assert {"已提前实现", "有望按期实现", "需加大力度", "实现难度较大"} <= evaluation


def test_status_is_readable_without_colour() -> None:
    # Within a set, two different labels never share a colour-only difference: each label has
    # its own symbol and its own shape.
    for label_set in labels.load_labels().sets.values():
        by_label: dict[str, tuple[str, str, str]] = {}
        for style in label_set.styles.values():
            look = (style.colour, style.symbol, style.shape)
            assert by_label.setdefault(style.label, look) == look, (label_set.key, style.label)
        symbols = [look[1] for look in by_label.values()]
        shapes = [look[2] for look in by_label.values()]
        assert len(set(symbols)) == len(symbols), label_set.key
        assert len(set(shapes)) == len(shapes), label_set.key


def _without_status(text: str, set_key: str, code: str) -> str:
    pattern = rf"\[sets\.{set_key}\.statuses\.{code}\]\n(?:[^\[\n][^\n]*\n)*"
    stripped, n = re.subn(pattern, "", text)
    assert n == 1
    return stripped


@pytest.mark.parametrize("code", progress.STATUS_CODES)
def test_a_set_missing_a_status_is_rejected(code: str) -> None:
    with pytest.raises(LabelConfigError, match=f"缺少状态代码的标签：{code}"):
        parse_labels(_without_status(SHIPPED, "midterm", code))


def test_unknown_keys_and_codes_are_rejected_in_chinese() -> None:
    with pytest.raises(LabelConfigError, match="不认识的键：colour_blind"):
        parse_labels(
            SHIPPED.replace(
                "[sets.default.statuses.achieved]\n", "[sets.default.statuses.achieved]\ncolour_blind = true\n", 1
            )
        )
    with pytest.raises(LabelConfigError, match="不认识的状态代码：finished"):
        parse_labels(
            SHIPPED + '\n[sets.default.statuses.finished]\nlabel = "完成"\ncolour = "#000000"\n'
            'order = 9\nsymbol = "x"\nshape = "x"\n'
        )
    with pytest.raises(LabelConfigError, match="不认识的键：labels"):
        parse_labels(SHIPPED + "\n[labels]\nx = 1\n")


def test_bad_values_are_rejected() -> None:
    with pytest.raises(LabelConfigError, match="格式不对"):
        parse_labels(SHIPPED.replace('colour = "#0072B2"', 'colour = "blue"', 1))
    with pytest.raises(LabelConfigError, match="默认标签集“nope”不存在"):
        parse_labels(SHIPPED.replace('default_set = "default"', 'default_set = "nope"'))
    with pytest.raises(LabelConfigError, match="不是有效的 TOML"):
        parse_labels("[sets\n")
    with pytest.raises(LabelConfigError, match="未知标签集：nope"):
        labels.load_labels().label_set("nope")
