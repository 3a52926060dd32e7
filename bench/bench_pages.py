"""Benchmark: how long each dashboard page takes to render, cold and warm, under AppTest.

    .venv/bin/python bench/bench_pages.py                  # builds the embedded default in a temp dir
    .venv/bin/python bench/bench_pages.py --db data/build/fuer.duckdb --repeat 5
    .venv/bin/python bench/bench_pages.py --region 370000 --repeat 3   # 山东: 16 cities, 136 counties
    .venv/bin/python bench/bench_pages.py --db /tmp/prov.duckdb --levels province --fresh 0

Every page of the app's navigation (领导驾驶舱 and its 大屏 mode, 总览, 指标详情, 区县对比, 成员单位,
中期评估, 地图) and a baseline page that only draws a static table (bench/baseline_app.py), in
one run:

  cold (fresh process)  a new Python process imports Streamlit and runs the page once through
                        AppTest: module imports, first database connection, engine run — what
                        the first visitor after a server start waits for;
  cold (cache cleared)  same process, Streamlit caches cleared and database connections closed,
                        new AppTest session: what a visitor waits for after a new database
                        snapshot is published (the server is already running);
  warm                  the same session run again (engine results cached): a widget change
                        that needs no new computation, or a second visitor.

Medians of --repeat runs (fresh-process runs: --fresh, default at most 3; 0 skips them). The
goal is under 2 s cold and under 0.3 s warm on the embedded default (a city), under 3 s cold
and 0.5 s warm for a province (--region 370000, built with its province sample unless --db is
given); each figure is also given as a multiple of the baseline's, since AppTest on a slow
machine makes every page slower alike. A province build measures every page at each --levels:
the province itself (its 16 cities ranked, the 地图 page drawing all 136 counties), a city inside
it (370300 淄博市, its counties ranked) and a county (370303 张店区, among its neighbours).
The 1-minute load average is printed before and after each page, since the machine is shared,
and so is the CPU time of the in-process runs (every thread of the process, AppTest included),
which other load does not inflate.
Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

APP = REPO / "dashboard" / "app.py"
BASELINE = REPO / "bench" / "baseline_app.py"
BASELINE_NAME = "基线（静态表格）"
Target = tuple[Path, str | None, dict[str, str]]
# name → (entry script, page to switch to or None, query params)
PAGES: dict[str, Target] = {
    "领导驾驶舱": (APP, "../pages/briefing.py", {}),
    "领导驾驶舱（大屏）": (APP, "../pages/briefing.py", {"screen": "big", "rotate": "0"}),
    "总览": (APP, "../pages/overview.py", {}),
    "指标详情": (APP, "../pages/indicator.py", {"indicator": "C-HEALTH-13"}),
    "区县对比": (APP, "../pages/districts.py", {}),
    "成员单位": (APP, "../pages/units.py", {}),
    "中期评估": (APP, "../pages/midterm.py", {}),
    "地图": (APP, "../pages/maps.py", {}),
}
# the embedded default is a city: its 中期评估 is measured for a county, as before
CITY_TARGETS: dict[str, Target] = {
    BASELINE_NAME: (BASELINE, None, {}),
    **PAGES,
    "中期评估": (APP, "../pages/midterm.py", {"region": "370304"}),
}
# a province's levels: the region the sidebar shows (None = the province itself)
LEVELS = {"province": ("省", None), "city": ("市", "370300"), "county": ("县", "370303")}
GOALS = {"city": (2.0, 0.3), "province": (3.0, 0.5)}


def province_targets(levels: list[str]) -> dict[str, Target]:
    """Every page at each level (the 总览 and 地图 pages have no region: measured once)."""
    targets: dict[str, Target] = {BASELINE_NAME: (BASELINE, None, {})}
    for level in levels:
        word, region = LEVELS[level]
        for name, (script, page, params) in PAGES.items():
            if region and name in ("总览", "地图"):
                continue
            targets[f"{name}·{word}"] = (script, page, {**params, **({"region": region} if region else {})})
    return targets


def _app_test(target: Target):
    from streamlit.testing.v1 import AppTest

    script, page, params = target
    at = AppTest.from_file(str(script), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    return at


def _timed_run(at, cpu: list[float] | None = None) -> float:
    """Seconds of one run; its CPU seconds (every thread of this process) go to `cpu`."""
    start, start_cpu = time.perf_counter(), time.process_time()
    at.run()
    elapsed = time.perf_counter() - start
    if cpu is not None:
        cpu.append(time.process_time() - start_cpu)
    if at.exception:
        raise RuntimeError(f"page raised: {[e.value for e in at.exception]}")
    return elapsed


def child(spec: str) -> None:
    """One fresh-process cold run of the target given as JSON; prints the seconds as JSON."""
    script, page, params = json.loads(spec)
    print(json.dumps({"seconds": _timed_run(_app_test((Path(script), page, params)))}))


def _level(db_path: Path) -> str | None:
    """The level of the region the database was built for (city, province …)."""
    from dashboard.queries import db
    from dashboard.ui import options

    home = options.home_region(db_path)
    level = db.scalar(db_path, "SELECT level FROM region WHERE code = $h", {"h": home})
    db.close_all()
    return level


def fresh_process(target: Target, db_path: Path) -> float:
    env = {**os.environ, "FUER_DB": str(db_path)}
    script, page, params = target
    spec = json.dumps([str(script), page, params], ensure_ascii=False)
    out = subprocess.run(
        [sys.executable, __file__, "--child", spec], env=env, capture_output=True, text=True, check=True, cwd=REPO
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1])["seconds"])


def in_process(target: Target, repeat: int) -> tuple[list[float], list[float], list[float], list[float]]:
    """(cold runs with caches cleared, warm reruns of one session), each with its CPU seconds."""
    import streamlit as st

    from dashboard.queries import db

    cold, warm, cold_cpu, warm_cpu = [], [], [], []
    for _ in range(repeat):
        st.cache_data.clear()
        st.cache_resource.clear()
        db.close_all()
        cold.append(_timed_run(_app_test(target), cold_cpu))
    at = _app_test(target)
    _timed_run(at)
    for _ in range(repeat):
        warm.append(_timed_run(at, warm_cpu))
    return cold, warm, cold_cpu, warm_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="database to read (default: build the embedded default)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--fresh", type=int, help="fresh-process cold runs per page (default: min(repeat, 3))")
    parser.add_argument("--region", help="build this region (e.g. 370000 山东) instead of the default; its goals apply")
    parser.add_argument(
        "--levels", default="province,city,county", help="a province build's levels to measure (province,city,county)"
    )
    parser.add_argument("--only", help="comma-separated page names to measure (the baseline is always measured)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return

    tmp = None
    db_path = args.db
    if args.region:
        os.environ["FUER_REGION"] = args.region
    if db_path is None:
        from etl.build import build_database

        tmp = tempfile.TemporaryDirectory()
        db_path = Path(tmp.name) / "fuer.duckdb"
        print(f"building the database of {args.region or 'the embedded default'} …", file=sys.stderr)
        build_database(db_path, region=args.region, sample_dir=Path(tmp.name) / "samples")
    os.environ["FUER_DB"] = str(db_path)
    province = _level(db_path) == "province"
    targets = province_targets([lv.strip() for lv in args.levels.split(",")]) if province else CITY_TARGETS
    goal_cold, goal_warm = GOALS["province" if province else "city"]
    fresh = min(args.repeat, 3) if args.fresh is None else args.fresh

    results: dict[str, dict[str, float | None]] = {}
    wanted = {n.strip() for n in args.only.split(",")} if args.only else None
    for name, target in targets.items():
        if wanted is not None and name != BASELINE_NAME and name not in wanted and name.split("·")[0] not in wanted:
            continue
        print(f"measuring {name} …", file=sys.stderr)
        load_before = os.getloadavg()[0]
        process = [fresh_process(target, db_path) for _ in range(fresh)]
        cold, warm, cold_cpu, warm_cpu = in_process(target, args.repeat)
        results[name] = {
            "cold_process": statistics.median(process) if process else None,
            "cold_cache": statistics.median(cold),
            "cold_max": max(cold),
            "warm": statistics.median(warm),
            "cold_cpu": statistics.median(cold_cpu),
            "warm_cpu": statistics.median(warm_cpu),
            "load_before": load_before,
            "load_after": os.getloadavg()[0],
        }

    base = results[BASELINE_NAME]
    print(
        f"{'页面':<16}{'冷(新进程)':>11}{'冷(清缓存)':>11}{'热':>8}{'CPU 冷/热':>14}{'倍数(清缓存/热)':>16}"
        f"{'负载':>12}  目标"
    )
    for name, r in results.items():
        ratios = "/".join(f"{r[k] / base[k]:.1f}" for k in ("cold_cache", "warm"))
        process = "—" if r["cold_process"] is None else f"{r['cold_process']:.2f}s"
        ok = r["cold_cache"] < goal_cold and r["warm"] < goal_warm
        load = f"{r['load_before']:.1f}→{r['load_after']:.1f}"
        cpu = f"{r['cold_cpu']:.2f}/{r['warm_cpu']:.3f}s"
        print(
            f"{name:<16}{process:>11}{r['cold_cache']:>10.2f}s{r['warm']:>7.3f}s{cpu:>14}{ratios:>16}{load:>12}  "
            f"{'达到' if ok else '未达到'}"
        )
    print(
        f"（中位数；冷(新进程) {fresh} 次，其余各 {args.repeat} 次；CPU 为本进程各线程的 CPU 秒数，不受其他负载影响；"
        "负载为测该页前后的 1 分钟平均负载；"
        f"目标：冷 < {goal_cold} s，热 < {goal_warm} s）"
    )
    out = REPO / "bench" / "out"
    out.mkdir(exist_ok=True)
    name = f"pages{'_province' if province else ''}.json"
    (out / name).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
