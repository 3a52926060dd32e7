"""What the 数据 page shows: load history, rejected rows, findings, and every table in the database."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from dashboard.queries.db import query
from dashboard.render import present
from dashboard.views import table_labels
from dashboard.views.returns import RULE_LABELS
from etl.returns import plausibility

SEVERITY_ZH = {"error": "错误（已拒绝）", "warning": "提醒（已载入）", "info": "说明"}
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def submissions_table(db_path: Path) -> pl.DataFrame:
    """Load history, newest first, with accepted/rejected counts and the 示例数据 mark."""
    frame = query(
        db_path,
        """
        SELECT s.id, s.file_name, s.kind, coalesce(u.name, '') AS unit, s.loaded_at, s.status,
               s.rows_accepted, s.rows_rejected, s.is_sample, coalesce(s.source, '') AS source,
               w.withdrawn_at, w.withdrawn_by,
               (SELECT count(*) FROM finding f WHERE f.submission_id = s.id AND f.severity = 'warning') AS warnings
        FROM submission s LEFT JOIN member_unit u ON u.code = s.unit_code
        LEFT JOIN submission_withdrawal w ON w.submission_id = s.id
        ORDER BY s.loaded_at DESC, s.id DESC
    """,
    )
    return frame.select(*_load_columns(pl.col("warnings").alias("提醒")), pl.col("source").alias("来源"))


def _load_columns(*checks: pl.Expr) -> list[pl.Expr]:
    """A load's columns as both load tables show them, with `checks` (its finding counts) before
    数据性质: whether its values count (状态: 有效, or 已撤回 with when and by whom) and what they are
    (示例数据, 报送数据 …)."""
    return [
        pl.col("id").alias("提交编号"),
        pl.col("file_name").alias("文件"),
        pl.col("kind").replace_strict(table_labels.SUBMISSION_KINDS, default=pl.col("kind")).alias("类别"),
        pl.col("unit").alias("成员单位"),
        pl.col("loaded_at").dt.strftime("%Y-%m-%d %H:%M").alias("载入时间"),
        load_state(),
        pl.col("rows_accepted").alias("载入数值"),
        pl.col("rows_rejected").alias("拒绝数值"),
        *checks,
        present.nature(),
    ]


WITHDRAWN, COUNTING, FAILED = "已撤回", "有效", "载入失败"


def load_state() -> pl.Expr:
    """状态 of a load: 已撤回（when，by whom） — its values no longer count —, 载入失败, or 有效."""
    withdrawn = pl.format(
        WITHDRAWN + "（{}，{}）", pl.col("withdrawn_at").dt.strftime("%Y-%m-%d %H:%M"), pl.col("withdrawn_by")
    )
    return (
        pl.when(pl.col("withdrawn_at").is_not_null())
        .then(withdrawn)
        .when(pl.col("status") != "loaded")
        .then(pl.lit(FAILED))
        .otherwise(pl.lit(COUNTING))
        .alias("状态")
    )


OUTLIER_RULES = plausibility.RULES  # values that may be wrong: the preview's plausibility warnings


def recent_loads(db_path: Path, limit: int = 10) -> pl.DataFrame:
    """The latest `limit` loads, newest first, with what their checks found: refused values,
    suspected outliers and other warnings."""
    frame = query(
        db_path,
        """
        SELECT s.id, s.file_name, s.kind, coalesce(u.name, '') AS unit, s.loaded_at, s.status, s.rows_accepted,
               s.rows_rejected, s.is_sample, w.withdrawn_at, w.withdrawn_by,
               count(f.rule) FILTER (WHERE f.severity = 'warning' AND list_contains($outliers, f.rule)) AS outliers,
               count(f.rule) FILTER (WHERE f.severity = 'warning' AND NOT list_contains($outliers, f.rule)) AS warnings
        FROM submission s LEFT JOIN member_unit u ON u.code = s.unit_code
        LEFT JOIN submission_withdrawal w ON w.submission_id = s.id
        LEFT JOIN finding f ON f.submission_id = s.id
        GROUP BY ALL ORDER BY s.loaded_at DESC, s.id DESC LIMIT $n
    """,
        {"outliers": list(OUTLIER_RULES), "n": limit},
    )
    return frame.select(*_load_columns(pl.col("outliers").alias("疑似异常值"), pl.col("warnings").alias("其他提醒")))


def load_findings(db_path: Path, submission_id: int) -> pl.DataFrame:
    """One load's errors and warnings, in sheet, row and column order."""
    return findings_table(db_path).filter(pl.col("提交编号") == submission_id)


def rejected_rows_table(db_path: Path) -> pl.DataFrame:
    """Every rejected value with its file, place, raw cells and Chinese reason."""
    frame = query(
        db_path,
        """
        SELECT r.submission_id, s.file_name, r.sheet, r.row_no, r.col,
               array_to_string(r.raw_cells, ' | ') AS raw, r.reason
        FROM rejected_row r JOIN submission s ON s.id = r.submission_id
        ORDER BY r.submission_id DESC, r.sheet, r.row_no, r.col
    """,
    )
    return frame.rename(
        {
            "submission_id": "提交编号",
            "file_name": "文件",
            "sheet": "工作表",
            "row_no": "行",
            "col": "列",
            "raw": "原始单元格",
            "reason": "原因",
        }
    )


def findings_table(db_path: Path, *, include_info: bool = False) -> pl.DataFrame:
    """Findings of every load (errors, warnings; info on request)."""
    frame = query(
        db_path,
        """
        SELECT f.submission_id, f.file, f.sheet, f.row_no, f.col, f.rule, f.severity, f.message
        FROM finding f WHERE $info OR f.severity <> 'info'
        ORDER BY f.submission_id DESC, f.sheet, f.row_no, f.col
    """,
        {"info": include_info},
    )
    return frame.select(
        pl.col("submission_id").alias("提交编号"),
        pl.col("file").alias("文件"),
        pl.col("sheet").alias("工作表"),
        pl.col("row_no").alias("行"),
        pl.col("col").alias("列"),
        pl.col("severity").replace_strict(SEVERITY_ZH, default=pl.col("severity")).alias("严重程度"),
        pl.col("rule").replace_strict(RULE_LABELS, default=pl.col("rule")).alias("规则"),
        pl.col("message").alias("说明"),
    )


def table_names(db_path: Path) -> list[str]:
    """Tables and views of the database, for the full download list."""
    frame = query(
        db_path,
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY table_type, table_name",
    )
    return frame["table_name"].to_list()


table_label = table_labels.table_label


def table_frame(db_path: Path, name: str) -> pl.DataFrame:
    """One whole table or view as the page shows it: Chinese headers, member units and plans
    by name, stored codes in words (table_labels); the name must be one the database lists
    (no SQL from users)."""
    if not _IDENT.match(name) or name not in table_names(db_path):
        raise ValueError(f"数据库中没有表“{name}”")
    frame = query(db_path, f"SELECT * FROM {name}")
    frame = frame.drop(*[c for c in table_labels.HIDDEN_COLUMNS.get(name, ()) if c in frame.columns])
    units = dict(query(db_path, "SELECT code, name FROM member_unit").iter_rows())
    plans = dict(query(db_path, "SELECT code, name FROM plan").iter_rows())
    return frame.select(_shown_column(name, column, dtype, units, plans) for column, dtype in frame.schema.items())


def _shown_column(table: str, column: str, dtype: pl.DataType, units: dict[str, str], plans: dict[str, str]) -> pl.Expr:
    """`column` of `table` in words, under its Chinese header."""
    col = pl.col(column)
    if isinstance(dtype, pl.List):  # lists (raw cells) become text so the CSV stays one value per cell
        col = col.cast(pl.List(pl.String)).list.join(" | ")
    elif dtype == pl.Boolean:
        col = pl.when(col).then(pl.lit("是")).when(~col).then(pl.lit("否")).otherwise(pl.lit(None, pl.String))
    elif column in table_labels.unit_columns(table):
        col = col.str.split("|").list.eval(pl.element().replace_strict(units, default=pl.element())).list.join("、")
    elif column == "plan_code" and table not in table_labels.CODE_TABLES:
        col = col.replace_strict(plans, default=col)
    elif (words := table_labels.value_words(table, column)) is not None:
        col = col.cast(pl.String).replace_strict(dict(words), default=col.cast(pl.String))
    return col.alias(table_labels.column_label(table, column))
