"""What every real-browser test needs: one shared app server, one shared Chromium, and the
checks for requests that leave the machine."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Debian's Chromium, headless, with nothing that reaches out on its own
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def unavailable(reason: str) -> None:
    """Skip when the browser is missing — except on CI, where that is a broken set-up."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"浏览器测试无法运行（CI）：{reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, proc: subprocess.Popen, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"streamlit did not answer on {url} within {timeout:.0f} s")


def leaving_requests(urls: list[str]) -> list[str]:
    """The requests that went anywhere but this machine (there must be none)."""
    from urllib.parse import urlparse

    return [
        u
        for u in urls
        if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).hostname not in LOCAL_HOSTS
    ]


def stop_server(proc: subprocess.Popen) -> None:
    """Stop the Streamlit subprocess, killing it if it does not stop in time."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def full_page_screenshot(page, name: str, width: int, settle_ms: int = 1200) -> None:
    """Save tests/artifacts/<name>.png of the whole page. Streamlit scrolls inside its own
    container, so a "full page" screenshot would stop at the viewport: grow the viewport to the
    content first, let it repaint, then shoot."""
    height = page.evaluate(
        """() => Math.max(document.body.scrollHeight, ...Array.from(
            document.querySelectorAll('[data-testid="stMain"], section.main, [data-testid="stAppViewContainer"]'),
            (el) => el.scrollHeight))"""
    )
    page.set_viewport_size({"width": width, "height": int(height) + 40})
    page.wait_for_timeout(settle_ms)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def start_app(db_path: Path, log_path: Path, users_file: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run` on a free local port against `db_path`; returns the process and its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "FUER_DB": str(db_path), "FUER_USERS_FILE": str(users_file)}
    with log_path.open("wb") as log:  # the child keeps its own handle
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "dashboard/app.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_serving(url, proc)
    except BaseException:
        stop_server(proc)
        raise
    return proc, url


@pytest.fixture(scope="session")
def app_url(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One app server for every browser test, on the embedded default database (read-only):
    starting Streamlit costs several seconds, so the tests share it."""
    logs = tmp_path_factory.mktemp("streamlit")
    proc, url = start_app(built_db, logs / "streamlit.log", logs / "no-users.toml")
    try:
        yield url
    finally:
        stop_server(proc)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    """The system Chromium through Playwright (never a Playwright-downloaded browser)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        unavailable("未找到 chromium（apt-get install -y chromium fonts-noto-cjk）")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("未安装 playwright Python 包（pip extra: test）")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
