"""Data for the overview page (总览): catalogue, regions, what has been loaded.

Pure functions of the database path returning polars frames with Chinese column names, ready
to show and to download. All SQL of the page lives here; the page only lays results out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from dashboard.engine import publication
from dashboard.queries import db

OUTLINE_LABELS: dict[str, str] = {
    "women": "妇女发展纲要",
    "children": "儿童发展纲要",
    "local": "地方特色指标",
}
# The two outlines first, in the order the outlines themselves use, then local indicators.
OUTLINE_ORDER: dict[str, int] = {"women": 0, "children": 1, "local": 2}

NUMERIC_TARGET_KINDS: tuple[str, ...] = ("at_least", "at_most", "band")
TARGET_KIND_LABELS: dict[str, str] = {
    "at_least": "不低于",
    "at_most": "不高于",
    "band": "保持在…左右",
    "increase": "逐步提高",
    "decrease": "逐步降低",
    "qualitative": "定性目标",
}
DIRECTION_LABELS: dict[str, str] = {"up": "正向（越高越好）", "down": "逆向（越低越好）"}
LEVEL_LABELS: dict[str, str] = {
    "country": "全国",
    "province": "省级",
    "city": "市级",
    "county": "县级",
    "town": "乡镇（街道）",
}

TARGET_PENDING = "目标待设定"
REFERENCE_UNIT = "国家参考值"
UNKNOWN_UNIT = "未注明单位"

# Each indicator falls in exactly one bucket, so the bucket columns add up to 指标数.
_SQL_CATALOGUE_BY_DOMAIN = f"""
WITH c AS (
    SELECT c.outline, c.domain, c.target_kind, c.target_2030, i.rowid AS catalogue_row
    FROM indicator_catalogue c JOIN indicator i ON i.code = c.indicator_code
)
SELECT outline, domain,
       count(*) AS indicators,
       count(*) FILTER (WHERE target_kind IN {NUMERIC_TARGET_KINDS}
                          AND target_2030 IS NOT NULL) AS numeric_targets,
       count(*) FILTER (WHERE target_kind IN {NUMERIC_TARGET_KINDS}
                          AND target_2030 IS NULL) AS pending_targets,
       count(*) FILTER (WHERE target_kind IN ('increase', 'decrease', 'qualitative'))
           AS direction_targets,
       count(*) FILTER (WHERE target_kind IS NULL OR target_kind NOT IN
           ('at_least', 'at_most', 'band', 'increase', 'decrease', 'qualitative')) AS no_target,
       -- the catalogue's own row order keeps domains in the order the outline lists them
       min(catalogue_row) AS first_row
FROM c
GROUP BY outline, domain
"""


def catalogue_by_domain(db_path: Path) -> pl.DataFrame:
    """Indicators per outline and domain (领域), with how many have a numeric 2030 target."""
    frame = db.query(db_path, _SQL_CATALOGUE_BY_DOMAIN)
    frame = (
        frame.with_columns(
            pl.col("outline")
            .replace_strict(OUTLINE_ORDER, default=len(OUTLINE_ORDER), return_dtype=pl.Int64)
            .alias("outline_rank")
        )
        .sort("outline_rank", "first_row")
        .with_columns(pl.col("outline").replace_strict(OUTLINE_LABELS, default=pl.col("outline")))
    )
    return frame.select(
        pl.col("outline").alias("纲要"),
        pl.col("domain").alias("领域"),
        pl.col("indicators").alias("指标数"),
        pl.col("numeric_targets").alias("有数值目标"),
        pl.col("pending_targets").alias(TARGET_PENDING),
        pl.col("direction_targets").alias("方向性或定性目标"),
        pl.col("no_target").alias("未设目标"),
    )


def format_value(value: float | None, decimals: int | None) -> str | None:
    """A number rounded for display to the indicator's decimals (rounding happens only here)."""
    if value is None:
        return None
    return f"{value:.{max(decimals or 0, 0)}f}"


def target_display(kind: str | None, value: float | None, decimals: int | None) -> str | None:
    """What the catalogue shows as the 2030 target: a number, 目标待设定, or the direction."""
    if kind == "qualitative":
        return "是" if value == 1 else TARGET_KIND_LABELS["qualitative"]
    if value is not None:
        return format_value(value, decimals)
    if kind in NUMERIC_TARGET_KINDS:
        return TARGET_PENDING
    if kind in TARGET_KIND_LABELS:
        return TARGET_KIND_LABELS[kind]
    return None


def catalogue_table(db_path: Path) -> pl.DataFrame:
    """The indicator catalogue (indicator_catalogue view) with Chinese headers, in catalogue order."""
    frame = db.query(
        db_path,
        """
        SELECT c.indicator_code, c.outline, c.domain, c.indicator_name, c.unit, c.decimals,
               c.direction, c.target_kind, c.target_2030, c.target_text, c.target_source,
               c.lead_unit, c.other_units, c.data_source
        FROM indicator_catalogue c JOIN indicator i ON i.code = c.indicator_code
        ORDER BY i.rowid
        """,
    )
    targets = [
        target_display(kind, value, decimals)
        for kind, value, decimals in zip(frame["target_kind"], frame["target_2030"], frame["decimals"], strict=True)
    ]
    return frame.select(
        pl.col("indicator_code").alias("指标代码"),
        pl.col("outline").replace_strict(OUTLINE_LABELS, default=pl.col("outline")).alias("纲要"),
        pl.col("domain").alias("领域"),
        pl.col("indicator_name").alias("指标名称"),
        pl.col("unit").alias("计量单位"),
        pl.col("direction").replace_strict(DIRECTION_LABELS, default=None, return_dtype=pl.String).alias("指标方向"),
        pl.col("target_kind").replace_strict(TARGET_KIND_LABELS, default=pl.col("target_kind")).alias("目标类型"),
        pl.Series("2030年目标", targets, dtype=pl.String),
        pl.col("target_text").alias("目标表述"),
        pl.col("target_source").alias("目标来源"),
        pl.col("lead_unit").alias("牵头单位"),
        pl.col("other_units").alias("责任单位"),
        pl.col("data_source").alias("数据来源"),
    )


def regions_table(db_path: Path) -> pl.DataFrame:
    """The regions of the monitored area (the 全国 row only carries reference values)."""
    frame = db.query(
        db_path,
        """
        SELECT r.code, r.name, r.short_name, r.level, r.parent_code, p.name AS parent_name
        FROM region r LEFT JOIN region p ON p.code = r.parent_code
        WHERE r.level <> 'country'
        ORDER BY r.code
        """,
    )
    return frame.select(
        pl.col("code").alias("行政区划代码"),
        pl.col("name").alias("名称"),
        pl.col("short_name").alias("简称"),
        pl.col("level").replace_strict(LEVEL_LABELS, default=pl.col("level")).alias("层级"),
        pl.col("parent_code").alias("上级代码"),
        pl.col("parent_name").alias("上级名称"),
    )


def observations_by_unit_year(db_path: Path, basis: str = publication.ALL) -> pl.DataFrame:
    """Current observations (latest revision) per member unit and year, long form, counting
    those that a view on the publication `basis` counts (publication.counted).

    Columns 成员单位, 年份, 观测值数. National reference values are not any unit's return, so
    they are grouped as 国家参考值 and listed after the units.
    """
    frame = db.query(
        db_path,
        f"""
        SELECT CASE WHEN o.submission_kind = 'reference' THEN '{REFERENCE_UNIT}'
                    ELSE coalesce(mu.name, o.unit_code, '{UNKNOWN_UNIT}') END AS unit_name,
               o.submission_kind = 'reference' AS is_reference,
               -- units in the order of the office's unit list, not by code point
               CASE WHEN o.submission_kind = 'reference' THEN NULL ELSE mu.rowid END AS unit_order,
               o.year, {publication.REVIEW_STATE_SQL} AS review_state, count(*) AS n
        FROM observation_current o
        JOIN submission s ON s.id = o.submission_id
        LEFT JOIN member_unit mu ON mu.code = o.unit_code
        GROUP BY ALL
        """,
    )
    # counted per review state in SQL (a few rows per unit and year, not every value), then
    # the publication rule keeps the states the basis counts
    return (
        publication.counted(frame, basis)
        .group_by("is_reference", "unit_order", "unit_name", "year")
        .agg(pl.col("n").sum().cast(pl.Int64).alias("观测值数"))
        .sort("is_reference", "unit_order", "unit_name", "year", nulls_last=True)
        .select(pl.col("unit_name").alias("成员单位"), pl.col("year").alias("年份"), "观测值数")
    )


def unit_year_pivot(long: pl.DataFrame) -> pl.DataFrame:
    """成员单位 rows × one column per year (2021年 …) plus 合计; missing cells are 0."""
    if long.height == 0:
        return pl.DataFrame(schema={"成员单位": pl.String, "合计": pl.Int64})
    years = sorted(long["年份"].unique().to_list())
    year_columns = [f"{year}年" for year in years]
    wide = long.with_columns(
        (pl.col("年份").cast(pl.String) + "年").alias("年份"),
        pl.col("观测值数").cast(pl.Int64),
    ).pivot(
        on="年份",
        on_columns=year_columns,
        index="成员单位",
        values="观测值数",
        maintain_order=True,
    )
    return wide.with_columns(pl.col(year_columns).fill_null(0)).with_columns(
        pl.sum_horizontal(year_columns).alias("合计")
    )


def observations_pivot(db_path: Path, basis: str = publication.ALL) -> pl.DataFrame:
    """observations_by_unit_year as a unit × year table, the way the page shows it."""
    return unit_year_pivot(observations_by_unit_year(db_path, basis))


def headline_counts(db_path: Path, basis: str = publication.ALL) -> dict[str, Any]:
    """Headline numbers: indicators, regions (without 全国), units, the current observations a
    view on `basis` counts and those awaiting review, loaded submissions that count (withdrawn
    ones apart, so the two add up to every loaded file), and whether (and how much) sample data
    is loaded."""
    row = db.query(
        db_path,
        """
        SELECT
            (SELECT count(*) FROM indicator) AS indicators,
            (SELECT count(*) FROM region WHERE level <> 'country') AS regions,
            (SELECT count(*) FROM member_unit) AS units,
            (SELECT count(*) FROM submission_counted) AS submissions,
            (SELECT count(*) FROM submission WHERE status = 'loaded'
                AND id IN (SELECT submission_id FROM submission_withdrawal)) AS withdrawn_submissions,
            (SELECT count(*) FROM submission_counted WHERE is_sample) AS sample_submissions,
            (SELECT count(*) FROM observation_current WHERE is_sample) AS sample_observations
        """,
    ).row(0, named=True)
    counts: dict[str, Any] = {name: int(value) for name, value in row.items()}
    states = db.query(
        db_path,
        f"SELECT {publication.REVIEW_STATE_SQL} AS review_state, count(*) AS n"
        " FROM observation_current o JOIN submission s ON s.id = o.submission_id GROUP BY ALL",
    )
    counts["observations"] = int(publication.counted(states, basis).get_column("n").sum())
    pending = states.filter(pl.col("review_state") == publication.STATE_PENDING)
    counts["pending_observations"] = int(pending.get_column("n").sum())
    counts["sample"] = counts["sample_submissions"] > 0 or counts["sample_observations"] > 0
    return counts


def basis_note(counts: dict[str, Any], basis: str) -> str:
    """What the page's counts rest on: the publication basis with the values it leaves out or
    marks, and the withdrawn files beside the loaded ones (so the two add up)."""
    pending = counts["pending_observations"]
    if basis == publication.REVIEWED:
        note = publication.basis_caption(basis, pending)
    else:  # counts have no cell to mark: say how many of them await review
        note = "数据口径：含待审核数据" + (f"（其中 {pending} 个数值待审核）" if pending else "")
    withdrawn = counts["withdrawn_submissions"]
    if withdrawn:
        total = counts["submissions"] + withdrawn
        note += f"；已载入文件 {counts['submissions']} 个，另有 {withdrawn} 个已撤回、不计入（共 {total} 个）"
    return note + "。"
