"""A small database for the dashboard tests, at the current schema version (etl.core.migrations).

`build_fixture_db` inserts a handful of rows, few enough to count by hand; the tests state the
numbers the dashboard should show from them literally (tests/test_dashboard_data.py).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from etl.core import migrations

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class FixtureDb:
    path: Path
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _rows(sample: bool, extra_region: bool) -> dict[str, list[dict[str, Any]]]:
    loaded_at = datetime(2025, 3, 1, 9, 30)
    regions = [
        {"code": "100000", "name": "全国", "short_name": "全国", "level": "country", "parent_code": None},
        {"code": "370302", "name": "淄川区", "short_name": "淄川", "level": "county", "parent_code": "370300"},
        {"code": "370303", "name": "张店区", "short_name": "张店", "level": "county", "parent_code": "370300"},
    ]
    if extra_region:
        regions.append(
            {"code": "370304", "name": "博山区", "short_name": "博山", "level": "county", "parent_code": "370300"}
        )
    indicator_base = {
        "unit": None,
        "decimals": 1,
        "direction": None,
        "row_type": "main_goal",
        "definition": None,
        "data_source": None,
        "breakdowns": None,
        "plausible_min": None,
        "plausible_max": None,
        "target_text": None,
        "source_urls": None,
        "verification": None,
        "notes": None,
    }
    indicators = [
        {
            **indicator_base,
            "code": "W-HEALTH-01",
            "outline": "women",
            "domain": "妇女与健康",
            "name": "孕产妇死亡率",
            "unit": "1/10万",
            "direction": "down",
            "target_kind": "at_most",
            "target_text": "下降到12/10万",
        },
        {
            **indicator_base,
            "code": "W-HEALTH-02",
            "outline": "women",
            "domain": "妇女与健康",
            "name": "宫颈癌筛查率",
            "unit": "%",
            "direction": "up",
            "target_kind": "at_least",
            # starts like a formula: the CSV export must neutralise it
            "data_source": "=妇幼卫生监测",
        },
        {
            **indicator_base,
            "code": "C-EDU-01",
            "outline": "children",
            "domain": "儿童与教育",
            "name": "学前教育毛入园率",
            "unit": "%",
            "direction": "up",
            "target_kind": "increase",
        },
    ]
    target_base = {
        "plan_code": "liangang",
        "region_code": None,
        "target_year": 2030,
        "band_low": None,
        "band_high": None,
        "tolerance": None,
        "target_text": None,
        "source": "中国妇女发展纲要（2021—2030年）",
        "source_url": None,
        "verified": True,
        "is_sample": False,
        "note": None,
    }
    targets = [
        {**target_base, "indicator_code": "W-HEALTH-01", "kind": "at_most", "value": 12.0},
        # numeric kind without a value: 目标待设定
        {**target_base, "indicator_code": "W-HEALTH-02", "kind": "at_least", "value": None},
        {
            **target_base,
            "indicator_code": "C-EDU-01",
            "kind": "increase",
            "value": None,
            "source": "中国儿童发展纲要（2021—2030年）",
        },
    ]
    submission_base = {"sha256": "0" * 64, "loaded_at": loaded_at, "rows_rejected": 0, "source": None}
    submissions = [
        {
            **submission_base,
            "id": 1,
            "file_name": "卫健委_2022.xlsx",
            "kind": "return",
            "unit_code": "health",
            "status": "loaded",
            "rows_accepted": 5,
            "is_sample": sample,
        },
        {
            **submission_base,
            "id": 2,
            "file_name": "national_values.csv",
            "kind": "reference",
            "unit_code": None,
            "status": "loaded",
            "rows_accepted": 1,
            "is_sample": False,
            "source": "国家统计局",
        },
        # a failed load: its rows must never count
        {
            **submission_base,
            "id": 3,
            "file_name": "坏文件.xlsx",
            "kind": "return",
            "unit_code": "health",
            "status": "failed",
            "rows_accepted": 0,
            "is_sample": sample,
        },
    ]
    obs_base = {
        "breakdown": "合计",
        "revision": 1,
        "submission_id": 1,
        "sheet": "Sheet1",
        "row_no": None,
        "cell": None,
        "note": None,
        "source": None,
    }
    observations = [
        {**obs_base, "id": 1, "indicator_code": "W-HEALTH-01", "region_code": "370302", "year": 2021, "value": 14.0},
        # the correction of id 1: only this one is current
        {
            **obs_base,
            "id": 2,
            "indicator_code": "W-HEALTH-01",
            "region_code": "370302",
            "year": 2021,
            "value": 13.5,
            "revision": 2,
        },
        {**obs_base, "id": 3, "indicator_code": "W-HEALTH-01", "region_code": "370303", "year": 2021, "value": 11.0},
        {**obs_base, "id": 4, "indicator_code": "W-HEALTH-01", "region_code": "370302", "year": 2022, "value": 12.5},
        {**obs_base, "id": 5, "indicator_code": "C-EDU-01", "region_code": "370303", "year": 2022, "value": 91.2},
        {
            **obs_base,
            "id": 6,
            "indicator_code": "W-HEALTH-01",
            "region_code": "100000",
            "year": 2021,
            "value": 16.1,
            "submission_id": 2,
        },
        {
            **obs_base,
            "id": 7,
            "indicator_code": "C-EDU-01",
            "region_code": "370302",
            "year": 2023,
            "value": 88.0,
            "submission_id": 3,
        },
    ]
    if extra_region:
        observations.append(
            {**obs_base, "id": 8, "indicator_code": "W-HEALTH-01", "region_code": "370304", "year": 2023, "value": 10.0}
        )
    return {
        "region": regions,
        "plan": [
            {
                "code": "liangang",
                "name": "两纲",
                "full_name": "中国妇女、儿童发展纲要",
                "scope": "national",
                "base_year": 2020,
                "target_year": 2030,
            }
        ],
        "member_unit": [{"code": "health", "name": "卫生健康委", "aliases": "卫健委"}],
        "indicator": indicators,
        "indicator_unit": [{"indicator_code": "W-HEALTH-01", "unit_code": "health", "role": "lead"}],
        "target": targets,
        "submission": submissions,
        "observation": observations,
    }


def build_fixture_db(path: Path, *, sample: bool = True, extra_region: bool = False) -> FixtureDb:
    """Create a fresh database at `path` (schema + rows) and return it with its rows.

    `sample` marks the unit returns as 示例数据; `extra_region` adds a region and one
    observation, to tell two snapshots apart.
    """
    rows = _rows(sample, extra_region)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    work = path.with_name(path.name + ".building")
    for leftover in (work, Path(str(work) + ".wal")):
        leftover.unlink(missing_ok=True)
    con = duckdb.connect(str(work))
    try:
        migrations.migrate(migrations.DuckDB(con))
        for table, table_rows in rows.items():
            columns = list(table_rows[0])
            placeholders = ", ".join("?" for _ in columns)
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})"
            for row in table_rows:
                # con.sql, not con.execute: an execute result stays open in duckdb 2.0
                con.sql(sql, params=[row[c] for c in columns])
        con.sql("CHECKPOINT")
    finally:
        con.close()
    shutil.move(work, path)
    return FixtureDb(path=path, rows=rows)
