"""成员单位分工 on the 规划目标 page, without Streamlit: the table the office edits (which unit owes
each indicator, who shares it, for which districts, by when), the duties an edit asks for, and
the history. Saves go through etl.workflow.duties (a revision per change, who/when/why)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dashboard.queries import db
from etl.workflow import duties

KEY = "指标代码"
EDITABLE = ("牵头单位", "责任单位", "填报区县", "截止日")
EDIT_ORIGIN = "在线编辑"
NO_UNIT = "（无）"


@dataclass
class DutyOutcome:
    result: duties.DutyResult | None = None
    problems: list[str] = field(default_factory=list)  # Chinese, one per bad row

    @property
    def ok(self) -> bool:
        return self.result is not None and not self.result.refused and not self.problems

    @property
    def message(self) -> str:
        if self.result is None:
            return "；".join(self.problems)
        r = self.result
        text = f"已保存：修改分工 {len(r.added)} 项"
        refused = [f"{d.indicator_code}：{why}" for d, why in r.refused]
        return text + ("；未保存：" + "；".join(refused + self.problems) if refused or self.problems else "")


def duty_frame(db_path: Path | str) -> pl.DataFrame:
    """Every indicator's current duty, in catalogue order, with its unit of measure."""
    cursor = db.connect(db_path).cursor()
    try:
        frame = duties.duty_table(cursor)
        units = cursor.sql("SELECT code AS 指标代码, coalesce(unit, '') AS 计量单位 FROM indicator").pl()
    finally:
        cursor.close()
    frame = frame.join(units, on=KEY, how="left", maintain_order="left")
    # an empty cell reads as empty in the editor, not as None
    return frame.select(KEY, "指标名称", "计量单位", *EDITABLE).with_columns(
        pl.col("牵头单位").fill_null(NO_UNIT), pl.col("责任单位").fill_null("")
    )


def unit_choices(db_path: Path | str) -> list[str]:
    """What the 牵头单位 column may hold: every member unit by name, or none."""
    names = db.query(db_path, "SELECT name FROM member_unit ORDER BY rowid").get_column("name").to_list()
    return [NO_UNIT, *names]


def _text(x: object) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return str(x).strip()


def duties_from_edit(
    db_path: Path | str, original: pl.DataFrame, edited: pl.DataFrame
) -> tuple[list[duties.Duty], list[str]]:
    """The duties an edited table asks for (changed rows only); unreadable rows as problems."""
    before = {r[KEY]: r for r in original.iter_rows(named=True)}
    wanted: list[duties.Duty] = []
    problems: list[str] = []
    cursor = db.connect(db_path).cursor()
    try:
        now = duties.current(cursor)
        for row in edited.iter_rows(named=True):
            code = _text(row.get(KEY))
            old = before.get(code)
            if old is None or all(_text(old.get(c)) == _text(row.get(c)) for c in EDITABLE):
                continue
            lead = _text(row.get("牵头单位"))
            try:
                wanted.append(
                    duties.from_texts(
                        cursor,
                        now[code],
                        lead="无" if lead in ("", NO_UNIT) else lead,
                        shared=_text(row.get("责任单位")) or "无",
                        districts=_text(row.get("填报区县")),
                        deadline=_text(row.get("截止日")),
                        origin=EDIT_ORIGIN,
                    )
                )
            except ValueError as exc:
                problems.append(f"{code}：{exc}")
    finally:
        cursor.close()
    return wanted, problems


def save_edits(
    db_path: Path | str, original: pl.DataFrame, edited: pl.DataFrame, *, actor: str, reason: str
) -> DutyOutcome:
    """Record the edited duties (a reason is required); nothing is saved when none changed."""
    if not (reason or "").strip():
        return DutyOutcome(problems=["请填写修改原因"])
    wanted, problems = duties_from_edit(db_path, original, edited)
    if not wanted:
        return DutyOutcome(problems=problems or ["没有改动"])
    return DutyOutcome(duties.save(Path(db_path), wanted, actor=actor, reason=reason), problems)


def history_table(db_path: Path | str, indicator_code: str) -> pl.DataFrame:
    """One indicator's duty versions in Chinese columns (version 0: shipped with the catalogue)."""
    frame = db.query(db_path, duties.HISTORY_SQL, {"code": indicator_code})
    if frame.height == 0:
        return pl.DataFrame(
            schema=dict.fromkeys(
                ("版本", "牵头单位", "责任单位", "填报区县", "截止日", "修改人", "修改时间", "原因", "出处"), pl.String
            )
        )
    return frame.select(
        pl.col("revision").alias("版本"),
        pl.col("lead_unit").fill_null("（无）").alias("牵头单位"),
        pl.col("shared_units").alias("责任单位"),
        pl.col("districts").fill_null(duties.ALL_DISTRICTS).alias("填报区县"),
        pl.col("deadline").fill_null("默认").alias("截止日"),
        pl.col("actor").alias("修改人"),
        pl.col("changed_at").dt.strftime("%Y-%m-%d %H:%M").fill_null("—").alias("修改时间"),
        pl.col("reason").alias("原因"),
        pl.col("origin").alias("出处"),
    )


def all_history(db_path: Path | str) -> pl.DataFrame:
    """Every duty change, newest first (the office's record of who changed what)."""
    return db.query(
        db_path,
        """
        SELECT r.id AS 序号, r.indicator_code AS 指标代码, i.name AS 指标名称,
               coalesce(lu.name, '（无）') AS 牵头单位,
               (SELECT string_agg(m.name, '、' ORDER BY m.name) FROM member_unit m
                 WHERE list_contains(string_split(r.shared_units, '|'), m.code)) AS 责任单位,
               coalesce((SELECT string_agg(g.name, '、' ORDER BY g.code) FROM region g
                 WHERE list_contains(string_split(r.districts, '|'), g.code)), '全部') AS 填报区县,
               coalesce(r.deadline, '默认') AS 截止日, r.actor AS 修改人,
               coalesce(strftime(r.changed_at, '%Y-%m-%d %H:%M'), '—') AS 修改时间, r.reason AS 原因,
               r.origin AS 出处
        FROM duty_revision r LEFT JOIN indicator i ON i.code = r.indicator_code
        LEFT JOIN member_unit lu ON lu.code = r.lead_unit
        WHERE r.action = 'set' ORDER BY r.id DESC
        """,
    )
