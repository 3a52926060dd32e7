"""Long observations → one row per item (target row × breakdown) with what the values' positions
in time say: latest value and year, baseline, previous year, trend sums, 得而复失 year. The
first half of the progress engine (dashboard.engine.progress applies the rules to its output); plain
numpy over a years × items matrix, since a group_by over millions of rows was the slow part.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from dashboard.engine.progress_codes import (
    DEFAULT_CONFIG,
    DIRECTION_KINDS,
    QUALITATIVE,
    TARGET_CORE,
    TARGET_KINDS,
    THRESHOLD_KINDS,
)
from etl.core.records import TOTAL


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
        pl.when(kind == "at_least")
        .then(t_raw)
        .when(kind == "at_most")
        .then(-inf)
        .when(kind == "band")
        .then(low)
        .when(kind == QUALITATIVE)
        .then(1.0)
        .alias("_lo"),
        pl.when(kind == "at_least")
        .then(inf)
        .when(kind == "at_most")
        .then(t_raw)
        .when(kind == "band")
        .then(high)
        .when(kind == QUALITATIVE)
        .then(1.0)
        .alias("_hi"),
        pl.when(kind == "band").then(pl.coalesce(t_raw, (low + high) / 2)).otherwise(t_raw).alias("_t"),
        pl.when(kind.is_in(("at_least", "increase")))
        .then(1.0)
        .when(kind.is_in(("at_most", "decrease")))
        .then(-1.0)
        .alias("_sign"),
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
    obs, optional = _observations(
        observations, targets, base_year, report_year, indicator_codes=indicator_codes, region_codes=region_codes
    )
    if detail:
        targets = target_terms(targets, eps)
    if targets.height == 0:
        empty = targets.clear().with_columns(pl.lit(None, dtype=pl.String).alias("breakdown"))
        shape = (report_year - base_year + 1, 0)
        return _with_stats(
            empty,
            np.full(shape, np.nan),
            np.zeros(shape, bool),
            np.zeros(shape, bool),
            list(range(base_year, report_year + 1)),
            base_year,
            detail,
        )
    # The big frame is never filtered, sorted or copied: only new integer columns are made
    # from it, and the rest is vectorised gathers and scatters.
    pair = _target_row_of(obs, targets, indicator_codes, region_codes)
    year_column = obs.get_column("year").cast(pl.Int32)
    if year_column.null_count():
        year_column = year_column.fill_null(report_year + 1)
    year = year_column.to_numpy()
    value = obs.get_column("value").cast(pl.Float64).to_numpy()  # nulls come out as NaN
    use = (pair >= 0) & (year <= report_year) & ~np.isnan(value)
    kept = _Kept(None if bool(use.all()) else np.flatnonzero(use))
    del use
    pair, year, value = kept(pair), kept(year), kept(value)
    items = _Items.of(obs, kept, pair, targets.height)
    years, values, revised, sample = _year_arrays(
        obs, kept, year, value, items, base_year, report_year, optional=optional, detail=detail
    )
    extra_pairs, extra_codes, others = items.extra_pairs, items.extra_codes, items.others
    del year, value, pair, items
    frame = targets.with_columns(pl.lit(TOTAL, dtype=pl.String).alias("breakdown"))
    if len(extra_pairs):
        frame = pl.concat(
            [
                frame,
                targets[extra_pairs].with_columns(pl.Series("breakdown", others, dtype=pl.String).gather(extra_codes)),
            ]
        )
    return _with_stats(frame, values, revised, sample, years, base_year, detail)


def _observations(
    observations: pl.DataFrame | pl.LazyFrame,
    targets: pl.DataFrame,
    base_year: int,
    report_year: int,
    *,
    indicator_codes: Sequence[str] | None,
    region_codes: Sequence[str] | None,
) -> tuple[pl.DataFrame, list[str]]:
    """The observation columns year_matrix reads (collected), and which optional ones are there;
    raises ValueError (Chinese) for a missing column, a null breakdown or Y before B."""
    missing = [c for c in ("indicator_code", "region_code", *TARGET_CORE) if c not in targets.columns]
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
    return obs, optional


def _target_row_of(
    obs: pl.DataFrame,
    targets: pl.DataFrame,
    indicator_codes: Sequence[str] | None,
    region_codes: Sequence[str] | None,
) -> np.ndarray:
    """Per observation, the index of the target row of its indicator and region (−1: none)."""
    # Dense codes of the target rows' indicators and regions. pair_of[i, r] is the target row
    # of indicator i in region r; the extra last row and column (−1) are where observations of
    # other indicators or regions land, so no masking is needed on the big arrays.
    # target rows come in runs of one indicator: its codes are looked up once per run
    n_pairs = targets.height
    runs = targets.get_column("indicator_code").rle().struct.unnest()
    ind_cats = runs.get_column("value").unique(maintain_order=True)
    ind_enum = pl.Enum(ind_cats)
    n_i = len(ind_cats)
    region_code = _RegionCoder(targets.get_column("region_code"))
    n_r = region_code.size
    t_i = np.repeat(
        runs.get_column("value").cast(ind_enum).to_physical().to_numpy().astype(np.int64),
        runs.get_column("len").to_numpy(),
    )
    pair_of = np.full((n_i + 1) * (n_r + 1), -1, dtype=np.int32)
    pair_of[t_i * (n_r + 1) + region_code.targets] = np.arange(n_pairs, dtype=np.int32)
    if np.count_nonzero(pair_of >= 0) != n_pairs:
        raise ValueError("目标表中同一指标 × 地区出现多行；请先用 resolve_targets 解析为每个地区一行")

    if indicator_codes is None:
        indicator = pl.col("indicator_code").cast(ind_enum, strict=False).to_physical().cast(pl.Int32).fill_null(n_i)
    else:
        listed = pl.Series(list(indicator_codes), dtype=pl.String).cast(ind_enum, strict=False)
        indicator = _by_position(
            "indicator_index", listed.to_physical().cast(pl.Int64).fill_null(n_i).to_numpy(), n_i, "indicator_code"
        )
    if region_codes is None:
        region = region_code.expr(pl.col("region_code"))
    else:
        listed = pl.DataFrame({"region_code": list(region_codes)}, schema={"region_code": pl.String})
        of_listed = region_code.lookup(listed.select(region_code.expr(pl.col("region_code"))).to_series().to_numpy())
        region = _by_position("region_index", of_listed, n_r, "region_code")
    codes = obs.select(indicator, region)
    o_r = codes.get_column("region_code").to_numpy()
    o_r = region_code.lookup(o_r) if region_codes is None else o_r.astype(np.int64)
    return pair_of[codes.get_column("indicator_code").to_numpy().astype(np.int64) * (n_r + 1) + o_r]


class _Kept:
    """The observation rows year_matrix uses (all of them, or these positions)."""

    def __init__(self, rows: np.ndarray | None) -> None:
        self.rows = rows

    def __call__(self, array: np.ndarray) -> np.ndarray:
        return array if self.rows is None else array[self.rows]


@dataclass(frozen=True)
class _Items:
    """Which item each kept observation belongs to. First one 合计 item per target row (in
    target-row order, with or without data), then one item per other breakdown that has data,
    in target-row then code-point order. Keeping the 合计 items in target order means the
    target frame needs no gather for them."""

    item: np.ndarray  # per kept observation
    others: list[str]  # the breakdowns other than 合计, in code-point order
    extra_pairs: np.ndarray  # per breakdown item: its target row
    extra_codes: np.ndarray  # per breakdown item: its position in `others`
    count: int

    @classmethod
    def of(cls, obs: pl.DataFrame, kept: _Kept, pair: np.ndarray, n_pairs: int) -> _Items:
        split = obs.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("row"), "breakdown").filter(
            pl.col("breakdown").is_null() | (pl.col("breakdown") != TOTAL)
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
        return cls(item, others, extra_pairs, extra_codes, n_pairs + len(extra_pairs))


def _year_arrays(
    obs: pl.DataFrame,
    kept: _Kept,
    year: np.ndarray,
    value: np.ndarray,
    items: _Items,
    base_year: int,
    report_year: int,
    *,
    optional: list[str],
    detail: bool,
) -> tuple[list[int], np.ndarray, np.ndarray, np.ndarray]:
    """(years, values, revised, sample): years × items arrays, one contiguous row of items per
    year, from the earliest observed year or B (whichever is earlier) to Y."""
    lo = min(int(year.min()) if len(year) else report_year, base_year)
    years = list(range(lo, report_year + 1))
    n_items = items.count
    flat = (year - lo).astype(np.int64) * n_items + items.item
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
    return years, values, revised, sample


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
        return (
            column.cast(self.enum, strict=False).to_physical().cast(pl.Int64).fill_null(self.size).alias("region_code")
        )

    def lookup(self, codes: np.ndarray) -> np.ndarray:
        """Dense code per value of `expr`."""
        if self.table is None:
            return codes.astype(np.int64)
        return self.table[np.clip(codes, -1, len(self.table) - 1)]


# items per block in _with_stats' blockwise passes (11 years × 16,384 floats ≈ 1.4 MB)
_BLOCK = 16_384


def _with_stats(
    frame: pl.DataFrame,
    values: np.ndarray,
    revised: np.ndarray,
    sample: np.ndarray,
    years: list[int],
    base_year: int,
    detail: bool = True,
) -> pl.DataFrame:
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
        return frame.hstack(
            [
                pl.Series("latest_value", np.where(any_value, values[last, items], np.nan), nan_to_null=True),
                pl.Series("latest_year", latest_year, dtype=pl.Int32).scatter(np.flatnonzero(~any_value), None),
                pl.Series("baseline_value", values[jb], nan_to_null=True),
            ]
        )
    columns = [
        pl.Series("latest_value", np.where(any_value, values[last, items], np.nan), nan_to_null=True),
        pl.Series("latest_year", latest_year, dtype=pl.Int32).scatter(np.flatnonzero(~any_value), None),
        # the value of year latest − 1 (missing when that year has none)
        pl.Series("previous_value", np.where(any_value & (last >= 1), values[before, items], np.nan), nan_to_null=True),
        pl.Series("baseline_value", values[jb], nan_to_null=True),
        pl.Series("_latest_revised", any_value & revised[last, items]),
        pl.Series("_baseline_revised", has[jb] & revised[jb]),
        pl.Series("_latest_sample", any_value & sample[last, items]),
        pl.Series("_baseline_sample", has[jb] & sample[jb]),
        *_trend_sums(values[jb:], has[jb:]),
        _last_met(frame, values[jb:], np.asarray(years[jb:], dtype=np.int32), latest_year, any_value),
    ]
    return frame.hstack(columns)


def _trend_sums(plan: np.ndarray, present: np.ndarray) -> list[pl.Series]:
    """Least-squares sums over the plan years [B, Y]; x = year − B keeps the numbers small."""
    x = np.arange(len(plan), dtype=float)
    weight = present.astype(float)
    filled = np.where(present, plan, 0.0)
    return [
        pl.Series("_n", present.sum(axis=0).astype(np.int64)),
        pl.Series("_sx", x @ weight),
        pl.Series("_sy", filled.sum(axis=0)),
        pl.Series("_sxy", x @ filled),
        pl.Series("_sxx", (x * x) @ weight),
    ]


def _last_met(
    frame: pl.DataFrame, plan: np.ndarray, plan_years: np.ndarray, latest_year: np.ndarray, any_value: np.ndarray
) -> pl.Series:
    """得而复失: the last plan year before the latest value's year whose value met the target
    interval [_lo, _hi] (NaN compares false, so missing values and direction-only targets
    never count)."""
    lo, hi, eps = (frame.get_column(c).cast(pl.Float64).to_numpy() for c in ("_lo", "_hi", "_eps"))
    n_items = plan.shape[1]
    last_met = np.empty(n_items, dtype=np.int32)
    never = np.empty(n_items, dtype=bool)
    # in blocks of items, so the chain of temporaries stays in the CPU cache (half the time of
    # whole-array passes at national scale)
    for at in range(0, n_items, _BLOCK):
        block = slice(at, at + _BLOCK)
        with np.errstate(invalid="ignore"):
            met = (lo[block] - plan[:, block] <= eps[block]) & (plan[:, block] - hi[block] <= eps[block])
        met &= plan_years[:, None] < latest_year[block]
        met &= any_value[block]
        last_met[block] = plan_years[len(plan_years) - 1 - np.argmax(met[::-1], axis=0)]
        never[block] = ~met.any(axis=0)
    return pl.Series("_last_met", last_met, dtype=pl.Int32).scatter(np.flatnonzero(never), None)
