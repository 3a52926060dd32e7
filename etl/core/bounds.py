"""The one rule for what values an indicator can take: bounds from its unit, unless it sets its own.

Entry (etl.returns.validate) refuses a value outside them; the engine (dashboard.engine.progress) holds a
trend projection inside them and says so; the sample generator keeps its paths inside them.
Every indicator has finite bounds on both sides, so a typo such as 1e308 never passes as a life
expectancy or a count.
"""

from __future__ import annotations

import math

import polars as pl

# Bounds by unit as published. Counts have no natural upper bound, so they share MAGNITUDE_LIMIT.
UNIT_BOUNDS: dict[str, tuple[float, float]] = {
    "%": (0.0, 100.0),
    "‰": (0.0, 1000.0),
    "1/10万": (0.0, 100000.0),
    "1/10万活产": (0.0, 100000.0),
    "1/万": (0.0, 10000.0),
    "岁": (0.0, 120.0),
    "年": (0.0, 100.0),
    "百分点": (-100.0, 100.0),  # a gap between two percentages can have either sign
    "亿人": (0.0, 100.0),
}
# No indicator value is larger than this in magnitude; anything bigger is a typo or an attack.
MAGNITUDE_LIMIT = 1e9
# A unit not listed above is a count (个, 张, 人, 家, 万个 …): never negative.
COUNT_BOUNDS = (0.0, MAGNITUDE_LIMIT)
# An indicator without a unit is a goal measured 是/否 (1/0) or not measured at all.
UNITLESS_BOUNDS = (0.0, 1.0)


def value_bounds(unit: str | None, own_min: float | None = None, own_max: float | None = None) -> tuple[float, float]:
    """The (low, high) an indicator's values must lie in: its own bounds where it sets them,
    otherwise its unit's."""
    if not unit:
        lo, hi = UNITLESS_BOUNDS
    else:
        lo, hi = UNIT_BOUNDS.get(unit, COUNT_BOUNDS)
    if own_min is not None and math.isfinite(own_min):
        lo = own_min
    if own_max is not None and math.isfinite(own_max):
        hi = own_max
    return max(lo, -MAGNITUDE_LIMIT), min(hi, MAGNITUDE_LIMIT)


def with_bounds(indicators: pl.DataFrame) -> pl.DataFrame:
    """`indicators` (unit, plausible_min, plausible_max) with both bound columns filled by
    value_bounds, so every reader of the frame applies the same rule."""
    rows = indicators.select("unit", "plausible_min", "plausible_max").rows()
    pairs = [value_bounds(unit, lo, hi) for unit, lo, hi in rows]
    return indicators.with_columns(
        pl.Series("plausible_min", [p[0] for p in pairs], dtype=pl.Float64),
        pl.Series("plausible_max", [p[1] for p in pairs], dtype=pl.Float64),
    )
