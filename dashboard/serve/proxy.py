"""The reverse proxy in front of the replicas: nginx, configured from nginx.conf.template."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
# Debian installs nginx in /usr/sbin, which is not on an ordinary user's PATH
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")
TEMP_DIRS = ("body", "proxy", "fastcgi", "uwsgi", "scgi")


class ProxyError(RuntimeError):
    """nginx is missing or refused its configuration; the message is Chinese."""


def find_nginx() -> str:
    """The nginx executable, or ProxyError saying how to install it."""
    found = shutil.which("nginx") or next((p for p in NGINX_CANDIDATES if os.access(p, os.X_OK)), None)
    if found is None:
        raise ProxyError("未找到 nginx。Debian/Ubuntu：sudo apt-get install nginx（只需安装，不必启用系统服务）")
    return found


def render_config(
    run_dir: Path,
    replica_ports: Sequence[int],
    *,
    listen: str = "127.0.0.1:8501",
    body_mb: int = 12,
    replica_host: str = "127.0.0.1",
) -> str:
    """nginx.conf for `replica_ports`, every path inside `run_dir` (so nginx needs no root)."""
    if not replica_ports:
        raise ValueError("at least one replica")
    servers = "\n".join(f"        server {replica_host}:{port} max_fails=3 fail_timeout=10s;" for port in replica_ports)
    # a root master would drop its workers to nobody; they only relay bytes, and the temp
    # folders they write are handed to that user (prepare_run_dir)
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    values = {
        "user": user,
        "run_dir": str(run_dir.resolve()),
        "servers": servers,
        "listen": listen,
        "body_mb": str(body_mb),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    return text


def prepare_run_dir(run_dir: Path) -> None:
    """The folders nginx writes to (temporary request bodies, proxied responses)."""
    for name in TEMP_DIRS:
        folder = run_dir / "nginx-tmp" / name
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            import pwd

            try:
                nobody = pwd.getpwnam("nobody")
                os.chown(folder, nobody.pw_uid, nobody.pw_gid)
            except KeyError:
                pass


def write_config(run_dir: Path, replica_ports: Sequence[int], **options: object) -> Path:
    """Write run_dir/nginx.conf and check it with `nginx -t`; returns its path."""
    run_dir.mkdir(parents=True, exist_ok=True)
    prepare_run_dir(run_dir)
    path = run_dir / "nginx.conf"
    path.write_text(render_config(run_dir, replica_ports, **options), encoding="utf-8")  # type: ignore[arg-type]
    check = subprocess.run(_command(path, run_dir, "-t"), capture_output=True, text=True, check=False)
    if check.returncode != 0:
        raise ProxyError(f"nginx 拒绝了配置 {path}：{check.stderr.strip()}")
    return path


def _command(config: Path, run_dir: Path, *extra: str) -> list[str]:
    # -e: the error log before the configuration is read (the default one needs root)
    return [
        find_nginx(),
        "-c",
        str(config.resolve()),
        "-p",
        str(run_dir.resolve()),
        "-e",
        str((run_dir / "nginx-error.log").resolve()),
        *extra,
    ]


def start(config: Path, run_dir: Path, **popen: object) -> subprocess.Popen:
    """nginx in the foreground (`daemon off`), so its process id is the one to stop."""
    return subprocess.Popen(  # type: ignore[call-overload]
        _command(config, run_dir, "-g", "daemon off;"),
        stdin=subprocess.DEVNULL,
        **popen,
    )
