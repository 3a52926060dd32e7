"""成员单位: what a unit owes, what is missing or late, off-track indicators, data-quality flags and
its pre-filled template — layout only."""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard.auth import gate as auth_ui
from dashboard.render import present
from dashboard.ui import page as ui
from dashboard.views import returns as returns_status
from dashboard.views import units as units_mod

path = ui.db_path()
if not st.query_params.get("unit"):
    # without a unit in the link, a unit's own people see their unit; others open on the unit
    # that owes the most, not an empty page
    user = auth_ui.current_user()
    opening = (user.unit_code if user else None) or ui.cached_call(units_mod.busiest_unit, path)
    if opening:
        st.query_params["unit"] = opening
page = ui.open_page(("plan", "year", "region", "labels", "unit"))
view, options, home, result = page.view, page.options, page.home, page.result
unit = view.unit or next(iter(options.units), None)
if unit is None:
    st.title("成员单位")
    st.info("数据库中没有成员单位名录。", icon=":material/info:")
    st.stop()
unit_name = options.units[unit]
u = ui.cached_view(units_mod.unit_view, (view, home, unit), result, unit, unit_name, view.region)
region_name = options.regions.get(view.region, view.region)

st.title(f"成员单位 · {unit_name}")
st.caption(f"{result.plan.name} · {result.plan.base_year}—{result.report_year} 年 · {region_name}")
ui.result_banner(result)

cards = st.columns(5)
cards[0].metric("应报数值", u.expected, border=True, help=result.completeness_rule)
cards[1].metric("已报", u.received, border=True)
cards[2].metric("缺报", u.missing, border=True)
cards[3].metric("完整率", present.percent(u.completeness_pct) or "—", border=True, help="已报 ÷ 应报")
cards[4].metric(
    "及时率",
    present.percent(u.timeliness_pct) or "—",
    border=True,
    help=f"截止日期前报送 ÷ 应报（历史补录的年份不计）；{result.deadline_rule}",
)
st.caption(f"应报口径：{result.completeness_rule}；报送期限：{result.deadline_rule}。")

st.subheader("本单位应报的指标")
ui.table_csv(
    u.owes,
    present.file_name(f"{unit_name}_应报指标", region_name, result.report_year),
    note=present.COUNT_NOTE,
    empty_text=f"{unit_name}在{result.plan.name}中没有需要按区县报送的牵头指标（定性指标由妇儿工委办评判）。",
)

left, right = st.columns([3, 2], gap="medium")
with left:
    st.subheader("各区县、各年度报送情况（已报/应报）")
    ui.table_csv(
        u.matrix,
        present.file_name(f"{unit_name}_报送情况", region_name, result.report_year),
        note=present.COUNT_NOTE,
        empty_text="没有应报的数值。",
        height="content",
    )
with right:
    st.subheader("按年度的及时性")
    ui.table_csv(
        u.timeliness,
        present.file_name(f"{unit_name}_及时性", region_name, result.report_year),
        note=present.COUNT_NOTE,
        empty_text="没有应报的数值。",
        height="content",
    )

st.subheader(f"缺报的数值（{u.missing}个）")
ui.table_csv(
    u.missing_cells,
    present.file_name(f"{unit_name}_缺报清单", region_name, result.report_year),
    note=present.COUNT_NOTE,
    empty_text="没有缺报。",
)

st.subheader("进度滞后、退步或得而复失的指标")
ui.table_csv(
    u.off_track,
    present.file_name(f"{unit_name}_需关注指标", region_name, result.report_year),
    empty_text="本单位牵头的指标中没有进度滞后或退步的。",
)

st.subheader("数据质量提示")
st.caption("跳变（与上年相比变化超过阈值）、超出合理范围、或数值经过修订。")
ui.table_csv(
    u.flags,
    present.file_name(f"{unit_name}_数据质量提示", region_name, result.report_year),
    empty_text="本单位的数值没有质量提示。",
)

st.subheader("下载填报模板")
# the years and the default the 数据填报 page offers, so both pages hand out the same template
today = date.today()
template_years = ui.cached_call(returns_status.report_years, path, today)
template_year = st.selectbox(
    "填报年度",
    template_years,
    index=template_years.index(ui.cached_call(returns_status.default_year, path, today)),
    key="units_template_year",
    format_func=lambda y: f"{y}年度",
)
st.caption(
    "模板列出本单位牵头和参与的全部指标 × 各区县，并附上年数值供核对；填好后在「数据填报」页上传，"
    "或用 python -m etl load 载入。"
)
st.download_button(
    f"下载 {units_mod.template_name(unit_name, template_year)}",
    data=ui.cached_call(units_mod.template_bytes, path, unit, template_year, home),
    file_name=units_mod.template_name(unit_name, template_year),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="units_template",
    icon=":material/download:",
    on_click="ignore",
)
