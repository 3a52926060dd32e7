"""Sample place records (示例数据): 美丽庭院 villages, 儿童之家 / 儿童友好社区, and counts.

Names are made up (示例村001, 示例社区001, 示例镇01, 示例街道01) and codes follow the shape
of real 12-digit village codes (district + 3-digit 乡镇/街道 + 3-digit 村/社区) without being
real ones. Points are drawn with the seeded generator until they fall inside the right
district polygon, in the boundaries' own datum (GCJ-02).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from shapely.geometry import shape

from etl.places.vocabulary import CHILD_HOME, FRIENDLY, IN_PROGRESS, NAMED, REVOKED
from etl.regions import geo
from etl.sample.model import YEARS, District, IndicatorInfo

COUNT_COLUMNS = ["district_code", "year", "villages", "communities"]

# Villages and urban communities per district for the shipped region: the urban core
# (张店) has many communities and few villages, the outer counties the reverse.
SIZES = {
    "370302": (75, 45),
    "370303": (40, 90),
    "370304": (60, 30),
    "370305": (70, 40),
    "370306": (50, 35),
    "370321": (70, 20),
    "370322": (65, 15),
    "370323": (80, 15),
}


@dataclass(frozen=True)
class Places:
    courtyard: pl.DataFrame
    child_friendly: pl.DataFrame
    community_count: pl.DataFrame


@dataclass(frozen=True)
class _Site:
    code: str  # 12-digit made-up village/community code
    name: str
    street: str
    lon: float
    lat: float
    is_village: bool


def _clamp(v: float, lo: float, hi: float) -> float:
    return min(max(v, lo), hi)


def _inside(
    rng: random.Random,
    code: str,
    boundaries: dict[str, Any],
    bounds: tuple,
    centre: tuple[float, float] | None = None,
    spread: float = 0.0,
) -> tuple[float, float]:
    """A point of district `code`, near `centre` when given, else anywhere in it.

    The rounded point is tested, so what is written is what was checked.
    """
    minx, miny, maxx, maxy = bounds
    for attempt in range(2000):
        if centre is not None and attempt < 500:
            x, y = rng.gauss(centre[0], spread), rng.gauss(centre[1], spread)
        else:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        x, y = round(x, 6), round(y, 6)
        if geo.point_in_district(x, y, boundaries) == code:
            return x, y
    raise RuntimeError(f"未能在 {code} 的边界内取点")


def _sites(
    d: District,
    villages: int,
    communities: int,
    boundaries: dict[str, Any],
    numbering: dict[str, int],
    rng: random.Random,
) -> list[_Site]:
    feature = next(f for f in boundaries["features"] if f["properties"]["adcode"] == d.code)
    polygon = shape(feature["geometry"])
    bounds = polygon.bounds
    core = polygon.representative_point()
    sites = []
    towns = max(3, villages // 12)
    centres = [_inside(rng, d.code, boundaries, bounds) for _ in range(towns)]
    town_names = []
    for _ in range(towns):
        numbering["town"] += 1
        town_names.append(f"示例镇{numbering['town']:02d}")
    per_town = [0] * towns
    for i in range(villages):
        t = i % towns
        per_town[t] += 1
        numbering["village"] += 1
        lon, lat = _inside(rng, d.code, boundaries, bounds, centres[t], 0.03)
        sites.append(
            _Site(
                f"{d.code}{100 + t + 1:03d}{200 + per_town[t]:03d}",
                f"示例村{numbering['village']:03d}",
                town_names[t],
                lon,
                lat,
                True,
            )
        )
    streets = max(2, communities // 10)
    street_centres = [_inside(rng, d.code, boundaries, bounds, (core.x, core.y), 0.03) for _ in range(streets)]
    street_names = []
    for _ in range(streets):
        numbering["street"] += 1
        street_names.append(f"示例街道{numbering['street']:02d}")
    per_street = [0] * streets
    for i in range(communities):
        s = i % streets
        per_street[s] += 1
        numbering["community"] += 1
        lon, lat = _inside(rng, d.code, boundaries, bounds, street_centres[s], 0.01)
        sites.append(
            _Site(
                f"{d.code}{s + 1:03d}{per_street[s]:03d}",
                f"示例社区{numbering['community']:03d}",
                street_names[s],
                lon,
                lat,
                False,
            )
        )
    return sites


def _courtyard_rows(d: District, p: float, sites: list[_Site], rng: random.Random) -> list[dict]:
    rows = []
    start = _clamp(0.22 + 0.12 * p + rng.gauss(0, 0.03), 0.05, 0.6)
    growth = _clamp(0.065 + 0.02 * p + rng.gauss(0, 0.01), 0.02, 0.12)
    for site in (s for s in sites if s.is_village):
        households = rng.randint(120, 650)
        cover = _clamp(start + rng.gauss(0, 0.1), 0.02, 0.9)
        premium_share = rng.uniform(0.05, 0.1)
        done = 0
        for i, year in enumerate(YEARS):
            if i:
                cover = _clamp(cover + max(0.0, growth + rng.gauss(0, 0.03)), 0.0, 0.98)
            rural = round(households * (1 - 0.005 * i))  # slow out-migration
            done = min(rural, max(done, round(rural * cover)))  # 美丽庭院 are rarely withdrawn
            premium = min(done, round(done * (premium_share + 0.02 * i)))
            rows.append(
                {
                    "village_code": site.code,
                    "village_name": site.name,
                    "district_code": d.code,
                    "street": site.street,
                    "year": year,
                    "rural_households": rural,
                    "courtyard_households": done,
                    "premium_households": premium,
                    "lon": site.lon,
                    "lat": site.lat,
                }
            )
    return rows


def _first_year(u: float, coverage: dict[int, float]) -> int | None:
    return next((y for y, c in sorted(coverage.items()) if u < c), None)


def _child_rows(d: District, p: float, sites: list[_Site], rng: random.Random) -> list[dict]:
    rows = []

    def row(site: _Site, kind: str, level: str, year: int | None, status: str) -> dict:
        return {
            "community_name": site.name,
            "district_code": d.code,
            "street": site.street,
            "kind": kind,
            "level": level,
            "year_named": year,
            "status": status,
            "lon": site.lon,
            "lat": site.lat,
        }

    # 儿童之家 in villages and communities: most exist by 2020, nearly all by 2024
    c20 = _clamp(0.72 + 0.12 * p + rng.gauss(0, 0.03), 0.5, 0.93)
    c24 = _clamp(c20 + 0.12 + 0.04 * p, c20, 0.99)
    homes = {y: c20 * (1 - 0.12 * (2020 - y)) for y in range(2016, 2021)}
    homes.update({y: c20 + (c24 - c20) * (y - 2020) / 4 for y in YEARS[1:]})
    for site in sites:
        u = rng.random()
        year = _first_year(u, homes)
        if year is not None:
            level = "省级" if year <= 2022 and rng.random() < 0.12 else "市级"
            rows.append(row(site, CHILD_HOME, level, year, NAMED))
        elif u < c24 + 0.04:
            rows.append(row(site, CHILD_HOME, "市级", None, IN_PROGRESS))

    # 儿童友好社区 in urban communities, named from 2021 on
    share = _clamp(0.2 + 0.12 * p + rng.gauss(0, 0.03), 0.05, 0.5)
    friendly = {y: share * (y - 2020) / 4 for y in YEARS[1:]}
    communities = [s for s in sites if not s.is_village]
    draws = [rng.random() for _ in communities]
    if draws and min(draws) >= share:
        # every district has made a start by 2024, so no coverage line stays flat at zero
        draws[draws.index(min(draws))] = share * 0.9
    for site, u in zip(communities, draws, strict=True):
        year = _first_year(u, friendly)
        if year is not None:
            level = "省级" if rng.random() < 0.25 else "市级"
            rows.append(row(site, FRIENDLY, level, year, NAMED))
        elif u < share + 0.06:
            rows.append(row(site, FRIENDLY, "市级", None, IN_PROGRESS))
    return rows


def build_places(
    districts: list[District], boundaries: dict[str, Any], profiles: dict[str, float], seed: int
) -> Places:
    """Villages, communities, 美丽庭院 households and 儿童之家/儿童友好社区 for every district."""
    numbering = {"town": 0, "village": 0, "street": 0, "community": 0}
    courtyard: list[dict] = []
    child: list[dict] = []
    counts: list[dict] = []
    for d in districts:
        rng = random.Random(f"{seed}:places:{d.code}")
        p = profiles[d.code]
        villages, communities = SIZES.get(d.code) or (rng.randint(40, 80), int(15 + 30 * (p + 1) + rng.randint(0, 10)))
        sites = _sites(d, villages, communities, boundaries, numbering, rng)
        courtyard += _courtyard_rows(d, p, sites, rng)
        child += _child_rows(d, p, sites, rng)
        counts += [
            {"district_code": d.code, "year": y, "villages": villages, "communities": communities} for y in YEARS
        ]
    # The best district's earliest 儿童友好社区 is the region's one 国家级 example, and one
    # 儿童之家 somewhere was withdrawn: both cases a map legend has to handle.
    best = max(districts, key=lambda d: profiles[d.code]).code
    named = [r for r in child if r["kind"] == FRIENDLY and r["status"] == NAMED and r["district_code"] == best]
    if named:
        min(named, key=lambda r: (r["year_named"], r["community_name"]))["level"] = "国家级"
    homes = [r for r in child if r["kind"] == CHILD_HOME and r["status"] == NAMED]
    if len(homes) > 1:
        homes[len(homes) // 2]["status"] = REVOKED

    schema_c = {
        "village_code": pl.String,
        "village_name": pl.String,
        "district_code": pl.String,
        "street": pl.String,
        "year": pl.Int64,
        "rural_households": pl.Int64,
        "courtyard_households": pl.Int64,
        "premium_households": pl.Int64,
        "lon": pl.Float64,
        "lat": pl.Float64,
    }
    schema_f = {
        "community_name": pl.String,
        "district_code": pl.String,
        "street": pl.String,
        "kind": pl.String,
        "level": pl.String,
        "year_named": pl.Int64,
        "status": pl.String,
        "lon": pl.Float64,
        "lat": pl.Float64,
    }
    schema_n = {"district_code": pl.String, "year": pl.Int64, "villages": pl.Int64, "communities": pl.Int64}
    return Places(
        pl.DataFrame(courtyard, schema=schema_c, orient="row"),
        pl.DataFrame(child, schema=schema_f, orient="row").sort(
            "district_code", "kind", "community_name", maintain_order=True
        ),
        pl.DataFrame(counts, schema=schema_n, orient="row"),
    )


def derived_values(places: Places, info: dict[str, IndicatorInfo]) -> dict[tuple[str, str, int], float]:
    """美丽庭院创建率, 儿童之家覆盖率 and 儿童友好社区覆盖率 per district and year, in %.

    Same rules the dashboard applies to these records: only 已命名 places named in or before
    the year count; denominators come from community_count.
    """
    out: dict[tuple[str, str, int], float] = {}
    c = places.courtyard.group_by("district_code", "year").agg(
        pl.col("courtyard_households").sum(), pl.col("rural_households").sum()
    )
    for code, year, done, rural in c.select(
        "district_code", "year", "courtyard_households", "rural_households"
    ).iter_rows():
        if "L-COURTYARD-01" in info and rural:
            out[("L-COURTYARD-01", code, year)] = 100.0 * done / rural
    named = places.child_friendly.filter(pl.col("status") == NAMED)
    for code, year, villages, communities in places.community_count.iter_rows():
        upto = named.filter((pl.col("district_code") == code) & (pl.col("year_named") <= year))
        homes = upto.filter(pl.col("kind") == CHILD_HOME).height
        friendly = upto.filter(pl.col("kind") == FRIENDLY).height
        if "C-WELFARE-08" in info and villages + communities:
            out[("C-WELFARE-08", code, year)] = 100.0 * homes / (villages + communities)
        if "L-CHILD-01" in info and communities:
            out[("L-CHILD-01", code, year)] = 100.0 * friendly / communities
    return out


def whole_region_values(
    places: Places, info: dict[str, IndicatorInfo], region_code: str
) -> dict[tuple[str, str, int], float]:
    """derived_values for the whole region: the records of all its districts pooled, so the
    city's rate is a ratio of sums (as an office computes it), not a mean of district rates."""
    pooled = Places(
        places.courtyard.with_columns(pl.lit(region_code).alias("district_code")),
        places.child_friendly.with_columns(pl.lit(region_code).alias("district_code")),
        places.community_count.with_columns(pl.lit(region_code).alias("district_code"))
        .group_by("district_code", "year", maintain_order=True)
        .agg(pl.col("villages").sum(), pl.col("communities").sum())
        .select(COUNT_COLUMNS),
    )
    return derived_values(pooled, info)


def write_places(places: Places, out_dir: Path) -> list[Path]:
    """courtyard.csv, child_friendly.csv, community_count.csv (UTF-8 with BOM, for Excel)."""
    paths = []
    for name, frame in (
        ("courtyard.csv", places.courtyard),
        ("child_friendly.csv", places.child_friendly),
        ("community_count.csv", places.community_count),
    ):
        path = Path(out_dir) / name
        frame.write_csv(path, include_bom=True)
        paths.append(path)
    return paths
