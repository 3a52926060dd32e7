"""What the 数据填报 and 审核 pages show: each unit's return per year, completeness, reminders,
value history and the audit trail. Read-only queries on the published snapshot → polars frames
with Chinese column names; the pages only lay them out.

Completeness follows the engine's rule (dashboard.engine.aggregate.CompletenessRule, RETURN_RULE
here): a unit owes one 合计 value per indicator it leads (牵头) that has a unit of measurement,
for every county-level district of the configured region — for a return, whatever plan the
indicator belongs to; a value counts as received whoever loaded it. Timeliness compares the
first counting submission with the deadline (FUER_RETURN_DEADLINE, month-day of the following
year); a year whose deadline passed before the first return was loaded here is 历史补录.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from dashboard.engine import aggregate, tracking_start
from dashboard.queries import db
from etl.core import settings
from etl.core.records import TOTAL, Finding
from etl.workflow import duties
from etl.workflow.approval import STATE_LABELS

SEVERITY_PREVIEW = {"error": "错误（不载入）", "warning": "提醒（照常载入）", "info": "说明"}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
RULE_LABELS: dict[str, str] = {
    "not_own_indicator": "非本单位负责的指标",
    "locked": "已审核锁定",
    "formula_cell": "公式单元格",
    "too_large": "文件超过大小上限",
    "macro_file": "含宏的工作簿",
    "file_type": "文件类型不受支持",
    "external_link": "含外部链接",
    "data_connection": "含外部数据连接",
    "zip_bomb": "疑似压缩炸弹",
    "zip_method": "异常压缩方式",
    "bad_zip": "文件损坏",
    "xml_dtd": "异常 XML 声明",
    "bad_xml": "内容无法解析",
    "unreadable": "无法读取",
    "unknown_indicator": "指标不在目录中",
    "ambiguous_indicator": "指标名称有歧义",
    "unknown_region": "地区无法识别",
    "whole_region_skipped": "非本级的全市/全县列",
    "ambiguous_region": "地区有歧义",
    "bad_year": "年份无法识别",
    "year_out_of_plan": "年份不在规划期内",
    "unknown_breakdown": "分组无法识别",
    "breakdown_not_allowed": "指标无此分组",
    "non_numeric": "不是数值",
    "unit_mismatch": "计量单位不符",
    "negative": "不能为负数",
    "percent_over_100": "百分比超过100",
    "out_of_range": "超出合理范围",
    "looks_like_fraction": "疑似小数而非百分数",
    "jump_from_last_year": "与上年相比跳变",
    "far_from_districts": "与各区县差异大",
    "at_bound_edge": "处于合理范围边缘",
    "duplicate_conflict": "重复且数值不同",
    "duplicate_same": "重复（数值相同）",
    "revision": "修订已有数值",
    "same_measure": "两纲同一指标",
    "filled_down": "沿用上方单元格",
    "no_header": "未找到表头",
    "no_indicator": "缺少指标",
    "no_region": "缺少地区",
    "no_year": "缺少年份",
    "skipped_sheet": "跳过的工作表",
    "skipped_row": "跳过的行",
    "ignored_column": "未读取的列",
    "orphan_breakdown": "分组行缺少所属指标",
    "breakdown_conflict": "行列分组不一致",
    "override_conflict": "指定值与表内标题不符",
    "future_year": "年份晚于当前年份",
    "indicator_name_mismatch": "指标代码与名称不一致",
    "region_name_mismatch": "地区代码与名称不一致",
    "region_code_too_fine": "区划代码指向乡镇或村",
    "no_values": "没有填写数值",
    "reader_error": "内容格式异常",
    "too_many_cells": "单元格过多",
    "unpacked_too_large": "解压后过大",
    "too_slow": "处理超时",
    "too_much_memory": "所需内存过大",
}
ACTION_LABELS = {
    "load": "载入",
    "withdraw": "撤回",
    "checked": "标记已核对",
    "approved": "审核通过（锁定）",
    "unlocked": "解锁",
}


# --- choices -----------------------------------------------------------------------------------


def report_years(db_path: Path, today: date | None = None) -> list[int]:
    """Years a return can be for: the plans' span up to the current year, newest first."""
    today = today or date.today()
    first, last = db.query(db_path, "SELECT min(base_year) AS a, max(target_year) AS b FROM plan").row(0)
    first = first or today.year - 5
    last = min(last or today.year, today.year)
    return list(range(last, first - 1, -1))


def default_year(db_path: Path, today: date | None = None) -> int:
    """Last year: the return offices are working on."""
    today = today or date.today()
    years = report_years(db_path, today)
    return today.year - 1 if today.year - 1 in years else years[0]


def unit_options(db_path: Path) -> dict[str, str]:
    """Member units that are responsible for at least one indicator: code → name."""
    frame = db.query(
        db_path,
        """
        SELECT u.code, u.name FROM member_unit u
        WHERE u.code IN (SELECT unit_code FROM indicator_unit) ORDER BY u.name""",
    )
    return dict(frame.iter_rows())


def unit_indicators(db_path: Path, unit_code: str) -> pl.DataFrame:
    """The unit's indicators (牵头 first), as it sees them in its template."""
    frame = db.query(
        db_path,
        """
        SELECT i.code, i.name, i.unit, iu.role FROM indicator_unit iu JOIN indicator i ON i.code = iu.indicator_code
        WHERE iu.unit_code = $u ORDER BY iu.role, i.code""",
        {"u": unit_code},
    )
    return frame.select(
        pl.col("code").alias("指标代码"),
        pl.col("name").alias("指标名称"),
        pl.col("unit").alias("计量单位"),
        pl.col("role").replace_strict({"lead": "牵头", "shared": "责任"}, default=pl.col("role")).alias("职责"),
    )


def breakdown_options(db_path: Path, indicator_code: str) -> list[str]:
    """合计 plus the breakdowns (城镇/农村, 女/男 …) the indicator has."""
    value = db.scalar(db_path, "SELECT breakdowns FROM indicator WHERE code = $c", {"c": indicator_code})
    return [TOTAL, *(b for b in (value or "").split("|") if b)]


def district_options(db_path: Path) -> dict[str, str]:
    """Districts of the configured region, then the region itself: code → name."""
    region = settings.region_code()
    # districts first: their values are the ones returns hold
    frame = db.query(
        db_path,
        "SELECT code, name FROM region WHERE code = $r OR parent_code = $r ORDER BY code = $r, code",
        {"r": region},
    )
    return dict(frame.iter_rows())


# --- completeness, timeliness, state --------------------------------------------------------


def deadline(year: int) -> date:
    """The return for `year` is due on this day of the following year (FUER_RETURN_DEADLINE)."""
    return aggregate.ReportingDeadline.from_setting(settings.get("return_deadline")).due(year)


def _links(db_path: Path) -> pl.DataFrame:
    """indicator_code, unit_code, role, districts, deadline: the office's member-unit duties."""
    return db.query(db_path, duties.LINKS_SQL)


def unit_deadlines(db_path: Path, year: int) -> dict[str, date]:
    """Each unit's due date for `year`: the setting, or the earliest its duties set."""
    setting = aggregate.ReportingDeadline.from_setting(settings.get("return_deadline"))
    return duties.unit_deadlines(_links(db_path), year, f"{setting.month:02d}-{setting.day:02d}")


# What a unit owes for its return: the engine's completeness rule (aggregate.CompletenessRule),
# the same 应报 as the 成员单位 page and the template, in the report year only.
RETURN_RULE = aggregate.DEFAULT_RULE


def expected_values(db_path: Path, year: int) -> pl.DataFrame:
    """unit_code, indicator_code, indicator_name, region_code, region_name, received — one row
    per value owed for `year` under RETURN_RULE; received whoever loaded it, while current."""
    region = settings.region_code()
    districts = db.query(
        db_path,
        "SELECT code AS region_code, name AS region_name FROM region "
        "WHERE parent_code = $r AND level = $level ORDER BY code",
        {"r": region, "level": RETURN_RULE.region_level},
    )
    links = _links(db_path)
    indicators = db.query(db_path, "SELECT code AS indicator_code, name AS indicator_name, unit FROM indicator")
    expected = aggregate.expected_cells(links, indicators, districts["region_code"].to_list(), [year], rule=RETURN_RULE)
    have = db.query(
        db_path,
        "SELECT DISTINCT indicator_code, region_code FROM observation_current "
        "WHERE year = $year AND breakdown = $total",
        {"year": year, "total": TOTAL},
    )
    return (
        expected.join(
            have.with_columns(pl.lit(True).alias("received")),
            on=["indicator_code", "region_code"],
            how="left",
            maintain_order="left",
        )
        .join(
            indicators.select("indicator_code", "indicator_name"),
            on="indicator_code",
            how="left",
            maintain_order="left",
        )
        .join(districts, on="region_code", how="left", maintain_order="left")
        .select(
            "unit_code",
            "indicator_code",
            "indicator_name",
            "region_code",
            "region_name",
            pl.col("received").fill_null(False),
        )
    )


def completeness(db_path: Path, year: int) -> pl.DataFrame:
    """unit_code, expected, received, rate (%, one decimal) for `year`."""
    # timeliness is per file here (return_status), so on_time is not needed per value
    cells = expected_values(db_path, year).with_columns(pl.lit(None, dtype=pl.Boolean).alias("on_time"))
    summary = aggregate.completeness_summary(cells, ["unit_code"])
    return summary.select("unit_code", "expected", "received", pl.col("completeness_pct").round(1).alias("rate"))


_SQL_STATUS = """
WITH loads AS (SELECT submission_id, min(id) AS lid FROM audit_log WHERE action = 'load' GROUP BY ALL),
marks AS (SELECT unit_code, max(id) AS aid FROM audit_log WHERE action = 'approved' AND year = $year GROUP BY ALL),
subs AS (
    SELECT s.unit_code, count(DISTINCT s.id) AS files, min(s.loaded_at) AS first_at, max(s.loaded_at) AS last_at,
           bool_or(s.is_sample) AS sample, max(l.lid) AS last_lid
    FROM submission s JOIN observation o ON o.submission_id = s.id LEFT JOIN loads l ON l.submission_id = s.id
    WHERE o.year = $year AND s.kind = 'return' AND s.status = 'loaded'
      AND s.id NOT IN (SELECT submission_id FROM submission_withdrawal)
    GROUP BY s.unit_code
)
SELECT u.code AS unit_code, u.name AS unit_name, coalesce(subs.files, 0) AS files, subs.first_at, subs.last_at,
       coalesce(subs.sample, false) AS sample, a.state, a.actor, a.acted_at, a.reason,
       coalesce(subs.last_lid > m.aid, false) AS resubmitted
FROM member_unit u
LEFT JOIN subs ON subs.unit_code = u.code
LEFT JOIN marks m ON m.unit_code = u.code
LEFT JOIN approval_current a ON a.unit_code = u.code AND a.year = $year
WHERE u.code IN (SELECT unit_code FROM indicator_unit)
ORDER BY u.name
"""


def return_status(db_path: Path, year: int, today: date | None = None) -> pl.DataFrame:
    """One row per member unit for `year`: state code and label, files, timeliness, completeness.

    States: none (未报送), partial (部分报送 n / m: owed values still blank), received (已报送,
    every owed value in), checked (已核对 — only while no file came after the
    check), approved (已审核，锁定), resubmitted (补报待审核: a file came after the approval),
    unlocked (已解锁，待重新审核).
    """
    today = today or date.today()
    due = deadline(year)
    frame = db.query(db_path, _SQL_STATUS, {"year": year})
    comp = completeness(db_path, year)
    frame = frame.join(comp, on="unit_code", how="left").with_columns(
        pl.col("expected").fill_null(0), pl.col("received").fill_null(0)
    )
    # a unit that leads no measurable indicator and sent nothing owes nothing this year
    frame = frame.filter((pl.col("expected") > 0) | (pl.col("files") > 0))
    # each unit's own deadline where its duties set one
    dues = unit_deadlines(db_path, year)
    frame = frame.with_columns(
        pl.col("unit_code").replace_strict(dues, default=due, return_dtype=pl.Date).alias("deadline")
    )
    return frame.with_columns(_STATE.alias("state_code")).with_columns(
        pl.when(pl.col("state_code") == "partial")
        .then(pl.format("部分报送 {} / {}", pl.col("received"), pl.col("expected")))
        .otherwise(pl.col("state_code").replace_strict(_STATE_WORDS, default=None))
        .alias("state_label"),
        _timeliness(tracking_start(db_path), today).alias("timeliness"),
    )


# A return's state from its files, completeness and the office's latest action.
_STATE = (
    # a 补报 after approval: its new values wait for review, the approved ones stay locked
    pl.when((pl.col("state") == "approved") & pl.col("resubmitted"))
    .then(pl.lit("resubmitted"))
    .when(pl.col("state") == "approved")
    .then(pl.lit("approved"))
    # an unlocked return whose files were all withdrawn has nothing left to review
    .when(pl.col("files") == 0)
    .then(pl.lit("none"))
    .when(pl.col("state") == "unlocked")
    .then(pl.lit("unlocked"))
    .when((pl.col("state") == "checked") & (pl.col("acted_at") >= pl.col("last_at")))
    .then(pl.lit("checked"))
    # blank owed values are 缺报: a return with gaps is partial, never simply 已报送
    .when(pl.col("received") < pl.col("expected"))
    .then(pl.lit("partial"))
    .otherwise(pl.lit("received"))
)
_STATE_WORDS = {
    "none": "未报送",
    "received": STATE_LABELS[None],
    "checked": STATE_LABELS["checked"],
    "approved": STATE_LABELS["approved"],
    "unlocked": STATE_LABELS["unlocked"],
    "resubmitted": "补报待审核",
}


def _timeliness(started: date | None, today: date) -> pl.Expr:
    """按时 / 逾期 / 逾期未报 / 未到截止日 against each row's `deadline`, or 历史补录 when that
    deadline passed before returns were loaded here (back-filled history)."""
    due_end = pl.col("deadline").cast(pl.Datetime("us")) + pl.duration(hours=23, minutes=59, seconds=59)
    return (
        pl.when(pl.lit(started is not None) & (pl.col("deadline") < pl.lit(started)))
        .then(pl.lit("历史补录"))
        .when(pl.col("first_at").is_null() & (pl.lit(today) > pl.col("deadline")))
        .then(pl.lit("逾期未报"))
        .when(pl.col("first_at").is_null())
        .then(pl.lit("未到截止日"))
        .when(pl.col("first_at") <= due_end)
        .then(pl.lit("按时"))
        .otherwise(pl.lit("逾期"))
    )


def status_table(db_path: Path, year: int, today: date | None = None) -> pl.DataFrame:
    """`return_status` in the office's words, ready to show and download."""
    frame = return_status(db_path, year, today)
    return frame.select(
        pl.col("unit_name").alias("成员单位"),
        pl.col("state_label").alias("状态"),
        pl.col("files").alias("报送文件数"),
        pl.col("first_at").dt.strftime("%Y-%m-%d %H:%M").alias("首次报送"),
        pl.col("last_at").dt.strftime("%Y-%m-%d %H:%M").alias("最近报送"),
        pl.col("timeliness").alias("及时性"),
        pl.col("expected").alias("应报数值"),
        pl.col("received").alias("已报数值"),
        pl.col("rate").alias("完整率（%）"),
        pl.col("actor").alias("审核/核对人"),
        pl.col("acted_at").dt.strftime("%Y-%m-%d %H:%M").alias("审核/核对时间"),
        pl.col("reason").alias("说明"),
        pl.when(pl.col("sample")).then(pl.lit("示例数据")).otherwise(pl.lit("")).alias("数据性质"),
    )


def unit_status(db_path: Path, unit_code: str, year: int, today: date | None = None) -> dict[str, object]:
    """`return_status` for one unit as a dict (state_code, state_label, files, rate, actor …)."""
    frame = return_status(db_path, year, today).filter(pl.col("unit_code") == unit_code)
    if frame.height == 0:
        return {
            "unit_code": unit_code,
            "state_code": "none",
            "state_label": "未报送",
            "files": 0,
            "expected": 0,
            "received": 0,
            "rate": None,
            "actor": None,
            "acted_at": None,
            "reason": None,
            "timeliness": "",
            "deadline": unit_deadlines(db_path, year).get(unit_code, deadline(year)),
        }
    return frame.row(0, named=True)


def _missing(db_path: Path, year: int) -> pl.DataFrame:
    """The values still owed for `year`, with the unit's name."""
    units = db.query(db_path, "SELECT code AS unit_code, name AS unit_name FROM member_unit")
    return (
        expected_values(db_path, year)
        .filter(~pl.col("received"))
        .join(units, on="unit_code", how="inner", maintain_order="left")
    )


def reminder_list(db_path: Path, year: int) -> pl.DataFrame:
    """What is missing for `year`: one row per unit × indicator, with the districts lacking it."""
    frame = (
        _missing(db_path, year)
        .group_by("unit_name", "indicator_code", "indicator_name")
        .agg(pl.len().alias("missing"), pl.col("region_name").sort_by("region_code").str.join("、").alias("regions"))
        .sort("unit_name", "indicator_code")
    )
    return frame.rename(
        {
            "unit_name": "成员单位",
            "indicator_code": "指标代码",
            "indicator_name": "指标名称",
            "missing": "缺报区县数",
            "regions": "缺报区县",
        }
    )


def reminder_summary(db_path: Path, year: int) -> pl.DataFrame:
    """One reminder line per unit that still owes values for `year`, ready to send."""
    frame = (
        _missing(db_path, year)
        .group_by("unit_code", "unit_name")
        .agg(pl.col("indicator_code").n_unique().alias("indicators"), pl.len().alias("values"))
        .sort(["values", "unit_name"], descending=[True, False])
    )
    due, dues = deadline(year), unit_deadlines(db_path, year)
    due_text = {u: f"{d.year}年{d.month}月{d.day}日" for u, d in dues.items()}
    return frame.select(
        pl.col("unit_name").alias("成员单位"),
        pl.col("indicators").alias("缺报指标数"),
        pl.col("values").alias("缺报数值数"),
        pl.format(
            "请{}于{}前报送{}年度指标数据：尚缺{}项指标、{}个区县数值（详见缺报清单）。",
            pl.col("unit_name"),
            pl.col("unit_code").replace_strict(due_text, default=f"{due.year}年{due.month}月{due.day}日"),
            pl.lit(year),
            pl.col("indicators"),
            pl.col("values"),
        ).alias("提醒内容"),
    )


# --- submissions, history, audit -------------------------------------------------------------


def unit_submissions(db_path: Path, unit_code: str, year: int) -> pl.DataFrame:
    """The unit's files holding values for `year`, withdrawn ones included and marked."""
    frame = db.query(
        db_path,
        """
        SELECT s.id, s.file_name, s.loaded_at, s.rows_accepted, s.rows_rejected, s.is_sample,
               w.withdrawn_by, w.withdrawn_at, w.reason,
               (SELECT min(a.actor) FROM audit_log a WHERE a.submission_id = s.id AND a.action = 'load') AS actor
        FROM submission s LEFT JOIN submission_withdrawal w ON w.submission_id = s.id
        WHERE s.unit_code = $u AND s.kind = 'return' AND s.status = 'loaded'
          AND s.id IN (SELECT submission_id FROM observation WHERE year = $y)
        ORDER BY s.loaded_at DESC, s.id DESC""",
        {"u": unit_code, "y": year},
    )
    return frame.select(
        pl.col("id").alias("提交编号"),
        pl.col("file_name").alias("文件"),
        pl.col("loaded_at").dt.strftime("%Y-%m-%d %H:%M").alias("载入时间"),
        pl.col("actor").fill_null("").alias("上传人"),
        pl.col("rows_accepted").alias("载入数值"),
        pl.col("rows_rejected").alias("拒绝数值"),
        pl.when(pl.col("withdrawn_at").is_not_null()).then(pl.lit("已撤回")).otherwise(pl.lit("有效")).alias("状态"),
        pl.when(pl.col("withdrawn_at").is_not_null())
        .then(
            pl.format(
                "{} 于 {} 撤回：{}",
                pl.col("withdrawn_by"),
                pl.col("withdrawn_at").dt.strftime("%Y-%m-%d %H:%M"),
                pl.col("reason"),
            )
        )
        .otherwise(pl.lit(""))
        .alias("撤回说明"),
        pl.when(pl.col("is_sample")).then(pl.lit("示例数据")).otherwise(pl.lit("")).alias("数据性质"),
    )


def withdrawable(db_path: Path, unit_code: str, year: int) -> dict[int, str]:
    """Counting submissions of the unit for `year`: id → label, for the withdraw choice."""
    frame = unit_submissions(db_path, unit_code, year).filter(pl.col("状态") == "有效")
    return {i: f"{i} · {f} · {t}" for i, f, t in frame.select("提交编号", "文件", "载入时间").iter_rows()}


def value_history(
    db_path: Path, indicator_code: str, region_code: str, year: int, breakdown: str = TOTAL
) -> pl.DataFrame:
    """Every revision of one value, newest first: value, file, who, when, and whether it counts."""
    frame = db.query(
        db_path,
        """
        SELECT o.revision, o.value, s.file_name, s.id AS submission_id, coalesce(u.name, '') AS unit_name,
               s.loaded_at, o.sheet, o.cell, o.row_no, w.withdrawn_at IS NOT NULL AS withdrawn,
               o.id = (SELECT observation_id FROM observation_current c
                       WHERE c.indicator_code = o.indicator_code AND c.region_code = o.region_code
                         AND c.year = o.year AND c.breakdown = o.breakdown) AS current,
               (SELECT min(a.actor) FROM audit_log a WHERE a.submission_id = s.id AND a.action = 'load') AS actor
        FROM observation o JOIN submission s ON s.id = o.submission_id
        LEFT JOIN member_unit u ON u.code = s.unit_code
        LEFT JOIN submission_withdrawal w ON w.submission_id = s.id
        WHERE o.indicator_code = $i AND o.region_code = $r AND o.year = $y AND o.breakdown = $b
        ORDER BY o.revision DESC, o.id DESC""",
        {"i": indicator_code, "r": region_code, "y": year, "b": breakdown},
    )
    return frame.select(
        pl.col("revision").alias("版本"),
        pl.col("value").alias("数值"),
        pl.when(pl.col("current"))
        .then(pl.lit("现行"))
        .when(pl.col("withdrawn"))
        .then(pl.lit("已撤回（不计入）"))
        .otherwise(pl.lit("已被更正"))
        .alias("状态"),
        pl.col("file_name").alias("文件"),
        pl.col("submission_id").alias("提交编号"),
        pl.col("unit_name").alias("成员单位"),
        pl.col("actor").fill_null("").alias("上传人"),
        pl.col("loaded_at").dt.strftime("%Y-%m-%d %H:%M").alias("载入时间"),
        pl.when(pl.col("cell").is_not_null())
        .then(pl.format("{} {}{}", pl.col("sheet"), pl.col("cell"), pl.col("row_no")))
        .otherwise(pl.lit(""))
        .alias("单元格"),
    )


def audit_trail(
    db_path: Path, *, unit_code: str | None = None, year: int | None = None, limit: int = 2000
) -> pl.DataFrame:
    """The audit log, newest first, optionally for one unit and/or year."""
    frame = db.query(
        db_path,
        """
        SELECT a.changed_at, a.actor, a.action, a.file, a.submission_id, coalesce(u.name, a.unit_code) AS unit_name,
               a.indicator_code, i.name AS indicator_name, g.name AS region_name, a.year, a.breakdown,
               a.old_value, a.new_value, a.detail
        FROM audit_log a LEFT JOIN member_unit u ON u.code = a.unit_code
        LEFT JOIN indicator i ON i.code = a.indicator_code LEFT JOIN region g ON g.code = a.region_code
        WHERE ($u IS NULL OR a.unit_code = $u) AND ($y IS NULL OR a.year = $y)
        ORDER BY a.id DESC LIMIT $n""",
        {"u": unit_code, "y": year, "n": limit},
    )
    return frame.select(
        pl.col("changed_at").dt.strftime("%Y-%m-%d %H:%M:%S").alias("时间"),
        pl.col("actor").alias("操作人"),
        pl.col("action").replace_strict(ACTION_LABELS, default=pl.col("action")).alias("操作"),
        pl.col("unit_name").alias("成员单位"),
        pl.col("file").alias("文件"),
        pl.col("submission_id").alias("提交编号"),
        pl.col("indicator_name").alias("指标"),
        pl.col("region_name").alias("地区"),
        pl.col("year").alias("年份"),
        pl.col("breakdown").alias("分组"),
        pl.col("old_value").alias("原值"),
        pl.col("new_value").alias("新值"),
        pl.col("detail").alias("说明"),
    )


def findings_frame(
    findings: list[Finding], *, severities: tuple[str, ...] = ("error", "warning", "info")
) -> pl.DataFrame:
    """A load's findings for the page: errors first, each with its sheet, row, cell and rule."""
    findings = [f for f in findings if f.severity in severities]
    rows = sorted(
        findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.sheet or "", f.row or 0, f.column or "")
    )
    return pl.DataFrame(
        {
            "严重程度": [SEVERITY_PREVIEW.get(f.severity, f.severity) for f in rows],
            "工作表": [f.sheet for f in rows],
            "行": [f.row for f in rows],
            "列": [f.column for f in rows],
            "规则": [RULE_LABELS.get(f.rule, f.rule) for f in rows],
            "说明": [f.message for f in rows],
        },
        schema={
            "严重程度": pl.String,
            "工作表": pl.String,
            "行": pl.Int64,
            "列": pl.String,
            "规则": pl.String,
            "说明": pl.String,
        },
    )


def findings_summary(findings: list[Finding]) -> dict[str, int]:
    """Counts of errors, warnings and info findings (for the page's metrics)."""
    return {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
