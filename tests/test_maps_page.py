"""The 地图 page as Streamlit runs it (AppTest), on the embedded default database."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest
from test_review_views import captions, signed_in

from dashboard import engine
from dashboard.engine import coverage as cov
from dashboard.queries import db

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
PAGE = "../pages/maps.py"  # relative to the entry script


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    db.close_all()


def open_maps(db_path: Path, monkeypatch: pytest.MonkeyPatch, **params: str) -> AppTest:
    monkeypatch.setenv("FUER_DB", str(db_path))
    at = AppTest.from_file(str(APP), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(PAGE)
    return at.run()


def table(at: AppTest) -> pl.DataFrame:
    return pl.from_pandas(at.dataframe[0].value)


def expected(db_path: Path, theme: str, measure: str, year: int) -> dict[str, float | None]:
    data = cov.load_place_data(db_path)
    by_district = cov.with_total(data.by_district(theme, year), data.region_code, f"{data.region_name}合计")
    frame = cov.measure_frame(by_district, cov.MEASURES[measure])
    return {
        name: None if v is None else round(v, 1) for name, v in zip(frame["district_name"], frame["value"], strict=True)
    }


def shown(at: AppTest, column: str) -> dict[str, float | None]:
    t = table(at)
    return {n: (None if v is None or v != v else v) for n, v in zip(t["区县"], t[column], strict=True)}


def test_renders_with_sample_notice_and_download(built_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_maps(built_db, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["地图 · 美丽庭院与儿童友好社区"]
    assert any(i.value.startswith("示例数据") for i in at.info)
    assert at.slider(key="maps_year").value == 2024
    assert shown(at, "美丽庭院覆盖率（%）") == expected(built_db, "courtyard", "courtyard_coverage", 2024)
    # the city row pools the villages: it is the 全市 figure the returns carry for 美丽庭院创建率
    # every row agrees with the 美丽庭院创建率 the returns carry, worked from the same records
    # (the districts' own rows, and the city's 全市 figure for the pooled row)
    returned = dict(
        db.query(
            built_db,
            "SELECT CASE WHEN r.code = '370300' THEN '淄博市合计' ELSE r.name END, o.value "
            "FROM observation_current o JOIN region r ON r.code = o.region_code "
            "WHERE o.indicator_code = 'L-COURTYARD-01' AND o.year = 2024 "
            "AND o.breakdown = '合计'",
        ).iter_rows()
    )
    assert shown(at, "美丽庭院覆盖率（%）") == pytest.approx(returned, abs=0.051)
    assert {b.proto.label for b in at.download_button} == {"下载 美丽庭院覆盖率_2024.csv"}
    assert dict(at.query_params) == {"theme": "courtyard", "measure": "courtyard_coverage", "year": "2024"}
    assert not at.warning


def test_year_slider_changes_the_numbers(built_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_maps(built_db, monkeypatch)
    before = shown(at, "美丽庭院覆盖率（%）")
    at.slider(key="maps_year").set_value(2021).run()
    assert not at.exception
    after = shown(at, "美丽庭院覆盖率（%）")
    assert after == expected(built_db, "courtyard", "courtyard_coverage", 2021)
    assert after != before and all(after[d] < before[d] for d in before)  # coverage grew since 2021
    assert at.query_params["year"] == "2021"


def test_theme_and_measure_switch(built_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_maps(built_db, monkeypatch)
    at.radio(key="maps_theme").set_value("child").run()
    assert not at.exception, [e.value for e in at.exception]
    assert table(at).columns[:4] == ["区县", "儿童友好社区占比（%）", "儿童之家覆盖率（%）", "分级"]
    assert shown(at, "儿童友好社区占比（%）") == expected(built_db, "child", "friendly_share", 2024)
    assert at.query_params["theme"] == "child" and at.query_params["measure"] == "friendly_share"
    at.radio(key="maps_measure_child").set_value("home_coverage").run()
    assert table(at).columns[1] == "儿童之家覆盖率（%）"
    assert at.query_params["measure"] == "home_coverage"
    assert [t.label for t in at.toggle][-1] == "儿童之家点位"


def test_bad_year_opens_the_default_with_a_notice(built_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_maps(built_db, monkeypatch, year="abc", theme="courtyard")
    assert not at.exception
    assert [w.value for w in at.warning] == ["链接中的年份“abc”无效或无数据，已显示2024年。"]
    assert at.slider(key="maps_year").value == 2024
    assert at.query_params["year"] == "2024"  # the link is repaired to what is shown


def test_link_opens_a_district_panel(built_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_maps(built_db, monkeypatch, theme="child", measure="home_coverage", year="2022", district="370303")
    assert not at.exception and not at.warning
    assert at.slider(key="maps_year").value == 2022
    assert at.selectbox(key="maps_district").value == "370303"
    value = expected(built_db, "child", "home_coverage", 2022)["张店区"]
    assert [(m.label, m.value) for m in at.metric] == [("张店区 · 2022年儿童之家覆盖率", f"{value:.1f}%")]
    history = pl.from_pandas(at.dataframe[1].value)
    assert history["年份"].to_list() == [2020, 2021, 2022, 2023, 2024]
    # choosing another district updates the link
    at.selectbox(key="maps_district").set_value("370304").run()
    assert at.query_params["district"] == "370304"
    assert at.metric[0].label.startswith("博山区")


def test_attainment_theme_with_engine(built_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_maps(built_db, monkeypatch, theme="attainment", year="2024", plan="liangang")
    assert not at.exception, [e.value for e in at.exception]
    result = engine.run(built_db, "liangang", 2024)
    data = cov.load_place_data(built_db)
    frame = cov.with_total(
        cov.attainment_by_district(cov.attainment_input(result), data.districts),
        data.region_code,
        # the whole city's row pools its districts' items: a roll-up, labelled as one
        "区县合计（汇总）",
    )
    want = {
        n: None if v is None else round(v, 1) for n, v in zip(frame["district_name"], frame["attainment"], strict=True)
    }
    assert shown(at, "达标率（%）") == want
    assert at.query_params["plan"] == "liangang"


def unreviewed_2025(db_path: Path, tmp_path: Path) -> None:
    """One unit sends two 2025 values early and nobody has reviewed them yet."""
    from long_returns import long_csv

    from etl.returns.load import submit_file

    rows = [["C-HEALTH-04", "", "370303", "", "2025", "9.9", ""], ["C-HEALTH-04", "", "370305", "", "2025", "2.1", ""]]
    f = long_csv(tmp_path / "卫健委_2025.csv", rows)
    assert submit_file(db_path, f, unit="health", enforce_unit=True, actor="卫健委（health01）").accepted == 2


def test_attainment_opens_on_the_briefing_year_and_numbers_for_a_leader(
    work_db: Path, accounts: dict[str, str], tmp_path: Path
) -> None:
    """The briefing's link to the 达标率 map: a leader counts reviewed values, so both pages open
    on 2023 (2024 is only 74.2 % reviewed) — never on 2025, where one unit sent two unreviewed
    values — and give 张店区 the same 96.0 % (121 of 126)."""
    unreviewed_2025(work_db, tmp_path)
    at = signed_in("lead01", accounts["lead01"])
    assert "报告年份 2023 年" in captions(at)[0]
    ranking = pl.from_pandas(at.dataframe[-1].value)
    assert dict(zip(ranking["区县"], ranking["达标率"], strict=True))["张店区"] == "96.0%"
    at.query_params.clear()  # what a page link does
    for key, value in {"theme": "attainment", "measure": "attainment", "plan": "liangang"}.items():
        at.query_params[key] = value
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key="maps_year").value == 2023
    assert at.query_params["year"] == "2023"
    assert "数据口径：仅已审核数据" in captions(at)  # the line every plan page shows
    t = table(at)
    rows = {r["区县"]: (r["达标率（%）"], r["达标指标数"], r["可评估指标数"]) for r in t.iter_rows(named=True)}
    assert rows["张店区"] == (96.0, 121, 126)
    assert rows["区县合计（汇总）"] == (91.3, 920, 1008)
    # shown with its one decimal, as the briefing's "96.0%" (96.0 would otherwise show as 96)
    assert json.loads(at.dataframe[0].proto.columns)["达标率（%）"]["type_config"]["format"] == "%.1f"
    assert [m.value for m in at.warning] == []


def test_attainment_default_year_follows_the_rule_without_users(
    work_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without users every value counts: 2024 is reported well enough (95.5 %), 2025 is not."""
    unreviewed_2025(work_db, tmp_path)
    at = open_maps(work_db, monkeypatch, theme="attainment")
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key="maps_year").value == 2024
    assert captions(at)[0].startswith("数据口径：含待审核数据，其中")
    assert table(at).filter(pl.col("区县") == "张店区")["达标率（%）"].to_list() == [96.8]
    # the year can still be chosen: 2025 counts the two early values, marked as pending
    at.slider(key="maps_year").set_value(2025).run()
    assert at.query_params["year"] == "2025"


def test_the_office_carries_its_basis_to_the_attainment_map(work_db: Path, accounts: dict[str, str]) -> None:
    """The office chose 含待审核 on the briefing: the map counts the same values (2024 opens,
    95.5 % of it is in) and marks the basis, and its link keeps the choice."""
    at = signed_in("office01", accounts["office01"])
    at.selectbox(key="view_basis").select("all").run()
    at.query_params.clear()  # what a page link does
    at.query_params["theme"] = "attainment"
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key="maps_year").value == 2024
    assert captions(at)[0].startswith("数据口径：含待审核数据，其中")
    assert at.query_params["basis"] == "all"
    assert table(at).filter(pl.col("区县") == "张店区")["达标率（%）"].to_list() == [96.8]


def test_a_basis_chosen_after_the_first_visit_reaches_the_map_and_stays(
    work_db: Path, accounts: dict[str, str]
) -> None:
    """The map has no basis widget of its own: after its first visit, the office's later choice
    on the briefing is what it shows, and visiting it never undoes that choice."""
    at = signed_in("office01", accounts["office01"])
    at.query_params.clear()
    at.query_params["theme"] = "attainment"
    at.switch_page(PAGE).run()
    assert captions(at)[0].startswith("数据口径：仅已审核数据")
    at.query_params.clear()
    at.switch_page("../pages/briefing.py").run()
    at.selectbox(key="view_basis").select("all").run()
    at.query_params.clear()
    at.switch_page(PAGE).run()
    at.radio(key="maps_theme").set_value("attainment").run()
    assert not at.exception, [e.value for e in at.exception]
    assert captions(at)[0].startswith("数据口径：含待审核数据，其中")
    assert at.query_params["basis"] == "all"
    at.query_params.clear()
    at.switch_page("../pages/briefing.py").run()
    assert at.selectbox(key="view_basis").value == "all"


def test_switching_themes_keeps_the_year(built_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """美丽庭院 → 儿童友好社区 → 达标率 lands on a year with meaning, never on the base year 2020:
    the theme's own default until the user picks a year, then the year picked."""
    at = open_maps(built_db, monkeypatch)
    at.radio(key="maps_theme").set_value("child").run()
    at.radio(key="maps_theme").set_value("attainment").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key="maps_year").value == 2024
    at.radio(key="maps_theme").set_value("courtyard").run()
    at.slider(key="maps_year").set_value(2021).run()
    at.radio(key="maps_theme").set_value("child").run()
    assert at.slider(key="maps_year").value == 2021
    at.radio(key="maps_theme").set_value("attainment").run()
    assert at.slider(key="maps_year").value == 2021
    assert at.query_params["year"] == "2021"
    assert table(at).filter(pl.col("区县") == "张店区")["达标率（%）"].to_list() == [95.2]


def test_a_leader_switching_to_attainment_gets_the_report_year(work_db: Path, accounts: dict[str, str]) -> None:
    """The 美丽庭院 theme opens on its latest year (2024); that default is not a choice, so
    达标率 opens on the leader's report year, 2023."""
    at = signed_in("lead01", accounts["lead01"])
    at.query_params.clear()  # what a page link does
    at.switch_page(PAGE).run()
    assert at.slider(key="maps_year").value == 2024
    at.radio(key="maps_theme").set_value("attainment").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key="maps_year").value == 2023


def test_courtyard_side_table_shows_both_rates_first(built_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The side column shows about four columns; the theme's other rate stands right after the
    one on the map (a number column cut at the column's edge showed as blank)."""
    at = open_maps(built_db, monkeypatch, theme="courtyard", measure="premium_share")
    t = table(at)
    assert t.columns[:4] == ["区县", "精品占比（%）", "美丽庭院覆盖率（%）", "分级"]
    # 张店区 2024: 1,787 精品 of 11,510 美丽庭院 households; 11,510 of 15,361 rural households
    assert t.filter(pl.col("区县") == "张店区").row(0)[:4] == ("张店区", 15.5, 74.9, "10–20%")
    assert t.filter(pl.col("区县") == "淄博市合计").row(0)[:4] == ("淄博市合计", 15.5, 51.9, "10–20%")
    at.radio(key="maps_measure_courtyard").set_value("courtyard_coverage").run()
    t = table(at)
    assert t.columns[:4] == ["区县", "美丽庭院覆盖率（%）", "精品占比（%）", "分级"]
    assert t.filter(pl.col("区县") == "张店区").row(0)[:4] == ("张店区", 74.9, 15.5, "60–80%")


def test_premium_share_points_and_note_speak_of_the_premium_share(
    built_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the 精品（示范）户占比 map the village points are classed by each village's 精品 share
    (all of the sample's villages fall in 10–20 %), and the note under the legend says so."""
    at = open_maps(built_db, monkeypatch, theme="courtyard", measure="premium_share")
    legend = next(m.value for m in at.markdown if "fuer-map-legend" in m.value)
    assert "点：村，面积表示农村户数，颜色为该村精品（示范）户占比分级" in legend
    assert "美丽庭院覆盖率分级" not in legend
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    villages = next(layer["data"] for layer in spec["layers"] if layer["id"] == "villages")
    assert villages[0]["name"] == "示例村001"
    assert villages[0]["d"] == "示例镇01 · 淄川\n精品（示范）20 / 美丽庭院 146 户（13.7%）\n农村 262 户"
    assert {tuple(v["c"]) for v in villages} == {(252, 141, 89)}  # the 10–20 % point colour, #fc8d59
    at.radio(key="maps_measure_courtyard").set_value("courtyard_coverage").run()
    legend = next(m.value for m in at.markdown if "fuer-map-legend" in m.value)
    assert "点：村，面积表示农村户数，颜色为该村美丽庭院覆盖率分级" in legend


def test_database_without_place_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Built with --no-samples: no 美丽庭院 records, no district values — short notices, no error."""
    from etl.build import build_database

    path = tmp_path / "empty.duckdb"
    build_database(path, with_samples=False, sample_dir=tmp_path / "samples")
    at = open_maps(path, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert [i.value for i in at.info] == ["尚未载入美丽庭院数据。可用 python -m etl load-places 载入村、社区记录。"]
    assert not at.dataframe and not at.slider
    at.radio(key="maps_theme").set_value("attainment").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("达标率" in i.value for i in at.info)


def test_plan_chosen_on_another_page_carries_to_the_attainment_map(
    built_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FUER_DB", str(built_db))
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.switch_page("../pages/briefing.py")
    at.run()
    at.selectbox(key="view_plan").select("fyp14").run()
    at.query_params.clear()  # what a page link does
    at.query_params["theme"] = "attainment"
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="maps_plan").value == "fyp14"
    assert at.query_params["plan"] == "fyp14"
