"""Load 美丽庭院 and 儿童友好社区 / 儿童之家 records (and the village/community counts) from the
xlsx/csv files offices keep, with findings like returns, through the one atomic write path.

Three kinds of file, told apart by their headers (or by the caller):

- courtyard (美丽庭院): one row per village × year — 村（社区）名称, 村代码, 所属区县 / 区县代码,
  街道（镇）, 年份, 农村户数, 美丽庭院户数, 精品（示范）户数, 经度, 纬度, 坐标系;
- child_friendly (儿童友好社区 / 儿童之家): one row per community and kind — 社区名称, 类别,
  级别 (国家级/省级/市级), 命名年份, 状态 (已命名/创建中/已撤销), 所属区县, 经度, 纬度, 坐标系;
- community_count: one row per district × year — 区县, 年份, 行政村数, 社区数 (the
  denominators of 儿童之家 and 儿童友好社区 coverage).

Coordinates are stored in GCJ-02, the boundaries' datum. Each row's system comes from its
坐标系 cell, else from a "坐标系：…" line above the table, else from the caller, else WGS-84
(GPS) is assumed and said so. Points are checked against the district polygons: outside every
polygon, or inside another district than the one named, is a warning (the row is loaded).
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import shapely
from shapely.geometry import shape
from shapely.prepared import prep

from etl.core import settings
from etl.core.numbers import parse_number, parse_year
from etl.core.records import SEVERITY_ERROR, SEVERITY_INFO, SEVERITY_WARNING, Finding, UnreadableFile
from etl.core.store import insert_frame
from etl.core.text import squash, tidy
from etl.regions import coords
from etl.returns.load import FileReport, sha256_of
from etl.returns.lookup import RegionLookup
from etl.returns.readers import Grid, column_letter, read_workbook

COURTYARD, CHILD_FRIENDLY, COMMUNITY_COUNT = "courtyard", "child_friendly", "community_count"
KINDS = (COURTYARD, CHILD_FRIENDLY, COMMUNITY_COUNT)
KIND_LABELS = {COURTYARD: "美丽庭院", CHILD_FRIENDLY: "儿童友好社区/儿童之家", COMMUNITY_COUNT: "村和社区数"}

WGS84, GCJ02 = "WGS-84", "GCJ-02"
COORD_SYSTEMS = (WGS84, GCJ02)

CHILD_HOME, FRIENDLY = "儿童之家", "儿童友好社区"
NAMED, IN_PROGRESS, REVOKED = "已命名", "创建中", "已撤销"
LEVELS = ("国家级", "省级", "市级", "县级")

# Boundaries are simplified to 0.001° (≈100 m) and villages sit on borders: a point this close
# to the district it names is taken to be in it, so simplification never raises a warning.
BORDER_TOLERANCE_DEG = 0.002
# China's extent with a margin, for telling a typo (or swapped columns) from a real point.
_LON_RANGE = (73.0, 136.0)
_LAT_RANGE = (3.0, 54.0)
MAX_HEADER_SCAN = 30

# --- what the headers may say --------------------------------------------------------------

_ALIASES: dict[str, tuple[str, ...]] = {
    "village_code": (
        "村代码",
        "村(社区)代码",
        "村(居)代码",
        "村居代码",
        "村级代码",
        "行政村代码",
        "统计用区划代码",
        "村(社区)编码",
        "village_code",
    ),
    "village_name": (
        "村(社区)名称",
        "村(社区)",
        "村名称",
        "村名",
        "村(居)名称",
        "村居名称",
        "村庄名称",
        "行政村",
        "行政村名称",
        "村",
        "village_name",
    ),
    "community_name": (
        "社区名称",
        "社区(村)名称",
        "社区(村)",
        "村(社区)名称",
        "社区",
        "名称",
        "儿童之家名称",
        "所在社区",
        "community_name",
    ),
    "district_code": (
        "区县代码",
        "所属区县代码",
        "县区代码",
        "县(市、区)代码",
        "行政区划代码",
        "地区代码",
        "district_code",
    ),
    "district_name": (
        "所属区县",
        "区县",
        "县区",
        "区县名称",
        "所属县区",
        "县(市、区)",
        "县市区",
        "所属地区",
        "地区",
        "district",
        "district_name",
    ),
    "street": (
        "街道(镇)",
        "镇(街道)",
        "乡镇(街道)",
        "街道(乡镇)",
        "乡镇",
        "街道",
        "镇街",
        "所属镇街",
        "所属街道",
        "所属乡镇",
        "street",
    ),
    "year": ("年份", "年度", "统计年度", "数据年份", "year"),
    "rural_households": ("农村户数", "农户数", "总户数", "户数", "农村住户数", "rural_households"),
    "courtyard_households": ("美丽庭院户数", "美丽庭院创建户数", "创建户数", "美丽庭院数", "courtyard_households"),
    "premium_households": (
        "精品(示范)户数",
        "精品户数",
        "示范户数",
        "精品庭院户数",
        "美丽庭院示范户数",
        "精品(示范)庭院户数",
        "premium_households",
    ),
    "kind": ("类别", "类型", "种类", "kind"),
    "level": ("级别", "命名级别", "等级", "level"),
    "year_named": ("命名年份", "命名年度", "命名时间", "建成年份", "创建年份", "year_named"),
    "status": ("状态", "命名状态", "创建状态", "status"),
    "villages": ("行政村数", "村数", "建制村数", "村委会数", "villages"),
    "communities": ("社区数", "城市社区数", "居委会数", "城镇社区数", "communities"),
    "lon": ("经度", "lon", "lng", "longitude"),
    "lat": ("纬度", "lat", "latitude"),
    "coord_system": ("坐标系", "坐标系统", "坐标类型", "coord_system"),
    "note": ("备注", "说明", "note"),
    "seq": ("序号", "行次", "编号"),
}
_FIELDS_OF: dict[str, tuple[str, ...]] = {
    COURTYARD: (
        "village_code",
        "village_name",
        "district_code",
        "district_name",
        "street",
        "year",
        "rural_households",
        "courtyard_households",
        "premium_households",
        "lon",
        "lat",
        "coord_system",
        "note",
        "seq",
    ),
    CHILD_FRIENDLY: (
        "community_name",
        "district_code",
        "district_name",
        "street",
        "kind",
        "level",
        "year_named",
        "status",
        "lon",
        "lat",
        "coord_system",
        "note",
        "seq",
    ),
    COMMUNITY_COUNT: ("district_code", "district_name", "year", "villages", "communities", "note", "seq"),
}
# Each inner tuple: at least one of these must be a column.
_REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    COURTYARD: (
        ("village_name", "village_code"),
        ("district_code", "district_name"),
        ("rural_households",),
        ("courtyard_households",),
    ),
    CHILD_FRIENDLY: (("community_name",), ("district_code", "district_name"), ("kind",)),
    COMMUNITY_COUNT: (("district_code", "district_name"), ("villages", "communities")),
}
EXPECTED = {
    COURTYARD: "表头需有“村（社区）名称”、“所属区县”（或区县代码）、“农村户数”、“美丽庭院户数”，"
    "可有“年份”“精品（示范）户数”“经度”“纬度”“坐标系”",
    CHILD_FRIENDLY: "表头需有“社区名称”、“所属区县”（或区县代码）、“类别”（儿童友好社区/儿童之家），"
    "可有“级别”“命名年份”“状态”“经度”“纬度”“坐标系”",
    COMMUNITY_COUNT: "表头需有“所属区县”（或区县代码）、“行政村数”或“社区数”，以及“年份”",
}

_COORD_WORDS: dict[str, str] = {
    "wgs84": WGS84,
    "wgs-84": WGS84,
    "gps": WGS84,
    "cgcs2000": WGS84,
    "2000国家大地坐标系": WGS84,
    "国家2000": WGS84,
    "天地图": WGS84,
    "北斗": WGS84,
    "gcj02": GCJ02,
    "gcj-02": GCJ02,
    "火星坐标": GCJ02,
    "火星坐标系": GCJ02,
    "国测局坐标": GCJ02,
    "国测局": GCJ02,
    "高德": GCJ02,
    "高德地图": GCJ02,
    "腾讯": GCJ02,
    "腾讯地图": GCJ02,
}
_BAIDU = ("bd09", "bd-09", "百度", "百度地图", "百度坐标")
_LEVEL_WORDS = {
    "国家级": "国家级",
    "国家": "国家级",
    "全国": "国家级",
    "省级": "省级",
    "省": "省级",
    "市级": "市级",
    "市": "市级",
    "县级": "县级",
    "区级": "县级",
    "县(区)级": "县级",
    "区县级": "县级",
    "县": "县级",
}
_STATUS_WORDS = {
    "已命名": NAMED,
    "命名": NAMED,
    "已建成": NAMED,
    "建成": NAMED,
    "已挂牌": NAMED,
    "挂牌": NAMED,
    "创建中": IN_PROGRESS,
    "在建": IN_PROGRESS,
    "培育中": IN_PROGRESS,
    "建设中": IN_PROGRESS,
    "已撤销": REVOKED,
    "撤销": REVOKED,
    "已摘牌": REVOKED,
    "摘牌": REVOKED,
}

_FOOTER = re.compile(
    r"^(?:单位负责人|统计负责人|负责人|填表人|填报人|制表人|审核人|审核|报出日期|填报日期|"
    r"填表日期|联系电话|联系人|电话|注\d*[:：、.]|说明[:：]|备注[:：]|填表说明)"
)
_TOTAL_WORDS = {"合计", "总计", "小计", "全市", "全区", "全县"}
_COLUMN_NUMBER = re.compile(r"^(?:[甲乙丙丁戊己庚辛壬癸]|\d{1,2})$")
_TITLE_COORD = re.compile(r"坐标(?:系|系统|类型)\s*[:：]\s*([^\s,，;；)）]+)")
_TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年(?:度)?(?!\s*\d{1,2}\s*月)")
_YEAR_RANGE = re.compile(r"(?:19|20)\d{2}\s*年?\s*[-—–~至到]+\s*(?:19|20)\d{2}\s*年?")
_BRACKETED = re.compile(r"\(.*?\)|\[.*?\]|【.*?】")
_COORD_JUNK = re.compile(r"^(?:东经|北纬|e|n)|(?:°|度|e|n)$", re.IGNORECASE)


def _key(text: str) -> str:
    """Header text as compared: NFKC, no spaces or 必填 marks, ASCII lower-cased."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).strip("*:：").lower()


_FIELD_OF: dict[str, str] = {}
for _field, _names in _ALIASES.items():
    for _name in _names:
        _FIELD_OF.setdefault(_key(_name), _field)


def field_of(label: str, kind: str) -> str | None:
    """The field a header cell names for this kind of file ("农村户数（户）" → rural_households)."""
    key = _key(label)
    if not key:
        return None
    allowed = _FIELDS_OF[kind]
    for candidate in (key, _BRACKETED.sub("", key)):
        f = _FIELD_OF.get(candidate)
        # 村（社区）名称 names the village in a courtyard file and the community in the other.
        if f == "village_name" and kind == CHILD_FRIENDLY:
            f = "community_name"
        if f == "community_name" and kind == COURTYARD and candidate in ("村(社区)名称", "社区(村)名称"):
            f = "village_name"
        if f in allowed:
            return f
    return None


# --- header ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceHeader:
    kind: str
    position: int  # index in grid.rows of the header row
    columns: dict[str, int]  # field → column index (first occurrence)
    coord_system: str | None  # from a "坐标系：…" line above the table
    year: int | None  # from a "2024年" title when the table has no 年份 column


def _match_row(cells: tuple[str, ...], kind: str) -> dict[str, int]:
    cols: dict[str, int] = {}
    for i, text in enumerate(cells):
        f = field_of(text, kind) if text.strip() else None
        if f is not None and f not in cols:
            cols[f] = i
    return cols


def _complete(cols: dict[str, int], kind: str) -> bool:
    return all(any(f in cols for f in group) for group in _REQUIRED[kind])


def detect_kind(grid: Grid) -> str | None:
    """Which kind of place file a sheet is, from its header (most specific columns first)."""
    for pos in range(min(len(grid.rows), MAX_HEADER_SCAN)):
        cells = grid.rows[pos][1]
        for kind in (COURTYARD, CHILD_FRIENDLY, COMMUNITY_COUNT):
            cols = _match_row(cells, kind)
            if _complete(cols, kind) and (kind != CHILD_FRIENDLY or "kind" in cols):
                return kind
    return None


def find_place_header(grid: Grid, kind: str) -> PlaceHeader | None:
    """The first row within MAX_HEADER_SCAN that names every required column of `kind`."""
    for pos in range(min(len(grid.rows), MAX_HEADER_SCAN)):
        cols = _match_row(grid.rows[pos][1], kind)
        if not _complete(cols, kind):
            continue
        title = " ".join(unicodedata.normalize("NFKC", c) for _, cells in grid.rows[:pos] for c in cells if c.strip())
        coord = None
        if m := _TITLE_COORD.search(title):
            coord = m.group(1)
        years = set(_TITLE_YEAR.findall(_YEAR_RANGE.sub(" ", title)))
        return PlaceHeader(kind, pos, cols, coord, int(years.pop()) if len(years) == 1 else None)
    return None


# --- one row ---------------------------------------------------------------------------------


@dataclass
class _Row:
    sheet: str
    row: int
    cells: tuple[str, ...]
    values: dict[str, Any]
    key: tuple
    compare: tuple  # what must agree between duplicates
    located_from: tuple[float, float] | None = None  # coordinates as written, for messages


@dataclass
class _Ctx:
    kind: str
    file: str
    regions: RegionLookup
    levels: dict[str, str]  # region code → level
    first_year: int
    last_year: int
    default_coord: str | None
    findings: list[Finding] = field(default_factory=list)
    rejected: list[tuple[str, int, str | None, tuple[str, ...], str]] = field(default_factory=list)
    assumed_wgs84: int = 0
    without_coords: int = 0


def _where(ctx: _Ctx, sheet: str, row: int | None, col: int | None) -> str:
    text = f"文件“{ctx.file}”工作表“{sheet}”"
    if row is not None:
        text += f"第{row}行"
    if col is not None:
        text += f"{column_letter(col)}列"
    return text


class _RowError(Exception):
    def __init__(self, col: int | None, rule: str, message: str) -> None:
        super().__init__(message)
        self.col, self.rule, self.message = col, rule, message


def _cell(cells: tuple[str, ...], cols: dict[str, int], name: str) -> str:
    i = cols.get(name)
    return cells[i].strip() if i is not None and i < len(cells) else ""


def _count(cells: tuple[str, ...], cols: dict[str, int], name: str, label: str, *, required: bool) -> int | None:
    text = _cell(cells, cols, name)
    # "150户" / "40个": a count word after the number is what people type, not a unit clash
    num = parse_number(re.sub(r"(?<=\d)\s*[户个]$", "", text))
    col = cols.get(name)
    if num.missing:
        if required:
            raise _RowError(col, "missing_value", f"“{label}”为空")
        return None
    if num.error or num.value is None or num.unit is not None:
        raise _RowError(col, "non_numeric", f"“{label}”应为整数，实为“{text}”")
    if num.value < 0:
        raise _RowError(col, "negative", f"“{label}”不能为负数（{text}）")
    if num.value != int(num.value):
        raise _RowError(col, "not_integer", f"“{label}”应为整数，实为“{text}”")
    return int(num.value)


def _district(ctx: _Ctx, cells: tuple[str, ...], cols: dict[str, int]) -> str:
    code_text = _cell(cells, cols, "district_code")
    name_text = _cell(cells, cols, "district_name")
    found: list[tuple[str, int]] = []
    for text, fld in ((code_text, "district_code"), (name_text, "district_name")):
        if not text:
            continue
        match = ctx.regions.resolve(text)
        col = cols[fld]
        if not match.codes:
            hint = "、".join(ctx.regions.suggest(text)) or "无"
            raise _RowError(col, "unknown_district", f"区县“{text}”无法识别（相近的地区：{hint}）")
        if len(match.codes) > 1:
            names = "、".join(f"{ctx.regions.name(c)}({c})" for c in match.codes)
            raise _RowError(col, "ambiguous_district", f"区县“{text}”对应多个地区（{names}），请填写区县代码")
        found.append((match.codes[0], col))
    if not found:
        col = cols.get("district_name", cols.get("district_code"))
        raise _RowError(col, "missing_district", "所属区县为空")
    codes = {c for c, _ in found}
    if len(codes) > 1:
        raise _RowError(found[1][1], "district_mismatch", f"区县代码“{code_text}”与区县名称“{name_text}”不是同一地区")
    code, col = found[0]
    if ctx.levels.get(code) != "county":
        raise _RowError(col, "not_a_district", f"“{ctx.regions.name(code)}”不是区县级地区，请填写所属区县")
    return code


def _year(ctx: _Ctx, cells: tuple[str, ...], cols: dict[str, int], default: int | None) -> int:
    text = _cell(cells, cols, "year")
    if not text:
        if default is None:
            raise _RowError(cols.get("year"), "bad_year", "年份为空（表中和标题中都没有年份）")
        return default
    year = parse_year(text)
    if year is None:
        raise _RowError(cols["year"], "bad_year", f"年份“{text}”无法识别")
    if not ctx.first_year <= year <= ctx.last_year:
        raise _RowError(
            cols["year"], "year_out_of_plan", f"年份{year}不在规划期内（{ctx.first_year}—{ctx.last_year}年）"
        )
    return year


def _coord_number(text: str) -> float | None:
    s = _COORD_JUNK.sub("", squash(text))
    try:
        return float(s)
    except ValueError:
        return None


def coord_system_of(text: str | None) -> str | None:
    """ "WGS84" / "GPS" / "CGCS2000" → WGS-84; "GCJ02" / "高德" / "火星坐标" → GCJ-02; else None."""
    key = squash(text).lower().replace("_", "-")
    if not key:
        return None
    return _COORD_WORDS.get(key) or _COORD_WORDS.get(key.replace("-", ""))


def _location(
    ctx: _Ctx, sheet: str, rownum: int, cells: tuple[str, ...], cols: dict[str, int], title_coord: str | None
) -> tuple[float | None, float | None, tuple[float, float] | None]:
    """(lon, lat) in GCJ-02 or (None, None); problems are warnings, the row still loads."""
    lon_text, lat_text = _cell(cells, cols, "lon"), _cell(cells, cols, "lat")
    if not lon_text and not lat_text:
        ctx.without_coords += 1
        return None, None, None

    def warn(col: int | None, rule: str, message: str) -> tuple[None, None, None]:
        ctx.findings.append(
            Finding(
                ctx.file,
                sheet,
                rownum,
                column_letter(col) if col is not None else None,
                rule,
                SEVERITY_WARNING,
                f"{_where(ctx, sheet, rownum, col)}：{message}，该点不在地图上显示（数据照常载入）",
            )
        )
        return None, None, None

    if not lon_text or not lat_text:
        missing = "纬度" if lon_text else "经度"
        return warn(cols.get("lat" if lon_text else "lon"), "bad_coordinates", f"只填了经纬度之一（缺{missing}）")
    lon, lat = _coord_number(lon_text), _coord_number(lat_text)
    if lon is None or lat is None:
        bad, col = (lon_text, cols["lon"]) if lon is None else (lat_text, cols["lat"])
        return warn(col, "bad_coordinates", f"坐标“{bad}”不是十进制度数（如 117.9135）")
    in_lon = _LON_RANGE[0] <= lon <= _LON_RANGE[1]
    in_lat = _LAT_RANGE[0] <= lat <= _LAT_RANGE[1]
    if not (in_lon and in_lat):
        if _LON_RANGE[0] <= lat <= _LON_RANGE[1] and _LAT_RANGE[0] <= lon <= _LAT_RANGE[1]:
            return warn(cols["lon"], "bad_coordinates", f"经度{lon_text}、纬度{lat_text}疑似填反")
        return warn(
            cols["lon"] if not in_lon else cols["lat"],
            "bad_coordinates",
            f"坐标（经度{lon_text}，纬度{lat_text}）不在中国境内",
        )
    row_system = _cell(cells, cols, "coord_system")
    written = row_system or title_coord
    if written:
        system = coord_system_of(written)
        if system is None:
            col = cols.get("coord_system")
            if squash(written).lower().replace("_", "-") in _BAIDU:
                return warn(
                    col,
                    "unsupported_coord_system",
                    f"坐标系“{written}”（百度 BD-09）暂不支持，请换算为 WGS-84 或 GCJ-02 后再载入",
                )
            return warn(col, "unknown_coord_system", f"坐标系“{written}”无法识别（可填 WGS-84 或 GCJ-02）")
    elif ctx.default_coord:
        system = ctx.default_coord
    else:
        system = WGS84
        ctx.assumed_wgs84 += 1
    if system == WGS84:
        glon, glat = coords.wgs84_to_gcj02(lon, lat)
    else:
        glon, glat = lon, lat
    return round(glon, 6), round(glat, 6), (lon, lat)


def _courtyard_row(ctx: _Ctx, header: PlaceHeader, sheet: str, n: int, cells: tuple[str, ...]) -> _Row:
    cols = header.columns
    district = _district(ctx, cells, cols)
    year = _year(ctx, cells, cols, header.year)
    code = squash(_cell(cells, cols, "village_code")).removesuffix(".0") or None
    name = tidy(_cell(cells, cols, "village_name")) or None
    if name is None and code is None:
        raise _RowError(cols.get("village_name"), "missing_name", "村（社区）名称为空")
    if code is not None and not code.isdigit():
        raise _RowError(cols["village_code"], "bad_village_code", f"村代码“{code}”应全为数字")
    rural = _count(cells, cols, "rural_households", "农村户数", required=True)
    done = _count(cells, cols, "courtyard_households", "美丽庭院户数", required=True)
    premium = _count(cells, cols, "premium_households", "精品（示范）户数", required=False)
    assert rural is not None and done is not None
    if done > rural:
        raise _RowError(cols["courtyard_households"], "courtyard_over_rural", f"美丽庭院户数{done}大于农村户数{rural}")
    if premium is not None and premium > done:
        raise _RowError(
            cols["premium_households"], "premium_over_courtyard", f"精品（示范）户数{premium}大于美丽庭院户数{done}"
        )
    if code is not None and len(code) >= 6 and code[:6] != district:
        ctx.findings.append(
            Finding(
                ctx.file,
                sheet,
                n,
                column_letter(cols["village_code"]),
                "village_code_district",
                SEVERITY_WARNING,
                f"{_where(ctx, sheet, n, cols['village_code'])}：村代码{code}的前6位与所属区县"
                f"{ctx.regions.name(district)}（{district}）不一致",
            )
        )
    lon, lat, raw = _location(ctx, sheet, n, cells, cols, header.coord_system)
    values = {
        "village_code": code,
        "village_name": name or code,
        "district_code": district,
        "street": tidy(_cell(cells, cols, "street")) or None,
        "year": year,
        "rural_households": rural,
        "courtyard_households": done,
        "premium_households": premium,
        "lon": lon,
        "lat": lat,
    }
    return _Row(sheet, n, cells, values, (district, code or name, year), (rural, done, premium), raw)


def _child_row(ctx: _Ctx, header: PlaceHeader, sheet: str, n: int, cells: tuple[str, ...]) -> _Row:
    cols = header.columns
    district = _district(ctx, cells, cols)
    name = tidy(_cell(cells, cols, "community_name"))
    if not name:
        raise _RowError(cols.get("community_name"), "missing_name", "社区名称为空")
    kind_text = squash(_cell(cells, cols, "kind"))
    if "儿童之家" in kind_text:
        kind = CHILD_HOME
    elif "友好" in kind_text:
        kind = FRIENDLY
    else:
        raise _RowError(cols["kind"], "unknown_kind", f"类别“{kind_text}”无法识别（应为“儿童友好社区”或“儿童之家”）")
    level_text = squash(_cell(cells, cols, "level"))
    level = _LEVEL_WORDS.get(level_text) if level_text else None
    if level_text and level is None:
        raise _RowError(cols["level"], "unknown_level", f"级别“{level_text}”无法识别（可填：{'、'.join(LEVELS)}）")
    year_text = _cell(cells, cols, "year_named")
    year_named = parse_year(year_text) if year_text else None
    if year_text and year_named is None:
        raise _RowError(cols["year_named"], "bad_year", f"命名年份“{year_text}”无法识别")
    if year_named is not None and year_named > datetime.now().year:
        raise _RowError(cols["year_named"], "future_year", f"命名年份{year_named}晚于今年")
    status_text = squash(_cell(cells, cols, "status"))
    if status_text:
        status = _STATUS_WORDS.get(status_text)
        if status is None:
            raise _RowError(
                cols["status"],
                "unknown_status",
                f"状态“{status_text}”无法识别（可填：{NAMED}、{IN_PROGRESS}、{REVOKED}）",
            )
    elif year_named is not None:
        status = NAMED  # a year it was named in says it is named
    else:
        raise _RowError(
            cols.get("status", cols.get("year_named")), "missing_status", "状态和命名年份均为空，无法判断是否已命名"
        )
    if status == NAMED and year_named is None:
        raise _RowError(
            cols.get("year_named", cols.get("status")),
            "missing_year_named",
            "已命名的须填写命名年份（覆盖率按命名年份计入）",
        )
    lon, lat, raw = _location(ctx, sheet, n, cells, cols, header.coord_system)
    values = {
        "community_name": name,
        "district_code": district,
        "street": tidy(_cell(cells, cols, "street")) or None,
        "kind": kind,
        "level": level,
        "year_named": year_named,
        "status": status,
        "lon": lon,
        "lat": lat,
    }
    return _Row(sheet, n, cells, values, (district, name, kind), (level, year_named, status), raw)


def _count_row(ctx: _Ctx, header: PlaceHeader, sheet: str, n: int, cells: tuple[str, ...]) -> _Row:
    cols = header.columns
    district = _district(ctx, cells, cols)
    year = _year(ctx, cells, cols, header.year)
    villages = _count(cells, cols, "villages", "行政村数", required=False)
    communities = _count(cells, cols, "communities", "社区数", required=False)
    if villages is None and communities is None:
        raise _RowError(cols.get("villages", cols.get("communities")), "missing_value", "行政村数和社区数均为空")
    values = {"district_code": district, "year": year, "villages": villages, "communities": communities}
    return _Row(sheet, n, cells, values, (district, year), (villages, communities))


_ROW_READERS: dict[str, Callable[[_Ctx, PlaceHeader, str, int, tuple[str, ...]], _Row]] = {
    COURTYARD: _courtyard_row,
    CHILD_FRIENDLY: _child_row,
    COMMUNITY_COUNT: _count_row,
}


def _is_column_numbers(cells: tuple[str, ...]) -> bool:
    texts = [squash(c) for c in cells if c.strip()]
    return len(texts) >= 2 and all(_COLUMN_NUMBER.match(t) for t in texts)


def _skip_reason(cells: tuple[str, ...], header: PlaceHeader) -> str | None:
    """Why a row under the header is not a record (footer, 合计, column numbers), or None."""
    first = next((c for c in cells if c.strip()), None)
    if first is None:
        return "空行"
    first = squash(first)
    if _FOOTER.match(first):
        return "表尾签章、日期或说明行"
    if _COLUMN_NUMBER.match(first) and _is_column_numbers(cells):
        return "栏号行（甲、乙、1、2…）"
    for f in ("village_name", "community_name", "district_name", "seq"):
        if squash(_cell(cells, header.columns, f)) in _TOTAL_WORDS:
            return "合计行"
    return None


# --- one file --------------------------------------------------------------------------------


@dataclass
class _Read:
    rows: list[_Row] = field(default_factory=list)
    raw: list[tuple[str, int, tuple[str, ...]]] = field(default_factory=list)
    sheets_read: int = 0


def _read_file(
    path: Path, kind: str | None, ctx_for: Callable[[str], _Ctx]
) -> tuple[str | None, _Ctx | None, _Read, list[Finding]]:
    workbook = read_workbook(path)
    notes = [
        Finding(
            path.name,
            s.sheet,
            None,
            None,
            "skipped_sheet",
            SEVERITY_INFO,
            f"文件“{path.name}”的工作表“{s.sheet}”{s.reason}。",
        )
        for s in workbook.skipped
    ]
    if kind is None:
        kind = next((k for g in workbook.grids if (k := detect_kind(g)) is not None), None)
        if kind is None:
            return None, None, _Read(), notes
    ctx = ctx_for(kind)
    ctx.findings.extend(notes)
    out = _Read()
    reader = _ROW_READERS[kind]
    for grid in workbook.grids:
        header = find_place_header(grid, kind)
        if header is None:
            ctx.findings.append(
                Finding(
                    path.name,
                    grid.sheet,
                    None,
                    None,
                    "no_header",
                    SEVERITY_INFO,
                    f"文件“{path.name}”工作表“{grid.sheet}”没有找到可识别的表头（{EXPECTED[kind]}），已跳过此工作表。",
                )
            )
            continue
        out.sheets_read += 1
        for n, cells in grid.rows[header.position + 1 :]:
            reason = _skip_reason(cells, header)
            if reason is not None:
                ctx.findings.append(
                    Finding(
                        path.name,
                        grid.sheet,
                        n,
                        None,
                        "skipped_row",
                        SEVERITY_INFO,
                        f"{_where(ctx, grid.sheet, n, None)}：{reason}，未读取。",
                    )
                )
                continue
            out.raw.append((grid.sheet, n, cells))
            try:
                out.rows.append(reader(ctx, header, grid.sheet, n, cells))
            except _RowError as err:
                message = f"{_where(ctx, grid.sheet, n, err.col)}：{err.message}"
                letter = column_letter(err.col) if err.col is not None else None
                ctx.findings.append(Finding(path.name, grid.sheet, n, letter, err.rule, SEVERITY_ERROR, message))
                ctx.rejected.append((grid.sheet, n, letter, cells, message))
    return kind, ctx, out, []


def _dedupe(ctx: _Ctx, rows: list[_Row]) -> list[_Row]:
    """Same key twice: same values load once (info); different values reject all of them."""
    groups: dict[tuple, list[_Row]] = defaultdict(list)
    for r in rows:
        groups[r.key].append(r)
    kept = []
    for group in groups.values():
        if len({r.compare for r in group}) > 1:
            where = "、".join(f"工作表“{r.sheet}”第{r.row}行" for r in group)
            for r in group:
                message = (
                    f"{_where(ctx, r.sheet, r.row, None)}：同一{_key_label(ctx.kind)}"
                    f"在本文件中出现多次且数值不同（{where}），均未载入"
                )
                ctx.findings.append(
                    Finding(ctx.file, r.sheet, r.row, None, "duplicate_conflict", SEVERITY_ERROR, message)
                )
                ctx.rejected.append((r.sheet, r.row, None, r.cells, message))
            continue
        kept.append(group[0])
        for dup in group[1:]:
            ctx.findings.append(
                Finding(
                    ctx.file,
                    dup.sheet,
                    dup.row,
                    None,
                    "duplicate_same",
                    SEVERITY_INFO,
                    f"{_where(ctx, dup.sheet, dup.row, None)}：与第{group[0].row}行重复（数值相同），只载入一次",
                )
            )
    return sorted(kept, key=lambda r: (r.sheet, r.row))


def _key_label(kind: str) -> str:
    return {COURTYARD: "村、年份", CHILD_FRIENDLY: "社区、类别", COMMUNITY_COUNT: "区县、年份"}[kind]


# --- where the points are --------------------------------------------------------------------


class DistrictShapes:
    """District polygons of every region under `data/regions/`, for point checks."""

    def __init__(self, features: Iterable[dict[str, Any]]) -> None:
        self.shapes: dict[str, Any] = {}
        for f in features:
            code = str(f["properties"]["adcode"])
            self.shapes.setdefault(code, shape(f["geometry"]))
        self._prepared = {c: prep(g) for c, g in self.shapes.items()}

    @classmethod
    def from_data_dir(cls, data_dir: Path) -> DistrictShapes:
        import json

        features: list[dict[str, Any]] = []
        for path in sorted(Path(data_dir).glob("regions/*/boundaries.geojson")):
            # a province's boundaries are its cities: its counties.geojson holds the districts
            counties = path.with_name("counties.geojson")
            path = counties if counties.exists() else path
            features += json.loads(path.read_text(encoding="utf-8")).get("features", [])
        return cls(features)

    def locate(self, lon: float, lat: float) -> str | None:
        point = shapely.Point(lon, lat)
        for code, geom in self._prepared.items():
            if geom.contains(point):
                return code
        return None

    def near(self, code: str, lon: float, lat: float, tolerance: float = BORDER_TOLERANCE_DEG) -> bool:
        geom = self.shapes.get(code)
        if geom is None:
            return False
        point = shapely.Point(lon, lat)
        # the prepared test is fast; the distance is only needed for the few points outside
        return self._prepared[code].contains(point) or geom.distance(point) <= tolerance


def _coord_text(value: float) -> str:
    return f"{value:.7f}".rstrip("0").rstrip(".")


def _check_points(ctx: _Ctx, rows: list[_Row], shapes: DistrictShapes) -> None:
    """Warn about points outside every district, or inside another district than the one named."""
    seen: dict[tuple, str | None] = {}
    unchecked: set[str] = set()
    for r in rows:
        lon, lat, district = r.values.get("lon"), r.values.get("lat"), r.values["district_code"]
        if lon is None or lat is None:
            continue
        if district not in shapes.shapes:
            unchecked.add(district)
            continue
        key = (lon, lat, district)
        if key not in seen:
            seen[key] = None if shapes.near(district, lon, lat) else (shapes.locate(lon, lat) or "")
            x, y = r.located_from or (lon, lat)  # as written in the file, before conversion
            text = f"经度{_coord_text(x)}、纬度{_coord_text(y)}"
            col = None
            where = _where(ctx, r.sheet, r.row, None)
            name = ctx.regions.name(district)
            if seen[key] == "":
                ctx.findings.append(
                    Finding(
                        ctx.file,
                        r.sheet,
                        r.row,
                        col,
                        "point_outside",
                        SEVERITY_WARNING,
                        f"{where}：坐标（{text}）不在任何区县边界内，请核对（数据照常载入）",
                    )
                )
            elif seen[key] is not None:
                other = ctx.regions.name(seen[key])
                ctx.findings.append(
                    Finding(
                        ctx.file,
                        r.sheet,
                        r.row,
                        col,
                        "point_in_other_district",
                        SEVERITY_WARNING,
                        f"{where}：坐标（{text}）落在{other}境内，与所填所属区县{name}不一致",
                    )
                )
    for code in sorted(unchecked):
        ctx.findings.append(
            Finding(
                ctx.file,
                "",
                None,
                None,
                "no_boundary",
                SEVERITY_INFO,
                f"文件“{ctx.file}”：{ctx.regions.name(code)}（{code}）没有边界文件，未检查其点位是否在区县内",
            )
        )


# --- the database ----------------------------------------------------------------------------

_TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    COURTYARD: (
        "village_code",
        "village_name",
        "district_code",
        "street",
        "year",
        "rural_households",
        "courtyard_households",
        "premium_households",
        "lon",
        "lat",
    ),
    CHILD_FRIENDLY: (
        "community_name",
        "district_code",
        "street",
        "kind",
        "level",
        "year_named",
        "status",
        "lon",
        "lat",
    ),
    COMMUNITY_COUNT: ("district_code", "year", "villages", "communities"),
}
_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    COURTYARD: {
        "village_code": pl.String,
        "village_name": pl.String,
        "district_code": pl.String,
        "street": pl.String,
        "year": pl.Int32,
        "rural_households": pl.Int32,
        "courtyard_households": pl.Int32,
        "premium_households": pl.Int32,
        "lon": pl.Float64,
        "lat": pl.Float64,
    },
    CHILD_FRIENDLY: {
        "community_name": pl.String,
        "district_code": pl.String,
        "street": pl.String,
        "kind": pl.String,
        "level": pl.String,
        "year_named": pl.Int32,
        "status": pl.String,
        "lon": pl.Float64,
        "lat": pl.Float64,
    },
    COMMUNITY_COUNT: {"district_code": pl.String, "year": pl.Int32, "villages": pl.Int32, "communities": pl.Int32},
}
# Columns that identify a record across files (a later file's record replaces an earlier one).
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    COURTYARD: ("p.district_code", "coalesce(p.village_code, p.village_name)", "p.year"),
    CHILD_FRIENDLY: ("p.district_code", "p.community_name", "p.kind"),
    COMMUNITY_COUNT: ("p.district_code", "p.year"),
}
_COMPARE_COLUMNS: dict[str, tuple[str, ...]] = {
    COURTYARD: ("rural_households", "courtyard_households", "premium_households"),
    CHILD_FRIENDLY: ("level", "year_named", "status"),
    COMMUNITY_COUNT: ("villages", "communities"),
}


WITHDRAWAL_TABLE = "submission_withdrawal"


def current_sql(kind: str, *, withdrawals: bool = False) -> str:
    """SQL of the current record per key: the one from the latest loaded submission.

    With `withdrawals` (databases that have the review workflow's submission_withdrawal
    table), a withdrawn file stops counting, as its returns do.
    """
    keys = ", ".join(KEY_COLUMNS[kind])
    withdrawn = f" AND p.submission_id NOT IN (SELECT submission_id FROM {WITHDRAWAL_TABLE})" if withdrawals else ""
    return (
        f"SELECT t.* EXCLUDE (rn) FROM (SELECT p.*, s.is_sample, row_number() OVER (PARTITION BY {keys} "
        f"ORDER BY p.submission_id DESC) AS rn FROM {kind} p JOIN submission s ON s.id = p.submission_id "
        f"WHERE s.status = 'loaded'{withdrawn}) t WHERE rn = 1"
    )


def has_withdrawals(con: duckdb.DuckDBPyConnection) -> bool:
    """Does this database have the review workflow's withdrawal table?"""
    return bool(
        con.sql(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = $t", params={"t": WITHDRAWAL_TABLE}
        ).fetchall()[0][0]
    )


def _note_revisions(con: duckdb.DuckDBPyConnection, ctx: _Ctx, rows: list[_Row]) -> int:
    """Warn where a record replaces a different one already loaded; returns how many."""
    kind = ctx.kind
    current = con.sql(current_sql(kind, withdrawals=has_withdrawals(con))).pl()
    if current.height == 0:
        return 0
    if kind == COURTYARD:
        keyed = current.with_columns(pl.coalesce("village_code", "village_name").alias("_k"))
        key_cols = ["district_code", "_k", "year"]
    else:
        keyed = current
        key_cols = [c.removeprefix("p.") for c in KEY_COLUMNS[kind]]
    old = {
        tuple(k): tuple(v)
        for k, v in zip(
            keyed.select(key_cols).iter_rows(), keyed.select(_COMPARE_COLUMNS[kind]).iter_rows(), strict=True
        )
    }
    n = 0
    for r in rows:
        before = old.get(r.key)
        if before is not None and before != r.compare:
            n += 1
            shown = "、".join("空" if v is None else str(v) for v in before)
            ctx.findings.append(
                Finding(
                    ctx.file,
                    r.sheet,
                    r.row,
                    None,
                    "revision",
                    SEVERITY_WARNING,
                    f"{_where(ctx, r.sheet, r.row, None)}：与已载入数据（{shown}）不同，"
                    "以本次为准，原记录保留在历史提交中",
                )
            )
    return n


def _store(
    con: duckdb.DuckDBPyConnection, report: FileReport, ctx: _Ctx, read: _Read, rows: list[_Row], *, is_sample: bool
) -> None:
    sub_id = con.sql(
        "INSERT INTO submission (file_name, sha256, kind, loaded_at, status, rows_accepted, rows_rejected,"
        " is_sample) VALUES ($f, $s, $k, $t, 'loaded', $a, $r, $x) RETURNING id",
        params={
            "f": report.file,
            "s": report.sha256,
            "k": ctx.kind,
            "t": datetime.now(),
            "a": report.accepted,
            "r": report.rejected,
            "x": is_sample,
        },
    ).fetchall()[0][0]
    report.submission_id = sub_id
    if read.raw:
        insert_frame(
            con,
            "raw_row",
            pl.DataFrame(
                {
                    "submission_id": [sub_id] * len(read.raw),
                    "sheet": [s for s, _, _ in read.raw],
                    "row_no": [n for _, n, _ in read.raw],
                    "cells": [list(c) for _, _, c in read.raw],
                },
                schema={"submission_id": pl.Int32, "sheet": pl.String, "row_no": pl.Int32, "cells": pl.List(pl.String)},
            ),
        )
    columns = _TABLE_COLUMNS[ctx.kind]
    frame = pl.DataFrame(
        [[r.values[c] for c in columns] for r in rows], schema=_SCHEMAS[ctx.kind], orient="row"
    ).with_columns(pl.lit(sub_id, dtype=pl.Int32).alias("submission_id"))
    insert_frame(con, ctx.kind, frame)
    if report.findings:
        insert_frame(
            con,
            "finding",
            pl.DataFrame(
                [(sub_id, f.file, f.sheet, f.row, f.column, f.rule, f.severity, f.message) for f in report.findings],
                schema={
                    "submission_id": pl.Int32,
                    "file": pl.String,
                    "sheet": pl.String,
                    "row_no": pl.Int32,
                    "col": pl.String,
                    "rule": pl.String,
                    "severity": pl.String,
                    "message": pl.String,
                },
                orient="row",
            ),
        )
    if ctx.rejected:
        insert_frame(
            con,
            "rejected_row",
            pl.DataFrame(
                [(sub_id, s, n, c, list(cells), reason) for s, n, c, cells, reason in ctx.rejected],
                schema={
                    "submission_id": pl.Int32,
                    "sheet": pl.String,
                    "row_no": pl.Int32,
                    "col": pl.String,
                    "raw_cells": pl.List(pl.String),
                    "reason": pl.String,
                },
                orient="row",
            ),
        )


@dataclass
class _DbState:
    regions: RegionLookup
    levels: dict[str, str]
    first_year: int
    last_year: int


def _db_state(con: duckdb.DuckDBPyConnection) -> _DbState:
    regions = con.sql("SELECT code, name, short_name, level FROM region").pl()
    years = con.sql("SELECT min(base_year) AS a, max(target_year) AS b FROM plan").pl().row(0)
    first, last = (years[0] or 2020), (years[1] or 2030)
    return _DbState(RegionLookup(regions), dict(zip(regions["code"], regions["level"], strict=True)), first, last)


def normalise_coord_system(text: str | None) -> str | None:
    """The caller's coord_system argument, checked: None, WGS-84 or GCJ-02 (raises ValueError)."""
    if text is None or not str(text).strip():
        return None
    system = coord_system_of(text)
    if system is None:
        raise ValueError(f"未知坐标系“{text}”（可用：{'、'.join(COORD_SYSTEMS)}）")
    return system


def load_place_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    kind: str | None = None,
    coord_system: str | None = None,
    *,
    is_sample: bool = False,
    shapes: DistrictShapes | None = None,
    state: _DbState | None = None,
) -> FileReport:
    """Load one place file into `con` (inside the caller's transaction). Never raises on bad input."""
    path = Path(path)
    if kind is not None and kind not in KINDS:
        raise ValueError(f"未知数据类别“{kind}”（可用：{'、'.join(KINDS)}）")
    default_coord = normalise_coord_system(coord_system)
    digest = sha256_of(path)
    report = FileReport(file=path.name, sha256=digest, status="loaded")
    # a withdrawn file may be loaded again; any other loaded copy makes this one a no-op
    withdrawn = f" AND id NOT IN (SELECT submission_id FROM {WITHDRAWAL_TABLE})" if has_withdrawals(con) else ""
    seen = con.sql(
        f"SELECT id FROM submission WHERE sha256 = $s AND status = 'loaded'{withdrawn}", params={"s": digest}
    ).fetchall()
    if seen:
        report.status, report.submission_id = "unchanged", seen[0][0]
        report.message = f"{path.name} 已于之前载入（提交编号 {seen[0][0]}），本次未作改动"
        return report
    state = state or _db_state(con)

    def ctx_for(k: str) -> _Ctx:
        return _Ctx(k, path.name, state.regions, state.levels, state.first_year, state.last_year, default_coord)

    try:
        found_kind, ctx, read, notes = _read_file(path, kind, ctx_for)
    except UnreadableFile as exc:
        report.status, report.message = "failed", str(exc)
        report.findings.append(Finding(path.name, "", None, None, "unreadable", SEVERITY_ERROR, str(exc)))
        return report
    if found_kind is None or ctx is None:
        report.status = "failed"
        report.message = (
            f"文件“{path.name}”不像美丽庭院、儿童友好社区或村和社区数表格："
            f"{EXPECTED[COURTYARD]}；或{EXPECTED[CHILD_FRIENDLY]}；或{EXPECTED[COMMUNITY_COUNT]}。"
        )
        report.findings = [*notes, Finding(path.name, "", None, None, "no_header", SEVERITY_ERROR, report.message)]
        return report
    if read.sheets_read == 0:
        report.status = "failed"
        report.message = f"文件“{path.name}”中没有可识别的{KIND_LABELS[found_kind]}表头（{EXPECTED[found_kind]}）。"
        report.findings = [
            *ctx.findings,
            Finding(path.name, "", None, None, "no_header", SEVERITY_ERROR, report.message),
        ]
        return report
    rows = _dedupe(ctx, read.rows)
    if found_kind != COMMUNITY_COUNT:
        _check_points(ctx, rows, shapes or DistrictShapes.from_data_dir(settings.DATA_DIR))
        if ctx.assumed_wgs84:
            ctx.findings.append(
                Finding(
                    path.name,
                    "",
                    None,
                    None,
                    "assumed_wgs84",
                    SEVERITY_INFO,
                    f"文件“{path.name}”未注明坐标系：{ctx.assumed_wgs84}行坐标按 WGS-84（GPS）"
                    "换算为 GCJ-02（与边界一致）。如为高德/腾讯坐标，请加“坐标系”列填 GCJ-02。",
                )
            )
        if ctx.without_coords:
            ctx.findings.append(
                Finding(
                    path.name,
                    "",
                    None,
                    None,
                    "no_coordinates",
                    SEVERITY_INFO,
                    f"文件“{path.name}”有{ctx.without_coords}行没有经纬度，这些点不在地图上显示。",
                )
            )
    report.revisions = _note_revisions(con, ctx, rows)
    report.findings = ctx.findings
    report.accepted = len(rows)
    report.rejected = len({(s, n) for s, n, _, _, _ in ctx.rejected})
    _store(con, report, ctx, read, rows, is_sample=is_sample)
    report.message = (
        f"{path.name}（{KIND_LABELS[found_kind]}）：载入{report.accepted}行"
        f"（其中替换已有记录{report.revisions}行），拒绝{report.rejected}行"
    )
    return report


def load_places(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[Path],
    kind: str | None = None,
    coord_system: str | None = None,
    *,
    is_sample: bool = False,
    data_dir: Path | None = None,
    on_file: Callable[[FileReport], None] | None = None,
) -> list[FileReport]:
    """Load place files into an open write connection, one report per file.

    `kind` is courtyard | child_friendly | community_count, or None to tell from the headers.
    `coord_system` (WGS-84 | GCJ-02) applies to rows whose file states no 坐标系; with neither,
    WGS-84 (GPS) is assumed. Run it inside `etl.core.store.publish` like every other load.
    """
    shapes = DistrictShapes.from_data_dir(Path(data_dir or settings.DATA_DIR))
    state = _db_state(con)
    reports = []
    for path in paths:
        report = load_place_file(con, Path(path), kind, coord_system, is_sample=is_sample, shapes=shapes, state=state)
        reports.append(report)
        if on_file:
            on_file(report)
    return reports


# --- command line ----------------------------------------------------------------------------


def register_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add `load-places` to the `python -m etl` sub-commands; run it with `cmd_load_places`."""
    p = subparsers.add_parser("load-places", help="载入美丽庭院、儿童友好社区/儿童之家或村和社区数表格（xlsx/xls/csv）")
    p.add_argument("files", nargs="+", type=Path)
    p.add_argument(
        "--kind",
        choices=KINDS,
        help="courtyard（美丽庭院）、child_friendly（儿童友好社区/儿童之家）、"
        "community_count（村和社区数）；不填则按表头判断",
    )
    p.add_argument(
        "--coord-system", dest="coord_system", help="文件未注明坐标系时使用：WGS-84（GPS，默认）或 GCJ-02（高德/腾讯）"
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出每个文件的结果")
    return p


def cmd_load_places(args: argparse.Namespace, console: Any) -> int:
    """`python -m etl load-places …`: same atomic path and summary as `load`."""
    import json

    from etl.core.store import publish

    missing = [str(f) for f in args.files if not Path(f).is_file()]
    if missing:
        console.print(f"[red]找不到文件：{'、'.join(missing)}[/]")
        return 2
    try:
        normalise_coord_system(args.coord_system)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    db = settings.db_path()
    if not db.exists():
        console.print(f"[red]数据库 {db} 不存在，请先运行 python -m etl build[/]")
        return 2

    def change(con: duckdb.DuckDBPyConnection) -> tuple[list[FileReport], bool]:
        out = load_places(con, args.files, args.kind, args.coord_system)
        return out, any(r.status == "loaded" for r in out)

    reports = publish(db, change)
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        _print_summary(console, reports)
    return 1 if any(r.status == "failed" for r in reports) else 0


_STATUS_ZH = {"loaded": "已载入", "unchanged": "未变（重复文件）", "failed": "失败"}


def _print_summary(console: Any, reports: list[FileReport]) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="载入结果")
    for col in ("文件", "状态", "载入", "替换", "拒绝"):
        table.add_column(col)
    for r in reports:
        table.add_row(r.file, _STATUS_ZH[r.status], str(r.accepted), str(r.revisions), str(r.rejected))
    console.print(table)
    for r in reports:
        for f in r.findings:
            if f.severity != SEVERITY_INFO:
                colour = "red" if f.severity == SEVERITY_ERROR else "yellow"
                console.print(f"[{colour}]{escape(f.message)}[/]", highlight=False)
        if r.status == "failed":
            console.print(f"[red]{escape(r.message)}[/]", highlight=False)
