"""Coverage, classes and 达标率 per district, on fixtures small enough to check by hand."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import polars as pl
import pytest
from shapely.geometry import shape

from dashboard.engine import coverage as cov
from dashboard.engine.coverage import MEASURES, NO_DATA, ClassScheme

DISTRICTS = pl.DataFrame(
    {
        "district_code": ["370303", "370304", "370305"],
        "district_name": ["张店区", "博山区", "临淄区"],
        "short_name": ["张店", "博山", "临淄"],
    }
)


def courtyard_rows() -> pl.DataFrame:
    rows = [
        # 张店区 2024: (60 + 240) ÷ (100 + 300) = 75 %; 精品 only stated for 东村: 6 ÷ 60 = 10 %
        ("370303001001", "东村", "370303", 2024, 100, 60, 6, 118.05, 36.80),
        ("370303001002", "西村", "370303", 2024, 300, 240, None, 118.06, 36.81),
        # another year: must not leak into 2024
        ("370303001001", "东村", "370303", 2023, 100, 10, 1, 118.05, 36.80),
        # 博山区 2024: no rural households at all → 无数据, not 0 %
        ("370304001001", "南村", "370304", 2024, 0, 0, 0, None, None),
    ]
    return pl.DataFrame(
        rows,
        orient="row",
        schema={
            "village_code": pl.String,
            "village_name": pl.String,
            "district_code": pl.String,
            "year": pl.Int32,
            "rural_households": pl.Int32,
            "courtyard_households": pl.Int32,
            "premium_households": pl.Int32,
            "lon": pl.Float64,
            "lat": pl.Float64,
        },
    )


def child_rows() -> pl.DataFrame:
    f, h = cov.FRIENDLY, cov.CHILD_HOME
    rows = [
        ("和平", "370303", f, "国家级", 2021, "已命名"),
        ("友谊", "370303", f, "省级", 2022, "已命名"),
        ("团结", "370303", f, "市级", 2023, "已命名"),  # named after 2022
        ("光明", "370303", f, "市级", None, "创建中"),  # never counts
        ("胜利", "370303", f, "市级", 2021, "已撤销"),  # withdrawn: never counts
        ("幸福", "370303", f, None, 2022, "已命名"),  # level not stated, still a 儿童友好社区
        *[(f"村{i}", "370303", h, "市级", 2020, "已命名") for i in range(10)],
        *[(f"新村{i}", "370303", h, "市级", 2023, "已命名") for i in range(5)],
        *[(f"博村{i}", "370304", h, "市级", 2019, "已命名") for i in range(4)],
    ]
    frame = pl.DataFrame(
        rows,
        orient="row",
        schema={
            "community_name": pl.String,
            "district_code": pl.String,
            "kind": pl.String,
            "level": pl.String,
            "year_named": pl.Int32,
            "status": pl.String,
        },
    )
    return frame.with_columns(pl.lit(None, pl.Float64).alias("lon"), pl.lit(None, pl.Float64).alias("lat"))


def count_rows() -> pl.DataFrame:
    # 张店区: 30 villages + 20 communities; 博山区: 10 villages and no urban community;
    # 临淄区: no count for 2022 (only 2021)
    return pl.DataFrame(
        {
            "district_code": ["370303", "370304", "370305"],
            "year": [2022, 2022, 2021],
            "villages": [30, 10, 50],
            "communities": [20, 0, 10],
        },
        schema={"district_code": pl.String, "year": pl.Int32, "villages": pl.Int32, "communities": pl.Int32},
    )


def by_code(frame: pl.DataFrame) -> dict[str, dict]:
    return {r["district_code"]: r for r in frame.iter_rows(named=True)}


# --- classes -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "label"),
    [
        (0.0, "<60%"),
        (59.99, "<60%"),
        (60.0, "60–80%"),
        (79.999, "60–80%"),
        (80.0, "80–95%"),
        (94.99, "80–95%"),
        (95.0, "≥95%"),
        (100.0, "≥95%"),
        (None, NO_DATA),
        (math.nan, NO_DATA),
    ],
)
def test_breaks_include_their_lower_bound(value: float | None, label: str) -> None:
    scheme = MEASURES["courtyard_coverage"].scheme
    assert scheme.labels == ("<60%", "60–80%", "80–95%", "≥95%")
    assert scheme.label(value) == label


def test_classify_adds_index_label_and_colour() -> None:
    scheme = ClassScheme((10, 20), ("#000001", "#000002", "#000003"), no_data_colour="#999999")
    out = cov.classify(pl.DataFrame({"value": [5.0, 10.0, 25.0, None]}), scheme)
    assert out["class_index"].to_list() == [0, 1, 2, None]
    assert out["class_label"].to_list() == ["<10%", "10–20%", "≥20%", NO_DATA]
    assert out["class_colour"].to_list() == ["#000001", "#000002", "#000003", "#999999"]


def test_scheme_rejects_inconsistent_config() -> None:
    with pytest.raises(ValueError):
        ClassScheme((80, 60), ("#1", "#2", "#3"))
    with pytest.raises(ValueError):
        ClassScheme((60, 80), ("#1", "#2"))


def test_every_measure_has_a_theme_and_a_stated_definition() -> None:
    for key, m in MEASURES.items():
        assert m.theme in cov.THEMES and key in cov.THEME_MEASURES[m.theme]
        assert m.definition and m.label in m.definition


# --- 美丽庭院 -----------------------------------------------------------------------------------


def test_courtyard_coverage_per_district() -> None:
    out = by_code(cov.courtyard_by_district(courtyard_rows(), DISTRICTS, 2024))
    zd = out["370303"]
    assert (zd["rural_households"], zd["courtyard_households"], zd["villages_reported"]) == (400, 300, 2)
    assert zd["coverage"] == pytest.approx(75.0)
    assert zd["premium_households"] == 6 and zd["premium_share"] == pytest.approx(10.0)
    bs = out["370304"]  # zero rural households: 无数据, not 0 % and not an error
    assert bs["rural_households"] == 0 and bs["coverage"] is None and bs["premium_share"] is None
    lz = out["370305"]  # nothing reported
    assert lz["villages_reported"] == 0 and lz["coverage"] is None and lz["rural_households"] is None
    assert list(out) == ["370303", "370304", "370305"]


def test_year_changes_the_numbers() -> None:
    out = by_code(cov.courtyard_by_district(courtyard_rows(), DISTRICTS, 2023))
    assert out["370303"]["coverage"] == pytest.approx(10.0)  # 10 ÷ 100
    assert out["370304"]["coverage"] is None


def test_village_points() -> None:
    pts = cov.village_points(courtyard_rows(), 2024)
    # 南村 has no coordinates: not a point (the page counts it separately)
    assert pts["village_name"].to_list() == ["东村", "西村"]
    assert pts["coverage"].to_list() == [pytest.approx(60.0), pytest.approx(80.0)]
    assert pts["class_label"].to_list() == ["60–80%", "80–95%"]


def test_village_points_of_the_premium_share_class_that_share() -> None:
    """On the 精品（示范）户占比 map a village's point is its 精品 share in the 精品 classes:
    东村 6 ÷ 60 = 10 % (10–20 %); 西村 stated no 精品 number, so 无数据 — not its 80 % coverage,
    which the 精品 breaks would put in ≥30 %."""
    pts = cov.village_points(courtyard_rows(), 2024, cov.MEASURES["premium_share"])
    assert pts["value"].to_list() == [pytest.approx(10.0), None]
    assert pts["class_label"].to_list() == ["10–20%", NO_DATA]
    assert pts["coverage"].to_list() == [pytest.approx(60.0), pytest.approx(80.0)]  # still there for the tooltip


def test_village_with_zero_households_is_no_data() -> None:
    frame = courtyard_rows().with_columns(pl.lit(118.0).alias("lon"), pl.lit(36.5).alias("lat"))
    pts = cov.village_points(frame, 2024)
    assert pts.filter(pl.col("village_name") == "南村")["class_label"].to_list() == [NO_DATA]


# --- 儿童友好社区 / 儿童之家 ---------------------------------------------------------------------


def test_child_friendly_and_homes_per_district() -> None:
    out = by_code(cov.child_by_district(child_rows(), count_rows(), DISTRICTS, 2022))
    zd = out["370303"]
    # named by 2022 and not withdrawn: 和平 (国家级), 友谊 (省级), 幸福 (no level) = 3 of 20
    assert zd["friendly"] == 3
    assert (zd["friendly_国家级"], zd["friendly_省级"], zd["friendly_市级"], zd["friendly_unstated"]) == (1, 1, 0, 1)
    assert zd["friendly_share"] == pytest.approx(15.0)
    assert zd["friendly_share_国家级"] == pytest.approx(5.0)
    # 10 儿童之家 by 2022 (the 5 of 2023 not yet) over 30 villages + 20 communities
    assert (zd["homes"], zd["places"]) == (10, 50) and zd["home_coverage"] == pytest.approx(20.0)
    bs = out["370304"]  # no urban community: the share is 无数据, 儿童之家 4 ÷ 10
    assert bs["friendly_share"] is None and bs["home_coverage"] == pytest.approx(40.0)
    lz = out["370305"]  # no count for 2022: both unknown, never 0 %
    assert lz["friendly_share"] is None and lz["home_coverage"] is None and lz["homes"] == 0


def test_child_later_year_counts_later_names() -> None:
    counts = count_rows().with_columns(pl.lit(2023, pl.Int32).alias("year"))
    zd = by_code(cov.child_by_district(child_rows(), counts, DISTRICTS, 2023))["370303"]
    assert zd["friendly"] == 4 and zd["homes"] == 15 and zd["home_coverage"] == pytest.approx(30.0)


def test_community_points_only_named_by_the_year() -> None:
    frame = child_rows().with_columns(pl.lit(118.0).alias("lon"), pl.lit(36.8).alias("lat"))
    names = cov.community_points(frame, 2022)["community_name"].to_list()
    assert sorted(names) == ["友谊", "和平", "幸福"]


# --- 达标率 -------------------------------------------------------------------------------------


def test_attainment_by_district() -> None:
    frame = pl.DataFrame(
        {
            "region_code": ["370303", "370303", "370304"],
            "achieved": [4, 5, 0],
            "assessed": [5, 5, 0],
            "no_data": [1, 0, 7],
        }
    )
    out = by_code(cov.attainment_by_district(frame, DISTRICTS))
    assert (out["370303"]["achieved"], out["370303"]["assessed"]) == (9, 10)
    assert out["370303"]["attainment"] == pytest.approx(90.0)
    assert out["370303"]["no_data"] == 1
    assert out["370304"]["attainment"] is None  # nothing assessed: 无数据, not 0 %
    assert out["370305"]["attainment"] is None  # absent from the engine's result
    table = cov.district_table(cov.attainment_by_district(frame, DISTRICTS), MEASURES["attainment"])
    # 达标率's numerator and denominator beside it, then its class
    assert table.columns[:5] == ["区县", "达标率（%）", "达标指标数", "可评估指标数", "分级"]
    assert table["分级"].to_list() == ["80–95%", NO_DATA, NO_DATA]
    assert "无数据指标数" in table.columns


def test_attainment_without_districts_keeps_every_region() -> None:
    out = cov.attainment_by_district(
        pl.DataFrame({"region_code": ["b", "a"], "achieved": [1, 2], "assessed": [2, 2], "name": ["x", "y"]})
    )
    assert out["district_code"].to_list() == ["a", "b"]
    assert out["attainment"].to_list() == [pytest.approx(100.0), pytest.approx(50.0)]


def test_attainment_input_reads_the_engine_shape() -> None:
    class Result:
        by_region = pl.DataFrame(
            {
                "region_code": ["370303"],
                "region_name": ["张店区"],
                "rate_numerator": [3],
                "rate_denominator": [4],
                "excluded_no_data": [2],
                "excluded_direction": [1],
                "excluded_target_pending": [0],
                "attainment_rate": [75.0],
            }
        )

    frame = cov.attainment_input(Result())
    assert frame.columns == ["region_code", "achieved", "assessed", "no_data", "direction_only", "target_pending"]
    assert cov.attainment_by_district(frame)["attainment"].to_list() == [pytest.approx(75.0)]


# --- one measure as the map and the table use it -----------------------------------------------


def test_measure_frame_and_table() -> None:
    by_d = cov.courtyard_by_district(courtyard_rows(), DISTRICTS, 2024)
    m = cov.measure_frame(by_d, MEASURES["courtyard_coverage"])
    zd = by_code(m)["370303"]
    assert (zd["numerator"], zd["denominator"], zd["class_label"]) == (300, 400, "60–80%")
    premium = by_code(cov.measure_frame(by_d, MEASURES["premium_share"]))["370303"]
    assert (premium["numerator"], premium["denominator"]) == (6, 60)  # only villages stating 精品
    table = cov.district_table(by_d, MEASURES["courtyard_coverage"])
    # both measures of the theme first (the side column shows about four columns), then the class
    assert table.columns[:4] == ["区县", "美丽庭院覆盖率（%）", "精品占比（%）", "分级"]
    assert table.row(0)[:4] == ("张店区", 75.0, 10.0, "60–80%")
    assert table["分级"].to_list() == ["60–80%", NO_DATA, NO_DATA]
    table = cov.district_table(by_d, MEASURES["premium_share"])
    assert table.columns[:4] == ["区县", "精品占比（%）", "美丽庭院覆盖率（%）", "分级"]
    assert table.row(0)[:4] == ("张店区", 10.0, 75.0, "10–20%")
    assert cov.class_counts(m, MEASURES["courtyard_coverage"].scheme) == {
        "<60%": 0,
        "60–80%": 1,
        "80–95%": 0,
        "≥95%": 0,
        NO_DATA: 2,
    }


def test_region_total_is_a_ratio_of_sums() -> None:
    # 张店 300 ÷ 400 and 博山 0 ÷ 0 (no rural households) pool to 300 ÷ 400 = 75 %, not the
    # mean of the district rates; 精品 stays over the villages that state it: 6 ÷ 60
    by_d = cov.courtyard_by_district(courtyard_rows(), DISTRICTS, 2024)
    total = by_code(cov.with_total(by_d, "370300", "淄博市合计"))["370300"]
    assert (total["courtyard_households"], total["rural_households"]) == (300, 400)
    assert total["coverage"] == pytest.approx(75.0) and total["premium_share"] == pytest.approx(10.0)
    table = cov.district_table(cov.with_total(by_d, "370300", "淄博市合计"), MEASURES["courtyard_coverage"])
    assert table.row(-1)[:4] == ("淄博市合计", 75.0, 10.0, "60–80%")
    # 儿童之家 and 儿童友好社区 the same way
    child = cov.child_by_district(child_rows(), count_rows(), DISTRICTS, 2022)
    whole = by_code(cov.with_total(child, "370300", "合计"))["370300"]
    # 张店 20 communities, 博山 0; 临淄 has no 2022 count (left out of the sums, not read as 0)
    assert (whole["friendly"], whole["communities"]) == (3, 20)
    assert whole["friendly_share"] == pytest.approx(15.0)


def test_table_rounds_only_for_display() -> None:
    frame = courtyard_rows().with_columns(
        pl.when(pl.col("village_name") == "西村")
        .then(301)
        .otherwise(pl.col("rural_households"))
        .alias("rural_households")
    )
    by_d = cov.courtyard_by_district(frame, DISTRICTS, 2024)
    assert by_code(by_d)["370303"]["coverage"] == pytest.approx(300 / 401 * 100)  # 74.8129…
    assert cov.district_table(by_d, MEASURES["courtyard_coverage"])["美丽庭院覆盖率（%）"][0] == 74.8


def test_district_history() -> None:
    frames = [cov.courtyard_by_district(courtyard_rows(), DISTRICTS, y) for y in (2023, 2024)]
    hist = cov.district_history(frames, MEASURES["courtyard_coverage"], "370303")
    assert hist.rows() == [(2023, 10, 100, 10.0, "<60%"), (2024, 300, 400, 75.0, "60–80%")]


# --- against the embedded database -------------------------------------------------------------


def test_map_numbers_agree_with_the_indicator_values(built_db: Path) -> None:
    """The sample returns carry 美丽庭院创建率, 儿童之家覆盖率 and 儿童友好社区覆盖率 computed
    (by etl.sample.places) from the same records: the map must show the same numbers."""
    data = cov.load_place_data(built_db)
    con = duckdb.connect(str(built_db), read_only=True)
    try:
        obs = con.sql(
            "SELECT indicator_code, region_code, year, value FROM observation_current "
            "WHERE indicator_code IN ('L-COURTYARD-01', 'C-WELFARE-08', 'L-CHILD-01')"
        ).fetchall()
    finally:
        con.close()
    assert len(obs) == 3 * 9 * 5  # 8 districts and the city's own 全市 figure, 2020–2024
    measure = {
        "L-COURTYARD-01": cov.MEASURES["courtyard_coverage"],
        "C-WELFARE-08": cov.MEASURES["home_coverage"],
        "L-CHILD-01": cov.MEASURES["friendly_share"],
    }
    for code, region, year, value in obs:
        m = measure[code]
        frame = data.by_district(m.theme, year)
        if region == data.region_code:  # the city's rate pools its districts' records
            want = 100.0 * frame[m.numerator].sum() / frame[m.denominator].sum()
        else:
            want = 100.0 * by_code(frame)[region][m.numerator] / by_code(frame)[region][m.denominator]
        assert want == pytest.approx(value, abs=0.051), (code, region, year)


def test_load_place_data(built_db: Path) -> None:
    data = cov.load_place_data(built_db)
    assert data.region_code == "370300" and data.region_name == "淄博市"
    assert data.districts.height == 8
    assert data.years(cov.COURTYARD_THEME) == [2020, 2021, 2022, 2023, 2024]
    assert data.years(cov.CHILD_THEME) == [2020, 2021, 2022, 2023, 2024]
    assert data.is_sample(cov.COURTYARD_THEME) and data.is_sample(cov.CHILD_THEME)
    # the sample points are drawn inside their districts
    assert set(data.courtyard["location_check"]) == {"ok"}
    assert cov.coordinate_issues(data, cov.COURTYARD_THEME, 2024)[0].height == 0


def test_location_checks_report_misplaced_points() -> None:
    from etl.core import settings
    from etl.regions.geo import load_boundaries

    boundaries = load_boundaries(settings.DATA_DIR, "370300")
    inside = {f["properties"]["adcode"]: shape(f["geometry"]).representative_point() for f in boundaries["features"]}
    zd, bs = inside["370303"], inside["370304"]
    frame = pl.DataFrame(
        {
            "village_name": ["本区", "他区", "北京", "无坐标"],
            "district_code": ["370303", "370303", "370303", "370303"],
            "lon": [zd.x, bs.x, 116.39, None],
            "lat": [zd.y, bs.y, 39.9, None],
        }
    )
    checks = cov.location_checks(frame, boundaries)
    assert checks.to_list() == ["ok", "other", "outside", "none"]
    table = cov.misplaced_table(cov.misplaced(frame.with_columns(checks)), {"370303": "张店区"})
    assert table["问题"].to_list() == ["落在所填区县以外", "不在任何区县边界内"]
    assert table["所填区县"].to_list() == ["张店区", "张店区"]
