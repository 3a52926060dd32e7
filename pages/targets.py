"""规划目标: the office's own plan — targets (upload the plan's target table, parsed beside the
original wording; edit in a table with a required reason; history), local indicators (add and
edit, with history) and member-unit duties (edit in a table, with history)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard.auth import gate as auth_ui
from dashboard.ui import page as ui
from dashboard.views import duties as duty_editor
from dashboard.views import local_indicators as local_editor
from dashboard.views import targets as target_editor
from dashboard.views.actions import ACTION_ERRORS

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

targets_tab, local_tab, duty_tab = st.tabs(["规划目标", "本地指标", "成员单位分工"])

with targets_tab:
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
    else:
        upload_tab, edit_tab, history_tab = st.tabs(["导入规划目标表", "在线编辑", "修改记录"])

        with upload_tab:
            st.caption(
                "规划文本“主要目标”附表格式：指标名称、单位、2025年目标、2030年目标、目标类型、牵头单位、责任单位、来源/文号；"
                "分区县目标用横排表（每个区县一列）。先核对识别结果，再确认导入。"
            )
            file = ui.file_uploader("规划目标表（xlsx、xls、csv）", ["xlsx", "xls", "csv"], key="targets_file")
            if file is not None:
                data = file.getvalue()
                report = target_editor.preview_upload(db_path, file.name, data, plan=plan)
                st.markdown("**识别结果**（原文与识别出的目标类型、数值并列，请核对）")
                ui.table_with_download(report.preview(), "规划目标识别结果.csv", empty_text="表中没有识别出目标。")
                if report.findings:
                    st.warning(target_editor.findings_summary(report.findings))
                    ui.table_with_download(target_editor.findings_table(report.findings), "规划目标导入问题.csv")
                if report.duty_rows:
                    st.markdown("**牵头单位、责任单位**（表中写明的单位与成员单位名录中识别出的单位并列）")
                    ui.table_with_download(report.duty_preview(), "牵头单位和责任单位识别结果.csv")
                reason = st.text_input(
                    "导入原因（必填）", value=f"导入规划目标表 {file.name}", key="targets_import_reason"
                )
                nothing = not report.changes and not report.duty_rows
                if st.button("确认导入", key="targets_import", disabled=nothing or not reason.strip()):
                    try:
                        done = target_editor.import_upload(
                            db_path, file.name, data, actor=user.actor, reason=reason, plan=plan
                        )
                    except ACTION_ERRORS as exc:
                        st.session_state["targets_notice"] = ("error", str(exc))
                    else:
                        r = done.result
                        moved = len(done.duty_result.added) if done.duty_result else 0
                        st.session_state["targets_notice"] = (
                            "ok",
                            f"已导入：新增或修改目标 {len(r.added)} 条，未变 {len(r.unchanged)} 条，"
                            f"更新成员单位分工 {moved} 项，未导入 {len(done.errors)} 处（见上表）。",
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
                except ACTION_ERRORS as exc:
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

with local_tab:
    st.caption(
        "工委办可在两规中增加本地指标（国家指标目录只读）。新增后系统给出固定的指标代码（L-OFFICE-nnn），"
        "指标即进入两规、牵头单位的填报模板、报表载入、进度计算、各页面、中期评估报告和下载；"
        "每次新增或修改都保留记录（修改人、时间、原因）。"
    )
    ui.table_with_download(
        ui.cached_call(local_editor.local_table, db_path), "本地指标.csv", empty_text="还没有工委办添加的本地指标。"
    )
    domains = ui.cached_call(local_editor.domain_choices, db_path)
    unit_names = ui.cached_call(local_editor.unit_names, db_path)
    directions = local_editor.DIRECTION_CHOICES
    existing = ui.cached_call(local_editor.local_table, db_path)
    codes = existing.get_column("指标代码").to_list() if existing.height else []
    picked = st.selectbox(
        "新增或修改",
        [None, *codes],
        format_func=lambda c: "新增本地指标" if c is None else f"修改 {c}",
        key="local_pick",
    )
    before = local_editor.current(db_path, picked) if picked else None
    suffix = picked or "new"
    with st.form(f"local_form_{suffix}", enter_to_submit=False):
        name = st.text_input("指标名称（必填）", value=before.name if before else "", key=f"local_name_{suffix}")
        left, middle, right = st.columns(3)
        unit = left.text_input(
            "计量单位",
            value=(before.unit or "") if before else "%",
            help="如 %、‰、1/10万、个；定性（是/否）指标留空",
            key=f"local_unit_{suffix}",
        )
        decimals = middle.number_input(
            "小数位数", 0, 4, value=before.decimals if before else 1, step=1, key=f"local_decimals_{suffix}"
        )
        direction = right.selectbox(
            "指标方向",
            list(directions),
            index=list(directions).index((before.direction or "") if before else "up"),
            format_func=directions.get,
            key=f"local_direction_{suffix}",
        )
        domain = st.selectbox(
            "领域",
            domains,
            index=domains.index(before.domain) if before and before.domain in domains else 0,
            key=f"local_domain_{suffix}",
        )
        definition = st.text_area(
            "统计口径", value=(before.definition or "") if before else "", key=f"local_definition_{suffix}"
        )
        data_source = st.text_input(
            "数据来源", value=(before.data_source or "") if before else "", key=f"local_source_{suffix}"
        )
        lead_now = local_editor.unit_name_of(db_path, before.lead_unit) if before else ""
        lead = st.selectbox(
            "牵头单位（报送数值的单位）",
            ["", *unit_names],
            index=(["", *unit_names].index(lead_now) if lead_now in unit_names else 0),
            format_func=lambda n: n or "（无）",
            key=f"local_lead_{suffix}",
        )
        shared_now = [local_editor.unit_name_of(db_path, u) for u in before.shared_units] if before else []
        shared = st.multiselect(
            "责任单位", unit_names, default=[n for n in shared_now if n in unit_names], key=f"local_shared_{suffix}"
        )
        targets: dict[int, str] = {}
        target_source = ""
        if before is None:
            st.markdown("两规目标（可不填，之后在“规划目标”中设定；写法同规划文本，如 ≥90%、40%—50%、逐步提高）")
            t_left, t_right, t_source = st.columns(3)
            targets[2025] = t_left.text_input("2025年目标", key="local_target_2025")
            targets[2030] = t_right.text_input("2030年目标", key="local_target_2030")
            target_source = t_source.text_input("来源/文号（数值目标必填）", key="local_target_source")
        local_reason = st.text_input("原因（必填）", key=f"local_reason_{suffix}")
        submitted = st.form_submit_button("新增指标" if before is None else "保存修改", key=f"local_submit_{suffix}")
    if submitted:
        if not local_reason.strip():
            st.session_state["targets_notice"] = ("error", "请填写新增或修改的原因")
        else:
            try:
                outcome = local_editor.save(
                    db_path,
                    code=picked,
                    name=name,
                    unit=unit,
                    decimals=int(decimals),
                    domain=domain,
                    direction=direction,
                    definition=definition,
                    data_source=data_source,
                    lead=lead,
                    shared="、".join(shared),
                    actor=user.actor,
                    reason=local_reason,
                    targets=targets,
                    target_source=target_source,
                )
            except ACTION_ERRORS as exc:
                st.session_state["targets_notice"] = ("error", str(exc))
            else:
                st.session_state["targets_notice"] = ("ok" if outcome.ok else "error", outcome.message)
        st.rerun()
    if picked:
        st.markdown(f"**{picked} 修改记录**")
        ui.table_with_download(
            ui.cached_call(local_editor.history_table, db_path, picked), f"{picked}修改记录.csv", height="content"
        )

with duty_tab:
    st.caption(
        "哪个成员单位报送哪个指标（牵头单位）、哪些单位共同负责（责任单位，用、分隔）、为哪些区县报送"
        "（“全部”或区县名称，用、分隔）、每年的报送截止日（次年 月-日，如 03-31；“默认”按系统设置）。"
        "修改后填报模板、应报与缺报（完整性）、及时率立即按新分工计算；每次修改都保留记录。"
    )
    duty_now = ui.cached_call(duty_editor.duty_frame, db_path)
    duty_edited = st.data_editor(
        duty_now,
        num_rows="fixed",
        hide_index=True,
        width="stretch",
        disabled=[duty_editor.KEY, "指标名称", "计量单位"],
        column_config={
            "牵头单位": st.column_config.SelectboxColumn(options=ui.cached_call(duty_editor.unit_choices, db_path))
        },
        key="duties_editor",
    )
    duty_reason = st.text_input("修改原因（必填）", key="duties_reason")
    if st.button("保存分工", key="duties_save"):
        frame = duty_edited if isinstance(duty_edited, pl.DataFrame) else pl.from_pandas(duty_edited)
        try:
            outcome = duty_editor.save_edits(db_path, duty_now, frame, actor=user.actor, reason=duty_reason)
        except ACTION_ERRORS as exc:
            st.session_state["targets_notice"] = ("error", str(exc))
        else:
            st.session_state["targets_notice"] = ("ok" if outcome.ok else "error", outcome.message)
        st.rerun()
    st.markdown("**分工修改记录**")
    ui.table_with_download(
        ui.cached_call(duty_editor.all_history, db_path),
        "成员单位分工修改记录.csv",
        empty_text="还没有修改记录：当前分工均按指标目录随系统提供。",
    )
