"""Where a place file's table is and which of its rows are records: the header row and the
columns it names, the year and coordinate system a title states, and the decorations under the
table (footers, notes, column numbers, 合计), recognised by the returns' own rules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from etl.core.records import TOTAL
from etl.core.text import squash
from etl.places.vocabulary import CHILD_FRIENDLY, COMMUNITY_COUNT, COURTYARD, REQUIRED, field_of
from etl.returns.header import (
    FOOTER,
    MAX_HEADER_SCAN,
    NOTE,
    YEAR_RANGE,
    Role,
    breakdown_of_label,
    is_column_number_row,
    role_of,
)
from etl.returns.readers import Grid

_TITLE_COORD = re.compile(r"坐标(?:系|系统|类型)\s*[:：]\s*([^\s,，;；)）]+)")
_TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?:度)?(?!\s*\d{1,2}\s*月)")


@dataclass(frozen=True)
class PlaceHeader:
    kind: str
    position: int  # index in grid.rows of the header row
    columns: dict[str, int]  # field → column index (first occurrence)
    coord_system: str | None  # from a "坐标系：…" line above the table
    year: int | None  # from a "2024年" title when the table has no 年份 column


def _match_row(cells: tuple[str, ...], kind: str) -> dict[str, int]:
    cols: dict[str, int] = {}
    for i, text in enumerate(cells):
        f = field_of(text, kind) if text.strip() else None
        if f is not None and f not in cols:
            cols[f] = i
    return cols


def _complete(cols: dict[str, int], kind: str) -> bool:
    return all(any(f in cols for f in group) for group in REQUIRED[kind])


def detect_kind(grid: Grid) -> str | None:
    """Which kind of place file a sheet is, from its header (most specific columns first)."""
    for pos in range(min(len(grid.rows), MAX_HEADER_SCAN)):
        cells = grid.rows[pos][1]
        for kind in (COURTYARD, CHILD_FRIENDLY, COMMUNITY_COUNT):
            cols = _match_row(cells, kind)
            if _complete(cols, kind) and (kind != CHILD_FRIENDLY or "kind" in cols):
                return kind
    return None


def find_place_header(grid: Grid, kind: str) -> PlaceHeader | None:
    """The first row within MAX_HEADER_SCAN that names every required column of `kind`."""
    for pos in range(min(len(grid.rows), MAX_HEADER_SCAN)):
        cols = _match_row(grid.rows[pos][1], kind)
        if not _complete(cols, kind):
            continue
        title = " ".join(unicodedata.normalize("NFKC", c) for _, cells in grid.rows[:pos] for c in cells if c.strip())
        coord = None
        if m := _TITLE_COORD.search(title):
            coord = m.group(1)
        years = set(_TITLE_YEAR.findall(YEAR_RANGE.sub(" ", title)))
        return PlaceHeader(kind, pos, cols, coord, int(years.pop()) if len(years) == 1 else None)
    return None


def skip_reason(cells: tuple[str, ...], header: PlaceHeader) -> str | None:
    """Why a row under the header is not a record (footer, 合计, column numbers), or None."""
    first = next((c for c in cells if c.strip()), None)
    if first is None:
        return "空行"
    first = squash(first)
    if FOOTER.match(first) or NOTE.match(first):
        return "表尾签章、日期或说明行"
    if is_column_number_row(cells):
        return "栏号行（甲、乙、1、2…）"
    for f in ("village_name", "community_name", "district_name", "seq"):
        i = header.columns.get(f)
        text = cells[i] if i is not None and i < len(cells) else ""
        if role_of(text) is Role.TOTAL or breakdown_of_label(text) == TOTAL:
            return "合计行"
    return None
