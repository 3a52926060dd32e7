"""Run one upload's preview or load in a child process with a memory cap and a time limit.

The size checks (etl.upload_safety) bound what a file may declare; this bounds what reading it
really costs. A hostile or merely huge workbook can take gigabytes and minutes inside the
reader; in a child process that only costs the child: it is stopped at the cap, the clerk gets
a Chinese finding, and the app's own process (serving everyone else) never grows or waits
beyond the limit.

The child comes from a fork server that has already imported the loader, so a child starts in
a fraction of a second and never inherits the app's threads.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from etl.records import SEVERITY_ERROR, Finding

# Address space of the child: the loader, DuckDB and polars need ~0.5 GB on an ordinary return.
MEMORY_MB = 2048
SECONDS = 120.0

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["etl.load_returns", "etl.layouts", "etl.upload_safety"])


class WorkTooLarge(Exception):
    """The work went over its memory cap or time limit; the message is Chinese."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


def _child(conn: Connection, memory_mb: int, env: dict[str, str], fn: Callable[..., Any], args: tuple,
           kwargs: dict) -> None:
    # the fork server's environment is the one it started with; settings must be today's
    os.environ.clear()
    os.environ.update(env)
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        result: tuple[str, Any] = ("ok", fn(*args, **kwargs))
    except MemoryError:
        result = ("memory", None)
    except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it there
        result = ("raised", exc)
    try:
        conn.send(result)
    except Exception as exc:  # noqa: BLE001 - an exception that does not pickle
        conn.send(("raised", RuntimeError(str(exc))))
    finally:
        conn.close()


def run_bounded(fn: Callable[..., Any], *args: Any, memory_mb: int | None = None, seconds: float | None = None,
                **kwargs: Any) -> Any:
    """`fn(*args, **kwargs)` in a child process; raises WorkTooLarge past the memory or time limit
    (default MEMORY_MB, SECONDS).

    `fn` must be importable by name (a module-level function) and its result picklable. An
    exception `fn` raises is raised here.
    """
    memory_mb = memory_mb or MEMORY_MB
    seconds = seconds or SECONDS
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child, args=(sender, memory_mb, dict(os.environ), fn, args, kwargs), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(seconds):
            child.kill()
            raise WorkTooLarge(f"处理时间超过 {seconds:g} 秒上限，已停止", "too_slow")
        try:
            status, value = receiver.recv()
        except EOFError:  # the child died without a word: killed at the memory cap
            status, value = "memory", None
    finally:
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
        receiver.close()
    if status == "memory":
        raise WorkTooLarge(f"所需内存超过 {memory_mb} MB 上限，已停止", "too_much_memory")
    if status == "raised":
        raise value
    return value


def bounded_load(action: Callable[..., Any], db_path: Path, path: Path, **options: Any) -> Any:
    """`action(db_path, path, **options)` (preview_file or submit_file) within the limits; past
    a limit, a failed FileReport that says so, and nothing is saved."""
    from etl.load_returns import FileReport, sha256_of

    try:
        return run_bounded(action, db_path, path, **options)
    except WorkTooLarge as exc:
        message = (f"文件“{path.name}”{exc}：数据量或复杂度远超一份报表，未载入任何数值。"
                   "请删去无关的工作表、按年度或单位拆分后分别上传。")
        report = FileReport(file=path.name, sha256=sha256_of(path), status="failed", message=message)
        report.findings.append(Finding(path.name, "", None, None, exc.rule, SEVERITY_ERROR, message))
        return report
