"""With users configured, leader views count reviewed values only; the office may switch to
含待审核 and judges 定性 goals on the 中期评估 page (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.queries import db

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    db.close_all()


def signed_in(username: str, password: str, **params: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    at.button(key="signin_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def test_a_leader_sees_reviewed_values_and_cannot_ask_for_more(work_db: Path, accounts) -> None:
    at = signed_in("lead01", accounts["lead01"])
    assert [t.value for t in at.title] == ["领导驾驶舱 · 淄博市"]
    assert not [s for s in at.selectbox if s.key == "view_basis"]
    assert any(c.startswith("数据口径：仅已审核数据") for c in captions(at))
    at.query_params["basis"] = "all"
    at.run()
    assert "链接中的数据口径“all”不存在，已改为默认数据口径。" in [w.value for w in at.warning]


def test_the_office_may_include_pending_values_marked(work_db: Path, accounts) -> None:
    at = signed_in("office01", accounts["office01"])
    basis = at.selectbox(key="view_basis")
    assert basis.options == ["仅已审核数据", "含待审核数据"]
    basis.select("all").run()
    assert not at.exception
    assert any(c.startswith("数据口径：含待审核数据") for c in captions(at))
    assert at.query_params["basis"] == "all"


def test_the_office_judges_a_qualitative_goal(work_db: Path, accounts) -> None:
    at = signed_in("office01", accounts["office01"])
    at.switch_page("../pages/midterm.py").run()
    assert not at.exception, [e.value for e in at.exception]
    next(s for s in at.selectbox if s.label == "定性目标").select("W-ENV-02")
    at.radio[0].set_value("未实现")
    at.text_area[0].input("宣传覆盖不足")
    at.button(key="FormSubmitter:assess_goal-保存评定").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("评定为未实现" in s.value for s in at.success), [e.value for e in at.error]


def test_a_partial_unreviewed_return_changes_nothing_a_leader_sees(work_db: Path, accounts, tmp_path: Path) -> None:
    from long_returns import long_csv

    from etl.returns.load import submit_file

    before = signed_in("lead01", accounts["lead01"])
    shown_before = {m.label: m.value for m in before.metric}
    worse_before = [m.value for m in before.markdown if "较上年变差" in m.value]
    f = long_csv(
        tmp_path / "卫健委_2025.csv",
        [
            ["C-HEALTH-04", "", "370303", "", "2025", "9.9", ""],
            ["W-HEALTH-M1", "", "370303", "", "2025", "0.953", ""],
        ],
    )
    report = submit_file(work_db, f, unit="health", enforce_unit=True, actor="卫健委（health01）")
    assert report.accepted >= 1

    after = signed_in("lead01", accounts["lead01"])
    assert {m.label: m.value for m in after.metric} == shown_before
    assert [m.value for m in after.markdown if "较上年变差" in m.value] == worse_before
    # the year a leader opens on is the latest year whose reviewed values reach 80 %: still 2023
    assert after.query_params.get("year") in (None, "2023")
    assert any("报告年份 2023 年" in c for c in captions(after))

    office = signed_in("office01", accounts["office01"], year="2025", region="370303")
    office.selectbox(key="view_basis").select("all").run()
    assert not office.exception
    assert any("含待审核数据" in c for c in captions(office))
    # the typo is on the office's screen, marked as not reviewed
    cells = [str(v) for frame in office.dataframe for v in frame.value.to_numpy().ravel()]
    assert "9.9（2025年）（待审核）" in cells
