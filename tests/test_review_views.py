"""With users configured, leader views count reviewed values only; the office may switch to
含待审核 and judges 定性 goals on the 中期评估 page (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import db

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
