"""The 地图 page in a real browser: the map draws, asks nothing of the internet, shows no error.

Same approach as tests/test_browser.py: the shared app server on the embedded default
database, the system Chromium (never a Playwright-downloaded browser), and a screenshot left
in tests/artifacts/maps.png for a person to look at. The map is a WebGL canvas,
so "not blank" is checked on pixels: the canvas's box in the screenshot must hold many colours
(district classes, outlines, points, labels), not the one background colour of an empty map.
"""

from __future__ import annotations

import io
import struct
import time
import zlib
from urllib.parse import parse_qs, urlparse

import pytest
from browser_support import full_page_screenshot, leaving_requests

# An empty canvas is one colour; anti-aliased edges alone give a few more. A drawn choropleth
# with points and labels gives hundreds.
MIN_MAP_COLOURS = 50
DISTRICTS = {
    "370302": "淄川区",
    "370303": "张店区",
    "370304": "博山区",
    "370305": "临淄区",
    "370306": "周村区",
    "370321": "桓台县",
    "370322": "高青县",
    "370323": "沂源县",
}

pytestmark = pytest.mark.browser


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGBA/RGB bytes) of an 8-bit PNG, without Pillow."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, width = 8, [], 0
    height = colour_type = 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
            assert depth == 8, "only 8-bit PNGs are decoded here"
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    channels = {2: 3, 6: 4}[colour_type]
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = prev[i]
            ul = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + left) & 0xFF
            elif f == 2:
                line[i] = (line[i] + up) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif f == 4:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                pred = left if pa <= pb and pa <= pc else (up if pb <= pc else ul)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, channels, rows


def distinct_colours(png: bytes) -> int:
    """Number of distinct RGB colours in a PNG (Pillow when installed, else plain zlib)."""
    try:
        from PIL import Image
    except ImportError:
        width, channels, rows = _png_pixels(png)
        return len({row[i : i + 3] for row in rows for i in range(0, width * channels, channels)})
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return len({image.getpixel((x, y)) for x in range(image.width) for y in range(image.height)})


def test_png_decoder_counts_colours() -> None:
    """The fallback decoder agrees with a hand-made 2×2 image of three colours."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    pixels = [b"\xff\x00\x00\x00\xff\x00", b"\x00\x00\xff\x00\x00\xff"]  # red green / blue blue
    raw = b"".join(b"\x00" + row for row in pixels)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    width, channels, rows = _png_pixels(png)
    assert (width, channels) == (2, 3)
    assert len({row[i : i + 3] for row in rows for i in range(0, 6, 3)}) == 3
    assert distinct_colours(png) == 3


def test_maps_page_in_chromium(app_url: str, chromium_browser) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    requests: list[str] = []
    page = chromium_browser.new_page(viewport={"width": 1440, "height": 1100})
    try:
        page.on("request", lambda request: requests.append(request.url))
        page.goto(app_url + "maps?theme=courtyard&year=2024")
        page.get_by_role("heading", name="地图 · 美丽庭院与儿童友好社区").wait_for(timeout=60_000)
        chart = page.locator('[data-testid="stDeckGlJsonChart"]')
        chart.wait_for(timeout=30_000)
        page.locator('[data-testid="stDeckGlJsonChart"] canvas').first.wait_for(timeout=30_000)
        page.wait_for_function(
            "document.querySelectorAll('[data-testid=\"stDataFrame\"]').length >= 1",
            timeout=30_000,
        )
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(3000)  # WebGL draws after layout; labels need their font atlas

        assert page.locator('[data-testid="stException"]').count() == 0
        for text in ("美丽庭院覆盖率", "无数据", "示例数据", "区县详情"):
            assert page.get_by_text(text).first.is_visible(), text

        box = chart.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 300, box
        # software WebGL on a busy machine can take a while to paint: poll, don't guess
        deadline = time.monotonic() + 30
        while True:
            colours = distinct_colours(page.screenshot(clip=box))
            if colours > MIN_MAP_COLOURS or time.monotonic() > deadline:
                break
            page.wait_for_timeout(1000)
        assert colours > MIN_MAP_COLOURS, f"the map area looks blank: {colours} colours"

        # a click on the map's centre (inside 淄川区, or a village of it) opens that
        # district's panel and puts the district into the link
        # (hover first, as a person does: deck.gl misses a click whose pointer arrives
        # in the same instant, so the test moves, waits, then presses)
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        for dx, dy in ((0, 0), (12, 8), (-10, 14), (6, -12)):
            page.mouse.move(cx + dx, cy + dy)
            page.wait_for_timeout(800)
            page.mouse.down()
            page.wait_for_timeout(80)
            page.mouse.up()
            try:
                page.wait_for_function("location.search.includes('district=')", timeout=15_000)
                break
            except PlaywrightTimeout:
                continue
        assert "district=" in page.url, f"a click on the map selected nothing: {page.url}"
        code = parse_qs(urlparse(page.url).query)["district"][0]
        page.get_by_text(f"{DISTRICTS[code]} · 2024年美丽庭院覆盖率").wait_for(timeout=30_000)
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(2000)
        assert page.locator('[data-testid="stException"]').count() == 0

        # the whole page, so the saved screenshot shows the legend and the district panel too
        full_page_screenshot(page, "maps", 1440, settle_ms=2000)
    finally:
        page.close()

    assert requests, "the browser made no requests at all"
    outside = leaving_requests(requests)
    assert not outside, f"requests left the machine: {outside}"
