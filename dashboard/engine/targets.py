"""Target resolution: which target row applies to plan p in region r.

The `target` table holds rows for a plan × indicator × region (NULL = every region) × target
year. For region r the most specific row wins: r's own row, else the row of its nearest
ancestor along the `parent_code` chain, else the all-region (NULL) row. The chain follows
`region.parent_code` for as long as the region table knows the code; a parent code that is
not itself a row (淄博 370300's province 370000 when only 淄博 is loaded) is still tried,
then the chain stops. 全国 (100000) is an ancestor only where a parent_code says so: the
national rows in the catalogue (e.g. "约100个城市") are about the country as a whole and must
not become every county's target.

When an indicator has rows for several target years in a plan, the row for the plan's
target year is used, else the latest target year.

Sample targets (`is_sample`, 示例目标) resolve like any other and keep their flag, so pages
can say 示例目标 next to them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

# Depth given to the all-region row: deeper than any real parent chain.
ALL_REGIONS_DEPTH = 1_000_000

# target table column → resolved column
RENAMES: dict[str, str] = {
    "kind": "target_kind",
    "value": "target_value",
    "band_low": "target_band_low",
    "band_high": "target_band_high",
    "tolerance": "target_tolerance",
    "target_year": "target_year",
    "target_text": "target_text",
    "source": "target_source",
    "source_url": "target_source_url",
    "verified": "target_verified",
    "is_sample": "target_is_sample",
    "note": "target_note",
}
SCOPE_OWN, SCOPE_ANCESTOR, SCOPE_ALL = "own", "ancestor", "all"

RESOLVED_COLUMNS: tuple[str, ...] = (
    "indicator_code",
    "region_code",
    *RENAMES.values(),
    "target_region_code",
    "target_scope",
)


def ancestor_chains(regions: pl.DataFrame, region_codes: Sequence[str] | None = None) -> pl.DataFrame:
    """region_code, ancestor_code, depth (0 = the region itself, 1 = its parent, …)."""
    parents = regions.select(pl.col("code").alias("ancestor_code"), pl.col("parent_code")).unique("ancestor_code")
    codes = list(dict.fromkeys(region_codes)) if region_codes is not None else regions.get_column("code").to_list()
    level = pl.DataFrame(
        {"region_code": codes, "ancestor_code": codes}, schema={"region_code": pl.String, "ancestor_code": pl.String}
    )
    levels = [level.with_columns(pl.lit(0, dtype=pl.Int64).alias("depth"))]
    # one join per level of the parent chain; a cycle in the data stops after as many steps as
    # there are regions
    for depth in range(1, regions.height + 2):
        level = (
            level.join(parents, on="ancestor_code", how="inner")
            .filter(pl.col("parent_code").is_not_null())
            .select("region_code", pl.col("parent_code").alias("ancestor_code"))
        )
        if level.height == 0:
            break
        levels.append(level.with_columns(pl.lit(depth, dtype=pl.Int64).alias("depth")))
    chains = pl.concat(levels)
    # a region seen again up its own chain (bad data) ends the chain there
    return chains.unique(["region_code", "ancestor_code"], keep="first", maintain_order=True)


def resolve_targets(
    targets: pl.DataFrame,
    regions: pl.DataFrame,
    *,
    plan_code: str | None = None,
    plan_target_year: int | None = None,
    region_codes: Sequence[str] | None = None,
) -> pl.DataFrame:
    """One target row per indicator × region (RESOLVED_COLUMNS), for every region in
    `region_codes` (default: every region in `regions`) that some row applies to.

    `targets` has the columns of the target table (plan_code, indicator_code, region_code,
    target_year, kind, value, band_low, band_high, tolerance, target_text, source, source_url,
    verified, is_sample, note; the descriptive ones may be absent). `regions` has code and
    parent_code. Rows come out in the order indicators first appear in `targets`, then in the
    order of `region_codes`.
    """
    codes = list(dict.fromkeys(region_codes if region_codes is not None else regions.get_column("code").to_list()))
    rows, n_indicators = _one_year_per_row(targets, plan_code, plan_target_year)
    # Resolution works on narrow frames (target row number × region); the descriptive columns
    # are gathered from the few target rows once at the end, which keeps a national run
    # (2,875 counties × 150 indicators) cheap in time and memory.
    resolved = _nearest_rows(rows.select("_row", "_ind_order", "region_code"), regions, codes, n_indicators)
    # one chunk: gathering strings from a chunked frame costs several times more
    wide = rows.select("indicator_code", pl.col("region_code").alias("target_region_code"), *RENAMES).rechunk()
    return (
        resolved.select("region_code", "depth")
        .hstack(wide[resolved.get_column("_row").to_numpy()])
        .with_columns(
            pl.when(pl.col("depth") == 0)
            .then(pl.lit(SCOPE_OWN))
            .when(pl.col("depth") >= ALL_REGIONS_DEPTH)
            .then(pl.lit(SCOPE_ALL))
            .otherwise(pl.lit(SCOPE_ANCESTOR))
            .alias("target_scope")
        )
        .rename(RENAMES)
        .select(RESOLVED_COLUMNS)
    )


def _one_year_per_row(
    targets: pl.DataFrame, plan_code: str | None, plan_target_year: int | None
) -> tuple[pl.DataFrame, int]:
    """The plan's target rows, one target year per indicator × region row (the plan's, else the
    latest), numbered (_row) and with their indicator's order of first appearance (_ind_order);
    and how many indicators there are."""
    rows = targets
    if plan_code is not None and "plan_code" in rows.columns:
        rows = rows.filter(pl.col("plan_code") == plan_code)
    for column in RENAMES:
        if column not in rows.columns:
            rows = rows.with_columns(pl.lit(None).alias(column))
    indicator_order = rows.get_column("indicator_code").unique(maintain_order=True)
    rows = rows.with_columns(
        pl.col("indicator_code").cast(pl.Enum(indicator_order)).to_physical().cast(pl.Int64).alias("_ind_order"),
        (
            (pl.col("target_year") == plan_target_year).fill_null(False)
            if plan_target_year is not None
            else pl.lit(False)
        ).alias("_plan_year"),
    )
    rows = (
        rows.sort(
            ["_ind_order", "region_code", "_plan_year", "target_year"],
            descending=[False, False, True, True],
            nulls_last=True,
        )
        .unique(["indicator_code", "region_code"], keep="first", maintain_order=True)
        .with_row_index("_row")
    )
    return rows, len(indicator_order)


def _nearest_rows(narrow: pl.DataFrame, regions: pl.DataFrame, codes: list[str], n_indicators: int) -> pl.DataFrame:
    """Per indicator × region in `codes` that some row applies to: the region, the depth of the
    nearest row (0 its own, up the parent chain, ALL_REGIONS_DEPTH an all-region row) and that
    row's number, in indicator-then-region order."""
    region_enum = pl.Enum(codes)
    n_regions = len(codes)
    chains = ancestor_chains(regions, codes)
    specific = (
        narrow.filter(pl.col("region_code").is_not_null())
        .join(chains, left_on="region_code", right_on="ancestor_code", how="inner", suffix="_scope")
        .select("_row", "_ind_order", pl.col("region_code_scope").alias("region_code"), pl.col("depth").cast(pl.Int64))
        .sort(["_ind_order", "region_code", "depth"])
        .unique(["_ind_order", "region_code"], keep="first", maintain_order=True)
    )
    # One slot per indicator × region, numbered _ind_order × n_regions + scope position: the
    # all-region rows fill their indicator's slots, the nearest specific rows then overwrite
    # theirs, and the filled slots read in order are the result in indicator-then-region order
    # (at national scale this is cheaper than a cross join, an anti-filter and a sort).
    chosen = np.full(n_indicators * n_regions, -1, dtype=np.int64)
    depth = np.full(n_indicators * n_regions, ALL_REGIONS_DEPTH, dtype=np.int64)
    general = narrow.filter(pl.col("region_code").is_null())
    slots = general.get_column("_ind_order").to_numpy().astype(np.int64)[:, None] * n_regions + np.arange(n_regions)
    chosen[slots.ravel()] = np.repeat(general.get_column("_row").to_numpy().astype(np.int64), n_regions)
    if specific.height:
        key = pl.col("_ind_order") * n_regions + pl.col("region_code").cast(region_enum).to_physical().cast(pl.Int64)
        at = specific.select(key).to_series().to_numpy()
        chosen[at] = specific.get_column("_row").to_numpy()
        depth[at] = specific.get_column("depth").to_numpy()
    filled = np.flatnonzero(chosen >= 0)
    return pl.DataFrame(
        {
            "region_code": pl.Series(codes, dtype=pl.String).gather(filled % max(n_regions, 1)),
            "depth": pl.Series(depth[filled], dtype=pl.Int64),
            "_row": chosen[filled],
        }
    )


INTERIM_NOTE = "按{year}年目标评估"


def with_interim_targets(
    plan_rows: pl.DataFrame, other_rows: pl.DataFrame, *, plan_target_year: int, report_year: int
) -> pl.DataFrame:
    """The plan's target rows where a pending numeric target (no value yet) is replaced by an
    interim one: another plan's valued at_least / at_most target for the same indicator and
    region, due after the report year and before the plan's own target year (the 十四五 2025
    target inside 两纲 2030). Its text says "按2025年目标评估". Mid-term work then rests on the
    nearest target that is set instead of showing 目标待设定."""
    pending = plan_rows.filter(pl.col("value").is_null() & pl.col("kind").is_in(["at_least", "at_most"]))
    if pending.height == 0 or other_rows.height == 0:
        return plan_rows
    keys = ["indicator_code", "region_code"]
    interim = (
        other_rows.filter(
            pl.col("value").is_not_null()
            & pl.col("kind").is_in(["at_least", "at_most"])
            & (pl.col("target_year") >= report_year)
            & (pl.col("target_year") < plan_target_year)
        )
        .sort("target_year")
        .unique(keys, keep="first", maintain_order=True)
        .join(pending.select(keys), on=keys, how="semi", nulls_equal=True)
    )
    if interim.height == 0:
        return plan_rows
    interim = interim.with_columns(
        pl.lit(plan_rows.item(0, "plan_code")).alias("plan_code"),
        pl.format(
            "{}（" + INTERIM_NOTE.replace("{year}", "{}") + "）", pl.col("target_text").fill_null(""), "target_year"
        ).alias("target_text"),
    ).select(plan_rows.columns)
    kept = plan_rows.join(interim.select(keys), on=keys, how="anti", nulls_equal=True)
    return pl.concat([kept, interim], how="vertical_relaxed")
