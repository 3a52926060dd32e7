"""区县对比: the level below the sidebar's region — status heatmap, ranking, one region's scorecard,
region vs the region above vs national — layout only."""

from __future__ import annotations

import streamlit as st

from dashboard.render import charts, figures, present
from dashboard.ui import page as ui
from dashboard.ui.drill import drill_down
from dashboard.views import briefing
from dashboard.views import districts as districts_mod

page = ui.open_page()
view, options, path, home, result = page.view, page.options, page.path, page.home, page.result
national = ui.optional_result(path, view.plan, view.year, districts_mod.NATIONAL, view.labels, view.basis)
scope = ui.cached_view(districts_mod.scope, (view, home, "scope"), result, view.region)
names, word = scope.names, scope.word
domains = briefing.domains(result)

st.title(f"区县对比 · {scope.parent_name}")
st.caption(f"{result.plan.name} · 报告年份 {result.report_year} 年 · 评价标签：{result.label_set_name}")
ui.result_banner(result)
if not names:
    st.info(f"{scope.parent_name}下没有可对比的地区。", icon=":material/info:")
    st.stop()

# widgets first (each at the top of its section), then one call, then the results
heat_box, card_box, compare_box = st.container(), st.container(), st.container()
with heat_box:
    st.subheader(f"各{word} × 指标状态")
    controls = st.columns([2, 2, 3])
    domain = controls[0].selectbox(
        "领域", [districts_mod.ALL_DOMAINS, *domains], key="districts_domain", format_func=lambda d: d or "全部领域"
    )
    only_data = controls[1].toggle("只看有数据的指标", value=True, key="districts_only_data")
with card_box:
    st.subheader(f"{word}成绩单")
    if scope.chosen:
        district = scope.chosen
        st.caption(f"侧栏所选地区：{names[district]}（在侧栏“地区”中可换{word}）。")
    else:
        district = st.selectbox(word, list(names), format_func=names.get, key="districts_pick")
with compare_box:
    st.subheader(f"{word}、{scope.parent_scope}与全国对比")
    compare_domain = st.selectbox("对比领域", domains, key="districts_compare_domain") if domains else None

dv = ui.cached_view(
    districts_mod.view,
    (view, home, domain, only_data, district, compare_domain),
    result,
    national,
    view.region,
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
            title=f"{domain or '全部领域'}：各{word}指标状态（格内为符号和本级最新值）",
        )
        ui.plotly(figures.heatmap_room(heatmap), key="heatmap")
        ui.status_legend(dv.styles)
    ui.table_csv(
        dv.matrix,
        present.file_name(f"{word}指标状态_{domain or '全部领域'}", result.plan.name, result.report_year),
        empty_text=f"所选领域没有{word}数据。",
    )
    st.markdown(f"**各{word}达标率排名**")
    st.caption("并列时依次比较：达标率分母大者在前、退步或未向好（较基期）少者在前、行政区划代码小者在前。")
    ui.table_csv(
        dv.ranking,
        present.file_name(f"{word}达标率排名", scope.parent_name, result.report_year),
        note=present.COUNT_NOTE,
        height="content",
    )
    st.caption(districts_mod.PARENT_RULE + "。")
    drill_down(scope.drill, key="districts_drill", label=f"进入某{word}，对比其所辖地区")

with card_box:
    card = dv.scorecard
    ui.metric_cards(
        [
            ("达标率", card.headline.rate_text, card.headline.counts["rate_note"]),
            (
                "排名",
                f"{card.rank}/{card.ranked}" if card.rank else "—",
                f"在{scope.parent_name}各{word}中按达标率排名",
            ),
            *((f"{style.symbol} {style.label}", f"{n}项", None) for style, n in card.headline.label_counts),
        ]
    )
    st.caption(f"统计口径：{card.headline.basis}。{card.headline.counts['rate_note']}")
    ui.table_csv(
        card.items,
        present.file_name(f"{word}成绩单", names[district], result.report_year),
        empty_text=f"{names[district]}本级暂无指标数据。",
    )

with compare_box:
    if compare_domain:
        ui.table_csv(
            dv.rates,
            present.file_name(f"达标率对比_{compare_domain}", names[district], result.report_year),
            note=present.COUNT_NOTE,
            height="content",
        )
        st.caption(
            "全国为全国参考值按同一规划目标评价的结果；全国数值来源见「数据」页。"
            "地区名后标“汇总”的，本级没有可评价的指标，达标率按所辖下级地区的指标合计（项次）；下表数值均为各地区本级数值。"
        )
        ui.table_csv(
            dv.comparison,
            present.file_name(f"指标对比_{compare_domain}", names[district], result.report_year),
            empty_text="该领域没有可对比的数据。",
        )
