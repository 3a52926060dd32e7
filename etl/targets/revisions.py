"""The office's own targets, with history: every change is a revision row (who, when, why).

`target` holds the targets shipped with the product (national ones with their sources, and
the 示例 两规 targets); `target_revision` holds the office's changes, append-only; the view
`target_effective` is what every reader uses. National plans stay read-only: a change to them
is refused, while a row equal to the current national target is recognised as unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from etl.core.store import insert_frame, publish
from etl.targets.text import NUMERIC_KINDS, ParsedTarget

ACTION_SET, ACTION_REMOVE = "set", "remove"
KIND_ZH = {
    "at_least": "不低于",
    "at_most": "不高于",
    "band": "保持区间",
    "increase": "提高",
    "decrease": "降低",
    "qualitative": "定性",
}
SCOPE_ZH = {"national": "国家", "local": "本地"}
# the fields that make a target; wording, notes and links may change without a new target
_SUBSTANCE = ("kind", "value", "band_low", "band_high", "tolerance", "source")

REVISION_SCHEMA: dict[str, pl.DataType] = {
    "plan_code": pl.String,
    "indicator_code": pl.String,
    "region_code": pl.String,
    "target_year": pl.Int32,
    "action": pl.String,
    "kind": pl.String,
    "value": pl.Float64,
    "band_low": pl.Float64,
    "band_high": pl.Float64,
    "tolerance": pl.Float64,
    "target_text": pl.String,
    "source": pl.String,
    "source_url": pl.String,
    "note": pl.String,
    "actor": pl.String,
    "changed_at": pl.Datetime("us"),
    "reason": pl.String,
    "origin": pl.String,
}


@dataclass(frozen=True)
class TargetChange:
    """One target as the office wants it (action set) or retired (action remove)."""

    plan_code: str
    indicator_code: str
    region_code: str | None
    target_year: int
    kind: str | None = None
    value: float | None = None
    band_low: float | None = None
    band_high: float | None = None
    tolerance: float | None = None
    target_text: str | None = None
    source: str | None = None
    source_url: str | None = None
    note: str | None = None
    action: str = ACTION_SET
    origin: str | None = None  # file and row, or 在线编辑

    def key(self) -> tuple[str, str, str | None, int]:
        return (self.plan_code, self.indicator_code, self.region_code, self.target_year)


def parsed_change(
    plan: str, indicator: str, region: str | None, year: int, parsed: ParsedTarget, text: str, **fields: object
) -> TargetChange:
    """The target `text` says (etl.targets.text.parse_target_text read it as `parsed`), as a change;
    `fields` adds its source, note and origin."""
    return TargetChange(
        plan,
        indicator,
        region,
        year,
        kind=parsed.kind,
        value=parsed.value,
        band_low=parsed.band_low,
        band_high=parsed.band_high,
        tolerance=parsed.tolerance,
        target_text=text.strip(),
        **fields,  # type: ignore[arg-type]
    )


@dataclass
class RevisionResult:
    added: list[TargetChange] = field(default_factory=list)
    unchanged: list[TargetChange] = field(default_factory=list)
    refused: list[tuple[TargetChange, str]] = field(default_factory=list)  # (change, Chinese reason)


class RevisionError(ValueError):
    """A change set that cannot be recorded at all (no reason, no actor)."""


def plans(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql("SELECT code, name, full_name, scope, base_year, target_year FROM plan ORDER BY code").pl()


def resolve_plan(con: duckdb.DuckDBPyConnection, text: str) -> str:
    """A plan code from its code or Chinese name (两规, 两纲, 十四五); ValueError otherwise."""
    s = str(text or "").strip()
    for code, name in plans(con).select("code", "name").iter_rows():
        if s in (code, name):
            return code
    names = "、".join(plans(con).get_column("name").to_list())
    raise ValueError(f"规划“{text}”不存在，可选：{names}")


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if a in ("", None) and b in ("", None):
        return True
    return a == b


def current(con: duckdb.DuckDBPyConnection) -> dict[tuple, dict]:
    """Every effective target by key (plan, indicator, region, year)."""
    rows = con.sql("SELECT * FROM target_effective").pl().iter_rows(named=True)
    return {(r["plan_code"], r["indicator_code"], r["region_code"], r["target_year"]): r for r in rows}


def problems(
    con: duckdb.DuckDBPyConnection,
    change: TargetChange,
    scopes: dict[str, str],
    indicators: set[str],
    regions: set[str],
    *,
    allow_pending: bool = False,
) -> list[str]:
    """Why `change` cannot be recorded (Chinese), empty when it can. `allow_pending`: a numeric
    target without any number is 目标待设定 (a new local indicator's place in the plan)."""
    out = []
    if change.plan_code not in scopes:
        out.append(f"规划“{change.plan_code}”不存在")
    if change.indicator_code not in indicators:
        out.append(f"指标“{change.indicator_code}”不在指标目录中")
    if change.region_code is not None and change.region_code not in regions:
        out.append(f"地区代码“{change.region_code}”不存在")
    if change.action == ACTION_REMOVE:
        return out
    if change.kind not in KIND_ZH:
        out.append(f"目标类型“{change.kind}”无效")
    elif change.kind in NUMERIC_KINDS and not (allow_pending and _pending(change)):
        if change.value is None and not (change.band_low is not None and change.band_high is not None):
            out.append("数值目标缺少目标值")
        if not (change.source or "").strip():
            out.append("数值目标必须注明来源/文号")
        if change.band_low is not None and change.band_high is not None and change.band_low >= change.band_high:
            out.append("区间下限应小于上限")
    for name in ("value", "band_low", "band_high", "tolerance"):
        v = getattr(change, name)
        if v is not None and not math.isfinite(v):
            out.append(f"{name} 不是有效数值")
    return out


def _pending(change: TargetChange) -> bool:
    return change.value is None and change.band_low is None and change.band_high is None


def classify(
    con: duckdb.DuckDBPyConnection,
    changes: list[TargetChange],
    *,
    allow_pending: bool = False,
    compare_wording: bool = False,
) -> RevisionResult:
    """Sort changes into those to add, those equal to the current target, and those refused.
    `compare_wording`: new wording of the same target is a change too (the office rewrote
    目标原文 in the editor), not only a new kind, value, range or source."""
    fields = (*_SUBSTANCE, "target_text") if compare_wording else _SUBSTANCE
    scopes = dict(con.sql("SELECT code, scope FROM plan").fetchall())
    indicators = {r[0] for r in con.sql("SELECT code FROM indicator").fetchall()}
    regions = {r[0] for r in con.sql("SELECT code FROM region").fetchall()}
    now = current(con)
    result = RevisionResult()
    seen: set[tuple] = set()
    for change in changes:
        existing = now.get(change.key())
        if change.action == ACTION_REMOVE:
            same = existing is None
        else:
            same = existing is not None and all(_same(getattr(change, f), existing[f]) for f in fields)
        if same:
            result.unchanged.append(change)
            continue
        if scopes.get(change.plan_code) == "national":
            result.refused.append((change, "国家规划目标随系统提供，只读，不能在此修改"))
            continue
        if change.key() in seen:
            result.refused.append((change, "同一规划、指标、地区、目标年份重复出现"))
            continue
        bad = problems(con, change, scopes, indicators, regions, allow_pending=allow_pending)
        if bad:
            result.refused.append((change, "；".join(bad)))
            continue
        seen.add(change.key())
        result.added.append(change)
    return result


def record(
    con: duckdb.DuckDBPyConnection,
    changes: list[TargetChange],
    *,
    actor: str,
    reason: str,
    when: datetime | None = None,
    allow_pending: bool = False,
    compare_wording: bool = False,
) -> RevisionResult:
    """Append a revision for every change that differs from the current target (one transaction
    is the caller's: etl.core.store.publish)."""
    if not (reason or "").strip():
        raise RevisionError("修改目标必须填写修改原因")
    if not (actor or "").strip():
        raise RevisionError("修改目标必须记录修改人")
    result = classify(con, changes, allow_pending=allow_pending, compare_wording=compare_wording)
    when = when or datetime.now()
    rows = [
        {
            **{k: getattr(c, k) for k in REVISION_SCHEMA if hasattr(c, k)},
            "actor": actor.strip(),
            "changed_at": when,
            "reason": reason.strip(),
        }
        for c in result.added
    ]
    insert_frame(con, "target_revision", pl.DataFrame(rows, schema=REVISION_SCHEMA))
    return result


def save(
    db_path: Path,
    changes: list[TargetChange],
    *,
    actor: str,
    reason: str,
    when: datetime | None = None,
    compare_wording: bool = False,
) -> RevisionResult:
    """Record `changes` through the one write path; publishes only when something changed."""

    def change(con: duckdb.DuckDBPyConnection) -> tuple[RevisionResult, bool]:
        result = record(con, changes, actor=actor, reason=reason, when=when, compare_wording=compare_wording)
        return result, bool(result.added)

    return publish(Path(db_path), change)


def as_change(row: dict, **overrides: object) -> TargetChange:
    """A TargetChange from a target-table-like row (extra keys ignored)."""
    names = TargetChange.__dataclass_fields__
    return replace(TargetChange(**{k: row.get(k) for k in names if k in row and k != "action"}), **overrides)
