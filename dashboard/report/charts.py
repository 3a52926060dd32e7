"""Charts of the 中期评估 report, rendered offline to PNG with a Chinese font (matplotlib, Agg).

matplotlib's Figure is used without pyplot, so rendering holds no global state and is safe in
the app's threads. Without a CJK font the Chinese would print as boxes: then no chart is made
and the report says how to get the font.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache

# Debian fonts-noto-cjk; the first one found is used.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "SimHei",
    "Microsoft YaHei",
)
NO_FONT_HELP = "未找到中文字体，图表从略（安装 fonts-noto-cjk：sudo apt-get install -y fonts-noto-cjk）"


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Path of an installed CJK font, or None."""
    from matplotlib import font_manager

    for family in CJK_FAMILIES:
        try:
            return font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
    return None


def status_bars(bars: Sequence[tuple[str, int, str]], *, unit: str = "项") -> bytes | None:
    """Horizontal bars, one per status label: (label, count, colour), in label order.

    Returns PNG bytes, or None when no CJK font is installed.
    """
    font = cjk_font()
    if font is None:
        return None
    from matplotlib import font_manager
    from matplotlib.figure import Figure

    prop = font_manager.FontProperties(fname=font, size=10)
    labels = [b[0] for b in bars][::-1]  # first label on top
    counts = [b[1] for b in bars][::-1]
    colours = [b[2] for b in bars][::-1]
    fig = Figure(figsize=(5.6, 0.42 * len(bars) + 0.7), dpi=200)
    ax = fig.add_subplot()
    ax.barh(range(len(bars)), counts, color=colours, height=0.6)
    ax.set_yticks(range(len(bars)), labels, fontproperties=prop)
    top = max(counts) if counts else 0
    for y, n in enumerate(counts):
        ax.text(n + max(top, 1) * 0.02, y, f"{n}{unit}", va="center", fontproperties=prop)
    ax.set_xlim(0, max(top, 1) * 1.18)
    ax.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
