"""Targets as pages show them: which plan each belongs to, its history, and whether a local
target is less ambitious than the national one. Plain functions over the read-only snapshot."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from dashboard.queries import db

BASE_ACTOR = "随系统提供"
SAMPLE_ACTOR = "示例目标（随系统提供）"
LESS_AMBITIOUS = "低于国家目标"

# a local target is less ambitious when it asks for less than the national one of the same
# indicator and target year (at_least lower, at_most higher)
_AMBITION_SQL = """
    CASE WHEN n.value IS NULL OR t.value IS NULL OR t.kind <> n.kind THEN false
         WHEN t.kind = 'at_least' THEN t.value < n.value
         WHEN t.kind = 'at_most' THEN t.value > n.value
         ELSE false END"""


def plan_targets(db_path: Path | str, plan_code: str | None = None) -> pl.DataFrame:
    """Effective targets with plan name and scope, indicator name and unit, region name, and
    the national target beside each local one (national_value, less_ambitious)."""
    return db.query(
        db_path,
        f"""
        SELECT p.name AS plan_name, p.scope AS plan_scope, t.plan_code, t.indicator_code,
               i.name AS indicator_name, i.unit, i.direction, t.region_code, g.name AS region_name,
               t.target_year, t.kind, t.value, t.band_low, t.band_high, t.tolerance, t.target_text,
               t.source, t.source_url, t.verified, t.is_sample, t.note,
               n.value AS national_value,
               p.scope = 'local' AND ({_AMBITION_SQL}) AS less_ambitious
        FROM target_effective t
        JOIN plan p ON p.code = t.plan_code
        JOIN indicator i ON i.code = t.indicator_code
        LEFT JOIN region g ON g.code = t.region_code
        LEFT JOIN (SELECT indicator_code, target_year, kind, value FROM target
                   WHERE plan_code = 'liangang' AND region_code IS NULL AND NOT is_sample) n
               ON n.indicator_code = t.indicator_code AND n.target_year = t.target_year
        WHERE $plan IS NULL OR t.plan_code = $plan
        ORDER BY t.plan_code, t.indicator_code, t.region_code NULLS FIRST, t.target_year
        """,
        {"plan": plan_code},
    )


def target_history(db_path: Path | str, indicator_code: str) -> pl.DataFrame:
    """Every version of the indicator's targets, oldest first: the shipped row (revision 0)
    then each office revision with who, when and why."""
    shipped = db.query(
        db_path,
        """
        SELECT p.name AS plan_name, t.plan_code, t.region_code, t.target_year, 0 AS revision,
               'set' AS action, t.kind, t.value, t.band_low, t.band_high, t.tolerance, t.target_text, t.source,
               CASE WHEN t.is_sample THEN $sample ELSE $base END AS actor,
               CAST(NULL AS TIMESTAMP) AS changed_at, t.note AS reason
        FROM target t JOIN plan p ON p.code = t.plan_code
        WHERE t.indicator_code = $code
        """,
        {"code": indicator_code, "sample": SAMPLE_ACTOR, "base": BASE_ACTOR},
    )
    revised = db.query(
        db_path,
        """
        SELECT p.name AS plan_name, r.plan_code, r.region_code, r.target_year,
               CAST(row_number() OVER (PARTITION BY r.plan_code, coalesce(r.region_code, ''), r.target_year
                                       ORDER BY r.id) AS INTEGER) AS revision,
               r.action, r.kind, r.value, r.band_low, r.band_high, r.tolerance, r.target_text, r.source, r.actor,
               r.changed_at, r.reason
        FROM target_revision r JOIN plan p ON p.code = r.plan_code
        WHERE r.indicator_code = $code ORDER BY r.id
        """,
        {"code": indicator_code},
    )
    return pl.concat([shipped, revised], how="vertical_relaxed").sort(
        ["plan_code", "region_code", "target_year", "revision"], nulls_last=False
    )
