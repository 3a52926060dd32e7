"""The briefing page's 达标率 map (Streamlit-facing): the same map as the 地图 page's 达标率 theme."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import coverage, maps, ui
from dashboard.engine import ProgressResult


def maps_slot(result: ProgressResult, *, wall: bool = False) -> None:
    """Districts coloured by 达标率 for the briefing's plan and year; no basemap, no external request.
    On a wall display the map is shorter and the hint to the 地图 page (nobody clicks a wall) is left out."""
    height = 300 if wall else 420
    measure = coverage.MEASURES["attainment"]
    base = ui.cached_frame(maps.load_map_base, ui.db_path())
    names = pl.DataFrame({"district_code": [f["adcode"] for f in base.features],
                          "district_name": [f["name"] for f in base.features]})
    counts = coverage.attainment_by_district(coverage.attainment_input(result), names)
    districts = coverage.measure_frame(counts, measure)
    deck = maps.build_deck(base, districts, measure, result.report_year, show_points=False, size=(640, height))
    with st.container(border=True, key="briefing_map_slot"):
        st.markdown(f"**各区县达标率地图 · {result.plan.name} {result.report_year}年**")
        st.pydeck_chart(deck, height=height, alt=f"{base.region_name}各区县达标率分级地图")
        st.markdown(maps.legend_html(measure, coverage.class_counts(districts, measure.scheme)),
                    unsafe_allow_html=True)
        if not wall:
            st.caption("点击「地图」页的“达标率”主题可查看各区县的分子和分母。")
