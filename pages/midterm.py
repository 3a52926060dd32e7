"""中期评估: the per-domain evaluation table, counts per category, a narrative from computed
numbers, CSV and Excel downloads — layout only."""

from __future__ import annotations

from functools import partial

import streamlit as st

from dashboard.render import present
from dashboard.report import bundle as report
from dashboard.report import pdf as report_pdf
from dashboard.ui import page as ui
from dashboard.ui.drill import drill_down
from dashboard.views import assessments, midterm

page = ui.open_page()
view, options, path, home, result = page.view, page.options, page.path, page.home, page.result
companions = ui.cached_call(midterm.companion_targets, path, result.plan.code, view.year, home)
key = (view, home, tuple(c.plan.code for c in companions))
m = ui.cached_view(midterm.evaluation, key, result, view.region, companions)

st.title(f"中期评估 · {m.region_name}")
st.caption(
    f"{result.plan.name}（{result.plan.full_name}） · 评估年份 {result.report_year} 年 · "
    f"评价标签：{result.label_set_name}{midterm.label_hint(result.label_set)}"
)
ui.result_banner(result)
if not m.has_values:
    below_word = m.below.word if m.below else "区县"
    st.info(
        f"{m.region_name}本级暂无数值，下表各项均为无数据。中期评估表按本级数据填写，上级数值不由下级数值相加或平均；"
        f"所辖各{below_word}的情况见“{m.below.title if m.below else '各区县评估汇总'}”（合计行标为汇总），"
        f"也可在侧栏“地区”中选择{below_word}查看其评估表。",
        icon=":material/info:",
    )

st.subheader("评估摘要")
st.markdown(m.narrative)
st.caption("摘要中的每个数字都由下表计算得出。")

st.subheader("分类汇总")
ui.table_csv(
    m.summary,
    present.file_name("中期评估汇总", m.region_name, m.report_year),
    note=present.COUNT_NOTE,
    height="content",
)

if m.below is not None:
    st.subheader(m.below.title)
    st.caption(
        m.below.rank_line(m.region_name)
        + m.below.total_line
        + "按达标率排名，并列时依次比较达标率分母、退步或未向好项数、行政区划代码。"
        + midterm.PARENT_RULE
        + "。"
    )
    ui.table_csv(
        m.below.table,
        present.file_name(f"中期评估_各{m.below.word}汇总", m.below.parent_name, m.report_year),
        note=present.COUNT_NOTE,
        height="content",
    )
    drill_down(m.below.drill, key="midterm_drill", label=f"进入某{m.below.word}，查看其评估表和所辖地区")

org = midterm.report_org()
downloads = st.columns(2)
with downloads[0]:
    ui.download_csv(m.table, present.file_name("中期评估", m.region_name, m.report_year), key="midterm_csv")
with downloads[1]:
    st.download_button(
        f"下载 {present.file_name('中期评估', m.region_name, m.report_year, 'xlsx')}",
        data=ui.cached_view(midterm.workbook, (*key, org), m, org),
        file_name=present.file_name("中期评估", m.region_name, m.report_year, "xlsx"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="midterm_xlsx",
        icon=":material/download:",
        on_click="ignore",
        help="每个领域一张工作表，另有汇总表；A4 横向、每页重复表头，可直接打印。",
    )
st.caption(m.note)

st.subheader("评估报告")
st.caption(
    "由本页的数字生成中期评估报告初稿：封面、总体情况、各领域完成情况（表和图）、存在的问题、"
    "下一步工作建议（留待工委办填写）和附表。点击下载时生成，PDF 和各区县打包需要稍等。"
)
reports = st.columns(3)
report_args = (path, view.plan, view.year)
report_name = f"中期评估报告_{result.plan.name}"
with reports[0]:
    name = present.file_name(report_name, m.region_name, m.report_year, "docx")
    st.download_button(
        f"下载 {name}",
        data=partial(report.region_file, *report_args, view.region, "docx", view.labels, org, view.basis),
        file_name=name,
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        key="report_docx",
        icon=":material/description:",
        on_click="ignore",
        help="Word 初稿，可直接修改后上报；黑体标题、仿宋正文、A4、页码、表头每页重复。",
    )
with reports[1]:
    if report_pdf.renderer() is None:
        st.info(report_pdf.INSTALL_HELP, icon=":material/info:")
    else:
        name = present.file_name(report_name, m.region_name, m.report_year, "pdf")
        st.download_button(
            f"下载 {name}",
            data=partial(report.region_file, *report_args, view.region, "pdf", view.labels, org, view.basis),
            file_name=name,
            mime="application/pdf",
            key="report_pdf",
            icon=":material/picture_as_pdf:",
            on_click="ignore",
            help="与 Word 版内容相同的 PDF，供领导阅读（字体已嵌入）。",
        )
with reports[2]:
    name = present.file_name(f"{report_name}_各区县", options.regions[home], m.report_year, "zip")
    st.download_button(
        f"下载 {name}",
        data=partial(report.districts_file, *report_args, "docx", view.labels, org, view.basis),
        file_name=name,
        mime="application/zip",
        key="report_zip",
        icon=":material/folder_zip:",
        on_click="ignore",
        help="每个区县一份 Word 报告，打包下载，供各区县工委办使用。",
    )

st.subheader("各领域评估表")
if m.by_domain:
    for tab, (domain, table) in zip(st.tabs(list(m.by_domain)), m.by_domain.items(), strict=True):
        with tab:
            st.dataframe(ui.arrow_table(table), hide_index=True, placeholder="", height="content")
            ui.download_csv(
                table,
                present.file_name(f"中期评估_{domain}", m.region_name, m.report_year),
                key=f"midterm_csv_{domain}",
            )

# --- 定性目标评定 (the office only) ----------------------------------------------------------------
office = ui.office_user()
goals = assessments.goals(result, view.region)
if office is not None and goals.height:
    st.subheader("定性目标评定")
    st.caption(
        f"没有数值的定性目标由工委办评定为已实现或未实现，并写明依据；每次评定都记入审核记录，"
        f"旧的评定保留。评定对象：{m.region_name}，{result.report_year}年。"
    )
    names = dict(zip(goals["indicator_code"], goals["指标"], strict=True))
    current = dict(zip(goals["indicator_code"], goals["当前评定"], strict=True))
    with st.form("assess_goal", clear_on_submit=True):
        code = st.selectbox("定性目标", list(names), format_func=lambda c: f"{names[c]}（当前：{current[c]}）")
        verdict = st.radio("评定结果", ["已实现", "未实现"], horizontal=True)
        note = st.text_area("评定依据（必填）", max_chars=2000)
        if st.form_submit_button("保存评定", icon=":material/save:"):
            try:
                message = assessments.save(
                    path, code, view.region, result.report_year, verdict, note, actor=office.actor
                )
            except assessments.AssessmentError as exc:
                st.error(ui.md_escape(str(exc)), icon=":material/error:")
            else:
                st.success(ui.md_escape(message), icon=":material/check_circle:")
