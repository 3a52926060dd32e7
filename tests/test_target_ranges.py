"""Range targets (40%—50%): parsed from the plan's wording into a band with two edges and no
centre, judged by the engine (achieved inside, progress towards the nearer edge otherwise),
imported, exported and shown with the original wording."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from dashboard import engine
from dashboard.engine import progress
from dashboard.engine.progress import compute_progress
from dashboard.render import present
from dashboard.views import indicator as indicator_view
from etl.targets.importer import export_frame, import_plan_table
from etl.targets.text import parse_target_text

B, Y = 2020, 2024
STATUS_SCHEMA = {
    "indicator_code": pl.String,
    "tau": pl.Float64,
    "rho": pl.Float64,
    "achieved": pl.Boolean,
    "status": progress.STATUS_DTYPE,
}


def test_engine_judges_a_range_from_its_edges() -> None:
    # "保持在40%至50%": band [40, 50], no centre value; B = 2020, T = 2030, latest 2024, τ = 0.4.
    #   R1 30 → 45: inside                                           → achieved
    #   R2 30 → 36: 10 then 4 below the low edge, ρ = (10 − 4) / 10 = 0.6   → on_track
    #   R3 30 → 33: ρ = (10 − 7) / 10 = 0.3 < 0.4                    → lagging
    #   R4 30 → 28: ρ = (10 − 12) / 10 = −0.2                        → regressing
    #   R5 60 → 55: above, 10 then 5 over the high edge, ρ = 0.5     → on_track
    #   R6 60 → 58: ρ = (10 − 8) / 10 = 0.2                          → lagging
    #   R7 60 → 65: ρ = (10 − 15) / 10 = −0.5                        → regressing
    #   R8 45 → 52: was inside, now 2 over                           → regressing (ρ not computed)
    parsed = parse_target_text("保持在40%至50%")
    paths = [(30, 45), (30, 36), (30, 33), (30, 28), (60, 55), (60, 58), (60, 65), (45, 52)]
    codes = [f"R{i}" for i in range(1, len(paths) + 1)]
    targets = pl.DataFrame(
        {
            "indicator_code": codes,
            "region_code": "R",
            "target_kind": parsed.kind,
            "target_value": parsed.value,
            "target_band_low": parsed.band_low,
            "target_band_high": parsed.band_high,
            "target_tolerance": parsed.tolerance,
            "target_year": 2030,
        },
        schema={
            "indicator_code": pl.String,
            "region_code": pl.String,
            "target_kind": pl.String,
            "target_value": pl.Float64,
            "target_band_low": pl.Float64,
            "target_band_high": pl.Float64,
            "target_tolerance": pl.Float64,
            "target_year": pl.Int32,
        },
    )
    observations = pl.DataFrame(
        [
            {"indicator_code": c, "region_code": "R", "breakdown": "合计", "year": year, "value": float(v)}
            for c, (base, latest) in zip(codes, paths, strict=True)
            for year, v in ((B, base), (Y, latest))
        ],
        schema={
            "indicator_code": pl.String,
            "region_code": pl.String,
            "breakdown": pl.String,
            "year": pl.Int32,
            "value": pl.Float64,
        },
    )
    result = compute_progress(observations, targets, None, base_year=B, report_year=Y)
    assert_frame_equal(
        result.select(list(STATUS_SCHEMA)),
        pl.DataFrame(
            [
                ("R1", 0.4, None, True, "achieved"),
                ("R2", 0.4, 0.6, False, "on_track"),
                ("R3", 0.4, 0.3, False, "lagging"),
                ("R4", 0.4, -0.2, False, "regressing"),
                ("R5", 0.4, 0.5, False, "on_track"),
                ("R6", 0.4, 0.2, False, "lagging"),
                ("R7", 0.4, -0.5, False, "regressing"),
                ("R8", 0.4, None, False, "regressing"),
            ],
            schema=STATUS_SCHEMA,
            orient="row",
        ),
    )


def _write(path: Path, target: str) -> Path:
    path.write_text(
        "指标名称,单位,2030年目标,来源/文号\n" + f"适龄妇女宫颈癌人群筛查率,%,{target},淄妇儿工委〔2022〕1号\n",
        encoding="utf-8",
    )
    return path


def test_imported_range_drives_the_engine_and_keeps_its_wording(work_db: Path, tmp_path: Path) -> None:
    report = import_plan_table(work_db, _write(tmp_path / "range.csv", "保持在55%至60%"), actor="office01")
    assert report.findings == []
    preview = report.preview().select("原文", "解析类型", "解析值", "区间下限", "区间上限", "结果").row(0)
    assert preview == ("保持在55%至60%", "保持区间", None, 55.0, 60.0, "可导入")
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        stored = con.sql(
            "SELECT kind, value, band_low, band_high, target_text, target_label FROM target_current"
            " WHERE plan_code = 'lianggui' AND indicator_code = 'W-HEALTH-03'"
        ).fetchall()
        exported = export_frame(con, plan="两规").filter(pl.col("指标代码") == "W-HEALTH-03")
    finally:
        con.close()
    assert stored == [("band", None, 55.0, 60.0, "保持在55%至60%", None)]
    assert exported.select("2030年目标", "目标类型").row(0) == ("55%—60%", "保持区间")

    result = engine.run(work_db, "两规", 2024)
    items = (
        result.items.filter(
            pl.col("indicator_code") == "W-HEALTH-03",
            pl.col("breakdown") == "合计",
            pl.col("region_code").is_in(["370300", "370303", "370304"]),
        )
        .sort("region_code")
        .select("region_code", "baseline_value", "latest_value", pl.col("status").cast(pl.String), "rho")
    )
    # 370300: 57.4 inside [55, 60]                                → achieved
    # 370303: 46.1 → 63.0, 8.9 below then 3 above: ρ = 5.9 / 8.9  → on_track
    # 370304: 38.7 → 52.2, 16.3 then 2.8 below: ρ = 13.5 / 16.3   → on_track
    assert items.select("region_code", "baseline_value", "latest_value", "status").rows() == [
        ("370300", 42.8, 57.4, "achieved"),
        ("370303", 46.1, 63.0, "on_track"),
        ("370304", 38.7, 52.2, "on_track"),
    ]
    assert [round(r, 4) if r is not None else None for r in items.get_column("rho")] == [None, 0.6629, 0.8282]

    item = result.item("W-HEALTH-03", "370300")
    assert present.target_text(item) == "55.0–60.0"
    why = indicator_view.detail(result, None, "W-HEALTH-03", "370300").why.filter(pl.col("项目") == "目标")
    assert why.row(0) == (
        "目标",
        "55.0–60.0",
        "目标年份 2030；来源：淄妇儿工委〔2022〕1号；原文：保持在55%至60%",
    )


def test_exported_range_imports_back_unchanged(work_db: Path, tmp_path: Path) -> None:
    import_plan_table(work_db, _write(tmp_path / "range.csv", "40-50%"), actor="office01")
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        frame = export_frame(con, plan="两规")
    finally:
        con.close()
    out = tmp_path / "export.csv"
    frame.write_csv(out, include_bom=True)
    report = import_plan_table(work_db, out, actor="office01")
    assert (len(report.result.added), len(report.result.refused), report.findings) == (0, 0, [])


def test_the_editor_sets_a_range_by_its_edges(work_db: Path) -> None:
    from dashboard.queries import db
    from dashboard.views import targets as target_editor

    current = target_editor.editor_frame(work_db, "lianggui")
    row = current.get_column("指标代码").to_list().index("W-HEALTH-03")
    edited = current.with_columns(
        pl.when(pl.int_range(pl.len()) == row).then(pl.lit("保持区间")).otherwise(pl.col("目标类型")).alias("目标类型"),
        pl.when(pl.int_range(pl.len()) == row).then(None).otherwise(pl.col("目标值")).alias("目标值"),
        pl.when(pl.int_range(pl.len()) == row).then(55.0).otherwise(pl.col("区间下限")).alias("区间下限"),
        pl.when(pl.int_range(pl.len()) == row).then(60.0).otherwise(pl.col("区间上限")).alias("区间上限"),
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit("保持在55%至60%"))
        .otherwise(pl.col("目标原文"))
        .alias("目标原文"),
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit("淄妇儿工委〔2022〕1号"))
        .otherwise(pl.col("来源/文号"))
        .alias("来源/文号"),
    )
    outcome = target_editor.save_edits(work_db, "lianggui", current, edited, actor="office01", reason="中期调整")
    assert outcome.message == "已保存：新增或修改目标 1 条，未变 0 条"
    db.close_all()
    after = target_editor.editor_frame(work_db, "lianggui").filter(pl.col("指标代码") == "W-HEALTH-03")
    assert after.select("规划", "目标类型", "目标值", "区间下限", "区间上限", "目标原文").row(0) == (
        "两规",
        "保持区间",
        None,
        55.0,
        60.0,
        "保持在55%至60%",
    )
    # edges the wrong way round are refused
    bad = edited.with_columns(
        pl.when(pl.int_range(pl.len()) == row).then(70.0).otherwise(pl.col("区间下限")).alias("区间下限")
    )
    mine = bad.filter(pl.col("指标代码") == "W-HEALTH-03")
    refused = target_editor.save_edits(work_db, "lianggui", after, mine, actor="office01", reason="再调整")
    assert "区间下限应小于上限" in refused.message
