"""The current observations of a database snapshot, read once per snapshot.

Every engine run of a page (this year, last year, 全国), the default report year and the
sidebar's years read the current values (the `observation_current` view: the latest revision
of each indicator × region × year × breakdown from loaded, not withdrawn returns). The view
ranks every observation each time it is read, which costs as much as the rest of an engine run
on a province; here it is read once per published snapshot (dashboard.queries.db.per_snapshot)
and the callers filter the frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from dashboard.engine import publication
from dashboard.queries import db

_SQL_CURRENT = f"""
SELECT o.indicator_code, o.region_code, o.breakdown, o.year, o.value, o.revision, o.submission_id,
       o.is_sample, {publication.REVIEW_STATE_SQL} AS review_state, o.observation_id
FROM observation_current o
JOIN submission s ON s.id = o.submission_id
"""


def observations(db_path: Path) -> pl.DataFrame:
    """Every current value of the snapshot with its review state (publication.REVIEW_STATE_SQL)
    and observation id; shared by the callers of one snapshot, never to be changed."""
    return db.per_snapshot(db_path, "current_observations", lambda: db.query(db_path, _SQL_CURRENT))


def for_run(db_path: Path, report_year: int, codes: Sequence[str], regions: Sequence[str]) -> pl.DataFrame:
    """The current values the engine evaluates: years up to `report_year`, indicators `codes`
    and regions `regions`, each with its position in both lists (indicator_index, region_index,
    Int32), which the engine uses instead of converting the code strings (progress.year_matrix)."""
    positions = [
        pl.DataFrame({key: list(values), index: list(range(len(values)))}, schema={key: pl.String, index: pl.Int32})
        for key, index, values in (
            ("indicator_code", "indicator_index", codes),
            ("region_code", "region_index", regions),
        )
    ]
    frame = observations(db_path).filter(pl.col("year") <= report_year)
    frame = frame.join(positions[0], on="indicator_code").join(positions[1], on="region_code")
    return frame.select(
        "indicator_code",
        "region_code",
        "breakdown",
        "year",
        "value",
        "revision",
        "submission_id",
        "is_sample",
        "indicator_index",
        "region_index",
        "review_state",
    )


_SQL_VERSIONS = f"""
SELECT o.id, o.year, o.breakdown, o.value, o.revision, s.file_name, s.loaded_at, s.is_sample, s.kind,
       {publication.VERSION_STATE_SQL} AS review_state
FROM observation o
JOIN submission s ON s.id = o.submission_id
WHERE o.indicator_code = $code AND o.region_code = $region AND s.status = 'loaded'
ORDER BY o.year DESC, o.breakdown, o.revision DESC, o.id DESC
"""


def versions(db_path: Path, code: str, region: str, basis: str) -> tuple[pl.DataFrame, int]:
    """Every stored version of indicator `code` in `region` that a view on `basis` shows
    (publication.counted), newest first, with its review state and whether it is the current
    value on that basis (is_current); and how many versions the basis leaves out."""
    frame = db.query(db_path, _SQL_VERSIONS, {"code": code, "region": region})
    now = observations(db_path).filter((pl.col("indicator_code") == code) & (pl.col("region_code") == region))
    # the value a view counts is the current one, and on REVIEWED only while it is reviewed
    now = publication.counted(now, basis)
    frame = frame.with_columns(pl.col("id").is_in(now.get_column("observation_id").implode()).alias("is_current"))
    shown = publication.counted(frame, basis) if basis == publication.REVIEWED else frame
    return shown, frame.height - shown.height
