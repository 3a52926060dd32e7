"""The progress engine: status, progress, trend and data flags per indicator × region × breakdown.

Pure functions over polars frames — no Streamlit, no database — implementing the rules of
the product's progress rules. Every status comes with the inputs and intermediates it was
computed from (baseline, latest value and year, target, τ, ρ, trend, growth ratio), so a page
can always answer "why is this red".

Notation (one indicator i, region r, breakdown b, plan p): base year B (the plan's, 2020),
target year T (the target row's), target t, report year Y, baseline v_B = the value *of year B*
(never another year: a missing base-year value makes the item 无法评估 with reason no_baseline),
latest value v of year y = the last year ≤ Y with a value.

Rules as implemented (each has a worked example in tests/test_progress.py):

- τ = (y − B) / (T − B), clipped to [0, 1].
- Target kinds: at_least (v ≥ t), at_most (v ≤ t), band (low ≤ v ≤ high, where low/high are
  band_low/band_high when given, else t ∓ tolerance), qualitative (v = 1 means achieved),
  increase / decrease (direction only, no number). Values are compared unrounded (rounding is
  for display only) with a tolerance of `eps` × max(1, |t|) that only absorbs binary floating
  point noise (e.g. a derived 89.99999999999999 against 90).
- Every measurable target is an interval of values that meet it: at_least [t, ∞), at_most
  (−∞, t], band [low, high], qualitative [1, 1]. The shortfall d(x) = max(lo − x, x − hi)
  says how far x is from it (t − x for at_least, x − t for at_most); x meets the target when
  d(x) ≤ eps.
- ρ = (d(v_B) − d(v)) / d(v_B), which for at_least/at_most is exactly
  (v − v_B) / (t − v_B) and for a band measures the distance closed towards the nearer edge.
  ρ is only computed when v does not meet the target and v_B is on the unmet side.
- Status, first match wins:
    target_pending   the kind is unknown, a threshold target has no value (目标待设定), or a
                     band has neither a tolerance nor both edges;
    no_data          no value in any year ≤ Y;
    target_pending   a qualitative target whose value is not 0/1 (reason
                     qualitative_not_binary: "城乡差距缩小" over a rate needs a person's call);
    achieved         at_least / at_most / band / qualitative target met by v;
    not_achieved     qualitative target not met;
    not_assessable   threshold target, no value for B (no_baseline) or v_B = t
                     (baseline_equals_target; not for a band, whose centre meets it): ρ is
                     undefined;
    regressing       v_B met the target but v does not (reason baseline_met; ρ left empty);
    on_track         ρ ≥ τ (with a 1e-9 allowance, so "exactly on schedule" survives rounding);
    lagging          0 ≤ ρ < τ;
    regressing       ρ < 0 (moved away from the target since B);
  increase / decrease targets, against v_B (no_baseline → not_assessable):
    stable           |v − v_B| ≤ max(tolerance of the target row, stable_tolerance × |v_B|)
                     (default 1 % of the baseline: a change smaller than that is noise in
                     survey-based rates);
    improving        moved in the desired direction by more than that;
    worsening        moved the other way by more than that.
- 得而复失 (`lost`): v does not meet the target, but some year in [B, y) did; the latest such
  year is `last_achieved_year`.
- Trend: ordinary least squares of value on year over the years in [B, Y] with a value, when
  there are at least `trend_min_points` (3) of them: slope, the projected value at T (held
  inside indicator.plausible_min/max; `trend_capped` says it was), and `trend_on_track` (the
  projection meets the target; for increase/decrease: the slope points the desired way).
- International comparison (国际方法（UN ESCAP 增长率比）), beside the status, never instead of it:
  observed CAGR = (v / v_B)^(1/(y − B)) − 1, required CAGR = (t* / v_B)^(1/(T − B)) − 1 with
  t* = t (or the nearer band edge), ratio = s × observed / |required| where s = +1 when higher
  is better and −1 when lower is better (the Open SDG form, which stays right when v_B already
  met the target). Categories: achieved (target met), substantial ≥ 0.95, moderate ≥ 0.6,
  limited ≥ 0, deterioration < 0. Left empty with a reason when undefined: no numeric target,
  no value, no baseline, only one point (y = B), zero base, a negative value (sign change),
  baseline already inside the band, required growth of zero.
- Year-on-year change: v minus the value of year y − 1 (empty when that year has no value).
- Data flags on the values the status rests on: `flag_jump` (|v − v_{y−1}| > threshold ×
  |v_{y−1}|, default 30 %, per indicator configurable; any change from 0 counts),
  `flag_out_of_range` (v or v_B outside indicator.plausible_min/max), `flag_revised` (v or
  v_B came from a revision > 1).

Input frames:
- observations: indicator_code, region_code, breakdown, year, value, and optionally revision
  (default 1) and is_sample (default false). At most one row per indicator × region ×
  breakdown × year — what the `observation_current` view gives.
- targets: one row per indicator_code × region_code (see dashboard.engine.targets.resolve_targets),
  with target_kind, target_value, target_band_low, target_band_high, target_tolerance,
  target_year; any further columns are carried through unchanged.
- indicators (optional): indicator_code, plausible_min, plausible_max.

Output: RESULT_COLUMNS (status is a polars Enum of STATUS_CODES, growth_category an Enum of
GROWTH_CATEGORIES; reason and growth_reason are Chinese, the *_code columns stable ASCII).
Items are every target row × breakdown: the total (合计) always — so a missing value shows as
no_data — plus every other breakdown that has a value ≤ Y. They come out as all 合计 items in
target-row order, then the breakdown items in target-row order and, within a target row,
in code-point order of the breakdown (sort if you need them side by side).
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from dashboard.engine.progress_codes import (
    DEFAULT_CONFIG,
    DIRECTION_KINDS,
    DIRECTION_STATUSES,
    FLAG_CODES,
    GROWTH_CATEGORIES,
    GROWTH_DTYPE,
    GROWTH_METHOD_LABEL,
    GROWTH_REASONS,
    MEASURED_STATUSES,
    QUALITATIVE,
    REASONS,
    RESULT_COLUMNS,
    STATUS_CODES,
    STATUS_DTYPE,
    TARGET_CORE,
    TARGET_KINDS,
    THRESHOLD_KINDS,
    ProgressConfig,
)
from dashboard.engine.year_matrix import STAT_COLUMNS, target_terms, year_matrix
from etl.core.records import TOTAL

# callers import the vocabulary and the item builder from here, the engine's public face
__all__ = [
    "DEFAULT_CONFIG",
    "DIRECTION_KINDS",
    "DIRECTION_STATUSES",
    "FLAG_CODES",
    "GROWTH_CATEGORIES",
    "GROWTH_DTYPE",
    "GROWTH_METHOD_LABEL",
    "GROWTH_REASONS",
    "MEASURED_STATUSES",
    "ProgressConfig",
    "QUALITATIVE",
    "REASONS",
    "RESULT_COLUMNS",
    "STATUS_CODES",
    "STATUS_DTYPE",
    "TARGET_CORE",
    "TARGET_KINDS",
    "THRESHOLD_KINDS",
    "TOTAL",
    "STAT_COLUMNS",
    "target_terms",
    "year_matrix",
    "evaluate_items",
    "compute_progress",
    "STEP_COLUMNS",
    "latest_baseline_ratio",
]


# --- rules ---------------------------------------------------------------------------------------


def _shortfall(x: pl.Expr) -> pl.Expr:
    """How far x is from meeting the target (≤ eps: met); null for direction-only kinds.

    Every measurable target is an interval [_lo, _hi] of values that meet it (at_least: [t, ∞),
    at_most: (−∞, t], band: [low, high], qualitative: [1, 1]), so the shortfall is one
    expression for all kinds: max(_lo − x, x − _hi).
    """
    return pl.max_horizontal(pl.col("_lo") - x, x - pl.col("_hi"))


def _meets(x: pl.Expr) -> pl.Expr:
    return _shortfall(x) <= pl.col("_eps")


def _first_match(conditions: list[pl.Expr]) -> pl.Expr:
    """The index (UInt8) of the first condition that holds, null when none does (a null
    condition does not hold)."""
    index = pl.lit(None, dtype=pl.UInt8)
    for position, cond in reversed(list(enumerate(conditions))):
        index = pl.when(cond).then(pl.lit(position, dtype=pl.UInt8)).otherwise(index)
    return index


def _pick(index: pl.Expr, values: list[str | None], dtype: pl.DataType = pl.String) -> pl.Expr:
    """values[index], null for a null index: a gather from a small literal Series, which at
    national scale costs a fraction of replace_strict or a when/then chain of strings."""
    return pl.lit(pl.Series(values, dtype=dtype)).gather(index)


# Column expressions the rules share (items carry target_terms and STAT_COLUMNS).
_THRESHOLD, _DIRECTION = pl.col("_threshold"), pl.col("_direction")
_QUALITATIVE, _BAND = pl.col("_qualitative"), pl.col("_band")
_V, _VB = pl.col("latest_value"), pl.col("baseline_value")
_Y_LATEST, _T_YEAR = pl.col("latest_year"), pl.col("target_year")
_HAS_VALUE = _V.is_not_null()
_PLAUSIBLE_MIN, _PLAUSIBLE_MAX = pl.col("plausible_min"), pl.col("plausible_max")


def evaluate_items(
    items: pl.DataFrame | pl.LazyFrame,
    indicators: pl.DataFrame | None = None,
    *,
    base_year: int,
    report_year: int,
    config: ProgressConfig = DEFAULT_CONFIG,
) -> pl.LazyFrame:
    """Apply the rules to the items of `year_matrix`; returns RESULT_COLUMNS plus the target
    pass-through columns (lazy, so callers can add their own columns before collecting).

    Each step adds columns the later ones read: trend slope → achieved, τ, ρ → lost and
    projection → growth ratio → status and flags → the picked codes and texts."""
    B = base_year
    lf = items.lazy()
    passthrough = [
        c
        for c in lf.collect_schema().names()
        if c not in (*TARGET_CORE, *STAT_COLUMNS, "indicator_code", "region_code", "breakdown")
        and not c.startswith("_")
    ]
    plausible = indicators is not None and {"plausible_min", "plausible_max"} <= set(indicators.columns)
    if plausible:
        lf = lf.join(
            indicators.lazy().select("indicator_code", "plausible_min", "plausible_max"),
            on="indicator_code",
            how="left",
            maintain_order="left",
        )
    growth_rules = _growth_rules(B)
    status_rules = _status_rules()
    steps = (
        [_trend_slope()],
        _achievement(B, config),
        _projection(B, config, plausible=plausible),
        [_growth_target()],
        # the index of the first growth rule that applies (null: none does); the code and its
        # text are picked from it, like the status
        [_first_match([cond for cond, _code in growth_rules]).alias("_growth_rule")],
        _growth_rates(B),
        [_growth_ratio()],
        [_growth_category(config)],
        _status_and_flags(B, status_rules, plausible=plausible),
        _picked(B, report_year, status_rules, growth_rules),
    )
    for columns in steps:
        lf = lf.with_columns(columns)
    order = list(RESULT_COLUMNS)
    at = order.index("target_year") + 1
    order[at:at] = passthrough
    return lf.select(order)


def _trend_slope() -> pl.Expr:
    """Least-squares slope of value on year from the sums year_matrix made (n ≥ 2)."""
    return (
        pl.when(pl.col("_n") >= 2)
        .then(
            (pl.col("_n") * pl.col("_sxy") - pl.col("_sx") * pl.col("_sy"))
            / (pl.col("_n") * pl.col("_sxx") - pl.col("_sx") ** 2)
        )
        .alias("_slope")
    )


def _achievement(B: int, config: ProgressConfig) -> list[pl.Expr]:
    """Achieved now, τ, ρ, 得而复失 year, the baseline tests, change since B and the trend slope."""
    # a qualitative target is judged from 是/否 values (1/0); a measured number against it
    # (e.g. "城乡差距缩小" over a mortality rate) needs a person, not this engine
    not_binary = _QUALITATIVE & _HAS_VALUE & ~_V.is_in([0.0, 1.0])
    measurable = (_THRESHOLD | _QUALITATIVE) & pl.col("_defined") & ~not_binary.fill_null(False)
    d_now, d_base = _shortfall(_V), _shortfall(_VB)
    achieved_now = measurable & _HAS_VALUE & (d_now <= pl.col("_eps"))
    baseline_met = d_base <= pl.col("_eps")
    # ρ's denominator t − v_B is zero; a band's centre is inside it, so that baseline is just met
    baseline_equal = ~_BAND & ((_VB - pl.col("_t")).abs() <= pl.col("_eps"))
    stable_tol = pl.max_horizontal(pl.col("target_tolerance").fill_null(0.0), config.stable_tolerance * _VB.abs())
    return [
        achieved_now.alias("_achieved"),
        not_binary.fill_null(False).alias("_not_binary"),
        pl.when(measurable & _HAS_VALUE).then(achieved_now).alias("achieved"),
        pl.when(_HAS_VALUE & (_T_YEAR > B)).then(((_Y_LATEST - B) / (_T_YEAR - B)).clip(0.0, 1.0)).alias("tau"),
        pl.when(_THRESHOLD & pl.col("_defined") & _HAS_VALUE & _VB.is_not_null() & ~achieved_now & ~baseline_met)
        .then((d_base - d_now) / d_base)
        .alias("rho"),
        pl.when(measurable & _HAS_VALUE & ~achieved_now).then(pl.col("_last_met")).alias("last_achieved_year"),
        baseline_met.alias("_baseline_met"),
        baseline_equal.alias("_baseline_equal"),
        (_V - _VB).alias("change_since_base"),
        stable_tol.alias("_stable_tol"),
        pl.when(pl.col("_n") >= config.trend_min_points).then(pl.col("_slope")).alias("trend_slope"),
    ]


def _projection(B: int, config: ProgressConfig, *, plausible: bool) -> list[pl.Expr]:
    """得而复失, the trend's value at the target year (held inside the plausible range) and each
    item's jump threshold."""
    jump_thr = (
        pl.col("indicator_code").replace_strict(
            dict(config.jump_thresholds), default=config.jump_threshold, return_dtype=pl.Float64
        )
        if config.jump_thresholds
        else pl.lit(config.jump_threshold)
    )
    projection = pl.when(pl.col("trend_slope").is_not_null()).then(
        (pl.col("_sy") + pl.col("trend_slope") * ((_T_YEAR - B) * pl.col("_n") - pl.col("_sx"))) / pl.col("_n")
    )
    if plausible:
        # a straight line runs past 100 % or below 0; a projection is only shown inside the
        # indicator's plausible range, and trend_capped says it was held at the edge
        capped = (
            pl.when(projection > _PLAUSIBLE_MAX)
            .then(_PLAUSIBLE_MAX)
            .when(projection < _PLAUSIBLE_MIN)
            .then(_PLAUSIBLE_MIN)
            .otherwise(projection)
        )
        is_capped = ((projection > _PLAUSIBLE_MAX) | (projection < _PLAUSIBLE_MIN)).fill_null(False)
    else:
        capped, is_capped = projection, pl.lit(False)
    return [
        pl.col("last_achieved_year").is_not_null().alias("lost"),
        capped.alias("trend_projection"),
        pl.when(pl.col("trend_slope").is_not_null()).then(is_capped).alias("trend_capped"),
        jump_thr.alias("_jump_thr"),
    ]


def _growth_target() -> pl.Expr:
    """t* of the growth ratio (UN ESCAP / Open SDG): the target, or a band's nearer edge."""
    lo, hi = pl.col("_lo"), pl.col("_hi")
    return (
        pl.when(_THRESHOLD & ~_BAND)
        .then(pl.col("_t"))
        .when(_BAND & (_VB < lo))
        .then(lo)
        .when(_BAND & (_VB > hi))
        .then(hi)
        .alias("_tg")
    )


def _growth_rules(B: int) -> list[tuple[pl.Expr, str]]:
    """Why the growth ratio is left empty, first match wins: (condition, reason code)."""
    tg = pl.col("_tg")
    return [
        (~(_THRESHOLD & pl.col("_defined")), "no_numeric_target"),
        (~_HAS_VALUE, "no_value"),
        (_VB.is_null(), "no_baseline"),
        (_Y_LATEST <= B, "single_point"),
        (_VB == 0, "zero_base"),
        (_BAND & tg.is_null(), "baseline_met"),
        ((_VB < 0) | (_V < 0) | (tg < 0), "sign_change"),
        (tg == _VB, "target_equals_base"),
    ]


def _growth_rates(B: int) -> list[pl.Expr]:
    """Observed and required compound growth, and the sign that makes "better" positive."""
    ok = pl.col("_growth_rule").is_null()
    observed = (_V / _VB).pow(1.0 / (_Y_LATEST - B)) - 1.0
    required = (pl.col("_tg") / _VB).pow(1.0 / (_T_YEAR - B)) - 1.0
    # +1 when higher is better; a band points towards its nearer edge
    growth_sign = pl.when(_BAND).then((pl.col("_tg") - _VB).sign()).otherwise(pl.col("_sign"))
    return [
        pl.when(ok).then(observed).alias("growth_observed"),
        pl.when(ok).then(required).alias("growth_required"),
        pl.when(ok).then(growth_sign).alias("_gsign"),
    ]


def _growth_ratio() -> pl.Expr:
    return (pl.col("_gsign") * pl.col("growth_observed") / pl.col("growth_required").abs()).alias("growth_ratio")


def _growth_category(config: ProgressConfig) -> pl.Expr:
    high, mid, low_thr = config.growth_thresholds
    return (
        pl.when(pl.col("_achieved") & _THRESHOLD)
        .then(pl.lit("achieved", dtype=GROWTH_DTYPE))
        .when(pl.col("growth_ratio") >= high)
        .then(pl.lit("substantial", dtype=GROWTH_DTYPE))
        .when(pl.col("growth_ratio") >= mid)
        .then(pl.lit("moderate", dtype=GROWTH_DTYPE))
        .when(pl.col("growth_ratio") >= low_thr)
        .then(pl.lit("limited", dtype=GROWTH_DTYPE))
        .when(pl.col("growth_ratio").is_not_null())
        .then(pl.lit("deterioration", dtype=GROWTH_DTYPE))
        .alias("growth_category")
    )


def _status_rules() -> list[tuple[pl.Expr, str, str | None]]:
    """Status and reason, first match wins (see the module docstring): (condition, status, reason)."""
    rho, tau = pl.col("rho"), pl.col("tau")
    return [
        (~pl.col("_known"), "target_pending", "unknown_kind"),
        (~pl.col("_defined") & _BAND, "target_pending", "band_undefined"),
        (~pl.col("_defined"), "target_pending", "target_pending"),
        (~_HAS_VALUE, "no_data", "no_value"),
        (pl.col("_not_binary"), "target_pending", "qualitative_not_binary"),
        (pl.col("_achieved"), "achieved", None),
        (_QUALITATIVE, "not_achieved", None),
        (_THRESHOLD & _VB.is_null(), "not_assessable", "no_baseline"),
        (_THRESHOLD & pl.col("_baseline_equal"), "not_assessable", "baseline_equals_target"),
        (_THRESHOLD & pl.col("_baseline_met"), "regressing", "baseline_met"),
        (_THRESHOLD & (rho >= tau - 1e-9), "on_track", None),
        (_THRESHOLD & (rho >= 0), "lagging", None),
        (_THRESHOLD, "regressing", None),
        (_DIRECTION & _VB.is_null(), "not_assessable", "no_baseline"),
        (_DIRECTION & (pl.col("change_since_base").abs() <= pl.col("_stable_tol")), "stable", None),
        (_DIRECTION & (pl.col("_sign") * pl.col("change_since_base") > 0), "improving", None),
        (_DIRECTION, "worsening", None),
    ]


def _status_and_flags(B: int, status_rules: list[tuple[pl.Expr, str, str | None]], *, plausible: bool) -> list[pl.Expr]:
    """The matching status rule's index, year-on-year change, the data flags, the base year and
    whether the trend meets the target."""
    prev = pl.col("previous_value")
    jump = (
        pl.when(prev.is_null() | _V.is_null())
        .then(False)
        .when(prev == 0)
        .then(_V != 0)
        .otherwise((_V - prev).abs() > pl.col("_jump_thr") * prev.abs())
    )
    if plausible:

        def outside(x: pl.Expr) -> pl.Expr:
            return ((x < _PLAUSIBLE_MIN) | (x > _PLAUSIBLE_MAX)).fill_null(False)

        out_of_range = outside(_V) | outside(_VB)
    else:
        out_of_range = pl.lit(False)
    return [
        # One chain yields the index of the first rule that matches; status, reason code and
        # reason text are picked from it (cheaper than three chains of strings).
        _first_match([cond for cond, _status, _reason in status_rules]).alias("_rule"),
        (_V - prev).alias("yoy_change"),
        pl.when(prev != 0).then((_V - prev) / prev.abs() * 100.0).alias("yoy_change_pct"),
        jump.alias("flag_jump"),
        out_of_range.alias("flag_out_of_range"),
        (pl.col("_latest_revised").fill_null(False) | pl.col("_baseline_revised").fill_null(False)).alias(
            "flag_revised"
        ),
        (pl.col("_latest_sample").fill_null(False) | pl.col("_baseline_sample").fill_null(False)).alias(
            "data_is_sample"
        ),
        pl.when(_VB.is_not_null()).then(pl.lit(B, dtype=pl.Int32)).alias("baseline_year"),
        pl.lit(B, dtype=pl.Int32).alias("base_year"),
        pl.when(pl.col("trend_slope").is_not_null())
        .then(
            pl.when(_THRESHOLD & pl.col("_defined"))
            .then(_meets(pl.col("trend_projection")))
            .when(_DIRECTION)
            .then(pl.col("_sign") * pl.col("trend_slope") > 0)
        )
        .alias("trend_on_track"),
        pl.col("_n").cast(pl.Int32).alias("trend_points"),
    ]


def _picked(
    B: int,
    report_year: int,
    status_rules: list[tuple[pl.Expr, str, str | None]],
    growth_rules: list[tuple[pl.Expr, str]],
) -> list[pl.Expr]:
    """Status, reason and growth reason codes and texts, and the joined flags, picked by index."""
    rule_status = [status for _c, status, _r in status_rules]
    rule_reason = [reason for _c, _s, reason in status_rules]
    rule_text = [REASONS[code].format(B=B, Y=report_year) if code else None for code in rule_reason]
    growth_codes = [code for _cond, code in growth_rules]
    growth_text = [GROWTH_REASONS[code].format(B=B, Y=report_year) for code in growth_codes]
    return [
        _pick(pl.col("_rule"), rule_status, STATUS_DTYPE).alias("status"),
        _pick(pl.col("_rule"), rule_reason).alias("reason_code"),
        _pick(pl.col("_rule"), rule_text).alias("reason"),
        _pick(pl.col("_growth_rule"), growth_codes).alias("growth_reason_code"),
        _pick(pl.col("_growth_rule"), growth_text).alias("growth_reason"),
        # the flags that are set, joined by "|" in FLAG_CODES order (null when none): picked
        # by their bit pattern rather than concatenated row by row
        _pick(
            pl.sum_horizontal(
                pl.col(f"flag_{code}").fill_null(False).cast(pl.UInt8) * (1 << bit)
                for bit, code in enumerate(FLAG_CODES)
            ),
            [
                "|".join(code for bit, code in enumerate(FLAG_CODES) if pattern >> bit & 1) or None
                for pattern in range(1 << len(FLAG_CODES))
            ],
        ).alias("flags"),
    ]


def compute_progress(
    observations: pl.DataFrame | pl.LazyFrame,
    targets: pl.DataFrame,
    indicators: pl.DataFrame | None = None,
    *,
    base_year: int,
    report_year: int,
    config: ProgressConfig = DEFAULT_CONFIG,
    indicator_codes: Sequence[str] | None = None,
    region_codes: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Every item's status, progress, trend, growth ratio and flags (RESULT_COLUMNS);
    indicator_codes and region_codes as in year_matrix."""
    items = year_matrix(
        observations,
        targets,
        base_year=base_year,
        report_year=report_year,
        eps=config.eps,
        indicator_codes=indicator_codes,
        region_codes=region_codes,
    )
    # the in-memory engine hands back one chunk per column (the streaming one several, which the
    # callers' later steps would have to copy together)
    return evaluate_items(items, indicators, base_year=base_year, report_year=report_year, config=config).collect(
        engine="in-memory"
    )


# --- the latest / baseline / ratio step on its own (benchmarked against DuckDB SQL) ------------

STEP_COLUMNS: tuple[str, ...] = (
    "indicator_code",
    "region_code",
    "breakdown",
    "latest_year",
    "latest_value",
    "baseline_value",
    "rho_raw",
)


def latest_baseline_ratio(
    observations: pl.DataFrame | pl.LazyFrame,
    targets: pl.DataFrame,
    *,
    base_year: int,
    report_year: int,
) -> pl.DataFrame:
    """Latest value and year, base-year value and the raw ratio (v − v_B) / (t − v_B) for
    at_least / at_most targets with a value (null elsewhere and when t = v_B), items with a
    value only: the step the benchmark compares with DuckDB SQL and pandas."""
    items = year_matrix(observations, targets, base_year=base_year, report_year=report_year, detail=False)
    t, vb = pl.col("target_value"), pl.col("baseline_value")
    return (
        items.lazy()
        .filter(pl.col("latest_value").is_not_null())
        .with_columns(
            pl.when(pl.col("target_kind").is_in(("at_least", "at_most")) & (t != vb))
            .then((pl.col("latest_value") - vb) / (t - vb))
            .alias("rho_raw")
        )
        .select(STEP_COLUMNS)
        .collect()
    )
