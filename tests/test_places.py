"""Loading 美丽庭院 / 儿童友好社区 / 村和社区数 files: headers, validation, coordinates, storage.

Every fixture is a few hand-written rows in a copy of the embedded default database (淄博, with
its sample places already loaded through the same loader). Points are taken from the shipped
district polygons, so "inside 张店区" is true by construction and checkable by hand.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb
import polars as pl
import pytest
import xlsxwriter
from shapely.geometry import shape

from etl.core import settings
from etl.core.records import SEVERITY_ERROR, SEVERITY_INFO, SEVERITY_WARNING
from etl.core.store import publish
from etl.places.cli import register_cli
from etl.places.load import load_places
from etl.places.sheet import detect_kind
from etl.places.store import current_sql
from etl.places.vocabulary import COURTYARD, KINDS
from etl.regions.coords import wgs84_to_gcj02
from etl.regions.geo import load_boundaries
from etl.returns.readers import read_workbook

ZIBO = "370300"
HEADER = "序号,村（社区）名称,村代码,所属区县,街道（镇）,年份,农村户数,美丽庭院户数,精品（示范）户数,经度,纬度"


@pytest.fixture(scope="module")
def inner_points() -> dict[str, tuple[float, float]]:
    """A GCJ-02 point well inside each district (its polygon's representative point)."""
    features = load_boundaries(settings.DATA_DIR, ZIBO)["features"]
    out = {}
    for f in features:
        p = shape(f["geometry"]).representative_point()
        out[f["properties"]["adcode"]] = (round(p.x, 6), round(p.y, 6))
    return out


def load(db: Path, paths: list[Path], kind: str | None = None, coord: str | None = None):
    def change(con):
        out = load_places(con, paths, kind, coord)
        return out, any(r.status == "loaded" for r in out)

    return publish(db, change)


def rows(db: Path, sql: str, params: dict | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql, params=params).fetchall() if params else con.sql(sql).fetchall()
    finally:
        con.close()


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def by_rule(report) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in report.findings:
        out.setdefault(f.rule, []).append(f)
    return out


# --- header recognition ------------------------------------------------------------------------


def test_kind_is_told_from_the_headers(tmp_path: Path) -> None:
    court = write(tmp_path / "a.csv", HEADER, "1,东村,,张店区,,2024,10,5,,,")
    child = write(tmp_path / "b.csv", "社区名称,所属区县,类别,级别,命名年份", "和平社区,张店区,儿童友好社区,省级,2022")
    count = write(tmp_path / "c.csv", "区县,年份,行政村数,社区数", "张店区,2024,40,90")
    assert [detect_kind(read_workbook(p).grids[0]) for p in (court, child, count)] == list(KINDS)


def test_sample_places_load_clean(built_db: Path) -> None:
    """The generated sample files go through this loader at build time with nothing to report."""
    subs = rows(
        built_db,
        "SELECT kind, rows_accepted, rows_rejected, is_sample FROM submission "
        "WHERE kind IN ('courtyard', 'child_friendly', 'community_count') ORDER BY kind",
    )
    assert [s[0] for s in subs] == ["child_friendly", "community_count", "courtyard"]
    assert all(s[2] == 0 and s[3] for s in subs)
    assert rows(
        built_db,
        "SELECT count(*) FROM finding f JOIN submission s ON s.id = f.submission_id "
        "WHERE s.kind = 'courtyard' AND f.severity <> 'info'",
    ) == [(0,)]
    assert rows(built_db, "SELECT count(*) FROM courtyard")[0][0] == subs[2][1]


# --- a good file, stored like a return ---------------------------------------------------------


def test_courtyard_file_with_title_block_wgs84(
    work_db: Path, tmp_path: Path, inner_points: dict[str, tuple[float, float]]
) -> None:
    # the office's GPS reading for 东村: the WGS-84 point whose GCJ-02 image is 张店区's inner point
    assert inner_points["370303"] == (118.052443, 36.814565)
    w_lon, w_lat = 118.0463796, 36.8140578
    path = write(
        tmp_path / "美丽庭院_张店_2024.csv",
        "张店区美丽庭院创建情况统计表（2024年）",
        "坐标系：WGS-84",
        HEADER,
        f"1,东村,370303001001,张店区,示例街道,2024,200,150,20,{w_lon:.7f},{w_lat:.7f}",
        "2,西村,370303001002,370303,示例街道,2024,0,0,,,",
        "合计,,,,,,200,150,20,,",
        "填表人：张三",
    )
    [report] = load(work_db, [path])
    assert report.status == "loaded", report.message
    assert (report.accepted, report.rejected) == (2, 0)
    sub = rows(
        work_db,
        "SELECT kind, rows_accepted, rows_rejected, is_sample FROM submission WHERE id = $i",
        {"i": report.submission_id},
    )
    assert sub == [("courtyard", 2, 0, False)]
    stored = rows(
        work_db,
        "SELECT village_code, village_name, district_code, year, rural_households, "
        "courtyard_households, premium_households, lon, lat FROM courtyard "
        "WHERE submission_id = $i ORDER BY village_code",
        {"i": report.submission_id},
    )
    assert stored[0][:7] == ("370303001001", "东村", "370303", 2024, 200, 150, 20)
    # converted to the boundaries' datum (about 540 m east of the GPS reading)
    assert stored[0][7:] == (118.052443, 36.814565)
    assert stored[1][:7] == ("370303001002", "西村", "370303", 2024, 0, 0, None)
    assert stored[1][7:] == (None, None)
    # the raw rows as they arrived (not the 合计 or 填表人 rows), like a return's raw layer
    raw = rows(
        work_db,
        "SELECT row_no, cells[2] FROM raw_row WHERE submission_id = $i ORDER BY row_no",
        {"i": report.submission_id},
    )
    assert raw == [(4, "东村"), (5, "西村")]
    found = by_rule(report)
    assert {f.row for f in found["skipped_row"]} == {6, 7}
    assert "assumed_wgs84" not in found  # the title said WGS-84
    assert found["no_coordinates"][0].severity == SEVERITY_INFO


def test_place_files_skip_the_same_footers_notes_and_column_numbers_as_returns(work_db: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path / "美丽庭院_表尾.csv",
        HEADER,
        "甲,乙,1,2,3,4,5,6,7,8,9",
        "1,东村,,张店区,,2024,10,5,,,",
        "部门负责人：李四",
        "附注：户数为年末数",
        "填表说明",
    )
    [report] = load(work_db, [path])
    assert (report.status, report.accepted, report.rejected) == ("loaded", 1, 0)
    skipped = {f.row: f.message for f in by_rule(report)["skipped_row"]}
    assert sorted(skipped) == [2, 4, 5, 6]
    assert "栏号行" in skipped[2]
    assert all("表尾签章、日期或说明行" in skipped[n] for n in (4, 5, 6))


def test_xlsx_with_coordinate_column_per_row(
    work_db: Path, tmp_path: Path, inner_points: dict[str, tuple[float, float]]
) -> None:
    g = inner_points["370305"]
    w = (118.3081839, 36.8184988)  # GPS reading whose GCJ-02 image is 临淄区's inner point
    path = tmp_path / "临淄.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("2024年")
    ws.write_row(0, 0, ["临淄区美丽庭院户数统计"])
    ws.write_row(2, 0, ["村（社区）名称", "区县代码", "年份", "农村户数", "美丽庭院户数", "经度", "纬度", "坐标系"])
    ws.write_row(3, 0, ["南村", "370305", 2023, 300, 120, w[0], w[1], "GPS"])
    ws.write_row(4, 0, ["北村", "370305", 2023, 300, 90, g[0], g[1], "高德"])
    wb.close()
    [report] = load(work_db, [path], COURTYARD)
    assert report.status == "loaded" and report.accepted == 2, report.findings
    stored = dict(
        (n, (lon, lat))
        for n, lon, lat in rows(
            work_db,
            "SELECT village_name, lon, lat FROM courtyard WHERE submission_id = $i",
            {"i": report.submission_id},
        )
    )
    assert stored["南村"] == (118.314037, 36.818945) == g  # GPS → converted
    assert stored["北村"] == g  # 高德 = GCJ-02 → as written
    assert not [f for f in report.findings if f.severity != SEVERITY_INFO]


def test_no_coordinate_system_anywhere_assumes_wgs84_and_says_so(
    work_db: Path, tmp_path: Path, inner_points: dict
) -> None:
    lon, lat = inner_points["370303"]
    path = write(tmp_path / "gps.csv", HEADER, f"1,东村,,张店区,,2024,10,5,,{lon},{lat}")
    [report] = load(work_db, [path])
    [note] = by_rule(report)["assumed_wgs84"]
    assert note.severity == SEVERITY_INFO and "WGS-84" in note.message and "gps.csv" in note.message
    [(s_lon, s_lat)] = rows(
        work_db, "SELECT lon, lat FROM courtyard WHERE submission_id = $i", {"i": report.submission_id}
    )
    expected = wgs84_to_gcj02(lon, lat)
    assert (s_lon, s_lat) == (round(expected[0], 6), round(expected[1], 6))


def test_caller_coordinate_system_applies_when_the_file_says_none(
    work_db: Path, tmp_path: Path, inner_points: dict
) -> None:
    lon, lat = inner_points["370303"]
    path = write(tmp_path / "gcj.csv", HEADER, f"1,东村,,张店区,,2024,10,5,,{lon},{lat}")
    [report] = load(work_db, [path], coord="GCJ-02")
    assert "assumed_wgs84" not in by_rule(report)
    assert rows(work_db, "SELECT lon, lat FROM courtyard WHERE submission_id = $i", {"i": report.submission_id}) == [
        (lon, lat)
    ]


def test_unknown_caller_coordinate_system_is_refused(work_db: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", HEADER, "1,东村,,张店区,,2024,10,5,,,")
    with pytest.raises(ValueError, match="未知坐标系"):
        load(work_db, [path], coord="BD-09")


# --- validation findings -----------------------------------------------------------------------


def test_row_errors_are_rejected_with_file_row_and_cell(work_db: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path / "错误.csv",
        HEADER,
        "1,甲村,,东城区,,2024,100,50,,,",  # row 2: unknown district (D)
        "2,乙村,,张店区,,2024,100,120,,,",  # row 3: 美丽庭院 > 农村 (H)
        "3,丙村,,张店区,,2024,-5,0,,,",  # row 4: negative (G)
        "4,丁村,,张店区,,2024,100,50,60,,",  # row 5: 精品 > 美丽庭院 (I)
        "5,戊村,,张店区,,2024,100.5,50,,,",  # row 6: not a whole number (G)
        "6,己村,,张店区,,二〇二四,100,50,,,",  # row 7: year (F)
        "7,庚村,,张店区,,2024,100,50,,,",  # row 8: fine
    )
    [report] = load(work_db, [path])
    assert (report.accepted, report.rejected) == (1, 6)
    errors = {f.row: f for f in report.findings if f.severity == SEVERITY_ERROR}
    expected = {
        2: ("unknown_district", "D"),
        3: ("courtyard_over_rural", "H"),
        4: ("negative", "G"),
        5: ("premium_over_courtyard", "I"),
        6: ("not_integer", "G"),
        7: ("bad_year", "F"),
    }
    assert {r: (f.rule, f.column) for r, f in errors.items()} == expected
    for row, f in errors.items():
        assert f.message.startswith(f"文件“错误.csv”工作表“错误”第{row}行{expected[row][1]}列：")
    assert "东城区" in errors[2].message and "120" in errors[3].message and "100" in errors[3].message
    rejected = rows(
        work_db,
        "SELECT row_no, col, raw_cells[2] FROM rejected_row WHERE submission_id = $i ORDER BY row_no",
        {"i": report.submission_id},
    )
    assert rejected == [(r, expected[r][1], n + "村") for r, n in zip(range(2, 8), "甲乙丙丁戊己", strict=True)]
    assert rows(
        work_db, "SELECT village_name FROM courtyard WHERE submission_id = $i", {"i": report.submission_id}
    ) == [("庚村",)]
    stored = rows(
        work_db,
        "SELECT count(*) FROM finding WHERE submission_id = $i AND severity = 'error'",
        {"i": report.submission_id},
    )
    assert stored == [(6,)]


def test_district_code_and_name_must_agree(work_db: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path / "x.csv", "村名称,区县代码,所属区县,年份,农村户数,美丽庭院户数", "东村,370304,张店区,2024,10,5"
    )
    [report] = load(work_db, [path])
    [err] = [f for f in report.findings if f.severity == SEVERITY_ERROR]
    assert err.rule == "district_mismatch" and report.accepted == 0


def test_city_is_not_a_district(work_db: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "x.csv", "村名称,所属区县,年份,农村户数,美丽庭院户数", "东村,淄博市,2024,10,5")
    [report] = load(work_db, [path])
    assert [f.rule for f in report.findings if f.severity == SEVERITY_ERROR] == ["not_a_district"]


def test_duplicates_with_different_values_reject_both(work_db: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path / "重复.csv",
        HEADER,
        "1,东村,370303001001,张店区,,2024,100,50,,,",
        "2,东村,370303001001,张店区,,2024,100,60,,,",  # same village and year, other value
        "3,西村,370303001002,张店区,,2024,80,40,,,",
        "4,西村,370303001002,张店区,,2024,80,40,,,",  # exact repeat: loaded once
        "5,东村,370303001001,张店区,,2023,90,30,,,",  # another year: a different record
    )
    [report] = load(work_db, [path])
    assert (report.accepted, report.rejected) == (2, 2)
    conflict = [f for f in report.findings if f.rule == "duplicate_conflict"]
    assert sorted(f.row for f in conflict) == [2, 3]
    assert all("第2行" in f.message and "第3行" in f.message for f in conflict)
    assert [f.row for f in report.findings if f.rule == "duplicate_same"] == [5]
    stored = rows(
        work_db,
        "SELECT village_name, year FROM courtyard WHERE submission_id = $i ORDER BY 1, 2",
        {"i": report.submission_id},
    )
    assert stored == [("东村", 2023), ("西村", 2024)]


def test_bad_coordinates_warn_and_keep_the_numbers(work_db: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path / "坐标.csv",
        HEADER,
        "1,甲村,,张店区,,2024,100,50,,36.81,118.05",  # swapped
        "2,乙村,,张店区,,2024,100,50,,2.35,48.86",  # Paris
        "3,丙村,,张店区,,2024,100,50,,118°03′,36.81",  # not decimal degrees
        "4,丁村,,张店区,,2024,100,50,,118.05,",  # half a coordinate
    )
    [report] = load(work_db, [path], coord="GCJ-02")
    assert (report.accepted, report.rejected) == (4, 0)
    warnings = {f.row: f for f in report.findings if f.rule == "bad_coordinates"}
    assert set(warnings) == {2, 3, 4, 5}
    assert all(f.severity == SEVERITY_WARNING for f in warnings.values())
    assert "填反" in warnings[2].message and "不在中国境内" in warnings[3].message
    assert "十进制度数" in warnings[4].message and "缺纬度" in warnings[5].message
    assert rows(
        work_db, "SELECT count(*) FROM courtyard WHERE submission_id = $i AND lon IS NULL", {"i": report.submission_id}
    ) == [(4,)]


def test_baidu_coordinates_are_not_guessed(work_db: Path, tmp_path: Path, inner_points: dict) -> None:
    lon, lat = inner_points["370303"]
    path = write(tmp_path / "bd.csv", HEADER + ",坐标系", f"1,东村,,张店区,,2024,10,5,,{lon},{lat},百度")
    [report] = load(work_db, [path])
    [w] = by_rule(report)["unsupported_coord_system"]
    assert "BD-09" in w.message and w.severity == SEVERITY_WARNING
    assert rows(work_db, "SELECT lon FROM courtyard WHERE submission_id = $i", {"i": report.submission_id}) == [(None,)]


def test_points_outside_every_district_or_in_another_are_reported(
    work_db: Path, tmp_path: Path, inner_points: dict
) -> None:
    bo = inner_points["370304"]  # a point inside 博山区
    path = write(
        tmp_path / "位置.csv",
        HEADER,
        "1,天安门村,,张店区,,2024,100,50,,116.39739,39.90882",  # Beijing: outside every polygon
        f"1,错区村,,张店区,,2024,100,50,,{bo[0]},{bo[1]}",  # 博山 point, 张店 named
        f"1,本区村,,博山区,,2024,100,50,,{bo[0]},{bo[1]}",  # fine
    )
    [report] = load(work_db, [path], coord="GCJ-02")
    assert (report.accepted, report.rejected) == (3, 0)  # reported, never dropped
    [outside] = by_rule(report)["point_outside"]
    assert outside.row == 2 and "不在任何区县边界内" in outside.message and "经度116.39739" in outside.message
    [other] = by_rule(report)["point_in_other_district"]
    assert other.row == 3 and "博山区" in other.message and "张店区" in other.message
    assert rows(
        work_db,
        "SELECT count(*) FROM courtyard WHERE submission_id = $i AND lon IS NOT NULL",
        {"i": report.submission_id},
    ) == [(3,)]


# --- 儿童友好社区 / 儿童之家 and counts --------------------------------------------------------


def test_child_friendly_file(work_db: Path, tmp_path: Path) -> None:
    path = write(
        tmp_path / "儿童友好.csv",
        "社区名称,所属区县,街道（镇）,类别,级别,命名年份,状态",
        "和平社区,张店区,车站街道,儿童友好社区,国家级,2022,已命名",  # 2
        "和平社区,张店区,车站街道,儿童之家,,2019,",  # 3: no status but a year → named
        "友谊社区,张店区,车站街道,儿童友好社区（村）,省级,,创建中",  # 4
        "团结社区,张店区,,儿童友好社区,乡级,2023,已命名",  # 5: unknown level
        "光明社区,张店区,,儿童友好社区,市级,,已命名",  # 6: named without a year
        "幸福社区,张店区,,少年宫,市级,2023,已命名",  # 7: unknown kind
    )
    [report] = load(work_db, [path])
    assert report.status == "loaded" and (report.accepted, report.rejected) == (3, 3)
    errors = {f.row: f.rule for f in report.findings if f.severity == SEVERITY_ERROR}
    assert errors == {5: "unknown_level", 6: "missing_year_named", 7: "unknown_kind"}
    stored = rows(
        work_db,
        "SELECT community_name, kind, level, year_named, status FROM child_friendly "
        "WHERE submission_id = $i ORDER BY kind, community_name",
        {"i": report.submission_id},
    )
    assert stored == [
        ("和平社区", "儿童之家", None, 2019, "已命名"),
        ("友谊社区", "儿童友好社区", "省级", None, "创建中"),
        ("和平社区", "儿童友好社区", "国家级", 2022, "已命名"),
    ]
    assert rows(work_db, "SELECT kind FROM submission WHERE id = $i", {"i": report.submission_id}) == [
        ("child_friendly",)
    ]


def test_community_count_file(work_db: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "村社区数.csv", "区县,年份,行政村数,社区数", "张店区,2024,41,92个", "博山,2024,60,")
    [report] = load(work_db, [path])
    assert report.accepted == 2
    stored = rows(
        work_db,
        "SELECT district_code, year, villages, communities FROM community_count WHERE submission_id = $i ORDER BY 1",
        {"i": report.submission_id},
    )
    assert stored == [("370303", 2024, 41, 92), ("370304", 2024, 60, None)]
    assert rows(work_db, "SELECT kind FROM submission WHERE id = $i", {"i": report.submission_id}) == [
        ("community_count",)
    ]


# --- loads over loads --------------------------------------------------------------------------


def test_same_file_twice_is_unchanged(work_db: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", HEADER, "1,东村,,张店区,,2024,10,5,,,")
    [first] = load(work_db, [path])
    [again] = load(work_db, [path])
    assert first.status == "loaded" and again.status == "unchanged"
    assert again.submission_id == first.submission_id


def test_a_later_file_replaces_a_record_and_says_so(work_db: Path, tmp_path: Path) -> None:
    code = rows(
        work_db,
        "SELECT village_code, village_name, rural_households, courtyard_households "
        "FROM courtyard WHERE district_code = '370303' AND year = 2024 ORDER BY 1 LIMIT 1",
    )[0]
    path = write(tmp_path / "更正.csv", HEADER, f"1,{code[1]},{code[0]},张店区,,2024,{code[2]},{code[3] - 1},,,")
    [report] = load(work_db, [path])
    [w] = by_rule(report)["revision"]
    assert w.severity == SEVERITY_WARNING and str(code[3]) in w.message and report.revisions == 1
    current = rows(
        work_db,
        f"SELECT courtyard_households, is_sample FROM ({current_sql(COURTYARD)}) "
        "WHERE village_code = $c AND year = 2024",
        {"c": code[0]},
    )
    assert current == [(code[3] - 1, False)]
    # the earlier record is kept, not overwritten
    assert rows(work_db, "SELECT count(*) FROM courtyard WHERE village_code = $c AND year = 2024", {"c": code[0]}) == [
        (2,)
    ]


def test_a_database_built_before_the_current_views_gains_them_on_its_next_write(work_db: Path, tmp_path: Path) -> None:
    # a database at schema version 3: migration step 4 made these views, step 5 these tables
    con = duckdb.connect(str(work_db))
    try:
        con.execute(
            "DROP VIEW courtyard_current; DROP VIEW child_friendly_current; DROP VIEW community_count_current;"
            " DROP VIEW observation_current; DROP VIEW submission_counted;"
            " DROP VIEW duty_current; DROP TABLE duty_revision; DROP SEQUENCE duty_revision_id_seq;"
            " DROP TABLE local_indicator_revision; DROP SEQUENCE local_indicator_revision_id_seq;"
            " DELETE FROM schema_version WHERE version >= 4"
        )
    finally:
        con.close()
    path = write(tmp_path / "村社区数2027.csv", "区县,年份,行政村数,社区数", "张店区,2027,41,92")
    [report] = load(work_db, [path])
    assert report.status == "loaded", report.message
    assert rows(work_db, "SELECT villages, communities FROM community_count_current WHERE year = 2027") == [(41, 92)]
    assert rows(work_db, "SELECT count(*) > 0 FROM observation_current") == [(True,)]


def test_unrecognised_file_fails_without_a_submission(work_db: Path, tmp_path: Path) -> None:
    before = rows(work_db, "SELECT count(*) FROM submission")
    path = write(tmp_path / "杂项.csv", "姓名,电话", "张三,123")
    [report] = load(work_db, [path])
    assert report.status == "failed" and "美丽庭院" in report.message
    assert rows(work_db, "SELECT count(*) FROM submission") == before


# --- command line ------------------------------------------------------------------------------


def test_cli_load_places(work_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rich.console import Console

    from etl.places.cli import cmd_load_places

    parser = argparse.ArgumentParser()
    register_cli(parser.add_subparsers(dest="command"))
    good = write(tmp_path / "村社区数.csv", "区县,年份,行政村数,社区数", "张店区,2025,41,92")
    args = parser.parse_args(["load-places", str(good), "--kind", "community_count", "--json"])
    assert cmd_load_places(args, Console(stderr=True)) == 0
    [out] = json.loads(capsys.readouterr().out)
    assert out["status"] == "loaded" and out["accepted"] == 1
    assert rows(work_db, "SELECT villages FROM community_count WHERE year = 2025") == [(41,)]

    bad = write(tmp_path / "杂项.csv", "姓名,电话", "张三,123")
    args = parser.parse_args(["load-places", str(bad), "--coord-system", "GCJ-02"])
    assert cmd_load_places(args, Console(stderr=True, file=open(tmp_path / "log.txt", "w"))) == 1
    args = parser.parse_args(["load-places", str(good), "--coord-system", "北京54"])
    assert cmd_load_places(args, Console(stderr=True, file=open(tmp_path / "log2.txt", "w"))) == 2


def test_frame_schema_matches_the_table(work_db: Path, tmp_path: Path) -> None:
    """Every column the loader fills exists in the migrated schema (etl/core/migrations/), typed as the schema says."""
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        for kind in KINDS:
            cols = {c[0] for c in con.sql(f"DESCRIBE {kind}").fetchall()}
            frame = con.sql(current_sql(kind)).pl()
            assert set(frame.columns) - {"is_sample"} <= cols
            assert isinstance(frame, pl.DataFrame)
    finally:
        con.close()


def test_withdrawn_place_file_stops_counting(work_db: Path, tmp_path: Path) -> None:
    from datetime import datetime

    from dashboard.engine import coverage as cov
    from dashboard.queries import db

    path = write(tmp_path / "村社区数2026.csv", "区县,年份,行政村数,社区数", "张店区,2026,41,92")
    [first] = load(work_db, [path])
    con = duckdb.connect(str(work_db))
    try:
        con.execute(
            "INSERT INTO submission_withdrawal VALUES (?, ?, ?, ?)",
            [first.submission_id, datetime(2026, 3, 1), "测试", "误报"],
        )
    finally:
        con.close()
    try:
        counts = cov.load_place_data(work_db).counts
    finally:
        db.close_all()
    assert counts.filter(pl.col("year") == 2026).height == 0
    [again] = load(work_db, [path])  # a withdrawn file can be sent again
    assert again.status == "loaded" and again.submission_id != first.submission_id
