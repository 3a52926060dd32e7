"""User-controlled text made safe for Streamlit's markdown: shown literally, never as a link."""

from __future__ import annotations

import re

# The marks that make inline markdown (links, images, emphasis, code, HTML, entities) and
# Streamlit's own :colour[…] / :material/icon: / $latex$ syntax; CommonMark lets a backslash
# escape each. Text is one line, so block syntax (lists, headings) cannot hide anything.
_MD_SPECIAL = frozenset("\\`*[]()<>~$:&#")
# "_" only makes emphasis at a word's edge; inside a word (报表_2024) it stays as typed.
_EDGE_UNDERSCORE = re.compile(r"(?<!\w)_|_(?!\w)")
# GFM turns bare https://…, www.… and a@b.c into links even when every mark is escaped; a
# zero-width space after these breaks the pattern without changing what a person reads.
_ZWSP = "\u200b"
_AUTOLINK_BREAKS = (("://", ":" + _ZWSP + "//"), ("www.", "www" + _ZWSP + "."), ("@", "@" + _ZWSP))


def md_escape(text: object) -> str:
    """`text` (a file name, URL parameter, reason, user name, or a message that embeds one) as
    literal text for st.success/error/warning/info/markdown/caption and widget labels: no
    link, emphasis, colour, icon or formula, and no line break, whatever it contains."""
    s = " ".join(str(text).splitlines())
    for needle, broken in _AUTOLINK_BREAKS:
        s = s.replace(needle, broken)
    s = "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in s)
    return _EDGE_UNDERSCORE.sub(r"\\_", s)
