"""The pure modules behind the dashboard pages, on a result small enough to check by hand.

The worked numbers are in tests/page_fixtures.py: two districts (甲区 D1, 乙县 D2), three
indicators, base year 2020, target year 2030.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import polars as pl
import pytest
from page_fixtures import CITY, D1, D2, tiny_result

from dashboard.render import exports, present
from dashboard.views import briefing, districts, midterm, units
from dashboard.views import indicator as detail


@pytest.fixture(scope="module")
def now():
    return tiny_result(2024)


@pytest.fixture(scope="module")
def before():
    return tiny_result(2023)


# --- present ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "text"),
    [
        ({"target_kind": "at_least", "target_value": 90.0, "decimals": 1, "target_verified": True}, "≥90.0"),
        ({"target_kind": "at_most", "target_value": 12.0, "decimals": 0, "target_verified": True}, "≤12"),
        ({"target_kind": "at_least", "target_value": None, "decimals": 1, "target_verified": False}, "目标待设定"),
        # an unverified number is never shown as the target
        ({"target_kind": "at_least", "target_value": 95.0, "decimals": 1, "target_verified": False}, "目标待设定"),
        ({"target_kind": "increase", "target_verified": True}, "逐步提高"),
        ({"target_kind": "decrease", "target_verified": False}, "目标待设定（暂按“逐步降低”评价）"),
        (
            {
                "target_kind": "band",
                "target_value": 100.0,
                "target_tolerance": 5.0,
                "decimals": 0,
                "target_verified": True,
            },
            "100±5",
        ),
        (
            {
                "target_kind": "band",
                "target_band_low": 105.0,
                "target_band_high": 108.0,
                "decimals": 0,
                "target_verified": True,
            },
            "105–108",
        ),
        ({"target_kind": "qualitative", "target_value": 1.0, "target_verified": True}, "是"),
        (
            {
                "target_kind": "at_least",
                "target_value": 95.0,
                "decimals": 0,
                "target_verified": False,
                "target_is_sample": True,
            },
            "目标待设定（示例目标）",
        ),
        (
            {
                "target_kind": "at_least",
                "target_value": 95.0,
                "decimals": 0,
                "target_verified": True,
                "target_is_sample": True,
            },
            "≥95（示例目标）",
        ),
    ],
)
def test_target_text(row: dict, text: str) -> None:
    assert present.target_text(row) == text


def test_numbers_round_at_display_only() -> None:
    assert present.number(82.644, 2) == "82.64" and present.number(3.0, 0) == "3"
    assert present.number(-0.5, 1) == "−0.5"  # typographic minus: not a spreadsheet formula
    assert present.number(None, 1) is None
    assert present.rounded(82.644, 2) == 82.64 and present.rounded(3.0, None) == 3.0
    assert present.share(0.4) == "40.0%" and present.share_number(-0.3055) == -30.6
    assert present.percent(70.0) == "70.0%"


def test_scope_word_and_file_name() -> None:
    assert present.scope_word("淄博市", "city") == "全市"
    assert present.scope_word("博山区", "county") == "全区"
    assert present.scope_word("沂源县", "county") == "全县"
    assert present.scope_word("全国", "country") == "全国"
    assert present.file_name("中期评估", "淄博市", 2024) == "中期评估_淄博市_2024.csv"
    assert present.file_name("a/b", "x:y", 2024, "xlsx") == "a_b_x_y_2024.xlsx"


def test_label_groups_follow_the_label_set(now) -> None:
    styles = present.label_styles(now.labels)
    assert [s.label for s in styles] == ["达标", "未达标", "向好", "持平", "未向好", "无法评估", "无数据", "目标待设定"]
    achieved, improving = styles[0], styles[2]
    # direction targets have no 达标 line: 向好 is its own label, so the 达标 card equals the 达标率 numerator
    assert set(achieved.codes) == {"achieved"} and achieved.symbol == "✔"
    assert set(improving.codes) == {"improving"}
    counts = dict((s.label, n) for s, n in present.label_counts({"n_achieved": 1, "n_improving": 2}, styles))
    assert counts == {
        "达标": 1,
        "未达标": 0,
        "向好": 2,
        "持平": 0,
        "未向好": 0,
        "无法评估": 0,
        "无数据": 0,
        "目标待设定": 0,
    }


# --- briefing -----------------------------------------------------------------------------------


def test_city_headline_sums_districts_when_the_city_has_no_values(now) -> None:
    head = briefing.headline(now, CITY)
    assert head.basis.startswith("所辖2个区县合计") and head.unit_word == "项次"
    # achieved 1 (B D1) ÷ measured 4 (A and B in both districts); C is a direction target
    assert (head.counts["rate_numerator"], head.counts["rate_denominator"]) == (1, 4)
    assert head.rate_text == "25.0%"
    # C is a direction target: 向好 in one district, 无数据 in the other (counted there)
    assert head.counts["excluded_direction"] == 1 and head.indicators == 3
    labels = {s.label: n for s, n in head.label_counts}
    assert labels == {
        "达标": 1,
        "未达标": 3,
        "向好": 1,
        "持平": 0,
        "未向好": 0,
        "无法评估": 0,
        "无数据": 1,
        "目标待设定": 0,
    }
    # the cards and the rate agree: 达标 is the numerator, 达标 + 未达标 the denominator
    assert labels["达标"] + labels["未达标"] == head.counts["rate_denominator"]
    assert dict(head.rule_counts) == {"已达标": 1, "进度正常": 1, "进度滞后": 1, "退步": 1, "向好": 1, "无数据": 1}
    assert briefing.progress_line(head) == (
        "**进度（达标率分母 4 项次）：** 已达标 1 项次 · 进度正常 1 项次 · 进度滞后 1 项次 · 退步 1 项次"
        " · 未实现 0 项次 · 无法评估 0 项次"
    )


def test_district_headline_is_its_own(now) -> None:
    head = briefing.headline(now, D1)
    assert head.basis.startswith("本级") and head.unit_word == "项"
    assert head.rate_text == "50.0%"  # B achieved ÷ A, B measured
    assert head.counts["rate_note"].startswith("达标 1 项 ÷ 有数据且有数值或定性目标的 2 项")


def test_ranking_and_domain_counts(now) -> None:
    table = briefing.ranking_table(now, CITY)
    assert table.select("排名", "区县", "达标率").rows() == [(1, "甲区", "50.0%"), (2, "乙县", "0.0%")]
    bars = briefing.ranking_bars(now, CITY)
    assert bars["region_name"].to_list() == ["乙县", "甲区"]  # worst first: the chart draws it at the bottom
    assert briefing.ranking_table(now, D2)["区县"].to_list() == ["乙县"]
    counts = {(d, lab): n for d, lab, n in briefing.domain_counts(now, CITY).iter_rows()}
    # 健康: A on_track + regressing (未达标 2), C improving (向好 1) + no_data (无数据 1)
    assert counts == {
        ("健康", "向好"): 1,
        ("健康", "未达标"): 2,
        ("健康", "无数据"): 1,
        ("教育", "达标"): 1,
        ("教育", "未达标"): 1,
    }
    domain_table = briefing.domain_table(now, CITY)
    assert domain_table.row(0, named=True)["达标率"] == "0.0%"  # 健康: 0 achieved of A×2
    assert briefing.domains(now) == ["健康", "教育"]


def test_fell_behind_since_last_year(now, before) -> None:
    fell = briefing.fell_behind(now, before, CITY)
    assert fell.select("指标", "地区", "变化").rows() == [
        ("孕产妇死亡率", "乙县", "仍退步，数值较上年远离目标"),  # 14.5 → 15, regressing both years
        ("学前教育毛入园率", "乙县", "进度正常 → 进度滞后"),  # ρ 0.8 (2023) → 0.2 (2024)
        ("孕产妇死亡率", "甲区", "仍进度正常，数值较上年远离目标"),  # 12.5 → 13 against an at_most target
    ]
    assert fell.row(1, named=True)["上年值"] == "89.0（2023年）"
    # B D1 improved to 已达标 and C D1 kept moving the right way: neither is listed
    assert "甲区" not in fell.filter(pl.col("指标") == "学前教育毛入园率")["地区"].to_list()
    assert briefing.fell_behind(now, None, CITY).height == 0
    assert briefing.fell_behind(now, before, D1)["地区"].to_list() == ["甲区"]
    assert briefing.watch_line(fell, 2) == (
        "**较上年变差的指标 3 项**：孕产妇死亡率（乙县，仍退步，数值较上年远离目标）；"
        "学前教育毛入园率（乙县，进度正常 → 进度滞后）；另有 1 项"
    )
    assert briefing.watch_line(fell.head(0), 2).endswith("没有。")
    assert "没有上一年" in briefing.watch_line(fell, 2, has_previous=False)


def test_domain_panel_for_the_wall(now) -> None:
    panel = briefing.domain_panels(now, CITY)["教育"]
    assert panel.rows() == [("甲区", "达标", 1), ("乙县", "未达标", 1)]
    assert briefing.districts_in_order(now, CITY) == ["甲区", "乙县"]


@pytest.mark.parametrize(
    ("params", "big", "rotate", "notices"),
    [
        ({}, False, 0, 0),
        ({"screen": "big"}, True, briefing.DEFAULT_ROTATE, 0),
        ({"screen": "big", "rotate": "0"}, True, 0, 0),
        ({"screen": "big", "rotate": "30"}, True, 30, 0),
        ({"screen": "big", "rotate": "abc"}, True, briefing.DEFAULT_ROTATE, 1),
        ({"screen": "big", "rotate": "2"}, True, briefing.DEFAULT_ROTATE, 1),
        ({"screen": "huge"}, False, 0, 1),
    ],
)
def test_screen_mode_from_a_link(params: dict, big: bool, rotate: int, notices: int) -> None:
    screen, found = briefing.parse_screen(params)
    assert (screen.big, screen.rotate, len(found)) == (big, rotate, notices)


# --- mid-term evaluation --------------------------------------------------------------------------


def test_narrative_from_numbers_only() -> None:
    text = midterm.narrative(
        "全市",
        10,
        [("提前实现", 3), ("滞后", 2), ("无数据", 0)],
        60.0,
        3,
        5,
        2,
        [("儿童与健康", 2), ("妇女与教育", 0)],
        1,
        2030,
    )
    assert text == (
        "全市10项指标中，提前实现3项、滞后2项。达标率60.0%（达到数值或定性目标的3项 ÷ 有数据且有数值或定性目标的5项）"
        "；另有方向性目标2项按较基期变化评价，不计入达标率。计算状态为“进度滞后”或“退步”的指标2项，分布在儿童与健康（2项）。"
        "按当前趋势，尚未达标的指标中有1项预计到2030年难以达标。"
    )
    empty = midterm.narrative("全市", 4, [("无数据", 4)], None, 0, 0, 0, [], 0, 2030)
    assert empty == "全市4项指标中，无数据4项。暂无有数据且有数值或定性目标的指标，达标率无法计算。"


def test_midterm_of_each_district(now) -> None:
    d1 = midterm.evaluation(now, D1)
    assert d1.narrative == (
        "全区3项指标中，达标1项、未达标1项、向好1项。"
        "达标率50.0%（达到数值或定性目标的1项 ÷ 有数据且有数值或定性目标的2项）"
        "；另有方向性目标1项按较基期变化评价，不计入达标率。"
    )
    d2 = midterm.evaluation(now, D2)
    assert d2.narrative == (
        # the direction target without data is one of the 无数据, counted once: 2 + 1 = 3
        "全县3项指标中，未达标2项、无数据1项。达标率0.0%（达到数值或定性目标的0项 ÷ 有数据且有数值或定性目标的2项）"
        "。计算状态为“进度滞后”或“退步”的指标2项，分布在健康（1项）、教育（1项）。"
        "按当前趋势，尚未达标的指标中有1项预计到2030年难以达标。"
    )
    conclusions = dict(zip(d2.table["指标"], d2.table["评估结论"], strict=True))
    assert conclusions["孕产妇死亡率"] == "未达标；完成进度−50.0%，时间进度40.0%；按当前趋势2030年预计16.3，难以达标"
    assert conclusions["每千人口托位数"] == "无数据，无法评估"
    d1_conclusions = dict(zip(d1.table["指标"], d1.table["评估结论"], strict=True))
    assert d1_conclusions["学前教育毛入园率"] == "达标；2024年已达到目标"
    assert d1_conclusions["每千人口托位数"] == "向好；较基期+5.0；按当前趋势2030年预计61.8"
    row = d1.table.row(0, named=True)
    assert (row["领域"], row["序号"], row["基期值（2020年）"], row["最新值"], row["2030年目标"]) == (
        "健康",
        1,
        14.0,
        13.0,
        "≤12.0",
    )
    assert list(d1.by_domain) == ["健康", "教育"] and "领域" not in d1.by_domain["健康"].columns
    total = d2.summary.row(-1, named=True)
    assert (total["领域"], total["指标数"], total["✖ 未达标"], total["达标率"], total["达标率分母"]) == (
        "合计",
        3,
        2,
        "0.0%",
        2,
    )
    assert list(d1.sheets()) == ["汇总", "健康", "教育"]
    assert midterm.workbook(d1)[:2] == b"PK" and d1.note == present.ROUNDED_NOTE


def test_companion_plans_add_the_other_target_year(now) -> None:
    plans = pl.DataFrame({"code": ["liangang", "lianggui", "fyp14"], "target_year": [2030, 2030, 2025]})
    assert midterm.companion_plans("liangang", plans) == ["fyp14"]
    assert midterm.companion_plans("lianggui", plans) == ["fyp14"]
    assert midterm.companion_plans("fyp14", plans) == ["liangang"]
    assert midterm.companion_plans("nope", plans) == []
    # a companion result's targets become a 2025 column, its source joins the 目标来源 cell
    companion = tiny_result(2024)
    companion = companion.__class__(
        **{**companion.__dict__, "plan": companion.plan.__class__("q", "十四五", "q", "national", 2020, 2025)}
    )
    m = midterm.evaluation(now, D1, [companion])
    assert m.target_years == (2025, 2030)
    assert m.table.row(0, named=True)["2025年目标"] == "≤12.0"
    assert m.table.row(0, named=True)["目标来源"] == "2025年：纲要甲；2030年：纲要甲"


# --- districts, units, indicator detail ----------------------------------------------------------


def test_heatmap_and_matrix(now) -> None:
    cells = districts.heatmap_cells(now)
    assert cells.height == 6  # 2 districts × 3 indicators with a value somewhere
    assert cells.filter(pl.col("region_name") == "乙县").rows()[0] == ("乙县", "孕产妇死亡率", "未达标", "✖ 15.0")
    matrix = districts.matrix_table(now, "教育")
    assert matrix.rows() == [("B", "学前教育毛入园率", "%", "≥90.0", "=纲要乙", "✔ 达标 91.0", "✖ 未达标 86.0")]
    # the CSV of that table neutralises the formula-looking source
    rows = list(csv.reader(io.StringIO(exports.csv_bytes(matrix).decode("utf-8-sig"))))
    assert rows[1][4] == "'=纲要乙"


def test_scorecard_and_comparison(now) -> None:
    card = districts.scorecard(now, D2)
    assert (card.rank, card.ranked, card.headline.rate_text) == (2, 2, "0.0%")
    assert card.items["计算状态"].to_list() == ["退步", "进度滞后"]  # 未达标 rows, C has no value
    rates, table = districts.comparison(now, None, D1, "健康")
    # 示例市 has no values of its own: its 达标率 is a roll-up of its districts' 健康 items, marked
    # 汇总 — A 甲区 进度正常, A 乙县 退步 (denominator 2, none 达标); C 甲区 向好 (direction, outside
    # the denominator); C 乙县 无数据 (1)
    assert rates.rows() == [("甲区", "0.0%", 0, 1, 0), ("示例市（汇总）", "0.0%", 0, 2, 1)]
    assert table["指标"].to_list() == ["孕产妇死亡率", "每千人口托位数"]
    assert table.row(0, named=True)["甲区 最新值"] == "13.0（2024年）"
    assert table.row(0, named=True)["示例市 状态"] == "— 无数据"


def test_unit_view(now) -> None:
    u = units.unit_view(now, "health", "卫生健康委", CITY)
    assert (u.expected, u.received, u.missing, u.on_time) == (4, 3, 1, 1)
    assert (u.completeness_pct, u.timeliness_pct) == (75.0, 25.0)
    assert u.matrix.rows() == [("甲区", "1/1", "1/1"), ("乙县", "1/1", "0/1")]
    assert u.missing_cells.select("指标", "区县", "年份").rows() == [("孕产妇死亡率", "乙县", "2024")]
    assert u.timeliness.select("年份", "应报", "已报", "按时", "逾期", "缺报", "完整率", "及时率").rows() == [
        ("2023", 2, 2, 1, 1, 0, "100.0%", "50.0%"),
        ("2024", 2, 1, 0, 1, 1, "50.0%", "0.0%"),
    ]
    assert u.off_track.select("指标", "地区", "计算状态").rows() == [("孕产妇死亡率", "乙县", "退步")]
    assert u.owes.rows() == [("A", "孕产妇死亡率", 4, 3, 1)]
    one = units.unit_view(now, "health", "卫生健康委", D1)
    assert (one.expected, one.received, one.matrix.height) == (2, 2, 1)

    # tracking began after 2023's deadline: 2023 is back-filled history, not judged
    backfilled = now.completeness_cells.with_columns((pl.col("year") >= 2024).alias("tracked")).with_columns(
        pl.when(pl.col("tracked")).then(pl.col("on_time")).alias("on_time")
    )
    later = units.unit_view(replace(now, completeness_cells=backfilled), "health", "卫生健康委", CITY)
    assert later.timeliness_pct == 0.0  # 2024: nothing on time of the 2 judged
    assert later.timeliness.select("年份", "按时", "逾期", "及时率").rows() == [
        ("2023", None, None, "历史补录"),
        ("2024", 0, 1, "0.0%"),
    ]


def test_indicator_detail_explains_the_status(now) -> None:
    d = detail.detail(now, None, "A", D2)
    why = dict(zip(d.why["项目"], d.why["数值"], strict=True))
    assert why["状态"] == "✖ 未达标" and why["进度 ρ"] == "−50.0%" and why["时间进度 τ"] == "40.0%"
    assert why["基期值（2020年）"] == "14.0" and why["最新值"] == "15.0（2024年）"
    assert d.target_line == 12.0 and d.series["region_name"].unique().to_list() == ["乙县"]
    assert d.empty_note is None
    city = detail.detail(now, None, "A", CITY)
    assert sorted(city.series["region_name"].unique().to_list()) == ["乙县", "甲区"]
    assert city.empty_note.startswith("示例市本级暂无这个指标的数值")
    assert city.districts["地区"].to_list() == ["示例市", "甲区", "乙县"]
    assert detail.indicator_choices(now) == {"A": "孕产妇死亡率", "B": "学前教育毛入园率", "C": "每千人口托位数"}

    # an indicator without a value anywhere goes last, marked, so the default pick has a chart
    class NoValuesForA:
        items = now.items.with_columns(
            pl.when(pl.col("indicator_code") == "A").then(None).otherwise(pl.col("latest_value")).alias("latest_value")
        )

    assert list(detail.indicator_choices(NoValuesForA()).items()) == [
        ("B", "学前教育毛入园率"),
        ("C", "每千人口托位数"),
        ("A", "孕产妇死亡率（暂无数据）"),
    ]
    assert detail.detail(now, None, "Z", CITY) is None


def test_conclusion_says_when_a_projection_was_held_at_the_edge() -> None:
    row = {
        "status": "on_track",
        "status_label": "未达标",
        "decimals": 1,
        "rho": 0.5,
        "tau": 0.4,
        "trend_projection": 100.0,
        "trend_on_track": True,
        "trend_capped": True,
        "target_year": 2030,
    }
    assert midterm.conclusion(row) == (
        "未达标；完成进度50.0%，时间进度40.0%；按当前趋势2030年预计100.0（直线外推超出合理范围，取边界值），可达标"
    )
    row["trend_capped"] = False
    assert "取边界值" not in midterm.conclusion(row)


def test_rounding_note_when_the_shown_value_seems_to_meet_the_target() -> None:
    item = {"latest_value": 94.96, "target_value": 95.0, "target_kind": "at_least", "decimals": 1, "achieved": False}
    assert detail.rounding_note(item) == "；最新值未四舍五入为 94.96，按此判断未达到目标（显示值按规定的小数位舍入）"
    assert detail.rounding_note({**item, "latest_value": 94.94}) == ""  # shown as 94.9: no contradiction
    assert detail.rounding_note({**item, "achieved": True, "latest_value": 95.0}) == ""
    lower = {"latest_value": 5.04, "target_value": 5.0, "target_kind": "at_most", "decimals": 1, "achieved": False}
    assert "5.04" in detail.rounding_note(lower)


def test_a_qualitative_goal_is_judged_not_pending() -> None:
    goal = {"target_kind": "qualitative", "target_value": None, "unit": None, "target_verified": False}
    assert present.target_text(goal) == "定性目标（工委办评定）"
    # a rate whose outline goal is worded qualitatively still needs a number: 目标待设定
    rate = {"target_kind": "qualitative", "target_value": None, "unit": "1/10万", "target_verified": False}
    assert present.target_text(rate) == "目标待设定"


def test_no_conclusion_contradicts_its_status(built_db) -> None:
    from dashboard import engine

    result = engine.run(built_db, "两纲", 2024, "370300")
    for region in ("370300", "370302", "370323"):
        table = midterm.evaluation(result, region).table
        for status, verdict in table.select("评价状态", "评估结论").rows():
            label = status.split(" ", 1)[-1]
            assert verdict.startswith(label), (region, status, verdict)
            if label in ("持平", "未向好"):
                assert "向好" not in verdict.removeprefix(label), (region, verdict)
            if label == "达标":
                assert "难以达标" not in verdict, (region, verdict)
        # "难以达标" in the summary counts exactly the rows that say so
        said = midterm.evaluation(result, region).narrative
        rows = sum("难以达标" in v for v in table["评估结论"])
        if rows:
            assert f"尚未达标的指标中有{rows}项预计到2030年难以达标" in said, (region, said)
        else:
            assert "难以达标" not in said


def test_data_flags_are_shown_in_chinese() -> None:
    from dashboard.engine.progress_codes import FLAG_CODES

    assert set(present.FLAG_LABELS) == set(FLAG_CODES)
    assert present.flags_text("jump|revised") == "较上年变化异常大、数值经过修订"
    assert present.flags_text(None) is None


def test_the_trend_segment_has_the_stated_slope() -> None:
    from types import SimpleNamespace

    import plotly.graph_objects as go

    from dashboard.views import indicator as indicator_detail

    # 高青 婴儿死亡率: latest 5.6 (2024), slope −0.21 a year, projection 3.6 at 2030
    item = {
        "trend_projection": 3.6,
        "trend_slope": -0.21,
        "latest_year": 2024,
        "target_year": 2030,
        "latest_value": 5.6,
        "trend_capped": False,
    }
    fig = indicator_detail.add_projection(go.Figure(), SimpleNamespace(item=item, region_name="高青县", decimals=1))
    (trace,) = fig.data
    assert list(trace.x) == [2024, 2030]
    assert [round(y, 2) for y in trace.y] == [4.86, 3.6]  # 3.6 + 0.21 × 6 on the line, not the 5.6 observed


def test_a_judged_goal_reads_as_a_verdict_not_a_number() -> None:
    goal = {"target_kind": "qualitative", "unit": None, "decimals": 0}
    assert (present.value_text(goal, 1.0), present.value_text(goal, 0.0)) == ("已实现", "未实现")
    assert present.value_with_year(0.0, 2024, 0, judged=True) == "未实现（2024年）"
    rate = {"target_kind": "at_most", "unit": "‰", "decimals": 1}
    assert present.value_text(rate, 3.6) == "3.6"
