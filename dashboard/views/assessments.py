"""The 定性 goals the office judges on the 中期评估 page: which they are, and their latest verdict.

Recording goes through etl.workflow.assessment (the one write path); this module only shapes what the
page offers, so the page stays layout only.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dashboard.engine import ProgressResult
from dashboard.engine.progress import QUALITATIVE
from dashboard.render import present
from etl.workflow.assessment import Assessment, AssessmentError, record

__all__ = ["AssessmentError", "goals", "save"]

VERDICT_TEXT = {1.0: "已实现", 0.0: "未实现"}


def goals(result: ProgressResult, region: str) -> pl.DataFrame:
    """The region's qualitative goals of the plan: indicator_code, 指标, 领域, 当前评定 (latest
    verdict with its year, or 未评定), in catalogue order."""
    items = present.totals(result.items).filter(
        (pl.col("region_code") == region) & (pl.col("target_kind") == QUALITATIVE)
    )
    return pl.DataFrame(
        {
            "indicator_code": items.get_column("indicator_code").cast(pl.String).to_list(),
            "指标": items.get_column("indicator_name").cast(pl.String).to_list(),
            "领域": items.get_column("domain").cast(pl.String).to_list(),
            "当前评定": [
                f"{VERDICT_TEXT.get(v, v)}（{y}年）" if v is not None else "未评定"
                for v, y in items.select("latest_value", "latest_year").iter_rows()
            ],
        },
        schema={"indicator_code": pl.String, "指标": pl.String, "领域": pl.String, "当前评定": pl.String},
    )


def save(db_path: Path, indicator: str, region: str, year: int, verdict: str, note: str, *, actor: str) -> str:
    """Record the office's verdict (AssessmentError, in Chinese, when it cannot be)."""
    return record(db_path, Assessment(indicator, region, year, verdict, note), actor=actor)
