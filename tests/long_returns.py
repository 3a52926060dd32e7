"""The long-layout return that workflow tests send (one value per row), and a look at the value
a load left current. Shared by the approval, audit, role and upload tests."""

from __future__ import annotations

from pathlib import Path

import duckdb

LONG_HEADER = ["指标代码", "指标名称", "地区代码", "地区名称", "年份", "数值", "备注"]


def long_csv(path: Path, rows: list[list[str]]) -> Path:
    """A UTF-8 CSV return with LONG_HEADER and `rows`."""
    path.write_text("\n".join(",".join(r) for r in [LONG_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def current_value(db: Path, indicator: str, region: str, year: int) -> float | None:
    """The 合计 value observation_current holds, or None."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.sql(
            "SELECT value FROM observation_current WHERE indicator_code = $i AND region_code = $r"
            " AND year = $y AND breakdown = '合计'",
            params={"i": indicator, "r": region, "y": year},
        ).fetchall()
    finally:
        con.close()
    return rows[0][0] if rows else None
