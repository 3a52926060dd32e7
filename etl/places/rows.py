"""One row of a place file → a record (village × year, community × kind, or district × year),
or a RowError naming the cell. Coordinates are converted to GCJ-02 here; a coordinate problem
is a warning and the row still loads.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from etl.core.numbers import parse_number, parse_year
from etl.core.records import SEVERITY_WARNING, Finding
from etl.core.text import squash, tidy
from etl.places.sheet import PlaceHeader
from etl.places.vocabulary import (
    BAIDU_WORDS,
    CHILD_FRIENDLY,
    CHILD_HOME,
    COMMUNITY_COUNT,
    COURTYARD,
    FRIENDLY,
    IN_PROGRESS,
    LEVEL_WORDS,
    LEVELS,
    NAMED,
    REVOKED,
    STATUS_WORDS,
    WGS84,
    coord_system_of,
)
from etl.regions import coords
from etl.returns.lookup import RegionLookup
from etl.returns.readers import column_letter

# China's extent with a margin, for telling a typo (or swapped columns) from a real point.
_LON_RANGE = (73.0, 136.0)
_LAT_RANGE = (3.0, 54.0)
_COORD_JUNK = re.compile(r"^(?:东经|北纬|e|n)|(?:°|度|e|n)$", re.IGNORECASE)


@dataclass
class PlaceRow:
    sheet: str
    row: int
    cells: tuple[str, ...]
    values: dict[str, Any]
    key: tuple
    compare: tuple  # what must agree between duplicates
    located_from: tuple[float, float] | None = None  # coordinates as written, for messages


@dataclass
class RowContext:
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


def where_in_file(ctx: RowContext, sheet: str, row: int | None, col: int | None) -> str:
    text = f"文件“{ctx.file}”工作表“{sheet}”"
    if row is not None:
        text += f"第{row}行"
    if col is not None:
        text += f"{column_letter(col)}列"
    return text


class RowError(Exception):
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
            raise RowError(col, "missing_value", f"“{label}”为空")
        return None
    if num.error or num.value is None or num.unit is not None:
        raise RowError(col, "non_numeric", f"“{label}”应为整数，实为“{text}”")
    if num.value < 0:
        raise RowError(col, "negative", f"“{label}”不能为负数（{text}）")
    if num.value != int(num.value):
        raise RowError(col, "not_integer", f"“{label}”应为整数，实为“{text}”")
    return int(num.value)


def _district(ctx: RowContext, cells: tuple[str, ...], cols: dict[str, int]) -> str:
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
            raise RowError(col, "unknown_district", f"区县“{text}”无法识别（相近的地区：{hint}）")
        if len(match.codes) > 1:
            names = "、".join(f"{ctx.regions.name(c)}({c})" for c in match.codes)
            raise RowError(col, "ambiguous_district", f"区县“{text}”对应多个地区（{names}），请填写区县代码")
        found.append((match.codes[0], col))
    if not found:
        col = cols.get("district_name", cols.get("district_code"))
        raise RowError(col, "missing_district", "所属区县为空")
    codes = {c for c, _ in found}
    if len(codes) > 1:
        raise RowError(found[1][1], "district_mismatch", f"区县代码“{code_text}”与区县名称“{name_text}”不是同一地区")
    code, col = found[0]
    if ctx.levels.get(code) != "county":
        raise RowError(col, "not_a_district", f"“{ctx.regions.name(code)}”不是区县级地区，请填写所属区县")
    return code


def _year(ctx: RowContext, cells: tuple[str, ...], cols: dict[str, int], default: int | None) -> int:
    text = _cell(cells, cols, "year")
    if not text:
        if default is None:
            raise RowError(cols.get("year"), "bad_year", "年份为空（表中和标题中都没有年份）")
        return default
    year = parse_year(text)
    if year is None:
        raise RowError(cols["year"], "bad_year", f"年份“{text}”无法识别")
    if not ctx.first_year <= year <= ctx.last_year:
        raise RowError(
            cols["year"], "year_out_of_plan", f"年份{year}不在规划期内（{ctx.first_year}—{ctx.last_year}年）"
        )
    return year


def _coord_number(text: str) -> float | None:
    s = _COORD_JUNK.sub("", squash(text))
    try:
        return float(s)
    except ValueError:
        return None


class _Unplaced(Exception):
    """Why a row's point cannot be shown; the row itself still loads."""

    def __init__(self, col: int | None, rule: str, message: str) -> None:
        super().__init__(message)
        self.col, self.rule, self.message = col, rule, message


def _location(
    ctx: RowContext, sheet: str, rownum: int, cells: tuple[str, ...], cols: dict[str, int], title_coord: str | None
) -> tuple[float | None, float | None, tuple[float, float] | None]:
    """(lon, lat) in GCJ-02 or (None, None); problems are warnings, the row still loads."""
    lon_text, lat_text = _cell(cells, cols, "lon"), _cell(cells, cols, "lat")
    if not lon_text and not lat_text:
        ctx.without_coords += 1
        return None, None, None
    try:
        lon, lat = _lon_lat(lon_text, lat_text, cols)
        system = _coord_system(ctx, _cell(cells, cols, "coord_system") or title_coord, cols)
    except _Unplaced as why:
        ctx.findings.append(
            Finding(
                ctx.file,
                sheet,
                rownum,
                column_letter(why.col) if why.col is not None else None,
                why.rule,
                SEVERITY_WARNING,
                f"{where_in_file(ctx, sheet, rownum, why.col)}：{why.message}，该点不在地图上显示（数据照常载入）",
            )
        )
        return None, None, None
    if system == WGS84:
        glon, glat = coords.wgs84_to_gcj02(lon, lat)
    else:
        glon, glat = lon, lat
    return round(glon, 6), round(glat, 6), (lon, lat)


def _lon_lat(lon_text: str, lat_text: str, cols: dict[str, int]) -> tuple[float, float]:
    """Decimal degrees inside China's extent, or _Unplaced saying what is wrong."""
    if not lon_text or not lat_text:
        missing = "纬度" if lon_text else "经度"
        raise _Unplaced(cols.get("lat" if lon_text else "lon"), "bad_coordinates", f"只填了经纬度之一（缺{missing}）")
    lon, lat = _coord_number(lon_text), _coord_number(lat_text)
    if lon is None or lat is None:
        bad, col = (lon_text, cols["lon"]) if lon is None else (lat_text, cols["lat"])
        raise _Unplaced(col, "bad_coordinates", f"坐标“{bad}”不是十进制度数（如 117.9135）")
    in_lon = _LON_RANGE[0] <= lon <= _LON_RANGE[1]
    in_lat = _LAT_RANGE[0] <= lat <= _LAT_RANGE[1]
    if not (in_lon and in_lat):
        if _LON_RANGE[0] <= lat <= _LON_RANGE[1] and _LAT_RANGE[0] <= lon <= _LAT_RANGE[1]:
            raise _Unplaced(cols["lon"], "bad_coordinates", f"经度{lon_text}、纬度{lat_text}疑似填反")
        raise _Unplaced(
            cols["lon"] if not in_lon else cols["lat"],
            "bad_coordinates",
            f"坐标（经度{lon_text}，纬度{lat_text}）不在中国境内",
        )
    return lon, lat


def _coord_system(ctx: RowContext, written: str | None, cols: dict[str, int]) -> str:
    """The row's coordinate system: as written (row, then title), else the caller's, else WGS-84
    (counted, so the file's report can say it was assumed)."""
    if written:
        system = coord_system_of(written)
        if system is None:
            col = cols.get("coord_system")
            if squash(written).lower().replace("_", "-") in BAIDU_WORDS:
                raise _Unplaced(
                    col,
                    "unsupported_coord_system",
                    f"坐标系“{written}”（百度 BD-09）暂不支持，请换算为 WGS-84 或 GCJ-02 后再载入",
                )
            raise _Unplaced(col, "unknown_coord_system", f"坐标系“{written}”无法识别（可填 WGS-84 或 GCJ-02）")
        return system
    if ctx.default_coord:
        return ctx.default_coord
    ctx.assumed_wgs84 += 1
    return WGS84


def _courtyard_row(ctx: RowContext, header: PlaceHeader, sheet: str, n: int, cells: tuple[str, ...]) -> PlaceRow:
    cols = header.columns
    district = _district(ctx, cells, cols)
    year = _year(ctx, cells, cols, header.year)
    code = squash(_cell(cells, cols, "village_code")).removesuffix(".0") or None
    name = tidy(_cell(cells, cols, "village_name")) or None
    if name is None and code is None:
        raise RowError(cols.get("village_name"), "missing_name", "村（社区）名称为空")
    if code is not None and not code.isdigit():
        raise RowError(cols["village_code"], "bad_village_code", f"村代码“{code}”应全为数字")
    rural = _count(cells, cols, "rural_households", "农村户数", required=True)
    done = _count(cells, cols, "courtyard_households", "美丽庭院户数", required=True)
    premium = _count(cells, cols, "premium_households", "精品（示范）户数", required=False)
    assert rural is not None and done is not None
    if done > rural:
        raise RowError(cols["courtyard_households"], "courtyard_over_rural", f"美丽庭院户数{done}大于农村户数{rural}")
    if premium is not None and premium > done:
        raise RowError(
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
                f"{where_in_file(ctx, sheet, n, cols['village_code'])}：村代码{code}的前6位与所属区县"
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
    return PlaceRow(sheet, n, cells, values, (district, code or name, year), (rural, done, premium), raw)


def _child_row(ctx: RowContext, header: PlaceHeader, sheet: str, n: int, cells: tuple[str, ...]) -> PlaceRow:
    cols = header.columns
    district = _district(ctx, cells, cols)
    name = tidy(_cell(cells, cols, "community_name"))
    if not name:
        raise RowError(cols.get("community_name"), "missing_name", "社区名称为空")
    kind_text = squash(_cell(cells, cols, "kind"))
    if "儿童之家" in kind_text:
        kind = CHILD_HOME
    elif "友好" in kind_text:
        kind = FRIENDLY
    else:
        raise RowError(cols["kind"], "unknown_kind", f"类别“{kind_text}”无法识别（应为“儿童友好社区”或“儿童之家”）")
    level_text = squash(_cell(cells, cols, "level"))
    level = LEVEL_WORDS.get(level_text) if level_text else None
    if level_text and level is None:
        raise RowError(cols["level"], "unknown_level", f"级别“{level_text}”无法识别（可填：{'、'.join(LEVELS)}）")
    year_text = _cell(cells, cols, "year_named")
    year_named = parse_year(year_text) if year_text else None
    if year_text and year_named is None:
        raise RowError(cols["year_named"], "bad_year", f"命名年份“{year_text}”无法识别")
    if year_named is not None and year_named > datetime.now().year:
        raise RowError(cols["year_named"], "future_year", f"命名年份{year_named}晚于今年")
    status_text = squash(_cell(cells, cols, "status"))
    if status_text:
        status = STATUS_WORDS.get(status_text)
        if status is None:
            raise RowError(
                cols["status"],
                "unknown_status",
                f"状态“{status_text}”无法识别（可填：{NAMED}、{IN_PROGRESS}、{REVOKED}）",
            )
    elif year_named is not None:
        status = NAMED  # a year it was named in says it is named
    else:
        raise RowError(
            cols.get("status", cols.get("year_named")), "missing_status", "状态和命名年份均为空，无法判断是否已命名"
        )
    if status == NAMED and year_named is None:
        raise RowError(
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
    return PlaceRow(sheet, n, cells, values, (district, name, kind), (level, year_named, status), raw)


def _count_row(ctx: RowContext, header: PlaceHeader, sheet: str, n: int, cells: tuple[str, ...]) -> PlaceRow:
    cols = header.columns
    district = _district(ctx, cells, cols)
    year = _year(ctx, cells, cols, header.year)
    villages = _count(cells, cols, "villages", "行政村数", required=False)
    communities = _count(cells, cols, "communities", "社区数", required=False)
    if villages is None and communities is None:
        raise RowError(cols.get("villages", cols.get("communities")), "missing_value", "行政村数和社区数均为空")
    values = {"district_code": district, "year": year, "villages": villages, "communities": communities}
    return PlaceRow(sheet, n, cells, values, (district, year), (villages, communities))


ROW_READERS: dict[str, Callable[[RowContext, PlaceHeader, str, int, tuple[str, ...]], PlaceRow]] = {
    COURTYARD: _courtyard_row,
    CHILD_FRIENDLY: _child_row,
    COMMUNITY_COUNT: _count_row,
}
