"""Warnings for values that pass entry but look like mistakes. They never refuse a value: the
clerk sees them in the preview and confirms.

The rules (thresholds are settings, see etl.core.settings and README):
- jump from last year: value ÷ last year's value (same indicator, district, breakdown) above
  `outlier_ratio` or below its inverse;
- far from the other districts: modified z-score 0.6745·(x − median) ÷ MAD over the same
  indicator, year and breakdown in every district (this file's values and the current ones)
  above `outlier_z` in magnitude; needs at least 4 districts and a non-zero MAD
  (Iglewicz & Hoaglin, the score DHIS2's outlier detection also offers);
- a percentage written as a fraction: a % value in (0, 1] whose reference (last year, else the
  districts' median) is at least FRACTION_SCALE times larger (0.953 against 94.1);
- the edge of its bounds (etl.core.bounds.value_bounds): within `bounds_edge_pct` % of the span from
  the upper bound, or from a lower bound other than 0, when its reference is not at the edge
  too (or there is no reference).
"""

from __future__ import annotations

import statistics
from collections import defaultdict

from etl.core import bounds, settings
from etl.core.records import SEVERITY_WARNING, Finding, Observation

Key = tuple[str, str, int, str]
# the rule codes of the warnings below: a value that may be wrong (as opposed to a remark on the file)
RULES = ("jump_from_last_year", "far_from_districts", "looks_like_fraction", "at_bound_edge")
MIN_PEERS = 4  # fewer districts than this give no meaningful spread
FRACTION_SCALE = 20  # a reference this many times the value: the value is on a 0–1 scale, not 0–100


def thresholds() -> tuple[float, float, float]:
    """(outlier_ratio, outlier_z, bounds_edge_pct) from the settings."""
    return (
        float(settings.get("outlier_ratio")),
        float(settings.get("outlier_z")),
        float(settings.get("bounds_edge_pct")),
    )


def modified_z(x: float, values: list[float]) -> float | None:
    """Iglewicz–Hoaglin modified z-score of `x` among `values`; None when MAD is 0."""
    med = statistics.median(values)
    mad = statistics.median(abs(v - med) for v in values)
    if mad == 0:
        return None
    return 0.6745 * (x - med) / mad


def _at_edge(x: float, low: float, high: float, margin: float) -> bool:
    # a zero lower bound is where rates and counts naturally sit (no deaths this year)
    return x >= high - margin or (low != 0 and x <= low + margin)


def _fmt(x: float) -> str:
    return f"{x:g}"


def plausibility_findings(
    file: str,
    observations: list[Observation],
    info: dict,
    current: dict[Key, float],
    *,
    home_regions: frozenset[str] = frozenset(),
) -> list[Finding]:
    """One warning per suspicious value of `observations` (rules in the module docstring).

    `info` maps indicator code → IndicatorInfo (name, unit, bounds); `current` holds the values
    already in the database. `home_regions` (the city itself) are left out of the district spread.
    """
    ratio_limit, z_limit, edge_pct = thresholds()
    peers: dict[tuple[str, int, str], dict[str, float]] = defaultdict(dict)
    for (ind, region, year, brk), value in current.items():
        if region not in home_regions:
            peers[(ind, year, brk)][region] = value
    for o in observations:
        if o.region_code not in home_regions:
            peers[(o.indicator_code, o.year, o.breakdown)][o.region_code] = o.value
    out: list[Finding] = []

    def warn(o: Observation, rule: str, message: str) -> None:
        where = f"{file} 工作表“{o.sheet}”第{o.row}行{o.column}列"
        text = f"{where}：{message}（提醒，不影响载入）"
        out.append(Finding(file, o.sheet, o.row, o.column, rule, SEVERITY_WARNING, text))

    for o in observations:
        ind = info[o.indicator_code]
        name, unit = ind.name, ind.unit or ""
        last = current.get((o.indicator_code, o.region_code, o.year - 1, o.breakdown))
        districts = list(peers[(o.indicator_code, o.year, o.breakdown)].values())
        median = statistics.median(districts) if len(districts) >= MIN_PEERS else None
        reference = last if last is not None else median
        if unit == "%" and 0 < o.value <= 1 and reference is not None and reference >= FRACTION_SCALE * o.value:
            basis = f"（参考值 {_fmt(reference)}%）"
            warn(
                o,
                "looks_like_fraction",
                f"“{name}”数值 {_fmt(o.value)} 像是写成了小数的百分数{basis}；如为 {_fmt(o.value * 100)}%，请改为 "
                f"{_fmt(o.value * 100)}",
            )
            continue
        if last is not None and last > 0 and o.value > 0:
            ratio = o.value / last
            if ratio > ratio_limit or ratio < 1 / ratio_limit:
                warn(
                    o,
                    "jump_from_last_year",
                    f"“{name}”由上年 {_fmt(last)}{unit} 变为 {_fmt(o.value)}{unit}（{ratio:.2f} 倍），"
                    f"超出上年数值的 1/{_fmt(ratio_limit)}—{_fmt(ratio_limit)} 倍，请核对",
                )
        elif last is not None and (last == 0) != (o.value == 0):
            warn(o, "jump_from_last_year", f"“{name}”由上年 {_fmt(last)}{unit} 变为 {_fmt(o.value)}{unit}，请核对")
        if median is not None:
            z = modified_z(o.value, districts)
            if z is not None and abs(z) > z_limit:
                warn(
                    o,
                    "far_from_districts",
                    f"“{name}”数值 {_fmt(o.value)}{unit} 与各区县（中位数 {_fmt(median)}{unit}）相差很大"
                    f"（修正 z 分数 {z:.1f}，阈值 ±{_fmt(z_limit)}），请核对",
                )
        low, high = bounds.value_bounds(ind.unit, ind.plausible_min, ind.plausible_max)
        margin = (high - low) * edge_pct / 100

        # an indicator that always sits at its edge (住院分娩率 99.9 %) is not a mistake: only a
        # value that moved there from its last year (or the districts' median) is
        if _at_edge(o.value, low, high, margin) and (reference is None or not _at_edge(reference, low, high, margin)):
            warn(
                o,
                "at_bound_edge",
                f"“{name}”数值 {_fmt(o.value)}{unit} 处于合理范围（{_fmt(low)}—{_fmt(high)}）的边缘，请核对",
            )
    return out
