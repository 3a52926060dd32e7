"""本地指标 on the 规划目标 page, without Streamlit: the office's own indicators (table, form
choices, add and edit with a required reason, history). Saves go through etl.catalogue.local;
indicators of the national catalogue are not offered for editing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dashboard.queries import db
from etl.catalogue import local
from etl.targets.text import TargetTextError
from etl.workflow import duties

DIRECTION_CHOICES = {"up": local.DIRECTIONS["up"], "down": local.DIRECTIONS["down"], "": local.DIRECTIONS[None]}
EDIT_ORIGIN = "在线编辑"


@dataclass
class Outcome:
    ok: bool
    message: str
    code: str | None = None


def local_table(db_path: Path | str) -> pl.DataFrame:
    """The office's local indicators with their current definition and units (Chinese columns)."""
    return db.query(
        db_path,
        """
        SELECT c.indicator_code AS 指标代码, c.indicator_name AS 指标名称, c.unit AS 计量单位,
               c.decimals AS 小数位数, c.domain AS 领域,
               CASE c.direction WHEN 'up' THEN '正向' WHEN 'down' THEN '逆向' ELSE '无' END AS 指标方向,
               c.definition AS 统计口径, c.data_source AS 数据来源, c.lead_unit AS 牵头单位,
               c.other_units AS 责任单位, '两规' AS 规划
        FROM indicator_catalogue c
        WHERE c.indicator_code IN (SELECT indicator_code FROM local_indicator_revision)
        ORDER BY c.indicator_code
        """,
    )


def domain_choices(db_path: Path | str) -> list[str]:
    return (
        db.query(db_path, "SELECT domain, min(rowid) AS r FROM indicator GROUP BY domain ORDER BY r")
        .get_column("domain")
        .to_list()
    )


def unit_names(db_path: Path | str) -> list[str]:
    return db.query(db_path, "SELECT name FROM member_unit ORDER BY rowid").get_column("name").to_list()


def current(db_path: Path | str, code: str) -> local.LocalIndicator | None:
    cursor = db.connect(db_path).cursor()
    try:
        return local.current(cursor, code)
    finally:
        cursor.close()


def unit_name_of(db_path: Path | str, code: str | None) -> str:
    if not code:
        return ""
    return db.scalar(db_path, "SELECT name FROM member_unit WHERE code = $c", {"c": code}) or code


def save(
    db_path: Path | str,
    *,
    code: str | None,
    name: str,
    unit: str,
    decimals: int,
    domain: str,
    direction: str,
    definition: str,
    data_source: str,
    lead: str,
    shared: str,
    actor: str,
    reason: str,
    targets: dict[int, str] | None = None,
    target_source: str = "",
) -> Outcome:
    """Add (code None) or change a local indicator from the form's text; a Chinese outcome."""
    cursor = db.connect(db_path).cursor()
    try:
        base = duties.Duty("", None) if code is None else duties.current(cursor)[code]
        duty = duties.from_texts(cursor, base, lead=lead or "无", shared=shared or "无")
        wanted = local.LocalIndicator(
            name=name,
            unit=unit,
            decimals=int(decimals),
            domain=domain,
            direction=direction or None,
            definition=definition,
            data_source=data_source,
            lead_unit=duty.lead_unit,
            shared_units=duty.shared_units,
            code=code,
        )
        planned = (
            local.target_changes(targets or {}, direction=wanted.direction, source=target_source, origin=EDIT_ORIGIN)
            if code is None
            else []
        )
    except (ValueError, TargetTextError) as exc:
        return Outcome(False, str(exc))
    finally:
        cursor.close()
    try:
        result = local.save(Path(db_path), wanted, actor=actor, reason=reason, targets=planned, origin=EDIT_ORIGIN)
    except local.LocalIndicatorError as exc:
        return Outcome(False, str(exc))
    if result.added:
        target = "已设定两规目标" if planned else "两规目标待设定（可在“规划目标”中设定）"
        return Outcome(True, f"已新增本地指标 {result.code} {wanted.name}（两规）；{target}", result.code)
    return Outcome(True, f"{result.code}：" + ("已保存修改" if result.changed else "没有改动"), result.code)


def history_table(db_path: Path | str, code: str) -> pl.DataFrame:
    """Every version of a local indicator in Chinese columns (empty for catalogue indicators)."""
    frame = db.query(db_path, local.HISTORY_SQL, {"code": code})
    if frame.height == 0:
        return pl.DataFrame()
    return frame.select(
        pl.col("revision").alias("版本"),
        pl.col("action").replace_strict({"add": "新增", "edit": "修改"}, default=pl.col("action")).alias("操作"),
        pl.col("name").alias("指标名称"),
        pl.col("unit").alias("计量单位"),
        pl.col("decimals").alias("小数位数"),
        pl.col("domain").alias("领域"),
        pl.col("direction")
        .replace_strict({"up": "正向", "down": "逆向"}, default="无", return_dtype=pl.String)
        .alias("指标方向"),
        pl.col("definition").alias("统计口径"),
        pl.col("data_source").alias("数据来源"),
        pl.col("actor").alias("修改人"),
        pl.col("changed_at").dt.strftime("%Y-%m-%d %H:%M").alias("修改时间"),
        pl.col("reason").alias("原因"),
    )
