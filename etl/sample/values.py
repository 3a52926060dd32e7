"""Deterministic sample data (示例数据): member-unit returns plus 美丽庭院 / 儿童友好 records.

What gets generated is described in `data/samples/sample_spec.csv`, one row per indicator of the
catalogue (every one, in all 15 domains):

- `unit_code`, `layout`: which member unit's return carries it, in which of the three template
  layouts (`long`, `wide_by_district`, `wide_by_year`; one layout per unit). The indicator's lead
  unit carries it; 定性 goals (no unit) and indicators without a lead unit are carried by the
  office (妇儿工委办) as its own assessments.
- `base_2020`, `step_per_year`, `noise`: the value of district d in year y is
  base + 1.5·noise·p_d·s + 0.5·noise·z_d + step·(y − 2020) + 0.3·noise·e_{d,y}, where p_d ∈ [−1, 1]
  is the district's profile (how well it does overall), s = +1 when higher is better and −1
  when lower is better, and z, e are standard normal draws from the seeded generator. The five
  values are then put in order so each year is no worse than the year before: without a
  scenario a pair never regresses and never loses a target it reached (those are scenarios).
  Values are kept inside the indicator's bounds (etl.core.bounds). Levels start near the national
  value where data/national/values.csv has one. A 定性 goal has 0 decimals and bounds 0–1, so
  its values are 1 (已实现) or 0 (未实现): base 1 with no noise is met everywhere; a lower base
  with noise leaves the weaker districts at 0 for a while.
- `scenario`: `|`-separated `kind@district[/year]` items that override one district's path so
  the dashboard has every status to show. Kinds: `achieved` (target met in 2024), `on_track`
  (not met, progress ≥ time elapsed towards 2030), `lagging` (progress below time elapsed),
  `regress` (moved away from the target since 2020), `lost` (得而复失: met in 2022 and 2023,
  not in 2024), `gap@district/year` (cell left empty). `derived`: the value is computed from
  the generated 美丽庭院 / 儿童之家 / 儿童友好社区 records, so returns and maps agree.
  A district is a 6-digit code or `#n` (n-th county-level division of the region, 1-based).
- `whole` (optional): how the region's own 全市 figure follows its districts — `mean` (the
  default, rates; for a 0/1 goal the districts' majority) or `sum` (counts such as 托位总数).
- `decimals` (optional): stored precision where the catalogue's is too coarse for a city
  (亿人 at two decimals would read 0.00 for a district).
- `note`: why the row's numbers are what they are.

A measure both outlines list under one name and unit (产前筛查率, 九年义务教育巩固率 …) is
listed once; its twin gets the same values (a long return writes both codes, a wide return the
name once, which the loader counts for both).

The stories the pages can show, all in the default region (淄博):
- a lagging district: 孕产妇死亡率 in 沂源县 (张店区 has met the target);
- 得而复失: 婴儿死亡率 in 高青县, met in 2022, missed again in 2024;
- a regression: 小学生近视率 in 博山区 rises from its 2020 baseline;
- a unit that has not reported: 医保局 sent no 2024 return at all (`NOT_REPORTED`);
- a value still 待审核: the build approves every sample return (actor 示例数据（自动审核）) except
  教育局's 2024 return (`PENDING_REVIEW`), so under the publication rule its 2024 values are
  pending review;
- 定性 goals mostly 已实现, a few 未实现 (儿童超重、肥胖, 公共厕所女性厕位与母婴设施) and one met
  only in 2024 (男女收入差距).

Targets, names, units and decimals come from `data/catalogue/` when it exists; otherwise
from the national reference CSVs. Same seed, same spec, same catalogue → identical files.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from etl.core import bounds
from etl.core.records import TOTAL
from etl.regions import geo
from etl.sample.model import RURAL, URBAN, YEARS, District, IndicatorInfo
from etl.sample.places import Places, build_places, derived_values, write_places
from etl.sample.places import whole_region_values as whole_places
from etl.sample.returns import write_return

BASE_YEAR = 2020
TARGET_YEAR = 2030
LAYOUTS = ("long", "wide_by_district", "wide_by_year")
SCENARIO_KINDS = ("achieved", "on_track", "lagging", "regress", "lost", "gap")
WHOLE_RULES = ("mean", "sum")
SPEC_FILE = Path("samples") / "sample_spec.csv"
# Fixed workbook creation time: xlsxwriter stamps it into docProps and the zip entries, so a
# fixed value makes the files byte-identical from run to run.
CREATED = datetime(2025, 3, 31, 9, 0, 0)

WHOLE = "全市"  # how a city's return heads its own figure (etl.returns.lookup.WHOLE_REGION)
# Indicators whose values are computed from the generated place records (etl.sample.places).
DERIVED = ("L-COURTYARD-01", "C-WELFARE-08", "L-CHILD-01")
# Stories told by the returns as a whole rather than by one indicator (see the docstring): the
# unit that has not sent its last-year return, and the unit whose last-year return the office
# has not reviewed yet (the build approves every other sample return).
NOT_REPORTED = ("medical_insurance", YEARS[-1])
PENDING_REVIEW = ("education", YEARS[-1])

# Fallback names when data/catalogue/units.csv is not there (yet).
UNIT_NAMES = {
    "health": "卫生健康委",
    "education": "教育局",
    "civil_affairs": "民政局",
    "hrss": "人力资源社会保障局",
    "women_federation": "妇联",
    "market_regulation": "市场监管局",
    "statistics": "统计局",
    "trade_union": "总工会",
    "development_reform": "发展改革委",
    "women_children_office": "妇儿工委办",
}
# Fallback facts for the local indicators no national file lists.
_LOCAL = {
    "L-COURTYARD-01": ("美丽庭院创建率", "%", "地方特色指标", "up"),
    "L-CHILD-01": ("儿童友好社区覆盖率", "%", "地方特色指标", "up"),
}
_BREAKDOWN_FALLBACK = {"C-HEALTH-04": "城镇|农村", "W-HEALTH-02": "城镇|农村"}
_REFERENCE_FILES = ("women_outline_2021_2030.csv", "children_outline_2021_2030.csv")

# Profiles for the shipped default region: the urban core does best, the mountain and plain
# counties further out do worse — what a reader of a 淄博 dashboard would find plausible.
PROFILES = {
    "370302": 0.1,  # 淄川区
    "370303": 1.0,  # 张店区
    "370304": -0.3,  # 博山区
    "370305": 0.5,  # 临淄区
    "370306": 0.3,  # 周村区
    "370321": 0.2,  # 桓台县
    "370322": -0.5,  # 高青县
    "370323": -0.8,  # 沂源县
}


@dataclass(frozen=True)
class Scenario:
    kind: str
    district: str  # 6-digit code or "#n"
    year: int | None = None


@dataclass(frozen=True)
class SpecRow:
    indicator_code: str
    unit_code: str
    layout: str
    base: float | None
    step: float
    noise: float
    scenarios: tuple[Scenario, ...]
    derived: bool
    note: str
    whole: str = "mean"  # how the region's own figure follows its districts: mean or sum
    decimals: int | None = None  # stored precision when the catalogue's is too coarse for a city


class SampleError(ValueError):
    """The spec or the catalogue does not allow generating the samples; message in Chinese."""


# ---------------------------------------------------------------------------------- spec


def _float(text: str | None) -> float | None:
    text = (text or "").strip()
    return float(text) if text else None


def _scenarios(text: str, code: str) -> tuple[tuple[Scenario, ...], bool]:
    items = [s.strip() for s in (text or "").split("|") if s.strip()]
    if items == ["derived"]:
        return (), True
    out = []
    for item in items:
        kind, _, where = item.partition("@")
        district, _, year = where.partition("/")
        if kind not in SCENARIO_KINDS or not district or (kind == "gap") != bool(year):
            raise SampleError(f"示例规格 {code} 的情景写法无法识别：{item}")
        out.append(Scenario(kind, district, int(year) if year else None))
    return tuple(out), False


def load_spec(path: Path) -> list[SpecRow]:
    """Rows of sample_spec.csv, checked: known layout, one layout per unit, numbers present."""
    frame = pl.read_csv(path, infer_schema=False)
    rows = []
    for r in frame.iter_rows(named=True):
        code = r["indicator_code"].strip()
        scenarios, derived = _scenarios(r["scenario"] or "", code)
        if r["layout"] not in LAYOUTS:
            raise SampleError(f"示例规格 {code} 的版式 {r['layout']} 不是 {'/'.join(LAYOUTS)} 之一")
        base = _float(r["base_2020"])
        if base is None and not derived:
            raise SampleError(f"示例规格 {code} 缺少 base_2020")
        whole = (r.get("whole") or "").strip() or "mean"
        if whole not in WHOLE_RULES:
            raise SampleError(f"示例规格 {code} 的 whole 列 {whole} 不是 {'/'.join(WHOLE_RULES)} 之一")
        decimals = (r.get("decimals") or "").strip()
        rows.append(
            SpecRow(
                code,
                r["unit_code"].strip(),
                r["layout"],
                base,
                _float(r["step_per_year"]) or 0.0,
                _float(r["noise"]) or 0.0,
                scenarios,
                derived,
                r["note"] or "",
                whole,
                int(decimals) if decimals else None,
            )
        )
    layouts: dict[str, set[str]] = {}
    for row in rows:
        layouts.setdefault(row.unit_code, set()).add(row.layout)
    mixed = [u for u, ls in layouts.items() if len(ls) > 1]
    if mixed:
        raise SampleError(f"示例规格中同一成员单位只能用一种版式：{'、'.join(mixed)}")
    return rows


# ---------------------------------------------------------------------------- catalogue


def _decimals_of(values: list[str | None]) -> int:
    seen = [len(v.split(".")[1]) if "." in v else 0 for v in values if v]
    return max(seen) if seen else 1


def _direction(kind: str | None) -> str | None:
    return {"at_least": "up", "increase": "up", "at_most": "down", "decrease": "down"}.get(kind or "")


def _reference_dirs(data_dir: Path) -> list[Path]:
    # Only used while data/catalogue/ is missing: the national reference files it is built from
    return [data_dir / "reference"]


def _from_reference(data_dir: Path) -> dict[str, IndicatorInfo]:
    ref = next((d for d in _reference_dirs(data_dir) if (d / _REFERENCE_FILES[0]).exists()), None)
    if ref is None:
        return {}
    out = {}
    for name in _REFERENCE_FILES:
        frame = pl.read_csv(ref / name, infer_schema=False)
        for r in frame.iter_rows(named=True):
            kind = r.get("target_kind")
            target = _float(r.get("target_value")) if kind in ("at_least", "at_most") else None
            code = r["code"]
            out[code] = IndicatorInfo(
                code=code,
                name=r["name_zh"],
                unit=r.get("unit") or "",
                decimals=_decimals_of([r.get(f"national_{y}") for y in YEARS]),
                domain=r["domain"],
                direction=_direction(kind),
                target_kind=kind,
                target=target,
                breakdowns=tuple(filter(None, _BREAKDOWN_FALLBACK.get(code, "").split("|"))),
                plausible_min=0.0,
                plausible_max=100.0 if r.get("unit") == "%" else None,
            )
    return out


def _catalogue_targets(data_dir: Path) -> dict[str, tuple[str, float]] | None:
    path = data_dir / "catalogue" / "targets.csv"
    if not path.exists():
        return None
    frame = pl.read_csv(path, infer_schema=False)
    out = {}
    for r in frame.iter_rows(named=True):
        if (
            r.get("plan_code") == "liangang"
            and not (r.get("region_code") or "").strip()
            and str(r.get("target_year")) == str(TARGET_YEAR)
            and r.get("kind") in ("at_least", "at_most")
            and _float(r.get("value")) is not None
        ):
            out[r["indicator_code"]] = (r["kind"], _float(r["value"]))
    return out


def load_indicator_info(data_dir: Path) -> dict[str, IndicatorInfo]:
    """Name, unit, decimals, domain, direction and 2030 target per indicator code.

    The catalogue (`data/catalogue/indicators.csv`, `targets.csv`) wins; the national
    reference CSVs fill in while it is missing.
    """
    info = _from_reference(data_dir)
    for code, (name, unit, domain, direction) in _LOCAL.items():
        info.setdefault(code, IndicatorInfo(code, name, unit, 1, domain, direction, None, None, (), 0.0, 100.0))
    path = data_dir / "catalogue" / "indicators.csv"
    if path.exists():
        targets = _catalogue_targets(data_dir) or {}
        for r in pl.read_csv(path, infer_schema=False).iter_rows(named=True):
            code = r["code"]
            old = info.get(code)
            kind, value = targets.get(code, (r.get("target_kind"), None))
            if code not in targets and old is not None and old.target_kind == kind:
                value = old.target
            decimals = r.get("decimals")
            info[code] = IndicatorInfo(
                code=code,
                name=r["name"],
                unit=r.get("unit") or "",
                decimals=int(decimals) if (decimals or "").strip() else (old.decimals if old else 1),
                domain=r.get("domain") or (old.domain if old else ""),
                direction=(r.get("direction") or "").strip() or None,
                target_kind=kind,
                target=value if kind in ("at_least", "at_most") else None,
                breakdowns=tuple(b for b in (r.get("breakdowns") or "").split("|") if b),
                plausible_min=_float(r.get("plausible_min")),
                plausible_max=_float(r.get("plausible_max")),
            )
    return info


def load_unit_names(data_dir: Path) -> dict[str, str]:
    names = dict(UNIT_NAMES)
    path = data_dir / "catalogue" / "units.csv"
    if path.exists():
        for r in pl.read_csv(path, infer_schema=False).iter_rows(named=True):
            names[r["code"]] = r["name"]
    return names


def is_achieved(info: IndicatorInfo, value: float) -> bool:
    if info.target is None:
        raise SampleError(f"{info.code} 没有数值目标")
    return value >= info.target if info.target_kind == "at_least" else value <= info.target


# ------------------------------------------------------------------------------- values


def districts_of(data_dir: Path, region_code: str) -> list[District]:
    regions = geo.load_regions(data_dir, region_code)
    rows = regions.filter(pl.col("code") != region_code)
    if rows.height == 0:  # a county: it is its own only district
        rows = regions
    return [District(c, n, s) for c, n, s in rows.select("code", "name", "short_name").iter_rows()]


def tree_of(data_dir: Path, region_code: str) -> list[tuple[District, list[District]]]:
    """A province's cities, each with its counties (empty for a city or county region)."""
    regions = geo.load_regions(data_dir, region_code)
    rows = list(regions.select("code", "name", "short_name", "level", "parent_code").iter_rows())
    kids: dict[str, list[District]] = {}
    for code, name, short, _level, parent in rows:
        kids.setdefault(parent, []).append(District(code, name, short))
    tree = [(city, kids.get(city.code, [])) for city in kids.get(region_code, [])]
    return tree if any(counties for _city, counties in tree) else []


def profiles_of(districts: list[District], seed: int) -> dict[str, float]:
    if all(d.code in PROFILES for d in districts):
        return {d.code: PROFILES[d.code] for d in districts}
    rng = random.Random(f"{seed}:profiles")
    return {d.code: round(rng.uniform(-1, 1), 2) for d in districts}


def _resolve_district(text: str, districts: list[District]) -> str | None:
    if text.startswith("#"):
        return districts[(int(text[1:]) - 1) % len(districts)].code
    return text if any(d.code == text for d in districts) else None


def _sign(info: IndicatorInfo, row: SpecRow) -> int:
    """+1 when higher values are better, −1 when lower are; else the spec's step decides."""
    if info.direction in ("up", "down"):
        return 1 if info.direction == "up" else -1
    return (row.step > 0) - (row.step < 0)


def _clip(info: IndicatorInfo, v: float) -> float:
    lo, hi = bounds.value_bounds(info.unit, info.plausible_min, info.plausible_max)
    return min(max(v, lo), hi)


def _ordered(values: list[float], improving: int) -> list[float]:
    """Values sorted so each year is no worse than the last (improving = +1 up, −1 down)."""
    if improving == 0:
        return values
    return sorted(values, reverse=improving < 0)


def _scenario_path(
    kind: str, info: IndicatorInfo, row: SpecRow, natural0: float, s: int, rng: random.Random
) -> list[float]:
    q = 10.0**-info.decimals
    noise = max(row.noise, 5 * q)
    n = len(YEARS)
    if kind in ("achieved", "on_track", "lagging", "lost") and info.target is None:
        raise SampleError(f"示例规格：{info.code} 没有数值目标，不能设置情景 {kind}")
    t = info.target
    if s == 0:
        s = 1 if info.target_kind == "at_least" else -1
    if kind == "lost":
        g = max(2 * noise, 10 * q)
        return [t - s * g, t - s * g / 2, t + s * g / 2, t + s * g / 4, t - s * g / 2]
    if t is None:  # direction-only regress: end worse than the baseline
        start, end = natural0, natural0 - s * max(2 * noise, 10 * q)
    else:
        gap0 = max(2.5 * noise, 10 * q)
        bad = s * (natural0 - t) < gap0  # natural start is achieved or too close to call
        start = t - s * gap0 if bad else natural0
        share = {"on_track": 0.7, "lagging": 0.15, "regress": -0.3}.get(kind)
        if kind == "achieved":
            start = natural0
            end = t + s * max(noise, 3 * q)
            if s * (start - end) > 0:  # already better than the end point: keep improving
                end = start + s * abs(row.step) * (n - 1)
        else:
            end = start + share * (t - start)
    path = [start + (end - start) * i / (n - 1) + rng.gauss(0, 0.1 * noise) for i in range(n)]
    path[0], path[-1] = start, end
    return _ordered(path, 1 if end > start else -1)


def _round(info: IndicatorInfo, v: float) -> float:
    return round(_clip(info, v), info.decimals)


def generate_values(
    spec: list[SpecRow],
    info: dict[str, IndicatorInfo],
    districts: list[District],
    profiles: dict[str, float],
    seed: int,
    derived: dict[tuple[str, str, int], float] | None = None,
) -> dict[tuple[str, str, int, str], float | None]:
    """(indicator, district, year, breakdown) → value rounded to the indicator's decimals."""
    out: dict[tuple[str, str, int, str], float | None] = {}
    for row in spec:
        ind = info[row.indicator_code]
        gaps = {(_resolve_district(sc.district, districts), sc.year) for sc in row.scenarios if sc.kind == "gap"}
        special = {
            _resolve_district(sc.district, districts): sc.kind for sc in reversed(row.scenarios) if sc.kind != "gap"
        }
        s = _sign(ind, row)
        for d in districts:
            rng = random.Random(f"{seed}:{row.indicator_code}:{d.code}")
            if row.derived:
                path = [(derived or {}).get((row.indicator_code, d.code, y)) for y in YEARS]
            else:
                p = profiles[d.code]
                natural0 = row.base + 1.5 * row.noise * p * s + 0.5 * row.noise * rng.gauss(0, 1)
                if d.code in special:
                    path = _scenario_path(special[d.code], ind, row, natural0, s, rng)
                else:
                    path = [natural0 + row.step * i + 0.3 * row.noise * rng.gauss(0, 1) for i in range(len(YEARS))]
                    path = _ordered(path, s)
            # urban areas do better than rural ones, by a district-specific share
            k = rng.uniform(0.08, 0.2)
            for y, v in zip(YEARS, path, strict=True):
                if v is None or ((d.code, y) in gaps and d.code not in special):
                    for b in (TOTAL, *ind.breakdowns):
                        out[(row.indicator_code, d.code, y, b)] = None
                    continue
                out[(row.indicator_code, d.code, y, TOTAL)] = _round(ind, v)
                sign = s or 1
                if URBAN in ind.breakdowns:
                    out[(row.indicator_code, d.code, y, URBAN)] = _round(ind, v + sign * k * abs(v))
                if RURAL in ind.breakdowns:
                    out[(row.indicator_code, d.code, y, RURAL)] = _round(ind, v - sign * 0.8 * k * abs(v))
        _check_scenarios(row, ind, districts, out)
    return out


def whole_region_values(
    spec: list[SpecRow],
    info: dict[str, IndicatorInfo],
    districts: list[District],
    values: dict[tuple[str, str, int, str], float | None],
    region_code: str,
    derived: dict[tuple[str, str, int], float] | None = None,
) -> dict[tuple[str, str, int, str], float | None]:
    """The home region's own figures (the 全市 column of a return): the mean of its districts'
    values (their sum for counts, spec column `whole`), or for derived indicators the pooled
    records' rate. A real city computes its rate from pooled counts; the unweighted mean stands
    in for that in sample data. For a 0/1 goal the mean rounds to the districts' majority."""
    out: dict[tuple[str, str, int, str], float | None] = {}
    for row in spec:
        ind = info[row.indicator_code]
        for y in YEARS:
            if row.derived:
                v = (derived or {}).get((row.indicator_code, region_code, y))
                out[(row.indicator_code, region_code, y, TOTAL)] = None if v is None else _round(ind, v)
                continue
            for b in (TOTAL, *ind.breakdowns):
                got = [x for d in districts if (x := values.get((row.indicator_code, d.code, y, b))) is not None]
                # a figure for the whole only when most districts reported
                whole = sum(got) if row.whole == "sum" else sum(got) / max(len(got), 1)
                out[(row.indicator_code, region_code, y, b)] = (
                    _round(ind, whole) if len(got) * 2 > len(districts) else None
                )
    return out


def scenario_holds(kind: str, info: IndicatorInfo, path: dict[int, float | None]) -> bool:
    """Whether the values of one district (year → value) show the scenario `kind`."""
    v0, v = path.get(BASE_YEAR), path.get(YEARS[-1])
    if kind == "lost":
        return (
            v is not None and path.get(2022) is not None and is_achieved(info, path[2022]) and not is_achieved(info, v)
        )
    if v0 is None or v is None:
        return False
    if kind == "achieved":
        return is_achieved(info, v)
    s = 1 if (info.direction or _direction(info.target_kind)) == "up" else -1
    if info.target is None:
        return kind == "regress" and s * (v - v0) < 0
    if is_achieved(info, v) or info.target == v0:
        return False
    rho = (v - v0) / (info.target - v0)
    tau = (YEARS[-1] - BASE_YEAR) / (TARGET_YEAR - BASE_YEAR)
    return {"on_track": rho >= tau, "lagging": 0 <= rho < tau, "regress": rho < 0}[kind]


def _check_scenarios(
    row: SpecRow, info: IndicatorInfo, districts: list[District], values: dict[tuple[str, str, int, str], float | None]
) -> None:
    for sc in row.scenarios:
        code = _resolve_district(sc.district, districts)
        if code is None:
            continue
        if sc.kind == "gap":
            continue
        path = {y: values[(row.indicator_code, code, y, TOTAL)] for y in YEARS}
        if not scenario_holds(sc.kind, info, path):
            raise SampleError(f"示例规格 {row.indicator_code}：{code} 的情景 {sc.kind} 未能生成（{path}）")


# ------------------------------------------------------------------------------ driver


def generate_samples(data_dir: Path, region_code: str, out_dir: Path, seed: int = 20240601) -> list[Path]:
    """Write the sample returns (one xlsx per member unit) and place records to `out_dir`.

    Returns the paths written: the returns first, then courtyard.csv, child_friendly.csv and
    community_count.csv. Everything is labelled 示例数据.
    """
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    spec = load_spec(data_dir / SPEC_FILE)
    info = _spec_indicator_info(data_dir, spec)
    tree = tree_of(data_dir, region_code)
    # a province: the counties of all its cities are the districts the values are drawn for
    districts = [d for _city, counties in tree for d in counties] or districts_of(data_dir, region_code)
    profiles = profiles_of(districts, seed)
    boundaries = geo.load_county_boundaries(data_dir, region_code)

    places = build_places(districts, boundaries, profiles, seed)
    derived = derived_values(places, {c: info[c] for c in info if c in DERIVED})
    values = generate_values(spec, info, districts, profiles, seed, derived)
    columns = districts
    if tree:
        values.update(_province_values(spec, info, tree, values, places, region_code))
        name = geo.load_regions(data_dir, region_code).item(0, "name")
        columns = [District(region_code, name, name), *(city for city, _ in tree), *districts]
    elif not (len(districts) == 1 and districts[0].code == region_code):
        # a city's return carries its own 全市 figure first, then the districts
        whole_derived = whole_places(places, {c: info[c] for c in info if c in DERIVED}, region_code)
        values.update(whole_region_values(spec, info, districts, values, region_code, whole_derived))
        columns = [District(region_code, WHOLE, WHOLE), *districts]
    twins = twins_of(spec, info)
    for code, others in twins.items():
        for (c, d, y, b), v in list(values.items()):
            if c == code:
                values.update({(t, d, y, b): v for t in others})

    out_dir.mkdir(parents=True, exist_ok=True)
    units = load_unit_names(data_dir)
    written = _write_returns(out_dir, spec, info, units, columns, values, twins, long_only=bool(tree))
    return written + write_places(places, out_dir)


def _spec_indicator_info(data_dir: Path, spec: list[SpecRow]) -> dict[str, IndicatorInfo]:
    """The catalogue's facts of every indicator, with the spec's stored precision where it gives
    one; SampleError when the spec names an indicator the catalogue does not have."""
    info = load_indicator_info(data_dir)
    unknown = [r.indicator_code for r in spec if r.indicator_code not in info]
    if unknown:
        raise SampleError(
            f"示例规格中的指标不在指标目录中：{'、'.join(unknown)}"
            f"（请检查 {data_dir / 'catalogue' / 'indicators.csv'}）"
        )
    for row in spec:
        if row.decimals is not None:
            info[row.indicator_code] = replace(info[row.indicator_code], decimals=row.decimals)
    return info


def _write_returns(
    out_dir: Path,
    spec: list[SpecRow],
    info: dict[str, IndicatorInfo],
    units: dict[str, str],
    columns: list[District],
    values: dict[tuple[str, str, int, str], float | None],
    twins: dict[str, tuple[str, ...]],
    *,
    long_only: bool,
) -> list[Path]:
    """One return per member unit of the spec, in its layout (a province's are all long)."""
    written = []
    by_unit: dict[str, list[SpecRow]] = {}
    for row in spec:
        by_unit.setdefault(row.unit_code, []).append(row)
    for unit_code, rows in by_unit.items():
        unit_name = units.get(unit_code, unit_code)
        path = out_dir / f"示例数据_{unit_name}_{YEARS[0]}-{YEARS[-1]}.xlsx"
        codes = [r.indicator_code for r in rows]
        layout = "long" if long_only else rows[0].layout
        if layout == "long":
            # a long return names codes, so a measure both outlines list needs a row for each;
            # the wide layouts name it once and the loader counts it for both
            codes = [c for code in codes for c in (code, *twins.get(code, ()))]
        years = tuple(y for y in YEARS if (unit_code, y) != NOT_REPORTED)
        write_return(path, unit_name, layout, [info[c] for c in codes], columns, years, values, CREATED)
        written.append(path)
    return written


def _province_values(
    spec: list[SpecRow],
    info: dict[str, IndicatorInfo],
    tree: list[tuple[District, list[District]]],
    values: dict[tuple[str, str, int, str], float | None],
    places: Any,
    province: str,
) -> dict[tuple[str, str, int, str], float | None]:
    """Each city's own figures from its counties, then the province's from its cities — the
    same rule as a city's 全市 figure (whole_region_values), one level at a time."""
    derived_info = {c: info[c] for c in info if c in DERIVED}
    out: dict[tuple[str, str, int, str], float | None] = {}
    for city, counties in tree:
        codes = [d.code for d in counties]
        mine = Places(
            *(
                frame.filter(pl.col("district_code").is_in(codes))
                for frame in (places.courtyard, places.child_friendly, places.community_count)
            )
        )
        out.update(
            whole_region_values(spec, info, counties, values, city.code, whole_places(mine, derived_info, city.code))
        )
    cities = [city for city, _ in tree]
    out.update(
        whole_region_values(
            spec, info, cities, {**values, **out}, province, whole_places(places, derived_info, province)
        )
    )
    return out


def twins_of(spec: list[SpecRow], info: dict[str, IndicatorInfo]) -> dict[str, tuple[str, ...]]:
    """Spec indicator → the other catalogue indicators with the same name and unit that the spec
    does not list: one measure both outlines carry (产前筛查率), so they get the same values."""
    listed = {r.indicator_code for r in spec}
    out = {}
    for row in spec:
        me = info[row.indicator_code]
        others = tuple(c for c, i in info.items() if c not in listed and i.name == me.name and i.unit == me.unit)
        if others:
            out[row.indicator_code] = others
    return out
