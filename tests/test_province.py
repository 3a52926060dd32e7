"""The 山东 province built with its sample: 16 cities ranked at province level, each city's
counties ranked inside it, every city's headline on its own values. One build per session
(conftest.province_db)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dashboard import engine
from dashboard.views import briefing

pytestmark = pytest.mark.province
PROVINCE, ZIBO = "370000", "370300"


@pytest.fixture(scope="module")
def result(province_db: Path) -> engine.ProgressResult:
    return engine.run(province_db, "liangang", 2024, PROVINCE)


def test_the_whole_tree_is_in_the_database(result: engine.ProgressResult) -> None:
    tree = result.regions
    assert tree is not None
    assert tree.group_by("level").len().sort("level").rows() == [("city", 16), ("county", 136), ("province", 1)]


def test_province_ranks_its_16_cities_on_their_own_values(result: engine.ProgressResult) -> None:
    ranking = result.ranking
    assert ranking.height == 16
    assert set(ranking.get_column("region_code").str.slice(4)) == {"00"}
    # the sample gives every city figures of its own, so none is a roll-up
    assert ranking.get_column("rollup").to_list() == [0] * 16
    assert ranking.get_column("rank").to_list() == list(range(1, 17))


def test_zibo_inside_the_province_ranks_its_8_counties(result: engine.ProgressResult) -> None:
    table = briefing.ranking_table(result, ZIBO)
    assert table.height == 8
    assert "张店区" in table.get_column("区县").to_list()
    head = briefing.headline(result, ZIBO)
    assert (head.region_name, head.basis, head.is_rollup) == ("淄博市", "本级指标（单位：项）", False)
    assert briefing.headline(result, PROVINCE).basis == "本级指标（单位：项）"


def test_city_values_are_its_own_returns_not_sums_of_county_rates(
    province_db: Path, result: engine.ProgressResult
) -> None:
    # 妇女人均预期寿命 of 淄博 is the city's own reported figure: in the range of its
    # counties' figures (the sample's city figure is their mean), never their sum
    obs = result.observations.filter(
        (pl.col("indicator_code") == "W-HEALTH-01") & (pl.col("year") == 2024) & (pl.col("breakdown") == "合计")
    )
    county = obs.filter(pl.col("region_code").is_in(briefing.districts_of(result, ZIBO))).get_column("value")
    city = obs.filter(pl.col("region_code") == ZIBO).get_column("value")
    assert county.len() == 8 and city.len() == 1
    assert county.min() <= city.item() <= county.max()


def test_briefing_page_goes_down_from_the_province_to_a_city(
    province_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    from dashboard.queries import db

    monkeypatch.setenv("FUER_DB", str(province_db))
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py"), default_timeout=120)
    at.switch_page("../pages/briefing.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "领导驾驶舱 · 山东省"
    assert "各市达标率排名" in [s.value for s in at.subheader]
    at.selectbox(key="briefing_drill").select(ZIBO).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "领导驾驶舱 · 淄博市"
    assert "各区县达标率排名" in [s.value for s in at.subheader]
    assert at.query_params["region"] == ZIBO  # the link now opens the city
    db.close_all()


def test_a_unit_at_province_level_owes_returns_for_every_county(result: engine.ProgressResult) -> None:
    from dashboard.views import units

    view = units.unit_view(result, "health", "卫生健康委", PROVINCE)
    assert view.matrix.height == 136
    assert units.unit_view(result, "health", "卫生健康委", ZIBO).matrix.height == 8


def test_a_national_run_covers_the_country_alone(province_db: Path) -> None:
    # 全国 values are reference figures: the province hanging below 100000 is not in its run
    national = engine.run(province_db, "liangang", 2024, "100000")
    assert national.by_region.get_column("region_code").to_list() == ["100000"]
    assert national.completeness_cells.get_column("region_code").unique().to_list() in ([], ["100000"])
