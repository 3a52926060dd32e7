"""The overview page in a real browser: renders, shows Chinese, asks nothing of the internet.

Starts `streamlit run` on a free local port against the embedded default database and opens it in the
system Chromium (never a Playwright-downloaded browser). Leaves a full-page screenshot in
tests/artifacts/overview.png for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import ARTIFACTS, CHROMIUM_ARGS, REPO_ROOT, leaving_requests, stop_server
from browser_support import free_port as _free_port
from browser_support import unavailable as _unavailable
from browser_support import wait_until_serving as _wait_until_serving

from etl.build import build_database

pytestmark = pytest.mark.browser





def test_overview_in_chromium(tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        _unavailable("未找到 chromium（apt-get install -y chromium fonts-noto-cjk）")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("未安装 playwright Python 包（pip extra: test）")

    # the embedded default a new user gets, not a fixture: that is what a person sees
    db_file = tmp_path / "fuer.duckdb"
    build_database(db_file, sample_dir=tmp_path / "samples")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "FUER_DB": str(db_file)}
    log = (tmp_path / "streamlit.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--server.headless", "true",
            "--browser.gatherUsageStats", "false",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_serving(url, proc)
        requests: list[str] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1440, "height": 1000})
                page.on("request", lambda request: requests.append(request.url))
                page.goto(url + "overview")  # 领导驾驶舱 is the default page
                page.get_by_role("heading", name="妇儿规划监测看板 · 总览").wait_for(
                    timeout=60_000
                )
                # every table drawn and the script finished (no running indicator left)
                page.wait_for_function(
                    "document.querySelectorAll('[data-testid=\"stDataFrame\"]').length >= 4",
                    timeout=30_000,
                )
                page.wait_for_load_state("networkidle")
                page.wait_for_timeout(1500)  # let the canvas grids paint before the screenshot

                assert page.locator('[data-testid="stException"]').count() == 0
                for text in ("监测指标", "指标目录", "各领域指标", "示例数据"):
                    assert page.get_by_text(text).first.is_visible(), text
                assert page.locator('[data-testid="stMetricValue"]').count() == 5
                assert page.locator('[data-testid="stDownloadButton"]').count() == 4

                # Streamlit scrolls inside its own container, so a "full page" screenshot
                # would stop at the viewport: grow the viewport to the content first.
                height = page.evaluate(
                    """() => Math.max(document.body.scrollHeight, ...Array.from(
                        document.querySelectorAll('[data-testid="stMain"], section.main,'
                            + ' [data-testid="stAppViewContainer"]'),
                        (el) => el.scrollHeight))"""
                )
                page.set_viewport_size({"width": 1440, "height": int(height) + 40})
                page.wait_for_timeout(1000)
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
            finally:
                browser.close()

        assert requests, "the browser made no requests at all"
        outside = leaving_requests(requests)
        assert not outside, f"requests left the machine: {outside}"
    finally:
        stop_server(proc)
        log.close()
