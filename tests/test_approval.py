"""Approval locks a unit's return; unlocking is recorded; withdrawing stops values counting."""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
import pytest
from conftest import both_stores
from long_returns import current_value, long_csv
from rich.console import Console

from etl.returns.load import submit_file
from etl.workflow import approval
from etl.workflow.approval import WorkflowError

pytestmark = both_stores  # the write path, on the DuckDB file and on PostgreSQL

OFFICE = "妇儿工委办 王芳（office01）"


def q(db: Path, sql: str, params: dict | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql, params=params).fetchall()
    finally:
        con.close()


@pytest.fixture
def approved(work_db: Path, tmp_path: Path) -> Path:
    """教育局 sends its 2024 return (C-EDU-02 张店区 97.5) and the office approves it."""
    f = long_csv(tmp_path / "教育局_2024.csv", [["C-EDU-02", "", "370303", "", "2024", "97.5", ""]])
    assert submit_file(work_db, f, unit="education", enforce_unit=True, actor="教育局（edu01）").accepted == 1
    result = approval.approve(work_db, "教育局", 2024, actor=OFFICE)
    assert "审核通过" in result.message
    return work_db


def test_upload_touching_approved_values_is_refused(approved: Path, tmp_path: Path) -> None:
    f = long_csv(
        tmp_path / "教育局_2024_更正.csv",
        [
            ["C-EDU-02", "", "370303", "", "2024", "98.2", ""],  # changes a locked value
            ["C-EDU-02", "", "370321", "", "2024", "95.0", ""],  # a new value in the approved return
            ["C-EDU-02", "", "370303", "", "2025", "94.4", ""],  # another year: not locked
        ],
    )
    report = submit_file(approved, f, unit="education", enforce_unit=True, actor="教育局（edu01）")
    locked = [x for x in report.findings if x.rule == "locked"]
    assert [(x.row, x.column) for x in locked] == [(2, "F"), (3, "F")]
    msg = locked[0].message
    assert "教育局2024年报表已审核通过" in msg and OFFICE in msg and "已锁定" in msg
    assert "请联系妇儿工委办" in msg and "解锁" in msg and "教育局_2024_更正.csv" in msg
    # no contradictory "loaded as a revision" note for the refused cell
    assert not [x for x in report.findings if x.rule == "revision" and x.row == 2]
    assert report.accepted == 1 and report.rejected == 2
    assert current_value(approved, "C-EDU-02", "370303", 2024) == 97.5
    assert current_value(approved, "C-EDU-02", "370303", 2025) == 94.4


def test_resending_an_identical_value_is_not_a_change(approved: Path, tmp_path: Path) -> None:
    f = long_csv(tmp_path / "再次报送.csv", [["C-EDU-02", "", "370303", "", "2024", "97.5", "同上次"]])
    report = submit_file(approved, f, unit="education", enforce_unit=True, actor="教育局（edu01）")
    assert not [x for x in report.findings if x.severity == "error"]
    # the lock lets it through because nothing changes: no revision, the value stays
    assert (report.changed, report.revisions) == (0, 0)
    assert current_value(approved, "C-EDU-02", "370303", 2024) == 97.5


def test_the_lock_protects_values_against_other_loaders_too(work_db: Path, tmp_path: Path) -> None:
    """Approved W-HEALTH-01 values (the sample build approves every 2024 return but 教育局's)
    cannot be overwritten by 统计局, which shares the indicator, or by the command line."""
    f = long_csv(tmp_path / "统计局.csv", [["W-HEALTH-01", "", "370303", "", "2024", "79.0", ""]])
    before = current_value(work_db, "W-HEALTH-01", "370303", 2024)
    # 统计局 is stopped by its own approved return, the command line by 卫生健康委's, which holds the value
    for unit, enforce, owner in (("statistics", True, "统计局"), (None, False, "卫生健康委")):
        report = submit_file(work_db, f, unit=unit, enforce_unit=enforce)
        assert [x.rule for x in report.findings if x.severity == "error"] == ["locked"]
        assert f"{owner}2024年报表已审核通过" in report.findings[-1].message
    assert current_value(work_db, "W-HEALTH-01", "370303", 2024) == before


def test_unlock_is_recorded_and_reopens_the_return(approved: Path, tmp_path: Path) -> None:
    f = long_csv(tmp_path / "更正.csv", [["C-EDU-02", "", "370303", "", "2024", "98.2", ""]])
    refused = submit_file(approved, f, unit="education", enforce_unit=True, actor="教育局（edu01）")
    assert refused.accepted == 0 and [x.rule for x in refused.findings if x.severity == "error"] == ["locked"]
    with pytest.raises(WorkflowError, match="原因"):
        approval.unlock(approved, "education", 2024, actor=OFFICE, reason="  ")
    approval.unlock(approved, "education", 2024, actor=OFFICE, reason="张店区数值录入错误")
    events = q(
        approved,
        "SELECT action, actor, reason, acted_at FROM lock_event WHERE unit_code = 'education'"
        " AND year = 2024 ORDER BY id",
    )
    assert [(a, who, why) for a, who, why, _ in events] == [
        ("approved", OFFICE, None),
        ("unlocked", OFFICE, "张店区数值录入错误"),
    ]
    assert events[1][3] >= events[0][3]
    assert q(approved, "SELECT action, actor, detail FROM audit_log WHERE action = 'unlocked'") == [
        ("unlocked", OFFICE, "张店区数值录入错误")
    ]
    # the very file refused before loads now (it is not "already loaded")
    report = submit_file(approved, f, unit="education", enforce_unit=True, actor="教育局（edu01）")
    assert report.status == "loaded" and report.accepted == 1
    assert not [x for x in report.findings if x.rule == "locked"]
    assert current_value(approved, "C-EDU-02", "370303", 2024) == 98.2
    with pytest.raises(WorkflowError, match="未处于审核锁定状态"):
        approval.unlock(approved, "education", 2024, actor=OFFICE, reason="再次")


def test_approve_needs_a_return_and_happens_once(approved: Path) -> None:
    with pytest.raises(WorkflowError, match="无需重复审核"):
        approval.approve(approved, "education", 2024, actor=OFFICE)
    with pytest.raises(WorkflowError, match="尚未收到教育局2029年报表"):
        approval.approve(approved, "education", 2029, actor=OFFICE)


def test_withdraw_stops_values_counting_and_deletes_nothing(work_db: Path, tmp_path: Path) -> None:
    before = current_value(work_db, "C-EDU-02", "370303", 2024)
    f = long_csv(
        tmp_path / "教育局_错报.csv",
        [["C-EDU-02", "", "370303", "", "2024", "59.0", ""], ["C-EDU-02", "", "370303", "", "2025", "99.0", ""]],
    )
    sub = submit_file(work_db, f, unit="education", actor="教育局（edu01）").submission_id
    assert current_value(work_db, "C-EDU-02", "370303", 2024) == 59.0
    counts = q(
        work_db,
        "SELECT (SELECT count(*) FROM observation), (SELECT count(*) FROM submission), (SELECT count(*) FROM raw_row)",
    )

    result = approval.withdraw(work_db, sub, actor=OFFICE, reason="错报，数值应为百分数")
    assert result.values_changed == 2
    # the earlier value counts again; a value that only this file had is gone from the current view
    assert current_value(work_db, "C-EDU-02", "370303", 2024) == before
    assert current_value(work_db, "C-EDU-02", "370303", 2025) is None
    # nothing deleted: same rows, the submission is marked withdrawn
    assert (
        q(
            work_db,
            "SELECT (SELECT count(*) FROM observation), (SELECT count(*) FROM submission),"
            " (SELECT count(*) FROM raw_row)",
        )
        == counts
    )
    assert q(work_db, "SELECT value FROM observation WHERE submission_id = $s ORDER BY year", {"s": sub}) == [
        (59.0,),
        (99.0,),
    ]
    assert q(
        work_db, "SELECT withdrawn_by, reason FROM submission_withdrawal WHERE submission_id = $s", {"s": sub}
    ) == [(OFFICE, "错报，数值应为百分数")]
    audit = q(
        work_db,
        "SELECT year, old_value, new_value FROM audit_log WHERE action = 'withdraw'"
        " AND indicator_code IS NOT NULL ORDER BY year",
    )
    assert audit == [(2024, 59.0, before), (2025, 99.0, None)]
    with pytest.raises(WorkflowError, match="已于"):
        approval.withdraw(work_db, sub, actor=OFFICE, reason="again")
    # the same file may be sent again after a withdrawal: it is not "already loaded"
    again = submit_file(work_db, f, unit="education", actor="教育局（edu01）")
    assert again.status == "loaded" and current_value(work_db, "C-EDU-02", "370303", 2024) == 59.0


def test_withdrawing_from_an_approved_return_needs_an_unlock(approved: Path) -> None:
    [(sub,)] = q(approved, "SELECT max(id) FROM submission")
    with pytest.raises(WorkflowError, match="请妇儿工委办先解锁再撤回"):
        approval.withdraw(approved, sub, actor=OFFICE, reason="x")
    assert q(approved, "SELECT count(*) FROM submission_withdrawal") == [(0,)]


def test_command_line_approve_and_unlock(work_db: Path, capsys) -> None:
    parser = argparse.ArgumentParser()
    approval.register_cli(parser.add_subparsers(dest="command"))
    console = Console(stderr=True)

    def run(*argv: str) -> int:
        args = parser.parse_args(argv)
        return args.handler(args, console)

    # 教育局's 2024 return is the one sample return the office has not reviewed yet
    assert run("approve", "--unit", "教育局", "--year", "2024", "--by", "王芳") == 0
    assert q(work_db, "SELECT state, actor FROM approval_current WHERE unit_code = 'education' AND year = 2024") == [
        ("approved", "王芳")
    ]
    assert run("approve", "--unit", "教育局", "--year", "2024") == 2
    assert "无需重复审核" in capsys.readouterr().err
    assert run("unlock", "--unit", "education", "--year", "2024", "--reason", "更正") == 0
    [(state, actor)] = q(
        work_db, "SELECT state, actor FROM approval_current WHERE unit_code = 'education' AND year = 2024"
    )
    assert state == "unlocked" and actor.startswith("命令行")


def test_a_withdrawn_value_is_no_longer_received(work_db: Path, tmp_path: Path) -> None:
    from dashboard import engine
    from dashboard.queries import db

    def received() -> list[bool]:
        cells = engine.run(work_db, "liangang", 2025, "370300").completeness_cells
        db.close_all()
        one = cells.filter(
            (cells["indicator_code"] == "C-EDU-02") & (cells["region_code"] == "370303") & (cells["year"] == 2025)
        )
        return one.get_column("received").to_list()

    assert received() == [False]  # the sample stops at 2024
    f = long_csv(tmp_path / "教育局_2025.csv", [["C-EDU-02", "", "370303", "", "2025", "94.4", ""]])
    sub = submit_file(work_db, f, unit="education", actor="教育局（edu01）").submission_id
    assert received() == [True]
    approval.withdraw(work_db, sub, actor=OFFICE, reason="错报")
    assert received() == [False]
