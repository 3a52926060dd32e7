"""The dashboard pages in a real browser: they render, show Chinese, draw their charts, and ask
nothing of the internet.

Same approach as tests/test_browser.py: the shared app server on the embedded default database,
the system Chromium (never a Playwright-downloaded browser); each page leaves a screenshot in
tests/artifacts/<page>.png for a person to look at (the big-screen mode at a wall display's
1920×1080, the others full-page).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import ARTIFACTS, full_page_screenshot, leaving_requests

# artefact name → (path and query, heading, texts that must show, plotly charts at least)
PAGES: dict[str, tuple[str, str, tuple[str, ...], int]] = {
    "briefing": ("", "领导驾驶舱 · 淄博市", ("达标率", "各区县达标率排名", "示例数据", "各区县达标率地图"), 2),
    "briefing_big": (
        "?screen=big&rotate=0",
        "领导驾驶舱 · 淄博市",
        ("达标率", "有数据", "较上年变差的指标", "各区县达标率地图"),
        2,
    ),
    "indicator": (
        "indicator?indicator=C-HEALTH-13&region=370304",
        "指标详情 · 小学生近视率",
        ("为什么是这个状态", "指标说明", "修订记录", "示例数据"),
        1,
    ),
    "districts": ("districts", "区县对比", ("区县成绩单", "区县、全市与全国对比", "示例数据"), 1),
    "units": ("units?unit=health", "成员单位 · 卫生健康委", ("缺报", "下载填报模板", "示例数据"), 0),
    "midterm": ("midterm?region=370304", "中期评估 · 博山区", ("评估摘要", "全区", "分类汇总", "示例数据"), 0),
}

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("name", list(PAGES))
def test_page_in_chromium(name: str, app_url: str, chromium_browser) -> None:
    path, heading, texts, charts = PAGES[name]
    big = name.endswith("_big")
    width, height = (1920, 1080) if big else (1440, 1000)
    requests: list[str] = []
    page = chromium_browser.new_page(viewport={"width": width, "height": height})
    try:
        page.on("request", lambda request: requests.append(request.url))
        page.goto(app_url + path)
        page.get_by_role("heading", name=heading).wait_for(timeout=90_000)
        # every chart drawn with data, the script finished (no running indicator left)
        page.wait_for_function(
            f"""() => Array.from(document.querySelectorAll('.js-plotly-plot'))
                    .filter((el) => el.data && el.data.length > 0).length >= {charts}""",
            timeout=60_000,
        )
        page.wait_for_load_state("networkidle", timeout=90_000)  # generous: the machine may be busy
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
        page.wait_for_timeout(1500)  # let canvas grids and charts paint

        assert page.locator('[data-testid="stException"]').count() == 0
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
        for text in texts:
            assert page.get_by_text(text).first.is_visible(), text
        empty = page.evaluate(
            """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
                    .filter((el) => !el.data || el.data.length === 0).length"""
        )
        assert empty == 0, f"{empty} empty chart(s)"
        # no key figure is cut off with an ellipsis ("… 目标待…", "≥90.0（按…"): labels and values wrap
        cut = page.evaluate(
            """() => Array.from(document.querySelectorAll(
                    '[data-testid="stMetricLabel"], [data-testid="stMetricValue"]'))
                .filter((el) => [el, ...el.querySelectorAll('*')].some((x) =>
                    x.scrollWidth > x.clientWidth + 1 && getComputedStyle(x).overflow !== 'visible'))
                .map((el) => el.innerText)"""
        )
        assert cut == [], f"cut off: {cut}"
        if big:
            # the wall display shows no sidebar and large headline numbers
            assert not page.locator('[data-testid="stSidebar"]').first.is_visible()
            size = page.evaluate(
                """() => parseFloat(getComputedStyle(
                    document.querySelector('[data-testid="stMetricValue"]')).fontSize)"""
            )
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"))  # the wall's one screen
            assert size >= 40, f"headline numbers only {size}px on the wall display"
            # the whole wall fits 1920×1080: nothing scrolls, the legend and the exit button are on screen
            overflow = page.evaluate(
                """() => Math.max(...[document.scrollingElement,
                        document.querySelector('[data-testid="stMain"]'),
                        document.querySelector('[data-testid="stAppViewContainer"]')]
                    .filter(Boolean).map((el) => el.scrollHeight - el.clientHeight))"""
            )
            assert overflow <= 0, f"the wall scrolls by {overflow}px"
            legend = page.locator(".fuer-legend").first
            for selector in (".fuer-legend", ".fuer-map-legend"):  # legend text at least 20 px
                size = page.locator(selector).first.evaluate("(el) => parseFloat(getComputedStyle(el).fontSize)")
                assert size >= 20, (selector, size)
            for element in (legend, page.get_by_role("button", name="退出大屏")):
                box = element.bounding_box()
                assert box is not None and box["y"] + box["height"] <= height, box
        else:
            full_page_screenshot(page, name, width)
    finally:
        page.close()

    assert requests, "the browser made no requests at all"
    outside = leaving_requests(requests)
    assert not outside, f"requests left the machine: {outside}"


def test_a_table_downloads_as_csv_that_excel_opens(app_url: str, chromium_browser) -> None:
    """A table's CSV is made when its button is clicked: the file arrives with the BOM Excel needs
    and the columns the page shows."""
    page = chromium_browser.new_page(accept_downloads=True)
    try:
        page.goto(app_url)
        button = page.get_by_role("button", name="下载 区县达标率排名_淄博市_2024.csv")
        button.wait_for(timeout=90_000)
        with page.expect_download(timeout=60_000) as info:
            button.click()
        download = info.value
        data = Path(download.path()).read_bytes()
    finally:
        page.close()
    assert download.suggested_filename == "区县达标率排名_淄博市_2024.csv"
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].decode("utf-8").splitlines()
    assert lines[0].startswith("排名,区县,达标率") and len(lines) == 9  # header and the 8 区县 of 淄博市
