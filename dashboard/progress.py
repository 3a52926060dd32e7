"""The progress engine: status, progress, trend and data flags per indicator × region × breakdown.

Pure functions over polars frames — no Streamlit, no database — implementing the rules of
DESIGN.md ("Progress rules"). Every status comes with the inputs and intermediates it was
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
- ρ = (d(v_B) − d(v)) / d(v_B), which for at_least/at_most is exactly DESIGN's
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
                     (baseline_equals_target): ρ is undefined;
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
- targets: one row per indicator_code × region_code (see dashboard.targets.resolve_targets),
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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import polars as pl

TOTAL = "合计"  # the default breakdown (same word as etl.records.TOTAL)

THRESHOLD_KINDS: tuple[str, ...] = ("at_least", "at_most", "band")
QUALITATIVE = "qualitative"
DIRECTION_KINDS: tuple[str, ...] = ("increase", "decrease")
TARGET_KINDS: tuple[str, ...] = (*THRESHOLD_KINDS, QUALITATIVE, *DIRECTION_KINDS)

# Display order of the codes; labels, colours and order per label set live in
# data/config/status_labels.toml (dashboard.labels).
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

# Columns of the frame compute_progress returns, in order (target pass-through columns are
# inserted after target_year).
RESULT_COLUMNS: tuple[str, ...] = (
    "indicator_code",
    "region_code",
    "breakdown",
    "target_kind",
    "target_value",
    "target_band_low",
    "target_band_high",
    "target_tolerance",
    "target_year",
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
_TARGET_CORE = (
    "target_kind",
    "target_value",
    "target_band_low",
    "target_band_high",
    "target_tolerance",
    "target_year",
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


# --- long observations → one row per item with a column per year ------------------------------


# Per-item columns year_matrix derives from the year layout (positions only, no target rules).
STAT_COLUMNS: tuple[str, ...] = (
    "latest_value",
    "latest_year",
    "previous_value",
    "baseline_value",
    "_latest_revised",
    "_baseline_revised",
    "_latest_sample",
    "_baseline_sample",
    "_n",
    "_sx",
    "_sy",
    "_sxy",
    "_sxx",
    "_last_met",
)


def year_matrix(
    observations: pl.DataFrame | pl.LazyFrame,
    targets: pl.DataFrame,
    *,
    base_year: int,
    report_year: int,
    eps: float = DEFAULT_CONFIG.eps,
    detail: bool = True,
    indicator_codes: Sequence[str] | None = None,
    region_codes: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Items (target rows × breakdowns) with what their values' positions in time say.

    With detail=False only latest_value, latest_year and baseline_value are made (the
    latest / baseline / ratio step on its own).

    indicator_codes: when given, the observations also carry `indicator_index`, the position
    of their indicator_code in this list (the engine's query gives it: it joins on the plan's
    indicator codes anyway), and the index is used instead of converting 3 million code
    strings (about 90 ms nationally). The caller guarantees that the two columns agree; a null
    or out-of-range index counts as an indicator without a target. region_codes likewise:
    the observations carry `region_index`, the position of their region_code in that list.

    Returns the item frame: the target columns with target_terms, `breakdown`, and
    STAT_COLUMNS — latest value and year, the value of year latest − 1, the base-year value,
    whether the latest / base-year value came from a revision > 1 or from sample data, the
    least-squares sums n, Σx, Σv, Σxv, Σx² over the plan years [B, Y] (x = year − B), and
    _last_met, the last plan year before the latest one whose value met the target.

    Why numpy: a polars group_by costs about 60 ms per aggregation at national scale (2,875
    counties × 150 indicators, 4–5 M rows), and this step needs a dozen. Instead the rows are
    scattered into a years × items array (one pass) and every statistic is a vectorised
    operation on that array. Keys become dense integers through polars Enums built from the
    (small) target frame; the big frame is hashed once per key column, never sorted, filtered
    or copied.
    """
    missing = [c for c in ("indicator_code", "region_code", *_TARGET_CORE) if c not in targets.columns]
    if missing:
        raise ValueError(f"目标表缺少列：{', '.join(missing)}")
    needed = ["indicator_code", "region_code", "breakdown", "year", "value"]
    names = observations.collect_schema().names()
    absent = [c for c in needed if c not in names]
    if absent:
        raise ValueError(f"观测值表缺少列：{', '.join(absent)}")
    if report_year < base_year:
        raise ValueError(f"报告年份 {report_year} 早于基期年 {base_year}")
    optional = [c for c in ("revision", "is_sample") if c in names]
    for listed, column in ((indicator_codes, "indicator_index"), (region_codes, "region_index")):
        if listed is not None:
            if column not in names:
                raise ValueError(f"观测值表缺少列：{column}")
            optional.append(column)
    obs = observations.select(*needed, *optional).collect() if isinstance(observations, pl.LazyFrame) else observations
    if obs.get_column("breakdown").null_count():
        # the breakdown numbering has no slot for "none": a null would take the next item's place
        raise ValueError(f"观测值表的 breakdown 列不能为空（合计请写“{TOTAL}”）")
    plan_years = list(range(base_year, report_year + 1))

    if detail:
        targets = target_terms(targets, eps)
    n_pairs = targets.height
    if n_pairs == 0:
        empty = targets.clear().with_columns(pl.lit(None, dtype=pl.String).alias("breakdown"))
        shape = (len(plan_years), 0)
        return _with_stats(empty, np.full(shape, np.nan), np.zeros(shape, bool), np.zeros(shape, bool),
                           plan_years, base_year, detail)

    # Dense codes of the target rows' indicators and regions. pair_of[i, r] is the target row
    # of indicator i in region r; the extra last row and column (−1) are where observations of
    # other indicators or regions land, so no masking is needed on the big arrays.
    # target rows come in runs of one indicator: its codes are looked up once per run
    runs = targets.get_column("indicator_code").rle().struct.unnest()
    ind_cats = runs.get_column("value").unique(maintain_order=True)
    ind_enum = pl.Enum(ind_cats)
    n_i = len(ind_cats)
    region_code = _RegionCoder(targets.get_column("region_code"))
    n_r = region_code.size
    t_i = np.repeat(runs.get_column("value").cast(ind_enum).to_physical().to_numpy().astype(np.int64),
                    runs.get_column("len").to_numpy())
    pair_of = np.full((n_i + 1) * (n_r + 1), -1, dtype=np.int32)
    pair_of[t_i * (n_r + 1) + region_code.targets] = np.arange(n_pairs, dtype=np.int32)
    if np.count_nonzero(pair_of >= 0) != n_pairs:
        raise ValueError("目标表中同一指标 × 地区出现多行；请先用 resolve_targets 解析为每个地区一行")

    # The big frame is never filtered, sorted or copied: only new integer columns are made
    # from it, and the rest is vectorised gathers and scatters.
    if indicator_codes is None:
        indicator = pl.col("indicator_code").cast(ind_enum, strict=False).to_physical().cast(pl.Int32).fill_null(n_i)
    else:
        listed = pl.Series(list(indicator_codes), dtype=pl.String).cast(ind_enum, strict=False)
        indicator = _by_position("indicator_index", listed.to_physical().cast(pl.Int64).fill_null(n_i).to_numpy(),
                                 n_i, "indicator_code")
    if region_codes is None:
        region = region_code.expr(pl.col("region_code"))
    else:
        listed = pl.DataFrame({"region_code": list(region_codes)}, schema={"region_code": pl.String})
        of_listed = region_code.lookup(listed.select(region_code.expr(pl.col("region_code"))).to_series().to_numpy())
        region = _by_position("region_index", of_listed, n_r, "region_code")
    codes = obs.select(indicator, region)
    o_r = codes.get_column("region_code").to_numpy()
    o_r = region_code.lookup(o_r) if region_codes is None else o_r.astype(np.int64)
    pair = pair_of[codes.get_column("indicator_code").to_numpy().astype(np.int64) * (n_r + 1) + o_r]
    del o_r, codes
    year_column = obs.get_column("year").cast(pl.Int32)
    if year_column.null_count():
        year_column = year_column.fill_null(report_year + 1)
    year = year_column.to_numpy()
    value = obs.get_column("value").cast(pl.Float64).to_numpy()  # nulls come out as NaN
    use = (pair >= 0) & (year <= report_year) & ~np.isnan(value)
    all_rows = bool(use.all())
    rows = None if all_rows else np.flatnonzero(use)
    del use

    def kept(array: np.ndarray) -> np.ndarray:
        return array if rows is None else array[rows]

    pair, year, value = kept(pair), kept(year), kept(value)

    # Items: first one 合计 item per target row (in target-row order, with or without data),
    # then one item per other breakdown that has data, in target-row then code-point order.
    # Keeping the 合计 items in target order means the target frame needs no gather for them.
    split = (
        obs.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("row"), "breakdown")
        .filter(pl.col("breakdown").is_null() | (pl.col("breakdown") != TOTAL))
    )
    others = sorted(v for v in split.get_column("breakdown").unique().to_list() if v is not None)
    item = pair.astype(np.int64)
    extra_pairs = np.zeros(0, dtype=np.int64)
    extra_codes = np.zeros(0, dtype=np.int64)
    if split.height:
        # breakdown code per observation row: 0 for 合计, 1… for the others
        code_of_row = np.zeros(obs.height, dtype=np.int16)
        code_of_row[split.get_column("row").to_numpy()] = 1 + split.get_column("breakdown").cast(
            pl.Enum(others)
        ).to_physical().fill_null(len(others)).to_numpy().astype(np.int16)
        b = kept(code_of_row)
        at = np.flatnonzero(b > 0)
        if len(at):
            key = pair[at].astype(np.int64) * len(others) + (b[at] - 1)
            occupied = np.zeros(n_pairs * len(others), dtype=bool)
            occupied[key] = True
            item[at] = n_pairs + (np.cumsum(occupied, dtype=np.int64) - 1)[key]
            extra = np.flatnonzero(occupied)
            extra_pairs, extra_codes = extra // len(others), extra % len(others)
    n_items = n_pairs + len(extra_pairs)

    # year-major layout: one contiguous row of items per year
    lo = min(int(year.min()) if len(year) else report_year, base_year)
    years = list(range(lo, report_year + 1))
    flat = (year - lo).astype(np.int64) * n_items + item
    values = np.full((len(years), n_items), np.nan)
    revised = np.zeros((len(years), n_items), dtype=bool)
    sample = np.zeros((len(years), n_items), dtype=bool)
    values.reshape(-1)[flat] = value
    # flags are rare: mark only the rows that carry them
    if "revision" in optional and detail:
        revised.reshape(-1)[flat[np.flatnonzero(kept(obs.get_column("revision").fill_null(1).to_numpy()) > 1)]] = True
    if "is_sample" in optional and detail:
        sample.reshape(-1)[flat[np.flatnonzero(kept(obs.get_column("is_sample").fill_null(False).to_numpy()))]] = True
    if np.count_nonzero(~np.isnan(values)) != len(value):
        raise ValueError("观测值表中同一指标 × 地区 × 分组 × 年份出现多行；请使用 observation_current 的当前值")
    del year, value, item, flat

    frame = targets.with_columns(pl.lit(TOTAL, dtype=pl.String).alias("breakdown"))
    if len(extra_pairs):
        frame = pl.concat([
            frame,
            targets[extra_pairs].with_columns(pl.Series("breakdown", others, dtype=pl.String).gather(extra_codes)),
        ])
    return _with_stats(frame, values, revised, sample, years, base_year, detail)


def _by_position(column: str, dense: np.ndarray, other: int, name: str) -> pl.Expr:
    """dense[position] for the position in `column`; `other` for a null or out-of-range one."""
    table = pl.Series(np.append(dense, other).astype(np.int64))
    index = pl.col(column)
    valid = index.is_between(0, len(dense) - 1).fill_null(False)
    return pl.lit(table).gather(pl.when(valid).then(index).otherwise(len(dense))).alias(name)


class _RegionCoder:
    """Dense codes 0…size−1 for the target rows' region codes, `size` for any other region.

    行政区划代码 are digits, so when every target region code is a plain number of at most
    7 digits the observation column is parsed as integers and looked up in an array (less
    than half the cost of hashing the strings); anything else (乡镇 codes of 9–12 digits,
    test codes like "R1") goes through an Enum.
    """

    def __init__(self, target_codes: pl.Series) -> None:
        cats = target_codes.unique(maintain_order=True)
        self.size = len(cats)
        self.table: np.ndarray | None = None
        if cats.str.contains(r"^[1-9][0-9]{0,6}$").all():
            numbers = cats.str.to_integer().to_numpy().astype(np.int64)
            # table[number] = dense code; the extra last slot catches everything else
            self.table = np.full(int(numbers.max()) + 2, self.size, dtype=np.int64)
            self.table[numbers] = np.arange(self.size, dtype=np.int64)
            self.targets = self.lookup(target_codes.str.to_integer().to_numpy().astype(np.int64))
        else:
            self.enum = pl.Enum(cats)
            self.targets = target_codes.cast(self.enum).to_physical().to_numpy().astype(np.int64)

    def expr(self, column: pl.Expr) -> pl.Expr:
        """Per observation: the parsed number (−1 when not a number) or the Enum code."""
        if self.table is not None:
            return column.str.to_integer(strict=False).fill_null(-1).alias("region_code")
        return column.cast(self.enum, strict=False).to_physical().cast(pl.Int64).fill_null(self.size).alias(
            "region_code"
        )

    def lookup(self, codes: np.ndarray) -> np.ndarray:
        """Dense code per value of `expr`."""
        if self.table is None:
            return codes.astype(np.int64)
        return self.table[np.clip(codes, -1, len(self.table) - 1)]


# items per block in _with_stats' blockwise passes (11 years × 16,384 floats ≈ 1.4 MB)
_BLOCK = 16_384


def _with_stats(frame: pl.DataFrame, values: np.ndarray, revised: np.ndarray, sample: np.ndarray,
                years: list[int], base_year: int, detail: bool = True) -> pl.DataFrame:
    """Add STAT_COLUMNS and the plan-year value columns, computed from the years × items
    arrays (`years` runs from the earliest observed year or B, whichever is earlier, to Y)."""
    has = ~np.isnan(values)
    any_value = has.any(axis=0)
    items = np.arange(values.shape[1])
    # last year with a value: argmax over the has-mask read from the newest year back
    last = len(years) - 1 - np.argmax(has[::-1], axis=0)
    before = np.maximum(last - 1, 0)
    jb = base_year - years[0]  # years[0] ≤ base_year ≤ years[-1] by construction

    latest_year = np.asarray(years, dtype=np.int32)[last]
    if not detail:
        return frame.hstack([
            pl.Series("latest_value", np.where(any_value, values[last, items], np.nan), nan_to_null=True),
            pl.Series("latest_year", latest_year, dtype=pl.Int32).scatter(np.flatnonzero(~any_value), None),
            pl.Series("baseline_value", values[jb], nan_to_null=True),
        ])
    columns = [
        pl.Series("latest_value", np.where(any_value, values[last, items], np.nan), nan_to_null=True),
        pl.Series("latest_year", latest_year, dtype=pl.Int32).scatter(np.flatnonzero(~any_value), None),
        # the value of year latest − 1 (missing when that year has none)
        pl.Series("previous_value", np.where(any_value & (last >= 1), values[before, items], np.nan),
                  nan_to_null=True),
        pl.Series("baseline_value", values[jb], nan_to_null=True),
        pl.Series("_latest_revised", any_value & revised[last, items]),
        pl.Series("_baseline_revised", has[jb] & revised[jb]),
        pl.Series("_latest_sample", any_value & sample[last, items]),
        pl.Series("_baseline_sample", has[jb] & sample[jb]),
    ]
    # least-squares sums over the plan years [B, Y], x = year − B keeps the numbers small
    plan, present = values[jb:], has[jb:]
    x = np.arange(len(plan), dtype=float)
    weight = present.astype(float)
    filled = np.where(present, plan, 0.0)
    columns += [
        pl.Series("_n", present.sum(axis=0).astype(np.int64)),
        pl.Series("_sx", x @ weight),
        pl.Series("_sy", filled.sum(axis=0)),
        pl.Series("_sxy", x @ filled),
        pl.Series("_sxx", (x * x) @ weight),
    ]
    # 得而复失: the last plan year before the latest value's year whose value met the target
    # interval [_lo, _hi] (NaN compares false, so missing values and direction-only targets
    # never count)
    lo, hi, eps = (frame.get_column(c).cast(pl.Float64).to_numpy() for c in ("_lo", "_hi", "_eps"))
    plan_years = np.asarray(years[jb:], dtype=np.int32)
    last_met = np.empty(len(items), dtype=np.int32)
    never = np.empty(len(items), dtype=bool)
    # in blocks of items, so the chain of temporaries stays in the CPU cache (half the time of
    # whole-array passes at national scale)
    for at in range(0, len(items), _BLOCK):
        block = slice(at, at + _BLOCK)
        with np.errstate(invalid="ignore"):
            met = (lo[block] - plan[:, block] <= eps[block]) & (plan[:, block] - hi[block] <= eps[block])
        met &= plan_years[:, None] < latest_year[block]
        met &= any_value[block]
        last_met[block] = plan_years[len(plan_years) - 1 - np.argmax(met[::-1], axis=0)]
        never[block] = ~met.any(axis=0)
    columns.append(pl.Series("_last_met", last_met, dtype=pl.Int32).scatter(np.flatnonzero(never), None))
    return frame.hstack(columns)


# --- rules ---------------------------------------------------------------------------------------


def target_terms(targets: pl.DataFrame, eps: float = 1e-9) -> pl.DataFrame:
    """The target rows with the terms every rule uses, computed once per target row:

    _known / _threshold / _direction / _qualitative / _band (kind tests), _lo and _hi (the
    interval of values that meet a measurable target — at_least [t, ∞), at_most (−∞, t],
    band [low, high], qualitative [1, 1]; null for direction-only kinds), _t (the target value;
    a band's centre when only its edges are given), _sign (+1 when higher is better),
    _defined (the target can be judged: a threshold target has its number and a non-empty
    interval) and _eps (the float-noise allowance eps × max(1, |t|)).
    """
    kind = pl.col("target_kind")
    t_raw = pl.col("target_value")
    low = pl.coalesce(pl.col("target_band_low"), t_raw - pl.col("target_tolerance"))
    high = pl.coalesce(pl.col("target_band_high"), t_raw + pl.col("target_tolerance"))
    inf = pl.lit(float("inf"))
    frame = targets.with_columns(
        kind.is_in(TARGET_KINDS).fill_null(False).alias("_known"),
        kind.is_in(THRESHOLD_KINDS).fill_null(False).alias("_threshold"),
        kind.is_in(DIRECTION_KINDS).fill_null(False).alias("_direction"),
        (kind == QUALITATIVE).fill_null(False).alias("_qualitative"),
        (kind == "band").fill_null(False).alias("_band"),
        pl.when(kind == "at_least").then(t_raw).when(kind == "at_most").then(-inf)
        .when(kind == "band").then(low).when(kind == QUALITATIVE).then(1.0).alias("_lo"),
        pl.when(kind == "at_least").then(inf).when(kind == "at_most").then(t_raw)
        .when(kind == "band").then(high).when(kind == QUALITATIVE).then(1.0).alias("_hi"),
        pl.when(kind == "band").then(pl.coalesce(t_raw, (low + high) / 2)).otherwise(t_raw).alias("_t"),
        pl.when(kind.is_in(("at_least", "increase"))).then(1.0)
        .when(kind.is_in(("at_most", "decrease"))).then(-1.0).alias("_sign"),
    )
    lo, hi = pl.col("_lo"), pl.col("_hi")
    return frame.with_columns(
        pl.when(pl.col("_threshold"))
        .then(lo.is_not_null() & hi.is_not_null() & (lo <= hi))
        .otherwise(pl.col("_known"))
        .fill_null(False)
        .alias("_defined"),
        (pl.lit(eps) * pl.max_horizontal(pl.lit(1.0), pl.col("_t").abs().fill_null(1.0))).alias("_eps"),
    )


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


def evaluate_items(
    items: pl.DataFrame | pl.LazyFrame,
    indicators: pl.DataFrame | None = None,
    *,
    base_year: int,
    report_year: int,
    config: ProgressConfig = DEFAULT_CONFIG,
) -> pl.LazyFrame:
    """Apply the rules to the items of `year_matrix`; returns RESULT_COLUMNS plus the target
    pass-through columns (lazy, so callers can add their own columns before collecting)."""
    B = base_year
    lf = items.lazy()
    passthrough = [
        c
        for c in lf.collect_schema().names()
        if c not in (*_TARGET_CORE, *STAT_COLUMNS, "indicator_code", "region_code", "breakdown")
        and not c.startswith("_")
    ]
    threshold, direction = pl.col("_threshold"), pl.col("_direction")
    qualitative, band = pl.col("_qualitative"), pl.col("_band")
    lo, hi = pl.col("_lo"), pl.col("_hi")
    stage3 = [
        pl.when(pl.col("_n") >= 2)
        .then(
            (pl.col("_n") * pl.col("_sxy") - pl.col("_sx") * pl.col("_sy"))
            / (pl.col("_n") * pl.col("_sxx") - pl.col("_sx") ** 2)
        )
        .alias("_slope"),
    ]

    v, vb = pl.col("latest_value"), pl.col("baseline_value")
    y_latest = pl.col("latest_year")
    T = pl.col("target_year")
    has_value = v.is_not_null()
    # a qualitative target is judged from 是/否 values (1/0); a measured number against it
    # (e.g. "城乡差距缩小" over a mortality rate) needs a person, not this engine
    not_binary = qualitative & has_value & ~v.is_in([0.0, 1.0])
    measurable = (threshold | qualitative) & pl.col("_defined") & ~not_binary.fill_null(False)
    d_now, d_base = _shortfall(v), _shortfall(vb)
    achieved_now = measurable & has_value & (d_now <= pl.col("_eps"))
    baseline_met = d_base <= pl.col("_eps")
    baseline_equal = (vb - pl.col("_t")).abs() <= pl.col("_eps")
    change = v - vb
    stable_tol = pl.max_horizontal(
        pl.col("target_tolerance").fill_null(0.0), config.stable_tolerance * vb.abs()
    )
    stage4 = [
        achieved_now.alias("_achieved"),
        not_binary.fill_null(False).alias("_not_binary"),
        pl.when(measurable & has_value).then(achieved_now).alias("achieved"),
        pl.when(has_value & (T > B))
        .then(((y_latest - B) / (T - B)).clip(0.0, 1.0))
        .alias("tau"),
        pl.when(threshold & pl.col("_defined") & has_value & vb.is_not_null() & ~achieved_now & ~baseline_met)
        .then((d_base - d_now) / d_base)
        .alias("rho"),
        pl.when(measurable & has_value & ~achieved_now).then(pl.col("_last_met")).alias("last_achieved_year"),
        baseline_met.alias("_baseline_met"),
        baseline_equal.alias("_baseline_equal"),
        change.alias("change_since_base"),
        stable_tol.alias("_stable_tol"),
        pl.when(pl.col("_n") >= config.trend_min_points)
        .then(pl.col("_slope"))
        .alias("trend_slope"),
    ]

    jump_thr = (
        pl.col("indicator_code").replace_strict(
            dict(config.jump_thresholds), default=config.jump_threshold, return_dtype=pl.Float64
        )
        if config.jump_thresholds
        else pl.lit(config.jump_threshold)
    )
    projection = pl.when(pl.col("trend_slope").is_not_null()).then(
        (pl.col("_sy") + pl.col("trend_slope") * ((T - B) * pl.col("_n") - pl.col("_sx"))) / pl.col("_n")
    )
    has_plausible = indicators is not None and {"plausible_min", "plausible_max"} <= set(indicators.columns)
    if has_plausible:
        # a straight line runs past 100 % or below 0; a projection is only shown inside the
        # indicator's plausible range, and trend_capped says it was held at the edge
        lo_p, hi_p = pl.col("plausible_min"), pl.col("plausible_max")
        capped = pl.when(projection > hi_p).then(hi_p).when(projection < lo_p).then(lo_p).otherwise(projection)
        is_capped = ((projection > hi_p) | (projection < lo_p)).fill_null(False)
    else:
        capped, is_capped = projection, pl.lit(False)
    stage5 = [
        pl.col("last_achieved_year").is_not_null().alias("lost"),
        capped.alias("trend_projection"),
        pl.when(pl.col("trend_slope").is_not_null()).then(is_capped).alias("trend_capped"),
        jump_thr.alias("_jump_thr"),
    ]

    # growth ratio (UN ESCAP / Open SDG)
    t_growth = (
        pl.when(threshold & ~band)
        .then(pl.col("_t"))
        .when(band & (vb < lo))
        .then(lo)
        .when(band & (vb > hi))
        .then(hi)
    )
    # +1 when higher is better; a band points towards its nearer edge
    growth_sign = pl.when(band).then((pl.col("_tg") - vb).sign()).otherwise(pl.col("_sign"))
    observed = (v / vb).pow(1.0 / (y_latest - B)) - 1.0
    required = (pl.col("_tg") / vb).pow(1.0 / (T - B)) - 1.0
    growth_reasons = [
        (~(threshold & pl.col("_defined")), "no_numeric_target"),
        (~has_value, "no_value"),
        (vb.is_null(), "no_baseline"),
        (y_latest <= B, "single_point"),
        (vb == 0, "zero_base"),
        (band & pl.col("_tg").is_null(), "baseline_met"),
        ((vb < 0) | (v < 0) | (pl.col("_tg") < 0), "sign_change"),
        (pl.col("_tg") == vb, "target_equals_base"),
    ]
    stage6 = [t_growth.alias("_tg")]
    # the index of the first reason that applies (null: none does); the code and its text are
    # picked from it, like the status below
    stage7 = [_first_match([cond for cond, _code in growth_reasons]).alias("_growth_rule")]
    ok = pl.col("_growth_rule").is_null()
    stage8 = [
        pl.when(ok).then(observed).alias("growth_observed"),
        pl.when(ok).then(required).alias("growth_required"),
        pl.when(ok).then(growth_sign).alias("_gsign"),
    ]
    high, mid, low_thr = config.growth_thresholds
    ratio = pl.col("_gsign") * pl.col("growth_observed") / pl.col("growth_required").abs()
    stage9 = [ratio.alias("growth_ratio")]
    stage10 = [
        pl.when(pl.col("_achieved") & threshold)
        .then(pl.lit("achieved", dtype=GROWTH_DTYPE))
        .when(pl.col("growth_ratio") >= high)
        .then(pl.lit("substantial", dtype=GROWTH_DTYPE))
        .when(pl.col("growth_ratio") >= mid)
        .then(pl.lit("moderate", dtype=GROWTH_DTYPE))
        .when(pl.col("growth_ratio") >= low_thr)
        .then(pl.lit("limited", dtype=GROWTH_DTYPE))
        .when(pl.col("growth_ratio").is_not_null())
        .then(pl.lit("deterioration", dtype=GROWTH_DTYPE))
        .alias("growth_category"),
    ]

    # status and reason, first match wins (see the module docstring)
    rho, tau = pl.col("rho"), pl.col("tau")
    status_reason = [
        (~pl.col("_known"), "target_pending", "unknown_kind"),
        (~pl.col("_defined") & band, "target_pending", "band_undefined"),
        (~pl.col("_defined"), "target_pending", "target_pending"),
        (~has_value, "no_data", "no_value"),
        (pl.col("_not_binary"), "target_pending", "qualitative_not_binary"),
        (pl.col("_achieved"), "achieved", None),
        (qualitative, "not_achieved", None),
        (threshold & vb.is_null(), "not_assessable", "no_baseline"),
        (threshold & pl.col("_baseline_equal"), "not_assessable", "baseline_equals_target"),
        (threshold & pl.col("_baseline_met"), "regressing", "baseline_met"),
        (threshold & (rho >= tau - 1e-9), "on_track", None),
        (threshold & (rho >= 0), "lagging", None),
        (threshold, "regressing", None),
        (direction & vb.is_null(), "not_assessable", "no_baseline"),
        (direction & (pl.col("change_since_base").abs() <= pl.col("_stable_tol")), "stable", None),
        (direction & (pl.col("_sign") * pl.col("change_since_base") > 0), "improving", None),
        (direction, "worsening", None),
    ]

    # One chain yields the index of the first rule that matches; status, reason code and
    # reason text are picked from it (cheaper than three chains of strings).
    rule = _first_match([cond for cond, _status, _reason in status_reason])
    rule_status = [status for _c, status, _r in status_reason]
    rule_reason = [reason for _c, _s, reason in status_reason]
    rule_text = [REASONS[code].format(B=B, Y=report_year) if code else None for code in rule_reason]
    growth_codes = [code for _cond, code in growth_reasons]
    growth_text = [GROWTH_REASONS[code].format(B=B, Y=report_year) for code in growth_codes]

    prev = pl.col("previous_value")
    jump = (
        pl.when(prev.is_null() | v.is_null())
        .then(False)
        .when(prev == 0)
        .then(v != 0)
        .otherwise((v - prev).abs() > pl.col("_jump_thr") * prev.abs())
    )
    if indicators is not None and has_plausible:
        lo_p, hi_p = pl.col("plausible_min"), pl.col("plausible_max")

        def outside(x: pl.Expr) -> pl.Expr:
            return ((x < lo_p) | (x > hi_p)).fill_null(False)

        out_of_range = outside(v) | outside(vb)
        lf = lf.join(
            indicators.lazy().select("indicator_code", "plausible_min", "plausible_max"),
            on="indicator_code",
            how="left",
            maintain_order="left",
        )
    else:
        out_of_range = pl.lit(False)
    stage11 = [
        rule.alias("_rule"),
        (v - prev).alias("yoy_change"),
        pl.when(prev != 0).then((v - prev) / prev.abs() * 100.0).alias("yoy_change_pct"),
        jump.alias("flag_jump"),
        out_of_range.alias("flag_out_of_range"),
        (pl.col("_latest_revised").fill_null(False) | pl.col("_baseline_revised").fill_null(False)).alias(
            "flag_revised"
        ),
        (pl.col("_latest_sample").fill_null(False) | pl.col("_baseline_sample").fill_null(False)).alias(
            "data_is_sample"
        ),
        pl.when(vb.is_not_null()).then(pl.lit(B, dtype=pl.Int32)).alias("baseline_year"),
        pl.lit(B, dtype=pl.Int32).alias("base_year"),
        pl.when(pl.col("trend_slope").is_not_null())
        .then(
            pl.when(threshold & pl.col("_defined"))
            .then(_meets(pl.col("trend_projection")))
            .when(direction)
            .then(pl.col("_sign") * pl.col("trend_slope") > 0)
        )
        .alias("trend_on_track"),
        pl.col("_n").cast(pl.Int32).alias("trend_points"),
    ]
    stage12 = [
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
    out = (
        lf.with_columns(stage3)
        .with_columns(stage4)
        .with_columns(stage5)
        .with_columns(stage6)
        .with_columns(stage7)
        .with_columns(stage8)
        .with_columns(stage9)
        .with_columns(stage10)
        .with_columns(stage11)
        .with_columns(stage12)
    )
    order = list(RESULT_COLUMNS)
    at = order.index("target_year") + 1
    order[at:at] = passthrough
    return out.select(order)


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
    items = year_matrix(observations, targets, base_year=base_year, report_year=report_year, eps=config.eps,
                        indicator_codes=indicator_codes, region_codes=region_codes)
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
