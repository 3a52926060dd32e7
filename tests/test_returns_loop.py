"""The returns cycle a unit and the office live in (AppTest): the preview lists every value with
last year's and warns on plausible mistakes, blanks count as owed, the review queue, approving
a return with blanks, a 补报 after approval, and the clerk's notice of a withdrawal."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import both_stores
from long_returns import current_value
from streamlit.testing.v1 import AppTest
from test_upload_page import HEADER, metrics, signed_in, texts, upload

from dashboard.queries import db


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    db.close_all()


def frame_with(at: AppTest, column: str):
    """The first table on the page that has `column`."""
    return next(f.value for f in at.dataframe if column in f.value.columns)


def frame_text(at: AppTest) -> str:
    return "\n".join(f.value.to_string() for f in at.dataframe)


def office_review(accounts) -> AppTest:
    office = signed_in("office01", accounts["office01"])
    office.switch_page("../pages/review.py").run()
    assert not office.exception, [e.value for e in office.exception]
    return office


def test_preview_lists_values_with_last_year_and_warns(work_db: Path, accounts) -> None:
    at = signed_in("edu01", accounts["edu01"])
    at.switch_page("../pages/upload.py").run()
    at.selectbox(key="upload_year").select(2025).run()
    # 张店区 96.3 % last year written as a fraction; 淄川区 falls to 40 % from last year's figure
    upload(at, "教育局_2025.csv", HEADER + "C-EDU-02,,370303,,2025,0.953,\nC-EDU-02,,370302,,2025,40,\n")
    values = frame_with(at, "本次数值")
    assert list(values["本次数值"]) == [0.953, 40.0]
    assert list(values["上年数值"])[0] == 96.3
    assert round(list(values["较上年变化"])[0], 3) == -95.347
    assert list(values["提醒"]) == ["疑似小数而非百分数", "与上年相比跳变"]
    shown = texts(at)
    assert "如为 95.3%，请改为 95.3" in shown and "提醒不阻止载入" in shown
    assert metrics(at)["可载入数值"] == "2" and metrics(at)["拒绝"] == "0" and metrics(at)["提醒"] == "2"
    # every other owed value of 教育局's 2025 return is still blank: counted as 缺报
    owed = int(metrics(at)["缺报"]) + 2
    assert f"部分报送 2 / {owed}" in shown
    # warnings never block: the clerk confirms having checked them
    assert at.button(key="upload_confirm").disabled
    at.checkbox(key="upload_ack_warnings").check().run()
    assert not at.button(key="upload_confirm").disabled
    at.button(key="upload_confirm").click().run()
    assert current_value(work_db, "C-EDU-02", "370303", 2025) == 0.953


@both_stores
def test_review_queue_approve_with_blanks_then_top_up_and_withdrawal(work_db: Path, accounts) -> None:
    office = office_review(accounts)
    queue = frame_with(office, "完整性")
    # the demo leaves one return unreviewed: 教育局 2024
    assert list(queue["成员单位"]) == ["教育局"] and list(queue["年度"]) == [2024]

    unit = signed_in("edu01", accounts["edu01"])
    unit.switch_page("../pages/upload.py").run()
    unit.selectbox(key="upload_year").select(2025).run()
    upload(unit, "教育局_2025.csv", HEADER + "C-EDU-02,,370303,,2025,96.8,\n")
    unit.button(key="upload_confirm").click().run()
    assert any("已载入" in s.value for s in unit.success)
    assert any(m.label == "报送状态" and m.value.startswith("部分报送 1 / ") for m in unit.metric)

    office = office_review(accounts)
    queue = frame_with(office, "完整性")
    assert list(queue["年度"]) == [2024, 2025]  # oldest first
    assert list(queue["完整性"])[1].startswith("部分报送 1 / ")
    office.selectbox(key="review_pick").select(("education", 2025)).run()
    assert "96.8" in frame_text(office)
    office.button(key="queue_approve").click().run()
    assert any("尚未报齐" in w.value for w in office.warning)  # asks first
    assert current_value(work_db, "C-EDU-02", "370303", 2025) == 96.8
    office.button(key="queue_approve_confirm").click().run()
    assert not office.exception, [e.value for e in office.exception]
    assert any("审核通过并锁定" in s.value for s in office.success), texts(office)
    assert list(frame_with(office, "完整性")["年度"]) == [2024]

    # 补报: a blank is filled and accepted for review; the approved value stays locked
    upload(unit, "教育局_2025_补报.csv", HEADER + "C-EDU-02,,370303,,2025,97.5,\nC-EDU-02,,370304,,2025,95.1,\n")
    assert metrics(unit)["可载入数值"] == "1" and metrics(unit)["拒绝"] == "1"
    assert "已审核锁定" in texts(unit)
    unit.button(key="upload_confirm").click().run()
    assert current_value(work_db, "C-EDU-02", "370304", 2025) == 95.1
    assert current_value(work_db, "C-EDU-02", "370303", 2025) == 96.8

    office = office_review(accounts)
    queue = frame_with(office, "完整性")
    assert list(queue["年度"]) == [2024, 2025] and list(queue["状态"])[1] == "补报待审核"

    # the office withdraws the 补报; the clerk sees what, by whom, when and why
    office.selectbox(key="review_year").select(2025).run()
    office.selectbox(key="review_unit").select("education").run()
    assert "补报" in office.selectbox(key="review_withdraw_id").options[0]  # newest first
    office.selectbox(key="review_withdraw_id").select_index(0).run()
    office.text_input(key="review_withdraw_reason").input("淄川区数值口径有误")
    office.button(key="review_withdraw").click().run()
    assert not office.exception, [e.value for e in office.exception]
    assert any("已撤回" in s.value for s in office.success), texts(office)
    assert current_value(work_db, "C-EDU-02", "370304", 2025) is None

    unit = signed_in("edu01", accounts["edu01"])
    unit.switch_page("../pages/upload.py").run()
    unit.selectbox(key="upload_year").select(2025).run()
    notice = "\n".join(e.value for e in unit.error)
    assert "教育局_2025_补报.csv" in notice and "测试office01" in notice and "淄川区数值口径有误" in notice
