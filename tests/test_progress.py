"""Golden tests of the progress engine (dashboard.engine.progress) and target resolution
(dashboard.engine.targets), on frames written inline.

Every expected number is worked out by hand in the comment above it. Unless a test says
otherwise: base year B = 2020, target year T = 2030, report year Y = 2024, so an item whose
latest value is from 2024 has τ = (2024 − 2020) / (2030 − 2020) = 0.4.
"""

from __future__ import annotations

import math
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard.engine import progress, targets
from dashboard.engine.progress import ProgressConfig, compute_progress

B, T, Y = 2020, 2030, 2024
STATUS, GROWTH = progress.STATUS_DTYPE, progress.GROWTH_DTYPE

TARGET_SCHEMA = {
    "indicator_code": pl.String,
    "region_code": pl.String,
    "target_kind": pl.String,
    "target_value": pl.Float64,
    "target_band_low": pl.Float64,
    "target_band_high": pl.Float64,
    "target_tolerance": pl.Float64,
    "target_year": pl.Int32,
}
OBS_SCHEMA = {
    "indicator_code": pl.String,
    "region_code": pl.String,
    "breakdown": pl.String,
    "year": pl.Int32,
    "value": pl.Float64,
    "revision": pl.Int32,
}


def tg(*rows: dict[str, Any]) -> pl.DataFrame:
    """Resolved target rows; region 'R' and target year T unless given."""
    full = [
        {
            "region_code": "R",
            "target_value": None,
            "target_band_low": None,
            "target_band_high": None,
            "target_tolerance": None,
            "target_year": T,
            **r,
        }
        for r in rows
    ]
    return pl.DataFrame(full, schema=TARGET_SCHEMA)


def series(
    indicator: str,
    values: dict[int, float],
    region: str = "R",
    breakdown: str = "合计",
    revisions: dict[int, int] | None = None,
) -> list[dict[str, Any]]:
    revisions = revisions or {}
    return [
        {
            "indicator_code": indicator,
            "region_code": region,
            "breakdown": breakdown,
            "year": y,
            "value": v,
            "revision": revisions.get(y, 1),
        }
        for y, v in values.items()
    ]


def obs(*groups: list[dict[str, Any]]) -> pl.DataFrame:
    rows = [row for group in groups for row in group]
    return pl.DataFrame(rows, schema=OBS_SCHEMA)


def run(
    observations: pl.DataFrame,
    target_rows: pl.DataFrame,
    columns: list[str],
    *,
    report_year: int = Y,
    indicators: pl.DataFrame | None = None,
    config: ProgressConfig = progress.DEFAULT_CONFIG,
) -> pl.DataFrame:
    result = compute_progress(
        observations, target_rows, indicators, base_year=B, report_year=report_year, config=config
    )
    return result.select(columns)


def expected(rows: list[tuple], schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


STATUS_SCHEMA = {
    "indicator_code": pl.String,
    "tau": pl.Float64,
    "rho": pl.Float64,
    "achieved": pl.Boolean,
    "status": STATUS,
}


# --- threshold targets -------------------------------------------------------------------------


def test_at_least_statuses() -> None:
    # target 90, baseline 80 (2020); latest value in 2024, τ = 0.4:
    #   A1 86: ρ = (86 − 80) / (90 − 80) = 0.6 ≥ 0.4            → on_track
    #   A2 82: ρ = 2 / 10 = 0.2, 0 ≤ 0.2 < 0.4                   → lagging
    #   A3 78: ρ = −2 / 10 = −0.2 < 0                            → regressing
    #   A4 90: exactly the target, 90 ≥ 90                       → achieved (ρ not computed)
    t = tg(*({"indicator_code": f"A{i}", "target_kind": "at_least", "target_value": 90.0} for i in range(1, 5)))
    o = obs(*(series(f"A{i}", {2020: 80.0, 2024: v}) for i, v in enumerate([86.0, 82.0, 78.0, 90.0], start=1)))
    assert_frame_equal(
        run(o, t, list(STATUS_SCHEMA)),
        expected(
            [
                ("A1", 0.4, 0.6, False, "on_track"),
                ("A2", 0.4, 0.2, False, "lagging"),
                ("A3", 0.4, -0.2, False, "regressing"),
                ("A4", 0.4, None, True, "achieved"),
            ],
            STATUS_SCHEMA,
        ),
    )


def test_at_most_statuses() -> None:
    # infant mortality ‰, target at most 5.0, baseline 6.2:
    #   M1 5.6: ρ = (5.6 − 6.2) / (5.0 − 6.2) = −0.6 / −1.2 = 0.5 ≥ 0.4 → on_track
    #   M2 6.5: ρ = 0.3 / −1.2 = −0.25                                 → regressing
    #   M3 5.0: 5.0 ≤ 5.0                                             → achieved
    #   M4 6.0: ρ = −0.2 / −1.2 = 0.1666…                             → lagging
    t = tg(*({"indicator_code": f"M{i}", "target_kind": "at_most", "target_value": 5.0} for i in range(1, 5)))
    o = obs(*(series(f"M{i}", {2020: 6.2, 2024: v}) for i, v in enumerate([5.6, 6.5, 5.0, 6.0], start=1)))
    assert_frame_equal(
        run(o, t, list(STATUS_SCHEMA)),
        expected(
            [
                ("M1", 0.4, 0.5, False, "on_track"),
                ("M2", 0.4, -0.25, False, "regressing"),
                ("M3", 0.4, None, True, "achieved"),
                ("M4", 0.4, 0.2 / 1.2, False, "lagging"),
            ],
            STATUS_SCHEMA,
        ),
    )


def test_band_edges_and_progress() -> None:
    # 保持在 50 左右, tolerance 2 → band [48, 52]; baseline 40 is 8 below the band.
    #   B1 48.0: lower edge, inside                                  → achieved
    #   B2 52.0: upper edge, inside                                  → achieved
    #   B3 45.0: 3 below the band, ρ = (8 − 3) / 8 = 0.625 ≥ 0.4     → on_track
    #   B4 41.0: 7 below, ρ = (8 − 7) / 8 = 0.125                    → lagging
    #   B5 52.5: just above the upper edge                           → not achieved, ρ = (8 − 0.5) / 8 = 0.9375
    # Explicit edges win over the tolerance: B6 band [45, 55], value 45.0 → achieved.
    band = {"target_kind": "band", "target_value": 50.0, "target_tolerance": 2.0}
    t = tg(
        *({"indicator_code": f"B{i}", **band} for i in range(1, 6)),
        {
            "indicator_code": "B6",
            "target_kind": "band",
            "target_value": 50.0,
            "target_band_low": 45.0,
            "target_band_high": 55.0,
        },
    )
    o = obs(
        *(series(f"B{i}", {2020: 40.0, 2024: v}) for i, v in enumerate([48.0, 52.0, 45.0, 41.0, 52.5, 45.0], start=1))
    )
    assert_frame_equal(
        run(o, t, list(STATUS_SCHEMA)),
        expected(
            [
                ("B1", 0.4, None, True, "achieved"),
                ("B2", 0.4, None, True, "achieved"),
                ("B3", 0.4, 0.625, False, "on_track"),
                ("B4", 0.4, 0.125, False, "lagging"),
                ("B5", 0.4, 0.9375, False, "on_track"),
                ("B6", 0.4, None, True, "achieved"),
            ],
            STATUS_SCHEMA,
        ),
    )


def test_rho_exactly_tau_is_on_track() -> None:
    # baseline 1.1, target 2.1, value 1.5 in 2024: ρ = 0.4 / 1.0 = 0.4 = τ on paper. In binary
    # floating point (1.5 − 1.1) / (2.1 − 1.1) is 0.3999999999999999, a hair below τ; "ρ ≥ τ"
    # must still hold, so the item is on_track. 1.49 gives ρ = 0.39 < 0.4 → lagging.
    t = tg(
        {"indicator_code": "E1", "target_kind": "at_least", "target_value": 2.1},
        {"indicator_code": "E2", "target_kind": "at_least", "target_value": 2.1},
    )
    o = obs(series("E1", {2020: 1.1, 2024: 1.5}), series("E2", {2020: 1.1, 2024: 1.49}))
    got = run(o, t, ["indicator_code", "status"])
    assert_frame_equal(
        got, expected([("E1", "on_track"), ("E2", "lagging")], {"indicator_code": pl.String, "status": STATUS})
    )


def test_tau_uses_latest_year_and_is_clipped() -> None:
    # Latest value 2022 with report year 2024: τ = (2022 − 2020) / 10 = 0.2.
    # A 十四五-style target year 2025 with a 2027 value: τ = 7 / 5 clipped to 1.0.
    t = tg(
        {"indicator_code": "S1", "target_kind": "at_least", "target_value": 90.0},
        {"indicator_code": "S2", "target_kind": "at_least", "target_value": 90.0, "target_year": 2025},
    )
    o = obs(series("S1", {2020: 80.0, 2022: 83.0}), series("S2", {2020: 80.0, 2027: 85.0}))
    got = run(o, t, ["indicator_code", "latest_year", "tau"], report_year=2027)
    assert_frame_equal(
        got,
        expected(
            [("S1", 2022, 0.2), ("S2", 2027, 1.0)],
            {"indicator_code": pl.String, "latest_year": pl.Int32, "tau": pl.Float64},
        ),
    )


# --- 得而复失, baselines ----------------------------------------------------------------------------


def test_lost_after_achieving() -> None:
    # at most 5.0: 6.2 (2020), 5.6, 4.9 (met), 4.7 (met), 5.6 (2024, not met)
    #   L1: lost, last year met 2023; ρ = (6.2 − 5.6) / (6.2 − 5.0) = 0.5 ≥ 0.4 → on_track
    #   L2 met in 2022 and again in 2024: achieved, not lost
    #   L3 6.2 → 6.0 → 5.9, never met: not lost; ρ = (6.2 − 5.9) / 1.2 = 0.25 → lagging
    t = tg(*({"indicator_code": f"L{i}", "target_kind": "at_most", "target_value": 5.0} for i in range(1, 4)))
    o = obs(
        series("L1", {2020: 6.2, 2021: 5.6, 2022: 4.9, 2023: 4.7, 2024: 5.6}),
        series("L2", {2020: 6.2, 2022: 4.9, 2023: 5.3, 2024: 4.8}),
        series("L3", {2020: 6.2, 2022: 6.0, 2024: 5.9}),
    )
    schema = {"indicator_code": pl.String, "status": STATUS, "lost": pl.Boolean, "last_achieved_year": pl.Int32}
    assert_frame_equal(
        run(o, t, list(schema)),
        expected(
            [("L1", "on_track", True, 2023), ("L2", "achieved", False, None), ("L3", "lagging", False, None)], schema
        ),
    )


def test_missing_baseline_is_not_assessable_never_another_year() -> None:
    # No 2020 value: N1 (82 in 2021, 85 in 2024, target 90) cannot get a ρ — the 2021 value is
    # NOT used as a baseline. N2 meets its target (91 ≥ 90): achievement needs no baseline.
    t = tg(
        {"indicator_code": "N1", "target_kind": "at_least", "target_value": 90.0},
        {"indicator_code": "N2", "target_kind": "at_least", "target_value": 90.0},
    )
    o = obs(series("N1", {2021: 82.0, 2024: 85.0}), series("N2", {2021: 85.0, 2024: 91.0}))
    schema = {
        "indicator_code": pl.String,
        "baseline_year": pl.Int32,
        "baseline_value": pl.Float64,
        "rho": pl.Float64,
        "status": STATUS,
        "reason_code": pl.String,
        "reason": pl.String,
    }
    assert_frame_equal(
        run(o, t, list(schema)),
        expected(
            [
                ("N1", None, None, None, "not_assessable", "no_baseline", "无基期值（2020年）"),
                ("N2", None, None, None, "achieved", None, None),
            ],
            schema,
        ),
    )


def test_baseline_equal_to_target_and_baseline_already_met() -> None:
    # Q1: baseline 90 = target 90, now 88: ρ = (88 − 90) / (90 − 90) is undefined → not_assessable;
    #     2020 met the target, so the item is also 得而复失 (last met 2020).
    # Q2: baseline 92 already beyond the target, now 88: moved away → regressing (reason
    #     baseline_met), ρ left empty rather than the misleading (88 − 92) / (90 − 92) = 2.
    t = tg(
        {"indicator_code": "Q1", "target_kind": "at_least", "target_value": 90.0},
        {"indicator_code": "Q2", "target_kind": "at_least", "target_value": 90.0},
    )
    o = obs(series("Q1", {2020: 90.0, 2024: 88.0}), series("Q2", {2020: 92.0, 2024: 88.0}))
    schema = {
        "indicator_code": pl.String,
        "rho": pl.Float64,
        "status": STATUS,
        "reason_code": pl.String,
        "lost": pl.Boolean,
        "last_achieved_year": pl.Int32,
    }
    assert_frame_equal(
        run(o, t, list(schema)),
        expected(
            [
                ("Q1", None, "not_assessable", "baseline_equals_target", True, 2020),
                ("Q2", None, "regressing", "baseline_met", True, 2020),
            ],
            schema,
        ),
    )


# --- other kinds, missing data and targets -----------------------------------------------------


def test_qualitative_targets() -> None:
    # 是/否 indicators: 1 = achieved.
    #   K1 0 → 1: achieved;  K2 1, 1, 0 (2024): not_achieved and 得而复失 since 2023;
    #   K3 no value: no_data; K4 a measured rate (12.5) against "差距缩小": a person must judge
    #   → target_pending with reason qualitative_not_binary.
    t = tg(*({"indicator_code": f"K{i}", "target_kind": "qualitative"} for i in range(1, 5)))
    o = obs(
        series("K1", {2020: 0.0, 2024: 1.0}),
        series("K2", {2020: 1.0, 2023: 1.0, 2024: 0.0}),
        series("K4", {2020: 14.0, 2024: 12.5}),
    )
    schema = {
        "indicator_code": pl.String,
        "achieved": pl.Boolean,
        "status": STATUS,
        "reason_code": pl.String,
        "lost": pl.Boolean,
        "last_achieved_year": pl.Int32,
        "rho": pl.Float64,
    }
    assert_frame_equal(
        run(o, t, list(schema)),
        expected(
            [
                ("K1", True, "achieved", None, False, None, None),
                ("K2", False, "not_achieved", None, True, 2023, None),
                ("K3", None, "no_data", "no_value", False, None, None),
                ("K4", None, "target_pending", "qualitative_not_binary", False, None, None),
            ],
            schema,
        ),
    )


def test_direction_only_targets() -> None:
    # 逐步提高 from baseline 50: 持平 tolerance = 1 % × 50 = 0.5.
    #   D1 52.0: +2.0 > 0.5 → improving;  D2 50.4: |+0.4| ≤ 0.5 → stable;  D3 49.0: −1.0 → worsening
    #   D4 (target row tolerance 3): +2.0 ≤ 3 → stable
    # 逐步降低 from 10: D5 9.0: −1.0, desired direction → improving
    # D6 no 2020 value → not_assessable (no_baseline)
    t = tg(
        *({"indicator_code": f"D{i}", "target_kind": "increase"} for i in range(1, 4)),
        {"indicator_code": "D4", "target_kind": "increase", "target_tolerance": 3.0},
        {"indicator_code": "D5", "target_kind": "decrease"},
        {"indicator_code": "D6", "target_kind": "increase"},
    )
    o = obs(
        series("D1", {2020: 50.0, 2024: 52.0}),
        series("D2", {2020: 50.0, 2024: 50.4}),
        series("D3", {2020: 50.0, 2024: 49.0}),
        series("D4", {2020: 50.0, 2024: 52.0}),
        series("D5", {2020: 10.0, 2024: 9.0}),
        series("D6", {2021: 10.0, 2024: 11.0}),
    )
    schema = {
        "indicator_code": pl.String,
        "change_since_base": pl.Float64,
        "achieved": pl.Boolean,
        "rho": pl.Float64,
        "status": STATUS,
        "reason_code": pl.String,
    }
    got = run(o, t, list(schema))
    assert_frame_equal(
        got,
        expected(
            [
                ("D1", 2.0, None, None, "improving", None),
                ("D2", 50.4 - 50.0, None, None, "stable", None),
                ("D3", -1.0, None, None, "worsening", None),
                ("D4", 2.0, None, None, "stable", None),
                ("D5", -1.0, None, None, "improving", None),
                ("D6", None, None, None, "not_assessable", "no_baseline"),
            ],
            schema,
        ),
    )


def test_target_pending_no_data_and_unknown_kind() -> None:
    # P1 at_least without a value: 目标待设定 even though there is data.
    # P2 band without tolerance or edges: band_undefined.  P3 unknown kind.
    # P4 has a target but its only value is from 2025, after the report year → no_data.
    t = tg(
        {"indicator_code": "P1", "target_kind": "at_least"},
        {"indicator_code": "P2", "target_kind": "band", "target_value": 50.0},
        {"indicator_code": "P3", "target_kind": "mystery", "target_value": 1.0},
        {"indicator_code": "P4", "target_kind": "at_least", "target_value": 90.0},
    )
    o = obs(
        series("P1", {2020: 80.0, 2024: 85.0}),
        series("P2", {2020: 40.0}),
        series("P3", {2020: 1.0}),
        series("P4", {2025: 95.0}),
    )
    schema = {
        "indicator_code": pl.String,
        "status": STATUS,
        "reason_code": pl.String,
        "reason": pl.String,
        "latest_value": pl.Float64,
    }
    assert_frame_equal(
        run(o, t, list(schema)),
        expected(
            [
                ("P1", "target_pending", "target_pending", "目标待设定", 85.0),
                ("P2", "target_pending", "band_undefined", "目标区间未设定（缺少容差或上下限）", 40.0),
                ("P3", "target_pending", "unknown_kind", "目标类型无法识别", 1.0),
                ("P4", "no_data", "no_value", "2024年及以前无数据", None),
            ],
            schema,
        ),
    )


def test_breakdowns_are_items_and_total_always_present() -> None:
    # R1 reports 合计, 城镇 and 农村 → three items; R2 reports only 城镇 → its 合计 item exists
    # (no_data) beside the 城镇 item; R3 reports nothing → one 合计 item, no_data.
    # Order: the 合计 items in target-row order, then the breakdown items (code-point order
    # within a target row: 农村 < 城镇).
    # Each breakdown has its own baseline: 城镇 in R1 goes 5.6 → 5.1 against at most 5.0:
    # ρ = (5.6 − 5.1) / (5.6 − 5.0) = 0.8333… → on_track; 农村 6.7 → 6.8 → regressing.
    t = pl.concat(
        [
            tg({"indicator_code": "C4", "region_code": r, "target_kind": "at_most", "target_value": 5.0})
            for r in ("R1", "R2", "R3")
        ]
    )
    o = obs(
        series("C4", {2020: 6.2, 2024: 5.6}, region="R1"),
        series("C4", {2020: 5.6, 2024: 5.1}, region="R1", breakdown="城镇"),
        series("C4", {2020: 6.7, 2024: 6.8}, region="R1", breakdown="农村"),
        series("C4", {2020: 5.0, 2024: 4.9}, region="R2", breakdown="城镇"),
    )
    schema = {
        "region_code": pl.String,
        "breakdown": pl.String,
        "baseline_value": pl.Float64,
        "rho": pl.Float64,
        "status": STATUS,
    }
    assert_frame_equal(
        run(o, t, list(schema)),
        expected(
            [
                ("R1", "合计", 6.2, 0.5, "on_track"),
                ("R2", "合计", None, None, "no_data"),
                ("R3", "合计", None, None, "no_data"),
                ("R1", "农村", 6.7, (6.7 - 6.8) / (6.7 - 5.0), "regressing"),
                ("R1", "城镇", 5.6, 0.5 / 0.6, "on_track"),
                ("R2", "城镇", 5.0, None, "achieved"),
            ],
            schema,
        ),
    )


# --- trend ---------------------------------------------------------------------------------------


def test_trend_least_squares_on_paper() -> None:
    # Values 10, 12, 13, 15 in 2020–2023 (x = year − 2020 = 0…3), report year 2023:
    #   x̄ = 1.5, v̄ = 12.5; Σ(x − x̄)(v − v̄) = (−1.5)(−2.5) + (−0.5)(−0.5) + (0.5)(0.5) + (1.5)(2.5) = 8;
    #   Σ(x − x̄)² = 2.25 + 0.25 + 0.25 + 2.25 = 5 → slope 8 / 5 = 1.6 per year;
    #   projected 2030 (x = 10): 12.5 + 1.6 × (10 − 1.5) = 26.1.
    # Against at least 30: 26.1 < 30 → not on track by trend; against at least 25: on track.
    # A 2018 value (before the base year) does not enter the line.
    # Two points only (TR3) → no trend.
    t = tg(
        {"indicator_code": "TR1", "target_kind": "at_least", "target_value": 30.0},
        {"indicator_code": "TR2", "target_kind": "at_least", "target_value": 25.0},
        {"indicator_code": "TR3", "target_kind": "at_least", "target_value": 25.0},
    )
    line = {2020: 10.0, 2021: 12.0, 2022: 13.0, 2023: 15.0}
    o = obs(series("TR1", {2018: 100.0, **line}), series("TR2", line), series("TR3", {2020: 10.0, 2023: 15.0}))
    schema = {
        "indicator_code": pl.String,
        "trend_points": pl.Int32,
        "trend_slope": pl.Float64,
        "trend_projection": pl.Float64,
        "trend_on_track": pl.Boolean,
    }
    assert_frame_equal(
        run(o, t, list(schema), report_year=2023),
        expected([("TR1", 4, 1.6, 26.1, False), ("TR2", 4, 1.6, 26.1, True), ("TR3", 2, None, None, None)], schema),
    )


def test_trend_for_direction_only_follows_the_slope_sign() -> None:
    # 逐步降低 with values 10, 9, 9.5, 8 (2021–2024): slope = Σ(x − 2.5)(v − 9.125) / Σ(x − 2.5)²
    #   = [(−1.5)(0.875) + (−0.5)(−0.125) + (0.5)(0.375) + (1.5)(−1.125)] / 5 = −2.75 / 5 = −0.55 < 0
    #   → on track (downwards is the desired way).
    t = tg({"indicator_code": "DT", "target_kind": "decrease"})
    o = obs(series("DT", {2020: 10.0, 2021: 9.0, 2022: 9.5, 2023: 8.0}))
    schema = {"trend_slope": pl.Float64, "trend_on_track": pl.Boolean}
    assert_frame_equal(run(o, t, list(schema), report_year=2023), expected([(-0.55, True)], schema))


# --- growth ratio (UN ESCAP / Open SDG) ----------------------------------------------------------


def _cagr(end: float, start: float, years: int) -> float:
    return (end / start) ** (1 / years) - 1


def test_growth_ratio_values_and_categories() -> None:
    # G1 at least 90, 50 → 60 in four years:
    #   observed = (60/50)^(1/4) − 1 ≈ 0.0466, required = (90/50)^(1/10) − 1 ≈ 0.0605 → ratio ≈ 0.77
    #   → moderate (0.6 ≤ ratio < 0.95)
    # G2 50 → 70: observed = 1.4^(1/4) − 1 ≈ 0.0878 → ratio ≈ 1.45 → substantial
    # G3 50 → 45: observed < 0 → deterioration
    # G4 at most 5, 10 → 8: observed = 0.8^(1/4) − 1 ≈ −0.0543, required = 0.5^(1/10) − 1 ≈ −0.0670;
    #   ratio = (−1) × observed / |required| ≈ 0.81 → moderate
    # G5 at least 90, 50 → 52: ratio ≈ 0.0099 / 0.0605 ≈ 0.16 → limited
    # G6 at least 90, 50 → 95: target met → achieved (ratio still shown)
    t = tg(
        *({"indicator_code": f"G{i}", "target_kind": "at_least", "target_value": 90.0} for i in (1, 2, 3, 5, 6)),
        {"indicator_code": "G4", "target_kind": "at_most", "target_value": 5.0},
    )
    o = obs(
        series("G1", {2020: 50.0, 2024: 60.0}),
        series("G2", {2020: 50.0, 2024: 70.0}),
        series("G3", {2020: 50.0, 2024: 45.0}),
        series("G5", {2020: 50.0, 2024: 52.0}),
        series("G6", {2020: 50.0, 2024: 95.0}),
        series("G4", {2020: 10.0, 2024: 8.0}),
    )
    req_up, req_down = _cagr(90, 50, 10), _cagr(5, 10, 10)
    schema = {
        "indicator_code": pl.String,
        "growth_observed": pl.Float64,
        "growth_required": pl.Float64,
        "growth_ratio": pl.Float64,
        "growth_category": GROWTH,
    }
    assert_frame_equal(
        run(o, t, list(schema)),
        expected(
            [
                ("G1", _cagr(60, 50, 4), req_up, _cagr(60, 50, 4) / req_up, "moderate"),
                ("G2", _cagr(70, 50, 4), req_up, _cagr(70, 50, 4) / req_up, "substantial"),
                ("G3", _cagr(45, 50, 4), req_up, _cagr(45, 50, 4) / req_up, "deterioration"),
                ("G5", _cagr(52, 50, 4), req_up, _cagr(52, 50, 4) / req_up, "limited"),
                ("G6", _cagr(95, 50, 4), req_up, _cagr(95, 50, 4) / req_up, "achieved"),
                ("G4", _cagr(8, 10, 4), req_down, -_cagr(8, 10, 4) / abs(req_down), "moderate"),
            ],
            schema,
        ),
    )
    # the hand estimates in the comment above agree with the formulas
    assert math.isclose(_cagr(60, 50, 4) / req_up, 0.77, abs_tol=0.01)
    assert math.isclose(-_cagr(8, 10, 4) / abs(req_down), 0.81, abs_tol=0.01)


def test_growth_ratio_guards() -> None:
    # Each guard leaves the ratio empty and says why:
    #   H1 zero base (0 → 5)                       → zero_base
    #   H2 latest value negative (5 → −1)          → sign_change
    #   H3 only the base-year value (y = B)        → single_point
    #   H4 no 2020 value                           → no_baseline
    #   H5 逐步提高 (no number)                     → no_numeric_target
    #   H6 target equals base (at least 90, 90 → 88; required growth 0) → target_equals_base
    #   H7 no value at all                         → no_value
    t = tg(
        *({"indicator_code": f"H{i}", "target_kind": "at_least", "target_value": 90.0} for i in (1, 2, 3, 4, 6, 7)),
        {"indicator_code": "H5", "target_kind": "increase"},
    )
    o = obs(
        series("H1", {2020: 0.0, 2024: 5.0}),
        series("H2", {2020: 5.0, 2024: -1.0}),
        series("H3", {2020: 50.0}),
        series("H4", {2022: 50.0, 2024: 60.0}),
        series("H6", {2020: 90.0, 2024: 88.0}),
        series("H5", {2020: 1.0, 2024: 2.0}),
    )
    schema = {
        "indicator_code": pl.String,
        "growth_ratio": pl.Float64,
        "growth_category": GROWTH,
        "growth_reason_code": pl.String,
    }
    assert_frame_equal(
        run(o, t, list(schema)),
        expected(
            [
                ("H1", None, None, "zero_base"),
                ("H2", None, None, "sign_change"),
                ("H3", None, None, "single_point"),
                ("H4", None, None, "no_baseline"),
                ("H6", None, None, "target_equals_base"),
                ("H7", None, None, "no_value"),
                ("H5", None, None, "no_numeric_target"),
            ],
            schema,
        ),
    )


# --- year-on-year change and data flags ---------------------------------------------------------


def test_year_on_year_and_flags() -> None:
    # F1 50 (2023) → 70 (2024): change +20 = +40 % of 50 > 30 % → jump; the 2024 value is revision 2.
    # F2 same values, per-indicator threshold 0.5: 40 % ≤ 50 % → no jump.
    # F3 0 → 1: any change from zero is a jump; 1 is outside the plausible range [2, 100].
    # F4 no 2023 value (2022 then 2024): no year-on-year change, no jump.
    # F5 the baseline came from a revision → revised.
    t = tg(*({"indicator_code": f"F{i}", "target_kind": "at_least", "target_value": 90.0} for i in range(1, 6)))
    o = obs(
        series("F1", {2020: 40.0, 2023: 50.0, 2024: 70.0}, revisions={2024: 2}),
        series("F2", {2020: 40.0, 2023: 50.0, 2024: 70.0}),
        series("F3", {2020: 0.0, 2023: 0.0, 2024: 1.0}),
        series("F4", {2020: 40.0, 2022: 50.0, 2024: 70.0}),
        series("F5", {2020: 40.0, 2023: 50.0, 2024: 52.0}, revisions={2020: 3}),
    )
    indicators = pl.DataFrame({"indicator_code": ["F3"], "plausible_min": [2.0], "plausible_max": [100.0]})
    config = ProgressConfig(jump_thresholds=(("F2", 0.5),))
    schema = {
        "indicator_code": pl.String,
        "previous_value": pl.Float64,
        "yoy_change": pl.Float64,
        "yoy_change_pct": pl.Float64,
        "flag_jump": pl.Boolean,
        "flag_out_of_range": pl.Boolean,
        "flag_revised": pl.Boolean,
        "flags": pl.String,
    }
    assert_frame_equal(
        run(o, t, list(schema), indicators=indicators, config=config),
        expected(
            [
                ("F1", 50.0, 20.0, 40.0, True, False, True, "jump|revised"),
                ("F2", 50.0, 20.0, 40.0, False, False, False, None),
                ("F3", 0.0, 1.0, None, True, True, False, "jump|out_of_range"),
                ("F4", None, None, None, False, False, False, None),
                ("F5", 50.0, 2.0, 4.0, False, False, True, "revised"),
            ],
            schema,
        ),
    )


def test_sample_values_are_marked() -> None:
    t = tg(
        {"indicator_code": "X1", "target_kind": "at_least", "target_value": 90.0},
        {"indicator_code": "X2", "target_kind": "at_least", "target_value": 90.0},
    )
    o = obs(series("X1", {2020: 80.0, 2024: 85.0}), series("X2", {2020: 80.0, 2024: 85.0})).with_columns(
        (pl.col("indicator_code") == "X1").alias("is_sample")
    )
    got = run(o, t, ["indicator_code", "data_is_sample"])
    assert_frame_equal(
        got, expected([("X1", True), ("X2", False)], {"indicator_code": pl.String, "data_is_sample": pl.Boolean})
    )


def test_every_status_code_is_reachable_and_known() -> None:
    # One item per status, built from the examples above; the set of statuses produced must be
    # exactly STATUS_CODES, so a new code cannot appear without a label.
    t = tg(
        {"indicator_code": "a", "target_kind": "at_least", "target_value": 90.0},
        {"indicator_code": "b", "target_kind": "at_least", "target_value": 90.0},
        {"indicator_code": "c", "target_kind": "at_least", "target_value": 90.0},
        {"indicator_code": "d", "target_kind": "at_least", "target_value": 90.0},
        {"indicator_code": "e", "target_kind": "qualitative"},
        {"indicator_code": "f", "target_kind": "increase"},
        {"indicator_code": "g", "target_kind": "increase"},
        {"indicator_code": "h", "target_kind": "increase"},
        {"indicator_code": "i", "target_kind": "at_least", "target_value": 90.0},
        {"indicator_code": "j", "target_kind": "at_least", "target_value": 90.0},
        {"indicator_code": "k", "target_kind": "at_least"},
    )
    o = obs(
        series("a", {2020: 80.0, 2024: 95.0}),
        series("b", {2020: 80.0, 2024: 86.0}),
        series("c", {2020: 80.0, 2024: 81.0}),
        series("d", {2020: 80.0, 2024: 70.0}),
        series("e", {2020: 0.0, 2024: 0.0}),
        series("f", {2020: 50.0, 2024: 55.0}),
        series("g", {2020: 50.0, 2024: 50.0}),
        series("h", {2020: 50.0, 2024: 45.0}),
        series("j", {2024: 85.0}),
        series("k", {2024: 85.0}),
    )
    got = run(o, t, ["status"]).get_column("status").to_list()
    assert got == list(progress.STATUS_CODES)


# --- input checks ---------------------------------------------------------------------------------


def test_duplicate_observations_are_refused() -> None:
    t = tg({"indicator_code": "Z", "target_kind": "at_least", "target_value": 90.0})
    o = obs(series("Z", {2020: 80.0}), series("Z", {2020: 81.0}))
    with pytest.raises(ValueError, match="出现多行"):
        compute_progress(o, t, base_year=B, report_year=Y)


def test_duplicate_target_rows_are_refused() -> None:
    t = pl.concat([tg({"indicator_code": "Z", "target_kind": "at_least", "target_value": v}) for v in (90.0, 95.0)])
    with pytest.raises(ValueError, match="resolve_targets"):
        compute_progress(obs(series("Z", {2020: 80.0})), t, base_year=B, report_year=Y)


def test_latest_baseline_ratio_step() -> None:
    # The benchmarked step: 80 → 86 against at least 90 gives the raw ratio 0.6; items without
    # a value are left out; a direction-only target has no ratio.
    t = tg(
        {"indicator_code": "A", "target_kind": "at_least", "target_value": 90.0},
        {"indicator_code": "B", "target_kind": "increase"},
        {"indicator_code": "C", "target_kind": "at_least", "target_value": 90.0},
    )
    o = obs(series("A", {2020: 80.0, 2023: 86.0}), series("B", {2020: 1.0, 2024: 2.0}))
    got = progress.latest_baseline_ratio(o, t, base_year=B, report_year=Y)
    schema = {
        "indicator_code": pl.String,
        "region_code": pl.String,
        "breakdown": pl.String,
        "latest_year": pl.Int32,
        "latest_value": pl.Float64,
        "baseline_value": pl.Float64,
        "rho_raw": pl.Float64,
    }
    assert_frame_equal(
        got, expected([("A", "R", "合计", 2023, 86.0, 80.0, 0.6), ("B", "R", "合计", 2024, 2.0, 1.0, None)], schema)
    )


# --- target resolution ----------------------------------------------------------------------------

REGIONS = pl.DataFrame(
    {
        "code": ["100000", "370300", "370302", "370303"],
        "parent_code": [None, "370000", "370300", "370300"],
    }
)


def test_most_specific_target_row_wins() -> None:
    # IA: all-region 90, 淄博 370300 row 92 → the city itself (own) and both districts (ancestor)
    #     get 92; 全国 gets the all-region 90.
    # IB: all-region 5, 张店 370303 row 4 → 张店 own 4; 淄川 370302 all-region 5.
    # IC: only a 全国 row → only 全国 (100000 is not every county's ancestor).
    # ID: a row for the province 370000, which is not a region row but 淄博's parent code →
    #     the city and its districts get it; 全国 does not.
    # IE: rows for 2025 and 2030 → the plan's target year 2030 is used.
    raw = pl.DataFrame(
        [
            ("IA", None, 2030, "at_least", 90.0, False),
            ("IA", "370300", 2030, "at_least", 92.0, True),
            ("IB", None, 2030, "at_most", 5.0, False),
            ("IB", "370303", 2030, "at_most", 4.0, False),
            ("IC", "100000", 2030, "at_least", 100.0, False),
            ("ID", "370000", 2030, "at_least", 70.0, False),
            ("IE", None, 2025, "at_least", 60.0, False),
            ("IE", None, 2030, "at_least", 80.0, False),
        ],
        schema={
            "indicator_code": pl.String,
            "region_code": pl.String,
            "target_year": pl.Int32,
            "kind": pl.String,
            "value": pl.Float64,
            "is_sample": pl.Boolean,
        },
        orient="row",
    )
    got = targets.resolve_targets(raw, REGIONS, plan_target_year=2030).select(
        "indicator_code",
        "region_code",
        "target_value",
        "target_year",
        "target_is_sample",
        "target_region_code",
        "target_scope",
    )
    schema = {
        "indicator_code": pl.String,
        "region_code": pl.String,
        "target_value": pl.Float64,
        "target_year": pl.Int32,
        "target_is_sample": pl.Boolean,
        "target_region_code": pl.String,
        "target_scope": pl.String,
    }
    assert_frame_equal(
        got,
        expected(
            [
                ("IA", "100000", 90.0, 2030, False, None, "all"),
                ("IA", "370300", 92.0, 2030, True, "370300", "own"),
                ("IA", "370302", 92.0, 2030, True, "370300", "ancestor"),
                ("IA", "370303", 92.0, 2030, True, "370300", "ancestor"),
                ("IB", "100000", 5.0, 2030, False, None, "all"),
                ("IB", "370300", 5.0, 2030, False, None, "all"),
                ("IB", "370302", 5.0, 2030, False, None, "all"),
                ("IB", "370303", 4.0, 2030, False, "370303", "own"),
                ("IC", "100000", 100.0, 2030, False, "100000", "own"),
                ("ID", "370300", 70.0, 2030, False, "370000", "ancestor"),
                ("ID", "370302", 70.0, 2030, False, "370000", "ancestor"),
                ("ID", "370303", 70.0, 2030, False, "370000", "ancestor"),
                ("IE", "100000", 80.0, 2030, False, None, "all"),
                ("IE", "370300", 80.0, 2030, False, None, "all"),
                ("IE", "370302", 80.0, 2030, False, None, "all"),
                ("IE", "370303", 80.0, 2030, False, None, "all"),
            ],
            schema,
        ),
    )


def test_resolution_for_a_subset_of_regions_and_plan_filter() -> None:
    raw = pl.DataFrame(
        {
            "plan_code": ["p1", "p2"],
            "indicator_code": ["IA", "IA"],
            "region_code": [None, None],
            "target_year": [2030, 2030],
            "kind": ["at_least", "at_least"],
            "value": [90.0, 50.0],
        },
        schema_overrides={"region_code": pl.String},
    )
    got = targets.resolve_targets(raw, REGIONS, plan_code="p2", region_codes=["370303"]).select(
        "indicator_code", "region_code", "target_value"
    )
    assert_frame_equal(got, pl.DataFrame({"indicator_code": ["IA"], "region_code": ["370303"], "target_value": [50.0]}))


def test_numeric_region_codes_and_unrelated_observations() -> None:
    # 行政区划代码 take the integer fast path; observations of a region without a target row
    # (370399), of a code that is not a number, of an indicator without a target (OTHER) and
    # after the report year must all be ignored. 370302: 80 → 86 against 90, ρ = 0.6.
    t = pl.concat(
        [
            tg({"indicator_code": "A", "region_code": r, "target_kind": "at_least", "target_value": 90.0})
            for r in ("370302", "370303")
        ]
    )
    o = obs(
        series("A", {2020: 80.0, 2024: 86.0}, region="370302"),
        series("A", {2020: 10.0, 2024: 99.0}, region="370399"),
        series("A", {2020: 10.0, 2024: 99.0}, region="3703XX"),
        series("OTHER", {2020: 10.0, 2024: 99.0}, region="370303"),
        series("A", {2025: 99.0}, region="370303"),
    )
    schema = {"region_code": pl.String, "latest_value": pl.Float64, "rho": pl.Float64, "status": STATUS}
    assert_frame_equal(
        run(o, t, list(schema)),
        expected([("370302", 86.0, 0.6, "on_track"), ("370303", None, None, "no_data")], schema),
    )


def test_no_targets_gives_an_empty_table() -> None:
    got = compute_progress(obs(series("A", {2020: 1.0})), tg().clear(), base_year=B, report_year=Y)
    assert got.height == 0 and list(got.columns) == list(progress.RESULT_COLUMNS)
    with pytest.raises(ValueError, match="早于基期年"):
        compute_progress(obs(series("A", {2020: 1.0})), tg(), base_year=B, report_year=2019)


def test_trend_projection_stays_inside_the_plausible_range() -> None:
    # 90, 94, 98 (2020–2022): slope 4 per year, the line reaches 90 + 4 × 10 = 130 in 2030 —
    # a rate cannot pass 100, so the projection is held at plausible_max and marked capped.
    # CD: 10, 6, 2 → line −30 in 2030, held at plausible_min 0. OK: 50, 51, 52 → 60, inside.
    t = tg(
        *({"indicator_code": c, "target_kind": "at_least", "target_value": 95.0} for c in ("CU", "OK")),
        {"indicator_code": "CD", "target_kind": "at_most", "target_value": 1.0},
    )
    o = obs(
        series("CU", {2020: 90.0, 2021: 94.0, 2022: 98.0}),
        series("CD", {2020: 10.0, 2021: 6.0, 2022: 2.0}),
        series("OK", {2020: 50.0, 2021: 51.0, 2022: 52.0}),
    )
    indicators = pl.DataFrame(
        {"indicator_code": ["CU", "CD", "OK"], "plausible_min": [0.0, 0.0, 0.0], "plausible_max": [100.0, 100.0, 100.0]}
    )
    schema = {
        "indicator_code": pl.String,
        "trend_projection": pl.Float64,
        "trend_capped": pl.Boolean,
        "trend_on_track": pl.Boolean,
    }
    assert_frame_equal(
        run(o, t, list(schema), report_year=2022, indicators=indicators).sort("indicator_code"),
        expected([("CD", 0.0, True, True), ("CU", 100.0, True, True), ("OK", 60.0, False, False)], schema),
        check_exact=False,
    )


@pytest.mark.parametrize("regions", [("R", "S", "Q"), ("370302", "370303", "370399")])
def test_positions_from_the_query_give_the_same_items(regions: tuple[str, str, str]) -> None:
    # The engine's query also hands over each value's position in the plan's indicator list and
    # in the scope; year_matrix then uses them instead of the code strings. Same items either
    # way: a listed indicator or region without a target (OTHER, the third region), a null
    # position and an out-of-range one count as values without a target. Both kinds of region
    # code (plain numbers take the integer path, others an Enum).
    r, s, q = regions
    t = pl.concat(
        [
            tg({"indicator_code": "A", "region_code": r, "target_kind": "at_least", "target_value": 90.0}),
            tg({"indicator_code": "B", "region_code": r, "target_kind": "at_most", "target_value": 5.0}),
            tg({"indicator_code": "A", "region_code": s, "target_kind": "at_least", "target_value": 80.0}),
        ]
    )
    o = obs(
        series("A", {2020: 80.0, 2024: 86.0}, region=r),
        series("B", {2020: 9.0, 2023: 6.0}, region=r),
        series("B", {2020: 9.5, 2024: 4.0}, region=r, breakdown="城镇"),
        series("A", {2020: 70.0}, region=s),
        series("OTHER", {2020: 1.0}, region=r),
        series("A", {2020: 1.0}, region=q),
        series("A", {2021: 1.0}, region=r),
        series("B", {2022: 2.0}, region=r),
        series("A", {2023: 1.0}, region=s),
        series("A", {2022: 3.0}, region=s),
    )
    indicators, scope = ["OTHER", "B", "A"], [q, s, r]
    ind = [indicators.index(c) for c in o.get_column("indicator_code")]
    reg = [scope.index(c) for c in o.get_column("region_code")]
    ind[-4], ind[-3], reg[-2], reg[-1] = None, 7, None, -1  # the last four rows: no or a bad position
    with_index = o.with_columns(
        pl.Series("indicator_index", ind, dtype=pl.Int64), pl.Series("region_index", reg, dtype=pl.Int64)
    )
    got = compute_progress(with_index, t, base_year=B, report_year=Y, indicator_codes=indicators, region_codes=scope)
    assert_frame_equal(got, compute_progress(o.head(o.height - 4), t, base_year=B, report_year=Y))
    with pytest.raises(ValueError, match="indicator_index"):
        compute_progress(o, t, base_year=B, report_year=Y, indicator_codes=indicators)
    with pytest.raises(ValueError, match="region_index"):
        compute_progress(o, t, base_year=B, report_year=Y, region_codes=scope)


def test_a_null_breakdown_is_refused() -> None:
    # observation.breakdown is NOT NULL in the database; a direct caller passing a null would
    # otherwise have the value counted under another item's breakdown
    o = obs(series("A", {2020: 80.0})).with_columns(pl.lit(None, dtype=pl.String).alias("breakdown"))
    with pytest.raises(ValueError, match="breakdown"):
        compute_progress(
            o, tg({"indicator_code": "A", "target_kind": "at_least", "target_value": 90.0}), base_year=B, report_year=Y
        )
