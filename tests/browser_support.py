"""What every real-browser test needs: Chromium flags, a free local port, waiting for Streamlit."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# Debian's Chromium, headless, with nothing that reaches out on its own (TECH-NOTES)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def unavailable(reason: str) -> None:
    """Skip when the browser is missing — except on CI, where that is a broken set-up."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"浏览器测试无法运行（CI）：{reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_serving(url: str, proc: subprocess.Popen, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"streamlit did not answer on {url} within {timeout:.0f} s")


def leaving_requests(urls: list[str]) -> list[str]:
    """The requests that went anywhere but this machine (there must be none)."""
    from urllib.parse import urlparse

    return [u for u in urls
            if urlparse(u).scheme in ("http", "https", "ws", "wss") and urlparse(u).hostname not in LOCAL_HOSTS]


def stop_server(proc: subprocess.Popen) -> None:
    """Stop the Streamlit subprocess, killing it if it does not stop in time."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
