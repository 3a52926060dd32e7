"""Overview data functions, snapshot-aware connections and CSV exports, without Streamlit."""

from __future__ import annotations

import csv
import io
import os
import threading
from pathlib import Path

import duckdb
import polars as pl
import pytest
from dashboard_fixtures import FixtureDb, build_fixture_db

from dashboard.queries import db
from dashboard.render import exports
from dashboard.views import overview


@pytest.fixture
def fx(tmp_path: Path) -> FixtureDb:
    return build_fixture_db(tmp_path / "fuer.duckdb")


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    # tmp databases go away after each test; do not keep them open across tests
    db.close_all()


def test_headline_counts_match_inserted_rows(fx: FixtureDb) -> None:
    assert overview.headline_counts(fx.path) == fx.headline()


def test_headline_counts_without_sample_data(tmp_path: Path) -> None:
    real = build_fixture_db(tmp_path / "real.duckdb", sample=False)
    counts = overview.headline_counts(real.path)
    assert counts["sample"] is False
    assert counts == real.headline()


def test_observation_current_takes_latest_revision(fx: FixtureDb) -> None:
    frame = db.query(
        fx.path,
        "SELECT indicator_code, region_code, year, breakdown, value, revision FROM observation_current",
    )
    expected = {
        (o["indicator_code"], o["region_code"], o["year"], o["breakdown"]): (
            o["value"],
            o["revision"],
        )
        for o in fx.current_observations()
    }
    got = {
        (r["indicator_code"], r["region_code"], r["year"], r["breakdown"]): (
            r["value"],
            r["revision"],
        )
        for r in frame.iter_rows(named=True)
    }
    assert got == expected
    # the fixture really contains a correction, and the corrected value is the one kept
    revised = [o for o in fx.rows["observation"] if o["revision"] > 1]
    assert revised
    for o in revised:
        key = (o["indicator_code"], o["region_code"], o["year"], o["breakdown"])
        assert got[key] == (o["value"], o["revision"])


def test_observations_by_unit_year(fx: FixtureDb) -> None:
    frame = overview.observations_by_unit_year(fx.path)
    got = {(r["成员单位"], r["年份"]): r["观测值数"] for r in frame.iter_rows(named=True)}
    assert got == fx.unit_year_counts()
    assert "国家参考值" in frame["成员单位"].to_list()
    # reference values come after the member units
    assert frame["成员单位"][-1] == "国家参考值"


def test_observations_pivot(fx: FixtureDb) -> None:
    wide = overview.observations_pivot(fx.path)
    expected = fx.unit_year_counts()
    years = sorted({year for _, year in expected})
    assert wide.columns == ["成员单位", *[f"{y}年" for y in years], "合计"]
    for row in wide.iter_rows(named=True):
        unit = row["成员单位"]
        for y in years:
            assert row[f"{y}年"] == expected.get((unit, y), 0)
        assert row["合计"] == sum(n for (u, _), n in expected.items() if u == unit)
    assert set(wide["成员单位"]) == {unit for unit, _ in expected}


def test_unit_year_pivot_of_nothing_is_empty() -> None:
    empty = pl.DataFrame(schema={"成员单位": pl.String, "年份": pl.Int32, "观测值数": pl.Int64})
    assert overview.unit_year_pivot(empty).height == 0


def test_catalogue_by_domain(fx: FixtureDb) -> None:
    frame = overview.catalogue_by_domain(fx.path)
    got = {
        (r["纲要"], r["领域"]): {k: r[k] for k in ("指标数", "有数值目标", "目标待设定")}
        for r in frame.iter_rows(named=True)
    }
    assert got == fx.domain_counts()
    # the buckets partition the indicators
    buckets = frame.select(pl.sum_horizontal("有数值目标", "目标待设定", "方向性或定性目标", "未设目标")).to_series()
    assert buckets.to_list() == frame["指标数"].to_list()
    # women's outline before children's
    assert frame["纲要"].to_list().index("妇女发展纲要") < frame["纲要"].to_list().index("儿童发展纲要")


def test_catalogue_table_shows_pending_targets(fx: FixtureDb) -> None:
    frame = overview.catalogue_table(fx.path)
    assert frame.height == len(fx.rows["indicator"])
    assert set(frame["指标代码"]) == {i["code"] for i in fx.rows["indicator"]}
    pending = set(frame.filter(pl.col("2030年目标") == "目标待设定")["指标名称"])
    assert pending == fx.pending_indicator_names()
    for i in fx.rows["indicator"]:
        target = fx.national_2030_target(i["code"])
        if target and target["value"] is not None:
            shown = frame.filter(pl.col("指标代码") == i["code"])["2030年目标"].item()
            assert shown == f"{target['value']:.{i['decimals']}f}"


def test_regions_table(fx: FixtureDb) -> None:
    frame = overview.regions_table(fx.path)
    expected = sorted(r["code"] for r in fx.rows["region"] if r["level"] != "country")
    assert frame["行政区划代码"].to_list() == expected
    assert "全国" not in frame["名称"].to_list()


def test_target_display() -> None:
    assert overview.target_display("at_least", 95.0, 1) == "95.0"
    assert overview.target_display("at_most", None, 1) == "目标待设定"
    assert overview.target_display("increase", None, 1) == "逐步提高"
    assert overview.target_display("qualitative", 1.0, 0) == "是"
    assert overview.target_display(None, None, 0) is None


# --- connections and snapshots ------------------------------------------------------------


def test_connect_is_cached_while_file_unchanged(fx: FixtureDb) -> None:
    assert db.connect(fx.path) is db.connect(fx.path)
    assert db.snapshot_id(fx.path) == db.snapshot_id(fx.path)


def test_connect_reopens_after_atomic_replace(fx: FixtureDb, tmp_path: Path) -> None:
    before = db.connect(fx.path)
    before_id = db.snapshot_id(fx.path)
    assert overview.headline_counts(fx.path) == fx.headline()

    # publish a new snapshot the way the ETL does: build aside, os.replace over the live file
    newer = build_fixture_db(tmp_path / "next" / "fuer.duckdb", extra_region=True)
    os.replace(newer.path, fx.path)

    after = db.connect(fx.path)
    assert after is not before
    assert db.snapshot_id(fx.path) != before_id
    assert overview.headline_counts(fx.path) == newer.headline()
    assert overview.headline_counts(fx.path) != fx.headline()
    # the old connection was closed, not leaked
    with pytest.raises(duckdb.ConnectionException):
        before.sql("SELECT 1")


def test_query_from_threads(fx: FixtureDb) -> None:
    # one cursor per call: concurrent queries on the shared connection must all succeed
    results: list[int] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                results.append(db.scalar(fx.path, "SELECT count(*) FROM observation_current"))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == [len(fx.current_observations())] * 80


def test_connection_is_read_only(fx: FixtureDb) -> None:
    with pytest.raises(duckdb.Error):
        db.query(fx.path, "CREATE TABLE oops (x INTEGER)")


def test_missing_database_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        db.connect(tmp_path / "absent.duckdb")


# --- exports --------------------------------------------------------------------------------


def test_neutralise_frame() -> None:
    formulas = ["=1+1", "-1+2", "+A1", "-", "@SUM(A1)", "\tx", "\rx", "-1e3"]
    # a plain signed number shown as text is a number, not a formula: no quote to print
    plain = ["孕产妇死亡率", "1/10万", "", "a=b", "-0.4", "+1.2", "-30.6%", None]
    out = exports.neutralise_frame(pl.DataFrame({"text": formulas + plain}))
    assert out.get_column("text").to_list() == [
        "'=1+1",
        "'-1+2",
        "'+A1",
        "'-",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "'-1e3",
        *plain,
    ]


def test_csv_bytes_bom_and_formulas() -> None:
    frame = pl.DataFrame(
        {
            "指标名称": ['=HYPERLINK("x")', "孕产妇死亡率", None, "@cmd", "-2+3", "+x", "-0.4"],
            "数值": [-1.5, 2.0, None, 3.0, 4.0, 5.0, 6.0],
        }
    )
    data = exports.csv_bytes(frame)
    assert data.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs for Chinese
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["指标名称", "数值"]
    names = [r[0] for r in rows[1:]]
    assert names == ['\'=HYPERLINK("x")', "孕产妇死亡率", "", "'@cmd", "'-2+3", "'+x", "-0.4"]
    # numbers are not text: a negative value stays a number
    assert rows[1][1] == "-1.5"


def test_catalogue_export_neutralises_fixture_formula(fx: FixtureDb) -> None:
    data = exports.csv_bytes(overview.catalogue_table(fx.path)).decode("utf-8-sig")
    sources = [i["data_source"] for i in fx.rows["indicator"] if i["data_source"]]
    assert sources and any(s.startswith("=") for s in sources)
    for source in sources:
        assert (f"'{source}" if source.startswith("=") else source) in data
        if source.startswith("="):
            assert f",{source}" not in data


def test_workbook_has_one_sheet_per_domain_and_no_formulas() -> None:
    import io
    import zipfile

    from dashboard.render.exports import workbook_bytes

    sheets = {
        "妇女与健康": pl.DataFrame({"指标": ["孕产妇死亡率", '=HYPERLINK("x")'], "数值": [12.1, None]}),
        "儿童与教育": pl.DataFrame({"指标": ["学前教育毛入园率"], "数值": [91.0]}),
    }
    data = workbook_bytes(sheets, title="中期评估", note="示例数据")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        workbook = z.read("xl/workbook.xml").decode()
        assert "妇女与健康" in workbook and "儿童与教育" in workbook
        sheet1 = z.read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in sheet1  # the formula-looking text stayed text
        assert "fitToPage" in sheet1 and 'orientation="landscape"' in sheet1
        strings = z.read("xl/sharedStrings.xml").decode()
        assert "HYPERLINK" in strings and "孕产妇死亡率" in strings
