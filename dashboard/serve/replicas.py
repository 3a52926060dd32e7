"""Start N Streamlit processes of the app and nginx in front of them; stop them all.

Every replica runs `streamlit run dashboard/app.py` from the repository (so the shipped
.streamlit/config.toml applies) on 127.0.0.1 and its own port, with the caller's environment:
the same settings, hence the same data, in every replica. The replicas share what a session
needs beyond its own process: the sign-in key (next to the users file) and Streamlit's cookie
secret (for st.login), which this module writes once into the run folder.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.serve import proxy

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "dashboard" / "app.py"
DEFAULT_RUN_DIR = REPO / "data" / "build" / "serve"
START_SECONDS = 120.0
RESTART_SECONDS = 10.0


class ServeError(RuntimeError):
    """The cluster could not start; the message is Chinese."""


@dataclass
class Replica:
    port: int
    log: Path
    process: subprocess.Popen | None = None
    started: float = 0.0  # time.monotonic() of the last start

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self, env: Mapping[str, str]) -> None:
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(APP),
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ]
        self.started = time.monotonic()
        with self.log.open("ab") as log:  # the child keeps its own handle
            self.process = subprocess.Popen(
                command, cwd=REPO, env=dict(env), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Cluster:
    run_dir: Path
    listen: str
    replicas: list[Replica]
    env: dict[str, str]
    nginx: subprocess.Popen | None = None
    restarts: list[int] = field(default_factory=list)  # ports of replicas started again

    @property
    def url(self) -> str:
        host, _, port = self.listen.rpartition(":")
        host = "127.0.0.1" if host in ("", "0.0.0.0", "*") else host
        return f"http://{host}:{port}/"

    def stop(self) -> None:
        """Stop nginx, then every replica (by their own process ids)."""
        _stop(self.nginx)
        self.nginx = None
        for replica in self.replicas:
            _stop(replica.process)
            replica.process = None

    def keep_running(self) -> str | None:
        """Start a replica that died again; the reason to give up (nginx gone), else None."""
        if self.nginx is None or self.nginx.poll() is not None:
            return f"nginx 已退出（日志：{self.run_dir / 'nginx-error.log'}）"
        for replica in self.replicas:
            # a replica that keeps failing is tried again every RESTART_SECONDS, not in a loop
            if not replica.alive() and time.monotonic() - replica.started > RESTART_SECONDS:
                self.restarts.append(replica.port)
                replica.start(self.env)
        return None


def _stop(process: subprocess.Popen | None, timeout: float = 15.0) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        # as the servers bind: connections of a stopped server in TIME_WAIT do not count
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def wait_healthy(url: str, process: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:] if log.exists() else ""
            raise ServeError(f"{url} 的进程已退出（退出码 {process.returncode}）：{tail}")
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise ServeError(f"{url} 在 {timeout:.0f} 秒内没有响应（日志：{log}）")


def shared_cookie_secret(run_dir: Path) -> str:
    """One secret for every replica's Streamlit cookies (st.login), kept in the run folder."""
    path = run_dir / "cookie-secret"
    if path.exists() and len(path.read_text(encoding="ascii").strip()) >= 32:
        return path.read_text(encoding="ascii").strip()
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value)
    return value


def replica_env(run_dir: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment every replica gets: the caller's, plus the shared cookie secret and the
    server-side upload limit equal to the app's own (upload_max_mb)."""
    from etl.returns.safety import upload_limit_mb

    env = dict(os.environ if base is None else base)
    env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", shared_cookie_secret(run_dir))
    env.setdefault("STREAMLIT_SERVER_MAX_UPLOAD_SIZE", str(upload_limit_mb()))
    return env


def start_cluster(
    count: int,
    *,
    listen: str = "127.0.0.1:8501",
    replica_ports: Sequence[int] | None = None,
    first_port: int = 8601,
    run_dir: Path = DEFAULT_RUN_DIR,
    env: Mapping[str, str] | None = None,
    timeout: float = START_SECONDS,
) -> Cluster:
    """Start `count` replicas, wait until each answers, then nginx in front; raises ServeError.

    On any failure everything started so far is stopped again.
    """
    if count < 1:
        raise ServeError("副本数至少为 1")
    ports = list(replica_ports) if replica_ports is not None else [first_port + i for i in range(count)]
    if len(ports) != count:
        raise ServeError(f"给出了 {len(ports)} 个副本端口，需要 {count} 个")
    busy = [p for p in ports if not port_free(p)]
    if busy:
        raise ServeError(f"端口已被占用：{'、'.join(map(str, busy))}（用 --first-port 换一组端口）")
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    from etl.returns.safety import upload_limit_mb

    config = proxy.write_config(run_dir, ports, listen=listen, body_mb=upload_limit_mb() + 2)
    cluster = Cluster(
        run_dir, listen, [Replica(p, run_dir / f"replica-{p}.log") for p in ports], replica_env(run_dir, env)
    )
    try:
        for replica in cluster.replicas:
            replica.start(cluster.env)
        for replica in cluster.replicas:
            wait_healthy(replica.url, replica.process, timeout, replica.log)  # type: ignore[arg-type]
        with (run_dir / "nginx-stdout.log").open("ab") as log:
            cluster.nginx = proxy.start(config, run_dir, stdout=log, stderr=subprocess.STDOUT)
        wait_healthy(cluster.url, cluster.nginx, timeout, run_dir / "nginx-error.log")
    except BaseException:
        cluster.stop()
        raise
    return cluster


@contextmanager
def stop_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP end the launcher as Ctrl+C does (KeyboardInterrupt), so the processes it
    started are stopped, also while they are still starting (start_cluster stops them then)."""

    def _interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve(cluster: Cluster, *, poll: float = 1.0) -> int:
    """Keep the cluster running until interrupted (exit 0) or nginx dies (exit 1); then stop it.
    Run it inside stop_signals() so that SIGTERM is an interruption too."""
    try:
        while True:
            reason = cluster.keep_running()
            if reason:
                print(f"错误：{reason}", file=sys.stderr)
                return 1
            time.sleep(poll)
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.stop()
