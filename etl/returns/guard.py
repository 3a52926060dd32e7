"""What a load may not change: other units' indicators, and values an approved return locks.

Decided for a whole file at once: the unit check is a membership test, the lock a join of the
file's values with who sent the current values, the indicators' lead units and the approvals.
Enforced in the load itself (etl.returns.load), so no caller can skip it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from etl.core.duckfile import query_frame
from etl.core.records import OFFICE_UNIT, SEVERITY_ERROR, Finding
from etl.returns.frames import look_up
from etl.returns.validate import REJECTED_SCHEMA, CheckedFrames, Context

OFFICE_NAME = "妇儿工委办"  # the only role that can unlock an approved return
_KEY = ["indicator_code", "region_code", "year", "breakdown"]


@dataclass(frozen=True)
class Guard:
    """Who is loading, what they may send, and what the approvals lock."""

    unit: str | None
    unit_names: dict[str, str]
    own: frozenset[str] | None  # indicators the unit leads or shares; None = not enforced
    approved: dict[tuple[str, int], tuple[str, datetime]]  # (unit, year) → approver, when
    # current values: the unit that sent each (sender) and the audit id of its load (lid; null =
    # before the log)
    current_owner: pl.DataFrame
    responsible: dict[str, tuple[list[str], list[str]]]  # indicator → (lead names, shared names)
    owners: pl.DataFrame  # indicator_code, owner (a lead unit: its approval locks it), rank
    unit_indicators: frozenset[str]  # what the loading unit leads or shares
    approval_marks: pl.DataFrame  # unit, year, mark: the audit id of the approval


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return query_frame(con, sql)


def load_guard(con: duckdb.DuckDBPyConnection, unit: str | None, enforce_unit: bool) -> Guard:
    names = dict(_frame(con, "SELECT code, name FROM member_unit").iter_rows())
    roles = _frame(con, "SELECT indicator_code, unit_code, role FROM indicator_unit ORDER BY unit_code")
    owners = (
        roles.filter(pl.col("role") == "lead")
        .select("indicator_code", pl.col("unit_code").alias("owner"))
        .with_columns(pl.int_range(pl.len()).over("indicator_code").cast(pl.Int64).alias("rank"))
    )
    approved = {
        (u, y): (a, t)
        for u, y, a, t in _frame(
            con, "SELECT unit_code, year, actor, acted_at FROM approval_current WHERE state = 'approved'"
        ).iter_rows()
    }
    # the audit log's ids order loads and approvals in one sequence (timestamps may be back-dated)
    current = _frame(
        con,
        """
        WITH loads AS (SELECT submission_id, min(id) AS lid FROM audit_log WHERE action = 'load' GROUP BY ALL)
        SELECT o.indicator_code, o.region_code, o.year::BIGINT AS year, o.breakdown, o.unit_code AS sender,
               loads.lid::BIGINT AS lid
        FROM observation_current o LEFT JOIN loads ON loads.submission_id = o.submission_id""",
    )
    marks = _frame(
        con,
        "SELECT unit_code AS unit, year::BIGINT AS year, max(id)::BIGINT AS mark FROM audit_log "
        "WHERE action = 'approved' GROUP BY ALL",
    )
    own = None
    responsible: dict[str, tuple[list[str], list[str]]] = {}
    if enforce_unit:
        own = frozenset(c for c, u, _ in roles.iter_rows() if u == unit)
        if unit == OFFICE_UNIT:
            # the office judges every 定性 goal (an indicator without a unit) and reports what
            # no unit leads
            judged = _frame(
                con,
                "SELECT code FROM indicator WHERE coalesce(trim(unit), '') = '' OR code NOT IN "
                "(SELECT indicator_code FROM indicator_unit WHERE role = 'lead')",
            )
            own |= frozenset(judged.get_column("code").to_list())
        for code, u, role in roles.iter_rows():
            lead, shared = responsible.setdefault(code, ([], []))
            (lead if role == "lead" else shared).append(names.get(u, u))
    mine = frozenset(c for c, u, _ in roles.iter_rows() if u == unit)
    return Guard(unit, names, own, approved, current, responsible, owners, mine, marks)


def _lock_holders(observations: pl.DataFrame, guard: Guard) -> pl.DataFrame:
    """i → the unit whose approved return for the value's year locks it, for the values that
    change a current value.

    An approval locks the values it approved: those current when it was given. A blank (no
    current value) and a value sent after the approval (补报, awaiting review) are open. The
    candidates, in order: the loading unit (for an indicator it has to do with), the
    indicator's lead units, the unit that sent the current value.
    """
    none = pl.DataFrame(schema={"i": pl.Int64, "holder": pl.String})
    if not guard.approved:  # nothing approved, nothing locked (a province back-filling its history)
        return none
    held = observations.join(guard.current_owner, on=_KEY, how="inner", maintain_order="left")
    if held.is_empty():
        return none
    candidates = [
        held.filter(pl.col("indicator_code").is_in(sorted(guard.unit_indicators))).select(
            "i",
            "year",
            "lid",
            pl.lit(0).alias("prio"),
            pl.lit(0, dtype=pl.Int64).alias("rank"),
            pl.lit(guard.unit, dtype=pl.String).alias("holder"),
        ),  # fmt: skip
        held.join(guard.owners, on="indicator_code", how="inner").select(
            "i", "year", "lid", pl.lit(1).alias("prio"), "rank", pl.col("owner").alias("holder")
        ),
        held.select(
            "i",
            "year",
            "lid",
            pl.lit(2).alias("prio"),
            pl.lit(0, dtype=pl.Int64).alias("rank"),
            pl.col("sender").alias("holder"),
        ),  # fmt: skip
    ]
    approved = pl.DataFrame(
        [(u, y) for u, y in guard.approved], schema={"holder": pl.String, "year": pl.Int64}, orient="row"
    )
    marks = guard.approval_marks.rename({"unit": "holder"})
    return (
        pl.concat(candidates, how="vertical_relaxed")
        .filter(pl.col("holder").fill_null("") != "")
        .join(approved, on=["holder", "year"], how="semi")
        .join(marks, on=["holder", "year"], how="left")
        .filter(pl.col("lid").is_null() | pl.col("mark").is_null() | (pl.col("lid") < pl.col("mark")))
        .sort("i", "prio", "rank")
        .unique("i", keep="first", maintain_order=True)
        .select("i", "holder")
    )


def apply_guard(file: str, checked: CheckedFrames, ctx: Context, guard: Guard) -> list[Finding]:
    """Move refused observations to `checked.rejected`; returns the findings saying why, in
    the observations' order. A value equal to the one already current changes nothing and is
    never refused."""
    if guard.own is None and not guard.approved:
        return []  # no unit to hold to its indicators, and nothing approved to lock
    obs = checked.observations.with_row_index("i").with_columns(pl.col("i").cast(pl.Int64))
    current = ctx.current.rename({"value": "current"})
    obs = look_up(obs, current, _KEY)
    not_own = pl.lit(False) if guard.own is None else ~pl.col("indicator_code").is_in(sorted(guard.own))
    obs = obs.with_columns(not_own.alias("not_own"))
    changes = obs.filter(~pl.col("not_own") & (pl.col("current").is_null() | (pl.col("current") != pl.col("value"))))
    holders = _lock_holders(changes.select("i", *_KEY), guard)
    if holders.is_empty():  # the usual file: no join over every value only to find no holder
        obs = obs.with_columns(pl.lit(None, dtype=pl.String).alias("holder"))
    else:
        obs = look_up(obs, holders, ["i"])
    refused = obs.filter(pl.col("not_own") | pl.col("holder").is_not_null())
    if refused.is_empty():
        return []

    findings: list[Finding] = []
    rejected: list[tuple] = []
    unit_name = guard.unit_names.get(guard.unit or "", guard.unit or "")
    for o in refused.iter_rows(named=True):
        info = ctx.info[o["indicator_code"]]
        if o["not_own"]:
            lead, shared = guard.responsible.get(o["indicator_code"], ([], []))
            owner = f"由{'、'.join(lead)}牵头" if lead else "未指定牵头单位"
            if shared:
                owner += f"（责任单位：{'、'.join(shared)}）"
            rule = "not_own_indicator"
            message = (
                f"指标“{info.name}”（{o['indicator_code']}）{owner}，不是{unit_name}负责的指标，"
                f"{unit_name}不能报送或修改该指标的数据，本值未载入。"
            )
        else:
            locked, year = o["holder"], o["year"]
            who, when = guard.approved[(locked, year)]
            rule = "locked"
            message = (
                f"{guard.unit_names.get(locked, locked)}{year}年报表已审核通过（{who}，"
                f"{when:%Y-%m-%d %H:%M}），数据已锁定，“{info.name}”本值未载入。"
                f"如需更正，请联系{OFFICE_NAME}（工委办）解锁后再上传。"
            )
        text = f"{file} 工作表“{o['sheet']}”第{o['row']}行{o['column']}列：{message}"
        findings.append(Finding(file, o["sheet"], o["row"], o["column"], rule, SEVERITY_ERROR, text))
        rejected.append((o["sheet"], o["row"], o["column"], o["raw_id"], text))
    checked.rejected = pl.concat([checked.rejected, pl.DataFrame(rejected, schema=REJECTED_SCHEMA, orient="row")])
    checked.observations = (
        checked.observations.with_row_index("i")
        .join(refused.select(pl.col("i").cast(pl.UInt32)), on="i", how="anti", maintain_order="left")
        .drop("i")
    )
    return findings
