"""总览: what the database holds — catalogue, regions and the returns loaded so far."""

from __future__ import annotations

import streamlit as st

from dashboard.ui import page as ui
from dashboard.views import overview

db_path = ui.db_path()
# what this session's views count by default (leaders: reviewed values only)
basis = ui.allowed_bases()[0]
counts = ui.cached_call(overview.headline_counts, db_path, basis)

st.title("妇儿规划监测看板 · 总览")
ui.sample_banner(counts)

metrics = [
    ("监测指标", counts["indicators"], "指标目录中的指标数（两纲及地方特色指标）"),
    ("地区", counts["regions"], "监测范围内的行政区（不含“全国”）"),
    ("成员单位", counts["units"], "妇儿工委成员单位数"),
    ("现行数据", counts["observations"], "各指标 × 地区 × 年份的最新一版数据条数（按页面写明的数据口径计）"),
    ("已载入文件", counts["submissions"], "已成功载入且未撤回的报表及参考数据文件数"),
]
for column, (label, value, help_text) in zip(st.columns(len(metrics)), metrics, strict=True):
    column.metric(label, value, help=help_text, border=True)
st.caption(overview.basis_note(counts, basis))

st.subheader("各领域指标")
st.caption("两纲：妇女发展纲要 8 个领域、儿童发展纲要 7 个领域，另有地方特色指标。")
ui.table_with_download(
    ui.cached_frame(overview.catalogue_by_domain, db_path),
    "各领域指标数.csv",
    empty_text="指标目录为空。",
    height="content",
)

st.subheader("指标目录")
st.caption("2030年目标取自两纲；尚无数值的目标显示为“目标待设定”。")
ui.table_with_download(
    ui.cached_frame(overview.catalogue_table, db_path),
    "指标目录.csv",
    empty_text="指标目录为空。",
)

left, right = st.columns([2, 3])
with left:
    st.subheader("地区")
    ui.table_with_download(
        ui.cached_frame(overview.regions_table, db_path),
        "地区.csv",
        empty_text="尚未载入地区名录。",
    )
with right:
    st.subheader("各成员单位分年度数据条数")
    st.caption("按各单位已载入的最新一版数据计数（数据口径同上）；全国参考数据单列为“国家参考值”。")
    ui.table_with_download(
        ui.cached_call(overview.observations_pivot, db_path, basis),
        "各成员单位分年度数据条数.csv",
        empty_text="尚未载入任何报表。",
        height="content",
    )
