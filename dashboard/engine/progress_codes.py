"""The progress engine's vocabulary: target kinds, status and reason codes, result columns and
the tunable thresholds (ProgressConfig). The rules themselves are described and applied in
dashboard.engine.progress; everything here is data, so labels, exports and tests share one copy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import polars as pl

THRESHOLD_KINDS: tuple[str, ...] = ("at_least", "at_most", "band")
QUALITATIVE = "qualitative"
DIRECTION_KINDS: tuple[str, ...] = ("increase", "decrease")
TARGET_KINDS: tuple[str, ...] = (*THRESHOLD_KINDS, QUALITATIVE, *DIRECTION_KINDS)

# Display order of the codes; labels, colours and order per label set live in
# data/config/status_labels.toml (dashboard.engine.labels).
STATUS_CODES: tuple[str, ...] = (
    "achieved",
    "on_track",
    "lagging",
    "regressing",
    "not_achieved",
    "improving",
    "stable",
    "worsening",
    "no_data",
    "not_assessable",
    "target_pending",
)
# Statuses an item with a value and a measurable (threshold or qualitative) target can have.
MEASURED_STATUSES: tuple[str, ...] = (
    "achieved",
    "on_track",
    "lagging",
    "regressing",
    "not_achieved",
    "not_assessable",
)
DIRECTION_STATUSES: tuple[str, ...] = ("improving", "stable", "worsening")

# Chinese reasons; {B} is the base year, {Y} the report year.
REASONS: Mapping[str, str] = MappingProxyType(
    {
        "unknown_kind": "目标类型无法识别",
        "target_pending": "目标待设定",
        "band_undefined": "目标区间未设定（缺少容差或上下限）",
        "qualitative_not_binary": "定性目标需人工判定：数值不是“是/否”（1/0）",
        "no_value": "{Y}年及以前无数据",
        "no_baseline": "无基期值（{B}年）",
        "baseline_equals_target": "基期值等于目标值，无法计算进度",
        "baseline_met": "基期已达标，现未达标",
    }
)

GROWTH_CATEGORIES: tuple[str, ...] = ("achieved", "substantial", "moderate", "limited", "deterioration")
# status and growth_category are Enums of these codes: ordered, a closed vocabulary, and cheap
# to group, join and compare on at national scale.
STATUS_DTYPE = pl.Enum(STATUS_CODES)
GROWTH_DTYPE = pl.Enum(GROWTH_CATEGORIES)
GROWTH_REASONS: Mapping[str, str] = MappingProxyType(
    {
        "no_numeric_target": "无数值目标（方向性目标、定性目标或目标待设定）",
        "no_value": "无数据",
        "no_baseline": "无基期值（{B}年）",
        "single_point": "不足两个数据点（最新年份即基期年）",
        "zero_base": "基期值为零，增长率无定义",
        "sign_change": "基期值、最新值或目标值为负（符号变化），增长率无定义",
        "baseline_met": "基期值已在目标区间内，所需增长率无定义",
        "target_equals_base": "目标值等于基期值，所需增长率为零",
    }
)
GROWTH_METHOD_LABEL = "国际方法（UN ESCAP 增长率比）"

FLAG_CODES: tuple[str, ...] = ("jump", "out_of_range", "revised")

# The resolved target's own columns (dashboard.engine.targets), the ones every rule reads.
TARGET_CORE = (
    "target_kind",
    "target_value",
    "target_band_low",
    "target_band_high",
    "target_tolerance",
    "target_year",
)

# Columns of the frame compute_progress returns, in order (target pass-through columns are
# inserted after target_year).
RESULT_COLUMNS: tuple[str, ...] = (
    "indicator_code",
    "region_code",
    "breakdown",
    *TARGET_CORE,
    "base_year",
    "baseline_year",
    "baseline_value",
    "latest_year",
    "latest_value",
    "previous_value",
    "yoy_change",
    "yoy_change_pct",
    "change_since_base",
    "tau",
    "rho",
    "achieved",
    "status",
    "reason_code",
    "reason",
    "lost",
    "last_achieved_year",
    "trend_points",
    "trend_slope",
    "trend_projection",
    "trend_capped",
    "trend_on_track",
    "growth_observed",
    "growth_required",
    "growth_ratio",
    "growth_category",
    "growth_reason_code",
    "growth_reason",
    "data_is_sample",
    "flag_jump",
    "flag_out_of_range",
    "flag_revised",
    "flags",
)


@dataclass(frozen=True)
class ProgressConfig:
    """Tunable thresholds of the rules (defaults documented in the module docstring)."""

    jump_threshold: float = 0.30
    # per-indicator overrides of jump_threshold: ((indicator_code, threshold), …)
    jump_thresholds: tuple[tuple[str, float], ...] = ()
    stable_tolerance: float = 0.01
    growth_thresholds: tuple[float, float, float] = (0.95, 0.6, 0.0)
    trend_min_points: int = 3
    eps: float = 1e-9

    def __post_init__(self) -> None:
        if not 0 <= self.stable_tolerance < 1:
            raise ValueError("持平容差应在 0 到 1 之间")
        if self.jump_threshold <= 0 or any(t <= 0 for _code, t in self.jump_thresholds):
            raise ValueError("跳变阈值应为正数")
        high, mid, low = self.growth_thresholds
        if not high > mid > low:
            raise ValueError("增长率比阈值应从高到低排列")
        if self.trend_min_points < 2:
            raise ValueError("趋势拟合至少需要 2 个数据点")


DEFAULT_CONFIG = ProgressConfig()
