"""Benchmark: one write and one snapshot rebuild with PostgreSQL as the system of record, against
the embedded DuckDB file measured in the same run.

    .venv/bin/python bench/bench_store.py            # 7 loads per store
    .venv/bin/python bench/bench_store.py --runs 3

Uses the embedded default database (data/build/fuer.duckdb, built first when missing). Starts a
throwaway PostgreSQL cluster on loopback (tests/pg_cluster.py) unless FUER_DATABASE_URL is set,
imports the database into it, then times:

  duckdb load      the baseline: etl.returns.load.submit_file of a one-value return on the file;
  postgres load    the same through PostgreSQL (working copy, COPY in one transaction, the
                   writer's snapshot rebuilt from PostgreSQL afterwards);
  snapshot         etl.core.pgsnapshot.sync: PostgreSQL → Arrow → a new DuckDB file, replaced.

Prints medians and each ratio to the baseline. A benchmark, not a timed test: not in pytest.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

HEADER = "指标代码,指标名称,地区代码,地区名称,年份,数值,备注\n"


def _loads(db: Path, folder: Path, runs: int) -> list[float]:
    from etl.returns.load import submit_file

    times = []
    for i in range(runs):
        f = folder / f"教育局_{i}.csv"
        f.write_text(HEADER + f"C-EDU-02,,370303,,2025,{90 + i / 10:.1f},\n", encoding="utf-8")
        t = time.perf_counter()
        report = submit_file(db, f, unit="education")
        times.append(time.perf_counter() - t)
        assert report.status == "loaded", report.message
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from etl.build import ensure_database
    from etl.core import pgsnapshot, pgstore, settings

    source = Path(settings.SETTINGS["db_path"].default)
    url = os.environ.pop("FUER_DATABASE_URL", "")  # the file baseline first, without it
    ensure_database(source)
    cluster = None
    if not url:
        from pg_cluster import Cluster, find_bin

        cluster = Cluster(find_bin()).start()
        url = cluster.create_database()
    try:
        with tempfile.TemporaryDirectory(prefix="fuer-bench-store-") as tmp:
            folder = Path(tmp)
            file_db = folder / "file.duckdb"
            shutil.copyfile(source, file_db)
            duck = _loads(file_db, folder, args.runs)

            os.environ["FUER_DATABASE_URL"] = url
            snap = folder / "snapshot.duckdb"
            t = time.perf_counter()
            pgstore.import_file(snap, source)
            imported = time.perf_counter() - t
            pg = _loads(snap, folder, args.runs)
            syncs = []
            for _ in range(args.runs):
                t = time.perf_counter()
                pgsnapshot.sync(snap)
                syncs.append(time.perf_counter() - t)
    finally:
        if cluster:
            cluster.stop()

    base = statistics.median(duck)
    print(f"load averages: {os.getloadavg()[0]:.1f} (2-core machine shares its cores)")
    print(f"{'':16}{'median s':>10}{'ratio':>8}   all runs")
    for name, runs in (("duckdb load", duck), ("postgres load", pg), ("snapshot", syncs)):
        med = statistics.median(runs)
        print(f"{name:16}{med:>10.2f}{med / base:>8.1f}   {' '.join(f'{x:.2f}' for x in runs)}")
    print(f"import once     {imported:>10.2f}")


if __name__ == "__main__":
    main()
