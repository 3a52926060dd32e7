"""The briefing page's 达标率 map (Streamlit-facing): the same map as the 地图 page's 达标率 theme."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
import streamlit as st

from dashboard.engine import ProgressResult, levels
from dashboard.engine import coverage as coverage
from dashboard.render import deck as maps
from dashboard.ui import page as ui
from dashboard.ui import rendered
from dashboard.views import briefing


@dataclass(frozen=True)
class _Slot:
    """Everything the slot draws, built once per result, region and size (rendered.shared)."""

    title: str
    deck: maps.CompactDeck
    alt: str
    legend: str
    rollup_note: str | None


def _slot(result: ProgressResult, region: str | None, height: int) -> _Slot:
    measure = coverage.MEASURES["attainment"]
    region = region or result.region
    tree = briefing.tree(result)
    if region and not levels.children(tree, region):
        # a county has no map of its own level below: show it among its neighbours
        parent = tree.filter(pl.col("code") == region).get_column("parent_code").to_list()
        region = parent[0] if parent and parent[0] in tree.get_column("code").to_list() else result.region
    base = ui.cached_call(maps.load_map_base, ui.db_path(), region)
    names = pl.DataFrame(
        {"district_code": [f["adcode"] for f in base.features], "district_name": [f["name"] for f in base.features]}
    )
    ranked = briefing.ranking_of(result, region) if region else result.by_region
    counts = coverage.attainment_by_district(coverage.attainment_input(result, ranked), names)
    districts = coverage.measure_frame(counts, measure)
    deck = maps.build_deck(base, districts, measure, result.report_year, show_points=False, size=(640, height))
    deck.to_json()  # serialised once here; every session then sends the same text
    word = briefing.level_word(result, region) if region else "区县"
    rollups = ranked.filter(pl.col("rollup") > 0) if "rollup" in ranked.columns else ranked.clear()
    note = None
    if rollups.height:
        pooled = "、".join(rollups.get_column("region_name").cast(pl.String).to_list())
        note = f"{pooled}没有本级可评价的指标，按所辖下级地区的指标合计（项次）着色。"
    return _Slot(
        title=f"**各{word}达标率地图 · {result.plan.name} {result.report_year}年**",
        deck=deck,
        alt=f"{base.region_name}各{word}达标率分级地图",
        legend=maps.legend_html(measure, coverage.class_counts(districts, measure.scheme)),
        rollup_note=note,
    )


def maps_slot(result: ProgressResult, *, wall: bool = False, region: str | None = None) -> None:
    """The level below `region` (default: the result's region) coloured by 达标率 for the
    briefing's plan and year, on the ranking's basis (a roll-up where a region has no values of
    its own); no basemap, no external request. On a wall display the map is shorter and the hint
    to the 地图 page (nobody clicks a wall) is left out."""
    height = 300 if wall else 420
    slot = rendered.shared(
        "map_slot", (rendered.result_key(result), region, height), lambda: _slot(result, region, height)
    )
    with st.container(border=True, key="briefing_map_slot"):
        st.markdown(slot.title)
        st.pydeck_chart(slot.deck, height=height, alt=slot.alt)
        st.markdown(slot.legend, unsafe_allow_html=True)
        if slot.rollup_note:
            st.caption(slot.rollup_note)
        if not wall:
            st.caption("点击「地图」页的“达标率”主题可查看各区县的分子和分母。")
