"""The overview page in a real browser: renders, shows Chinese, asks nothing of the internet.

Uses the shared app server (`streamlit run` on a free local port against the embedded default
database) and the system Chromium (never a Playwright-downloaded browser), both from
tests/browser_support.py. Leaves a full-page screenshot in tests/artifacts/overview.png for a
person to look at.
"""

from __future__ import annotations

import pytest
from browser_support import full_page_screenshot, leaving_requests

pytestmark = pytest.mark.browser


def test_overview_in_chromium(app_url: str, chromium_browser) -> None:
    # the embedded default a new user gets (built as `python -m etl build` does): what a person sees
    requests: list[str] = []
    page = chromium_browser.new_page(viewport={"width": 1440, "height": 1000})
    try:
        page.on("request", lambda request: requests.append(request.url))
        page.goto(app_url + "overview")  # 领导驾驶舱 is the default page
        page.get_by_role("heading", name="妇儿规划监测看板 · 总览").wait_for(timeout=60_000)
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

        full_page_screenshot(page, "overview", 1440, settle_ms=1000)
    finally:
        page.close()

    assert requests, "the browser made no requests at all"
    outside = leaving_requests(requests)
    assert not outside, f"requests left the machine: {outside}"
