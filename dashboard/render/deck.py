"""Frames → a pydeck Deck: district choropleth, labels, village and community points — offline.

No Streamlit here. Three things shape this module:

- No basemap and no external request by default: `map_provider=None` keeps the "__MAP_STYLE__"
  placeholder that tells Streamlit's frontend to draw no map tiles at all. An
  optional tile URL from settings adds raster tiles as BitmapLayers, one per tile, because
  Streamlit's JSON layer catalogue cannot express a TileLayer's sub-layer function.
- Small payloads: pydeck's own `to_json` indents (≈5× larger for GeoJSON); `CompactDeck`
  serialises without whitespace and keeps Chinese as UTF-8. Features carry only the properties
  the map uses, coordinates are rounded, and province-sized extents are simplified further for
  display (a county border drawn at zoom 6 needs no 100 m detail).
- Chinese labels: deck.gl's TextLayer only rasterises ASCII unless `characterSet="auto"`, and
  it draws with the font family it is given, so a CJK family is named explicitly.
"""

from __future__ import annotations

import functools
import html
import json
import math
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pydeck as pdk
import shapely
from pydeck.bindings.json_tools import default_serialize
from shapely.geometry import mapping, shape

from dashboard.engine.coverage import NO_DATA, ClassScheme, Measure

DISTRICT_LAYER, VILLAGE_LAYER, COMMUNITY_LAYER, HOME_LAYER, LABEL_LAYER = (
    "districts",
    "villages",
    "communities",
    "homes",
    "labels",
)
CJK_FONT = (
    '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "PingFang SC", '
    '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'
)
# Colours of community points by level (not a class scheme: levels are categories).
LEVEL_COLOURS: dict[str, str] = {"国家级": "#c0392b", "省级": "#e67e22", "市级": "#2e86c1", "县级": "#8e44ad"}
UNSTATED_LEVEL_COLOUR = "#7f8c8d"
HOME_COLOUR = "#16a085"
DEFAULT_SIZE = (720, 560)  # map width × height in pixels the view is fitted for
_FILL_ALPHA = 210
_DISPLAY_DETAIL = 2500  # display simplification: the extent ÷ this, in degrees
_SHIPPED_TOLERANCE = 0.001  # what etl.regions.geo already simplified to


class CompactDeck(pdk.Deck):
    """A Deck whose JSON (what Streamlit sends) has no indentation and keeps UTF-8 text.

    The JSON is made once, on the first call: a deck is not changed after it is built, and a
    deck shared by many sessions (ui.rendered) is then serialised only once. (It is kept
    outside the deck: pydeck serialises every attribute of the deck itself.)
    """

    def to_json(self) -> str:
        text = _DECK_JSON.get(self)
        if text is None:
            text = json.dumps(
                self, sort_keys=True, default=default_serialize, separators=(",", ":"), ensure_ascii=False
            )
            _DECK_JSON[self] = text
        return text


_DECK_JSON: weakref.WeakKeyDictionary[CompactDeck, str] = weakref.WeakKeyDictionary()


def hex_rgb(colour: str, alpha: int | None = None) -> list[int]:
    """ "#78c679" → [120, 198, 121] (+ alpha)."""
    c = colour.lstrip("#")
    rgb = [int(c[i : i + 2], 16) for i in (0, 2, 4)]
    return rgb if alpha is None else [*rgb, alpha]


def _round(obj: Any, decimals: int) -> Any:
    if isinstance(obj, (list, tuple)):
        return [_round(x, decimals) for x in obj]
    if isinstance(obj, float):
        return round(obj, decimals)
    return obj


# --- the region's geometry, prepared once per snapshot ---------------------------------------


@dataclass(frozen=True)
class MapBase:
    """District outlines ready to draw, label points and the region's bounds."""

    region_code: str
    region_name: str
    features: tuple[dict[str, Any], ...]  # {"adcode", "name", "geometry"} (GeoJSON geometry)
    labels: tuple[tuple[str, str, float, float], ...]  # adcode, short name, lon, lat
    bounds: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat

    @property
    def codes(self) -> list[str]:
        return [f["adcode"] for f in self.features]


def map_base(
    boundaries: dict[str, Any], region_code: str = "", region_name: str = "", short_names: dict[str, str] | None = None
) -> MapBase:
    """Simplify for display (only when the extent is large), round, and place one label each."""
    geoms = [
        (str(f["properties"]["adcode"]), str(f["properties"].get("name", "")), shape(f["geometry"]))
        for f in boundaries.get("features", [])
    ]
    if not geoms:
        return MapBase(region_code, region_name, (), (), (73.0, 18.0, 135.0, 54.0))
    minx, miny, maxx, maxy = shapely.union_all([g for _, _, g in geoms]).bounds
    span = max(maxx - minx, maxy - miny)
    tolerance = span / _DISPLAY_DETAIL
    decimals = 5 if tolerance <= _SHIPPED_TOLERANCE else 4
    features, labels = [], []
    for code, name, geom in geoms:
        if tolerance > _SHIPPED_TOLERANCE:
            geom = shapely.simplify(geom, tolerance, preserve_topology=True)
        gj = mapping(geom)
        features.append(
            {
                "adcode": code,
                "name": name,
                "geometry": {"type": gj["type"], "coordinates": _round(gj["coordinates"], decimals)},
            }
        )
        # the largest part's representative point: inside the polygon, unlike a centroid
        parts = getattr(geom, "geoms", [geom])
        point = max(parts, key=lambda p: p.area).representative_point()
        label = (short_names or {}).get(code) or name
        labels.append((code, label, round(point.x, 4), round(point.y, 4)))
    return MapBase(region_code, region_name, tuple(features), tuple(labels), (minx, miny, maxx, maxy))


def load_map_base(db_path: Path, region: str | None = None, counties: bool = False) -> MapBase:
    """MapBase of `region` (default: the region the database was built for) from data/regions/:
    the level below it, or with `counties` every county in it (a province's place maps)."""
    from dashboard.engine import coverage as coverage
    from dashboard.queries import db
    from etl.core import settings
    from etl.regions import geo

    region = region or coverage.region_of(db_path)
    names = db.query(db_path, "SELECT code, name, short_name FROM region ORDER BY code")
    short = tuple(zip(names["code"], names["short_name"], strict=True))
    full = dict(zip(names["code"], names["name"], strict=True))
    folder = Path(settings.DATA_DIR) / "regions" / str(region)
    path = folder / geo.COUNTIES if counties and (folder / geo.COUNTIES).exists() else folder / geo.BOUNDARIES
    try:
        st = path.stat()
    except FileNotFoundError:
        return map_base({"features": []}, region, full.get(region, region), dict(short))
    return _map_base_of_file(str(path), (st.st_mtime_ns, st.st_size), region, full.get(region, region), short)


@functools.lru_cache(maxsize=8)
def _map_base_of_file(
    path: str, identity: tuple[int, int], region: str, region_name: str, short_names: tuple[tuple[str, str], ...]
) -> MapBase:
    # Simplifying 136 county outlines takes a few tenths of a second and depends only on the
    # boundary file and the names: kept across database snapshots, keyed on the file's identity.
    boundaries = json.loads(Path(path).read_text(encoding="utf-8"))
    return map_base(boundaries, region, region_name, dict(short_names))


def fit_view(
    bounds: tuple[float, float, float, float], size: tuple[int, int] = DEFAULT_SIZE, padding: float = 0.06
) -> pdk.ViewState:
    """Centre and zoom that show `bounds` whole in a map of `size` pixels (Web Mercator)."""
    minx, miny, maxx, maxy = bounds

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    dx = max((maxx - minx) / 360.0, 1e-9)
    dy = max((merc(maxy) - merc(miny)) / (2 * math.pi), 1e-9)
    width, height = size[0] * (1 - 2 * padding), size[1] * (1 - 2 * padding)
    # deck.gl's zoom 0 shows the whole world in 512 pixels
    zoom = math.log2(min(width / (512 * dx), height / (512 * dy)))
    centre_y = (merc(miny) + merc(maxy)) / 2
    lat = math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)
    return pdk.ViewState(
        longitude=round((minx + maxx) / 2, 5),
        latitude=round(lat, 5),
        zoom=round(max(min(zoom, 16.0), 2.0), 2),
        pitch=0,
        bearing=0,
    )


# --- tooltips ---------------------------------------------------------------------------------


def _n(x: Any) -> str:
    return "—" if x is None else f"{int(x):,}"


def _pct(x: float | None) -> str:
    return NO_DATA if x is None else f"{x:.1f}%"


def district_detail(row: dict[str, Any], measure: Measure, year: int | None, extra: str | None = None) -> str:
    """Tooltip body of one district: value, numerator ÷ denominator, year and class."""
    lines = [f"{measure.label}：{_pct(row.get('value'))}"]
    num, den = row.get("numerator"), row.get("denominator")
    if row.get("value") is None:
        if not den:
            lines.append(f"（{measure.denominator_label}为 0 或未上报）")
    lines.append(f"{measure.numerator_label} ÷ {measure.denominator_label}：{_n(num)} ÷ {_n(den)} {measure.count_word}")
    if extra:
        lines.append(extra)
    lines.append(
        f"{year}年 · 分级：{row.get('class_label', NO_DATA)}" if year else f"分级：{row.get('class_label', NO_DATA)}"
    )
    return "\n".join(lines)


TOOLTIP = {
    "html": "<b>{name}</b><br/>{d}",
    "style": {
        "whiteSpace": "pre-line",
        "fontFamily": CJK_FONT,
        "fontSize": "13px",
        "lineHeight": "1.5",
        "backgroundColor": "rgba(255,255,255,0.96)",
        "color": "#1f2933",
        "border": "1px solid #c9ced6",
        "borderRadius": "4px",
        "padding": "6px 8px",
    },
}


# --- layers -----------------------------------------------------------------------------------


def district_layer(
    base: MapBase,
    districts: pl.DataFrame,
    measure: Measure,
    year: int | None,
    *,
    filled: bool = True,
    extra: dict[str, str] | None = None,
) -> pdk.Layer:
    """GeoJsonLayer of the districts coloured by class (grey for 无数据), pickable for selection."""
    rows = {r["district_code"]: r for r in districts.iter_rows(named=True)}
    features = []
    for f in base.features:
        row = rows.get(f["adcode"], {"class_label": NO_DATA})
        colour = row.get("class_colour") or measure.scheme.no_data_colour
        # an almost transparent fill when colouring is off keeps the districts clickable
        fill = hex_rgb(colour, _FILL_ALPHA) if filled else [255, 255, 255, 1]
        features.append(
            {
                "type": "Feature",
                "geometry": f["geometry"],
                "properties": {
                    "adcode": f["adcode"],
                    "name": row.get("district_name") or f["name"],
                    "fill": fill,
                    "d": district_detail(row, measure, year, (extra or {}).get(f["adcode"])),
                },
            }
        )
    return pdk.Layer(
        "GeoJsonLayer",
        data={"type": "FeatureCollection", "features": features},
        id=DISTRICT_LAYER,
        get_fill_color="properties.fill",
        get_line_color=[90, 98, 110, 255],
        line_width_min_pixels=1.2,
        stroked=True,
        filled=True,
        pickable=True,
        auto_highlight=True,
        highlight_color=[255, 255, 255, 90],
    )


SELECTED_LAYER = "selected"


def selected_layer(base: MapBase, code: str) -> pdk.Layer | None:
    """A heavy outline around the chosen district (from a click, the list or the link)."""
    feature = next((f for f in base.features if f["adcode"] == code), None)
    if feature is None:
        return None
    data = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": feature["geometry"], "properties": {}}],
    }
    return pdk.Layer(
        "GeoJsonLayer",
        data=data,
        id=SELECTED_LAYER,
        filled=False,
        stroked=True,
        get_line_color=[17, 24, 39, 255],
        line_width_min_pixels=3,
        pickable=False,
    )


def label_layer(base: MapBase) -> pdk.Layer:
    """District names in a CJK font, white halo, overlapping labels dropped at small zooms."""
    data = [{"p": [lon, lat], "t": text} for _, text, lon, lat in base.labels]
    return pdk.Layer(
        "TextLayer",
        data=data,
        id=LABEL_LAYER,
        get_position="p",
        get_text="t",
        get_size=14,
        size_units=pdk.types.String("pixels"),
        get_color=[31, 41, 51, 255],
        character_set=pdk.types.String("auto"),
        font_family=pdk.types.String(CJK_FONT),
        font_weight=pdk.types.String("bold"),
        font_settings={"sdf": True},
        outline_width=3,
        outline_color=[255, 255, 255, 230],
        get_text_anchor=pdk.types.String("middle"),
        get_alignment_baseline=pdk.types.String("center"),
        pickable=False,
        extensions=[{"@@type": "CollisionFilterExtension"}],
    )


def village_layer(villages: pl.DataFrame, measure: Measure, names: dict[str, str] | None = None) -> pdk.Layer:
    """Villages sized by rural households (area ∝ households) and coloured by their class of
    the measure on the map (`value` of coverage.village_points)."""
    names = names or {}
    biggest = max(villages["rural_households"].max() or 1, 1) if villages.height else 1
    premium = measure.key == "premium_share"
    data = []
    for r in villages.iter_rows(named=True):
        households = r["rural_households"] or 0
        place = " · ".join(x for x in (r.get("street"), names.get(r["district_code"])) if x)
        detail = f"美丽庭院 {_n(r['courtyard_households'])} / 农村 {_n(households)} 户（{_pct(r['coverage'])}）"
        if premium:
            detail = (
                f"精品（示范）{_n(r['premium_households'])} / 美丽庭院 {_n(r['courtyard_households'])} 户"
                f"（{_pct(r['value'])}）\n农村 {_n(households)} 户"
            )
        data.append(
            {
                "p": [round(r["lon"], 5), round(r["lat"], 5)],
                "r": round(1.5 + 3.5 * math.sqrt(households / biggest), 1),
                "c": hex_rgb(measure.scheme.point_colour(r["value"])),
                "dc": r["district_code"],
                "name": r["village_name"],
                "d": f"{place}\n{detail}",
            }
        )
    return pdk.Layer(
        "ScatterplotLayer",
        data=data,
        id=VILLAGE_LAYER,
        get_position="p",
        get_radius="r",
        radius_units=pdk.types.String("pixels"),
        get_fill_color="c",
        stroked=True,
        get_line_color=[55, 65, 81, 200],
        line_width_min_pixels=0.5,
        pickable=True,
        auto_highlight=True,
        opacity=0.9,  # one layer-wide alpha instead of a fourth number in every point's colour
    )


def community_layer(points: pl.DataFrame, *, homes: bool = False, names: dict[str, str] | None = None) -> pdk.Layer:
    """儿童友好社区 coloured by level (or 儿童之家 in one colour), with year named in the tooltip."""
    names = names or {}
    data = []
    for r in points.iter_rows(named=True):
        level = r.get("level")
        colour = HOME_COLOUR if homes else LEVEL_COLOURS.get(level or "", UNSTATED_LEVEL_COLOUR)
        place = " · ".join(x for x in (r.get("street"), names.get(r["district_code"])) if x)
        data.append(
            {
                "p": [round(r["lon"], 5), round(r["lat"], 5)],
                "c": hex_rgb(colour),
                "dc": r["district_code"],
                "name": r["community_name"],
                "d": f"{r['kind']} · {level or '未注明级别'} · {r['year_named']}年命名\n{place}",
            }
        )
    return pdk.Layer(
        "ScatterplotLayer",
        data=data,
        id=HOME_LAYER if homes else COMMUNITY_LAYER,
        get_position="p",
        get_radius=3 if homes else 5,
        radius_units=pdk.types.String("pixels"),
        get_fill_color="c",
        stroked=True,
        get_line_color=[255, 255, 255, 255],
        line_width_min_pixels=1,
        pickable=True,
        auto_highlight=True,
    )


# --- optional raster basemap ------------------------------------------------------------------

MAX_TILES = 64


def _tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    lat = max(min(lat, 85.05112878), -85.05112878)
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)


def _tile_corner(x: int, y: int, z: int) -> tuple[float, float]:
    n = 2**z
    return x / n * 360.0 - 180.0, math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))


def tile_layers(
    url: str, bounds: tuple[float, float, float, float], zoom: float, datum: str = "WGS-84"
) -> list[pdk.Layer]:
    """Raster tiles ({z}/{x}/{y} URL template) covering `bounds`, as one BitmapLayer per tile.

    Tiles in WGS-84 / CGCS2000 (天地图) are moved onto GCJ-02, the boundaries' datum, by
    converting each tile corner; GCJ-02 tiles (高德) are used as they are. At most MAX_TILES
    tiles are requested (the zoom is lowered until they fit).
    """
    from etl.regions.coords import wgs84_to_gcj02

    minx, miny, maxx, maxy = bounds
    z = max(min(int(math.ceil(zoom)) + 1, 18), 1)
    while True:
        x0, y0 = _tile_xy(minx, maxy, z)
        x1, y1 = _tile_xy(maxx, miny, z)
        if (x1 - x0 + 1) * (y1 - y0 + 1) <= MAX_TILES or z <= 1:
            break
        z -= 1
    layers = []
    for x in range(x0, x1 + 1):
        for y in range(y0, y1 + 1):
            corners = [
                _tile_corner(x, y + 1, z),
                _tile_corner(x, y, z),
                _tile_corner(x + 1, y, z),
                _tile_corner(x + 1, y + 1, z),
            ]  # left-bottom, left-top, right-top, right-bottom
            if datum != "GCJ-02":
                corners = [wgs84_to_gcj02(lon, lat) for lon, lat in corners]
            tile_url = url.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
            layers.append(
                pdk.Layer(
                    "BitmapLayer",
                    id=f"basemap-{z}-{x}-{y}",
                    image=pdk.types.String(tile_url),
                    bounds=[[round(a, 6), round(b, 6)] for a, b in corners],
                    pickable=False,
                )
            )
    return layers


# --- the deck ---------------------------------------------------------------------------------


def build_deck(
    base: MapBase,
    districts: pl.DataFrame,
    measure: Measure,
    year: int | None,
    *,
    villages: pl.DataFrame | None = None,
    communities: pl.DataFrame | None = None,
    homes: pl.DataFrame | None = None,
    show_fill: bool = True,
    show_labels: bool = True,
    show_points: bool = True,
    extra: dict[str, str] | None = None,
    tile_url: str | None = None,
    tile_datum: str = "WGS-84",
    selected: str | None = None,
    size: tuple[int, int] = DEFAULT_SIZE,
) -> CompactDeck:
    """The map: districts (from `coverage.measure_frame`), optional points, labels, fitted view.

    Layer order bottom → top: basemap tiles (only with `tile_url`), districts, points, the
    `selected` district's outline, labels.
    """
    view = fit_view(base.bounds, size)
    names = {code: text for code, text, _, _ in base.labels}
    layers: list[pdk.Layer] = []
    if tile_url:
        layers += tile_layers(tile_url, base.bounds, view.zoom, tile_datum)
    layers.append(district_layer(base, districts, measure, year, filled=show_fill, extra=extra))
    if show_points:
        if villages is not None and villages.height:
            layers.append(village_layer(villages, measure, names))
        if homes is not None and homes.height:
            layers.append(community_layer(homes, homes=True, names=names))
        if communities is not None and communities.height:
            layers.append(community_layer(communities, names=names))
    outline = selected_layer(base, selected) if selected else None
    if outline is not None:
        layers.append(outline)
    if show_labels:
        layers.append(label_layer(base))
    return CompactDeck(
        layers=layers,
        initial_view_state=view,
        map_provider=None,
        tooltip=TOOLTIP,
        views=[pdk.View(type="MapView", controller=True)],
    )


def selected_district(selection: Any) -> str | None:
    """The district code a map selection points at (a district, or the district of a point)."""
    objects = (selection or {}).get("objects") or {}
    for layer_id, items in objects.items():
        for obj in items or []:
            if layer_id == DISTRICT_LAYER:
                code = (obj.get("properties") or {}).get("adcode")
            else:
                code = obj.get("dc")
            if code:
                return str(code)
    return None


# --- legend -----------------------------------------------------------------------------------


def _swatch(colour: str, text: str, *, round_: bool = False) -> str:
    radius = "50%" if round_ else "2px"
    return (
        f'<span style="display:inline-flex;align-items:center;margin:0 12px 4px 0;white-space:nowrap">'
        f'<span style="display:inline-block;width:14px;height:14px;border-radius:{radius};'
        f'background:{colour};border:1px solid #8a8f98;margin-right:5px"></span>{html.escape(text)}</span>'
    )


def legend_html(
    measure: Measure,
    counts: dict[str, int] | None = None,
    points: list[tuple[str, str]] | None = None,
    point_note: str | None = None,
) -> str:
    """The classes with their colours (and how many districts fall in each), plus point symbols."""
    scheme = measure.scheme
    items = [(c, label) for c, label in zip(scheme.colours, scheme.labels, strict=True)]
    items.append((scheme.no_data_colour, NO_DATA))
    parts = [
        _swatch(c, f"{label}（{counts[label]}个区县）" if counts and label in counts else label) for c, label in items
    ]
    out = (
        f'<div class="fuer-map-legend" style="font-size:0.9rem;line-height:1.6"><b>{html.escape(measure.label)}</b>'
        f"（区县着色，分级界限含下限）<br/>{''.join(parts)}"
    )
    if points:
        out += "<br/>" + "".join(_swatch(c, text, round_=True) for c, text in points)
    if point_note:
        out += f'<br/><span style="color:#5f6b7a">{html.escape(point_note)}</span>'
    return out + "</div>"


def point_class_legend(
    scheme: ClassScheme, what: str = "村", points: pl.DataFrame | None = None
) -> list[tuple[str, str]]:
    """Point symbols for the classes, in the points' own colours (plus 无数据 when some of
    `points` have no class)."""
    colours = scheme.point_colours or scheme.colours
    out = [(c, f"{what} {label}") for c, label in zip(colours, scheme.labels, strict=True)]
    if points is not None and points.height and points["class_index"].null_count():
        out.append((scheme.no_data_colour, f"{what} {NO_DATA}"))
    return out


def village_note(measure: Measure) -> str:
    """What the village points show, under the legend."""
    return f"点：村，面积表示农村户数，颜色为该村{measure.label}分级"


def level_legend(points: pl.DataFrame) -> list[tuple[str, str]]:
    """Point symbols for the community levels present among `points` (国家级 first)."""
    order = list(LEVEL_COLOURS)
    present = {lvl for lvl in points["level"].to_list()} if points.height else set()
    levels = sorted((lvl for lvl in present if lvl), key=lambda lv: order.index(lv) if lv in order else len(order))
    out = [(LEVEL_COLOURS.get(lvl, UNSTATED_LEVEL_COLOUR), f"儿童友好社区（{lvl}）") for lvl in levels]
    if None in present:
        out.append((UNSTATED_LEVEL_COLOUR, "儿童友好社区（未注明级别）"))
    return out


def basemap_settings() -> tuple[str | None, str]:
    """(tile URL template or None, its datum) from settings; off unless configured."""
    from etl.core import settings

    def get(name: str) -> str:
        return settings.get(name).strip()

    url = get("map_tile_url")
    datum = get("map_tile_datum").upper().replace("_", "-") or "WGS-84"
    return (url or None), ("GCJ-02" if datum in ("GCJ-02", "GCJ02") else "WGS-84")
