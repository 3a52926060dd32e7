"""Benchmark: how long each dashboard page takes to render, cold and warm, under AppTest.

    .venv/bin/python bench/bench_pages.py                  # builds the embedded default in a temp dir
    .venv/bin/python bench/bench_pages.py --db data/build/fuer.duckdb --repeat 5
    .venv/bin/python bench/bench_pages.py --region 370000 --repeat 3   # 山东: 16 cities, 136 counties

For every page leaders and the office open most (领导驾驶舱, 领导驾驶舱 大屏, 指标详情, 区县对比,
成员单位, 中期评估) and a baseline page that only draws a static table (bench/baseline_app.py), in one run:

  cold (fresh process)  a new Python process imports Streamlit and runs the page once through
                        AppTest: module imports, first database connection, engine run — what
                        the first visitor after a server start waits for;
  cold (cache cleared)  same process, Streamlit caches cleared and database connections closed,
                        new AppTest session: what a visitor waits for after a new database
                        snapshot is published (the server is already running);
  warm                  the same session run again (engine results cached): a widget change
                        that needs no new computation, or a second visitor.

Medians of --repeat runs (fresh-process runs: at most 3). The goal is under 2 s cold and under
0.3 s warm on the embedded default (a city), under 3 s cold and 0.5 s warm for a province
(--region 370000, built with its province sample unless --db is given); each figure is also
given as a multiple of the baseline's, since AppTest on a slow machine makes every page slower
alike. A province run adds a city inside the province (its counties ranked) and the 地图 page
draws every county. Not a test: timings depend on the machine.
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
# name → (entry script, page to switch to or None, query params)
TARGETS: dict[str, tuple[Path, str | None, dict[str, str]]] = {
    "基线（静态表格）": (BASELINE, None, {}),
    "领导驾驶舱": (APP, "../pages/briefing.py", {}),
    "领导驾驶舱（大屏）": (APP, "../pages/briefing.py", {"screen": "big", "rotate": "0"}),
    "指标详情": (APP, "../pages/indicator.py", {"indicator": "C-HEALTH-13"}),
    "区县对比": (APP, "../pages/districts.py", {}),
    "成员单位": (APP, "../pages/units.py", {}),
    "中期评估": (APP, "../pages/midterm.py", {"region": "370304"}),
    "总览": (APP, "../pages/overview.py", {}),
    "地图": (APP, "../pages/maps.py", {}),
}
# a province's own views: one of its cities (ranking that city's counties), on the briefing
PROVINCE_TARGETS: dict[str, tuple[Path, str | None, dict[str, str]]] = {
    "领导驾驶舱（市，省内）": (APP, "../pages/briefing.py", {"region": "370300"}),
    "区县对比（市，省内）": (APP, "../pages/districts.py", {"region": "370300"}),
}
GOALS = {"city": (2.0, 0.3), "province": (3.0, 0.5)}


def _app_test(name: str):
    from streamlit.testing.v1 import AppTest

    script, page, params = TARGETS[name]
    at = AppTest.from_file(str(script), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    return at


def _timed_run(at) -> float:
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"page raised: {[e.value for e in at.exception]}")
    return elapsed


def child(name: str) -> None:
    """One fresh-process cold run; prints the seconds as JSON."""
    TARGETS.update(PROVINCE_TARGETS)
    at = _app_test(name)
    print(json.dumps({"seconds": _timed_run(at)}))


def _level(db_path: Path) -> str | None:
    """The level of the region the database was built for (city, province …)."""
    from dashboard.queries import db
    from dashboard.ui import options

    home = options.home_region(db_path)
    level = db.scalar(db_path, "SELECT level FROM region WHERE code = $h", {"h": home})
    db.close_all()
    return level


def fresh_process(name: str, db_path: Path) -> float:
    env = {**os.environ, "FUER_DB": str(db_path)}
    out = subprocess.run(
        [sys.executable, __file__, "--child", name], env=env, capture_output=True, text=True, check=True, cwd=REPO
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1])["seconds"])


def in_process(name: str, repeat: int) -> tuple[list[float], list[float]]:
    """(cold runs with caches cleared, warm reruns of one session)."""
    import streamlit as st

    from dashboard.queries import db

    cold, warm = [], []
    for _ in range(repeat):
        st.cache_data.clear()
        st.cache_resource.clear()
        db.close_all()
        cold.append(_timed_run(_app_test(name)))
    at = _app_test(name)
    _timed_run(at)
    for _ in range(repeat):
        warm.append(_timed_run(at))
    return cold, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="database to read (default: build the embedded default)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--region", help="build this region (e.g. 370000 山东) instead of the default; its goals apply")
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
    if province:
        TARGETS.update(PROVINCE_TARGETS)
    goal_cold, goal_warm = GOALS["province" if province else "city"]

    results: dict[str, dict[str, float]] = {}
    wanted = {n.strip() for n in args.only.split(",")} if args.only else set(TARGETS)
    for name in [n for n in TARGETS if n in wanted or n == "基线（静态表格）"]:
        print(f"measuring {name} …", file=sys.stderr)
        process = [fresh_process(name, db_path) for _ in range(min(args.repeat, 3))]
        cold, warm = in_process(name, args.repeat)
        results[name] = {
            "cold_process": statistics.median(process),
            "cold_cache": statistics.median(cold),
            "warm": statistics.median(warm),
        }

    base = results["基线（静态表格）"]
    header = f"{'页面':<14}{'冷(新进程)':>12}{'冷(清缓存)':>12}{'热':>9}{'倍数(新进程/清缓存/热)':>28}  目标"
    print(header)
    for name, r in results.items():
        ratios = "/".join(f"{r[k] / base[k]:.1f}" for k in ("cold_process", "cold_cache", "warm"))
        ok = r["cold_cache"] < goal_cold and r["warm"] < goal_warm
        print(
            f"{name:<14}{r['cold_process']:>11.2f}s{r['cold_cache']:>11.2f}s{r['warm']:>8.3f}s{ratios:>28}  "
            f"{'达到' if ok else '未达到'}"
        )
    print(
        f"（中位数；冷(新进程) {min(args.repeat, 3)} 次，其余各 {args.repeat} 次；"
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
