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

# What the fixture's rows (tests/dashboard_fixtures.py) make, counted by hand: 3 indicators;
# 淄川区 and 张店区 besides 全国; 卫生健康委's sample return with 4 current values (13.5 replaced
# 14.0 as revision 2), the national reference return with 1, and a failed load that never counts.
HEADLINE = {
    "indicators": 3,
    "regions": 2,
    "units": 1,
    "observations": 5,
    "pending_observations": 4,  # no return is approved in the fixture; the reference value is reviewed
    "submissions": 2,
    "withdrawn_submissions": 0,
    "sample_submissions": 1,
    "sample_observations": 4,
    "sample": True,
}
REAL_HEADLINE = HEADLINE | {"sample_submissions": 0, "sample_observations": 0, "sample": False}
# the next snapshot adds one district with one more sample value
NEXT_HEADLINE = HEADLINE | {"regions": 3, "observations": 6, "pending_observations": 5, "sample_observations": 5}
CURRENT = {
    ("C-EDU-01", "370303", 2022, "合计"): (91.2, 1),
    ("W-HEALTH-01", "100000", 2021, "合计"): (16.1, 1),
    ("W-HEALTH-01", "370302", 2021, "合计"): (13.5, 2),
    ("W-HEALTH-01", "370302", 2022, "合计"): (12.5, 1),
    ("W-HEALTH-01", "370303", 2021, "合计"): (11.0, 1),
}
UNIT_YEAR = {("卫生健康委", 2021): 2, ("卫生健康委", 2022): 2, ("国家参考值", 2021): 1}


@pytest.fixture
def fx(tmp_path: Path) -> FixtureDb:
    return build_fixture_db(tmp_path / "fuer.duckdb")


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    # tmp databases go away after each test; do not keep them open across tests
    db.close_all()


def test_headline_counts_match_inserted_rows(fx: FixtureDb) -> None:
    assert overview.headline_counts(fx.path) == HEADLINE


def test_headline_counts_without_sample_data(tmp_path: Path) -> None:
    real = build_fixture_db(tmp_path / "real.duckdb", sample=False)
    counts = overview.headline_counts(real.path)
    assert counts["sample"] is False
    assert counts == REAL_HEADLINE


def test_observation_current_takes_latest_revision(fx: FixtureDb) -> None:
    frame = db.query(
        fx.path,
        "SELECT indicator_code, region_code, year, breakdown, value, revision FROM observation_current",
    )
    got = {
        (r["indicator_code"], r["region_code"], r["year"], r["breakdown"]): (
            r["value"],
            r["revision"],
        )
        for r in frame.iter_rows(named=True)
    }
    # 370302's 2021 value was corrected: revision 2 (13.5) is kept, not revision 1
    assert got == CURRENT


def test_observations_by_unit_year(fx: FixtureDb) -> None:
    frame = overview.observations_by_unit_year(fx.path)
    got = {(r["成员单位"], r["年份"]): r["观测值数"] for r in frame.iter_rows(named=True)}
    assert got == UNIT_YEAR
    assert "国家参考值" in frame["成员单位"].to_list()
    # reference values come after the member units
    assert frame["成员单位"][-1] == "国家参考值"


def test_observations_pivot(fx: FixtureDb) -> None:
    wide = overview.observations_pivot(fx.path)
    assert wide.columns == ["成员单位", "2021年", "2022年", "合计"]
    assert wide.rows() == [("卫生健康委", 2, 2, 4), ("国家参考值", 1, 0, 1)]


def test_unit_year_pivot_of_nothing_is_empty() -> None:
    empty = pl.DataFrame(schema={"成员单位": pl.String, "年份": pl.Int32, "观测值数": pl.Int64})
    assert overview.unit_year_pivot(empty).height == 0


def test_catalogue_by_domain(fx: FixtureDb) -> None:
    frame = overview.catalogue_by_domain(fx.path)
    got = {
        (r["纲要"], r["领域"]): {k: r[k] for k in ("指标数", "有数值目标", "目标待设定")}
        for r in frame.iter_rows(named=True)
    }
    assert got == {
        ("妇女发展纲要", "妇女与健康"): {"指标数": 2, "有数值目标": 1, "目标待设定": 1},
        ("儿童发展纲要", "儿童与教育"): {"指标数": 1, "有数值目标": 0, "目标待设定": 0},
    }
    # the buckets partition the indicators
    buckets = frame.select(pl.sum_horizontal("有数值目标", "目标待设定", "方向性或定性目标", "未设目标")).to_series()
    assert buckets.to_list() == frame["指标数"].to_list()
    # women's outline before children's
    assert frame["纲要"].to_list().index("妇女发展纲要") < frame["纲要"].to_list().index("儿童发展纲要")


def test_catalogue_table_shows_pending_targets(fx: FixtureDb) -> None:
    frame = overview.catalogue_table(fx.path)
    # a numeric target at the indicator's decimals; a pending one says so; a direction in words
    assert frame.select("指标代码", "指标名称", "2030年目标").rows() == [
        ("W-HEALTH-01", "孕产妇死亡率", "12.0"),
        ("W-HEALTH-02", "宫颈癌筛查率", "目标待设定"),
        ("C-EDU-01", "学前教育毛入园率", "逐步提高"),
    ]


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
    assert overview.headline_counts(fx.path) == HEADLINE

    # publish a new snapshot the way the ETL does: build aside, os.replace over the live file
    newer = build_fixture_db(tmp_path / "next" / "fuer.duckdb", extra_region=True)
    os.replace(newer.path, fx.path)

    after = db.connect(fx.path)
    assert after is not before
    assert db.snapshot_id(fx.path) != before_id
    assert overview.headline_counts(fx.path) == NEXT_HEADLINE
    # the old connection was closed, not leaked
    with pytest.raises(duckdb.ConnectionException):
        before.sql("SELECT 1")


def test_current_observations_are_read_once_per_snapshot(fx: FixtureDb, tmp_path: Path) -> None:
    from dashboard.engine import current

    first = current.observations(fx.path)
    assert current.observations(fx.path) is first  # the same snapshot: read once
    rows = first.sort("indicator_code", "region_code", "year")
    assert {
        (r["indicator_code"], r["region_code"], r["year"], r["breakdown"]): (r["value"], r["revision"])
        for r in rows.iter_rows(named=True)
    } == CURRENT
    # the sample return is not approved: its values are pending; the reference value is reviewed
    assert dict(rows.group_by("review_state").len().iter_rows()) == {"pending": 4, "reviewed": 1}

    newer = build_fixture_db(tmp_path / "next" / "fuer.duckdb", extra_region=True)
    os.replace(newer.path, fx.path)
    assert current.observations(fx.path).height == 6  # a new snapshot is read again


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
    assert results == [5] * 80


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


def test_overview_states_its_basis_and_withdrawn_files() -> None:
    counts = HEADLINE | {"withdrawn_submissions": 1}
    assert overview.basis_note(counts, "all") == (
        "数据口径：含待审核数据（其中 4 个数值待审核）；已载入文件 2 个，另有 1 个已撤回、不计入（共 3 个）。"
    )
    assert overview.basis_note(HEADLINE, "reviewed") == "数据口径：仅已审核数据（另有 4 个待审核数值未计入）。"
