"""The office's review queue: every return awaiting review, oldest first, with its values,
completeness, warnings and outliers. Read-only queries → polars frames; no Streamlit.

A return (unit × year) awaits review while it has counting files and is not approved, or when
a 补报 came after its approval (its new values wait; the approved ones stay locked).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from dashboard.queries import db
from dashboard.views import returns as returns_status
from dashboard.views.upload import completeness_label
from etl.returns import plausibility

AWAITING = ("partial", "received", "checked", "unlocked", "resubmitted")
OUTLIER_RULES = plausibility.RULES  # values that may be wrong: the preview's plausibility warnings

_FINDINGS = """
SELECT f.rule, f.severity, f.sheet, f.row_no, f.col, f.message, f.submission_id
FROM finding f JOIN submission s ON s.id = f.submission_id
WHERE s.unit_code = $u AND s.kind = 'return' AND s.status = 'loaded'
  AND s.id NOT IN (SELECT submission_id FROM submission_withdrawal)
  AND s.id IN (SELECT submission_id FROM observation WHERE year = $y)
  AND f.severity = 'warning'
"""


def _warnings(db_path: Path, unit_code: str, year: int) -> pl.DataFrame:
    return db.query(db_path, _FINDINGS, {"u": unit_code, "y": year})


def queue(db_path: Path, today: date | None = None) -> pl.DataFrame:
    """unit_code, unit_name, year, state_label, files, since (first file, or the first after
    approval for a 补报), expected, received, completeness, warnings, outliers — oldest first."""
    frames = []
    for year in returns_status.report_years(db_path, today):
        status = returns_status.return_status(db_path, year, today)
        waiting = status.filter(pl.col("state_code").is_in(AWAITING) & (pl.col("files") > 0))
        if waiting.height:
            frames.append(waiting.with_columns(pl.lit(year).alias("year")))
    if not frames:
        return pl.DataFrame(
            schema={
                "unit_code": pl.String,
                "unit_name": pl.String,
                "year": pl.Int64,
                "state_label": pl.String,
                "files": pl.Int64,
                "since": pl.Datetime("us"),
                "expected": pl.Int64,
                "received": pl.Int64,
                "completeness": pl.String,
                "warnings": pl.Int64,
                "outliers": pl.Int64,
            }
        )
    rows = []
    for r in pl.concat(frames, how="diagonal_relaxed").iter_rows(named=True):
        found = _warnings(db_path, r["unit_code"], r["year"])
        outliers = found.filter(pl.col("rule").is_in(OUTLIER_RULES)).height
        rows.append(
            {
                "unit_code": r["unit_code"],
                "unit_name": r["unit_name"],
                "year": r["year"],
                "state_label": r["state_label"],
                "files": r["files"],
                "since": r["last_at"] if r["state_code"] == "resubmitted" else r["first_at"],
                "expected": r["expected"],
                "received": r["received"],
                "completeness": completeness_label(r["received"], r["expected"]),
                "warnings": found.height - outliers,
                "outliers": outliers,
            }
        )
    return pl.DataFrame(rows).sort("since", "unit_name", "year")


def entry(frame: pl.DataFrame, unit_code: str, year: int) -> dict[str, object]:
    """One return of the queue as a dict (unit_name, state_label, completeness, counts …)."""
    return frame.filter((pl.col("unit_code") == unit_code) & (pl.col("year") == year)).row(0, named=True)


def choices(frame: pl.DataFrame) -> dict[tuple[str, int], str]:
    """(unit, year) → label, in queue order, for the page's picker."""
    return {
        (u, y): f"{n} · {y}年 · {c}"
        for u, y, n, c in frame.select("unit_code", "year", "unit_name", "completeness").iter_rows()
    }


def entry_line(row: dict[str, Any]) -> tuple[str, str]:
    """(whose return, what the office should know) for the queue's chosen return; completeness
    is said only when the state does not say it already (部分报送 n / m)."""
    parts = [str(row["state_label"])]
    if row["completeness"] != row["state_label"]:
        parts.append(f"完整性 {row['completeness']}")
    parts.append(f"疑似异常值 {row['outliers']} 个，其他提醒 {row['warnings']} 条")
    return f"{row['unit_name']}{row['year']}年报表", "；".join(parts)


def queue_table(frame: pl.DataFrame) -> pl.DataFrame:
    """`queue` in the office's words."""
    return frame.select(
        pl.col("unit_name").alias("成员单位"),
        pl.col("year").alias("年度"),
        pl.col("state_label").alias("状态"),
        pl.col("since").dt.strftime("%Y-%m-%d %H:%M").alias("报送时间"),
        pl.col("files").alias("文件数"),
        pl.col("completeness").alias("完整性"),
        pl.col("outliers").alias("疑似异常值"),
        pl.col("warnings").alias("其他提醒"),
    )


def return_values(db_path: Path, unit_code: str, year: int) -> pl.DataFrame:
    """The return's current values, with last year's value, the change and the warnings and
    outliers found on each cell when it was loaded."""
    frame = db.query(
        db_path,
        """
        SELECT c.indicator_code, c.indicator_name, c.region_code, c.region_name, c.breakdown, c.value, c.unit,
               p.value AS last_value, c.submission_id, o.sheet, o.cell, o.row_no
        FROM observation_current c JOIN observation o ON o.id = c.observation_id
        LEFT JOIN observation_current p ON p.indicator_code = c.indicator_code AND p.region_code = c.region_code
             AND p.breakdown = c.breakdown AND p.year = c.year - 1
        WHERE c.unit_code = $u AND c.year = $y
        ORDER BY c.indicator_code, c.region_code, c.breakdown""",
        {"u": unit_code, "y": year},
    )
    found = _warnings(db_path, unit_code, year)
    notes: dict[tuple, list[str]] = {}
    for rule, _sev, sheet, row, col, _msg, sub in found.iter_rows():
        if rule != "revision":
            notes.setdefault((sub, sheet, row, col), []).append(returns_status.RULE_LABELS.get(rule, rule))
    flags = [
        "、".join(dict.fromkeys(notes.get((s, sh, r, c), [])))
        for s, sh, c, r in frame.select("submission_id", "sheet", "cell", "row_no").iter_rows()
    ]
    return frame.select(
        pl.col("indicator_name").alias("指标"),
        pl.col("region_name").alias("地区"),
        pl.col("breakdown").alias("分组"),
        pl.col("value").alias("数值"),
        pl.col("unit").alias("计量单位"),
        pl.col("last_value").alias("上年数值"),
        (pl.col("value") - pl.col("last_value")).round(6).alias("较上年变化"),
        pl.Series("提醒", flags, dtype=pl.String),
        pl.col("submission_id").alias("提交编号"),
    )


def return_findings(db_path: Path, unit_code: str, year: int) -> pl.DataFrame:
    """The warnings and outliers on the return's counting files, outliers first."""
    found = _warnings(db_path, unit_code, year).filter(pl.col("rule") != "revision")
    return found.sort(
        pl.col("rule").is_in(OUTLIER_RULES), "submission_id", "row_no", descending=[True, False, False]
    ).select(
        pl.col("rule").replace_strict(returns_status.RULE_LABELS, default=pl.col("rule")).alias("规则"),
        pl.col("message").alias("说明"),
        pl.col("submission_id").alias("提交编号"),
    )


def withdrawal_notice(db_path: Path, unit_code: str, year: int) -> dict[str, object] | None:
    """The unit's latest withdrawn file for `year` — file, submission_id, withdrawn_by,
    withdrawn_at, reason, values — while no file for that year came after it; else None."""
    frame = db.query(
        db_path,
        """
        SELECT s.id AS submission_id, s.file_name AS file, w.withdrawn_by, w.withdrawn_at, w.reason,
               (SELECT count(*) FROM observation o WHERE o.submission_id = s.id) AS "values"
        FROM submission s JOIN submission_withdrawal w ON w.submission_id = s.id
        WHERE s.unit_code = $u AND s.kind = 'return'
          AND s.id IN (SELECT submission_id FROM observation WHERE year = $y)
          AND NOT EXISTS (SELECT 1 FROM submission n JOIN observation o ON o.submission_id = n.id
                          WHERE n.unit_code = $u AND n.kind = 'return' AND n.status = 'loaded' AND o.year = $y
                            AND n.id > s.id AND n.id NOT IN (SELECT submission_id FROM submission_withdrawal))
        ORDER BY w.withdrawn_at DESC, s.id DESC LIMIT 1""",
        {"u": unit_code, "y": year},
    )
    return frame.row(0, named=True) if frame.height else None
