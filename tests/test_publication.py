"""The publication rule: leader views count reviewed values; a partial, unreviewed return for the
next year moves neither the default year nor the numbers; 含待审核 shows it, marked."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from long_returns import long_csv

from dashboard import engine
from dashboard.engine import publication, report_year
from etl.returns.load import submit_file
from etl.workflow import approval

OFFICE = "妇儿工委办 王芳（office01）"


def test_pick_year_worked_examples() -> None:
    # 2025 has only a few early values: the latest year at or over 80 % is 2024
    assert report_year.pick_year({2023: 96.0, 2024: 88.5, 2025: 3.1}, 80.0) == 2024
    # nothing reaches the threshold: the best-covered year, the later one on a tie
    assert report_year.pick_year({2022: 40.0, 2023: 55.0, 2024: 55.0, 2025: 2.0}, 80.0) == 2024
    assert report_year.pick_year({}, 80.0) is None


def test_default_basis_follows_the_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    assert publication.default_basis(users_configured=True) == "reviewed"
    assert publication.default_basis(users_configured=False) == "all"
    monkeypatch.setenv("FUER_PUBLICATION_RULE", "reviewed")
    assert publication.default_basis(users_configured=False) == "reviewed"
    monkeypatch.setenv("FUER_PUBLICATION_RULE", "sometimes")
    with pytest.raises(publication.PublicationError, match="publication_rule"):
        publication.default_basis(users_configured=True)


def _item(result: engine.ProgressResult, code: str, region: str) -> dict:
    row = result.item(code, region)
    assert row is not None
    return row


@pytest.fixture
def partial_2025(work_db: Path, tmp_path: Path) -> Path:
    """卫生健康委's 2020–2024 returns are approved in the sample; then an unreviewed 2025 return with a
    typo (9.9‰)."""
    f = long_csv(
        tmp_path / "卫健委_2025.csv",
        [
            ["C-HEALTH-04", "", "370303", "", "2025", "9.9", ""],
            ["C-HEALTH-04", "", "370305", "", "2025", "2.1", ""],
        ],
    )
    assert submit_file(work_db, f, unit="health", enforce_unit=True, actor="卫健委（health01）").accepted == 2
    return work_db


def test_unreviewed_values_do_not_reach_the_reviewed_view(partial_2025: Path) -> None:
    reviewed = engine.run(partial_2025, "两纲", 2025, "370300", basis="reviewed")
    every = engine.run(partial_2025, "两纲", 2025, "370300", basis="all")
    held = _item(reviewed, "C-HEALTH-04", "370303")
    shown = _item(every, "C-HEALTH-04", "370303")
    assert (held["latest_year"], held["review_state"]) == (2024, "reviewed")
    assert (shown["latest_year"], shown["latest_value"], shown["review_state"]) == (2025, 9.9, "pending")
    assert reviewed.basis_caption.startswith("数据口径：仅已审核数据（另有")
    assert "已标注“待审核”" in every.basis_caption


def test_a_few_early_values_do_not_move_the_default_year(built_db: Path, partial_2025: Path) -> None:
    # the sample's 2024: 教育局's return is still 待审核 and 医保局 sent none, so 2024 is 95.5 % in
    # but only 74.2 % reviewed, under the 80 % threshold: leaders see 2023 until 教育局 is approved
    for db in (built_db, partial_2025):
        assert report_year.default_report_year(db, "370300", "reviewed") == 2023
        assert report_year.default_report_year(db, "370300", "all") == 2024
    assert (
        round(report_year.reported_shares(built_db, report_year.districts_of(built_db, "370300"), "reviewed")[2024], 1)
        == 74.2
    )


def test_withdrawn_values_never_count(partial_2025: Path) -> None:
    con = duckdb.connect(str(partial_2025), read_only=True)
    try:
        ((sid,),) = con.sql("SELECT max(id) FROM submission").fetchall()
    finally:
        con.close()
    approval.withdraw(partial_2025, sid, actor=OFFICE, reason="数值有误")
    every = engine.run(partial_2025, "两纲", 2025, "370300", basis="all")
    assert _item(every, "C-HEALTH-04", "370303")["latest_year"] == 2024
