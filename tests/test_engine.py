"""The engine on the real built database (catalogue, 淄博 districts, sample returns), and the
`python -m dashboard progress` command. Expected values are read from the database with
independent SQL, never from the engine itself."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dashboard import __main__ as cli
from dashboard import engine
from dashboard.queries import db

PLAN = "两纲"
YEAR = 2024


@pytest.fixture(scope="module")
def db_path(built_db: Path) -> Path:
    """The shared default database (read only here)."""
    yield built_db
    db.close_all()


@pytest.fixture(scope="module")
def result(db_path: Path) -> engine.ProgressResult:
    return engine.run(db_path, PLAN, YEAR)


def values(db_path: Path, indicator: str, region: str, breakdown: str = "合计") -> dict[int, float]:
    frame = db.query(
        db_path,
        "SELECT year, value FROM observation_current WHERE indicator_code = $i AND region_code = $r "
        "AND breakdown = $b AND year <= $y ORDER BY year",
        {"i": indicator, "r": region, "b": breakdown, "y": YEAR},
    )
    return dict(frame.iter_rows())


def target_value(db_path: Path, indicator: str) -> float:
    return db.scalar(
        db_path,
        "SELECT value FROM target WHERE plan_code = 'liangang' AND indicator_code = $i AND region_code IS NULL",
        {"i": indicator},
    )


def test_gaoqing_infant_mortality_is_lost(db_path: Path, result: engine.ProgressResult) -> None:
    # C-HEALTH-04 (婴儿死亡率, at most 5.0‰) in 高青 370322: met in 2022–2023, not in 2024.
    series = values(db_path, "C-HEALTH-04", "370322")
    t = target_value(db_path, "C-HEALTH-04")
    assert t == 5.0
    item = result.item("C-HEALTH-04", "370322")
    assert item is not None
    assert item["latest_year"] == 2024 and item["latest_value"] == series[2024] > t
    assert item["achieved"] is False
    assert item["lost"] is True
    met_before = [y for y, v in series.items() if v <= t and y < 2024]
    assert item["last_achieved_year"] == max(met_before)
    assert item["baseline_value"] == series[2020]
    assert item["status"] not in ("achieved", "no_data")


def test_boshan_myopia_regresses(db_path: Path, result: engine.ProgressResult) -> None:
    # C-HEALTH-13 (小学生近视率, at most 38 %) in 博山 370304 rises: 退步.
    series = values(db_path, "C-HEALTH-13", "370304")
    t = target_value(db_path, "C-HEALTH-13")
    item = result.item("C-HEALTH-13", "370304")
    assert item is not None
    assert item["status"] == "regressing"
    assert item["rho"] == pytest.approx((series[2024] - series[2020]) / (t - series[2020]))
    assert item["rho"] < 0
    assert item["tau"] == pytest.approx((2024 - 2020) / (2030 - 2020))
    assert item["status_label"] == "未达标"


def test_missing_baseline_sample_is_not_assessable(result: engine.ProgressResult) -> None:
    # C-SAFETY-05a in 沂源 370323 has no 2020 value (sample scenario gap@370323/2020).
    item = result.item("C-SAFETY-05a", "370323")
    assert item is not None
    assert (item["status"], item["reason_code"], item["baseline_value"]) == ("not_assessable", "no_baseline", None)


def test_items_cover_every_target_and_breakdown(db_path: Path, result: engine.ProgressResult) -> None:
    n_indicators = db.scalar(
        db_path,
        "SELECT count(DISTINCT indicator_code) FROM target WHERE plan_code = 'liangang' AND region_code IS NULL",
    )
    n_regions = db.scalar(db_path, "SELECT count(*) FROM region")
    n_breakdown_items = db.scalar(
        db_path,
        "SELECT count(*) FROM (SELECT DISTINCT indicator_code, region_code, breakdown FROM observation_current "
        "WHERE breakdown <> '合计' AND year <= 2024 AND indicator_code IN "
        "(SELECT indicator_code FROM target WHERE plan_code = 'liangang'))",
    )
    totals = result.items.filter(pl.col("breakdown") == "合计")
    assert totals.height == n_indicators * n_regions
    assert result.items.height == n_indicators * n_regions + n_breakdown_items
    assert list(result.items.columns) == list(engine.ITEM_COLUMNS)
    assert result.items.select("indicator_code", "region_code", "breakdown").is_duplicated().sum() == 0


def test_target_pending_items_say_so(db_path: Path, result: engine.ProgressResult) -> None:
    pending = (
        db.query(
            db_path,
            "SELECT indicator_code FROM target WHERE plan_code = 'liangang' AND value IS NULL "
            "AND kind IN ('at_least', 'at_most')",
        )
        .get_column("indicator_code")
        .to_list()
    )
    assert pending, "the catalogue has 目标待设定 rows"
    rows = result.items.filter(pl.col("indicator_code").is_in(pending))
    # where the 十四五 sets a 2025 target, mid-term work is judged against it, and says so
    interim = rows.filter(pl.col("target_text").str.contains("按2025年目标评估"))
    assert set(interim.get_column("target_year").to_list()) == {2025}
    assert "target_pending" not in set(interim.get_column("status").to_list())
    rows = rows.filter(~pl.col("target_text").str.contains("按2025年目标评估").fill_null(False))
    assert set(rows.get_column("status").to_list()) == {"target_pending"}
    assert set(rows.get_column("status_label").to_list()) == {"目标待设定"}


def test_aggregates_are_consistent(result: engine.ProgressResult) -> None:
    for frame in (result.by_region, result.by_domain, result.by_outline, result.by_unit):
        buckets = (
            frame["rate_denominator"]
            + frame["excluded_no_data"]
            + frame["excluded_direction"]
            + frame["excluded_target_pending"]
        )
        assert (buckets == frame["n_items"]).all()
        status_columns = [
            c for c in frame.columns if c.startswith("n_") and c not in ("n_items", "n_with_data", "n_lost")
        ]
        assert len(status_columns) == len(engine.progress.STATUS_CODES)
        status_sum = frame.select(pl.sum_horizontal(status_columns)).to_series()
        assert (status_sum == frame["n_items"]).all()
    gaoqing = result.by_region.filter(pl.col("region_code") == "370322").row(0, named=True)
    totals = result.items.filter((pl.col("region_code") == "370322") & (pl.col("breakdown") == "合计"))
    assert gaoqing["n_achieved"] == totals.filter(pl.col("status") == "achieved").height
    assert gaoqing["n_lost"] >= 1
    ranking = result.ranking
    assert sorted(ranking.get_column("region_code").to_list()) == [
        "370302",
        "370303",
        "370304",
        "370305",
        "370306",
        "370321",
        "370322",
        "370323",
    ]
    rates = ranking.get_column("attainment_rate").to_list()
    assert rates == sorted(rates, reverse=True)
    assert ranking.get_column("rank").to_list() == list(range(1, 9))


def test_completeness_finds_the_sample_gap(db_path: Path, result: engine.ProgressResult) -> None:
    # W-HEALTH-02 (卫生健康委 leads it) has no value for 周村 370306 in 2021 (gap@370306/2021).
    cells = result.completeness_cells
    gap = cells.filter(
        (pl.col("indicator_code") == "W-HEALTH-02") & (pl.col("region_code") == "370306") & (pl.col("year") == 2021)
    ).row(0, named=True)
    assert gap["unit_code"] == "health" and gap["received"] is False and gap["on_time"] is None
    summary = result.completeness.filter(
        (pl.col("unit_code") == "health") & (pl.col("region_code") == "370306") & (pl.col("year") == 2021)
    ).row(0, named=True)
    health_cells = cells.filter(
        (pl.col("unit_code") == "health") & (pl.col("region_code") == "370306") & (pl.col("year") == 2021)
    )
    assert summary["expected"] == health_cells.height
    assert summary["missing"] == health_cells.filter(~pl.col("received")).height >= 1
    # a received value: on time when its first submission was loaded by 2025-03-31
    got = cells.filter(
        (pl.col("indicator_code") == "W-HEALTH-02") & (pl.col("region_code") == "370303") & (pl.col("year") == 2024)
    ).row(0, named=True)
    loaded_at = db.scalar(
        db_path,
        "SELECT min(s.loaded_at) FROM observation o JOIN submission s ON s.id = o.submission_id "
        "WHERE o.indicator_code = 'W-HEALTH-02' AND o.region_code = '370303' AND o.year = 2024 "
        "AND o.breakdown = '合计'",
    )
    assert got["received"] is True and got["first_received_at"] == loaded_at
    assert got["deadline"] == date(2025, 3, 31)
    assert got["on_time"] is (loaded_at.date() <= date(2025, 3, 31))


def test_back_filled_years_are_not_judged_for_timeliness(db_path: Path, result: engine.ProgressResult) -> None:
    # the sample returns were all loaded on one day; years whose deadline had passed by then
    # are history typed in afterwards: counted for completeness, not for timeliness
    started = engine.tracking_start(db_path)
    assert started == result.tracking_start == date(2025, 3, 20)  # the build stamps the sample loads
    cells = result.completeness_cells.filter(pl.col("unit_code") == "health")
    for (year, due), group in cells.group_by("year", "deadline"):
        tracked = set(group.get_column("tracked"))
        assert tracked == {due >= started}, (year, due, started)
        if due < started:
            assert group.get_column("on_time").null_count() == group.height
    summary = result.completeness_by_unit.filter(pl.col("unit_code") == "health")
    old = summary.filter(pl.col("deadline") < started)
    assert old.height > 0 and old.get_column("tracked").sum() == 0 and old.get_column("timeliness_pct").is_null().all()
    assert "历史补录" in result.deadline_rule


def test_plan_by_code_or_name_and_scope(db_path: Path, result: engine.ProgressResult) -> None:
    by_code = engine.run(db_path, "liangang", YEAR)
    assert_frame_equal(by_code.items, result.items)
    county = engine.run(db_path, PLAN, YEAR, region="370322")
    assert set(county.items.get_column("region_code").to_list()) == {"370322"}
    city = engine.run(db_path, PLAN, YEAR, region="370300")
    assert "100000" not in set(city.items.get_column("region_code").to_list())
    assert_frame_equal(
        city.items.filter(pl.col("region_code") == "370322"),
        result.items.filter(pl.col("region_code") == "370322"),
    )


def test_label_set_changes_words_not_statuses(db_path: Path, result: engine.ProgressResult) -> None:
    midterm = engine.run(db_path, PLAN, YEAR, label_set="midterm")
    assert_frame_equal(midterm.items.select("status"), result.items.select("status"))
    achieved = midterm.items.filter(pl.col("status") == "achieved")
    assert set(achieved.get_column("status_label").to_list()) == {"提前实现"}


def test_errors_are_in_chinese(db_path: Path) -> None:
    with pytest.raises(engine.EngineError, match="未知规划：三纲"):
        engine.run(db_path, "三纲", YEAR)
    with pytest.raises(engine.EngineError, match="报告年份 2031 无效"):
        engine.run(db_path, "十四五", 2031)
    with pytest.raises(engine.EngineError, match="未知地区代码：999999"):
        engine.run(db_path, PLAN, YEAR, region="999999")


def test_metadata(db_path: Path, result: engine.ProgressResult) -> None:
    assert (result.plan.code, result.plan.base_year, result.plan.target_year) == ("liangang", 2020, 2030)
    assert result.sample_data is True
    local = engine.run(db_path, "两规", YEAR)
    assert local.sample_targets is True
    assert local.items.get_column("target_is_sample").all()


def test_cli_writes_the_engine_table(
    db_path: Path, result: engine.ProgressResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "progress.csv"
    code = cli.main(["progress", "--plan", PLAN, "--year", str(YEAR), "--db", str(db_path), "-o", str(out)])
    assert code == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    written = pl.read_csv(out, schema=result.items.schema)
    assert_frame_equal(written, result.items)
    assert "已写入" in capsys.readouterr().err


def test_cli_errors(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["progress", "--plan", "三纲", "--year", "2024", "--db", str(db_path)]) == 2
    assert "未知规划" in capsys.readouterr().err
    assert cli.main(["progress", "--plan", "两纲", "--year", "二〇二四", "--db", str(db_path)]) == 2
    assert "不是年份" in capsys.readouterr().err
    assert cli.main(["progress", "--plan", "两纲", "--year", "2019", "--db", str(db_path)]) == 2
    assert "报告年份 2019 无效" in capsys.readouterr().err


def test_a_companion_plan_needs_only_its_targets(built_db: Path) -> None:
    # 中期评估 shows 十四五's 2025 targets beside 两纲's: resolved without evaluating any value
    companion = engine.resolved_plan_targets(built_db, "fyp14", 2024, "370300")
    assert (companion.plan.name, companion.plan.target_year) == ("十四五", 2025)
    one = companion.targets.filter((pl.col("indicator_code") == "W-HEALTH-02") & (pl.col("region_code") == "370303"))
    assert one.select("target_kind", "target_value", "target_year").rows() == [("at_most", 14.5, 2025)]
    with pytest.raises(engine.EngineError, match="报告年份 2026 无效：十四五的报告年份应在 2020—2025 年之间"):
        engine.resolved_plan_targets(built_db, "fyp14", 2026, "370300")
