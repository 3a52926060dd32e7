"""Aggregates over the progress items: status counts and 达标率, district ranking, reporting
completeness and timeliness.

Pure functions over polars frames (no Streamlit, no database).

达标率: achieved ÷ indicators with data and a numeric or
qualitative target. Counts are over indicators (the 合计 breakdown of each indicator ×
region; breakdown rows such as 城镇/农村 are details of the same indicator, not more
indicators). Every item falls in exactly one of four buckets, so the buckets add up to
n_items and nothing is silently dropped, and each bucket is what the cards beside it count:

- rate_denominator   a value ≤ the report year and a threshold (at_least/at_most/band) or
                     qualitative target with a value: statuses achieved, on_track, lagging,
                     regressing, not_achieved, not_assessable (无基期值 or 基期值等于目标值 —
                     the target is still not met, so it counts as not achieved);
- excluded_no_data   status no_data (无数据), whatever the kind of target;
- excluded_direction increase/decrease targets (逐步提高/降低) with data: 向好, 持平, 未向好;
- excluded_target_pending  status target_pending: 目标待设定 (no target value, a band without
                     width, an unknown kind) or a qualitative target whose value is not 是/否
                     and needs a person's judgement.

n_with_data counts the items with a value ≤ the report year: the coverage that stands beside
every 达标率 ("有数据 N / M", M = n_items).

District ranking: by 达标率, highest first; ties broken by (1) more indicators assessed
(a larger denominator is the stronger evidence), (2) fewer 退步 (regressing + worsening),
(3) region code ascending — so the order is total and reproducible. Regions with nothing
assessed get no rank and come last.

Reporting completeness and timeliness: see CompletenessRule and ReportingDeadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from dashboard.engine.progress import DIRECTION_KINDS, MEASURED_STATUSES, STATUS_CODES, TOTAL

RATE_RULE = (
    "达标率 = 已达标指标数 ÷ 有数据且有数值目标或定性目标的指标数（按指标计，分组数据不重复计数）；"
    "无数据、方向性目标（逐步提高/降低）和目标待设定的指标单独列出，不计入分母"
)

COUNT_COLUMNS: tuple[str, ...] = tuple(f"n_{code}" for code in STATUS_CODES)
_UNASSESSED = ("no_data", "target_pending")  # buckets of their own, whatever the kind of target
AGGREGATE_COLUMNS: tuple[str, ...] = (
    "n_items",
    "n_with_data",
    *COUNT_COLUMNS,
    "n_lost",
    "rate_numerator",
    "rate_denominator",
    "attainment_rate",
    "excluded_no_data",
    "excluded_direction",
    "excluded_target_pending",
    "rate_note",
)
# aggregate name → (keys grouped on, attributes the engine joins on from small name tables);
# the engine's tables have keys first, then attributes, then AGGREGATE_COLUMNS
GROUPINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "by_region": (("region_code",), ("region_name", "region_level")),
    "by_domain": (("region_code", "outline", "domain"), ("region_name", "region_level")),
    "by_outline": (("region_code", "outline"), ("region_name", "region_level")),
    "by_unit": (("region_code", "lead_unit_code"), ("region_name", "region_level", "lead_unit")),
}


def counting_frame(items: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """The 合计 items with `keys`, their position (_row) and one 0/1 column per count of
    AGGREGATE_COLUMNS — made once, then summed per grouping by status_counts."""
    status = pl.col("status")
    direction = pl.col("target_kind").is_in(DIRECTION_KINDS).fill_null(False)
    parts = {
        "n_items": pl.lit(True),
        # frames without values (hand-made in tests) count every item with a status but 无数据
        "n_with_data": pl.col("latest_value").is_not_null() if "latest_value" in items.columns else status != "no_data",
        **{f"n_{code}": status == code for code in STATUS_CODES},
        "n_lost": pl.col("lost").fill_null(False),
        "rate_numerator": status == "achieved",
        "rate_denominator": status.is_in(MEASURED_STATUSES) & ~direction,
        "excluded_no_data": status == "no_data",
        "excluded_direction": direction & ~status.is_in(list(_UNASSESSED)),
        "excluded_target_pending": status == "target_pending",
    }
    return (
        items.lazy()
        .with_row_index("_row")
        .filter(pl.col("breakdown") == TOTAL)
        .select(*dict.fromkeys(keys), "_row", *(test.cast(pl.Int32).alias(name) for name, test in parts.items()))
        .collect()
    )


_COUNTS = [c for c in AGGREGATE_COLUMNS if c not in ("attainment_rate", "rate_note")]


def status_counts(items: pl.DataFrame, by: Sequence[str], *, counting: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per group of `by`: counts per status, 达标率 and its denominator (AGGREGATE_COLUMNS).

    `items` is the progress table (needs status, target_kind, lost, breakdown and the `by`
    columns); pass `counting` (counting_frame with at least the `by` keys) to reuse it across
    groupings. attainment_rate is a percentage (95.2 means 95.2 %), null when the denominator
    is 0. rate_note says in Chinese what the number is made of. Groups come out in the order
    they first appear in `items`. Names (region_name, …) are joined by the caller from small
    tables: carrying strings through the group_by would cost more than the counting.
    """
    if counting is None:
        counting = counting_frame(items, by)
    return status_counts_lazy(counting, by).collect()


def status_counts_lazy(
    counting: pl.DataFrame | pl.LazyFrame, by: Sequence[str], *, keep_row: bool = False
) -> pl.LazyFrame:
    """status_counts as a lazy query over a counting_frame. The counts add up, so the input
    may also be a finer status_counts result made with keep_row=True (which keeps the `_row`
    column that orders the groups): region × domain rolls up to region × outline to region
    without another pass over the items."""
    by = list(by)
    return (
        counting.lazy()
        .group_by(by)
        .agg(pl.col("_row").min(), pl.col(_COUNTS).sum().cast(pl.Int64))
        .sort("_row")
        .pipe(_with_rate)
        .select(*by, *(["_row"] if keep_row else []), *AGGREGATE_COLUMNS)
    )


def pooled(rows: pl.DataFrame) -> pl.DataFrame:
    """One row of AGGREGATE_COLUMNS pooling aggregate `rows` (regions of a ranking …): the counts
    summed, 达标率 and its note made again from the sums — a ratio of sums, never a mean of rates."""
    sums = rows.select(pl.col(_COUNTS).sum().cast(pl.Int64))
    return _with_rate(sums.lazy()).select(*AGGREGATE_COLUMNS).collect()


def _with_rate(counts: pl.LazyFrame) -> pl.LazyFrame:
    """attainment_rate and rate_note added to the count columns."""
    return counts.with_columns(_attainment_rate()).with_columns(_rate_note().alias("rate_note"))


def _attainment_rate() -> pl.Expr:
    return (
        pl.when(pl.col("rate_denominator") > 0)
        .then(pl.col("rate_numerator") / pl.col("rate_denominator") * 100.0)
        .alias("attainment_rate")
    )


def _rate_note() -> pl.Expr:
    return pl.format(
        "达标 {} 项 ÷ 有数据且有数值或定性目标的 {} 项；"
        "另有无数据 {} 项、方向性目标 {} 项、目标待设定 {} 项，未计入分母",
        "rate_numerator",
        "rate_denominator",
        "excluded_no_data",
        "excluded_direction",
        "excluded_target_pending",
    )


def status_codes(items: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The status, direction, lost and has-value arrays grouped_status_counts counts, from the
    items' status (STATUS_CODES Enum), target_kind, lost and latest_value columns."""
    status = items.get_column("status").to_physical().cast(pl.Int64).fill_null(len(STATUS_CODES)).to_numpy()
    direction = items.get_column("target_kind").is_in(DIRECTION_KINDS).fill_null(False).to_numpy()
    lost = items.get_column("lost").fill_null(False).to_numpy()
    return status, direction, lost, items.get_column("latest_value").is_not_null().to_numpy()


def grouped_status_counts(
    status: np.ndarray,
    direction: np.ndarray,
    lost: np.ndarray,
    has_value: np.ndarray,
    group: np.ndarray,
    n_groups: int,
) -> tuple[np.ndarray, pl.DataFrame]:
    """status_counts for items already numbered by group (`group`: 0 … n_groups − 1 per item).

    status_counts with a polars group_by sums some twenty count columns per grouping, which at
    national scale (330,000 items) costs about 100 ms; here the items are counted once into a
    group × status × direction array with numpy bincount, a few ms per grouping, and every
    count column is a sum over that array. Per item: `status` the position in STATUS_CODES
    (len(STATUS_CODES) for none: counted only in n_items), `direction` (an increase/decrease
    target), `lost` and `has_value` booleans; status_codes() makes the four from an item frame.

    Returns the position of each group's first item, ascending (the group order of
    status_counts), and AGGREGATE_COLUMNS in that order; groups without items are left out.
    """
    n_status = len(STATUS_CODES)
    group = np.asarray(group, dtype=np.int64)
    first = np.full(n_groups, len(group), dtype=np.int64)
    np.minimum.at(first, group, np.arange(len(group), dtype=np.int64))
    kept = np.flatnonzero(first < len(group))
    kept = kept[np.argsort(first[kept], kind="stable")]
    # renumber the groups that have items 0 … m − 1 in output order, so the count arrays are
    # only as large as the result
    renumber = np.zeros(n_groups, dtype=np.int64)
    renumber[kept] = np.arange(len(kept), dtype=np.int64)
    group = renumber[group]
    size = len(kept) * (n_status + 1) * 2
    cells = np.bincount((group * (n_status + 1) + status) * 2 + direction, minlength=size)
    cells = cells.reshape(len(kept), n_status + 1, 2)
    not_direction, of_direction = cells[:, :, 0], cells[:, :, 1]
    per_status = not_direction + of_direction
    position = {code: i for i, code in enumerate(STATUS_CODES)}
    counts = {
        "n_items": per_status.sum(axis=1),
        "n_with_data": np.bincount(group[has_value], minlength=len(kept)),
        **{f"n_{code}": per_status[:, i] for i, code in enumerate(STATUS_CODES)},
        "n_lost": np.bincount(group[lost], minlength=len(kept)),
        "rate_numerator": per_status[:, position["achieved"]],
        "rate_denominator": not_direction[:, [position[c] for c in MEASURED_STATUSES]].sum(axis=1),
        "excluded_no_data": per_status[:, position["no_data"]],
        "excluded_direction": of_direction.sum(axis=1)
        - of_direction[:, [position[c] for c in _UNASSESSED]].sum(axis=1),
        "excluded_target_pending": per_status[:, position["target_pending"]],
    }
    frame = pl.DataFrame({name: np.ascontiguousarray(counts[name], dtype=np.int64) for name in _COUNTS})
    # the note depends on five counts that repeat across groups (some 70 distinct among
    # 46,000 region × unit groups): format each distinct combination once
    parts = ["rate_numerator", "rate_denominator", "excluded_no_data", "excluded_direction", "excluded_target_pending"]
    notes = frame.select(parts).unique().with_columns(_rate_note().alias("rate_note"))
    frame = frame.with_columns(_attainment_rate()).join(notes, on=parts, how="left", maintain_order="left")
    return first[kept], frame.select(AGGREGATE_COLUMNS)


def district_ranking(by_region: pl.DataFrame, district_codes: Sequence[str]) -> pl.DataFrame:
    """The districts of `by_region` ranked by 达标率 (tie-break in the module docstring).

    Columns: rank (1…; null when nothing was assessed), n_backslide (regressing + worsening),
    then every column of `by_region`.
    """
    frame = (
        by_region.filter(pl.col("region_code").is_in(list(district_codes)))
        .with_columns((pl.col("n_regressing") + pl.col("n_worsening")).alias("n_backslide"))
        .sort(
            ["attainment_rate", "rate_denominator", "n_backslide", "region_code"],
            descending=[True, True, False, False],
            nulls_last=True,
        )
    )
    ranked = pl.when(pl.col("attainment_rate").is_not_null()).then(pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    frame = frame.with_columns(ranked.alias("rank"))
    return frame.select("rank", *[c for c in frame.columns if c != "rank"])


# --- reporting completeness and timeliness ------------------------------------------------------


@dataclass(frozen=True)
class CompletenessRule:
    """Which indicator × district × year values are expected of a member unit.

    Default — the one meaning of 应报 on every page and in the return template: the unit's lead
    (牵头) indicators that have a unit of measure (the numeric ones the office collects in its
    templates; 定性 indicators are judged by the office, not reported), whatever plan they
    belong to (a unit sends one return, not one per plan); a measure both outlines list under
    one name and unit (产前筛查率) is one value, owed once; the 合计 value of every county-level
    district in scope; every year from the plan's base year to the report year. Each expected
    value then belongs to exactly one unit.
    """

    roles: tuple[str, ...] = ("lead",)
    numeric_only: bool = True
    plan_indicators_only: bool = False
    region_level: str = "county"
    one_per_measure: bool = True  # indicators sharing name and unit: one value (the first code)
    first_year: int | None = None  # None: the plan's base year

    def describe(self) -> str:
        names = {"lead": "牵头", "shared": "责任"}
        role = "、".join(names.get(r, r) for r in self.roles)
        parts = [f"成员单位{role}的指标"]
        if self.numeric_only:
            parts.append("有计量单位（数值型）")
        if self.plan_indicators_only:
            parts.append("且本规划设有目标")
        if self.one_per_measure:
            parts.append("两纲同名同单位的指标只计一次")
        return "、".join(parts) + "；每个区县、每年一个“合计”数值"


@dataclass(frozen=True)
class ReportingDeadline:
    """Values for year y are due by `month`/`day` of year y + `years_after` (default 次年3月31日)."""

    month: int = 3
    day: int = 31
    years_after: int = 1

    def due(self, year: int) -> date:
        return date(year + self.years_after, self.month, self.day)

    @classmethod
    def from_setting(cls, text: str) -> ReportingDeadline:
        """'03-31' (the return_deadline setting: month-day of the following year)."""
        try:
            month, day = (int(x) for x in text.strip().split("-"))
            date(2001, month, day)  # validates the pair
        except ValueError:
            raise ValueError(f"报送截止日设置“{text}”无效，应为 月-日，如 03-31") from None
        return cls(month=month, day=day)

    def describe(self) -> str:
        when = {0: "当年", 1: "次年"}.get(self.years_after, f"{self.years_after}年后")
        return f"{when}{self.month}月{self.day}日前报送"


DEFAULT_RULE = CompletenessRule()
DEFAULT_DEADLINE = ReportingDeadline()


def expected_cells(
    indicator_units: pl.DataFrame,
    indicators: pl.DataFrame,
    districts: Sequence[str],
    years: Sequence[int],
    *,
    rule: CompletenessRule = DEFAULT_RULE,
    plan_indicators: Sequence[str] | None = None,
) -> pl.DataFrame:
    """unit_code, indicator_code, region_code, year for every value expected under `rule`.

    `indicator_units`: indicator_code, unit_code, role, and optionally the office's duty terms
    (etl.workflow.duties): districts ('|'-separated region codes the values are owed for; null:
    every district) and deadline ('MM-DD' of the following year; null: the general deadline),
    which then comes out as a `due` column. `indicators`: indicator_code, unit (of measure).
    `plan_indicators`: the plan's indicators (used when rule.plan_indicators_only).
    """
    links = indicator_units.filter(pl.col("role").is_in(list(rule.roles)))
    name = next((c for c in ("indicator_name", "name") if c in indicators.columns), None)
    chosen = indicators.select("indicator_code", "unit", *([name] if name else []))
    if rule.one_per_measure and name:
        # the template's one row feeds every code of the measure: the first code stands for it
        chosen = chosen.sort("indicator_code").unique([name, "unit"], keep="first", maintain_order=True)
    if rule.numeric_only:
        chosen = chosen.filter(pl.col("unit").is_not_null() & (pl.col("unit").str.strip_chars() != ""))
    if rule.plan_indicators_only and plan_indicators is not None:
        chosen = chosen.filter(pl.col("indicator_code").is_in(list(plan_indicators)))
    terms = [c for c in ("districts", "deadline") if c in links.columns]
    pairs = (
        links.join(chosen.select("indicator_code"), on="indicator_code", how="semi")
        .select("unit_code", "indicator_code", *terms)
        .unique(["unit_code", "indicator_code"], keep="first", maintain_order=True)
    )
    grid = pl.DataFrame(
        {"region_code": [d for d in districts for _y in years], "year": [y for _d in districts for y in years]},
        schema={"region_code": pl.String, "year": pl.Int32},
    )
    cells = pairs.join(grid, how="cross")
    if "districts" in terms:
        owed_here = pl.col("districts").is_null() | pl.col("districts").str.split("|").list.contains(
            pl.col("region_code")
        )
        cells = cells.filter(owed_here).drop("districts")
    if "deadline" in terms:
        cells = cells.rename({"deadline": "due"})
    return cells.sort("unit_code", "indicator_code", "region_code", "year")


def completeness_cells(
    expected: pl.DataFrame,
    received: pl.DataFrame,
    *,
    deadline: ReportingDeadline = DEFAULT_DEADLINE,
    tracking_start: date | None = None,
) -> pl.DataFrame:
    """Each expected value with whether it was received and whether in time.

    `received`: indicator_code, region_code, year, first_received_at (when the submission that
    first supplied the value was loaded) for every value that currently exists. A `due` column
    of `expected` ('MM-DD', expected_cells) overrides `deadline` for its cells.
    `tracking_start`: the day returns began to be loaded here. A year whose deadline passed
    before it is history the office back-fills: no one could have sent it through this system
    in time, so its timeliness is not judged (tracked false, on_time null). Returns unit_code,
    indicator_code, region_code, year, received, first_received_at, deadline, tracked,
    on_time (null when not received or not tracked).
    """
    due = expected.select(pl.col("year").unique()).with_columns(
        pl.col("year").map_elements(deadline.due, return_dtype=pl.Date).alias("deadline")
    )
    got = received.select("indicator_code", "region_code", pl.col("year").cast(pl.Int32), "first_received_at").unique(
        ["indicator_code", "region_code", "year"], keep="first"
    )
    cells = (
        expected.with_columns(pl.col("year").cast(pl.Int32))
        .join(got, on=["indicator_code", "region_code", "year"], how="left", maintain_order="left")
        .join(due.with_columns(pl.col("year").cast(pl.Int32)), on="year", how="left", maintain_order="left")
    )
    if "due" in cells.columns:
        own = pl.date(
            pl.col("year") + deadline.years_after,
            pl.col("due").str.slice(0, 2).cast(pl.Int32, strict=False),
            pl.col("due").str.slice(3, 2).cast(pl.Int32, strict=False),
        )
        cells = cells.with_columns(
            pl.when(pl.col("due").is_not_null()).then(own).otherwise(pl.col("deadline")).alias("deadline")
        )
    return (
        cells.with_columns(
            pl.col("first_received_at").is_not_null().alias("received"),
            (pl.col("deadline") >= tracking_start if tracking_start else pl.lit(True)).alias("tracked"),
        )
        .with_columns(
            pl.when(pl.col("received") & pl.col("tracked"))
            .then(pl.col("first_received_at").cast(pl.Date) <= pl.col("deadline"))
            .alias("on_time"),
        )
        .select(
            "unit_code",
            "indicator_code",
            "region_code",
            "year",
            "received",
            "first_received_at",
            "deadline",
            "tracked",
            "on_time",
        )
    )


COMPLETENESS_COLUMNS: tuple[str, ...] = (
    "expected",
    "received",
    "missing",
    "completeness_pct",
    "tracked",
    "on_time",
    "late",
    "timeliness_pct",
)


def completeness_summary(cells: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """Per group of `by`: expected, received, missing, completeness_pct (received ÷ expected),
    tracked (expected values whose timeliness is judged), on_time, late (received after the
    deadline), timeliness_pct (on time ÷ tracked; null when nothing is tracked), percentages as
    95.2. Cells without a `tracked` column are all tracked."""
    if "tracked" not in cells.columns:
        cells = cells.with_columns(pl.lit(True).alias("tracked"))
    tracked = pl.col("tracked")
    return (
        cells.group_by(list(by), maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("expected"),
            pl.col("received").sum().cast(pl.Int64).alias("received"),
            tracked.sum().cast(pl.Int64).alias("tracked"),
            pl.col("on_time").fill_null(False).sum().cast(pl.Int64).alias("on_time"),
            (pl.col("received") & tracked & ~pl.col("on_time").fill_null(False)).sum().cast(pl.Int64).alias("late"),
        )
        .with_columns(
            (pl.col("expected") - pl.col("received")).alias("missing"),
            pl.when(pl.col("expected") > 0)
            .then(pl.col("received") / pl.col("expected") * 100.0)
            .alias("completeness_pct"),
            pl.when(pl.col("tracked") > 0).then(pl.col("on_time") / pl.col("tracked") * 100.0).alias("timeliness_pct"),
        )
        .select(*by, *COMPLETENESS_COLUMNS)
        .sort(list(by))
    )
