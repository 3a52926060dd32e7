"""An upload's work runs in a child process: past its memory cap or time limit it is stopped
with a Chinese finding, and the caller (the app) carries on."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

from etl.returns import bounded
from etl.returns.bounded import WorkTooLarge, bounded_load, run_bounded
from etl.returns.load import preview_file, submit_file

FIXTURES = Path(__file__).parent / "fixtures"


def allocate(n_bytes: int) -> int:
    return len(bytearray(n_bytes))


def fail() -> None:
    raise ValueError("坏输入")


def test_result_and_exception_come_back() -> None:
    assert run_bounded(allocate, 1000) == 1000
    with pytest.raises(ValueError, match="坏输入"):
        run_bounded(fail)


def test_time_limit_stops_the_child() -> None:
    started = time.monotonic()
    with pytest.raises(WorkTooLarge, match="处理时间超过 0.5 秒上限") as info:
        run_bounded(time.sleep, 30, seconds=0.5)
    assert info.value.rule == "too_slow"
    assert time.monotonic() - started < 10


def test_memory_cap_stops_the_child() -> None:
    with pytest.raises(WorkTooLarge, match="所需内存超过 1024 MB 上限") as info:
        run_bounded(allocate, 3 * 1024**3, memory_mb=1024)
    assert info.value.rule == "too_much_memory"


def test_an_ordinary_preview_fits_the_default_limits(work_db: Path) -> None:
    report = bounded_load(preview_file, work_db, FIXTURES / "twelve_digit_county_code.csv", unit="health")
    assert report.status == "loaded" and report.accepted == 1 and report.dry_run


def test_a_load_over_its_limit_is_a_finding_and_saves_nothing(work_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bounded, "SECONDS", 0.01)
    con = duckdb.connect(str(work_db), read_only=True)
    before = con.sql("SELECT * FROM observation ORDER BY ALL").fetchall()
    con.close()
    report = bounded_load(submit_file, work_db, FIXTURES / "twelve_digit_county_code.csv", unit="health")
    assert report.status == "failed"
    assert [(f.rule, f.row, f.column) for f in report.findings] == [("too_slow", None, None)]
    assert "twelve_digit_county_code.csv" in report.message and "未载入任何数值" in report.message
    con = duckdb.connect(str(work_db), read_only=True)
    assert con.sql("SELECT * FROM observation ORDER BY ALL").fetchall() == before
    con.close()
