"""Sign-in in a real browser: a deep link survives sign-in, a reload and a new tab keep the
session, the uploader speaks Chinese, and a page the user cannot open says so in Chinese."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import full_page_screenshot, start_app, stop_server

from etl.workflow import users

pytestmark = pytest.mark.browser
DEEP = "indicator?indicator=C-HEALTH-13&region=370304"
HEADING = "指标详情 · 小学生近视率"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def signed_app(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("signin-app")
    users_file = folder / "users.toml"
    password = "Pw-" + secrets.token_urlsafe(16)
    users.set_user(users_file, "edu01", role="unit", unit="教育局", name="测试教育局", password=password)
    proc, url = start_app(built_db, folder / "streamlit.log", users_file)
    try:
        yield url, password
    finally:
        stop_server(proc)


def wait_ready(page) -> None:
    page.wait_for_load_state("networkidle", timeout=90_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def sign_in(page, password: str) -> None:
    page.get_by_role("heading", name="登录").wait_for(timeout=90_000)
    page.get_by_label("用户名").fill("edu01")
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_deep_link_survives_sign_in_and_reload(signed_app, chromium_browser) -> None:
    url, password = signed_app
    context = chromium_browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        page = context.new_page()
        page.goto(url + DEEP)
        sign_in(page, password)
        # the indicator and district the link named, not the briefing of another district
        page.get_by_role("heading", name=HEADING).wait_for(timeout=90_000)
        assert "indicator=C-HEALTH-13" in page.url and "region=370304" in page.url
        wait_ready(page)
        # innerText holds only what is shown: the district the link named, the unit by its name
        page.wait_for_function("() => document.body.innerText.includes('博山区')", timeout=30_000)
        page.wait_for_function("() => document.body.innerText.includes('教育局')", timeout=30_000)

        page.reload()  # no password again
        page.get_by_role("heading", name=HEADING).wait_for(timeout=90_000)
        assert page.get_by_role("heading", name="登录").count() == 0

        other = context.new_page()  # a new tab of the same browser
        other.goto(url + "upload")
        other.get_by_role("heading", name="数据填报").wait_for(timeout=90_000)
        wait_ready(other)
        dropzone = other.locator('[data-testid="stFileUploaderDropzone"]')
        words = dropzone.evaluate(
            """(el) => {
                const button = el.querySelector('button');
                const notes = el.querySelector('[data-testid="stFileUploaderDropzoneInstructions"]');
                return [getComputedStyle(button, '::after').content, getComputedStyle(notes, '::after').content,
                        getComputedStyle(button).fontSize];
            }"""
        )
        # the types this uploader takes, no more and no fewer
        assert words == ['"选择文件"', '"单个文件不超过 10 MB · 支持 XLSX、XLS、CSV、TXT"', "0px"]
        # with a file chosen, only the browse button is relabelled: the file's remove (✕) and
        # add (+) buttons keep their icons and carry no stray 选择文件
        other.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(FIXTURES / "header_only.csv"))
        other.get_by_test_id("stFileChip").wait_for(timeout=30_000)
        wait_ready(other)
        buttons = dropzone.evaluate(
            """(el) => Array.from(el.querySelectorAll('button'), (b) => [
                b.getAttribute('aria-label'), getComputedStyle(b, '::after').content,
                getComputedStyle(b).fontSize !== '0px', b.getBoundingClientRect().width > 0])"""
        )
        assert buttons == [
            ["Remove header_only.csv", "none", True, True],
            ["Add files", "none", True, True],
        ]
        full_page_screenshot(other, "signin-upload-file-chosen", 1440)

        # 审核 is the office's: the link says so in Chinese, no English dialog
        other.goto(url + "review")
        other.get_by_text("链接中的页面不存在，或您的账号无权打开该页面").wait_for(timeout=90_000)
        assert other.get_by_text("Page not found").count() == 0
    finally:
        context.close()


def test_signed_out_browser_is_asked_to_sign_in(signed_app, chromium_browser) -> None:
    url, _ = signed_app
    context = chromium_browser.new_context()
    try:
        page = context.new_page()
        page.goto(url + "no-such-page")
        page.get_by_role("heading", name="登录").wait_for(timeout=90_000)
        page.get_by_text("链接中的页面不存在").wait_for(timeout=30_000)
        assert page.get_by_text("Page not found").count() == 0
        # a forged cookie is no session
        context.add_cookies([{"name": "fuer_session", "value": "v1.ZWR1MDE.1.1.00", "url": url}])
        page.goto(url + DEEP)
        page.get_by_role("heading", name="登录").wait_for(timeout=90_000)
    finally:
        context.close()
