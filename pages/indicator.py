"""指标详情: one indicator's trend, status and why, projection, metadata and revisions — layout only."""

from __future__ import annotations

import streamlit as st

from dashboard.render import charts, present
from dashboard.ui import page as ui
from dashboard.ui.drill import drill_down
from dashboard.views import indicator as detail_mod

page = ui.open_page()
view, options, path, home, result = page.view, page.options, page.path, page.home, page.result
national = ui.optional_result(path, view.plan, view.year, detail_mod.NATIONAL, view.labels, view.basis)

choices = detail_mod.indicator_choices(result)
code = ui.param_select(
    "指标",
    {c: f"{c} {n}" for c, n in choices.items()},
    param="indicator",
    key="indicator_pick",
    what="指标",
    known=options.indicators,
)
if code is None:
    st.title("指标详情")
    st.info(f"{result.plan.name}中没有设定目标的指标。", icon=":material/info:")
    st.stop()
breakdowns = detail_mod.breakdowns(result, code)
breakdown = (
    st.sidebar.radio("分组", breakdowns, key="indicator_breakdown", horizontal=True)
    if len(breakdowns) > 1
    else breakdowns[0]
)
d = ui.cached_view(detail_mod.detail, (view, home, code, breakdown), result, national, code, view.region, breakdown)
if d is None:
    st.title("指标详情")
    st.info("所选地区没有这个指标的评价。", icon=":material/info:")
    st.stop()

records = ui.cached_call(detail_mod.records, path, code, view.region, result.basis)

st.title(f"指标详情 · {d.name}")
st.caption(
    f"{d.code} · {d.domain} · 单位：{d.unit or '—'} · {result.plan.name} · 报告年份 {result.report_year} 年"
    + ("" if d.breakdown == present.TOTAL else f" · 分组：{d.breakdown}")
)
ui.result_banner(result)

item = d.item
cards = st.columns(4)
cards[0].metric(
    f"{d.region_name} 状态",
    present.status_cell(item),
    border=True,
    help=f"计算状态：{present.rule_name(item['status'])}",
)
cards[1].metric(
    f"最新值（{item['latest_year']}年）" if item["latest_year"] else "最新值",
    d.latest_text,
    # a short word under the number: a mark behind it would be cut off in the card
    delta=d.latest_review_note,
    delta_color="off",
    delta_arrow="off",
    border=True,
    help=f"单位：{d.unit or '—'}；报告年份及以前最近一年的数值",
)
cards[2].metric(
    f"{item['target_year']}年目标",
    present.target_text(item),
    border=True,
    help=f"来源：{present.target_source(item)}" + (f"；原文：{item['target_text']}" if item.get("target_text") else ""),
)
cards[3].metric(
    f"趋势预测（{item['target_year']}年）",
    present.number(item["trend_projection"], d.decimals) or "数据不足",
    border=True,
    help="按报告年份及以前的数据做最小二乘直线外推（至少 3 年数据）",
)
st.caption(
    f"目标来源：{present.target_source(item)}"
    + (f"（{item['target_source_url']}）" if item.get("target_source_url") else "")
)
ui.status_legend(present.label_styles(result.labels))
if d.empty_note:
    st.info(d.empty_note, icon=":material/info:")

fig = charts.trend_figure(
    d.series,
    title=f"{d.name}（{d.breakdown}）",
    unit=d.unit,
    target=d.target_line,
    target_label="目标",
    national=d.national,
    base_year=result.plan.base_year,
    target_year=item["target_year"],
    decimals=d.decimals,
)
if d.series.height or d.national.height:
    ui.plotly(detail_mod.add_projection(fig, d), key="trend")
    st.caption(
        detail_mod.national_caption(d) + " 虚线横线为目标（仅已核实的数值目标）；竖线为基期年和目标年；"
        "点线为按当前趋势的预测" + ("；空心点为待审核数值。" if d.has_pending_points else "。")
    )
else:
    st.caption(f"该指标在所选地区及所辖{d.word}没有数据，无法绘制趋势。")

left, right = st.columns([3, 2], gap="medium")
with left:
    st.subheader("为什么是这个状态")
    ui.table_csv(d.why, present.file_name(f"{d.code}_评价依据", d.region_name, result.report_year), height="content")
with right:
    st.subheader("指标说明")
    # a local indicator's definition and source are the office's own text: shown as text
    st.markdown("\n".join(f"- **{k}**：{ui.md_escape(v or '—')}" for k, v in records.metadata.items()))

st.subheader(f"{d.parent_name}及所辖各{d.word}")
st.caption(f"各地区均为本级报表数值，上级数值不由下级数值相加或平均。排名：{d.rank_rule}。")
ui.table_csv(
    d.districts,
    present.file_name(f"{d.code}_{d.word}排名", d.parent_name, result.report_year),
    height="content",
)
drill_down(d.drill, key="indicator_drill", label=f"进入某{d.word}，查看其所辖地区")

st.subheader(f"{d.region_name} 数值修订记录")
st.caption(records.revisions_caption)
ui.table_csv(
    records.revisions,
    present.file_name(f"{d.code}_修订记录", d.region_name, result.report_year),
    note=present.UNROUNDED_NOTE,
    empty_text=f"{d.region_name}没有这个指标的数值记录。",
)

st.subheader("目标及修改记录")
st.caption(
    "两纲、十四五为国家规划目标（随系统提供，只读）；两规为本地规划目标，由妇儿工委办制定，每次修改都保留"
    "（版本 0 为随系统提供的目标）。"
)
ui.table_csv(
    records.target_history,
    present.file_name(f"{d.code}_目标修改记录", result.plan.name, result.report_year),
    note=present.UNROUNDED_NOTE,
    empty_text="该指标没有目标记录。",
)

st.subheader("成员单位分工及修改记录")
st.caption(
    "牵头单位报送数值，责任单位共同负责；由妇儿工委办在“规划目标”页的“成员单位分工”中修改"
    "（版本 0 为随系统提供的分工）。"
)
ui.table_csv(
    records.duty_history,
    present.file_name(f"{d.code}_分工修改记录", result.plan.name, result.report_year),
    empty_text="分工没有修改过：按指标目录随系统提供，见上方“指标说明”。",
)

if records.local_history.height:
    st.subheader("本地指标修改记录")
    st.caption("这是妇儿工委办在两规中添加的本地指标；每次新增或修改都保留记录。")
    ui.table_csv(
        records.local_history, present.file_name(f"{d.code}_指标修改记录", result.plan.name, result.report_year)
    )
