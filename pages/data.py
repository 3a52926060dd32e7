"""数据: load history, rejected rows with reasons, findings, and every table for download."""

from __future__ import annotations

import streamlit as st

from dashboard.auth import gate as auth_ui
from dashboard.ui import page as ui
from dashboard.views import data as data_tables

# every table, other units' raw rows and audit trail included: the office only, once users exist
auth_ui.require("data", open_without_users=True)
db_path = ui.db_path()
st.title("数据")
st.caption("每个载入的文件、被拒绝的数据及原因、校验发现；数据库中的每一张表都可以下载。")

st.subheader("最近的载入及检查结果")
recent = ui.cached_frame(data_tables.recent_loads, db_path)
ui.table_with_download(recent, "最近的载入.csv", empty_text="尚未载入任何文件。")
if recent.height:
    labels = {i: f"{i} · {f} · {t}" for i, f, t in recent.select("提交编号", "文件", "载入时间").iter_rows()}
    chosen = st.selectbox("查看一次载入的检查结果", list(labels), format_func=labels.get, key="data_recent")
    ui.table_with_download(
        ui.cached_call(data_tables.load_findings, db_path, chosen),
        f"检查结果_{chosen}.csv",
        empty_text="这次载入没有错误或提醒。",
    )

st.subheader("全部载入记录")
st.caption("“状态”为已撤回的文件，其数值不再计入（原始数据保留）；“数据性质”区分报送数据与示例数据。")
ui.table_with_download(
    ui.cached_frame(data_tables.submissions_table, db_path), "载入记录.csv", empty_text="尚未载入任何文件。"
)

st.subheader("被拒绝的数据")
st.caption("这些数值未载入；“原始单元格”是报表中该行的原样内容。")
ui.table_with_download(
    ui.cached_frame(data_tables.rejected_rows_table, db_path), "被拒绝的数据.csv", empty_text="没有被拒绝的数据。"
)

st.subheader("校验发现")
ui.table_with_download(
    ui.cached_frame(data_tables.findings_table, db_path), "校验发现.csv", empty_text="没有错误或提醒。"
)

st.subheader("数据库中的全部表")
names = ui.cached_frame(data_tables.table_names, db_path)
name = st.selectbox("选择表", names, format_func=data_tables.table_label, key="data_table")
if name:
    frame = data_tables.table_frame(db_path, name)
    label = data_tables.table_label(name)
    st.caption(f"{ui.md_escape(label)}：{frame.height} 行（成员单位、规划以名称显示，代码译为中文）")
    ui.table_with_download(frame, f"{label}.csv")
