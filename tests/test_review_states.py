"""A return's state says what is left of it: a withdrawn return is not one waiting for review."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from long_returns import long_csv
from test_upload_page import signed_in

from dashboard.queries import db
from dashboard.views import returns, review
from etl.returns.load import submit_file
from etl.workflow import approval

OFFICE = "妇儿工委办 王芳（office01）"


@pytest.fixture(autouse=True)
def _close():
    yield
    db.close_all()


def test_unlocked_return_whose_files_are_all_withdrawn_is_not_sent(work_db: Path, tmp_path: Path, accounts) -> None:
    f = long_csv(tmp_path / "教育局_2025.csv", [["C-EDU-02", "", "370303", "", "2025", "96.8", ""]])
    sent = submit_file(work_db, f, unit="education", enforce_unit=True, actor="教育局（edu01）")
    approval.approve(work_db, "教育局", 2025, actor=OFFICE)
    approval.unlock(work_db, "education", 2025, actor=OFFICE, reason="张店区数值有误")
    assert returns.unit_status(work_db, "education", 2025)["state_label"] == "已解锁（待重新审核）"
    approval.withdraw(work_db, sent.submission_id, actor=OFFICE, reason="整份撤回，重新报送")

    status = returns.unit_status(work_db, "education", 2025)
    assert (status["state_code"], status["state_label"], status["files"]) == ("none", "未报送", 0)
    assert list(review.queue(work_db).filter(pl.col("unit_code") == "education")["year"]) == [2024]

    office = signed_in("office01", accounts["office01"])
    office.switch_page("../pages/review.py").run()
    office.selectbox(key="review_year").select(2025).run()
    office.selectbox(key="review_unit").select("education").run()
    assert not office.exception, [e.value for e in office.exception]
    assert office.button(key="review_approve").disabled


def test_queue_line_says_completeness_once() -> None:
    row = {
        "unit_name": "教育局",
        "year": 2025,
        "state_label": "部分报送 135 / 136",
        "completeness": "部分报送 135 / 136",
        "outliers": 0,
        "warnings": 2,
    }
    assert review.entry_line(row) == ("教育局2025年报表", "部分报送 135 / 136；疑似异常值 0 个，其他提醒 2 条")
    checked = {**row, "state_label": "已核对", "completeness": "已报齐 136 / 136"}
    assert review.entry_line(checked)[1] == "已核对；完整性 已报齐 136 / 136；疑似异常值 0 个，其他提醒 2 条"
