"""The office's judgement of a 定性 goal: 已实现 or 未实现, with a note, audited like any change.

A qualitative goal (an outline goal without a measure) has no return to carry it: the 妇儿工委办
decides. Each judgement is one submission of kind `assessment` by the office, holding one value
(1 = 已实现, 0 = 未实现) whose note says why; a later judgement is a new revision, the earlier one
is kept. It goes through the one write path (etl.core.store.publish) and into audit_log. An office
judgement counts as reviewed (dashboard.engine.publication).
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb

from etl.core import settings
from etl.core.records import OFFICE_UNIT, TOTAL
from etl.core.store import publish
from etl.workflow.users import say

KIND = "assessment"
VERDICTS: dict[str, float] = {"已实现": 1.0, "未实现": 0.0}
MAX_NOTE = 2000


class AssessmentError(ValueError):
    """A judgement that cannot be recorded; the message is Chinese and says why."""


@dataclass(frozen=True)
class Assessment:
    indicator_code: str
    region_code: str
    year: int
    verdict: str  # 已实现 | 未实现
    note: str


def _check(con: duckdb.DuckDBPyConnection, a: Assessment, today: date) -> tuple[str, str]:
    """(indicator name, region name), or AssessmentError."""
    rows = con.sql(
        "SELECT i.name, i.unit, bool_or(t.kind = 'qualitative') FROM indicator i "
        "LEFT JOIN target_effective t ON t.indicator_code = i.code WHERE i.code = $c GROUP BY ALL",
        params={"c": a.indicator_code},
    ).fetchall()
    if not rows:
        raise AssessmentError(f"未知指标代码：{a.indicator_code}")
    name, unit, qualitative = rows[0]
    if not qualitative or unit:
        raise AssessmentError(f"指标“{name}”不是定性目标，应由成员单位报送数值，不能由工委办评定")
    regions = con.sql("SELECT name FROM region WHERE code = $r", params={"r": a.region_code}).fetchall()
    if not regions:
        raise AssessmentError(f"未知地区代码：{a.region_code}")
    if a.verdict not in VERDICTS:
        raise AssessmentError(f"评定结果只能是“已实现”或“未实现”（收到“{a.verdict}”）")
    if not 2000 <= a.year <= today.year:
        raise AssessmentError(f"年份 {a.year} 无效：只能评定 {today.year} 年及以前")
    note = a.note.strip()
    if not note:
        raise AssessmentError("请写明评定依据（说明不能为空）")
    if len(note) > MAX_NOTE:
        raise AssessmentError(f"说明过长（{len(note)} 字，上限 {MAX_NOTE} 字）")
    return name, regions[0][0]


def record(db_path: Path, a: Assessment, *, actor: str, today: date | None = None) -> str:
    """Record one judgement and publish it; returns a Chinese confirmation."""
    today = today or date.today()

    def change(con: duckdb.DuckDBPyConnection) -> tuple[str, bool]:
        name, region = _check(con, a, today)
        value = VERDICTS[a.verdict]
        key = {"i": a.indicator_code, "r": a.region_code, "y": a.year, "b": TOTAL}
        current = con.sql(
            "SELECT value FROM observation_current WHERE indicator_code = $i AND region_code = $r "
            "AND year = $y AND breakdown = $b",
            params=key,
        ).fetchall()
        old = current[0][0] if current else None
        now = datetime.now()
        file = f"定性目标评定：{name}（{region}，{a.year}年）"
        digest = hashlib.sha256(f"{a}|{actor}|{now.isoformat()}".encode()).hexdigest()
        sub_id = con.sql(
            "INSERT INTO submission (file_name, sha256, kind, unit_code, loaded_at, status, rows_accepted,"
            " rows_rejected, is_sample) VALUES ($f, $s, $k, $u, $t, 'loaded', 1, 0, false) RETURNING id",
            params={"f": file, "s": digest, "k": KIND, "u": OFFICE_UNIT, "t": now},
        ).fetchall()[0][0]
        revision = con.sql(
            "SELECT coalesce(max(revision), 0) + 1 FROM observation WHERE indicator_code = $i "
            "AND region_code = $r AND year = $y AND breakdown = $b",
            params=key,
        ).fetchall()[0][0]
        note = a.note.strip()
        con.execute(
            "INSERT INTO observation (indicator_code, region_code, year, breakdown, value, revision, submission_id,"
            " note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [a.indicator_code, a.region_code, a.year, TOTAL, value, revision, sub_id, note],
        )
        con.execute(
            "INSERT INTO audit_log (changed_at, actor, action, file, submission_id, unit_code, indicator_code,"
            " region_code, year, breakdown, old_value, new_value, detail) VALUES (?, ?, 'assess', ?, ?, ?, ?, ?, ?,"
            " ?, ?, ?, ?)",
            [
                now,
                actor,
                file,
                sub_id,
                OFFICE_UNIT,
                a.indicator_code,
                a.region_code,
                a.year,
                TOTAL,
                old,
                value,
                f"评定为{a.verdict}；依据：{note}",
            ],
        )
        return f"已记录：{name}（{region}，{a.year}年）评定为{a.verdict}，第{revision}版", True

    return publish(Path(db_path), change)


def cmd_assess(args: argparse.Namespace, console: Any) -> int:
    from etl.returns.load import default_actor

    a = Assessment(args.indicator, args.region, args.year, args.verdict, args.note or "")
    try:
        message = record(settings.db_path(), a, actor=args.by or default_actor())
    except AssessmentError as exc:
        say(console, f"未记录：{exc}", "red")
        return 1
    say(console, message, "green")
    return 0


def register_cli(subparsers: Any) -> None:
    p = subparsers.add_parser("assess", help="工委办评定定性目标：已实现或未实现，须写明依据（记入审核记录）")
    p.add_argument("indicator", help="指标代码，如 W-ENV-02")
    p.add_argument("region", help="地区代码，如 370300")
    p.add_argument("year", type=int, help="年份，如 2024")
    p.add_argument("verdict", choices=list(VERDICTS), help="已实现 或 未实现")
    p.add_argument("--note", required=True, help="评定依据（必填）")
    p.add_argument("--by", help="记录为评定人的姓名（默认：命令行的系统用户）")
    p.set_defaults(handler=cmd_assess)
