"""Local indicators the office adds (本地指标): name, unit, decimals, domain, direction, 统计口径,
data source, lead and responsible units.

Every change is a row of `local_indicator_revision` (who, when, why), never updated or deleted.
The indicator itself is one more row of `indicator` (outline and row_type 'local') written from
its latest revision, so the name lookup, templates, the loader, the engine, pages, the report
and downloads treat it like a catalogue indicator. Its units are a member-unit duty
(etl.workflow.duties). A new indicator takes its place in the local plan (两规) at once: with
the target the office gives, else 目标待设定 in its direction. Catalogue rows stay read-only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from etl.core.store import insert_frame, publish
from etl.core.text import squash, tidy
from etl.targets import revisions
from etl.workflow import duties

CODE_PREFIX = "L-OFFICE-"
LOCAL_PLAN = "lianggui"
ACTION_ADD, ACTION_EDIT = "add", "edit"
DIRECTIONS = {"up": "正向（越高越好）", "down": "逆向（越低越好）", None: "无（不分好坏）"}
_DIRECTION_WORDS = {
    "up": "up",
    "正向": "up",
    "越高越好": "up",
    "提高": "up",
    "down": "down",
    "逆向": "down",
    "越低越好": "down",
    "降低": "down",
    "": None,
    "无": None,
    "none": None,
}
NOTE = "工委办在本系统中添加的本地指标"
# A name or unit is shown on every page, where these would become links or formatting
_MARKUP = re.compile(r"[\[\]<>*_`\\#|~]|://")
_CODE = re.compile(r"^" + re.escape(CODE_PREFIX) + r"(\d+)$")

REVISION_SCHEMA: dict[str, pl.DataType] = {
    "indicator_code": pl.String,
    "action": pl.String,
    "name": pl.String,
    "unit": pl.String,
    "decimals": pl.Int32,
    "domain": pl.String,
    "direction": pl.String,
    "definition": pl.String,
    "data_source": pl.String,
    "actor": pl.String,
    "changed_at": pl.Datetime("us"),
    "reason": pl.String,
    "origin": pl.String,
}


class LocalIndicatorError(ValueError):
    """The indicator cannot be recorded; the message (Chinese) lists every reason."""


@dataclass(frozen=True)
class LocalIndicator:
    """A local indicator as the office wants it (code None: a new one)."""

    name: str
    unit: str | None
    decimals: int
    domain: str
    direction: str | None = None  # up | down | None
    definition: str | None = None
    data_source: str | None = None
    lead_unit: str | None = None  # member_unit code
    shared_units: tuple[str, ...] = ()
    code: str | None = None

    def tidied(self) -> LocalIndicator:
        def text(x: str | None) -> str | None:
            return tidy(x) or None

        return replace(
            self,
            name=tidy(self.name),
            unit=text(self.unit),
            domain=tidy(self.domain),
            definition=text(self.definition),
            data_source=text(self.data_source),
        )


@dataclass
class LocalResult:
    code: str
    added: bool  # a new indicator (else an edit)
    changed: bool  # anything recorded at all
    target: revisions.RevisionResult | None = None
    duty: duties.DutyResult | None = None


def parse_direction(text: str | None) -> str | None:
    """up / down / None from up, 正向, 逆向, 无 …; ValueError for anything else."""
    key = squash(text).lower()
    if key in _DIRECTION_WORDS:
        return _DIRECTION_WORDS[key]
    raise ValueError(f"指标方向“{text}”无法识别，可写：正向、逆向、无")


def domains(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The catalogue's domains (领域), in catalogue order: a local indicator sits in one of them."""
    rows = con.sql("SELECT domain, min(rowid) AS r FROM indicator GROUP BY domain ORDER BY r").fetchall()
    return [d for d, _ in rows]


def local_codes(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Codes of the indicators the office added."""
    return {r[0] for r in con.sql("SELECT DISTINCT indicator_code FROM local_indicator_revision").fetchall()}


def next_code(con: duckdb.DuckDBPyConnection) -> str:
    """The next L-OFFICE-nnn: one past every code ever given, so a code is never reused."""
    used = local_codes(con) | {r[0] for r in con.sql("SELECT code FROM indicator").fetchall()}
    numbers = [int(m.group(1)) for m in map(_CODE.match, used) if m]
    return f"{CODE_PREFIX}{max(numbers, default=0) + 1:03d}"


def current(con: duckdb.DuckDBPyConnection, code: str) -> LocalIndicator | None:
    """The office's indicator `code` as it stands (None for an unknown or catalogue code)."""
    if code not in local_codes(con):
        return None
    row = con.sql(
        "SELECT code, name, unit, decimals, domain, direction, definition, data_source FROM indicator WHERE code = $c",
        params={"c": code},
    ).pl()
    if row.height == 0:
        return None
    r = row.row(0, named=True)
    duty = duties.current(con)[code]
    return LocalIndicator(
        name=r["name"],
        unit=r["unit"],
        decimals=r["decimals"],
        domain=r["domain"],
        direction=r["direction"],
        definition=r["definition"],
        data_source=r["data_source"],
        lead_unit=duty.lead_unit,
        shared_units=duty.shared_units,
        code=code,
    )


def problems(con: duckdb.DuckDBPyConnection, ind: LocalIndicator) -> list[str]:
    """Why `ind` cannot be recorded (Chinese), empty when it can."""
    out = []
    if not ind.name:
        out.append("须填写指标名称")
    else:
        taken = con.sql(
            "SELECT code, name FROM indicator UNION ALL SELECT indicator_code, alias FROM indicator_alias"
        ).fetchall()
        same = sorted({code for code, name in taken if squash(name) == squash(ind.name) and code != ind.code})
        if same:
            out.append(f"指标名称“{ind.name}”已被指标 {'、'.join(same)} 使用，请换一个名称")
    for label, text in (("指标名称", ind.name), ("计量单位", ind.unit)):
        if text and _MARKUP.search(text):
            out.append(f"{label}不能含有 [ ] < > * _ ` \\ # | ~ 或网址：页面会把它们当作链接或格式")
    if not isinstance(ind.decimals, int) or not 0 <= ind.decimals <= 4:
        out.append("小数位数应为 0—4 的整数")
    if ind.domain not in domains(con):
        out.append(f"领域“{ind.domain}”不在指标目录的领域中")
    if ind.direction not in ("up", "down", None):
        out.append(f"指标方向“{ind.direction}”无效")
    units = {r[0] for r in con.sql("SELECT code FROM member_unit").fetchall()}
    if ind.lead_unit is not None and ind.lead_unit not in units:
        out.append(f"牵头单位“{ind.lead_unit}”不在成员单位名录中")
    for unit in ind.shared_units:
        if unit not in units:
            out.append(f"责任单位“{unit}”不在成员单位名录中")
    if ind.code is not None:
        before = current(con, ind.code)
        if before is None:
            out.append(f"“{ind.code}”不是工委办添加的本地指标；指标目录中的指标只读，不能修改")
        elif (before.unit or "") != (ind.unit or ""):
            values = con.sql("SELECT count(*) FROM observation WHERE indicator_code = $c", params={"c": ind.code})
            if values.fetchall()[0][0]:
                out.append("该指标已有数值，不能修改计量单位（如口径变化，请新增一个指标）")
    return out


def _revision(ind: LocalIndicator, action: str, actor: str, when: datetime, reason: str, origin: str) -> dict:
    return {
        "indicator_code": ind.code,
        "action": action,
        "name": ind.name,
        "unit": ind.unit,
        "decimals": ind.decimals,
        "domain": ind.domain,
        "direction": ind.direction,
        "definition": ind.definition,
        "data_source": ind.data_source,
        "actor": actor,
        "changed_at": when,
        "reason": reason,
        "origin": origin,
    }


def target_changes(
    texts: dict[int, str | None], *, direction: str | None, source: str | None, origin: str
) -> list[revisions.TargetChange]:
    """The local indicator's 两规 targets from the office's wording per target year (a blank
    year has none); raises TargetTextError (Chinese) for wording that is not a target."""
    from etl.targets.text import parse_target_text

    out = []
    for year, text in sorted(texts.items()):
        if not (text or "").strip():
            continue
        parsed = parse_target_text(text, direction=direction)
        source = (source or "").strip() or None
        out.append(revisions.parsed_change(LOCAL_PLAN, "", None, year, parsed, text, source=source, origin=origin))
    return out


def pending_target(ind: LocalIndicator, code: str) -> revisions.TargetChange:
    """The indicator's place in the local plan before the office sets its target: 目标待设定 in
    its direction (a 是/否 goal without a unit is judged by the office)."""
    if not ind.unit:
        kind = "qualitative"
    else:
        kind = {"up": "at_least", "down": "at_most"}.get(ind.direction or "", "band")
    return revisions.TargetChange(LOCAL_PLAN, code, None, 2030, kind=kind, note="目标待设定", origin="新增本地指标")


def record(
    con: duckdb.DuckDBPyConnection,
    ind: LocalIndicator,
    *,
    actor: str,
    reason: str,
    targets: list[revisions.TargetChange] | None = None,
    origin: str = "在线编辑",
    when: datetime | None = None,
) -> LocalResult:
    """Add (ind.code None) or change one local indicator; `targets` (a new one's 两规 targets,
    their indicator_code filled in here) are recorded with it. Raises LocalIndicatorError."""
    if not (reason or "").strip():
        raise LocalIndicatorError("新增或修改指标必须填写原因")
    if not (actor or "").strip():
        raise LocalIndicatorError("新增或修改指标必须记录修改人")
    ind = ind.tidied()
    bad = problems(con, ind)
    if bad:
        raise LocalIndicatorError("；".join(bad))
    when = when or datetime.now()
    adding = ind.code is None
    if adding:
        ind = replace(ind, code=next_code(con))
    changed = _write_indicator(con, ind, adding)
    if changed:
        row = _revision(ind, ACTION_ADD if adding else ACTION_EDIT, actor.strip(), when, reason.strip(), origin)
        insert_frame(con, "local_indicator_revision", pl.DataFrame([row], schema=REVISION_SCHEMA))
    duty = duties.record(
        con,
        [duties.Duty(ind.code, ind.lead_unit, ind.shared_units, origin=origin)],
        actor=actor,
        reason=reason,
        when=when,
        new_indicators=frozenset({ind.code}) if adding else frozenset(),
    )
    if duty.refused:
        raise LocalIndicatorError(duty.refused[0][1])
    target = None
    if adding:
        wanted = [replace(t, indicator_code=ind.code) for t in targets or []]
        if not any(t.target_year == 2030 and t.region_code is None for t in wanted):
            wanted.append(pending_target(ind, ind.code))
        target = revisions.record(con, wanted, actor=actor, reason=reason, when=when, allow_pending=True)
        if target.refused:
            raise LocalIndicatorError("；".join(why for _, why in target.refused))
    return LocalResult(ind.code, adding, changed or bool(duty.added), target, duty)


def _write_indicator(con: duckdb.DuckDBPyConnection, ind: LocalIndicator, adding: bool) -> bool:
    """Insert the new indicator row, or update the existing one; whether anything changed."""
    if adding:
        con.execute(
            "INSERT INTO indicator (code, outline, domain, name, unit, decimals, direction, row_type, definition,"
            " data_source, verification, notes) VALUES ($code, 'local', $domain, $name, $unit, $decimals, $direction,"
            " 'local', $definition, $data_source, 'office_local', $note)",
            {**_columns(ind), "note": NOTE},
        )
        return True
    if _columns(current(con, ind.code)) == _columns(ind):
        return False
    con.execute(
        "UPDATE indicator SET domain = $domain, name = $name, unit = $unit, decimals = $decimals,"
        " direction = $direction, definition = $definition, data_source = $data_source WHERE code = $code",
        _columns(ind),
    )
    return True


def _columns(ind: LocalIndicator) -> dict[str, object]:
    names = ("code", "domain", "name", "unit", "decimals", "direction", "definition", "data_source")
    return {n: getattr(ind, n) for n in names}


def save(
    db_path: Path,
    ind: LocalIndicator,
    *,
    actor: str,
    reason: str,
    targets: list[revisions.TargetChange] | None = None,
    origin: str = "在线编辑",
    when: datetime | None = None,
) -> LocalResult:
    """Record through the one write path (nothing is published when nothing changed)."""

    def change(con: duckdb.DuckDBPyConnection) -> tuple[LocalResult, bool]:
        result = record(con, ind, actor=actor, reason=reason, targets=targets, origin=origin, when=when)
        return result, result.changed

    return publish(Path(db_path), change)


# Every version of one local indicator ($code), oldest first, with who, when and why.
HISTORY_SQL = """
        SELECT r.indicator_code, CAST(row_number() OVER (ORDER BY r.id) AS INTEGER) AS revision, r.action, r.name,
               r.unit, r.decimals, r.domain, r.direction, r.definition, r.data_source, r.actor, r.changed_at,
               r.reason, r.origin
        FROM local_indicator_revision r WHERE r.indicator_code = $code ORDER BY r.id
"""
