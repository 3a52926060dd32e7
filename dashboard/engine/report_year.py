"""The default report year: the latest year whose owed values are reported well enough to brief on.

A year is ready when the share of owed values that are in (and, under the publication rule,
reviewed) reaches the threshold (setting `report_year_threshold`, a percentage). Owed values:
for every numeric indicator with a lead unit, the 合计 value of every county-level district of
the home region (the region itself when it has none) that the unit's duty covers. So a few values one unit sends early
never move the year everyone sees; a link or the year picker still choose any year.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import polars as pl

from dashboard.engine import current, publication
from dashboard.engine.progress import TOTAL
from dashboard.queries import db
from etl.core import settings
from etl.workflow import duties

# the (indicator, district) pairs owed a 合计 value: numeric indicators with a lead unit, for the
# districts the unit's duty covers (every one when the duty names none)
_SQL_OWED = """
WITH links AS ({links})
SELECT DISTINCT l.indicator_code, d.region_code
FROM links l JOIN indicator i ON i.code = l.indicator_code
CROSS JOIN (SELECT unnest($districts) AS region_code) d
WHERE l.role = 'lead' AND coalesce(trim(i.unit), '') <> ''
  AND (l.districts IS NULL OR list_contains(string_split(l.districts, '|'), d.region_code))
"""


def threshold() -> float:
    """The configured share (0–100) a year must reach."""
    raw = settings.get("report_year_threshold")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"设置 report_year_threshold 的值“{raw}”不是数字") from None
    if not 0 < value <= 100:
        raise ValueError(f"设置 report_year_threshold 应在 0—100 之间（现为 {raw}）")
    return value


def pick_year(shares: Mapping[int, float], minimum: float) -> int | None:
    """The latest year whose share (0–100) reaches `minimum`; when none does, the year with the
    highest share (the later one on a tie); None without any year."""
    if not shares:
        return None
    ready = [y for y, share in shares.items() if share >= minimum]
    if ready:
        return max(ready)
    best = max(shares.values())
    return max(y for y, share in shares.items() if share == best)


def reported_shares(db_path: Path, districts: list[str], basis: str) -> dict[int, float]:
    """Year → percentage of owed values reported (reviewed ones only under REVIEWED)."""
    if not districts:
        return {}
    # the office's duties say who owes which indicator for which districts
    owed = db.query(db_path, _SQL_OWED.replace("{links}", duties.LINKS_SQL), {"districts": list(districts)})
    values = current.observations(db_path).filter(pl.col("breakdown") == TOTAL)
    values = values.join(owed, on=["indicator_code", "region_code"], how="semi")
    values = publication.counted(values, basis)
    frame = values.group_by("year").agg(pl.struct("indicator_code", "region_code").n_unique().alias("reported"))
    total = owed.height
    return {int(y): (100.0 * n / total if total else 0.0) for y, n in frame.sort("year").iter_rows()}


def districts_of(db_path: Path, region: str) -> list[str]:
    """County-level districts under `region` (a province's through its cities), or the region
    itself when it has none."""
    frame = db.query(
        db_path,
        "WITH RECURSIVE below(code, level) AS (SELECT code, level FROM region WHERE parent_code = $r "
        "UNION ALL SELECT r.code, r.level FROM region r JOIN below b ON r.parent_code = b.code) "
        "SELECT code FROM below WHERE level = 'county' ORDER BY code",
        {"r": region},
    )
    codes = frame.get_column("code").to_list()
    return codes or [region]


def default_report_year(db_path: Path, region: str, basis: str) -> int | None:
    """The year a view opens on when neither a link nor the user chose one."""
    return pick_year(reported_shares(db_path, districts_of(db_path, region), basis), threshold())
