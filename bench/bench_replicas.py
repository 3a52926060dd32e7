"""Benchmark: app replicas behind nginx under viewers and concurrent uploads, on loopback.

    .venv/bin/python bench/bench_replicas.py                         # 2 replicas, 40 viewers + 10 uploads
    .venv/bin/python bench/bench_replicas.py --replicas 3 --viewers 60 --uploads 10
    .venv/bin/python bench/bench_replicas.py --db data/build/fuer.duckdb    # copies it; never writes to it

Starts the replicas with `python -m dashboard serve`'s launcher (dashboard.serve.replicas) on a
private copy of the database, with a users file holding one 教育局 clerk and the briefing open
without sign-in, and drives it with bench/st_client.py's protocol client (no browsers):

  warm-up     one briefing session per replica (pinned by its route cookie), so the load below
              meets warm caches; its times are reported as the cold first sessions;
  viewers     --viewers briefing sessions opened at once through the proxy, each a new "tab"
              with its own route cookie, so nginx spreads them over the replicas (baseline for
              the mixed run below, measured in the same run);
  mixed       the same viewers again, plus --uploads clerks at the same moment, each signing in
              on 数据填报, uploading a different part of 教育局's returns for 2025 (CSV), and
              confirming the load;
  checks      every value of every return is in the database exactly once with its value
              (none lost, none duplicated), each submission once, and each replica's 数据 page,
              asked directly, lists every uploaded file once.

Reported: p50 / p95 page time (GET of the page to the server's finished run), upload time
(sign-in to the loaded notice), sessions per replica, each replica's CPU seconds over the mixed
run (its own and its finished child processes', i.e. the upload checks), errors. Bounded: the
load has an overall timeout, every session its own, and the replicas and nginx are stopped by
their process ids at the end, also on error. Exit status 1 when a value was lost or duplicated
or a session failed. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import replica_scenario as scenario  # noqa: E402
import st_client  # noqa: E402

from dashboard.serve import replicas  # noqa: E402

_TICKS = os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu(pid: int) -> tuple[float, float]:
    """(own, reaped children's) CPU seconds of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS, (int(fields[13]) + int(fields[14])) / _TICKS


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(q * len(ordered)) - 1)] if ordered else float("nan")


async def _timed_view(url: str, timeout: float) -> tuple[float | None, str, str]:
    """(seconds, error, route) of one new tab opening the briefing through the proxy."""
    session = st_client.Session(url, timeout=timeout)
    try:
        result = await session.open("")
        error = "" if result.status == "ok" else result.status
        return result.seconds, error, session.cookie("fuer_route") or ""
    except Exception as exc:  # noqa: BLE001 - a failed session is counted, never hides the rest
        return None, f"{type(exc).__name__}: {exc}", session.cookie("fuer_route") or ""
    finally:
        await session.close()


async def _timed_upload(url: str, password: str, item: scenario.Return) -> tuple[float | None, str, int | None]:
    start = time.monotonic()
    try:
        number = await scenario.upload(url, password, item)
        return time.monotonic() - start, "", number
    except Exception as exc:  # noqa: BLE001
        return None, f"{type(exc).__name__}: {exc}", None


async def _load(
    url: str, viewers: int, uploads: list[scenario.Return], password: str, timeout: float
) -> tuple[list, list]:
    tasks = [_timed_view(url, timeout) for _ in range(viewers)]
    tasks += [_timed_upload(url, password, item) for item in uploads]
    results = await asyncio.wait_for(asyncio.gather(*tasks), timeout=timeout + 60)
    return results[:viewers], results[viewers:]


def _summary(views: list, uploads: list) -> dict[str, object]:
    page = [s for s, e, _ in views if s is not None and not e]
    up = [s for s, e, _ in uploads if s is not None and not e]
    errors = [e for _, e, _ in views if e] + [e for _, e, _ in uploads if e]
    return {
        "viewers": len(views),
        "viewer_p50": statistics.median(page) if page else float("nan"),
        "viewer_p95": _p(page, 0.95),
        "viewer_max": max(page) if page else float("nan"),
        "uploads": len(uploads),
        "upload_p50": statistics.median(up) if up else float("nan"),
        "upload_p95": _p(up, 0.95),
        "upload_max": max(up) if up else float("nan"),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="database to copy (default: build the embedded default)")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--viewers", type=int, default=40)
    parser.add_argument("--uploads", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds the whole load may take")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-replicas-"))
    cluster = None
    try:
        db_path = work / "fuer.duckdb"
        if args.db is not None:
            shutil.copyfile(args.db, db_path)
        else:
            from etl.build import build_database

            print("building the embedded default database …", file=sys.stderr)
            build_database(db_path, sample_dir=work / "samples")
        users_file, passwords = scenario.accounts(work)
        batch = scenario.returns(db_path, args.uploads) if args.uploads else []
        env = {**os.environ, "FUER_DB": str(db_path), "FUER_USERS_FILE": str(users_file)}
        ports = []
        while len(ports) < args.replicas:
            port = _free_port()
            if port not in ports:
                ports.append(port)
        print(f"starting {args.replicas} replicas behind nginx …", file=sys.stderr)
        cluster = replicas.start_cluster(
            args.replicas, listen=f"127.0.0.1:{_free_port()}", replica_ports=ports, run_dir=work / "serve", env=env
        )
        log = work / "serve" / "nginx-access.log"

        cold = []
        for replica in cluster.replicas:
            route = scenario.route_to(cluster.url, log, replica.port)
            tab = scenario.session_via(cluster.url, route)

            async def first(tab: st_client.Session = tab) -> float:
                try:
                    return (await tab.open("")).seconds
                finally:
                    await tab.close()

            cold.append(asyncio.run(first()))

        print(f"{args.viewers} viewers …", file=sys.stderr)
        alone, _ = asyncio.run(_load(cluster.url, args.viewers, [], "", args.timeout))
        print(f"{args.viewers} viewers + {args.uploads} uploads …", file=sys.stderr)
        cpu0 = [_cpu(r.process.pid) for r in cluster.replicas]  # type: ignore[union-attr]
        mixed_views, mixed_uploads = asyncio.run(
            _load(cluster.url, args.viewers, batch, passwords[scenario.USER], args.timeout)
        )
        cpu1 = [_cpu(r.process.pid) for r in cluster.replicas]  # type: ignore[union-attr]
        rss = [_rss_mb(r.process.pid) for r in cluster.replicas]  # type: ignore[union-attr]

        upstream = {f"127.0.0.1:{p}": p for p in ports}
        spread = Counter(upstream.get(scenario.upstream_of(log, route) or "", 0) for _, _, route in mixed_views)
        counts = scenario.landed(db_path, batch)
        shown = []
        for replica in cluster.replicas:
            files = asyncio.run(scenario.recent_loads(replica.url, passwords["office01"]))
            shown.append(sum(1 for item in batch if files.count(item.name) == 1))
    finally:
        if cluster is not None:
            cluster.stop()

    base, mixed = _summary(alone, []), _summary(mixed_views, mixed_uploads)
    print(f"副本 {args.replicas} 个；各副本首个会话（冷）：{'、'.join(f'{s:.2f} s' for s in cold)}")
    print(
        f"只有查看：{base['viewers']} 个会话，页面 p50 {base['viewer_p50']:.2f} s、p95 {base['viewer_p95']:.2f} s、"
        f"最长 {base['viewer_max']:.2f} s，错误 {base['errors']}"
    )
    print(
        f"查看 + 上传：{mixed['viewers']} 个会话，页面 p50 {mixed['viewer_p50']:.2f} s、"
        f"p95 {mixed['viewer_p95']:.2f} s、最长 {mixed['viewer_max']:.2f} s"
        f"（p95 为只有查看时的 {mixed['viewer_p95'] / base['viewer_p95']:.1f} 倍）；"
        f"{mixed['uploads']} 个上传（登录→载入完成）p50 {mixed['upload_p50']:.1f} s、p95 {mixed['upload_p95']:.1f} s、"
        f"最长 {mixed['upload_max']:.1f} s；错误 {mixed['errors']}"
        + (f"（首个：{mixed['first_error']}）" if mixed["errors"] else "")
    )
    print(
        "各副本的会话数："
        + "、".join(f"{p} 端口 {spread.get(p, 0)} 个" for p in ports)
        + (f"、未知 {spread[0]} 个" if spread.get(0) else "")
    )
    print(
        "各副本在查看 + 上传期间的 CPU 秒（本进程 / 上传检查子进程）："
        + "、".join(f"{a[0] - b[0]:.1f} / {a[1] - b[1]:.1f}" for a, b in zip(cpu1, cpu0, strict=True))
        + "；RSS "
        + "、".join(f"{x:.0f} MB" for x in rss)
    )
    print(
        f"数值：应有 {counts['expected']}，恰好一次 {counts['once']}，丢失 {counts['missing']}，"
        f"重复 {counts['duplicated']}，数值不符 {counts['wrong']}；提交 {counts['submissions']} / {len(batch)}，"
        f"重复提交 {counts['submissions_duplicated']}；各副本“数据”页列出的上传文件："
        + "、".join(f"{n} / {len(batch)}" for n in shown)
    )
    out = BENCH / "out"
    out.mkdir(exist_ok=True)
    (out / "replicas.json").write_text(
        json.dumps(
            {
                "replicas": args.replicas,
                "cold": cold,
                "viewers_only": base,
                "mixed": mixed,
                "spread": {str(p): spread.get(p, 0) for p in ports},
                "values": counts,
                "shown_per_replica": shown,
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    shutil.rmtree(work, ignore_errors=True)
    bad = (
        counts["missing"]
        or counts["duplicated"]
        or counts["wrong"]
        or counts["submissions"] != len(batch)
        or base["errors"]
        or mixed["errors"]
        or any(n != len(batch) for n in shown)
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
