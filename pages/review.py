"""审核: opens on the queue of returns awaiting review (oldest first, each with its values,
completeness, warnings and outliers); then each unit's return per year — received / checked /
approved, completeness and timeliness, the reminder list — with check, approve (lock), unlock
and withdraw, every value's history and the audit trail.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from dashboard.auth import gate as auth_ui
from dashboard.ui import page as ui
from dashboard.views import actions
from dashboard.views import returns as returns_status
from dashboard.views import review as review_queue

user = auth_ui.require("review")
db_path = ui.db_path()
st.title("审核")
st.caption("审核通过即锁定该单位该年度的数据；之后的修改须先解锁（写明原因）。撤回的提交保留原始数据，但不再计入。")

notice = st.session_state.pop("review_notice", None)
if notice and notice[0] == "ok":
    st.success(ui.md_escape(notice[1]))
elif notice:
    st.error(ui.md_escape(notice[1]))


def act(action, *args, **kwargs) -> None:
    """Run one office action, keep its message for the next run, and rerun to show fresh tables."""
    try:
        result = action(db_path, *args, actor=user.actor, **kwargs)
    except actions.ACTION_ERRORS as exc:
        st.session_state["review_notice"] = ("error", str(exc))
    else:
        st.session_state["review_notice"] = ("ok", result.message)
    st.rerun()


def approve_button(
    unit_code: str, unit_name: str, year: int, received: int, expected: int, *, key: str, disabled: bool = False
) -> None:
    """Approve, asking first when owed values are still blank: approval locks what was sent."""
    pending = st.session_state.get("review_confirming")
    if pending == (unit_code, year, key):
        st.warning(
            f"{ui.md_escape(unit_name)}{year}年报表尚未报齐（{received} / {expected}，"
            f"缺报 {expected - received} 个数值）。审核通过将锁定已报数值，缺报的数值之后仍可补报。"
            "确定要审核通过吗？",
            icon=":material/warning:",
        )
        yes, no = st.columns(2)
        if yes.button("确认审核通过", key=f"{key}_confirm", type="primary", icon=":material/lock:"):
            st.session_state.pop("review_confirming", None)
            act(actions.approve, unit_code, year)
        if no.button("取消", key=f"{key}_cancel"):
            st.session_state.pop("review_confirming", None)
            st.rerun()
        return
    if st.button("审核通过并锁定", key=key, type="primary", icon=":material/lock:", disabled=disabled):
        if received < expected:
            st.session_state["review_confirming"] = (unit_code, year, key)
            st.rerun()
        act(actions.approve, unit_code, year)


# reruns come with every widget change: the queries are cached per database snapshot (and day)
today = date.today()

st.subheader("待审核的报表")
waiting = ui.cached_call(review_queue.queue, db_path, today)
if waiting.height == 0:
    st.info("没有待审核的报表。", icon=":material/inbox:")
else:
    st.caption(f"共 {waiting.height} 份，按报送时间从早到晚排列；完整性为已报 / 应报数值（缺报含模板中留空的格子）。")
    ui.table_with_download(review_queue.queue_table(waiting), "待审核报表.csv")
    labels = review_queue.choices(waiting)
    pick = st.selectbox("审核哪一份", list(labels), format_func=labels.get, key="review_pick")
    row = review_queue.entry(waiting, *pick)
    whose, said = review_queue.entry_line(row)
    st.markdown(f"**{ui.md_escape(whose)}**：{ui.md_escape(said)}")
    ui.table_with_download(
        ui.cached_call(review_queue.return_values, db_path, pick[0], pick[1]),
        f"{row['unit_name']}_{row['year']}年数值.csv",
        empty_text="没有现行数值。",
    )
    found = ui.cached_call(review_queue.return_findings, db_path, pick[0], pick[1])
    if found.height:
        with st.expander(f"提醒与疑似异常值（{found.height} 条）"):
            ui.table_with_download(found, f"{row['unit_name']}_{row['year']}年提醒.csv")
    approve_button(pick[0], row["unit_name"], pick[1], row["received"], row["expected"], key="queue_approve")

st.subheader("全部报表")
years = ui.cached_call(returns_status.report_years, db_path, today)
year = st.selectbox(
    "报表年度",
    years,
    index=years.index(ui.cached_call(returns_status.default_year, db_path, today)),
    format_func=lambda y: f"{y}年",
    key="review_year",
)

st.subheader("各成员单位报送情况")
st.caption(
    f"完整率：各单位牵头指标 × 各区县的合计数值中已有数值的比例；及时性以 "
    f"{returns_status.deadline(year):%Y年%m月%d日} 为截止日。"
)
ui.table_with_download(
    ui.cached_call(returns_status.status_table, db_path, year, today),
    f"{year}年报送情况.csv",
    empty_text="没有需要报送的成员单位。",
)

st.subheader("催报清单")
ui.table_with_download(
    ui.cached_call(returns_status.reminder_summary, db_path, year),
    f"{year}年催报清单.csv",
    empty_text="各单位应报数值均已报送。",
)
with st.expander("缺报明细（单位 × 指标 × 区县）"):
    ui.table_with_download(
        ui.cached_call(returns_status.reminder_list, db_path, year), f"{year}年缺报明细.csv", empty_text="没有缺报。"
    )

st.subheader("审核操作")
units = ui.cached_call(returns_status.unit_options, db_path)
unit_code = st.selectbox("成员单位", list(units), format_func=units.get, key="review_unit")
unit_name = units[unit_code]
status = ui.cached_call(returns_status.unit_status, db_path, unit_code, year, today)
by = f"（{status['actor']}，{status['acted_at']:%Y-%m-%d %H:%M}）" if status["acted_at"] else ""
st.markdown(f"**{ui.md_escape(unit_name)}{year}年报表**：{ui.md_escape(status['state_label'] + by)}")

check_col, approve_col = st.columns(2)
if check_col.button(
    "标记为已核对",
    key="review_check",
    icon=":material/task_alt:",
    disabled=status["state_code"] in ("none", "approved"),
):
    act(actions.mark_checked, unit_code, year)
with approve_col:
    approve_button(
        unit_code,
        unit_name,
        year,
        status["received"],
        status["expected"],
        key="review_approve",
        disabled=status["state_code"] in ("none", "approved"),
    )
if status["state_code"] in ("approved", "resubmitted"):
    with st.form("review_unlock_form", clear_on_submit=True):
        reason = st.text_input("解锁原因（必填，记入审核记录）", key="review_unlock_reason")
        if st.form_submit_button("解锁", icon=":material/lock_open:", key="review_unlock"):
            act(actions.unlock, unit_code, year, reason=reason)

st.markdown("**提交记录**")
ui.table_with_download(
    ui.cached_call(returns_status.unit_submissions, db_path, unit_code, year),
    f"{unit_name}_{year}年提交记录.csv",
    empty_text="该单位该年度尚无提交。",
)
choices = ui.cached_call(returns_status.withdrawable, db_path, unit_code, year)
if choices:
    with st.form("review_withdraw_form", clear_on_submit=True):
        chosen = st.selectbox("撤回提交", list(choices), format_func=choices.get, key="review_withdraw_id")
        reason = st.text_input("撤回原因（必填，记入审核记录）", key="review_withdraw_reason")
        if st.form_submit_button("撤回所选提交", icon=":material/undo:", key="review_withdraw"):
            act(actions.withdraw, chosen, reason=reason)

st.subheader("数值历史")
indicators = ui.cached_call(returns_status.unit_indicators, db_path, unit_code)
if indicators.height:
    names = dict(indicators.select("指标代码", "指标名称").iter_rows())
    districts = ui.cached_call(returns_status.district_options, db_path)
    c1, c2, c3 = st.columns([3, 2, 1])
    indicator = c1.selectbox("指标", list(names), format_func=lambda c: f"{c} {names[c]}", key="history_indicator")
    region = c2.selectbox("地区", list(districts), format_func=districts.get, key="history_region")
    breakdown = c3.selectbox("分组", returns_status.breakdown_options(db_path, indicator), key="history_breakdown")
    ui.table_with_download(
        returns_status.value_history(db_path, indicator, region, year, breakdown),
        f"数值历史_{indicator}_{region}_{year}.csv",
        empty_text="该数值尚无任何版本。",
    )

st.subheader("审核记录")
st.caption("每一次载入、核对、审核、解锁、撤回：谁、何时、哪个文件、哪个数值由多少改为多少。")
ui.table_with_download(
    returns_status.audit_trail(db_path, unit_code=unit_code, year=year),
    f"{unit_name}_{year}年审核记录.csv",
    empty_text="尚无记录。",
)
