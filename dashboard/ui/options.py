"""What the sidebar offers, read from the database: plans, years with data, regions, indicators, units."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dashboard.engine import current, publication, report_year
from dashboard.queries.db import query, scalar
from dashboard.ui.view_state import ViewOptions

# The home region and every region below it (a province's cities and their counties), as `tree`.
SUBTREE = """WITH RECURSIVE tree(code, name) AS (
    SELECT code, name FROM region WHERE code = $h
    UNION ALL SELECT r.code, r.name FROM region r JOIN tree t ON r.parent_code = t.code)"""


def home_region(db_path: Path) -> str:
    """The region the database was built for (the city or county the office serves)."""
    return scalar(db_path, "SELECT value FROM build_info WHERE key = 'region'") or ""


def view_options(db_path: Path, label_sets: dict[str, str], bases: tuple[str, ...] = (publication.ALL,)) -> ViewOptions:
    """Choices for the view; the home region comes first so it is the default. `bases`: the
    publication bases the user may choose, the default first; each gets its default year."""
    home = home_region(db_path)
    plans = query(
        db_path,
        "SELECT code, name FROM plan ORDER BY CASE code WHEN 'liangang' THEN 0 WHEN 'lianggui' THEN 1 ELSE 2 END",
    )
    regions = query(db_path, f"{SUBTREE} SELECT code, name FROM tree ORDER BY code <> $h, code", {"h": home})
    in_tree = current.observations(db_path).filter(pl.col("region_code").is_in(regions.get_column("code").implode()))
    years = in_tree.select(pl.col("year").unique().sort())
    indicators = query(db_path, "SELECT code, name FROM indicator ORDER BY code")
    units = query(db_path, "SELECT code, name FROM member_unit ORDER BY code")
    return ViewOptions(
        plans=dict(plans.iter_rows()),
        years=tuple(years["year"].to_list()),
        regions=dict(regions.iter_rows()),
        label_sets=label_sets,
        indicators=dict(indicators.iter_rows()),
        units=dict(units.iter_rows()),
        bases={b: publication.BASES[b] for b in bases},
        default_years={
            b: year for b in bases if (year := report_year.default_report_year(db_path, home, b)) is not None
        },
    )
