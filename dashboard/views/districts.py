"""区县对比 (districts): status heatmap, one district's scorecard, district vs city vs national.

Pure functions of ProgressResults: the home region's run (every region of the build) and the
全国 run (national values judged against the same plan targets).

Which regions are compared follows the sidebar's region (dashboard.engine.levels): a province
compares its cities, a city its counties, a county its neighbours (its city's counties). The
heatmap and tables show each region's own values; counts and 达标率 of a region without
assessed items of its own are a labelled roll-up (汇总) of the level below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from dashboard.engine import ProgressResult, aggregate, levels
from dashboard.render import present
from dashboard.views import briefing

NATIONAL = present.NATIONAL
PARENT_RULE = levels.PARENT_RULE
ALL_DOMAINS = ""  # the domain filter's "every domain" choice
LABEL_WIDTH = 16  # characters of an indicator name on the heatmap axis


@dataclass(frozen=True)
class Scope:
    """The regions the page compares for the sidebar's region."""

    parent: str  # whose children are compared
    parent_name: str
    parent_scope: str  # 全省 / 全市 …, as the comparison's middle column names the parent
    codes: tuple[str, ...]  # the compared regions, in code order
    names: dict[str, str]  # code → name of the compared regions, in code order
    word: str  # what the compared regions are called: 市 or 区县
    chosen: str | None  # the sidebar's region when it is one of the compared (a county)
    drill: dict[str, str]  # compared regions with regions below them: where the page can go down to


def _compared_codes(result: ProgressResult, parent: str) -> list[str]:
    return sorted(briefing.districts_of(result, parent))


def scope(result: ProgressResult, region: str | None) -> Scope:
    """What the page compares when the sidebar shows `region` (None: the result's region)."""
    region = region or result.region or ""
    parent = levels.compared_parent(briefing.tree(result), region)
    codes = [c for c in _compared_codes(result, parent) if c != parent]
    names = dict(result.by_region.select("region_code", "region_name").iter_rows())
    parent_row = briefing.region_row(result, parent)
    parent_name = names.get(parent, parent)
    return Scope(
        parent=parent,
        parent_name=parent_name,
        parent_scope=present.scope_word(parent_name, parent_row["region_level"] if parent_row else None),
        codes=tuple(codes),
        names={c: names.get(c, c) for c in codes},
        word=briefing.level_word(result, parent),
        chosen=region if region in codes else None,
        drill=briefing.drill_targets(result, parent),
    )


def _district_items(
    result: ProgressResult, domain: str, only_with_data: bool, codes: tuple[str, ...] | None = None
) -> tuple[pl.DataFrame, list[str]]:
    districts = (
        list(codes) if codes is not None else result.ranking.sort("region_code").get_column("region_code").to_list()
    )
    items = present.totals(result.items).filter(pl.col("region_code").is_in(districts))
    if domain:
        items = items.filter(pl.col("domain") == domain)
    if only_with_data:
        with_data = items.filter(pl.col("latest_value").is_not_null()).get_column("indicator_code").unique()
        items = items.filter(pl.col("indicator_code").is_in(with_data.to_list()))
    return items, districts


def _axis_labels(items: pl.DataFrame) -> dict[str, str]:
    """indicator_code → a short unique axis label (names repeat across the two outlines)."""
    pairs = items.select("indicator_code", "indicator_name").unique("indicator_code", maintain_order=True)
    labels: dict[str, str] = {}
    seen: set[str] = set()
    for code, name in pairs.iter_rows():
        short = name if len(name) <= LABEL_WIDTH else name[: LABEL_WIDTH - 1] + "…"
        if short in seen:
            short = f"{short}（{code}）"
        seen.add(short)
        labels[code] = short
    return labels


def heatmap_cells(
    result: ProgressResult,
    domain: str = ALL_DOMAINS,
    only_with_data: bool = True,
    codes: tuple[str, ...] | None = None,
) -> pl.DataFrame:
    """Region × indicator cells for charts.status_heatmap (the compared `codes`; default the
    result's ranked level): region_name, indicator_name (short unique label), label, text
    (symbol and rounded latest value). Every cell is the region's own value."""
    items, districts = _district_items(result, domain, only_with_data, codes)
    labels = _axis_labels(items)
    order = {c: i for i, c in enumerate(districts)}
    rows = [
        {
            "region_name": r["region_name"],
            "indicator_name": labels[r["indicator_code"]],
            "label": r["status_label"],
            "text": f"{r['status_symbol']} {present.value_text(r, r['latest_value']) or ''}".strip(),
            "_o": order[r["region_code"]],
        }
        for r in items.iter_rows(named=True)
    ]
    frame = pl.DataFrame(
        rows,
        schema={
            "region_name": pl.String,
            "indicator_name": pl.String,
            "label": pl.String,
            "text": pl.String,
            "_o": pl.Int64,
        },
    )
    # districts in code order along the axis, indicators in catalogue order
    return frame.sort("_o", maintain_order=True).drop("_o")


def matrix_table(
    result: ProgressResult,
    domain: str = ALL_DOMAINS,
    only_with_data: bool = True,
    codes: tuple[str, ...] | None = None,
) -> pl.DataFrame:
    """The heatmap as a table: one row per indicator, one column per region ("✔ 达标 94.6")."""
    items, districts = _district_items(result, domain, only_with_data, codes)
    names = dict(result.by_region.select("region_code", "region_name").iter_rows())
    cells: dict[str, dict[str, str]] = {}
    first: dict[str, dict[str, Any]] = {}
    for r in items.iter_rows(named=True):
        value = present.value_text(r, r["latest_value"])
        cells.setdefault(r["indicator_code"], {})[r["region_code"]] = present.status_cell(r) + (
            f" {value}" if value is not None else ""
        )
        first.setdefault(r["indicator_code"], r)
    data: dict[str, list[str | None]] = {"指标代码": [], "指标": [], "单位": [], "目标": [], "目标来源": []}
    for code in districts:
        data[names.get(code, code)] = []
    for code, row in first.items():
        data["指标代码"].append(code)
        data["指标"].append(row["indicator_name"])
        data["单位"].append(row["unit"])
        data["目标"].append(present.target_text(row))
        data["目标来源"].append(present.target_source(row))
        for district in districts:
            data[names.get(district, district)].append(cells[code].get(district))
    return pl.DataFrame(data, schema={k: pl.String for k in data})


@dataclass(frozen=True)
class Scorecard:
    headline: briefing.Headline
    rank: int | None
    ranked: int  # districts with a rank
    items: pl.DataFrame  # the district's indicators with data or a target (Chinese headers)


def _parent(result: ProgressResult, district: str) -> str:
    """The region a district is ranked in: the one directly above it (the result's region when
    the tree does not say)."""
    return levels.parent_of(briefing.tree(result), district) or result.region or district


def scorecard(
    result: ProgressResult, district: str, only_with_data: bool = True, parent: str | None = None
) -> Scorecard:
    """One district: 达标率 and counts (as the briefing headline, a labelled roll-up when it has
    no assessed item of its own), its rank among `parent`'s regions (default: the region above
    it), its own indicators."""
    head = briefing.headline(result, district)
    ranked = briefing.ranking_of(result, parent or _parent(result, district))
    ranking = ranked.filter(pl.col("region_code") == district)
    rank = ranking.item(0, "rank") if ranking.height else None
    items = present.totals(result.items).filter(pl.col("region_code") == district)
    if only_with_data:
        items = items.filter(pl.col("latest_value").is_not_null())
    table = present.item_table(
        items.sort("status_order", maintain_order=True),
        [
            "领域",
            "指标",
            "单位",
            "基期值",
            "最新值",
            "定性评定",
            "最新年份",
            "目标",
            "目标来源",
            "状态",
            "计算状态",
            "进度ρ（%）",
            "时间进度τ（%）",
            "说明",
        ],
    )
    return Scorecard(head, rank, ranked.get_column("rank").drop_nulls().len(), table)


def _domain_rates(result: ProgressResult, code: str, domain: str) -> tuple[dict[str, Any] | None, int]:
    """The region's counts in `domain` on its basis (levels.counted_items: its own items, or the
    pooled level below when it has no assessed item) and the number of regions pooled."""
    b, items = levels.counted_items(result.items, briefing.tree(result), code)
    counts = aggregate.status_counts(
        items.filter(pl.col("domain") == domain).with_columns(pl.lit(code).alias("_r")), ["_r"]
    )
    return (counts.row(0, named=True) if counts.height else None), b.rollup


def comparison(
    result: ProgressResult,
    national: ProgressResult | None,
    district: str,
    domain: str,
    only_with_data: bool = True,
    parent: str | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A domain's indicators side by side for the district, the region above it (`parent`) and
    全国.

    Returns (rates, table): rates has 地区, 达标率, 达标, 达标率分母, 无数据 per compared
    region, counted on its basis (a region without assessed items of its own is a roll-up of the
    level below, its name marked 汇总); table has one row per indicator with each region's own
    latest value (year) and status (only indicators with a value somewhere when
    `only_with_data`).
    """
    home = parent or _parent(result, district)
    names = dict(result.by_region.select("region_code", "region_name").iter_rows())
    compared: list[tuple[str, str, ProgressResult]] = [(district, names.get(district, district), result)]
    if home != district:
        compared.append((home, names.get(home, home), result))
    if national is not None:
        compared.append((NATIONAL, "全国", national))
    return _compared_rates(result, compared, domain), _compared_table(
        result, compared, district, domain, only_with_data
    )


_RATES_SCHEMA = {"地区": pl.String, "达标率": pl.String, "达标": pl.Int64, "达标率分母": pl.Int64, "无数据": pl.Int64}


def _compared_rates(
    result: ProgressResult, compared: list[tuple[str, str, ProgressResult]], domain: str
) -> pl.DataFrame:
    """地区, 达标率, 达标, 达标率分母, 无数据 of `domain` per compared region; a region of `result`
    without assessed items of its own is the roll-up of the level below (named 汇总)."""
    rate_rows = []
    for code, name, res in compared:
        if res is result:
            r, rollup = _domain_rates(result, code, domain)
        else:
            row = res.by_domain.filter((pl.col("region_code") == code) & (pl.col("domain") == domain))
            r, rollup = (row.row(0, named=True) if row.height else None), 0
        rate_rows.append(
            {
                "地区": levels.shown_name(name, rollup),
                "达标率": present.percent(r["attainment_rate"]) if r else None,
                "达标": int(r["rate_numerator"]) if r else 0,
                "达标率分母": int(r["rate_denominator"]) if r else 0,
                "无数据": int(r["excluded_no_data"]) if r else 0,
            }
        )
    return pl.DataFrame(rate_rows, schema=_RATES_SCHEMA)


def _compared_table(
    result: ProgressResult,
    compared: list[tuple[str, str, ProgressResult]],
    district: str,
    domain: str,
    only_with_data: bool,
) -> pl.DataFrame:
    """One row per indicator of `domain` for `district`, with each compared region's own latest
    value (year) and status."""
    base = present.totals(result.items).filter((pl.col("region_code") == district) & (pl.col("domain") == domain))
    columns: dict[str, Any] = {
        "指标": lambda r: r["indicator_name"],
        "单位": lambda r: r["unit"],
        "目标": present.target_text,
        "目标来源": present.target_source,
    }
    lookups: dict[str, dict[str, dict[str, Any]]] = {}
    for code, _name, res in compared:
        part = present.totals(res.items).filter((pl.col("region_code") == code) & (pl.col("domain") == domain))
        lookups[code] = {r["indicator_code"]: r for r in part.iter_rows(named=True)}
    for code, name, _res in compared:
        columns[f"{name} 最新值"] = lambda r, c=code: _latest(lookups[c].get(r["indicator_code"]))
        columns[f"{name} 状态"] = lambda r, c=code: _status(lookups[c].get(r["indicator_code"]))
    rows = [
        r
        for r in base.iter_rows(named=True)
        if not only_with_data
        or any((lookups[c].get(r["indicator_code"]) or {}).get("latest_value") is not None for c in lookups)
    ]
    return present.rows_table(rows, columns)


def _latest(row: dict[str, Any] | None) -> str | None:
    if row is None:
        return None
    text = present.value_with_year(
        row["latest_value"], row["latest_year"], row["decimals"], judged=present.is_judged(row)
    )
    return None if text is None else text + present.pending_mark(row)


def _status(row: dict[str, Any] | None) -> str | None:
    return None if row is None else present.status_cell(row)


def district_names(result: ProgressResult, region: str | None = None) -> dict[str, str]:
    """The regions compared for `region` (code → name, code order; default: the result's
    ranked level)."""
    return scope(result, region).names


@dataclass(frozen=True)
class DistrictsView:
    """Everything the 区县对比 page draws for its widget choices."""

    scope: Scope
    cells: pl.DataFrame  # heatmap cells
    matrix: pl.DataFrame  # the heatmap as a table
    ranking: pl.DataFrame  # the compared regions ranked by 达标率 (briefing.ranking_table)
    scorecard: Scorecard
    rates: pl.DataFrame  # district / the region above / 全国 达标率 in the compared domain
    comparison: pl.DataFrame  # the compared domain's indicators side by side
    styles: tuple[present.LabelStyle, ...]


def view(
    result: ProgressResult,
    national: ProgressResult | None,
    region: str,
    domain: str,
    only_with_data: bool,
    district: str,
    compare_domain: str | None,
) -> DistrictsView:
    """The page's one call for the sidebar's `region`: the compared regions' heatmap (for
    `domain`) and ranking, `district`'s scorecard, and the district vs the region above it vs
    全国 comparison for `compare_domain`."""
    sc = scope(result, region)
    if compare_domain:
        rates, table = comparison(result, national, district, compare_domain, only_with_data, sc.parent)
    else:
        rates, table = pl.DataFrame(), pl.DataFrame()
    return DistrictsView(
        scope=sc,
        cells=heatmap_cells(result, domain, only_with_data, sc.codes),
        matrix=matrix_table(result, domain, only_with_data, sc.codes),
        ranking=briefing.ranking_table(result, sc.parent),
        scorecard=scorecard(result, district, only_with_data, sc.parent),
        rates=rates,
        comparison=table,
        styles=present.label_styles(result.labels),
    )
