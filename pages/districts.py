"""区县对比: status heatmap, one district's scorecard, district vs city vs national — layout only."""

from __future__ import annotations

import streamlit as st

from dashboard.render import charts, figures, present
from dashboard.ui import page as ui
from dashboard.views import briefing
from dashboard.views import districts as districts_mod

page = ui.open_page()
view, options, path, home, result = page.view, page.options, page.path, page.home, page.result
national = ui.optional_result(path, view.plan, view.year, districts_mod.NATIONAL, view.labels, view.basis)
names = districts_mod.district_names(result)
domains = briefing.domains(result)

st.title("区县对比")
st.caption(f"{result.plan.name} · 报告年份 {result.report_year} 年 · 评价标签：{result.label_set_name}")
ui.result_banner(result)
if not names:
    st.info("数据库中没有区县，无法对比。", icon=":material/info:")
    st.stop()

# widgets first (each at the top of its section), then one call, then the results
heat_box, card_box, compare_box = st.container(), st.container(), st.container()
with heat_box:
    st.subheader("区县 × 指标状态")
    controls = st.columns([2, 2, 3])
    domain = controls[0].selectbox(
        "领域", [districts_mod.ALL_DOMAINS, *domains], key="districts_domain", format_func=lambda d: d or "全部领域"
    )
    only_data = controls[1].toggle("只看有数据的指标", value=True, key="districts_only_data")
with card_box:
    st.subheader("区县成绩单")
    if view.region in names:
        district = view.region
        st.caption(f"侧栏所选地区：{names[district]}（在侧栏“地区”中可换区县）。")
    else:
        district = st.selectbox("区县", list(names), format_func=names.get, key="districts_pick")
with compare_box:
    st.subheader("区县、全市与全国对比")
    compare_domain = st.selectbox("对比领域", domains, key="districts_compare_domain") if domains else None

dv = ui.cached_view(
    districts_mod.view,
    (view, home, domain, only_data, district, compare_domain),
    result,
    national,
    domain,
    only_data,
    district,
    compare_domain,
)

with heat_box:
    if dv.cells.height:
        heatmap = charts.status_heatmap(
            dv.cells,
            colours=present.label_colours(dv.styles),
            order=[s.label for s in dv.styles],
            title=f"{domain or '全部领域'}：各区县指标状态（格内为符号和最新值）",
        )
        ui.plotly(figures.heatmap_room(heatmap), key="heatmap")
        ui.status_legend(dv.styles)
    ui.table_csv(
        dv.matrix,
        present.file_name(f"区县指标状态_{domain or '全部领域'}", result.plan.name, result.report_year),
        empty_text="所选领域没有区县数据。",
    )

with card_box:
    card = dv.scorecard
    ui.metric_cards(
        [
            ("达标率", card.headline.rate_text, card.headline.counts["rate_note"]),
            ("排名", f"{card.rank}/{card.ranked}" if card.rank else "—", "按达标率排名，并列规则见领导驾驶舱"),
            *((f"{style.symbol} {style.label}", f"{n}项", None) for style, n in card.headline.label_counts),
        ]
    )
    st.caption(card.headline.counts["rate_note"])
    ui.table_csv(
        card.items,
        present.file_name("区县成绩单", names[district], result.report_year),
        empty_text="该区县暂无指标数据。",
    )

with compare_box:
    if compare_domain:
        ui.table_csv(
            dv.rates,
            present.file_name(f"达标率对比_{compare_domain}", names[district], result.report_year),
            note=present.COUNT_NOTE,
            height="content",
        )
        st.caption("全国为全国参考值按同一规划目标评价的结果；全国数值来源见「数据」页。")
        ui.table_csv(
            dv.comparison,
            present.file_name(f"指标对比_{compare_domain}", names[district], result.report_year),
            empty_text="该领域没有可对比的数据。",
        )
