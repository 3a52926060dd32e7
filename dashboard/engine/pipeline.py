"""The one call pages make: `run(db_path, plan, report_year)` → a frozen ProgressResult.

Loads the inputs with a handful of read-only queries (dashboard.queries.db), hands the frames to the
pure functions (dashboard.engine.targets, dashboard.engine.progress, dashboard.engine.aggregate), joins names and
labels, and returns everything a page needs for a plan and a year: the per-item table, the
aggregates, the completeness tables and the inputs themselves, so a page never recomputes
and can always show why an item has its status.

Scope: `region=None` evaluates every region in the database (全国 100000 included, as the
national reference); `region="370300"` evaluates that region and everything below it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from dashboard.engine import aggregate, current, labels, levels, progress, publication, targets
from dashboard.queries import db
from etl.core import bounds, settings
from etl.workflow import duties

# The display columns joined beside a code column, in the order they follow it.
_LABEL_COLUMNS = {
    "status": ("status_label", "status_colour", "status_order", "status_symbol", "status_shape"),
    "growth_category": ("growth_label",),
}
_RULE_COLUMNS = progress.RESULT_COLUMNS[progress.RESULT_COLUMNS.index("target_year") + 1 :]

ITEM_COLUMNS: tuple[str, ...] = (
    "plan_code",
    "report_year",
    "indicator_code",
    "indicator_name",
    "outline",
    "domain",
    "unit",
    "decimals",
    "lead_unit_code",
    "lead_unit",
    "region_code",
    "region_name",
    "region_level",
    "breakdown",
    *progress.TARGET_CORE,
    "target_text",
    "target_source",
    "target_source_url",
    "target_verified",
    "target_is_sample",
    "target_region_code",
    "target_scope",
    # then everything the rules computed, each code followed by its display columns
    *(c for column in _RULE_COLUMNS for c in (column, *_LABEL_COLUMNS.get(column, ()))),
    # publication.STATE_REVIEWED / STATE_PENDING of the latest value; null without one
    "review_state",
)

# Column types worth knowing: status is an Enum of progress.STATUS_CODES (ordered) and
# growth_category an Enum of progress.GROWTH_CATEGORIES; the display text joined from small
# tables (indicator_name, outline, domain, unit, lead_unit, region_name, status_label,
# status_colour, status_symbol, status_shape, growth_label) is Categorical; codes are String.
# Everything else follows dashboard.engine.progress.RESULT_COLUMNS and dashboard.engine.targets.

PLAN_ALIASES_HELP = "规划可写代码或名称：liangang/两纲、lianggui/两规、fyp14/十四五"


class EngineError(ValueError):
    """A request the engine cannot answer (unknown plan, bad year, unknown region); Chinese message."""


@dataclass(frozen=True)
class PlanInfo:
    code: str
    name: str
    full_name: str
    scope: str
    base_year: int
    target_year: int


@dataclass(frozen=True)
class ProgressResult:
    """Everything computed for one plan, report year, scope and label set.

    items: one row per indicator × region × breakdown (ITEM_COLUMNS): every 合计 item in
        catalogue order of indicators, then scope order of regions; then the breakdown items
        (城镇/农村, 女/男 …) in the same order.
    by_region / by_domain / by_outline / by_unit: status counts and 达标率
        (aggregate.GROUPINGS keys and attributes + aggregate.AGGREGATE_COLUMNS), 合计 rows only.
    ranking: the level below the region in scope (its cities for a province, its counties for
        a city; every county when region is None) ranked by 达标率 (levels.ranking: own items,
        or a labelled roll-up for a region without assessed items of its own).
    completeness: unit × district × year (unit_code, unit_name, region_code, region_name,
        year, deadline, + aggregate.COMPLETENESS_COLUMNS); completeness_by_unit: unit × year;
        completeness_cells: every expected value (aggregate.completeness_cells + names).
    observations / targets: the inputs (current values ≤ report year of the plan's indicators
        in scope; resolved targets), for "why is this red".
    labels / growth_labels: the label set used (status → label, colour, order, symbol, shape).
    """

    plan: PlanInfo
    report_year: int
    region: str | None
    label_set: str
    label_set_name: str
    items: pl.DataFrame
    by_region: pl.DataFrame
    by_domain: pl.DataFrame
    by_outline: pl.DataFrame
    by_unit: pl.DataFrame
    ranking: pl.DataFrame
    completeness: pl.DataFrame
    completeness_by_unit: pl.DataFrame
    completeness_cells: pl.DataFrame
    observations: pl.DataFrame
    targets: pl.DataFrame
    labels: pl.DataFrame
    growth_labels: pl.DataFrame
    rate_rule: str
    growth_method: str
    completeness_rule: str
    deadline_rule: str
    snapshot: str
    sample_data: bool
    sample_targets: bool
    config: progress.ProgressConfig = field(default=progress.DEFAULT_CONFIG)
    tracking_start: date | None = None  # first return loaded here (engine.tracking_start)
    basis: str = publication.ALL  # which values count (dashboard.engine.publication)
    # every domain of the catalogue in catalogue order (local indicators sit in the outlines'
    # domains), whether the plan has items in it or not
    domains: tuple[str, ...] = ()
    pending_values: int = 0  # current values in scope ≤ report year still 待审核 (counted or not)
    # the regions in scope (levels.TREE_COLUMNS), for walking from a region to the level below
    regions: pl.DataFrame | None = None

    @property
    def basis_caption(self) -> str:
        return publication.basis_caption(self.basis, self.pending_values)

    def item(self, indicator_code: str, region_code: str, breakdown: str = progress.TOTAL) -> dict[str, Any] | None:
        """One item's row as a dict (None when there is no such item)."""
        rows = self.items.filter(
            (pl.col("indicator_code") == indicator_code)
            & (pl.col("region_code") == region_code)
            & (pl.col("breakdown") == breakdown)
        )
        return rows.row(0, named=True) if rows.height else None

    def series(self, indicator_code: str, region_code: str, breakdown: str = progress.TOTAL) -> pl.DataFrame:
        """The values the item's status rests on: year, value, revision, submission_id, is_sample."""
        return self.observations.filter(
            (pl.col("indicator_code") == indicator_code)
            & (pl.col("region_code") == region_code)
            & (pl.col("breakdown") == breakdown)
        ).sort("year")


# --- loading ----------------------------------------------------------------------------------


def plans(db_path: Path) -> pl.DataFrame:
    """The plans: code, name, full_name, scope, base_year, target_year."""
    return db.query(db_path, "SELECT code, name, full_name, scope, base_year, target_year FROM plan ORDER BY rowid")


def plan_info(db_path: Path, plan: str) -> PlanInfo:
    """A plan by code (liangang) or Chinese name (两纲); unknown plans are an EngineError."""
    frame = plans(db_path)
    wanted = plan.strip()
    match = frame.filter((pl.col("code") == wanted.lower()) | (pl.col("name") == wanted))
    if match.height == 0:
        known = "、".join(f"{c}/{n}" for c, n in frame.select("code", "name").iter_rows())
        raise EngineError(f"未知规划：{plan}（可用：{known}）")
    row = match.row(0, named=True)
    return PlanInfo(
        code=row["code"],
        name=row["name"],
        full_name=row["full_name"],
        scope=row["scope"],
        base_year=int(row["base_year"]),
        target_year=int(row["target_year"]),
    )


def _scope(regions: pl.DataFrame, region: str | None) -> list[str]:
    codes = regions.get_column("code").to_list()
    if region is None:
        return codes
    if region not in codes:
        raise EngineError(f"未知地区代码：{region}")
    if regions.filter(pl.col("code") == region).item(0, "level") == "country":
        # 全国 figures are national reference values, never a roll-up of the build's regions: a
        # national run covers the country alone, also where a province hangs below it
        return [region]
    children: dict[str, list[str]] = {}
    for code, parent in regions.select("code", "parent_code").iter_rows():
        children.setdefault(parent, []).append(code)
    scope, stack = [], [region]
    while stack:
        code = stack.pop()
        scope.append(code)
        stack.extend(children.get(code, []))
    order = {c: i for i, c in enumerate(codes)}
    return sorted(scope, key=order.__getitem__)


_SQL_INDICATORS = """
SELECT i.code AS indicator_code, i.name AS indicator_name, i.outline, i.domain, i.unit, i.decimals,
       i.direction, i.plausible_min, i.plausible_max, lead.unit_code AS lead_unit_code,
       mu.name AS lead_unit
FROM indicator i
LEFT JOIN indicator_unit lead ON lead.indicator_code = i.code AND lead.role = 'lead'
LEFT JOIN member_unit mu ON mu.code = lead.unit_code
ORDER BY i.rowid
"""


# the submission that first supplied each value: the earliest one that still counts
_SQL_FIRST_RECEIVED = f"""
SELECT o.indicator_code, o.region_code, o.year, min(s.loaded_at) AS first_received_at
FROM observation o JOIN submission_counted s ON s.id = o.submission_id
WHERE o.breakdown = '{progress.TOTAL}'
  AND o.year BETWEEN $first AND $year AND list_contains($regions, o.region_code)
GROUP BY ALL
"""


def tracking_start(db_path: Path) -> date | None:
    """The day the first member-unit return was loaded here; deadlines that passed before it
    belong to history the office back-filled, whose timeliness is not judged."""
    value = db.scalar(db_path, "SELECT min(loaded_at) FROM submission WHERE kind = 'return' AND status = 'loaded'")
    return value.date() if value is not None else None


def _aggregates(
    items: pl.DataFrame, keys: _ItemKeys, regions: pl.DataFrame, indicators: pl.DataFrame
) -> dict[str, pl.DataFrame]:
    """The four aggregate tables (aggregate.GROUPINGS), with names joined from small tables.

    Every grouping is region × attributes of the indicator, so each 合计 item gets an integer
    group number from its region's scope position and the indicator's catalogue row, and the
    counting is numpy bincount (aggregate.grouped_status_counts) instead of a polars group_by
    on strings; the key columns are read from each group's first item.
    """
    total = np.flatnonzero((items.get_column("breakdown") == progress.TOTAL).fill_null(False).to_numpy())
    status, direction, lost, has_value = aggregate.status_codes(
        items.select("status", "target_kind", "lost", "latest_value")[total]
    )
    region = keys.scope[total]
    indicator = keys.indicator[total]
    names = {
        "region_code": regions.select(
            pl.col("code").alias("region_code"),
            pl.col("name").alias("region_name"),
            pl.col("level").alias("region_level"),
        ),
        "lead_unit_code": indicators.select("lead_unit_code", "lead_unit").unique("lead_unit_code", keep="first"),
    }
    out = {}
    for name, (group_keys, attributes) in aggregate.GROUPINGS.items():
        of_row, n_combos = _combinations(keys.indicator_table, [k for k in group_keys if k != "region_code"])
        first, counts = aggregate.grouped_status_counts(
            status, direction, lost, has_value, region * n_combos + of_row[indicator], keys.n_scope * n_combos
        )
        frame = items.select(group_keys)[total[first]].hstack(counts)
        for key in group_keys:
            if key in names:
                frame = frame.join(names[key], on=key, how="left", maintain_order="left", nulls_equal=True)
        out[name] = frame.select(*group_keys, *attributes, *aggregate.AGGREGATE_COLUMNS)
    return out


def _combinations(table: pl.DataFrame, columns: list[str]) -> tuple[np.ndarray, int]:
    """A number per row of `table` (plus one for "not in the table", all nulls) that is the
    same exactly when the `columns` values are (null equals null, as in a group_by), and how
    many numbers there are."""
    values = [table.get_column(c).to_list() + [None] for c in columns] or [[None] * (table.height + 1)]
    numbers: dict[tuple[Any, ...], int] = {}
    of_row = [numbers.setdefault(combination, len(numbers)) for combination in zip(*values, strict=True)]
    return np.asarray(of_row, dtype=np.int64), len(numbers)


@dataclass(frozen=True)
class _ItemKeys:
    """Dense integer keys of the items, made once from the two code columns and shared by the
    name lookups and the aggregates (turning 370,000 strings into numbers is the costly part).

    indicator: row of the item's indicator in indicator_table (the catalogue, one row per
        code); indicator_table.height when the catalogue does not have it.
    scope: position of the item's region in the scope (items are made for scope regions only).
    region_row: row of the item's region in region_table; region_table.height when absent.
    """

    indicator_table: pl.DataFrame
    indicator: np.ndarray
    n_scope: int
    scope: np.ndarray
    region_table: pl.DataFrame
    region_row: np.ndarray

    @classmethod
    def of(cls, items: pl.DataFrame, indicators: pl.DataFrame, regions: pl.DataFrame, scope: list[str]) -> _ItemKeys:
        indicator_table = indicators.unique("indicator_code", keep="first", maintain_order=True)
        region_table = regions.rename({"code": "region_code"}).unique("region_code", keep="first", maintain_order=True)
        scope_codes = pl.Series(list(dict.fromkeys(scope)), dtype=pl.String)
        in_scope = _positions(items.get_column("region_code"), scope_codes)
        if in_scope.size and in_scope.max() >= len(scope_codes):
            raise ValueError("计算项的地区不在评估范围内")
        region_of_scope = _positions(scope_codes, region_table.get_column("region_code"))
        # the items come in long runs of one indicator: look each run up once
        runs = items.get_column("indicator_code").rle().struct.unnest()
        of_run = _positions(runs.get_column("value"), indicator_table.get_column("indicator_code"))
        return cls(
            indicator_table=indicator_table,
            indicator=np.repeat(of_run, runs.get_column("len").to_numpy()),
            n_scope=len(scope_codes),
            scope=in_scope,
            region_table=region_table,
            region_row=region_of_scope[in_scope],
        )


@dataclass(frozen=True)
class Computed:
    """The database-free part of a run: resolved targets, items, aggregates, ranking."""

    targets: pl.DataFrame
    items: pl.DataFrame
    by_region: pl.DataFrame
    by_domain: pl.DataFrame
    by_outline: pl.DataFrame
    by_unit: pl.DataFrame
    ranking: pl.DataFrame
    districts: list[str]


def compute(
    info: PlanInfo,
    report_year: int,
    *,
    regions: pl.DataFrame,
    indicators: pl.DataFrame,
    raw_targets: pl.DataFrame,
    observations: pl.DataFrame,
    scope: list[str],
    status_labels: pl.DataFrame,
    growth_labels: pl.DataFrame,
    config: progress.ProgressConfig = progress.DEFAULT_CONFIG,
    district_level: str = "county",
    indicator_codes: Sequence[str] | None = None,
    region_codes: Sequence[str] | None = None,
    region: str | None = None,
) -> Computed:
    """Targets → items → aggregates from frames already loaded (what `run` does after its
    queries; the benchmark calls it on a synthetic national dataset).

    regions: code, name, level, parent_code; indicators: the _SQL_INDICATORS columns in
    catalogue order; raw_targets: target-table rows of the plan; observations: current values
    (see dashboard.engine.progress); scope: the region codes to evaluate, in display order;
    indicator_codes / region_codes: when the observations carry indicator_index / region_index
    (as current.for_run gives them), the lists they index (progress.year_matrix); region: the
    root of the scope, whose level below is ranked (levels.ranked_level).
    """
    resolved = _resolved_targets(info, raw_targets, indicators, regions, scope)
    evaluated = progress.compute_progress(
        observations,
        resolved,
        indicators,
        base_year=info.base_year,
        report_year=report_year,
        config=config,
        indicator_codes=indicator_codes,
        region_codes=region_codes,
    )
    keys = _ItemKeys.of(evaluated, indicators, regions, scope)
    items = _decorate(evaluated, keys, status_labels, growth_labels, info, report_year)
    items = _with_review_state(items, observations)
    groupings = _aggregates(items, keys, regions, indicators)
    in_scope = set(scope)
    districts = [
        code
        for code, level in regions.select("code", "level").iter_rows()
        if code in in_scope and level == district_level
    ]
    return Computed(
        targets=resolved,
        items=items,
        by_region=groupings["by_region"],
        by_domain=groupings["by_domain"],
        by_outline=groupings["by_outline"],
        by_unit=groupings["by_unit"],
        ranking=levels.ranking(
            groupings["by_region"], items, regions, levels.ranked_level(regions, region, scope, district_level)
        ),
        districts=districts,
    )


# --- run ----------------------------------------------------------------------------------------

_SQL_REGIONS = "SELECT code, name, short_name, level, parent_code FROM region ORDER BY code"


def _raw_targets(db_path: Path, info: PlanInfo, report_year: int) -> pl.DataFrame:
    """The plan's target rows with interim targets. target_effective: the shipped targets with
    the office's latest revisions."""
    return targets.with_interim_targets(
        db.query(db_path, "SELECT * FROM target_effective WHERE plan_code = $plan", {"plan": info.code}),
        db.query(db_path, "SELECT * FROM target_effective WHERE plan_code <> $plan", {"plan": info.code}),
        plan_target_year=info.target_year,
        report_year=report_year,
    )


def _resolved_targets(
    info: PlanInfo, raw_targets: pl.DataFrame, indicators: pl.DataFrame, regions: pl.DataFrame, scope: list[str]
) -> pl.DataFrame:
    # target rows in catalogue order, so the items come out by indicator (catalogue order),
    # then region (scope order)
    catalogue_order = indicators.select("indicator_code").with_row_index("_cat")
    ordered = (
        raw_targets.join(catalogue_order, on="indicator_code", how="left")
        .sort("_cat", nulls_last=True, maintain_order=True)
        .drop("_cat")
    )
    return targets.resolve_targets(
        ordered, regions, plan_code=info.code, plan_target_year=info.target_year, region_codes=scope
    )


@dataclass(frozen=True)
class PlanTargets:
    """A plan's targets for every region of a scope, resolved as `run` resolves them (the same
    `targets` frame a ProgressResult carries), without evaluating any value: what a companion
    plan's column of the 中期评估 table needs."""

    plan: PlanInfo
    targets: pl.DataFrame


def resolved_plan_targets(db_path: Path, plan: str, report_year: int, region: str | None = None) -> PlanTargets:
    """The targets `run(db_path, plan, report_year, region)` would judge against; raises
    EngineError like run for an unknown plan or region or a year outside the plan."""
    db_path = Path(db_path)
    info = _plan_for_year(db_path, plan, report_year)
    regions = db.query(db_path, _SQL_REGIONS)
    indicators = bounds.with_bounds(db.query(db_path, _SQL_INDICATORS))
    raw = _raw_targets(db_path, info, report_year)
    return PlanTargets(info, _resolved_targets(info, raw, indicators, regions, _scope(regions, region)))


def run(
    db_path: Path,
    plan: str,
    report_year: int,
    region: str | None = None,
    label_set: str = "default",
    *,
    config: progress.ProgressConfig = progress.DEFAULT_CONFIG,
    completeness_rule: aggregate.CompletenessRule = aggregate.DEFAULT_RULE,
    deadline: aggregate.ReportingDeadline | None = None,
    label_config: labels.LabelConfig | None = None,
    basis: str | None = None,
) -> ProgressResult:
    """Compute everything for `plan` (code or Chinese name) and `report_year`.

    basis: publication.REVIEWED or ALL; None applies the publication rule (publication.resolve_basis).
    """
    db_path = Path(db_path)
    try:
        basis = publication.resolve_basis(basis)
    except publication.PublicationError as exc:
        raise EngineError(str(exc)) from exc
    snapshot = db.snapshot_id(db_path)
    info = _plan_for_year(db_path, plan, report_year)
    label_config = label_config or labels.load_labels()
    # the office sets its deadline once (return_deadline); the upload/review pages read the same setting
    deadline = deadline or aggregate.ReportingDeadline.from_setting(settings.get("return_deadline"))
    chosen = label_config.label_set(label_set)
    inputs = _RunInputs.load(db_path, info, report_year, region, basis)
    status_labels, growth_labels = chosen.frame(), label_config.growth_frame()
    computed = compute(
        info,
        report_year,
        regions=inputs.regions,
        indicators=inputs.indicators,
        raw_targets=inputs.raw_targets,
        observations=inputs.observations,
        scope=inputs.scope,
        status_labels=status_labels,
        growth_labels=growth_labels,
        config=config,
        district_level=completeness_rule.region_level,
        indicator_codes=inputs.plan_indicators,
        region_codes=inputs.scope,
        region=region,
    )
    started = tracking_start(db_path)
    completeness = _completeness(
        db_path,
        info,
        report_year,
        computed.districts,
        inputs.indicators,
        computed.targets,
        inputs.regions,
        completeness_rule,
        deadline,
        started,
    )
    return _result(
        computed,
        inputs,
        completeness,
        plan=info,
        report_year=report_year,
        region=region,
        label_set=chosen.key,
        label_set_name=chosen.name,
        labels=status_labels,
        growth_labels=growth_labels,
        growth_method=label_config.international_title or progress.GROWTH_METHOD_LABEL,
        completeness_rule=completeness_rule.describe(),
        deadline_rule=_deadline_rule(deadline, started),
        snapshot=snapshot,
        config=config,
        tracking_start=started,
        basis=basis,
    )


def _result(
    computed: Computed,
    inputs: _RunInputs,
    completeness: tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame],
    **settled: Any,
) -> ProgressResult:
    """The engine's answer: the computed tables, the inputs the pages read again (the series,
    the regions in scope) and the run's `settled` choices (plan, year, labels, rules…)."""
    cells, summary, by_unit_year = completeness
    items, resolved = computed.items, computed.targets
    return ProgressResult(
        items=items,
        by_region=computed.by_region,
        by_domain=computed.by_domain,
        by_outline=computed.by_outline,
        by_unit=computed.by_unit,
        ranking=computed.ranking,
        completeness=summary,
        completeness_by_unit=by_unit_year,
        completeness_cells=cells,
        # readers filter one series and sort it (series, indicator_detail)
        observations=inputs.observations.drop("indicator_index", "region_index"),
        targets=resolved,
        rate_rule=aggregate.RATE_RULE,
        sample_data=bool(items.get_column("data_is_sample").any()) if items.height else False,
        sample_targets=bool(resolved.get_column("target_is_sample").fill_null(False).any())
        if resolved.height
        else False,
        pending_values=inputs.pending_values,
        regions=inputs.regions.filter(pl.col("code").is_in(inputs.scope)),
        domains=tuple(inputs.indicators.get_column("domain").unique(maintain_order=True).drop_nulls().to_list()),
        **settled,
    )


def _plan_for_year(db_path: Path, plan: str, report_year: int) -> PlanInfo:
    info = plan_info(db_path, plan)
    if not isinstance(report_year, int) or not info.base_year <= report_year <= info.target_year:
        raise EngineError(
            f"报告年份 {report_year} 无效：{info.name}的报告年份应在 {info.base_year}—{info.target_year} 年之间"
        )
    return info


@dataclass(frozen=True)
class _RunInputs:
    """What a run reads from the database: regions and the scope, the catalogue, the plan's
    targets (interim ones included) and the current values of its indicators in scope."""

    regions: pl.DataFrame
    scope: list[str]
    indicators: pl.DataFrame
    raw_targets: pl.DataFrame
    plan_indicators: list[str]
    observations: pl.DataFrame  # with indicator_index / region_index (positions in the two lists)
    pending_values: int  # values awaiting review, whether or not the basis leaves them out

    @classmethod
    def load(cls, db_path: Path, info: PlanInfo, report_year: int, region: str | None, basis: str) -> _RunInputs:
        regions = db.query(db_path, _SQL_REGIONS)
        scope = _scope(regions, region)
        indicators = bounds.with_bounds(db.query(db_path, _SQL_INDICATORS))
        raw_targets = _raw_targets(db_path, info, report_year)
        plan_indicators = sorted(set(raw_targets.get_column("indicator_code").drop_nulls().to_list()))
        observations = current.for_run(db_path, report_year, plan_indicators, scope)
        pending_values = publication.pending_count(observations)
        observations = publication.counted(observations, basis)
        return cls(regions, scope, indicators, raw_targets, plan_indicators, observations, pending_values)


def _deadline_rule(deadline: aggregate.ReportingDeadline, started: date | None) -> str:
    """The deadline as the pages describe it, and from when timeliness is judged."""
    if not started:
        return deadline.describe()
    since = f"{started.year}年{started.month}月{started.day}日"
    return deadline.describe() + f"；{since}起在本系统报送，此前已过截止日的年份为历史补录，不计及时率"


def _positions(keys: pl.Series, codes: pl.Series) -> np.ndarray:
    """Position of each key in `codes` (unique), len(codes) where it has none (or is null)."""
    codes = codes.cast(pl.String)
    if isinstance(keys.dtype, pl.Enum) and keys.dtype.categories.to_list() == codes.to_list():
        position = keys.to_physical()  # the Enum's order is the table's order
    else:
        position = keys.cast(pl.String).cast(pl.Enum(codes), strict=False).to_physical()
    return position.cast(pl.Int64).fill_null(len(codes)).to_numpy()


def _gather(values: pl.DataFrame, position: np.ndarray, categorical: tuple[str, ...] = ()) -> pl.DataFrame:
    """The rows of `values` at `position`, nulls where the position is values.height. A gather
    by position instead of a join, so the wide item frame is never copied: the new columns are
    stacked beside it."""
    # Display text (names, labels) becomes Categorical: a handful of distinct names repeated
    # over hundreds of thousands of items is what Categorical is for, and gathering it moves
    # integers, not text. Codes stay String.
    values = values.with_columns(pl.col(list(categorical)).cast(pl.Categorical))
    # one extra all-null row at the end for keys the table does not have; in one chunk, since
    # gathering strings from two chunks costs several times more
    padded = pl.concat([values, values.clear(1)], rechunk=True)
    return padded[position]


def _lookup(keys: pl.Series, table: pl.DataFrame, key: str, categorical: tuple[str, ...] = ()) -> pl.DataFrame:
    """The rows of `table` (without `key`) matching each value of `keys`, in order; nulls where
    nothing matches."""
    table = table.unique(key, keep="first", maintain_order=True)
    return _gather(table.drop(key), _positions(keys, table.get_column(key)), categorical)


def _decorate(
    computed: pl.DataFrame,
    keys: _ItemKeys,
    status_labels: pl.DataFrame,
    growth_labels: pl.DataFrame,
    info: PlanInfo,
    report_year: int,
) -> pl.DataFrame:
    names = keys.indicator_table.select(
        "indicator_name", "outline", "domain", "unit", "decimals", "lead_unit_code", "lead_unit"
    )
    region_names = keys.region_table.select(pl.col("name").alias("region_name"), pl.col("level").alias("region_level"))
    added = pl.concat(
        [
            _gather(names, keys.indicator, ("indicator_name", "outline", "domain", "unit", "lead_unit")),
            _gather(region_names, keys.region_row, ("region_name",)),
            _lookup(
                computed.get_column("status"),
                status_labels,
                "status",
                ("status_label", "status_colour", "status_symbol", "status_shape"),
            ),
            _lookup(
                computed.get_column("growth_category"),
                growth_labels.select("growth_category", "growth_label"),
                "growth_category",
                ("growth_label",),
            ),
        ],
        how="horizontal",
    )
    return (
        computed.hstack(added)
        .with_columns(pl.lit(info.code).alias("plan_code"), pl.lit(report_year, dtype=pl.Int32).alias("report_year"))
        .select(ITEM_COLUMNS[:-1])
    )


def _with_review_state(items: pl.DataFrame, observations: pl.DataFrame) -> pl.DataFrame:
    """The review state of each item's latest value (publication rule), as the last column."""
    if "review_state" not in observations.columns:
        return items.with_columns(pl.lit(None, dtype=pl.String).alias("review_state"))
    keys = ["indicator_code", "region_code", "breakdown", "latest_year"]
    states = observations.select(
        pl.col("indicator_code").cast(pl.String),
        pl.col("region_code").cast(pl.String),
        pl.col("breakdown").cast(pl.String),
        pl.col("year").cast(items.schema["latest_year"]).alias("latest_year"),
        pl.col("review_state").cast(pl.String),
    ).unique(keys, keep="last")
    return items.join(states, on=keys, how="left", maintain_order="left")


def _completeness(
    db_path: Path,
    info: PlanInfo,
    report_year: int,
    districts: list[str],
    indicators: pl.DataFrame,
    resolved: pl.DataFrame,
    regions: pl.DataFrame,
    rule: aggregate.CompletenessRule,
    deadline: aggregate.ReportingDeadline,
    started: date | None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    first = rule.first_year if rule.first_year is not None else info.base_year
    years = list(range(first, report_year + 1))
    units = db.query(db_path, "SELECT code AS unit_code, name AS unit_name, rowid AS unit_order FROM member_unit")
    # the office's duties: who owes each indicator, for which districts, by when
    links = db.query(db_path, duties.LINKS_SQL)
    expected = aggregate.expected_cells(
        links,
        indicators,
        districts,
        years,
        rule=rule,
        plan_indicators=resolved.get_column("indicator_code").unique().to_list(),
    )
    # a value counts as received only while it is current (a withdrawn one no longer counts):
    # the query reads submission_counted, the submissions observation_current takes its latest
    # revisions from, so every value it finds has a current value
    received = db.query(
        db_path,
        _SQL_FIRST_RECEIVED,
        {"first": first, "year": report_year, "regions": districts},
    )
    cells = aggregate.completeness_cells(expected, received, deadline=deadline, tracking_start=started)
    region_names = regions.select(pl.col("code").alias("region_code"), pl.col("name").alias("region_name"))
    unit_names = units.select("unit_code", "unit_name")
    # a unit may owe indicators of other plans too: their names come from the whole catalogue
    indicator_names = indicators.select("indicator_code", pl.col("indicator_name").cast(pl.String))
    cells = (
        cells.join(unit_names, on="unit_code", how="left", maintain_order="left")
        .join(region_names, on="region_code", how="left", maintain_order="left")
        .join(indicator_names, on="indicator_code", how="left", maintain_order="left")
    )
    summary = aggregate.completeness_summary(
        cells, ["unit_code", "unit_name", "region_code", "region_name", "year", "deadline"]
    )
    by_unit = aggregate.completeness_summary(cells, ["unit_code", "unit_name", "year", "deadline"])
    order = units.select("unit_code", "unit_order")

    def in_unit_order(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
        return frame.join(order, on="unit_code", how="left").sort(["unit_order", *keys]).drop("unit_order")

    return (
        in_unit_order(cells, ["indicator_code", "region_code", "year"]),
        in_unit_order(summary, ["region_code", "year"]),
        in_unit_order(by_unit, ["year"]),
    )


def result_summary(result: ProgressResult) -> Mapping[str, Any]:
    """Headline numbers of a result, for logs and the command line."""
    totals = result.items.filter(pl.col("breakdown") == progress.TOTAL)
    return {
        "plan": result.plan.code,
        "report_year": result.report_year,
        "items": result.items.height,
        "indicators": totals.get_column("indicator_code").n_unique(),
        "regions": totals.get_column("region_code").n_unique(),
        "status_counts": dict(totals.group_by("status").len().iter_rows()),
    }
