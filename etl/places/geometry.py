"""Where the points are: the district polygons of every region under data/regions/, and the
warnings for a point outside every district or inside another one than the row names."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.prepared import prep

from etl.core.records import SEVERITY_INFO, SEVERITY_WARNING, Finding
from etl.places.rows import PlaceRow, RowContext, where_in_file

# Boundaries are simplified to 0.001° (≈100 m) and villages sit on borders: a point this close
# to the district it names is taken to be in it, so simplification never raises a warning.
BORDER_TOLERANCE_DEG = 0.002


# path -> ((mtime_ns, size), features): parsing a province's polygons costs far more than the
# checks that use them, and a process that loads several place files reads the same files
_parsed: dict[str, tuple[tuple[int, int], list[dict[str, Any]]]] = {}


def _features(path: Path) -> list[dict[str, Any]]:
    """The features of one boundary file, parsed once per version of the file (read only)."""
    st = path.stat()
    stamp = (st.st_mtime_ns, st.st_size)
    hit = _parsed.get(str(path))
    if hit is None or hit[0] != stamp:
        hit = (stamp, json.loads(path.read_text(encoding="utf-8")).get("features", []))
        _parsed[str(path)] = hit
    return hit[1]


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

        features: list[dict[str, Any]] = []
        for path in sorted(Path(data_dir).glob("regions/*/boundaries.geojson")):
            # a province's boundaries are its cities: its counties.geojson holds the districts
            counties = path.with_name("counties.geojson")
            path = counties if counties.exists() else path
            features += _features(path)
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


def check_points(ctx: RowContext, rows: list[PlaceRow], shapes: DistrictShapes) -> None:
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
            where = where_in_file(ctx, r.sheet, r.row, None)
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
