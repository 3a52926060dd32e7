"""The office judges a 定性 goal 已实现 / 未实现 with a note; the engine counts it, audit keeps it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from conftest import both_stores

from dashboard import engine
from etl.workflow import assessment
from etl.workflow.assessment import Assessment, AssessmentError

OFFICE = "妇儿工委办 王芳（office01）"
GOAL = "W-ENV-02"  # 男女平等基本国策宣传与性别平等社会观念: an outline goal without a measure


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


@both_stores
def test_a_judgement_counts_and_a_later_one_is_a_revision(work_db: Path) -> None:
    # the sample has the office's 2024 judgement 已实现 (1.0) as revision 1
    first = assessment.record(work_db, Assessment(GOAL, "370300", 2024, "未实现", "宣传覆盖不足"), actor=OFFICE)
    assert first.endswith("评定为未实现，第2版")
    item = engine.run(work_db, "两纲", 2024, "370300", basis="reviewed").item(GOAL, "370300")
    assert (item["latest_value"], item["status"], item["review_state"]) == (0.0, "not_achieved", "reviewed")

    second = assessment.record(work_db, Assessment(GOAL, "370300", 2024, "已实现", "年度考核通过"), actor=OFFICE)
    assert second.endswith("评定为已实现，第3版")
    item = engine.run(work_db, "两纲", 2024, "370300").item(GOAL, "370300")
    assert (item["latest_value"], item["status"]) == (1.0, "achieved")
    audit = rows(
        work_db,
        f"SELECT actor, action, old_value, new_value, detail FROM audit_log "
        f"WHERE indicator_code = '{GOAL}' AND action = 'assess' ORDER BY id",
    )
    assert audit == [
        (OFFICE, "assess", 1.0, 0.0, "评定为未实现；依据：宣传覆盖不足"),
        (OFFICE, "assess", 0.0, 1.0, "评定为已实现；依据：年度考核通过"),
    ]
    # nothing is overwritten: both judgements stay
    kept = rows(
        work_db,
        f"SELECT value, note FROM observation WHERE indicator_code = '{GOAL}' "
        "AND region_code = '370300' AND year = 2024 ORDER BY revision",
    )
    assert kept == [(1.0, None), (0.0, "宣传覆盖不足"), (1.0, "年度考核通过")]


@pytest.mark.parametrize(
    ("judgement", "message"),
    [
        (Assessment("C-HEALTH-04", "370300", 2024, "已实现", "x"), "不是定性目标"),
        (Assessment(GOAL, "999999", 2024, "已实现", "x"), "未知地区代码：999999"),
        (Assessment(GOAL, "370300", 2030, "已实现", "x"), "只能评定 2026 年及以前"),
        (Assessment(GOAL, "370300", 2024, "基本实现", "x"), "只能是“已实现”或“未实现”"),
        (Assessment(GOAL, "370300", 2024, "已实现", "  "), "说明不能为空"),
    ],
)
@both_stores
def test_bad_judgements_are_refused_and_change_nothing(work_db: Path, judgement: Assessment, message: str) -> None:
    before = rows(work_db, "SELECT count(*) FROM observation")
    with pytest.raises(AssessmentError, match=message):
        assessment.record(work_db, judgement, actor=OFFICE, today=date(2026, 12, 5))
    assert rows(work_db, "SELECT count(*) FROM observation") == before
