"""数据填报: a member unit downloads its pre-filled template, uploads its return, sees every
finding per row and cell before anything is saved, then confirms the load.

The preview and the load are the same `etl.returns.load.load_file` as the command line: the
preview runs it on a throwaway copy and rolls back, the load publishes it atomically.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import streamlit as st

from dashboard.auth import gate as auth_ui
from dashboard.ui import options
from dashboard.ui import page as ui
from dashboard.views import returns as returns_status
from dashboard.views import review as review_queue
from dashboard.views import units as units_mod
from dashboard.views import upload as return_preview
from dashboard.views.actions import (
    ROLE_UNIT,
    WriterBusy,
    bounded_load,
    preview_file,
    snapshot_id,
    staged_upload,
    submit_file,
    upload_limit_bytes,
    upload_limit_mb,
)

user = auth_ui.require("upload")
db_path = ui.db_path()
st.title("数据填报")

# reruns come with every widget change: the queries are cached per database snapshot (and day)
today = date.today()
units = ui.cached_call(returns_status.unit_options, db_path)
if user.role == ROLE_UNIT:
    if user.unit_code not in units:
        st.error(f"您的账号所属单位“{ui.md_escape(user.unit_code)}”不在成员单位名录中，请联系妇儿工委办。")
        st.stop()
    unit_code = user.unit_code
    st.caption(f"填报单位：{ui.md_escape(units[unit_code])}。只能报送本单位牵头或负责的指标；其他单位的指标会被拒绝。")
else:
    unit_code = st.selectbox("成员单位", list(units), format_func=units.get, key="upload_unit")
    st.caption("工委办可代任一成员单位上传；数值按所选单位记录。")
unit_name = units[unit_code]
years = ui.cached_call(returns_status.report_years, db_path, today)
year = st.selectbox(
    "报表年度",
    years,
    index=years.index(ui.cached_call(returns_status.default_year, db_path, today)),
    format_func=lambda y: f"{y}年",
    key="upload_year",
)

status = ui.cached_call(returns_status.unit_status, db_path, unit_code, year, today)
left, middle, right = st.columns(3)
left.metric("报送状态", status["state_label"], border=True)
middle.metric(
    "完整率",
    "—" if status["rate"] is None else f"{status['rate']}%",
    help="本单位牵头指标 × 各区县的合计数值中，已有数值的比例",
    border=True,
)
right.metric("报送截止日", f"{status['deadline']:%Y-%m-%d}", border=True)
if status["state_code"] in ("approved", "resubmitted"):
    st.warning(
        f"{ui.md_escape(unit_name)}{year}年报表已由{ui.md_escape(status['actor'])}"
        f"于{status['acted_at']:%Y-%m-%d %H:%M}审核通过，"
        "已审核的数值已锁定，上传的修改会被拒绝（如需更正，请联系妇儿工委办解锁）；"
        "缺报的数值仍可补报，补报后由工委办审核。",
        icon=":material/lock:",
    )

withdrawn = ui.cached_call(review_queue.withdrawal_notice, db_path, unit_code, year)
if withdrawn is not None:
    st.error(
        f"{year}年报表的提交 {withdrawn['submission_id']}（{ui.md_escape(withdrawn['file'])}，"
        f"{withdrawn['values']} 个数值）已于 {withdrawn['withdrawn_at']:%Y-%m-%d %H:%M} 由"
        f"{ui.md_escape(withdrawn['withdrawn_by'])}撤回，原因：{ui.md_escape(withdrawn['reason'])}。"
        "撤回的数值不再计入；请更正后重新上传。",
        icon=":material/undo:",
    )

result = st.session_state.pop("upload_result", None)
if result is not None:
    if result.status == "loaded":
        filled, owed = return_preview.owed_after(db_path, unit_code, year)
        st.success(
            f"已载入（提交编号 {result.submission_id}）：{ui.md_escape(result.message)}。"
            f"本单位{year}年报表：{return_preview.completeness_label(filled, owed)}",
            icon=":material/check_circle:",
        )
    else:
        st.error(ui.md_escape(result.message))

st.subheader("1. 下载填报模板")
st.caption("模板已预填本单位的指标、各区县和上年数值（仅供核对）；只需填写黄色的“数值”列。")
st.download_button(
    "下载预填模板",
    data=ui.cached_call(
        units_mod.template_bytes, db_path, unit_code, year, ui.cached_call(options.home_region, db_path)
    ),
    file_name=units_mod.template_name(unit_name, year),
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    on_click="ignore",
    key="upload_template",
)
with st.expander("本单位负责的指标"):
    ui.table_with_download(ui.cached_call(returns_status.unit_indicators, db_path, unit_code), f"{unit_name}_指标.csv")

st.subheader("2. 上传报表并预检")
st.caption(
    f"支持 xlsx、xls、csv 和 Excel 导出的“Unicode 文本”（txt），单个文件不超过 {upload_limit_mb()} MB。"
    "上传后先逐行逐格检查，确认无误后再点“确认载入”；在此之前不会保存任何数据。"
)
# a new key after each load empties the uploader, so a loaded file is not offered again
round_no = st.session_state.setdefault("upload_round", 0)
uploaded = st.file_uploader(
    "选择填好的报表",
    type=["xlsx", "xls", "csv", "txt"],
    max_upload_size=upload_limit_mb(),
    key=f"upload_file_{round_no}",
)
if uploaded is None:
    st.session_state.pop("upload_preview", None)
    st.stop()

options = {
    "unit": unit_code,
    "year": str(year),
    "actor": user.actor,
    "enforce_unit": user.role == ROLE_UNIT,
    "safety": True,
    "max_bytes": upload_limit_bytes(),
}
# a new file, unit, year or database snapshot means the preview must be run again
preview_key = (uploaded.file_id, unit_code, year, snapshot_id(db_path))
preview = st.session_state.get("upload_preview")
if preview is None or preview["key"] != preview_key:
    with st.spinner("正在检查……"), staged_upload(uploaded.name, uploaded.getvalue()) as path:
        # in a child process with a memory cap and time limit: one file cannot starve the app
        preview = {"key": preview_key, "report": bounded_load(preview_file, db_path, path, **options)}
    st.session_state["upload_preview"] = preview
report = preview["report"]

if report.status == "failed":
    st.error(f"无法载入：{ui.md_escape(report.message)}")
elif report.status == "unchanged":
    st.info(ui.md_escape(report.message))
else:
    counts = returns_status.findings_summary(report.findings)
    cols = st.columns(6)
    cols[0].metric("可载入数值", report.accepted, help="通过检查的数值", border=True)
    cols[1].metric(
        "将改变的数值", report.changed, help="新增的数值和与现有数值不同的数值；相同的数值不重复保存", border=True
    )
    cols[2].metric("其中修订", report.revisions, help="与已载入数值不同，将作为新版本载入，原值保留", border=True)
    cols[3].metric("拒绝", report.rejected, help="有错误的数值不会载入", border=True)
    filled, owed = return_preview.owed_after(db_path, unit_code, year, report)
    cols[4].metric(
        "缺报",
        owed - filled,
        border=True,
        help="本单位应报的数值中，载入后仍没有数值的个数（模板中留空或填“—”的格子都算缺报）",
    )
    cols[5].metric("提醒", counts["warning"], border=True)
    st.markdown(f"**载入后本单位{year}年报表：{return_preview.completeness_label(filled, owed)}**")
    if report.rejected:
        st.warning(
            f"有 {report.rejected} 个数值不会载入，原因见下表（按工作表、行、列）。可以修改文件后重新上传，"
            "也可以先载入其余数值。"
        )
    else:
        st.success("预检通过：没有错误。")

if report.status == "loaded":
    st.markdown("**将保存的数值**（请逐一核对；“提醒”列的数值请确认无误）")
    ui.table_with_download(
        return_preview.preview_values(db_path, report),
        f"将保存的数值_{Path(uploaded.name).stem}.csv",
        empty_text="没有可保存的数值。",
    )
    suspicious = return_preview.suspicious_count(report)
    if suspicious:
        st.warning(
            f"有 {suspicious} 个数值疑似填写有误（见“提醒”列和下表）：提醒不阻止载入，请逐一核对后再确认。",
            icon=":material/warning:",
        )

st.markdown("**检查结果**")
ui.table_with_download(
    returns_status.findings_frame(report.findings, severities=("error", "warning")),
    f"预检结果_{Path(uploaded.name).stem}.csv",
    empty_text="没有发现问题。",
)
info = returns_status.findings_frame(report.findings, severities=("info",))
if info.height:
    with st.expander(f"读取说明（{info.height} 条：跳过的行、工作表等）"):
        ui.table_with_download(info, f"读取说明_{Path(uploaded.name).stem}.csv")

if report.status == "loaded":
    if report.changed == 0:
        st.caption("没有任何数值会改变（没有可载入的数值，或与已载入的数据完全相同），无需载入。")
    checked = True
    if return_preview.suspicious_count(report):
        checked = st.checkbox("我已核对疑似有误的数值，确认无误", key="upload_ack_warnings")
    if st.button(
        "确认载入",
        type="primary",
        disabled=report.changed == 0 or not checked,
        key="upload_confirm",
        icon=":material/cloud_upload:",
    ):
        try:
            with st.spinner("正在载入……"), staged_upload(uploaded.name, uploaded.getvalue()) as path:
                st.session_state["upload_result"] = bounded_load(submit_file, db_path, path, **options)
        except WriterBusy as exc:
            st.error(ui.md_escape(exc))
            st.stop()
        st.session_state.pop("upload_preview", None)
        st.session_state["upload_round"] = round_no + 1
        st.rerun()
