"""The office's target editor, without Streamlit: the table it edits, the changes an edit makes,
uploads of a plan target table (preview, then import), and the history table.

Every save goes through etl.targets.revisions (one revision per changed target, with who and
why) and the one write path; national targets stay read-only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dashboard.queries import db, plan_targets
from etl.core.records import SEVERITY_ERROR, Finding
from etl.returns.safety import inspect_bytes, staged_upload
from etl.targets.importer import ImportReport, import_plan_table, read_plan_table
from etl.targets.revisions import ACTION_REMOVE, KIND_ZH, RevisionResult, TargetChange, save
from etl.targets.text import render

ZH_KIND = {v: k for k, v in KIND_ZH.items()}
PLAN_ROLE = {"national": "国家规划（只读）", "local": "本地规划（工委办制定）"}
# editor columns: key columns first (read-only for existing rows), then the editable ones
KEY_COLUMNS = ("指标代码", "地区代码", "目标年份")
EDITABLE = ("目标类型", "目标值", "允许偏差", "区间下限", "区间上限", "目标原文", "来源/文号")
# the columns that make the target itself: a change to any of them rewords 目标原文
TARGET_FIELDS = ("目标类型", "目标值", "允许偏差", "区间下限", "区间上限")
SHOWN = ("指标名称", "单位", "国家目标", "标注")
ALL_REGIONS = "全部"
EDIT_ORIGIN = "在线编辑"


@dataclass
class EditOutcome:
    result: RevisionResult | None = None
    problems: list[str] = field(default_factory=list)  # Chinese, one per bad row

    @property
    def message(self) -> str:
        if self.result is None:
            return "；".join(self.problems)
        r = self.result
        text = f"已保存：新增或修改目标 {len(r.added)} 条，未变 {len(r.unchanged)} 条"
        refused = [f"{c.indicator_code}（{c.target_year}年）：{why}" for c, why in r.refused]
        return text + ("；未保存：" + "；".join(refused + self.problems) if refused or self.problems else "")


def plan_options(db_path: Path | str) -> dict[str, str]:
    """plan code → label that says which plan it is and whether the office may edit it."""
    frame = db.query(db_path, "SELECT code, name, scope FROM plan ORDER BY scope = 'local' DESC, code")
    return {c: f"{n}（{PLAN_ROLE.get(s, s)}）" for c, n, s in frame.iter_rows()}


def editable(db_path: Path | str, plan_code: str) -> bool:
    return db.scalar(db_path, "SELECT scope = 'local' FROM plan WHERE code = $c", {"c": plan_code}) is True


def editor_frame(db_path: Path | str, plan_code: str) -> pl.DataFrame:
    """The plan's current targets as the editor shows them (Chinese column names)."""
    t = plan_targets.plan_targets(db_path, plan_code)
    marks = pl.concat_str(
        [
            pl.when(pl.col("less_ambitious")).then(pl.lit(plan_targets.LESS_AMBITIOUS)),
            pl.when(pl.col("is_sample")).then(pl.lit("示例目标")),
        ],
        separator="；",
        ignore_nulls=True,
    )
    return t.select(
        pl.col("plan_name").alias("规划"),
        pl.col("indicator_code").alias("指标代码"),
        pl.col("indicator_name").alias("指标名称"),
        pl.col("region_code").fill_null(ALL_REGIONS).alias("地区代码"),
        pl.col("target_year").cast(pl.Int64).alias("目标年份"),
        pl.col("kind").replace_strict(KIND_ZH, default=None).alias("目标类型"),
        pl.col("value").alias("目标值"),
        pl.col("tolerance").alias("允许偏差"),
        pl.col("band_low").alias("区间下限"),
        pl.col("band_high").alias("区间上限"),
        pl.col("unit").alias("单位"),
        pl.col("target_text").alias("目标原文"),
        pl.col("source").alias("来源/文号"),
        pl.col("national_value").alias("国家目标"),
        marks.alias("标注"),
    )


def _num(x: object) -> float | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def _text(x: object) -> str | None:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    s = str(x).strip()
    return s or None


def changes_from_edit(
    plan_code: str, original: pl.DataFrame, edited: pl.DataFrame, units: dict[str, str | None] | None = None
) -> tuple[list[TargetChange], list[str]]:
    """The changes an edited editor table asks for: changed and added rows (set), and rows no
    longer there (remove). Rows that cannot be read come back as Chinese problems. `units`
    (indicator code → unit) words the target of a new row, whose 单位 cell is empty."""
    changes: list[TargetChange] = []
    problems: list[str] = []

    def key(row: dict) -> tuple:
        region = _text(row.get("地区代码"))
        year = _num(row.get("目标年份"))
        return (
            _text(row.get("指标代码")),
            None if region in (None, ALL_REGIONS) else region,
            int(year) if year is not None else None,
        )

    before = {key(r): r for r in original.iter_rows(named=True)}
    after: dict[tuple, dict] = {}
    for n, row in enumerate(edited.iter_rows(named=True), start=1):
        k = key(row)
        if k[0] is None or k[2] is None:
            if any(_text(row.get(c)) for c in EDITABLE):
                problems.append(f"第{n}行：须填写指标代码和目标年份")
            continue
        if k in after:
            problems.append(f"第{n}行：{k[0]} {k[2]}年 的目标重复")
            continue
        after[k] = row
        old = before.get(k)
        if old is not None and all(_same(old.get(c), row.get(c)) for c in EDITABLE):
            continue
        kind_zh = _text(row.get("目标类型"))
        if kind_zh not in ZH_KIND:
            problems.append(f"第{n}行：目标类型须为 {'、'.join(ZH_KIND)} 之一")
            continue
        changes.append(
            TargetChange(
                plan_code,
                k[0],
                k[1],
                k[2],
                kind=ZH_KIND[kind_zh],
                value=_num(row.get("目标值")),
                tolerance=_num(row.get("允许偏差")),
                band_low=_num(row.get("区间下限")),
                band_high=_num(row.get("区间上限")),
                target_text=_wording(old, row, ZH_KIND[kind_zh], (units or {}).get(k[0])),
                source=_text(row.get("来源/文号")),
                origin=EDIT_ORIGIN,
            )
        )
    for k in before:
        if k not in after:
            changes.append(TargetChange(plan_code, k[0], k[1], k[2], action=ACTION_REMOVE, origin=EDIT_ORIGIN))
    return changes, problems


def _wording(old: dict | None, row: dict, kind: str, unit: str | None) -> str | None:
    """目标原文 for a saved row: the office's own words when it wrote them; otherwise, when the
    target itself changed, the canonical wording of the new target (≥97%), so the text never
    contradicts the value (a 定性 target that is not 是 keeps its words: only people can write them)."""
    text = _text(row.get("目标原文"))
    if old is None:
        if text is not None:
            return text
    elif not _same(old.get("目标原文"), row.get("目标原文")) or all(
        _same(old.get(c), row.get(c)) for c in TARGET_FIELDS
    ):
        return text
    value = _num(row.get("目标值"))
    if kind == "qualitative" and value != 1:
        was_qualitative = old is not None and ZH_KIND.get(_text(old.get("目标类型")) or "") == "qualitative"
        return text if was_qualitative else None
    worded = render(
        kind,
        value,
        _text(row.get("单位")) or unit,
        _num(row.get("允许偏差")),
        band_low=_num(row.get("区间下限")),
        band_high=_num(row.get("区间上限")),
    )
    return worded or None


def _same(a: object, b: object) -> bool:
    na, nb = _num(a), _num(b)
    if na is not None or nb is not None:
        return na is not None and nb is not None and math.isclose(na, nb, abs_tol=1e-9)
    return _text(a) == _text(b)


def save_edits(
    db_path: Path | str, plan_code: str, original: pl.DataFrame, edited: pl.DataFrame, *, actor: str, reason: str
) -> EditOutcome:
    """Record the edit as revisions (a reason is required); nothing is saved when none changed."""
    if not (reason or "").strip():
        return EditOutcome(problems=["请填写修改原因"])
    if not editable(db_path, plan_code):
        return EditOutcome(problems=["国家规划目标随系统提供，只读，不能修改"])
    units = dict(db.query(db_path, "SELECT code, unit FROM indicator").iter_rows())
    changes, problems = changes_from_edit(plan_code, original, edited, units)
    if not changes:
        return EditOutcome(problems=problems or ["没有改动"])
    # the editor offers 目标原文 as a field of its own: rewording it alone is a change to save
    return EditOutcome(save(Path(db_path), changes, actor=actor, reason=reason, compare_wording=True), problems)


def preview_upload(
    db_path: Path | str, name: str, data: bytes, *, plan: str | None = None, region: str | None = None
) -> ImportReport:
    """Read an uploaded plan table without saving anything: parsed kind and value beside the
    original wording, and every finding."""
    safety = inspect_bytes(name, data)
    if not safety.ok:
        return ImportReport(file=name, findings=list(safety.errors))
    with staged_upload(name, data) as path:
        return read_plan_table(db.connect(db_path), path, plan=plan, region=region, file_name=path.name)


def import_upload(
    db_path: Path | str,
    name: str,
    data: bytes,
    *,
    actor: str,
    reason: str,
    plan: str | None = None,
    region: str | None = None,
) -> ImportReport:
    """Import an uploaded plan table (after preview_upload) as revisions with `reason`."""
    safety = inspect_bytes(name, data)
    if not safety.ok:
        return ImportReport(file=name, findings=list(safety.errors))
    with staged_upload(name, data) as path:
        return import_plan_table(
            Path(db_path), path, actor=actor, reason=reason, plan=plan, region=region, file_name=path.name
        )


def findings_summary(findings: list[Finding]) -> str:
    """The sentence above the findings table; its counts add up to the table's rows."""
    errors = sum(1 for f in findings if f.severity == SEVERITY_ERROR)
    others = len(findings) - errors
    said = f"发现 {len(findings)} 个问题（错误 {errors} 个、提醒 {others} 个）"
    return said + ("：有错误的格不导入，其余照常导入。" if errors else "：提醒不影响导入。")


def findings_table(findings: list[Finding]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "工作表": f.sheet,
                "行": f.row,
                "列": f.column,
                "严重程度": {"error": "错误", "warning": "提示"}.get(f.severity, "说明"),
                "说明": f.message,
            }
            for f in findings
        ],
        schema={"工作表": pl.String, "行": pl.Int64, "列": pl.String, "严重程度": pl.String, "说明": pl.String},
    )


def history_table(db_path: Path | str, indicator_code: str) -> pl.DataFrame:
    """An indicator's target history in Chinese columns: which plan, each version, who, when, why."""
    h = plan_targets.target_history(db_path, indicator_code)
    return h.select(
        pl.col("plan_name").alias("规划"),
        pl.col("region_code").fill_null("全部地区").alias("地区"),
        pl.col("target_year").alias("目标年份"),
        pl.col("revision").alias("版本"),
        pl.when(pl.col("action") == ACTION_REMOVE)
        .then(pl.lit("撤销"))
        .otherwise(pl.col("kind").replace_strict(KIND_ZH, default=None))
        .alias("目标类型"),
        pl.col("value").alias("目标值"),
        pl.col("tolerance").alias("允许偏差"),
        pl.col("band_low").alias("区间下限"),
        pl.col("band_high").alias("区间上限"),
        pl.col("target_text").alias("目标原文"),
        pl.col("source").alias("来源/文号"),
        pl.col("actor").alias("修改人"),
        pl.col("changed_at").dt.strftime("%Y-%m-%d %H:%M").fill_null("—").alias("修改时间"),
        pl.col("reason").alias("原因或说明"),
    )


def plan_history(db_path: Path | str, plan_code: str) -> pl.DataFrame:
    """Every revision of the plan's targets, newest first."""
    return db.query(
        db_path,
        """
        SELECT r.id AS 序号, r.indicator_code AS 指标代码, i.name AS 指标名称,
               coalesce(r.region_code, '全部地区') AS 地区, r.target_year AS 目标年份,
               CASE WHEN r.action = 'remove' THEN '撤销' ELSE r.kind END AS 目标类型, r.value AS 目标值,
               r.band_low AS 区间下限, r.band_high AS 区间上限, r.target_text AS 目标原文,
               r.source AS "来源/文号", r.actor AS 修改人,
               strftime(r.changed_at, '%Y-%m-%d %H:%M') AS 修改时间, r.reason AS 原因, r.origin AS 出处
        FROM target_revision r LEFT JOIN indicator i ON i.code = r.indicator_code
        WHERE r.plan_code = $plan ORDER BY r.id DESC
        """,
        {"plan": plan_code},
    ).with_columns(pl.col("目标类型").replace(KIND_ZH))
