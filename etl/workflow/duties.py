"""Member-unit duties (成员单位分工): which unit owes each indicator (牵头单位), which others share
the responsibility (责任单位), for which districts the values are owed and by when each year.

The office changes them; every change is a row of `duty_revision` (who, when, why), never
updated or deleted. Before an indicator's first change, the links shipped with the catalogue
are recorded as its version 0 ('shipped'). `indicator_unit` always holds the current lead and
shared links, rewritten from the latest revision, so every reader of it (templates, the loader's
own-indicator check, the engine's lead unit, completeness) follows a change at once; the
districts and the deadline are read from the view `duty_current`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path

import duckdb
import polars as pl

from etl.core.store import insert_frame, publish
from etl.core.text import squash

ACTION_SET, ACTION_SHIPPED = "set", "shipped"
SHIPPED_ACTOR = "随系统提供"
SHIPPED_REASON = "指标目录随系统提供的分工"
ALL_DISTRICTS = "全部"
LIST_SEPARATOR = "|"
# what people put between unit or district names in one cell
_NAME_SPLIT = re.compile(r"[、,，;；/|\s]+")
_DEADLINE = re.compile(r"^(\d{1,2})[-月./](\d{1,2})日?$")

REVISION_SCHEMA: dict[str, pl.DataType] = {
    "indicator_code": pl.String,
    "action": pl.String,
    "lead_unit": pl.String,
    "shared_units": pl.String,
    "districts": pl.String,
    "deadline": pl.String,
    "actor": pl.String,
    "changed_at": pl.Datetime("us"),
    "reason": pl.String,
    "origin": pl.String,
}

# indicator_code, unit_code, role, districts ('|' codes, NULL = every district), deadline
# ('MM-DD' of the following year, NULL = the return_deadline setting): what completeness and
# templates read.
LINKS_SQL = """
SELECT u.indicator_code, u.unit_code, u.role, d.districts, d.deadline
FROM indicator_unit u LEFT JOIN duty_current d ON d.indicator_code = u.indicator_code
"""


@dataclass(frozen=True)
class Duty:
    """One indicator's duty as the office wants it."""

    indicator_code: str
    lead_unit: str | None
    shared_units: tuple[str, ...] = ()
    districts: tuple[str, ...] | None = None  # None: every district
    deadline: str | None = None  # 'MM-DD' of the year after the report year; None: the setting
    origin: str | None = None  # file and row, or 在线编辑

    def substance(self) -> tuple:
        return (
            self.lead_unit,
            tuple(sorted(self.shared_units)),
            None if self.districts is None else tuple(sorted(self.districts)),
            self.deadline,
        )


@dataclass
class DutyResult:
    added: list[Duty] = field(default_factory=list)
    unchanged: list[Duty] = field(default_factory=list)
    refused: list[tuple[Duty, str]] = field(default_factory=list)  # (duty, Chinese reason)


class DutyError(ValueError):
    """A change set that cannot be recorded at all (no reason, no actor)."""


class UnitDirectory:
    """Member units by code, name or alias (成员单位名录)."""

    def __init__(self, units: pl.DataFrame) -> None:
        self.names: dict[str, str] = {}
        self._index: dict[str, str] = {}
        for code, name, aliases in units.select("code", "name", pl.col("aliases").fill_null("")).iter_rows():
            self.names[code] = name
            for text in (code, name, *(a for a in aliases.split("|") if a)):
                self._index.setdefault(squash(text), code)

    @classmethod
    def of(cls, con: duckdb.DuckDBPyConnection) -> UnitDirectory:
        return cls(con.sql("SELECT code, name, aliases FROM member_unit ORDER BY rowid").pl())

    def resolve(self, text: str | None) -> str | None:
        """The unit's code, None when the directory does not know it."""
        key = squash(text)
        for candidate in (key, key.removeprefix("市").removeprefix("县").removeprefix("区")):
            if candidate in self._index:
                return self._index[candidate]
        return None

    def resolve_all(self, text: str | None) -> tuple[tuple[str, ...], list[str]]:
        """(codes, names not in the directory) of a cell listing units (卫健委、民政局)."""
        codes: list[str] = []
        unknown: list[str] = []
        for part in split_names(text):
            code = self.resolve(part)
            if code is None:
                unknown.append(part)
            elif code not in codes:
                codes.append(code)
        return tuple(codes), unknown

    def name(self, code: str | None) -> str:
        return self.names.get(code or "", code or "")

    def known(self) -> str:
        return "、".join(self.names.values())


def split_names(text: str | None) -> list[str]:
    return [p for p in _NAME_SPLIT.split(str(text or "").strip()) if p]


def parse_deadline(text: str | None) -> str | None:
    """'03-31' from 03-31, 3-31, 3月31日, 3.31; None for an empty cell; ValueError otherwise."""
    s = squash(text)
    if not s or s in ("默认", "-", "—"):
        return None
    m = _DEADLINE.match(s)
    if m:
        month, day = int(m.group(1)), int(m.group(2))
        try:
            date(2001, month, day)
        except ValueError:
            pass
        else:
            return f"{month:02d}-{day:02d}"
    raise ValueError(f"截止日“{text}”无法识别，应写作 月-日（如 03-31，指次年3月31日）")


def due_date(deadline: str, year: int) -> date:
    """The day the values for `year` are due under `deadline` ('MM-DD' of the following year)."""
    month, day = (int(x) for x in deadline.split("-"))
    return date(year + 1, month, day)


def _joined(codes: tuple[str, ...] | None) -> str | None:
    return None if not codes else LIST_SEPARATOR.join(sorted(codes))


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(p for p in (text or "").split(LIST_SEPARATOR) if p)


def current(con: duckdb.DuckDBPyConnection) -> dict[str, Duty]:
    """Every indicator's current duty (indicators nobody is responsible for included)."""
    links = con.sql("SELECT indicator_code, unit_code, role FROM indicator_unit ORDER BY rowid").pl()
    rows = con.sql("SELECT indicator_code, districts, deadline FROM duty_current").fetchall()
    terms = {code: (districts, deadline) for code, districts, deadline in rows}
    lead: dict[str, str] = {}
    shared: dict[str, list[str]] = {}
    for code, unit, role in links.iter_rows():
        if role == "lead":
            lead.setdefault(code, unit)
        else:
            shared.setdefault(code, []).append(unit)
    out = {}
    for (code,) in con.sql("SELECT code FROM indicator ORDER BY rowid").fetchall():
        districts, deadline = terms.get(code, (None, None))
        out[code] = Duty(
            code,
            lead.get(code),
            tuple(shared.get(code, ())),
            _split(districts) or None,
            deadline,
        )
    return out


def problems(duty: Duty, indicators: set[str], units: set[str], districts: set[str]) -> list[str]:
    """Why `duty` cannot be recorded (Chinese), empty when it can."""
    out = []
    if duty.indicator_code not in indicators:
        out.append(f"指标“{duty.indicator_code}”不在指标目录中")
    if duty.lead_unit is not None and duty.lead_unit not in units:
        out.append(f"牵头单位“{duty.lead_unit}”不在成员单位名录中")
    for unit in duty.shared_units:
        if unit not in units:
            out.append(f"责任单位“{unit}”不在成员单位名录中")
    if duty.lead_unit is not None and duty.lead_unit in duty.shared_units:
        out.append("牵头单位不应同时列为责任单位")
    if duty.districts is not None:
        if not duty.districts:
            out.append("填报区县为空（全部区县请写“全部”）")
        for code in duty.districts:
            if code not in districts:
                out.append(f"区县“{code}”不是本地区的区县")
    if duty.deadline is not None:
        try:
            if parse_deadline(duty.deadline) != duty.deadline:
                raise ValueError
        except ValueError:
            out.append(f"截止日“{duty.deadline}”应写作 月-日（如 03-31）")
    if (duty.districts is not None or duty.deadline is not None) and duty.lead_unit is None:
        out.append("没有牵头单位的指标无人填报，不能设定填报区县或截止日")
    return out


def district_codes(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Regions a duty may name: every county-level region (the level returns are owed for)."""
    return {r[0] for r in con.sql("SELECT code FROM region WHERE level = 'county'").fetchall()}


def classify(con: duckdb.DuckDBPyConnection, duties: list[Duty]) -> DutyResult:
    """Sort duties into those to add, those equal to the current duty, and those refused."""
    now = current(con)
    units = {r[0] for r in con.sql("SELECT code FROM member_unit").fetchall()}
    regions = district_codes(con)
    result = DutyResult()
    seen: dict[str, Duty] = {}
    for duty in duties:
        existing = now.get(duty.indicator_code)
        if existing is not None and existing.substance() == duty.substance():
            result.unchanged.append(duty)
            continue
        if duty.indicator_code in seen:
            if seen[duty.indicator_code].substance() == duty.substance():
                result.unchanged.append(duty)
            else:
                result.refused.append((duty, "同一指标的分工出现不止一次且不一致"))
            continue
        bad = problems(duty, set(now), units, regions)
        if bad:
            result.refused.append((duty, "；".join(bad)))
            continue
        seen[duty.indicator_code] = duty
        result.added.append(duty)
    return result


def record(
    con: duckdb.DuckDBPyConnection,
    duties: list[Duty],
    *,
    actor: str,
    reason: str,
    when: datetime | None = None,
    new_indicators: frozenset[str] = frozenset(),
) -> DutyResult:
    """Append a revision for every duty that differs from the current one and rewrite the
    indicators' `indicator_unit` links (the caller's transaction: etl.core.store.publish).
    `new_indicators` were added just now: nothing was shipped for them."""
    if not (reason or "").strip():
        raise DutyError("修改分工必须填写修改原因")
    if not (actor or "").strip():
        raise DutyError("修改分工必须记录修改人")
    result = classify(con, duties)
    if not result.added:
        return result
    when = when or datetime.now()
    before = current(con)
    revised = {r[0] for r in con.sql("SELECT DISTINCT indicator_code FROM duty_revision").fetchall()}
    rows = []
    for duty in result.added:
        if duty.indicator_code not in revised and duty.indicator_code not in new_indicators:
            old = before[duty.indicator_code]
            rows.append(_row(old, ACTION_SHIPPED, SHIPPED_ACTOR, None, SHIPPED_REASON, "指标目录"))
        rows.append(_row(duty, ACTION_SET, actor.strip(), when, reason.strip(), duty.origin))
    insert_frame(con, "duty_revision", pl.DataFrame(rows, schema=REVISION_SCHEMA))
    codes = [d.indicator_code for d in result.added]
    con.execute("DELETE FROM indicator_unit WHERE list_contains($codes, indicator_code)", {"codes": codes})
    links = [
        (d.indicator_code, unit, role)
        for d in result.added
        for unit, role in ([(d.lead_unit, "lead")] if d.lead_unit else []) + [(u, "shared") for u in d.shared_units]
    ]
    insert_frame(
        con,
        "indicator_unit",
        pl.DataFrame(
            links, schema={"indicator_code": pl.String, "unit_code": pl.String, "role": pl.String}, orient="row"
        ),
    )
    return result


def _row(duty: Duty, action: str, actor: str, when: datetime | None, reason: str, origin: str | None) -> dict:
    return {
        "indicator_code": duty.indicator_code,
        "action": action,
        "lead_unit": duty.lead_unit,
        "shared_units": _joined(duty.shared_units),
        "districts": _joined(duty.districts),
        "deadline": duty.deadline,
        "actor": actor,
        "changed_at": when,
        "reason": reason,
        "origin": origin,
    }


def save(db_path: Path, duties: list[Duty], *, actor: str, reason: str, when: datetime | None = None) -> DutyResult:
    """Record `duties` through the one write path; publishes only when something changed."""

    def change(con: duckdb.DuckDBPyConnection) -> tuple[DutyResult, bool]:
        result = record(con, duties, actor=actor, reason=reason, when=when)
        return result, bool(result.added)

    return publish(Path(db_path), change)


def with_units(duty: Duty, lead: str | None = None, shared: tuple[str, ...] | None = None) -> Duty:
    """`duty` with the lead and/or shared units replaced (None keeps them)."""
    changed = duty
    if lead is not None:
        changed = replace(changed, lead_unit=lead, shared_units=tuple(u for u in changed.shared_units if u != lead))
    if shared is not None:
        changed = replace(changed, shared_units=tuple(u for u in shared if u != changed.lead_unit))
    return changed


def unit_deadlines(links: pl.DataFrame, year: int, default: str) -> dict[str, date]:
    """Each unit's due date for `year`'s return: the earliest deadline among the indicators it
    leads, `default` ('MM-DD', the return_deadline setting) for those without their own.
    `links`: what LINKS_SQL reads (unit_code, role, deadline)."""
    out: dict[str, date] = {}
    for unit, deadline in links.filter(pl.col("role") == "lead").select("unit_code", "deadline").iter_rows():
        due = due_date(deadline or default, year)
        out[unit] = min(out.get(unit, due), due)
    return out


def district_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """County-level region code → name (what a duty's 填报区县 may list)."""
    return dict(con.sql("SELECT code, name FROM region WHERE level = 'county' ORDER BY code").fetchall())


def parse_districts(text: str | None, names: dict[str, str]) -> tuple[str, ...] | None:
    """Region codes from a cell listing districts by code or name (张店区、淄川区); None for 全部 or
    an empty cell; ValueError naming what is not a district."""
    parts = split_names(text)
    if not parts or parts == [ALL_DISTRICTS] or parts == ["全部区县"]:
        return None
    by_key: dict[str, str] = {}
    for code, name in names.items():
        for key in (code, squash(name), squash(name).removesuffix("区").removesuffix("县").removesuffix("市")):
            by_key.setdefault(key, code)
    codes, unknown = [], []
    for part in parts:
        key = squash(part)
        code = by_key.get(key) or by_key.get(key.removesuffix("区").removesuffix("县").removesuffix("市"))
        if code is None:
            unknown.append(part)
        elif code not in codes:
            codes.append(code)
    if unknown:
        raise ValueError(f"区县“{'、'.join(unknown)}”不是本地区的区县（可写：{'、'.join(names.values())}，或“全部”）")
    return tuple(codes)


def from_texts(
    con: duckdb.DuckDBPyConnection,
    base: Duty,
    *,
    lead: str | None = None,
    shared: str | None = None,
    districts: str | None = None,
    deadline: str | None = None,
    origin: str | None = None,
) -> Duty:
    """`base` with the parts given as text changed (None keeps a part; 无 clears the units);
    ValueError (Chinese) for a unit, district or deadline that cannot be read."""
    directory = UnitDirectory.of(con)
    duty = replace(base, origin=origin)
    if lead is not None:
        if squash(lead) in ("", "无"):
            duty = replace(duty, lead_unit=None)
        else:
            code = directory.resolve(lead)
            if code is None:
                raise ValueError(f"牵头单位“{lead}”不在成员单位名录中（可写：{directory.known()}）")
            duty = with_units(duty, lead=code)
    if shared is not None:
        found, unknown = ((), []) if squash(shared) in ("", "无") else directory.resolve_all(shared)
        if unknown:
            raise ValueError(f"责任单位“{'、'.join(unknown)}”不在成员单位名录中（可写：{directory.known()}）")
        duty = replace(duty, shared_units=tuple(u for u in found if u != duty.lead_unit))
    if districts is not None:
        duty = replace(duty, districts=parse_districts(districts, district_names(con)))
    if deadline is not None:
        duty = replace(duty, deadline=parse_deadline(deadline))
    return duty


def duty_table(con: duckdb.DuckDBPyConnection, unit: str | None = None) -> pl.DataFrame:
    """The current duties in Chinese columns (one row per indicator with a lead unit, or all)."""
    directory = UnitDirectory.of(con)
    names = district_names(con)
    names_of = dict(con.sql("SELECT code, name FROM indicator").fetchall())
    rows = []
    for code, d in current(con).items():
        if unit is not None and d.lead_unit != unit:
            continue
        rows.append(
            {
                "指标代码": code,
                "指标名称": names_of.get(code),
                "牵头单位": directory.name(d.lead_unit) or None,
                "责任单位": "、".join(directory.name(u) for u in d.shared_units) or None,
                "填报区县": ALL_DISTRICTS if d.districts is None else "、".join(names.get(c, c) for c in d.districts),
                "截止日": d.deadline or "默认",
            }
        )
    return pl.DataFrame(
        rows, schema=dict.fromkeys(("指标代码", "指标名称", "牵头单位", "责任单位", "填报区县", "截止日"), pl.String)
    )


# Every version of one indicator's duty ($code), oldest first ('shipped' is version 0).
HISTORY_SQL = """
        SELECT r.indicator_code,
               CAST(row_number() OVER (ORDER BY r.id) - CASE WHEN first(r.action) OVER (ORDER BY r.id) = 'shipped'
                    THEN 1 ELSE 0 END AS INTEGER) AS revision,
               r.action, lu.name AS lead_unit,
               (SELECT string_agg(m.name, '、' ORDER BY m.name) FROM member_unit m
                 WHERE list_contains(string_split(r.shared_units, '|'), m.code)) AS shared_units,
               (SELECT string_agg(g.name, '、' ORDER BY g.code) FROM region g
                 WHERE list_contains(string_split(r.districts, '|'), g.code)) AS districts,
               r.deadline, r.actor, r.changed_at, r.reason, r.origin
        FROM duty_revision r LEFT JOIN member_unit lu ON lu.code = r.lead_unit
        WHERE r.indicator_code = $code ORDER BY r.id
"""
