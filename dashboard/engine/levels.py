"""Regions at every level: which level a view ranks, and how a parent's counts are made.

Pure functions over polars frames (no Streamlit, no database).

Rules:
- A view of a region ranks the level directly below it: a province its cities, a city its
  counties. A county has nothing below it and stands for itself.
- A parent's indicator values are its own returns; nothing here adds up children's values.
- A parent's counts and 达标率 are its own items when it has any assessed item (a value and a
  usable target). Otherwise they are a roll-up: the items of the nearest level below that has
  assessed items, pooled as 项次 (indicator × region) under the one 达标率 denominator rule
  (aggregate.RATE_RULE), and labelled as a roll-up (汇总) wherever shown.
- A total over the regions of a ranking (所辖N个区县合计) pools the items each row counts, so
  the rows add up to it; its 达标率 is a ratio of the pooled counts, never a mean of rates.

Every view that shows a parent next to its children goes through this module (PARENT_RULE is
the sentence the pages print).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from dashboard.engine import aggregate
from dashboard.engine.progress import TOTAL

OWN_BASIS = "本级指标"
ROLLUP_MARK = "汇总"
PARENT_RULE = (
    "上级地区的指标数值只取其本级报表，不由下级地区的数值相加或平均；上级的达标率和各状态项数按本级指标计，"
    "本级没有可评价的指标时按所辖下级地区的指标合计（按指标×地区计，单位：项次），并标为“汇总”。"
    "合计行把各行所计的项次相加，达标率由合计的项次重新计算，不是各地区达标率的平均"
)
LEVEL_WORDS = {"province": "省", "city": "市", "county": "区县"}
TREE_COLUMNS = ("code", "name", "short_name", "level", "parent_code")


def children(tree: pl.DataFrame, region: str) -> list[str]:
    """Codes directly below `region` in `tree` (columns code, parent_code), in tree order."""
    return tree.filter(pl.col("parent_code") == region).get_column("code").to_list()


def ranked_level(
    tree: pl.DataFrame, region: str | None, scope: Sequence[str], district_level: str = "county"
) -> list[str]:
    """The regions a view of `region` ranks: its children in scope; the region itself when it
    has none (a county); every `district_level` region in scope when `region` is None."""
    in_scope = set(scope)
    if region is None:
        rows = tree.filter(pl.col("level") == district_level).get_column("code").to_list()
        return [c for c in rows if c in in_scope]
    kids = [c for c in children(tree, region) if c in in_scope]
    return kids or [region]


def counties_under(tree: pl.DataFrame, region: str) -> list[str]:
    """Every county-level region below `region` (through its cities for a province), tree order."""
    out, level = [], children(tree, region)
    while level:
        counties = set(tree.filter(pl.col("code").is_in(level) & (pl.col("level") == "county")).get_column("code"))
        out += [c for c in level if c in counties]
        level = [k for c in level if c not in counties for k in children(tree, c)]
    order = {c: i for i, c in enumerate(tree.get_column("code").to_list())}
    return sorted(out, key=order.__getitem__)


def parent_of(tree: pl.DataFrame, region: str) -> str | None:
    """The region directly above `region` when it is in `tree`."""
    row = tree.filter(pl.col("code") == region)
    parent = row.item(0, "parent_code") if row.height else None
    return parent if parent is not None and tree.filter(pl.col("code") == parent).height else None


def compared_parent(tree: pl.DataFrame, region: str) -> str:
    """The region whose children a comparison of `region` shows: the region itself when regions
    lie below it (a province its cities, a city its counties); a county's parent, so a county is
    seen among its neighbours; the region itself when it has neither."""
    if children(tree, region):
        return region
    return parent_of(tree, region) or region


def level_word(tree: pl.DataFrame, codes: Sequence[str]) -> str:
    """市 / 区县 … for a set of regions of one level (区县 when mixed or unknown)."""
    levels = set(tree.filter(pl.col("code").is_in(list(codes))).get_column("level").to_list())
    return LEVEL_WORDS.get(levels.pop(), "区县") if len(levels) == 1 else "区县"


def assessed(counts: dict[str, Any]) -> int:
    """Items with a value and a usable target (everything but 无数据 and 目标待设定)."""
    return int(counts["n_items"]) - int(counts["n_no_data"]) - int(counts["n_target_pending"])


@dataclass(frozen=True)
class Basis:
    """Which items a region's counts stand on."""

    codes: tuple[str, ...]  # the regions whose 合计 items are counted
    text: str  # 本级指标（单位：项） or 所辖N个市合计（按指标×市计，单位：项次）
    rollup: int  # regions pooled (0 = the region's own items)

    @property
    def is_rollup(self) -> bool:
        return self.rollup > 0


def basis(items: pl.DataFrame, tree: pl.DataFrame, region: str) -> Basis:
    """The region's own items when any is assessed, else the nearest level below with assessed
    items (or, when none has any, the level directly below), pooled."""
    totals = items.filter(pl.col("breakdown") == TOTAL)

    def n_assessed(codes: list[str]) -> int:
        rows = totals.filter(pl.col("region_code").is_in(codes))
        return rows.filter(~pl.col("status").cast(pl.String).is_in(["no_data", "target_pending"])).height

    own = Basis((region,), f"{OWN_BASIS}（单位：项）", 0)
    if n_assessed([region]):
        return own
    level = children(tree, region)
    first: list[str] = []
    while level:
        first = first or level
        if n_assessed(level):
            break
        below = [c for code in level for c in children(tree, code)]
        if not below:
            level = first
            break
        level = below
    if not level:
        return own
    word = level_word(tree, level)
    return Basis(tuple(level), f"所辖{len(level)}个{word}合计（按指标×{word}计，单位：项次）", len(level))


def counted_items(items: pl.DataFrame, tree: pl.DataFrame, region: str) -> tuple[Basis, pl.DataFrame]:
    """The region's basis and the 合计 items it counts (its own, or the pooled level below)."""
    b = basis(items, tree, region)
    return b, items.filter((pl.col("breakdown") == TOTAL) & pl.col("region_code").is_in(list(b.codes)))


def empty_counts() -> dict[str, Any]:
    """An aggregate row of nothing (no item counted)."""
    row: dict[str, Any] = {name: 0 for name in aggregate.AGGREGATE_COLUMNS}
    row["attainment_rate"] = None
    row["rate_note"] = "无可计算的指标"
    return row


def basis_counts(items: pl.DataFrame, tree: pl.DataFrame, region: str) -> tuple[Basis, dict[str, Any]]:
    """The region's basis and one aggregate row (aggregate.AGGREGATE_COLUMNS) counted on it."""
    b, counted = counted_items(items, tree, region)
    counts = aggregate.status_counts(counted.with_columns(pl.lit(region).alias("_scope")), ["_scope"])
    return b, (counts.row(0, named=True) if counts.height else empty_counts())


def shown_name(name: str, b: Basis | int) -> str:
    """The region's name as a row of counts shows it: marked 汇总 when the counts are a roll-up."""
    rollup = b.rollup if isinstance(b, Basis) else int(b or 0)
    return f"{name}（{ROLLUP_MARK}）" if rollup else name


def pooled_total(rows: pl.DataFrame) -> dict[str, Any]:
    """One aggregate row pooling `rows` (aggregate rows, e.g. a ranking): every count summed and
    the 达标率 recomputed from the sums under the one denominator rule."""
    if rows.height == 0:
        return empty_counts()
    return aggregate.pooled(rows).row(0, named=True)


def total_name(word: str = "") -> str:
    """The short label of a pooled total row in a table's name column: 区县合计（汇总）."""
    return f"{word}合计（{ROLLUP_MARK}）"


def total_text(n: int, word: str) -> str:
    """What a pooled total row counts, said beside the table: 所辖8个区县合计（汇总，按指标×区县计，
    单位：项次）."""
    return f"所辖{n}个{word}合计（{ROLLUP_MARK}，按指标×{word}计，单位：项次）"


def ranking(by_region: pl.DataFrame, items: pl.DataFrame, tree: pl.DataFrame, codes: Sequence[str]) -> pl.DataFrame:
    """aggregate.district_ranking of `codes`, each region counted on its basis (own items, or a
    labelled roll-up when it has none assessed), with columns basis (text) and rollup (regions
    pooled, 0 for own items) after the aggregate columns."""
    rows = []
    own = {
        r["region_code"]: r for r in by_region.filter(pl.col("region_code").is_in(list(codes))).iter_rows(named=True)
    }
    for code in codes:
        if code not in own:
            continue
        row = dict(own[code])
        if assessed(row) == 0 and children(tree, code):
            b, counts = basis_counts(items, tree, code)
            row.update({k: counts[k] for k in aggregate.AGGREGATE_COLUMNS})
        else:
            b = Basis((code,), f"{OWN_BASIS}（单位：项）", 0)
        rows.append({**row, "basis": b.text, "rollup": b.rollup})
    schema = {**by_region.schema, "basis": pl.String, "rollup": pl.Int64}
    frame = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
    return aggregate.district_ranking(frame, list(codes))
