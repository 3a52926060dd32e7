"""Benchmark: loading member-unit returns with every check on, against DuckDB's own CSV reader.

    .venv/bin/python bench/bench_etl.py              # 200,000-row long CSV + 50,000-cell wide xlsx
    .venv/bin/python bench/bench_etl.py --rows 20000 # smaller, to check the script itself

A province back-filling five years for its counties sends files this large. The script copies
the embedded default database (data/build/fuer.duckdb, built first when missing), registers
enough synthetic county-level districts under the home city to make every row a distinct
indicator × district × year, writes the files, then in fresh processes (so peak memory is each
one's own) times:

  duckdb read_csv   the baseline: DuckDB reading the same CSV into a table (no checks);
  load csv          etl.returns.load.submit_file on the CSV: reader, every validation rule,
                    locks, revisions, audit rows, raw rows, atomic publish;
  load xlsx         the same for the wide-by-district workbook.

It prints wall seconds (for a load: from importing the loader to the published database; the
import alone is shown too, since DuckDB's own import is not in its time), CPU seconds, peak
resident memory (ru_maxrss) and the ratio of each load to the baseline measured in the same run,
with and without the import. The load's working copy of the database is made before the clock
starts. A benchmark, not a timed test: it is not in pytest.

An installed server imports compiled bytecode (an install compiles it, or Python caches it on first
import). Where nothing is cached (PYTHONDONTWRITEBYTECODE is set on this machine) every import
would compile its source again, so the script first compiles the packages a load imports.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

HOME = "370300"
YEARS = (2020, 2021, 2022, 2023, 2024)


def _numeric_indicators(db: Path) -> list[tuple[str, str, str]]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(
            "SELECT code, name, unit FROM indicator WHERE coalesce(trim(unit), '') <> '' ORDER BY code"
        ).fetchall()
    finally:
        con.close()


def _value(unit: str, i: int) -> str:
    # inside every unit's bounds (etl.core.bounds), varied so no two neighbouring rows are equal
    base = {"%": 80.0, "‰": 5.0, "1/10万": 12.0, "岁": 78.0, "年": 10.0, "百分点": 2.0, "亿人": 1.0}.get(unit, 40.0)
    return f"{base + (i % 97) / 10:.1f}"


def prepare(folder: Path, rows: int, wide_cells: int) -> dict[str, str]:
    """The database copy with synthetic districts, the CSV and the xlsx; returns their paths."""
    import duckdb
    import xlsxwriter

    from etl.build import ensure_database

    source = REPO / "data" / "build" / "fuer.duckdb"
    ensure_database(source)
    db = folder / "bench.duckdb"
    shutil.copyfile(source, db)
    indicators = _numeric_indicators(db)
    per_district = len(indicators) * len(YEARS)
    n_districts = -(-rows // per_district)
    # codes 37A000–37Z999 are not real counties: 379000 upwards, under the home city
    districts = [(f"{379000 + d:06d}", f"示例县{d + 1}") for d in range(n_districts)]
    con = duckdb.connect(str(db))
    try:
        con.executemany(
            "INSERT INTO region VALUES (?, ?, ?, 'county', ?)",
            [(c, n, n.removesuffix("县"), HOME) for c, n in districts],
        )
        # a province back-filling its history has approved nothing yet: without this every value
        # of 2020–2024 would be refused as locked by the sample's approvals
        con.execute("DELETE FROM approval")
        con.execute("CHECKPOINT")
    finally:
        con.close()

    csv_path = folder / "long.csv"
    with csv_path.open("w", encoding="utf-8") as out:
        out.write("指标代码,指标名称,地区代码,地区名称,年份,数值,备注\n")
        written = 0
        for code, name in districts:
            for ind_code, ind_name, unit in indicators:
                for year in YEARS:
                    if written == rows:
                        break
                    out.write(f"{ind_code},{ind_name},{code},{name},{year},{_value(unit, written)},\n")
                    written += 1

    # wide by district: one row per indicator × year, one column per district
    xlsx_path = folder / "wide.xlsx"
    columns = districts[: max(1, -(-wide_cells // per_district))]
    book = xlsxwriter.Workbook(str(xlsx_path))
    sheet = book.add_worksheet("报表")
    sheet.write_row(0, 0, ["指标代码", "指标名称", "年份", *[n for _c, n in columns]])
    r = 1
    for ind_code, ind_name, unit in indicators:
        for year in YEARS:
            sheet.write_row(r, 0, [ind_code, ind_name, year])
            sheet.write_row(r, 3, [float(_value(unit, r + j)) for j in range(len(columns))])
            r += 1
    book.close()
    return {
        "db": str(db),
        "csv": str(csv_path),
        "xlsx": str(xlsx_path),
        "districts": str(n_districts),
        "wide_cells": str((r - 1) * len(columns)),
    }


# what a load imports (the xlsx reader's fastexcel brings pyarrow and numpy)
_LOAD_IMPORTS = ("polars", "duckdb", "fastexcel", "pyarrow", "numpy", "typing_extensions", "etl")


def compile_bytecode() -> None:
    """Compile the loader's import closure once, as an installed server has it."""
    for name in _LOAD_IMPORTS:
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        if spec.submodule_search_locations:
            for folder in spec.submodule_search_locations:
                compileall.compile_dir(folder, quiet=2, workers=0)
        elif spec.origin:
            compileall.compile_file(spec.origin, quiet=2)


def _child(task: str, paths: dict[str, str]) -> dict[str, float]:
    """Run one contender in this (fresh) process and measure it."""
    import duckdb

    imported = 0.0
    if task != "duckdb read_csv":
        # the working copy of the database is the bench's set-up, not part of a load
        work = Path(paths["db"]).with_name(f"{task.replace(' ', '_')}.duckdb")
        shutil.copyfile(paths["db"], work)
    started, cpu = time.perf_counter(), time.process_time()
    if task == "duckdb read_csv":
        con = duckdb.connect()
        con.execute("CREATE TABLE t AS SELECT * FROM read_csv($p, all_varchar = true)", {"p": paths["csv"]})
        n = con.sql("SELECT count(*) FROM t").fetchall()[0][0]
        con.close()
    else:
        # a load runs in a fresh process (the upload page's bounded child): importing the loader
        # (polars, the reader stack) is part of what a clerk waits for, reported separately
        from etl.returns.load import submit_file

        imported = time.perf_counter() - started
        file = paths["csv"] if task == "load csv" else paths["xlsx"]
        report = submit_file(work, Path(file), actor="基准测试")
        if report.status != "loaded":
            raise SystemExit(f"{task}: {report.message}")
        n = report.accepted
    return {
        "values": n,
        "wall_s": time.perf_counter() - started,
        "import_s": imported,
        "cpu_s": time.process_time() - cpu,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the long CSV")
    parser.add_argument("--wide-cells", type=int, default=50_000, help="value cells of the wide xlsx")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--paths", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, json.loads(args.paths))))
        return 0
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="fuer-bench-etl-") as tmp:
        paths = prepare(Path(tmp), args.rows, args.wide_cells)
        size_mb = Path(paths["csv"]).stat().st_size / 1e6
        print(f"1 分钟平均负载（运行前）：{os.getloadavg()[0]:.2f}")
        print(
            f"长表 CSV：{args.rows} 行，{size_mb:.1f} MB；宽表 xlsx：{paths['wide_cells']} 个数值；"
            f"合成区县 {paths['districts']} 个"
        )
        results = {}
        for task in ("duckdb read_csv", "load csv", "load xlsx"):
            out = subprocess.run(
                [sys.executable, __file__, "--child", task, "--paths", json.dumps(paths)],
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode != 0:
                print(out.stdout, out.stderr, file=sys.stderr)
                return 1
            results[task] = json.loads(out.stdout.strip().splitlines()[-1])
        base = results["duckdb read_csv"]["wall_s"]
        print(f"1 分钟平均负载（运行后）：{os.getloadavg()[0]:.2f}")
        print(
            f"{'参与者':<16}{'数值':>9}{'墙钟 s':>9}{'其中导入 s':>11}{'CPU s':>8}{'峰值 MB':>9}"
            f"{'÷ read_csv':>12}{'不含导入 ÷':>12}"
        )
        for task, r in results.items():
            print(
                f"{task:<16}{r['values']:>9}{r['wall_s']:>9.2f}{r['import_s']:>11.2f}{r['cpu_s']:>8.2f}"
                f"{r['peak_mb']:>9.0f}{r['wall_s'] / base:>12.1f}{(r['wall_s'] - r['import_s']) / base:>12.1f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
