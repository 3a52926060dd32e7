"""Benchmark: the progress engine on a national-scale synthetic dataset.

    .venv/bin/python bench/bench_engine.py            # 2,875 counties, about 4.9 M observations
    .venv/bin/python bench/bench_engine.py --small    # 120 counties, a few seconds

Generates synthetic data shaped like the real thing — 31 provinces → cities → 2,875 county
codes (6-digit, 行政区划代码-like), the catalogue's indicators (data/catalogue/indicators.csv)
× 2020–2030 with about a quarter of the cells missing, 城镇/农村 and 女/男 breakdowns where the
catalogue has them, 2 % revised values, the catalogue's 两纲 targets plus province-level
overrides for a few indicators — and then, each contender in its own process (so peak memory
is its own), times one cold run and the median of several warm runs of:

  polars engine   dashboard.engine.compute: target resolution, every status, τ/ρ, 得而复失,
                  trend, growth ratio, flags, names and labels, the four aggregates and the
                  district ranking (everything `engine.run` does after its SQL queries, except
                  reporting completeness, which needs submission records). Its input is what
                  engine.run's query returns: the current values of the plan's indicators in
                  scope, each with its positions in the plan's indicator list and in the scope
                  (filtering the rest out and numbering them happen in SQL, untimed here);
  polars step     dashboard.engine.progress.latest_baseline_ratio: latest value and year, base-year
                  value and the raw ratio (v − v_B) / (t − v_B) per item, from all observations
                  (like the two below, it drops the other indicators' rows itself);
  duckdb step     the same step as one DuckDB SQL query over DuckDB tables, result as polars;
  pandas step     the same step, written the straightforward pandas way;
  pandas rules    the pandas step plus τ, achieved, the status rules and the trend line.

The three step outputs must be identical (same rows, same values bit for bit); the script
exits with status 1 if they are not. Peak memory is the process's maximum resident set size
(resource.getrusage(RUSAGE_SELF).ru_maxrss, Linux: KiB), measured in a fresh process per
contender, including the inputs it loaded. tracemalloc would miss polars' and DuckDB's native
allocations, so it is not used.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from dashboard import engine  # noqa: E402
from dashboard.engine import labels, progress, targets  # noqa: E402
from etl.core.records import COUNTRY_CODE  # noqa: E402

BASE_YEAR, TARGET_YEAR = 2020, 2030
YEARS = list(range(BASE_YEAR, TARGET_YEAR + 1))
PROVINCES = [
    11,
    12,
    13,
    14,
    15,
    21,
    22,
    23,
    31,
    32,
    33,
    34,
    35,
    36,
    37,
    41,
    42,
    43,
    44,
    45,
    46,
    50,
    51,
    52,
    53,
    54,
    61,
    62,
    63,
    64,
    65,
]
CONTENDERS = ("polars_engine", "polars_step", "duckdb_step", "pandas_step", "pandas_rules")
STEP_CONTENDERS = ("polars_step", "duckdb_step", "pandas_step")
PLAN = engine.PlanInfo("liangang", "两纲", "synthetic", "national", BASE_YEAR, TARGET_YEAR)


# --- synthetic data ---------------------------------------------------------------------------


def make_regions(n_counties: int) -> pl.DataFrame:
    """全国 → 31 provinces (no parent, as in the real database) → 10 cities each → counties."""
    rows: list[tuple[str, str, str, str | None]] = [(COUNTRY_CODE, "全国", "country", None)]
    cities = []
    for p in PROVINCES:
        rows.append((f"{p}0000", f"省{p}", "province", None))
        for c in range(1, 11):
            code = f"{p}{c:02d}00"
            cities.append(code)
            rows.append((code, f"市{code}", "city", f"{p}0000"))
    per_city = [0] * len(cities)
    for k in range(n_counties):
        per_city[k % len(cities)] += 1
    for city, n in zip(cities, per_city, strict=True):
        for j in range(1, n + 1):
            code = f"{city[:4]}{j:02d}"
            rows.append((code, f"县{code}", "county", city))
    return pl.DataFrame(
        rows, schema={"code": pl.String, "name": pl.String, "level": pl.String, "parent_code": pl.String}, orient="row"
    )


def make_indicators() -> pl.DataFrame:
    raw = pl.read_csv(REPO / "data" / "catalogue" / "indicators.csv", infer_schema=False)
    return raw.select(
        pl.col("code").alias("indicator_code"),
        pl.col("name").alias("indicator_name"),
        "outline",
        "domain",
        "unit",
        pl.col("decimals").cast(pl.Int32),
        "direction",
        pl.col("plausible_min").cast(pl.Float64),
        pl.col("plausible_max").cast(pl.Float64),
        pl.col("lead_unit").alias("lead_unit_code"),
        pl.col("lead_unit"),
        "breakdowns",
    )


def make_targets(regions: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    raw = pl.read_csv(REPO / "data" / "catalogue" / "targets.csv", infer_schema=False).filter(
        pl.col("plan_code") == "liangang"
    )
    raw = raw.with_columns(
        pl.col("target_year").cast(pl.Int32),
        *(pl.col(c).cast(pl.Float64) for c in ("value", "band_low", "band_high", "tolerance")),
        (pl.col("verified") == "true").alias("verified"),
        pl.lit(False).alias("is_sample"),
    )
    # province-level overrides for a few numeric targets, so resolution has ancestors to walk
    numeric = raw.filter(pl.col("value").is_not_null() & pl.col("region_code").is_null()).head(5)
    provinces = regions.filter(pl.col("level") == "province").get_column("code").to_list()
    extra = []
    for row in numeric.iter_rows(named=True):
        for code in provinces:
            extra.append({**row, "region_code": code, "value": row["value"] * float(rng.uniform(0.97, 1.03))})
    return pl.concat([raw, pl.DataFrame(extra, schema=raw.schema)])


def make_observations(
    indicators: pl.DataFrame, raw_targets: pl.DataFrame, counties: list[str], rng: np.random.Generator
) -> pl.DataFrame:
    national = raw_targets.filter(pl.col("region_code").is_null())
    kind_of = dict(zip(national["indicator_code"], national["kind"], strict=True))
    value_of = dict(zip(national["indicator_code"], national["value"], strict=True))
    codes = indicators["indicator_code"].to_list()
    n_i, n_c, n_y = len(codes), len(counties), len(YEARS)
    x = np.arange(n_y, dtype=float)[None, None, :]
    level = np.empty((n_i, n_c, 1))
    slope = np.empty((n_i, n_c, 1))
    binary = np.zeros(n_i, dtype=bool)
    for k, code in enumerate(codes):
        kind, t = kind_of.get(code), value_of.get(code)
        if kind == "qualitative" or (kind is None and indicators["unit"][k] is None):
            binary[k] = True
            level[k] = rng.uniform(0.2, 0.9, (n_c, 1))
            slope[k] = 0.03
        elif t is not None and kind == "at_least":
            level[k] = t * rng.uniform(0.80, 1.02, (n_c, 1))
            slope[k] = (t - level[k]) / 10 * rng.uniform(-0.3, 1.6, (n_c, 1))
        elif t is not None and kind == "at_most":
            level[k] = t * rng.uniform(0.98, 1.5, (n_c, 1))
            slope[k] = (t - level[k]) / 10 * rng.uniform(-0.3, 1.6, (n_c, 1))
        else:
            level[k] = rng.uniform(20, 80, (n_c, 1))
            slope[k] = rng.uniform(-0.5, 1.5, (n_c, 1)) * (-1 if indicators["direction"][k] == "down" else 1)
    values = level + slope * x + rng.normal(0.0, 1.0, (n_i, n_c, n_y)) * 0.02 * np.abs(level)
    values[binary] = (rng.random((int(binary.sum()), n_c, n_y)) < level[binary] + slope[binary] * x).astype(float)
    values = np.round(values, 2)
    present = rng.random((n_i, n_c, n_y)) >= 0.25
    i_idx, c_idx, y_idx = np.nonzero(present)
    frames = [_long(codes, counties, i_idx, c_idx, y_idx, values[present], "合计", rng)]
    # breakdowns where the catalogue has them: each a ±10 % variation of the total
    for k, spec in enumerate(indicators["breakdowns"].to_list()):
        if not spec:
            continue
        for part in spec.split("|"):
            mask = present[k]
            c2, y2 = np.nonzero(mask)
            part_values = np.round(values[k][mask] * rng.uniform(0.9, 1.1, len(c2)), 2)
            frames.append(_long(codes, counties, np.full(len(c2), k), c2, y2, part_values, part, rng))
    return pl.concat(frames)


def _long(
    codes: list[str],
    counties: list[str],
    i_idx: np.ndarray,
    c_idx: np.ndarray,
    y_idx: np.ndarray,
    values: np.ndarray,
    breakdown: str,
    rng: np.random.Generator,
) -> pl.DataFrame:
    n = len(values)
    return pl.DataFrame(
        {
            "indicator_code": pl.Series(codes, dtype=pl.String).gather(i_idx),
            "region_code": pl.Series(counties, dtype=pl.String).gather(c_idx),
            "breakdown": pl.repeat(breakdown, n, dtype=pl.String, eager=True),
            "year": pl.Series((np.asarray(YEARS)[y_idx]).astype(np.int32)),
            "value": values,
            "revision": np.where(rng.random(n) < 0.02, 2, 1).astype(np.int32),
        }
    )


def generate(out: Path, n_counties: int, seed: int = 20260401) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    regions = make_regions(n_counties)
    indicators = make_indicators()
    raw_targets = make_targets(regions, rng)
    counties = regions.filter(pl.col("level") == "county").get_column("code").to_list()
    observations = make_observations(indicators, raw_targets, counties, rng)
    # shuffle: a database hands rows over in no particular order
    observations = observations.sample(fraction=1.0, shuffle=True, seed=seed)
    resolved = targets.resolve_targets(raw_targets, regions, plan_target_year=TARGET_YEAR, region_codes=counties)
    out.mkdir(parents=True, exist_ok=True)
    regions.write_parquet(out / "regions.parquet")
    indicators.drop("breakdowns").write_parquet(out / "indicators.parquet")
    raw_targets.write_parquet(out / "targets.parquet")
    resolved.write_parquet(out / "resolved.parquet")
    observations.write_parquet(out / "observations.parquet")
    return {
        "counties": len(counties),
        "indicators": indicators.height,
        "observations": observations.height,
        "target_rows": raw_targets.height,
        "resolved": resolved.height,
    }


# --- contenders (each runs in its own process) ---------------------------------------------------

DUCKDB_STEP_SQL = """
WITH f AS (
    SELECT o.indicator_code, o.region_code, o.breakdown, o.year, o.value
    FROM obs o WHERE o.year <= $year
), per_item AS (
    SELECT indicator_code, region_code, breakdown,
           max(year) AS latest_year,
           arg_max(value, year) AS latest_value,
           max(value) FILTER (WHERE year = $base) AS baseline_value
    FROM f GROUP BY ALL
)
SELECT p.indicator_code, p.region_code, p.breakdown, p.latest_year::INTEGER AS latest_year, p.latest_value,
       p.baseline_value,
       CASE WHEN t.target_kind IN ('at_least', 'at_most') AND t.target_value <> p.baseline_value
            THEN (p.latest_value - p.baseline_value) / (t.target_value - p.baseline_value) END AS rho_raw
FROM per_item p JOIN tg t USING (indicator_code, region_code)
"""


def pandas_step(obs, tg, year: int):  # noqa: ANN001, ANN201 - pandas frames
    import pandas as pd

    f = obs[obs["year"] <= year]
    keys = ["indicator_code", "region_code", "breakdown"]
    # only items with a target row, like the other two
    f = f.merge(tg[["indicator_code", "region_code"]], on=["indicator_code", "region_code"], how="inner")
    latest = f.loc[f.groupby(keys, sort=False)["year"].idxmax(), keys + ["year", "value"]]
    latest = latest.rename(columns={"year": "latest_year", "value": "latest_value"})
    base = f.loc[f["year"] == BASE_YEAR, keys + ["value"]].rename(columns={"value": "baseline_value"})
    out = latest.merge(base, on=keys, how="left").merge(
        tg[["indicator_code", "region_code", "target_kind", "target_value"]],
        on=["indicator_code", "region_code"],
        how="left",
    )
    ratio_ok = (
        out["target_kind"].isin(["at_least", "at_most"])
        & (out["target_value"] != out["baseline_value"])
        & out["baseline_value"].notna()
    )
    out["rho_raw"] = np.where(
        ratio_ok, (out["latest_value"] - out["baseline_value"]) / (out["target_value"] - out["baseline_value"]), np.nan
    )
    out["rho_raw"] = pd.array(out["rho_raw"].where(ratio_ok), dtype="Float64")
    return out, f


def pandas_rules(obs, tg, year: int):  # noqa: ANN001, ANN201 - pandas frames
    """The step plus τ, achieved, the status rules (threshold, qualitative, direction, no
    baseline, baseline met) and the least-squares trend: the straightforward pandas way."""
    step, f = pandas_step(obs, tg, year)
    keys = ["indicator_code", "region_code", "breakdown"]
    out = step.merge(tg.drop(columns=["target_kind", "target_value"]), on=["indicator_code", "region_code"], how="left")
    v, vb, t, kind = out["latest_value"], out["baseline_value"], out["target_value"], out["target_kind"]
    tau = ((out["latest_year"] - BASE_YEAR) / (out["target_year"] - BASE_YEAR)).clip(0, 1)
    low = out["target_band_low"].fillna(t - out["target_tolerance"])
    high = out["target_band_high"].fillna(t + out["target_tolerance"])

    def shortfall(x):  # noqa: ANN001, ANN202
        return np.select(
            [kind == "at_least", kind == "at_most", kind == "band", kind == "qualitative"],
            [t - x, x - t, np.maximum(low - x, x - high), (x - 1).abs()],
            default=np.nan,
        )

    d, d_b = shortfall(v), shortfall(vb)
    achieved = d <= 1e-9
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = (d_b - d) / d_b
    threshold = kind.isin(["at_least", "at_most", "band"])
    direction = kind.isin(["increase", "decrease"])
    sign = np.where(kind == "increase", 1.0, -1.0)
    change = v - vb
    status = np.select(
        [
            threshold & t.isna(),
            achieved & (threshold | (kind == "qualitative")),
            kind == "qualitative",
            threshold & vb.isna(),
            threshold & (d_b <= 1e-9),
            threshold & (rho >= tau - 1e-9),
            threshold & (rho >= 0),
            threshold,
            direction & vb.isna(),
            direction & (change.abs() <= (0.01 * vb.abs())),
            direction & (sign * change > 0),
            direction,
        ],
        [
            "target_pending",
            "achieved",
            "not_achieved",
            "not_assessable",
            "regressing",
            "on_track",
            "lagging",
            "regressing",
            "not_assessable",
            "stable",
            "improving",
            "worsening",
        ],
        default="target_pending",
    )
    g = f[f["year"] >= BASE_YEAR].assign(x=lambda a: a["year"] - BASE_YEAR)
    g = g.assign(xy=g["x"] * g["value"], xx=g["x"] * g["x"])
    sums = (
        g.groupby(keys, sort=False)
        .agg(n=("x", "size"), sx=("x", "sum"), sy=("value", "sum"), sxy=("xy", "sum"), sxx=("xx", "sum"))
        .reset_index()
    )
    out = out.assign(tau=tau, rho=rho, achieved=achieved, status=status).merge(sums, on=keys, how="left")
    slope = (out["n"] * out["sxy"] - out["sx"] * out["sy"]) / (out["n"] * out["sxx"] - out["sx"] ** 2)
    out["trend_slope"] = slope.where(out["n"] >= 3)
    out["trend_projection"] = (
        out["sy"] + out["trend_slope"] * ((TARGET_YEAR - BASE_YEAR) * out["n"] - out["sx"])
    ) / out["n"]
    return out


def worker(name: str, data: Path, runs: int, year: int, out: Path) -> dict[str, object]:
    timings: list[float] = []
    result = None
    if name == "polars_engine":
        regions = pl.read_parquet(data / "regions.parquet")
        indicators = pl.read_parquet(data / "indicators.parquet")
        raw_targets = pl.read_parquet(data / "targets.parquet")
        scope = regions.filter(pl.col("level") == "county").get_column("code").to_list()
        # what engine.run's query hands over: current values of the plan's indicators in scope,
        # each with its positions in the plan's sorted indicator list and in the scope (the
        # query's joins give them)
        plan_indicators = sorted(set(raw_targets.get_column("indicator_code").drop_nulls().to_list()))
        listed = pl.DataFrame(
            {"indicator_code": plan_indicators, "indicator_index": range(len(plan_indicators))},
            schema={"indicator_code": pl.String, "indicator_index": pl.Int32},
        )
        in_scope = pl.DataFrame(
            {"region_code": scope, "region_index": range(len(scope))},
            schema={"region_code": pl.String, "region_index": pl.Int32},
        )
        observations = (
            pl.scan_parquet(data / "observations.parquet")
            .join(listed.lazy(), on="indicator_code", how="inner")
            .join(in_scope.lazy(), on="region_code", how="inner")
            .collect()
        )
        config = labels.load_labels()
        status_labels, growth_labels = config.label_set().frame(), config.growth_frame()

        def call() -> object:
            return engine.compute(
                PLAN,
                year,
                regions=regions,
                indicators=indicators,
                raw_targets=raw_targets,
                observations=observations,
                scope=scope,
                status_labels=status_labels,
                growth_labels=growth_labels,
                indicator_codes=plan_indicators,
                region_codes=scope,
            )
    elif name == "polars_step":
        observations = pl.read_parquet(data / "observations.parquet")
        resolved = pl.read_parquet(data / "resolved.parquet")

        def call() -> object:
            return progress.latest_baseline_ratio(observations, resolved, base_year=BASE_YEAR, report_year=year)
    elif name == "duckdb_step":
        import duckdb

        con = duckdb.connect()
        con.sql(f"CREATE TABLE obs AS SELECT * FROM read_parquet('{data / 'observations.parquet'}')")
        con.sql(f"CREATE TABLE tg AS SELECT * FROM read_parquet('{data / 'resolved.parquet'}')")

        def call() -> object:
            return con.sql(DUCKDB_STEP_SQL, params={"year": year, "base": BASE_YEAR}).pl()
    elif name in ("pandas_step", "pandas_rules"):
        import pandas as pd

        obs_pd = pd.read_parquet(data / "observations.parquet")
        tg_pd = pd.read_parquet(data / "resolved.parquet")
        fn = pandas_step if name == "pandas_step" else pandas_rules

        def call() -> object:
            return fn(obs_pd, tg_pd, year)
    else:
        raise SystemExit(f"unknown contender {name}")

    cpu: list[float] = []
    for _ in range(runs + 1):
        result = None  # release the previous run's result: one result alive at a time, as in a page
        start, start_cpu = time.perf_counter(), time.process_time()
        result = call()
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)

    rows = None
    if name in STEP_CONTENDERS:
        frame = result if isinstance(result, pl.DataFrame) else pl.from_pandas(result[0][list(progress.STEP_COLUMNS)])
        frame = frame.select(progress.STEP_COLUMNS).with_columns(pl.col("latest_year").cast(pl.Int32))
        frame.write_parquet(out)
        rows = frame.height
    elif name == "pandas_rules":
        rows = len(result)  # type: ignore[arg-type]
    elif name == "polars_engine":
        rows = result.items.height  # type: ignore[union-attr]
        statuses = dict(result.items.group_by("status").len().sort("status").iter_rows())  # type: ignore[union-attr]
        print(json.dumps({"statuses": statuses}, ensure_ascii=False), file=sys.stderr)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "name": name,
        "cold": timings[0],
        "warm": timings[1:],
        "median": statistics.median(timings[1:]) if runs else timings[0],
        "cpu_median": statistics.median(cpu[1:]) if runs else cpu[0],
        "peak_mb": peak_kib / 1024,
        "rows": rows,
    }


# --- driver ------------------------------------------------------------------------------------


def compare_steps(outputs: dict[str, Path]) -> list[str]:
    keys = ["indicator_code", "region_code", "breakdown"]
    frames = {name: pl.read_parquet(path).sort(keys) for name, path in outputs.items()}
    reference_name = "duckdb_step"
    reference = frames[reference_name]
    problems = []
    for name, frame in frames.items():
        if name == reference_name:
            continue
        if frame.height != reference.height:
            problems.append(f"{name}: {frame.height} rows, {reference_name} {reference.height}")
            continue
        if not frame.equals(reference, null_equal=True):
            diff = frame.with_row_index().join(reference.with_row_index(), on="index", suffix="_ref")
            bad = [c for c in progress.STEP_COLUMNS if not diff[c].eq_missing(diff[f"{c}_ref"]).all()]
            problems.append(f"{name}: differs from {reference_name} in {', '.join(bad)}")
    return problems


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--small", action="store_true", help="120 counties instead of 2,875 (quick check)")
    p.add_argument("--counties", type=int, help="number of counties (default 2,875, or 120 with --small)")
    p.add_argument("--runs", type=int, default=5, help="warm runs per contender (default 5)")
    p.add_argument("--year", type=int, default=2030, help="report year (default 2030: every year counts)")
    p.add_argument("--keep", type=Path, help="keep the generated dataset in this folder")
    p.add_argument("--only", help="comma-separated contenders to run")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(args.worker, args.data, args.runs, args.year, args.out)))
        return 0

    n_counties = args.counties or (120 if args.small else 2875)
    with tempfile.TemporaryDirectory(prefix="fuer-bench-") as tmp:
        data = args.keep or Path(tmp) / "data"
        start = time.perf_counter()
        facts = generate(data, n_counties)
        print(
            f"synthetic data: {facts['counties']:,} counties × {facts['indicators']} indicators × "
            f"{YEARS[0]}–{YEARS[-1]} → {facts['observations']:,} observations, {facts['target_rows']} target rows "
            f"→ {facts['resolved']:,} resolved indicator × county targets ({time.perf_counter() - start:.1f} s)"
        )
        print(f"report year {args.year}; each contender: 1 cold run + median of {args.runs} warm runs, own process")
        print(
            f"machine: {os.cpu_count()} CPUs, load average before the runs {os.getloadavg()[0]:.2f} "
            "(other work on the machine inflates wall-clock times; CPU seconds are the contender's own)\n"
        )
        contenders = args.only.split(",") if args.only else list(CONTENDERS)
        results, outputs = {}, {}
        for name in contenders:
            out = Path(tmp) / f"{name}.parquet"
            proc = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--worker",
                    name,
                    "--data",
                    str(data),
                    "--runs",
                    str(args.runs),
                    "--year",
                    str(args.year),
                    "--out",
                    str(out),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                return 1
            if proc.stderr.strip():
                print(f"  {name}: {proc.stderr.strip()}")
            results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
            if name in STEP_CONTENDERS:
                outputs[name] = out

        print(f"\n{'contender':<15}{'cold s':>9}{'warm median s':>15}{'CPU s (warm)':>14}{'peak MB':>10}{'rows':>12}")
        for name, r in results.items():
            print(
                f"{name:<15}{r['cold']:>9.3f}{r['median']:>15.3f}{r['cpu_median']:>14.3f}{r['peak_mb']:>10.0f}"
                f"{r['rows'] or 0:>12,}"
            )

        ok = True
        if len(outputs) == len(STEP_CONTENDERS):
            problems = compare_steps(outputs)
            if problems:
                ok = False
                print("\nstep outputs DIFFER:\n  " + "\n  ".join(problems))
            else:
                print(
                    f"\nstep outputs identical across {', '.join(STEP_CONTENDERS)} "
                    f"({results['duckdb_step']['rows']:,} rows, values bit for bit)"
                )
        print()
        if "duckdb_step" in results:
            base = results["duckdb_step"]["median"]
            for name in results:
                if name != "duckdb_step":
                    print(f"{name} / duckdb_step (warm medians): {results[name]['median'] / base:.2f}×")
        if "polars_engine" in results:
            full = results["polars_engine"]
            verdict = "met" if full["median"] < 1 else "NOT met"
            print(f"\ngoal: full engine < 1 s warm: {full['median']:.3f} s → {verdict}")
            print(f"goal: memory < 1 GB: {full['peak_mb']:.0f} MB → {'met' if full['peak_mb'] < 1024 else 'NOT met'}")
        if "polars_step" in results and "duckdb_step" in results:
            a, b = results["polars_step"]["median"], results["duckdb_step"]["median"]
            print(
                f"goal: polars step no slower than DuckDB SQL: {a:.3f} s vs {b:.3f} s → "
                f"{'met' if a <= b else 'NOT met'}"
            )
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
