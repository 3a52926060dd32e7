"""A tiny ProgressResult for the page modules' unit tests, small enough to check by hand.

One city (370300) with two districts, three indicators, values for 2020, 2023 and 2024; the
engine's own `compute` turns them into items and aggregates, so the tests exercise the page
modules on real engine output without a database.

    A 孕产妇死亡率 (at_most 12, 健康, 卫健委)   D1 370302: 14 → 12.5 → 13    D2 370303: 14 → 14.5 → 15
    B 毛入园率   (at_least 90, 教育, 教育局)    D1: 85 → 88 → 91              D2: 85 → 89 → 86
    C 托位数     (increase, 健康, 卫健委)       D1: 50 → 53 → 55              D2: —

Base year 2020, target year 2030, so in 2024 τ = 0.4 and in 2023 τ = 0.3. By hand, 2024:
    A D1: ρ = (13 − 14) / (12 − 14) = 0.5 ≥ 0.4 → 进度正常 (on_track)
    A D2: ρ = (15 − 14) / (12 − 14) = −0.5 → 退步 (regressing)
    B D1: 91 ≥ 90 → 已达标 (achieved)
    B D2: ρ = (86 − 85) / (90 − 85) = 0.2 < 0.4 → 进度滞后 (lagging)
    C D1: 55 > 50 → 向好 (improving);  C D2: 无数据 (no_data)
and 2023:
    A D1: ρ = 0.75 ≥ 0.3 → on_track;  A D2: ρ = −0.25 → regressing
    B D1: ρ = 0.6 ≥ 0.3 → on_track;   B D2: ρ = 0.8 → on_track
The city itself has no values (every city item 无数据), as in the embedded sample.
"""

from __future__ import annotations

import polars as pl

from dashboard import engine
from dashboard.engine import aggregate, labels

# the columns engine.compute reads as observations
OBSERVATION_SCHEMA = {
    "indicator_code": pl.String,
    "region_code": pl.String,
    "breakdown": pl.String,
    "year": pl.Int32,
    "value": pl.Float64,
    "revision": pl.Int32,
    "submission_id": pl.Int32,
    "is_sample": pl.Boolean,
}

CITY, D1, D2 = "370300", "370302", "370303"
REGIONS = pl.DataFrame(
    {
        "code": [CITY, D1, D2],
        "name": ["示例市", "甲区", "乙县"],
        "short_name": ["示例", "甲", "乙"],
        "level": ["city", "county", "county"],
        "parent_code": ["370000", CITY, CITY],
    }
)
INDICATORS = pl.DataFrame(
    {
        "indicator_code": ["A", "B", "C"],
        "indicator_name": ["孕产妇死亡率", "学前教育毛入园率", "每千人口托位数"],
        "outline": ["women", "children", "children"],
        "domain": ["健康", "教育", "健康"],
        "unit": ["1/10万", "%", "个"],
        "decimals": [1, 1, 1],
        "direction": ["down", "up", "up"],
        "plausible_min": [None, None, None],
        "plausible_max": [None, None, None],
        "lead_unit_code": ["health", "education", "health"],
        "lead_unit": ["卫生健康委", "教育局", "卫生健康委"],
    },
    schema_overrides={"decimals": pl.Int32, "plausible_min": pl.Float64, "plausible_max": pl.Float64},
)
TARGETS = pl.DataFrame(
    {
        "plan_code": ["p"] * 3,
        "indicator_code": ["A", "B", "C"],
        "region_code": [None, None, None],
        "target_year": [2030] * 3,
        "kind": ["at_most", "at_least", "increase"],
        "value": [12.0, 90.0, None],
        "band_low": [None] * 3,
        "band_high": [None] * 3,
        "tolerance": [None] * 3,
        "target_text": ["下降到12/10万以下", "达到90%以上", "逐步提高"],
        "source": ["纲要甲", "=纲要乙", "纲要丙"],  # "=…" checks formula neutralising downstream
        "source_url": [None] * 3,
        "verified": [True, True, True],
        "is_sample": [False] * 3,
        "note": [None] * 3,
    },
    schema_overrides={
        "region_code": pl.String,
        "value": pl.Float64,
        "band_low": pl.Float64,
        "band_high": pl.Float64,
        "tolerance": pl.Float64,
        "source_url": pl.String,
        "note": pl.String,
    },
)
VALUES: dict[tuple[str, str], dict[int, float]] = {
    ("A", D1): {2020: 14.0, 2023: 12.5, 2024: 13.0},
    ("A", D2): {2020: 14.0, 2023: 14.5, 2024: 15.0},
    ("B", D1): {2020: 85.0, 2023: 88.0, 2024: 91.0},
    ("B", D2): {2020: 85.0, 2023: 89.0, 2024: 86.0},
    ("C", D1): {2020: 50.0, 2023: 53.0, 2024: 55.0},
}
PLAN = engine.PlanInfo("p", "示例规划", "示例规划全称", "local", 2020, 2030)


def observations(year: int) -> pl.DataFrame:
    rows = [
        {
            "indicator_code": code,
            "region_code": region,
            "breakdown": "合计",
            "year": y,
            "value": v,
            "revision": 1,
            "submission_id": 1,
            "is_sample": False,
        }
        for (code, region), series in VALUES.items()
        for y, v in series.items()
        if y <= year
    ]
    return pl.DataFrame(rows, schema=OBSERVATION_SCHEMA)


def completeness_cells() -> pl.DataFrame:
    """卫健委 owes A for both districts in 2023 and 2024; D2's 2024 value is missing, and only
    D1's 2023 value came in before the deadline."""
    cells = pl.DataFrame(
        {
            "unit_code": ["health"] * 4,
            "indicator_code": ["A"] * 4,
            "region_code": [D1, D1, D2, D2],
            "year": [2023, 2024, 2023, 2024],
            "received": [True, True, True, False],
            "first_received_at": ["2024-03-01", "2025-05-01", "2024-06-01", None],
            "deadline": ["2024-03-31", "2025-03-31", "2024-03-31", "2025-03-31"],
            "on_time": [True, False, False, None],
            "unit_name": ["卫生健康委"] * 4,
            "region_name": ["甲区", "甲区", "乙县", "乙县"],
            "indicator_name": ["孕产妇死亡率"] * 4,
        },
        schema_overrides={"year": pl.Int32},
    ).with_columns(pl.col("first_received_at").str.to_datetime(), pl.col("deadline").str.to_date())
    return cells


def tiny_result(year: int = 2024, label_set: str = "default") -> engine.ProgressResult:
    config = labels.load_labels()
    chosen = config.label_set(label_set)
    obs = observations(year)
    computed = engine.compute(
        PLAN,
        year,
        regions=REGIONS,
        indicators=INDICATORS,
        raw_targets=TARGETS,
        observations=obs,
        scope=[CITY, D1, D2],
        status_labels=chosen.frame(),
        growth_labels=config.growth_frame(),
    )
    cells = completeness_cells()
    keys = ["unit_code", "unit_name", "region_code", "region_name", "year", "deadline"]
    return engine.ProgressResult(
        plan=PLAN,
        report_year=year,
        region=CITY,
        label_set=chosen.key,
        label_set_name=chosen.name,
        items=computed.items,
        by_region=computed.by_region,
        by_domain=computed.by_domain,
        by_outline=computed.by_outline,
        by_unit=computed.by_unit,
        ranking=computed.ranking,
        completeness=aggregate.completeness_summary(cells, keys),
        completeness_by_unit=aggregate.completeness_summary(cells, ["unit_code", "unit_name", "year", "deadline"]),
        completeness_cells=cells,
        observations=obs,
        targets=computed.targets,
        labels=chosen.frame(),
        growth_labels=config.growth_frame(),
        rate_rule=aggregate.RATE_RULE,
        growth_method="",
        completeness_rule="",
        deadline_rule="",
        snapshot="tiny",
        sample_data=False,
        sample_targets=False,
    )
