"""领导驾驶舱: headline numbers, status by domain, district ranking, what fell behind — layout only.

`?screen=big` is the wall-display mode (large type, no sidebar, domains rotating every
`rotate` seconds, 0 = off). Numbers come from dashboard.views.briefing.view over the cached engine
results (this year and last year).
"""

from __future__ import annotations

import streamlit as st

from dashboard.render import charts, figures, present
from dashboard.ui import page as ui
from dashboard.ui import rendered
from dashboard.ui.drill import drill_down
from dashboard.ui.map_slot import maps_slot
from dashboard.views import briefing

screen, screen_notices = briefing.parse_screen({k: st.query_params.get(k) for k in ("screen", "rotate")})
if screen.big:
    ui.big_screen_style()

page = ui.open_page()
view, options, path, home, result = page.view, page.options, page.path, page.home, page.result
previous = ui.optional_result(path, view.plan, view.year - 1, home, view.labels, view.basis)
b = ui.cached_view(briefing.view, (view, home, previous is not None), result, previous, view.region)
head = b.headline
colours = present.label_colours(b.styles)
order = [s.label for s in b.styles]

st.title(f"领导驾驶舱 · {head.region_name}")
plan_name = result.plan.name if screen.big else f"{result.plan.name}（{result.plan.full_name}）"
st.caption(f"{plan_name} · 报告年份 {result.report_year} 年 · 评价标签：{result.label_set_name}")
for notice in screen_notices:
    st.warning(ui.md_escape(notice), icon=":material/link_off:")
ui.result_banner(result, compact=screen.big)

# --- headline cards ------------------------------------------------------------------------------
# a 1920-wide wall takes all cards on one line and keeps the charts above the fold
# coverage stands beside the rate with the same weight: a rate over few indicators says little
# the wall leaves out statuses nobody has: the cards shown still add up to the total stated under them
status_cards = [(f"{style.symbol} {style.label}", n, None) for style, n in head.label_counts if n or not screen.big]
key_cards = [
    ("监测指标", head.indicators, f"{result.plan.name}的指标数；统计口径：{head.basis}"),
    ("有数据", head.coverage_text, f"报告年份及以前有数值的{head.unit_word}数 / 全部{head.unit_word}数"),
    ("达标率", head.rate_text, f"{head.rate_basis_text}。{result.rate_rule}"),
]
if screen.big:
    ui.metric_cards([*key_cards, *status_cards], one_line=True)
else:  # beside the sidebar: the three key numbers on a line of their own, wide enough for "161/161"
    ui.metric_cards(key_cards, one_line=True)
    ui.metric_cards(status_cards, per_line=8)
st.caption(head.total_line)
ui.status_legend(b.styles)
st.markdown(briefing.progress_line(head))
if not screen.big:
    st.caption(f"{head.counts['rate_note']}。")
if not screen.big:
    st.caption("计算状态明细：" + "　".join(f"{name} {n}{head.unit_word}" for name, n in head.rule_counts))

# figures are built once per data snapshot and view and shared by every session (ui.rendered)
view_key = (view, home, previous is not None)


def ranking_fig():
    return charts.ranking_bar(b.ranking_bars, value="value", label="达标率（%）", title=f"各{b.level_word}达标率排名")


if screen.big:
    charts_area, map_area = st.columns([10, 4], gap="large")
    with charts_area:
        left, middle = st.columns(2, gap="large")
    with left:
        wall_ranking = rendered.figure(
            "briefing.wall_ranking", view_key, lambda: figures.for_wall(ranking_fig(), height=360)
        )
        rendered.draw_plotly(wall_ranking, key="wall_ranking")
    with middle:

        @st.fragment(run_every=screen.rotate or None)
        def rotating_domain() -> None:
            # one domain per tick; a full rerun also moves on, which a wall never notices
            index = (st.session_state.get("briefing_domain", -1) + 1) % max(len(b.wall_domains), 1)
            st.session_state["briefing_domain"] = index
            if not b.wall_domains:
                st.caption("各领域均无数据。")
                return
            domain = b.wall_domains[index]

            def domain_fig():
                fig = charts.status_bars(
                    b.panels[domain],
                    group="region_name",
                    colours=colours,
                    order=order,
                    title=f"{domain}（{index + 1}/{len(b.wall_domains)}）",
                )
                return figures.for_wall(figures.category_order(fig, list(b.district_names)), height=360)

            fig = rendered.figure("briefing.wall_domain", (*view_key, index), domain_fig)
            rendered.draw_plotly(fig, key="wall_domain")

        rotating_domain()
    with map_area:
        maps_slot(result, wall=True, region=view.region)
    with charts_area:
        # under the two charts, so the whole briefing fits a 1920×1080 wall
        st.markdown(briefing.watch_line(b.fell_behind, 3, has_previous=b.has_previous))
    if st.button("退出大屏", key="leave_big_screen", icon=":material/close_fullscreen:"):
        del st.query_params["screen"]
        st.rerun()
    st.stop()

# --- normal mode ---------------------------------------------------------------------------------
left, right = st.columns(2, gap="medium")
with left:
    rendered.draw_plotly(rendered.figure("briefing.ranking", view_key, ranking_fig), key="ranking")
with right:
    maps_slot(result, region=view.region)

left, right = st.columns(2, gap="medium")
with left:
    domain_fig = rendered.figure(
        "briefing.domain_status",
        view_key,
        lambda: figures.category_order(
            charts.status_bars(b.domain_counts, group="domain", colours=colours, order=order, title="各领域指标状态"),
            list(b.domains),
        ),
    )
    rendered.draw_plotly(domain_fig, key="domain_status")
with right:
    st.subheader("各领域状态")
    ui.table_csv(
        b.domain_table,
        present.file_name("各领域状态", head.region_name, view.year),
        note=present.COUNT_NOTE,
        height="content",
    )

st.subheader(briefing.WORSE_THAN_LAST_YEAR)
st.caption(
    f"与 {view.year - 1} 年相比：计算状态变差（如进度正常 → 进度滞后、已达标 → 未达标），或状态未变但数值离目标更远。"
)
if not b.has_previous:
    st.caption("没有上一年的评价可比较。")
else:
    ui.table_csv(
        b.fell_behind,
        present.file_name("较上年变差的指标", head.region_name, view.year),
        empty_text="没有指标较上年变差。",
    )

st.subheader(f"各{b.level_word}达标率排名")
st.caption("并列时依次比较：达标率分母大者在前、退步或未向好（较基期）少者在前、行政区划代码小者在前。")
ui.table_csv(
    b.ranking_table,
    present.file_name(f"{b.level_word}达标率排名", head.region_name, view.year),
    note=present.COUNT_NOTE,
    height="content",
)
drill_down(b.drill, key="briefing_drill")
st.caption(b.direction_note)
if st.button(
    "大屏模式",
    key="enter_big_screen",
    icon=":material/fullscreen:",
    help="大字号、无侧栏，各领域自动轮播，适合会议室大屏；链接加 screen=big 即可直接打开。",
):
    st.query_params["screen"] = "big"
    st.rerun()
