"""The upload flow end to end in the app (AppTest): sign in as a unit, upload through the file
uploader, see the findings before anything is saved, confirm, the value appears; the office
approves; a second upload touching the approved values is refused.

AppTest (streamlit 1.67) drives st.file_uploader directly (`FileUploader.upload`), so the page
runs exactly as in a browser, including the preview on a throwaway copy of the database.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from long_returns import current_value
from streamlit.testing.v1 import AppTest

from dashboard.queries import db
from etl.workflow import users

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
HEADER = "指标代码,指标名称,地区代码,地区名称,年份,数值,备注\n"


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    db.close_all()


def signed_in(username: str, password: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["登录"]
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    at.button(key="signin_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def texts(at: AppTest) -> str:
    parts = [e.value for kind in (at.success, at.error, at.warning, at.info, at.markdown) for e in kind]
    for frame in at.dataframe:
        parts.append(frame.value.to_string())
    return "\n".join(str(p) for p in parts)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def upload(at: AppTest, name: str, content: str) -> AppTest:
    [uploader] = at.file_uploader
    uploader.upload(name, content.encode("utf-8"), "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_unit_uploads_checks_confirms_then_office_approves_and_locks(work_db: Path, accounts) -> None:
    old = current_value(work_db, "C-EDU-02", "370303", 2024)
    at = signed_in("edu01", accounts["edu01"])
    at.switch_page("../pages/upload.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["数据填报"]
    assert at.download_button(key="upload_template")  # the pre-filled template is offered

    # one own value and one of 卫生健康委's indicators
    upload(at, "教育局_2024.csv", HEADER + "C-EDU-02,,370303,,2024,97.7,\nW-HEALTH-01,,370303,,2024,79.5,\n")
    shown = texts(at)
    assert metrics(at)["可载入数值"] == "1" and metrics(at)["将改变的数值"] == "1" and metrics(at)["拒绝"] == "1"
    assert "非本单位负责的指标" in shown and "由卫生健康委牵头" in shown and "第3行" in shown
    assert "修订已有数值" in shown  # 96.3 → 97.7, said before saving
    # the preview saved nothing
    assert current_value(work_db, "C-EDU-02", "370303", 2024) == old

    at.button(key="upload_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("已载入" in s.value for s in at.success)
    assert current_value(work_db, "C-EDU-02", "370303", 2024) == 97.7
    assert [u.value for u in at.file_uploader] == [None]  # emptied, so the file is not offered again
    assert current_value(work_db, "W-HEALTH-01", "370303", 2024) != 79.5

    # the office approves 教育局's 2024 return
    office = signed_in("office01", accounts["office01"])
    office.switch_page("../pages/review.py").run()
    assert not office.exception, [e.value for e in office.exception]
    office.selectbox(key="review_year").select(2024).run()
    office.selectbox(key="review_unit").select("education").run()
    office.button(key="review_approve").click().run()
    assert not office.exception, [e.value for e in office.exception]
    assert any("审核通过并锁定" in s.value for s in office.success), texts(office)
    assert "已审核（锁定）" in texts(office)

    # a second upload touching the approved value is refused, with who can unlock it
    upload(at, "教育局_2024_更正.csv", HEADER + "C-EDU-02,,370303,,2024,98.9,\n")
    shown = texts(at)
    assert metrics(at)["将改变的数值"] == "0" and metrics(at)["拒绝"] == "1"
    assert "已审核锁定" in shown and "已审核通过" in shown and "请联系妇儿工委办" in shown
    assert at.button(key="upload_confirm").disabled
    assert current_value(work_db, "C-EDU-02", "370303", 2024) == 97.7


def test_pages_follow_roles(work_db: Path, accounts) -> None:
    anonymous = AppTest.from_file(str(APP), default_timeout=120).run()
    assert [t.value for t in anonymous.title] == ["登录"]
    with pytest.raises(ValueError):  # not even registered before sign-in
        anonymous.switch_page("../pages/overview.py")

    wrong = AppTest.from_file(str(APP), default_timeout=120).run()
    wrong.text_input(key="signin_username").input("edu01")
    wrong.text_input(key="signin_password").input("not-the-password")
    wrong.button(key="signin_submit").click().run()
    assert [e.value for e in wrong.error] == ["用户名或密码不正确。"]

    leader = signed_in("lead01", accounts["lead01"])
    assert any("领导驾驶舱" in t.value for t in leader.title)  # the default page
    for page in ("../pages/upload.py", "../pages/review.py", "../pages/data.py"):
        with pytest.raises(ValueError):
            leader.switch_page(page)

    unit = signed_in("edu01", accounts["edu01"])
    for page in ("../pages/review.py", "../pages/data.py"):  # 数据 holds every unit's raw rows
        with pytest.raises(ValueError):
            unit.switch_page(page)

    office = signed_in("office01", accounts["office01"])
    office.switch_page("../pages/data.py").run()
    assert not office.exception, [e.value for e in office.exception]
    assert [t.value for t in office.title] == ["数据"]
    unit.button(key="signout").click().run()
    assert [t.value for t in unit.title] == ["登录"]


OIDC = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-only-not-a-secret",
    "client_id": "fuer",
    "client_secret": "test-only",
    "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
}


def test_oidc_identity_is_matched_to_a_configured_user(work_db: Path, accounts, tmp_path: Path) -> None:
    """With [auth] in the secrets, st.login replaces the password form; st.user.email picks the user."""
    users.set_user(tmp_path / "users.toml", "edu01", email="Edu01@Example.org")
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.secrets["auth"] = OIDC
    at.user = {"is_logged_in": False}
    at.run()
    assert [t.value for t in at.title] == ["登录"] and not at.text_input  # no password form
    at.user = {"is_logged_in": True, "email": "edu01@example.org", "name": "教育局"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.switch_page("../pages/upload.py").run()
    assert [t.value for t in at.title] == ["数据填报"]
    assert any("填报单位：教育局" in c.value for c in at.caption)
    with pytest.raises(ValueError):
        at.switch_page("../pages/review.py")

    stranger = AppTest.from_file(str(APP), default_timeout=120)
    stranger.secrets["auth"] = OIDC
    stranger.user = {"is_logged_in": True, "email": "someone@example.org"}
    stranger.run()
    assert any("尚未在用户配置中登记" in e.value for e in stranger.error)


def test_public_briefing_opens_without_sign_in_only_when_enabled(accounts, tmp_path: Path) -> None:
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert [t.value for t in at.title] == ["登录"]  # off by default: sign in first

    path = Path(os.environ["FUER_USERS_FILE"])
    text = path.read_text(encoding="utf-8")
    assert "public_briefing = false" in text  # the command writes the switch, off
    path.write_text(text.replace("public_briefing = false", "public_briefing = true"), encoding="utf-8")
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("领导驾驶舱" in t.value for t in at.title)
