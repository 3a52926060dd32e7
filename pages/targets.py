"""规划目标: the office's own plan targets — upload the plan's target table (parsed beside the
original wording), edit in a table with a required reason, and the revision history."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.auth import gate as auth_ui
from dashboard.ui import page as ui
from dashboard.views import targets as target_editor
from etl.core.store import WriterBusy

user = auth_ui.require("targets")
db_path = ui.db_path()
st.title("规划目标")
st.caption(
    "两纲、十四五为国家规划目标，随系统提供并注明来源，只读；两规为本市（县）规划目标，由妇儿工委办制定和修改。"
    "每次修改都保留记录（修改人、时间、原因），进度计算和各页面立即使用最新目标。"
)

notice = st.session_state.pop("targets_notice", None)
if notice:
    (st.success if notice[0] == "ok" else st.error)(ui.md_escape(notice[1]))

plans = ui.cached_call(target_editor.plan_options, db_path)
plan = st.selectbox(
    "规划",
    list(plans),
    index=list(plans).index("lianggui") if "lianggui" in plans else 0,
    format_func=plans.get,
    key="targets_plan",
)
can_edit = target_editor.editable(db_path, plan)
current = ui.cached_call(target_editor.editor_frame, db_path, plan)

if not can_edit:
    st.info(
        f"{plans[plan]}：国家规划目标只读。本地目标请在“两规”中设定；低于国家目标的本地目标可以保存，并标注“低于国家目标”。"
    )
    ui.table_with_download(current, f"{plans[plan]}目标.csv", empty_text="该规划没有目标。")
    st.stop()

upload_tab, edit_tab, history_tab = st.tabs(["导入规划目标表", "在线编辑", "修改记录"])

with upload_tab:
    st.caption(
        "规划文本“主要目标”附表格式：指标名称、单位、2025年目标、2030年目标、目标类型、牵头单位、责任单位、来源/文号；"
        "分区县目标用横排表（每个区县一列）。先核对识别结果，再确认导入。"
    )
    file = st.file_uploader("规划目标表（xlsx、xls、csv）", type=["xlsx", "xls", "csv"], key="targets_file")
    if file is not None:
        data = file.getvalue()
        report = target_editor.preview_upload(db_path, file.name, data, plan=plan)
        st.markdown("**识别结果**（原文与识别出的目标类型、数值并列，请核对）")
        st.dataframe(report.preview(), hide_index=True, width="stretch")
        if report.findings:
            st.warning(f"发现 {len(report.errors)} 个问题：有问题的格不导入，其余照常导入。")
            st.dataframe(target_editor.findings_table(report.findings), hide_index=True, width="stretch")
        reason = st.text_input("导入原因（必填）", value=f"导入规划目标表 {file.name}", key="targets_import_reason")
        if st.button("确认导入", key="targets_import", disabled=not report.changes or not reason.strip()):
            try:
                done = target_editor.import_upload(db_path, file.name, data, actor=user.actor, reason=reason, plan=plan)
            except (ValueError, WriterBusy) as exc:
                st.session_state["targets_notice"] = ("error", str(exc))
            else:
                r = done.result
                st.session_state["targets_notice"] = (
                    "ok",
                    f"已导入：新增或修改目标 {len(r.added)} 条，未变 {len(r.unchanged)} 条，"
                    f"未导入 {len(done.errors)} 处（见上表）。",
                )
            st.rerun()

with edit_tab:
    st.caption(
        "可修改目标类型、目标值、允许偏差、区间下限和上限（区间目标如 40%—50%）、目标原文和来源/文号；"
        "数值目标必须注明来源/文号。"
        "可在表尾添加新目标（填写指标代码和目标年份），删除的行记为“撤销”。"
    )
    edited = st.data_editor(
        current,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        disabled=["规划", "指标名称", "单位", "国家目标", "标注"],
        column_config={"目标类型": st.column_config.SelectboxColumn(options=list(target_editor.ZH_KIND))},
        key="targets_editor",
    )
    reason = st.text_input("修改原因（必填）", key="targets_edit_reason")
    if st.button("保存修改", key="targets_save"):
        frame = edited if isinstance(edited, pl.DataFrame) else pl.from_pandas(edited)
        try:
            outcome = target_editor.save_edits(db_path, plan, current, frame, actor=user.actor, reason=reason)
        except (ValueError, WriterBusy) as exc:
            st.session_state["targets_notice"] = ("error", str(exc))
        else:
            ok = outcome.result is not None and not outcome.result.refused and not outcome.problems
            st.session_state["targets_notice"] = ("ok" if ok else "error", outcome.message)
        st.rerun()

with history_tab:
    ui.table_with_download(
        ui.cached_call(target_editor.plan_history, db_path, plan),
        f"{plans[plan]}目标修改记录.csv",
        empty_text="还没有修改记录：当前目标均为随系统提供的目标。",
    )
