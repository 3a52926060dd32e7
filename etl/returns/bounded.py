"""Run one upload's preview or load in a child process with a memory cap and a time limit.

The size checks (etl.returns.safety) bound what a file may declare; this bounds what reading it
really costs. A hostile or merely huge workbook can take gigabytes and minutes inside the
reader; in a child process that only costs the child: it is stopped at the cap, the clerk gets
a Chinese finding, and the app's own process (serving everyone else) never grows or waits
beyond the limit.

The child is a fresh interpreter (`python -m etl.returns.bounded`), not a fork: the app's process has
threads (Streamlit, polars, DuckDB) that a fork would copy mid-lock, and multiprocessing would
re-run the Streamlit page script, which Streamlit installs as `__main__`, in the child. The
work travels by pickle over the child's stdin and stdout.
"""

from __future__ import annotations

import os
import pickle
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from etl.core.records import SEVERITY_ERROR, Finding

# Address space of the child: the loader, DuckDB and polars need ~0.5 GB on an ordinary return.
MEMORY_MB = 2048
SECONDS = 120.0


class WorkTooLarge(Exception):
    """The work went over its memory cap or time limit; the message is Chinese."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


def run_bounded(
    fn: Callable[..., Any], *args: Any, memory_mb: int | None = None, seconds: float | None = None, **kwargs: Any
) -> Any:
    """`fn(*args, **kwargs)` in a child process; raises WorkTooLarge past the memory or time limit
    (default MEMORY_MB, SECONDS).

    `fn` must be importable by name (a module-level function) and its arguments and result
    picklable. An exception `fn` raises is raised here.
    """
    memory_mb = memory_mb or MEMORY_MB
    seconds = seconds or SECONDS
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    job = pickle.dumps((memory_mb, fn, args, kwargs))
    try:
        done = subprocess.run(
            [sys.executable, "-m", "etl.returns.bounded"],
            input=job,
            capture_output=True,
            timeout=seconds,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:  # run() has killed the child
        raise WorkTooLarge(f"处理时间超过 {seconds:g} 秒上限，已停止", "too_slow") from exc
    try:
        status, value = pickle.loads(done.stdout)
    except Exception:  # noqa: BLE001 - no answer: the child was killed or could not allocate
        status, value = "memory", None
    if status == "memory":
        raise WorkTooLarge(f"所需内存超过 {memory_mb} MB 上限，已停止", "too_much_memory")
    if status == "raised":
        raise value
    return value


def bounded_load(action: Callable[..., Any], db_path: Path, path: Path, **options: Any) -> Any:
    """`action(db_path, path, **options)` (preview_file or submit_file) within the limits; past
    a limit, a failed FileReport that says so, and nothing is saved."""
    from etl.returns.load import FileReport, sha256_of

    try:
        return run_bounded(action, db_path, path, **options)
    except WorkTooLarge as exc:
        message = (
            f"文件“{path.name}”{exc}：数据量或复杂度远超一份报表，未载入任何数值。"
            "请删去无关的工作表、按年度或单位拆分后分别上传。"
        )
        report = FileReport(file=path.name, sha256=sha256_of(path), status="failed", message=message)
        report.findings.append(Finding(path.name, "", None, None, exc.rule, SEVERITY_ERROR, message))
        return report


def _child() -> None:
    job = sys.stdin.buffer.read()
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # anything the work prints must not corrupt the answer
    memory_mb = pickle.loads(job)[0]
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        _, fn, args, kwargs = pickle.loads(job)
        result: tuple[str, Any] = ("ok", fn(*args, **kwargs))
    except MemoryError:
        result = ("memory", None)
    except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it there
        result = ("raised", exc)
    try:
        answer = pickle.dumps(result)
    except Exception as exc:  # noqa: BLE001 - an exception that does not pickle
        answer = pickle.dumps(("raised", RuntimeError(str(exc))))
    out.write(answer)
    out.flush()


if __name__ == "__main__":
    _child()
