"""Benchmark: how many simultaneous briefing sessions one `streamlit run` process serves.

    .venv/bin/python bench/bench_sessions.py                     # builds the embedded default in a temp dir
    .venv/bin/python bench/bench_sessions.py --db data/build/fuer.duckdb --sessions 10,25 --wall-seconds 60

Starts one server on 127.0.0.1 (a free port) and drives it with a light client of Streamlit's
websocket protocol instead of browser tabs: each session connects to /_stcore/stream, asks for
a script run of the briefing (BackMsg rerun_script) and waits for the run's ForwardMsg
script_finished. So the times are the server's work alone: no plotly or deck.gl rendering in
a browser, which on a 2-core machine is most of what a tab waits for.

In one run:

  first session   one session on a fresh server: imports, engine runs, caches filled (cold);
  N sessions      N = 10, 25, 50 sessions opened at once against the warm server. Reported:
                  p50 / p95 seconds from opening the websocket to the finished run; the server's
                  CPU seconds per session (its utime + stime over the batch ÷ N, from /proc);
                  the server's memory per extra session (RSS with all N open, minus RSS before
                  the batch, ÷ N);
  baseline        the same measurements for one session of a static page
                  (bench/baseline_app.py, its own server), so each figure can be read as a
                  multiple of what any Streamlit page costs on this machine;
  wall screen     one session of the briefing with screen=big&rotate=5 left open for
                  --wall-seconds, answering the server's auto-rerun requests as a browser does
                  (one fragment rerun every 5 s); the server's RSS is sampled every few seconds
                  and the growth over the second half of the window is reported.

Bounded: every session has a timeout, the wall check a fixed duration, and the servers are
stopped (by their own process ids) when the run ends, also on error. Goals (2 cores): 25
sessions with p95 < 3 s; < 0.1 CPU-s per cached briefing session; < 30 MB per extra session;
a wall screen does not grow the server's memory. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

APP = REPO / "dashboard" / "app.py"
BASELINE = REPO / "bench" / "baseline_app.py"
SESSION_TIMEOUT = 180.0  # seconds one session may take before it counts as failed
WALL_QUERY = "screen=big&rotate=5"
GOALS = {"p95_25": 3.0, "cpu_per_session": 0.1, "mb_per_session": 30.0}
_TICKS = os.sysconf("SC_CLK_TCK")


# --- the server ------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    script: Path
    db_path: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen | None = None
    options: tuple[str, ...] = ()  # extra `streamlit run` options, e.g. --server.fileWatcherType=none

    def start(self, timeout: float = 120.0) -> None:
        env = {**os.environ, "FUER_DB": str(self.db_path)}
        cmd = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(self.script),
            f"--server.port={self.port}",
            "--server.address=127.0.0.1",
            "--server.headless=true",
            "--browser.gatherUsageStats=false",
            *self.options,
        ]
        self.process = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"server on port {self.port} did not start within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def cpu_seconds(self) -> float:
        """utime + stime of the server process (all its threads), from /proc."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (fields 14, 15 of stat)

    def rss_mb(self) -> float:
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


# --- the light client --------------------------------------------------------------------------


def _rerun(query: str, fragment_id: str = "", auto: bool = False) -> bytes:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_script_hash = ""
    if fragment_id:
        msg.rerun_script.fragment_id = fragment_id
        msg.rerun_script.is_auto_rerun = auto
    return msg.SerializeToString()


def _parse(data: bytes):
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = ForwardMsg()
    msg.ParseFromString(data)
    return msg


async def _until_finished(ws, deadline: float, on_message=None) -> bool:
    """Read ForwardMsgs until a full run finishes (True) or fails to compile (False)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    while True:
        data = await asyncio.wait_for(ws.recv(), timeout=max(deadline - time.monotonic(), 0.01))
        if isinstance(data, str):
            continue
        msg = _parse(data)
        if on_message is not None:
            on_message(msg)
        if msg.WhichOneof("type") == "script_finished":
            status = msg.script_finished
            if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                return True
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                return False


def _connect(port: int):
    from websockets.asyncio.client import connect

    return connect(
        f"ws://127.0.0.1:{port}/_stcore/stream",
        subprotocols=["streamlit"],
        origin=f"http://127.0.0.1:{port}",
        max_size=None,
        open_timeout=SESSION_TIMEOUT,
    )


async def _session(port: int, query: str, hold: asyncio.Event, times: list[float], errors: list[str]) -> None:
    """One session: connect, run the page once, then stay connected until `hold` is set."""
    start = time.monotonic()
    try:
        async with _connect(port) as ws:
            await ws.send(_rerun(query))
            ok = await _until_finished(ws, start + SESSION_TIMEOUT)
            if ok:
                times.append(time.monotonic() - start)
            else:
                errors.append("compile error")
            await hold.wait()
    except Exception as exc:  # a failed session is reported, never hides the others
        errors.append(f"{type(exc).__name__}: {exc}")


async def _batch(port: int, n: int, query: str, server: Server) -> dict[str, float | int]:
    hold = asyncio.Event()
    times: list[float] = []
    errors: list[str] = []
    rss0, cpu0 = server.rss_mb(), server.cpu_seconds()
    tasks = [asyncio.create_task(_session(port, query, hold, times, errors)) for _ in range(n)]
    deadline = time.monotonic() + SESSION_TIMEOUT + 10
    while len(times) + len(errors) < n and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)  # let the server settle with every session open
    rss1, cpu1 = server.rss_mb(), server.cpu_seconds()
    hold.set()
    await asyncio.wait(tasks, timeout=30)
    ordered = sorted(times)
    return {
        "sessions": n,
        "finished": len(times),
        "errors": len(errors),
        "p50": statistics.median(ordered) if ordered else float("nan"),
        "p95": ordered[max(0, round(0.95 * len(ordered)) - 1)] if ordered else float("nan"),
        "max": ordered[-1] if ordered else float("nan"),
        "cpu_per_session": (cpu1 - cpu0) / n,
        "mb_per_session": (rss1 - rss0) / n,
        "rss_mb": rss1,
        "first_error": errors[0] if errors else "",
    }


async def _wall(port: int, server: Server, seconds: float, sample_every: float = 5.0) -> dict[str, object]:
    """A wall screen left open: answer auto-rerun requests like a browser, sample the RSS."""
    auto: dict[str, float] = {}  # fragment id → interval

    def note(msg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "auto_rerun":
            auto[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval

    samples: list[tuple[float, float]] = []
    reruns = 0
    start = time.monotonic()
    async with _connect(port) as ws:
        await ws.send(_rerun(WALL_QUERY))
        await _until_finished(ws, start + SESSION_TIMEOUT, note)
        next_sample = time.monotonic()
        next_tick = {f: time.monotonic() + i for f, i in auto.items()}
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            now = time.monotonic()
            if now >= next_sample:
                samples.append((round(now - start, 1), server.rss_mb()))
                next_sample = now + sample_every
            for fragment, due in list(next_tick.items()):
                if now >= due:
                    await ws.send(_rerun(WALL_QUERY, fragment, auto=True))
                    reruns += 1
                    next_tick[fragment] = now + auto[fragment]
            try:
                data = await asyncio.wait_for(ws.recv(), timeout=0.2)
                if not isinstance(data, str):
                    note(_parse(data))
            except TimeoutError:
                pass
    half = [mb for t, mb in samples if t >= samples[len(samples) // 2][0]] if samples else []
    return {
        "seconds": seconds,
        "fragments": len(auto),
        "interval": next(iter(auto.values()), None),
        "fragment_reruns": reruns,
        "rss_first": samples[0][1] if samples else None,
        "rss_last": samples[-1][1] if samples else None,
        "rss_max": max(mb for _, mb in samples) if samples else None,
        "second_half_growth_mb": (half[-1] - half[0]) if len(half) > 1 else None,
        "mb_per_hour": _slope_per_hour(samples[len(samples) // 2 :]),
        "samples": samples,
    }


def _slope_per_hour(samples: list[tuple[float, float]]) -> float | None:
    """Least-squares growth of the RSS samples (seconds, MB), in MB per hour: a shortened wall
    run extrapolated to an hour (the first half of the run, while caches fill, is left out)."""
    if len(samples) < 3:
        return None
    ts = [t for t, _ in samples]
    ms = [m for _, m in samples]
    t0, m0 = statistics.fmean(ts), statistics.fmean(ms)
    var = sum((t - t0) ** 2 for t in ts)
    return None if var == 0 else 3600 * sum((t - t0) * (m - m0) for t, m in samples) / var


def _cold(port: int, query: str) -> float:
    async def one() -> float:
        hold = asyncio.Event()
        hold.set()
        times: list[float] = []
        errors: list[str] = []
        await _session(port, query, hold, times, errors)
        if errors:
            raise RuntimeError(errors[0])
        return times[0]

    return asyncio.run(one())


def _measure(
    script: Path, db_path: Path, sizes: list[int], query: str, options: tuple[str, ...] = ()
) -> dict[str, object]:
    server = Server(script, db_path, options=options)
    server.start()
    try:
        rss_idle = server.rss_mb()
        first = _cold(server.port, query)
        batches = [asyncio.run(_batch(server.port, n, query, server)) for n in sizes]
        return {"rss_idle_mb": rss_idle, "first_session": first, "batches": batches, "server": server}
    except BaseException:
        server.stop()
        raise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, help="database to read (default: build the embedded default)")
    parser.add_argument("--sessions", default="10,25,50", help="concurrent session counts, comma-separated")
    parser.add_argument("--wall-seconds", type=float, default=300.0, help="how long the wall screen stays open")
    parser.add_argument(
        "--file-watcher",
        choices=["auto", "none"],
        help="server.fileWatcherType (default: the shipped .streamlit/config.toml, none)",
    )
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="another `streamlit run` option for both servers, e.g. runner.postScriptGC=true (repeatable)",
    )
    args = parser.parse_args()
    options = tuple(f"--{o}" for o in args.option)
    if args.file_watcher:
        options += (f"--server.fileWatcherType={args.file_watcher}",)
    sizes = [int(x) for x in args.sessions.split(",") if x.strip()]

    tmp = None
    db_path = args.db
    if db_path is None:
        from etl.build import build_database

        tmp = tempfile.TemporaryDirectory()
        db_path = Path(tmp.name) / "fuer.duckdb"
        print("building the embedded default database …", file=sys.stderr)
        build_database(db_path, sample_dir=Path(tmp.name) / "samples")

    print("baseline page …", file=sys.stderr)
    base = _measure(BASELINE, db_path, sizes[:1], "", options)
    base.pop("server").stop()
    print("briefing …", file=sys.stderr)
    brief = _measure(APP, db_path, sizes, "", options)
    server = brief.pop("server")
    try:
        print(f"wall screen for {args.wall_seconds:.0f} s …", file=sys.stderr)
        wall = asyncio.run(_wall(server.port, server, args.wall_seconds))
    finally:
        server.stop()

    b0 = base["batches"][0]
    print(
        f"基线（静态页）：首个会话 {base['first_session']:.2f} s；{b0['sessions']} 个并发会话 p50 {b0['p50']:.2f} s、"
        f"p95 {b0['p95']:.2f} s，每会话 CPU {b0['cpu_per_session']:.3f} s、内存 {b0['mb_per_session']:.1f} MB"
    )
    print(f"领导驾驶舱：服务器空闲内存 {brief['rss_idle_mb']:.0f} MB；首个会话（冷）{brief['first_session']:.2f} s")
    print(
        f"{'并发会话':>8}{'完成':>6}{'错误':>6}{'p50 s':>8}{'p95 s':>8}{'最长 s':>8}{'CPU s/会话':>12}"
        f"{'MB/会话':>10}{'RSS MB':>9}  p95 倍数（基线 {b0['sessions']} 会话）"
    )
    for r in brief["batches"]:
        print(
            f"{r['sessions']:>8}{r['finished']:>6}{r['errors']:>6}{r['p50']:>8.2f}{r['p95']:>8.2f}{r['max']:>8.2f}"
            f"{r['cpu_per_session']:>12.3f}{r['mb_per_session']:>10.1f}{r['rss_mb']:>9.0f}  "
            f"{r['p95'] / b0['p95']:.1f}×" + (f"  首个错误：{r['first_error']}" if r["errors"] else "")
        )

    def mb(x: float | None, sign: str = "") -> str:
        return "—" if x is None else f"{x:{sign}.1f} MB"

    print(
        f"大屏（{WALL_QUERY}）开启 {wall['seconds']:.0f} s：片段 {wall['fragments']} 个、间隔 {wall['interval']} s、"
        f"轮播重跑 {wall['fragment_reruns']} 次；RSS 起 {mb(wall['rss_first'])}、止 {mb(wall['rss_last'])}、"
        f"最高 {mb(wall['rss_max'])}，后半段增长 {mb(wall['second_half_growth_mb'], '+')}"
        f"（后半段线性拟合外推：每小时 {mb(wall['mb_per_hour'], '+')}）"
    )

    def verdict(ok: bool) -> str:
        return "达到" if ok else "未达到"

    by_n = {r["sessions"]: r for r in brief["batches"]}
    if 25 in by_n:
        print(f"目标 25 个并发会话 p95 < {GOALS['p95_25']:g} s：{verdict(by_n[25]['p95'] < GOALS['p95_25'])}")
    worst_cpu = max(r["cpu_per_session"] for r in brief["batches"])
    worst_mb = max(r["mb_per_session"] for r in brief["batches"])
    print(f"目标每会话 < {GOALS['cpu_per_session']:g} CPU 秒：{verdict(worst_cpu < GOALS['cpu_per_session'])}")
    print(f"目标每多一个会话 < {GOALS['mb_per_session']:g} MB：{verdict(worst_mb < GOALS['mb_per_session'])}")
    out = REPO / "bench" / "out"
    out.mkdir(exist_ok=True)
    tag = "_".join(o.lstrip("-").replace("=", "-") for o in options) or "shipped"
    (out / f"sessions_{tag}.json").write_text(
        json.dumps({"baseline": base, "briefing": brief, "wall": wall}, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
