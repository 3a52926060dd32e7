"""Load 美丽庭院 and 儿童友好社区 / 儿童之家 records (and the village/community counts) from the
xlsx/csv files offices keep, with findings like returns, through the one atomic write path.

Three kinds of file, told apart by their headers (or by the caller):

- courtyard (美丽庭院): one row per village × year — 村（社区）名称, 村代码, 所属区县 / 区县代码,
  街道（镇）, 年份, 农村户数, 美丽庭院户数, 精品（示范）户数, 经度, 纬度, 坐标系;
- child_friendly (儿童友好社区 / 儿童之家): one row per community and kind — 社区名称, 类别,
  级别 (国家级/省级/市级), 命名年份, 状态 (已命名/创建中/已撤销), 所属区县, 经度, 纬度, 坐标系;
- community_count: one row per district × year — 区县, 年份, 行政村数, 社区数 (the
  denominators of 儿童之家 and 儿童友好社区 coverage).

Coordinates are stored in GCJ-02, the boundaries' datum. Each row's system comes from its
坐标系 cell, else from a "坐标系：…" line above the table, else from the caller, else WGS-84
(GPS) is assumed and said so. Points are checked against the district polygons: outside every
polygon, or inside another district than the one named, is a warning (the row is loaded).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb

from etl.core import settings
from etl.core.records import SEVERITY_ERROR, SEVERITY_INFO, Finding, UnreadableFile
from etl.places.geometry import DistrictShapes, check_points
from etl.places.read import dedupe, read_file
from etl.places.rows import PlaceRow, RowContext
from etl.places.store import DbState, db_state, note_revisions, write_submission
from etl.places.vocabulary import (
    CHILD_FRIENDLY,
    COMMUNITY_COUNT,
    COURTYARD,
    EXPECTED,
    KIND_LABELS,
    KINDS,
    normalise_coord_system,
)
from etl.returns.load import FileReport, sha256_of


def load_place_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str | None = None,
    coord_system: str | None = None,
    *,
    is_sample: bool = False,
    shapes: DistrictShapes | None = None,
    state: DbState | None = None,
) -> FileReport:
    """Load one place file into `con` (inside the caller's transaction). Never raises on bad input."""
    path = Path(path)
    if kind is not None and kind not in KINDS:
        raise ValueError(f"未知数据类别“{kind}”（可用：{'、'.join(KINDS)}）")
    default_coord = normalise_coord_system(coord_system)
    digest = sha256_of(path)
    report = FileReport(file=path.name, sha256=digest, status="loaded")
    # a withdrawn file may be loaded again; any other loaded copy makes this one a no-op
    seen = con.sql("SELECT id FROM submission_counted WHERE sha256 = $s", params={"s": digest}).fetchall()
    if seen:
        report.status, report.submission_id = "unchanged", seen[0][0]
        report.message = f"{path.name} 已于之前载入（提交编号 {seen[0][0]}），本次未作改动"
        return report
    state = state or db_state(con)

    def ctx_for(k: str) -> RowContext:
        return RowContext(k, path.name, state.regions, state.levels, state.first_year, state.last_year, default_coord)

    try:
        found_kind, ctx, read, notes = read_file(path, kind, ctx_for)
    except UnreadableFile as exc:
        return _failed(report, str(exc), [Finding(path.name, "", None, None, "unreadable", SEVERITY_ERROR, str(exc))])
    if found_kind is None or ctx is None:
        message = (
            f"文件“{path.name}”不像美丽庭院、儿童友好社区或村和社区数表格："
            f"{EXPECTED[COURTYARD]}；或{EXPECTED[CHILD_FRIENDLY]}；或{EXPECTED[COMMUNITY_COUNT]}。"
        )
        return _failed(
            report, message, [*notes, Finding(path.name, "", None, None, "no_header", SEVERITY_ERROR, message)]
        )
    if read.sheets_read == 0:
        message = f"文件“{path.name}”中没有可识别的{KIND_LABELS[found_kind]}表头（{EXPECTED[found_kind]}）。"
        return _failed(
            report, message, [*ctx.findings, Finding(path.name, "", None, None, "no_header", SEVERITY_ERROR, message)]
        )
    rows = dedupe(ctx, read.rows)
    if found_kind != COMMUNITY_COUNT:
        _check_locations(ctx, rows, shapes or DistrictShapes.from_data_dir(settings.DATA_DIR))
    report.revisions = note_revisions(con, ctx, rows)
    report.findings = ctx.findings
    report.accepted = len(rows)
    report.rejected = len({(s, n) for s, n, _, _, _ in ctx.rejected})
    write_submission(con, report, ctx, read, rows, is_sample=is_sample)
    report.message = (
        f"{path.name}（{KIND_LABELS[found_kind]}）：载入{report.accepted}行"
        f"（其中替换已有记录{report.revisions}行），拒绝{report.rejected}行"
    )
    return report


def _failed(report: FileReport, message: str, findings: list[Finding]) -> FileReport:
    report.status, report.message, report.findings = "failed", message, findings
    return report


def _check_locations(ctx: RowContext, rows: list[PlaceRow], shapes: DistrictShapes) -> None:
    """Warn about misplaced points; note rows whose coordinate system was assumed or that have none."""
    check_points(ctx, rows, shapes)
    if ctx.assumed_wgs84:
        ctx.findings.append(
            Finding(
                ctx.file,
                "",
                None,
                None,
                "assumed_wgs84",
                SEVERITY_INFO,
                f"文件“{ctx.file}”未注明坐标系：{ctx.assumed_wgs84}行坐标按 WGS-84（GPS）"
                "换算为 GCJ-02（与边界一致）。如为高德/腾讯坐标，请加“坐标系”列填 GCJ-02。",
            )
        )
    if ctx.without_coords:
        ctx.findings.append(
            Finding(
                ctx.file,
                "",
                None,
                None,
                "no_coordinates",
                SEVERITY_INFO,
                f"文件“{ctx.file}”有{ctx.without_coords}行没有经纬度，这些点不在地图上显示。",
            )
        )


def load_places(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[Path],
    kind: str | None = None,
    coord_system: str | None = None,
    *,
    is_sample: bool = False,
    data_dir: Path | None = None,
    on_file: Callable[[FileReport], None] | None = None,
) -> list[FileReport]:
    """Load place files into an open write connection, one report per file.

    `kind` is courtyard | child_friendly | community_count, or None to tell from the headers.
    `coord_system` (WGS-84 | GCJ-02) applies to rows whose file states no 坐标系; with neither,
    WGS-84 (GPS) is assumed. Run it inside `etl.core.store.publish` like every other load.
    """
    shapes = DistrictShapes.from_data_dir(Path(data_dir or settings.DATA_DIR))
    state = db_state(con)
    reports = []
    for path in paths:
        report = load_place_file(con, Path(path), kind, coord_system, is_sample=is_sample, shapes=shapes, state=state)
        reports.append(report)
        if on_file:
            on_file(report)
    return reports
