"""Text clean-up shared by readers and normalisers: full-width forms, stray spaces."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")


def nfkc(text: str) -> str:
    """Full-width digits, letters and punctuation to their ASCII forms (２０２４ → 2024)."""
    return unicodedata.normalize("NFKC", text)


def squash(text: str | None) -> str:
    """NFKC and every kind of white space removed: for matching names and codes."""
    if text is None:
        return ""
    return _SPACE.sub("", nfkc(text)).replace("\u3000", "")


def tidy(text: str | None) -> str:
    """NFKC, trimmed, inner white space folded to one space: for showing text back."""
    if text is None:
        return ""
    return _SPACE.sub(" ", nfkc(text)).strip()
