"""The office's decisions on member-unit returns: check, approve (lock), unlock, withdraw.

Each action is one change published through the one write path (`etl.core.store.publish`) and is
recorded twice: in `approval` / `submission_withdrawal` (the state, append-only) and in
`audit_log` (who, when, what changed from what to what). Nothing is ever deleted: a withdrawn
submission keeps its rows and simply stops counting in `observation_current`.

Approval is per member unit × report year. While approved, any load that would change a value
of that return is refused (see `etl.returns.load`), and so is withdrawing one of its files;
the office unlocks first, with a reason.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from etl.core.store import publish
from etl.returns.load import OFFICE_NAME, default_actor, resolve_unit
from etl.workflow.users import say

STATE_LABELS: dict[str | None, str] = {
    None: "已报送",
    "checked": "已核对",
    "approved": "已审核（锁定）",
    "unlocked": "已解锁（待重新审核）",
}


class WorkflowError(ValueError):
    """An office action that cannot be done; the message is Chinese and says why."""


@dataclass(frozen=True)
class ActionResult:
    message: str
    values_changed: int = 0


def _unit_name(con: duckdb.DuckDBPyConnection, unit_code: str) -> str:
    rows = con.sql("SELECT name FROM member_unit WHERE code = $c", params={"c": unit_code}).fetchall()
    return rows[0][0] if rows else unit_code


def current_state(con: duckdb.DuckDBPyConnection, unit_code: str, year: int) -> tuple[str, str, datetime] | None:
    """(state, actor, when) of the latest office action on a unit's return, or None."""
    rows = con.sql(
        "SELECT state, actor, acted_at FROM approval_current WHERE unit_code = $u AND year = $y",
        params={"u": unit_code, "y": year},
    ).fetchall()
    return rows[0] if rows else None


def received_submissions(con: duckdb.DuckDBPyConnection, unit_code: str, year: int) -> list[int]:
    """Counting submissions of the unit that hold values for `year` (its return for that year)."""
    rows = con.sql(
        """
        SELECT DISTINCT s.id FROM submission_counted s JOIN observation o ON o.submission_id = s.id
        WHERE s.unit_code = $u AND o.year = $y AND s.kind = 'return'
        ORDER BY s.id""",
        params={"u": unit_code, "y": year},
    ).fetchall()
    return [r[0] for r in rows]


def resubmitted(con: duckdb.DuckDBPyConnection, unit_code: str, year: int) -> list[int]:
    """Counting submissions of an approved return sent after its approval (补报 awaiting review).

    Loads and approvals share the audit log's id sequence, which orders them even where the
    approval's timestamp was back-dated (the demo's)."""
    ids = received_submissions(con, unit_code, year)
    if not ids:
        return []
    rows = con.sql(
        """
        WITH mark AS (SELECT max(id) AS aid FROM audit_log WHERE action = 'approved' AND unit_code = $u AND year = $y),
             loads AS (SELECT submission_id, min(id) AS lid FROM audit_log WHERE action = 'load' GROUP BY ALL)
        SELECT DISTINCT l.submission_id FROM loads l, mark
        WHERE mark.aid IS NOT NULL AND l.lid > mark.aid AND list_contains($ids, l.submission_id)
        ORDER BY 1""",
        params={"u": unit_code, "y": year, "ids": ids},
    ).fetchall()
    return [r[0] for r in rows]


def _record(
    con: duckdb.DuckDBPyConnection,
    unit_code: str,
    year: int,
    action: str,
    actor: str,
    reason: str | None,
    when: datetime | None = None,
) -> None:
    now = when or datetime.now()
    con.execute(
        "INSERT INTO approval (unit_code, year, action, actor, acted_at, reason) VALUES (?, ?, ?, ?, ?, ?)",
        [unit_code, year, action, actor, now, reason],
    )
    con.execute(
        "INSERT INTO audit_log (changed_at, actor, action, unit_code, year, detail) VALUES (?, ?, ?, ?, ?, ?)",
        [now, actor, action, unit_code, year, reason],
    )


def _office_action(db_path: Path, unit: str, year: int, action: str, actor: str, reason: str | None) -> ActionResult:
    def change(con: duckdb.DuckDBPyConnection) -> tuple[ActionResult, bool]:
        code = resolve_unit(con, unit)
        name = _unit_name(con, code)
        state = current_state(con, code, year)
        status = state[0] if state else None
        received = received_submissions(con, code, year)
        what = f"{name}{year}年报表"
        if action == "approved":
            later = resubmitted(con, code, year) if status == "approved" else []
            if status == "approved" and not later:
                raise WorkflowError(f"{what}已于 {state[2]:%Y-%m-%d %H:%M} 由{state[1]}审核通过，无需重复审核")
            if not received:
                raise WorkflowError(f"尚未收到{what}，无法审核")
            if later:
                message = f"{what}的补报（{len(later)}个文件）已审核通过并锁定；修改需由{OFFICE_NAME}先解锁"
            else:
                message = f"{what}已审核通过并锁定（{len(received)}个文件）；修改需由{OFFICE_NAME}先解锁"
        elif action == "checked":
            if status == "approved":
                raise WorkflowError(f"{what}已审核锁定，无需再标记核对")
            if not received:
                raise WorkflowError(f"尚未收到{what}，无法标记为已核对")
            message = f"{what}已标记为已核对"
        elif action == "unlocked":
            if status != "approved":
                raise WorkflowError(f"{what}未处于审核锁定状态，无需解锁")
            if not (reason or "").strip():
                raise WorkflowError("解锁必须写明原因（将记入审核记录）")
            message = f"{what}已解锁（原因：{reason.strip()}）；单位可重新上传，之后需重新审核"
        else:  # pragma: no cover - internal misuse
            raise ValueError(action)
        _record(con, code, year, action, actor, (reason or "").strip() or None)
        return ActionResult(message), True

    return publish(Path(db_path), change)


def record_approvals(
    con: duckdb.DuckDBPyConnection,
    returns: list[tuple[str, int]],
    *,
    actor: str,
    when: datetime,
    note: str | None = None,
) -> int:
    """Approve each (unit, year) return inside a change already under way (the build's), with
    the same approval and audit rows as an office approval; returns how many were recorded."""
    for unit_code, year in returns:
        _record(con, unit_code, year, "approved", actor, note, when)
    return len(returns)


def mark_checked(db_path: Path, unit: str, year: int, *, actor: str) -> ActionResult:
    """Mark a unit's return for `year` as checked (已核对) — a step before approval, no lock."""
    return _office_action(db_path, unit, year, "checked", actor, None)


def approve(db_path: Path, unit: str, year: int, *, actor: str, note: str | None = None) -> ActionResult:
    """Approve (审核通过) a unit's return for `year`; its values are locked from then on."""
    return _office_action(db_path, unit, year, "approved", actor, note)


def unlock(db_path: Path, unit: str, year: int, *, actor: str, reason: str) -> ActionResult:
    """Unlock an approved return so it can be corrected; the reason is required and recorded."""
    return _office_action(db_path, unit, year, "unlocked", actor, reason)


def withdraw(db_path: Path, submission_id: int, *, actor: str, reason: str) -> ActionResult:
    """Mark a submission withdrawn: its values stop counting, earlier revisions count again.

    Nothing is deleted. Every value whose current figure changes is written to the audit log
    (old → new, where new is the earlier revision or none).
    """
    if not (reason or "").strip():
        raise WorkflowError("撤回必须写明原因（将记入审核记录）")

    def change(con: duckdb.DuckDBPyConnection) -> tuple[ActionResult, bool]:
        file_name, unit_code, label = _withdrawable(con, submission_id)
        before = _current_values_of(con, submission_id)
        now = datetime.now()
        con.execute(
            "INSERT INTO submission_withdrawal VALUES (?, ?, ?, ?)", [submission_id, now, actor, reason.strip()]
        )
        after = _current_values_of(con, submission_id)
        common = (now, actor, "withdraw", file_name, submission_id, unit_code)
        audit = [
            (*common, *key, before.get(key), after.get(key), f"撤回原因：{reason.strip()}")
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)
        ]
        audit.append((*common, None, None, None, None, None, None, f"撤回提交 {submission_id}；原因：{reason.strip()}"))
        con.executemany(
            "INSERT INTO audit_log (changed_at, actor, action, file, submission_id, unit_code, indicator_code,"
            " region_code, year, breakdown, old_value, new_value, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            audit,
        )
        changed = len(audit) - 1
        return ActionResult(
            f"{label}已撤回，{changed}个现行数值随之改变（恢复为此前的数值或空缺）；原始数据保留，可在审核记录中查看",
            changed,
        ), True

    return publish(Path(db_path), change)


def _withdrawable(con: duckdb.DuckDBPyConnection, submission_id: int) -> tuple[str, str | None, str]:
    """(file name, unit code, how messages name it) of a loaded return that may be withdrawn;
    WorkflowError (Chinese) when it is missing, not a return, not loaded, already withdrawn, or
    holds values of a year whose return is approved and locked."""
    rows = con.sql(
        "SELECT file_name, kind, status, unit_code FROM submission WHERE id = $i", params={"i": submission_id}
    ).fetchall()
    if not rows:
        raise WorkflowError(f"没有编号为 {submission_id} 的提交")
    file_name, kind, status, unit_code = rows[0]
    label = f"提交 {submission_id}（{file_name}）"
    if kind != "return":
        raise WorkflowError(f"{label}不是成员单位报表，不能撤回")
    if status != "loaded":
        raise WorkflowError(f"{label}未成功载入，无需撤回")
    done = con.sql(
        "SELECT withdrawn_by, withdrawn_at FROM submission_withdrawal WHERE submission_id = $i",
        params={"i": submission_id},
    ).fetchall()
    if done:
        raise WorkflowError(f"{label}已于 {done[0][1]:%Y-%m-%d %H:%M} 由{done[0][0]}撤回")
    years = [
        r[0]
        for r in con.sql(
            "SELECT DISTINCT year FROM observation WHERE submission_id = $i ORDER BY year",
            params={"i": submission_id},
        ).fetchall()
    ]
    for year in years if unit_code else []:
        state = current_state(con, unit_code, year)
        if state and state[0] == "approved" and submission_id not in resubmitted(con, unit_code, year):
            raise WorkflowError(
                f"{label}含{year}年数据，{_unit_name(con, unit_code)}{year}年报表已审核锁定"
                f"（{state[1]}，{state[2]:%Y-%m-%d %H:%M}）；请{OFFICE_NAME}先解锁再撤回"
            )
    return file_name, unit_code, label


def _current_values_of(con: duckdb.DuckDBPyConnection, submission_id: int) -> dict[tuple, float]:
    """The current value of every key (indicator, region, year, breakdown) the submission holds."""
    rows = con.sql(
        """
        SELECT c.indicator_code, c.region_code, c.year, c.breakdown, c.value FROM observation_current c
        JOIN (SELECT DISTINCT indicator_code, region_code, year, breakdown FROM observation
              WHERE submission_id = $i) k
          USING (indicator_code, region_code, year, breakdown)""",
        params={"i": submission_id},
    ).fetchall()
    return {r[:4]: r[4] for r in rows}


# --- command line ----------------------------------------------------------------------------


def _run(console: Any, action) -> int:
    from etl.core import settings

    db = settings.db_path()
    if not db.exists():
        say(console, f"数据库 {db} 不存在，请先运行 python -m etl build", "red")
        return 2
    try:
        result = action(db)
    except ValueError as exc:  # WorkflowError, unknown unit
        say(console, str(exc), "red")
        return 2
    say(console, result.message)
    return 0


def cmd_approve(args: argparse.Namespace, console: Any) -> int:
    return _run(console, lambda db: approve(db, args.unit, args.year, actor=args.by or default_actor(), note=args.note))


def cmd_unlock(args: argparse.Namespace, console: Any) -> int:
    return _run(
        console, lambda db: unlock(db, args.unit, args.year, actor=args.by or default_actor(), reason=args.reason)
    )


def cmd_withdraw(args: argparse.Namespace, console: Any) -> int:
    return _run(
        console, lambda db: withdraw(db, args.submission_id, actor=args.by or default_actor(), reason=args.reason)
    )


def register_cli(subparsers: Any) -> None:
    """Add `approve`, `unlock` and `withdraw` to the `python -m etl` parser."""
    by_help = "记录为操作人的姓名（默认：命令行的系统用户）"
    a = subparsers.add_parser("approve", help="审核通过某成员单位某年度的报表（锁定其数据）")
    a.add_argument("--unit", required=True, help="成员单位（名称或代码）")
    a.add_argument("--year", required=True, type=int)
    a.add_argument("--note", help="审核意见（可选）")
    a.add_argument("--by", help=by_help)
    a.set_defaults(handler=cmd_approve)
    u = subparsers.add_parser("unlock", help="解锁已审核的报表（须写明原因）")
    u.add_argument("--unit", required=True, help="成员单位（名称或代码）")
    u.add_argument("--year", required=True, type=int)
    u.add_argument("--reason", required=True, help="解锁原因（记入审核记录）")
    u.add_argument("--by", help=by_help)
    u.set_defaults(handler=cmd_unlock)
    w = subparsers.add_parser("withdraw", help="撤回一次提交（其数值不再计入，原始数据保留）")
    w.add_argument("submission_id", type=int, help="提交编号（见 数据 页或载入结果）")
    w.add_argument("--reason", required=True, help="撤回原因（记入审核记录）")
    w.add_argument("--by", help=by_help)
    w.set_defaults(handler=cmd_withdraw)
