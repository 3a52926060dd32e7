"""Aggregates (dashboard.engine.aggregate): status counts and 达标率 with its denominator, district
ranking and its tie-break, reporting completeness and timeliness — on inline frames, with the
expected numbers counted by hand in the comments."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
from polars.testing import assert_frame_equal

from dashboard.engine import aggregate
from dashboard.engine.aggregate import CompletenessRule, ReportingDeadline


def items(rows: list[tuple]) -> pl.DataFrame:
    """(region_code, domain, lead_unit_code, breakdown, target_kind, status, lost)"""
    frame = pl.DataFrame(
        rows,
        schema={
            "region_code": pl.String,
            "domain": pl.String,
            "lead_unit_code": pl.String,
            "breakdown": pl.String,
            "target_kind": pl.String,
            "status": pl.String,
            "lost": pl.Boolean,
        },
        orient="row",
    )
    return frame.with_columns(
        (pl.col("region_code") + "名").alias("region_name"),
        pl.lit("county").alias("region_level"),
        pl.lit("women").alias("outline"),
        (pl.col("lead_unit_code") + "名").alias("lead_unit"),
    )


# District D1: 10 indicators (合计 rows) plus two breakdown rows that must not count.
#   measured, with data:  achieved ×3 (one of them qualitative), on_track, lagging, regressing,
#                         not_achieved (qualitative), not_assessable (no baseline) → 8 in the denominator
#   no data:              1 at_least item
#   direction-only:       improving ×1, no_data ×1 → 2 (counted apart whatever their status)
#   target pending:       1
#   → n_items = 8 + 1 + 2 + 1 = 12 合计 items; 达标率 = 3 / 8 = 37.5 %.
D1 = [
    ("D1", "健康", "health", "合计", "at_least", "achieved", False),
    ("D1", "健康", "health", "合计", "at_most", "achieved", False),
    ("D1", "教育", "education", "合计", "qualitative", "achieved", False),
    ("D1", "健康", "health", "合计", "at_least", "on_track", True),
    ("D1", "健康", "health", "合计", "at_most", "lagging", False),
    ("D1", "教育", "education", "合计", "at_least", "regressing", False),
    ("D1", "教育", "education", "合计", "qualitative", "not_achieved", True),
    ("D1", "教育", "education", "合计", "band", "not_assessable", False),
    ("D1", "健康", "health", "合计", "at_least", "no_data", False),
    ("D1", "健康", "health", "合计", "increase", "improving", False),
    ("D1", "教育", "education", "合计", "decrease", "no_data", False),
    ("D1", "教育", "education", "合计", "at_least", "target_pending", False),
    ("D1", "健康", "health", "城镇", "at_most", "regressing", False),
    ("D1", "健康", "health", "农村", "at_most", "achieved", False),
]


def test_status_counts_partition_and_rate() -> None:
    got = aggregate.status_counts(items(D1), ["region_code"])
    row = got.row(0, named=True)
    assert row["n_items"] == 12
    expected_counts = {
        "achieved": 3,
        "on_track": 1,
        "lagging": 1,
        "regressing": 1,
        "not_achieved": 1,
        "improving": 1,
        "stable": 0,
        "worsening": 0,
        "no_data": 2,
        "not_assessable": 1,
        "target_pending": 1,
    }
    assert {code: row[f"n_{code}"] for code in expected_counts} == expected_counts
    assert (row["rate_numerator"], row["rate_denominator"]) == (3, 8)
    assert row["attainment_rate"] == 37.5
    # the decrease target without data is 无数据, like the card beside it says
    assert (row["excluded_no_data"], row["excluded_direction"], row["excluded_target_pending"]) == (2, 1, 1)
    assert row["n_with_data"] == 10
    # the buckets partition the items: nothing dropped, nothing counted twice
    assert (
        row["rate_denominator"] + row["excluded_no_data"] + row["excluded_direction"] + row["excluded_target_pending"]
        == row["n_items"]
    )
    assert row["n_lost"] == 2
    assert row["rate_note"] == (
        "达标 3 项 ÷ 有数据且有数值或定性目标的 8 项；另有无数据 2 项、方向性目标 1 项、目标待设定 1 项，未计入分母"
    )


def test_counts_per_domain_and_unit() -> None:
    # 健康 (合计 rows): achieved ×2, on_track, lagging, no_data (at_least), improving → denominator 4,
    #   rate 2/4 = 50 %; 教育: achieved, regressing, not_achieved, not_assessable → 1/4 = 25 %,
    #   plus decrease no_data (direction) and target_pending.
    got = aggregate.status_counts(items(D1), ["region_code", "domain"]).select(
        "domain", "n_items", "rate_numerator", "rate_denominator", "attainment_rate", "excluded_direction"
    )
    assert_frame_equal(
        got,
        pl.DataFrame(
            [("健康", 6, 2, 4, 50.0, 1), ("教育", 6, 1, 4, 25.0, 0)],
            schema={
                "domain": pl.String,
                "n_items": pl.Int64,
                "rate_numerator": pl.Int64,
                "rate_denominator": pl.Int64,
                "attainment_rate": pl.Float64,
                "excluded_direction": pl.Int64,
            },
            orient="row",
        ),
    )


def test_no_denominator_means_no_rate() -> None:
    frame = items([("D9", "健康", "health", "合计", "at_least", "no_data", False)])
    row = aggregate.status_counts(frame, ["region_code"]).row(0, named=True)
    assert row["rate_denominator"] == 0 and row["attainment_rate"] is None


def _by_region(rows: list[tuple]) -> pl.DataFrame:
    """(region_code, attainment_rate, rate_denominator, n_regressing, n_worsening)"""
    return pl.DataFrame(
        rows,
        schema={
            "region_code": pl.String,
            "attainment_rate": pl.Float64,
            "rate_denominator": pl.Int64,
            "n_regressing": pl.Int64,
            "n_worsening": pl.Int64,
        },
        orient="row",
    )


def test_district_ranking_tie_break() -> None:
    # 80 % beats 60 %. Among the 60 % districts:
    #   R2 (denominator 10) before R3 (5): more indicators assessed first;
    #   R4 and R5 both 60 % of 10: R5 has 1 退步 (regressing 0 + worsening 1), R4 has 2 → R5 first;
    #   R3, R6 and R7 tie on everything (60 %, 5 assessed, 0 退步) → region code ascending.
    # R8 has nothing assessed: no rank, last. R9 is not a district of this scope and is left out.
    by_region = _by_region(
        [
            ("R8", None, 0, 0, 0),
            ("R7", 60.0, 5, 0, 0),
            ("R4", 60.0, 10, 1, 1),
            ("R1", 80.0, 5, 3, 0),
            ("R6", 60.0, 5, 0, 0),
            ("R3", 60.0, 5, 0, 0),
            ("R5", 60.0, 10, 0, 1),
            ("R2", 60.0, 10, 0, 0),
            ("R9", 99.0, 10, 0, 0),
        ]
    )
    got = aggregate.district_ranking(by_region, ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8"])
    assert_frame_equal(
        got.select("rank", "region_code", "n_backslide"),
        pl.DataFrame(
            [
                (1, "R1", 3),
                (2, "R2", 0),
                (3, "R5", 1),
                (4, "R4", 2),
                (5, "R3", 0),
                (6, "R6", 0),
                (7, "R7", 0),
                (None, "R8", 0),
            ],
            schema={"rank": pl.Int64, "region_code": pl.String, "n_backslide": pl.Int64},
            orient="row",
        ),
    )


# --- completeness and timeliness -------------------------------------------------------------


LINKS = pl.DataFrame(
    [
        ("I1", "health", "lead"),
        ("I2", "health", "lead"),
        ("I3", "health", "lead"),
        ("I4", "health", "shared"),
        ("I4", "education", "lead"),
        ("I5", "education", "lead"),
    ],
    schema={"indicator_code": pl.String, "unit_code": pl.String, "role": pl.String},
    orient="row",
)
# I3 is qualitative (no unit of measure); I5 is numeric but not in the plan
INDICATORS = pl.DataFrame({"indicator_code": ["I1", "I2", "I3", "I4", "I5"], "unit": ["%", "‰", None, "%", "个"]})
PLAN = ["I1", "I2", "I3", "I4"]


PLAN_ONLY = CompletenessRule(plan_indicators_only=True)


def test_expected_cells_default_rule() -> None:
    # health leads I1, I2 (numeric) and I3 (qualitative → not expected); it shares I4, which is
    # education's (lead) to report; education also leads I5, outside the plan but still owed:
    # a unit sends one return whatever the plan.
    # → health: I1, I2; education: I4, I5 — each × 2 districts × 2 years = 16 cells.
    got = aggregate.expected_cells(LINKS, INDICATORS, ["D1", "D2"], [2023, 2024], plan_indicators=PLAN)
    assert got.height == 16
    pairs = got.select("unit_code", "indicator_code").unique().sort("unit_code", "indicator_code").rows()
    assert pairs == [("education", "I4"), ("education", "I5"), ("health", "I1"), ("health", "I2")]


def test_expected_cells_plan_scoped_rule() -> None:
    # restricted to the plan's indicators, I5 drops out: 12 cells
    got = aggregate.expected_cells(LINKS, INDICATORS, ["D1", "D2"], [2023, 2024], rule=PLAN_ONLY, plan_indicators=PLAN)
    assert got.height == 12


def test_a_measure_listed_in_both_outlines_is_owed_once() -> None:
    # 产前筛查率 is W-HEALTH-M3 and C-HEALTH-06c: one value feeds both, so it is owed once
    links = pl.DataFrame(
        {
            "indicator_code": ["W-HEALTH-M3", "C-HEALTH-06c", "W-HEALTH-02"],
            "unit_code": ["health"] * 3,
            "role": ["lead"] * 3,
        }
    )
    indicators = pl.DataFrame(
        {
            "indicator_code": ["W-HEALTH-M3", "C-HEALTH-06c", "W-HEALTH-02"],
            "indicator_name": ["产前筛查率", "产前筛查率", "孕产妇死亡率"],
            "unit": ["%", "%", "1/10万"],
        }
    )
    got = aggregate.expected_cells(links, indicators, ["D1"], [2024])
    assert got.select("indicator_code").to_series().to_list() == ["C-HEALTH-06c", "W-HEALTH-02"]


def test_expected_cells_rule_is_configurable() -> None:
    # roles lead + shared, numeric or not, any plan: health I1 I2 I3 I4, education I4 I5 → 6 pairs
    rule = CompletenessRule(roles=("lead", "shared"), numeric_only=False, plan_indicators_only=False)
    got = aggregate.expected_cells(LINKS, INDICATORS, ["D1"], [2024], rule=rule, plan_indicators=PLAN)
    assert got.select("unit_code", "indicator_code").rows() == [
        ("education", "I4"),
        ("education", "I5"),
        ("health", "I1"),
        ("health", "I2"),
        ("health", "I3"),
        ("health", "I4"),
    ]


def test_completeness_and_timeliness() -> None:
    # health, district D1: I1 and I2 expected for 2023 and 2024 (4 cells).
    #   I1 2023 first received 2024-03-31 23:30 — on the deadline day (次年3月31日) → on time
    #   I1 2024 received 2025-04-01 08:00 — a day late
    #   I2 2023 received 2024-02-01 → on time;  I2 2024 not received
    # → 2023: expected 2, received 2, on time 2 (100 %, 100 %);
    #   2024: expected 2, received 1, missing 1, late 1 (50 %, 0 %).
    expected = aggregate.expected_cells(
        LINKS, INDICATORS, ["D1"], [2023, 2024], rule=PLAN_ONLY, plan_indicators=["I1", "I2"]
    )
    received = pl.DataFrame(
        [
            ("I1", "D1", 2023, datetime(2024, 3, 31, 23, 30)),
            ("I1", "D1", 2024, datetime(2025, 4, 1, 8, 0)),
            ("I2", "D1", 2023, datetime(2024, 2, 1, 9, 0)),
        ],
        schema={
            "indicator_code": pl.String,
            "region_code": pl.String,
            "year": pl.Int32,
            "first_received_at": pl.Datetime("us"),
        },
        orient="row",
    )
    cells = aggregate.completeness_cells(expected, received, deadline=ReportingDeadline())
    assert_frame_equal(
        cells.select("indicator_code", "year", "received", "deadline", "on_time"),
        pl.DataFrame(
            [
                ("I1", 2023, True, date(2024, 3, 31), True),
                ("I1", 2024, True, date(2025, 3, 31), False),
                ("I2", 2023, True, date(2024, 3, 31), True),
                ("I2", 2024, False, date(2025, 3, 31), None),
            ],
            schema={
                "indicator_code": pl.String,
                "year": pl.Int32,
                "received": pl.Boolean,
                "deadline": pl.Date,
                "on_time": pl.Boolean,
            },
            orient="row",
        ),
    )
    summary = aggregate.completeness_summary(cells, ["unit_code", "region_code", "year"])
    assert_frame_equal(
        summary,
        pl.DataFrame(
            [
                ("health", "D1", 2023, 2, 2, 0, 100.0, 2, 2, 0, 100.0),
                ("health", "D1", 2024, 2, 1, 1, 50.0, 2, 0, 1, 0.0),
            ],
            schema=SUMMARY_SCHEMA,
            orient="row",
        ),
    )

    # Tracking began 2024-06-01: 2023's deadline (2024-03-31) had passed, so 2023 is back-filled
    # history — received, but not judged for timeliness; 2024 is judged as before.
    cells = aggregate.completeness_cells(
        expected, received, deadline=ReportingDeadline(), tracking_start=date(2024, 6, 1)
    )
    assert cells.filter(pl.col("year") == 2023).select("tracked", "on_time").rows() == [(False, None)] * 2
    assert_frame_equal(
        aggregate.completeness_summary(cells, ["unit_code", "region_code", "year"]),
        pl.DataFrame(
            [
                ("health", "D1", 2023, 2, 2, 0, 100.0, 0, 0, 0, None),
                ("health", "D1", 2024, 2, 1, 1, 50.0, 2, 0, 1, 0.0),
            ],
            schema=SUMMARY_SCHEMA,
            orient="row",
        ),
    )


SUMMARY_SCHEMA = {
    "unit_code": pl.String,
    "region_code": pl.String,
    "year": pl.Int32,
    "expected": pl.Int64,
    "received": pl.Int64,
    "missing": pl.Int64,
    "completeness_pct": pl.Float64,
    "tracked": pl.Int64,
    "on_time": pl.Int64,
    "late": pl.Int64,
    "timeliness_pct": pl.Float64,
}


def test_deadline_is_configurable() -> None:
    # 当年12月31日: values for 2024 are due 2024-12-31
    deadline = ReportingDeadline(month=12, day=31, years_after=0)
    assert deadline.due(2024) == date(2024, 12, 31)
    assert deadline.describe() == "当年12月31日前报送"
    assert ReportingDeadline().describe() == "次年3月31日前报送"


def test_counts_roll_up_from_finer_groupings() -> None:
    # Counts add up: region × domain summed per region gives exactly the per-region counts
    # (this is how the engine makes by_outline and by_region without another pass).
    # D2: one lagging, one achieved → 1 / 2 = 50 %
    frame = items(
        D1
        + [
            ("D2", "健康", "health", "合计", "at_least", "lagging", False),
            ("D2", "教育", "education", "合计", "at_most", "achieved", True),
        ]
    )
    counting = aggregate.counting_frame(frame, ["region_code", "domain"])
    finer = aggregate.status_counts_lazy(counting, ["region_code", "domain"], keep_row=True).collect()
    rolled = aggregate.status_counts_lazy(finer, ["region_code"]).collect()
    assert_frame_equal(rolled, aggregate.status_counts(frame, ["region_code"]))
    assert rolled.get_column("region_code").to_list() == ["D1", "D2"]
    assert rolled.filter(pl.col("region_code") == "D2").get_column("attainment_rate").item() == 50.0
