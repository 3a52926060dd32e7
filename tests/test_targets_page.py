"""The 规划目标 page in the app (AppTest): only the office may open it; an edit needs a reason
and becomes a revision; an upload shows the parsed targets beside the wording before import."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest
from test_pages import downloads  # noqa: F401  (fixture)

from dashboard.queries import db
from dashboard.views import targets as target_editor

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
PAGE = "../pages/targets.py"
SAMPLE = Path(__file__).parent / "fixtures" / "plan" / "lianggui_targets.csv"


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    db.close_all()


def signed_in(username: str, password: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    at.button(key="signin_submit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _revisions(path: Path) -> list[tuple]:
    db.close_all()
    con = duckdb.connect(str(path), read_only=True)
    try:
        sql = "SELECT indicator_code, value, actor, reason, origin FROM target_revision ORDER BY id"
        return con.sql(sql).fetchall()
    finally:
        con.close()


def test_only_the_office_may_open_the_target_editor(work_db: Path, accounts) -> None:
    for name in ("lead01", "edu01"):
        at = signed_in(name, accounts[name])
        with pytest.raises(ValueError):  # not registered for these roles
            at.switch_page(PAGE)
    office = signed_in("office01", accounts["office01"])
    office.switch_page(PAGE).run()
    assert not office.exception, [e.value for e in office.exception]
    assert [t.value for t in office.title] == ["规划目标"]
    assert office.selectbox(key="targets_plan").value == "lianggui"
    assert office.selectbox(key="targets_plan").options == [
        "两规（本地规划（工委办制定））",
        "十四五（国家规划（只读））",
        "两纲（国家规划（只读））",
    ]
    assert [(e.key, e.editing_mode) for e in office.data_editor] == [
        ("targets_editor", "dynamic"),
        ("duties_editor", "fixed"),
    ]
    assert [t.label for t in office.tabs] == [
        "规划目标",
        "导入规划目标表",
        "在线编辑",
        "修改记录",
        "本地指标",
        "成员单位分工",
    ]
    # the national plans are shown read-only
    office.selectbox(key="targets_plan").select("liangang").run()
    assert [e.key for e in office.data_editor] == ["duties_editor"]
    assert "国家规划目标只读" in office.info[0].value


def test_an_edit_needs_a_reason_and_becomes_a_revision(work_db: Path, accounts) -> None:
    current = target_editor.editor_frame(work_db, "lianggui")
    row = current.get_column("指标代码").to_list().index("C-WELFARE-08")
    at = signed_in("office01", accounts["office01"])
    at.switch_page(PAGE).run()
    at.session_state["targets_editor"] = {"edited_rows": {row: {"目标值": 97.0}}, "added_rows": [], "deleted_rows": []}
    at.button(key="targets_save").click().run()
    assert [e.value for e in at.error] == ["请填写修改原因"]
    assert _revisions(work_db) == []

    at.session_state["targets_editor"] = {"edited_rows": {row: {"目标值": 97.0}}, "added_rows": [], "deleted_rows": []}
    at.text_input(key="targets_edit_reason").input("市政府常务会议调整").run()
    at.button(key="targets_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.success] == ["已保存：新增或修改目标 1 条，未变 0 条"]
    assert _revisions(work_db) == [("C-WELFARE-08", 97.0, "测试office01（office01）", "市政府常务会议调整", "在线编辑")]


def test_upload_shows_parsed_targets_then_imports(work_db: Path, accounts) -> None:
    at = signed_in("office01", accounts["office01"])
    at.switch_page(PAGE).run()
    at.file_uploader[0].upload(SAMPLE.name, SAMPLE.read_bytes(), "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    preview = at.dataframe[0].value
    first = preview.iloc[0]
    assert (first["规划"], first["原文"], first["解析类型"], first["解析值"], first["结果"]) == (
        "两规",
        "≥55%",
        "不低于",
        55.0,
        "可导入",
    )
    assert _revisions(work_db) == []  # nothing saved before the office confirms
    at.button(key="targets_import").click().run()
    assert [e.value for e in at.success] == [
        "已导入：新增或修改目标 5 条，未变 0 条，更新成员单位分工 2 项，未导入 6 处（见上表）。"
    ]
    assert [r[0] for r in _revisions(work_db)] == [
        "W-HEALTH-03",
        "W-HEALTH-03",
        "W-HEALTH-02",
        "C-WELFARE-08",
        "W-HEALTH-01",
    ]


def test_indicator_page_shows_the_target_history(work_db: Path) -> None:
    from datetime import datetime

    from etl.targets.revisions import TargetChange, save

    change = TargetChange(
        "lianggui", "C-WELFARE-08", None, 2030, kind="at_least", value=97.0, source="淄博市儿童发展规划"
    )
    save(work_db, [change], actor="office01", reason="中期调整", when=datetime(2026, 5, 1, 9, 30))
    history = target_editor.history_table(work_db, "C-WELFARE-08")
    assert history.select("规划", "版本", "目标类型", "目标值", "修改人", "修改时间", "原因或说明").rows() == [
        ("两纲", 0, "提高", None, "随系统提供", "—", "核实：表述经报道核对"),
        ("两规", 0, "不低于", 95.0, "示例目标（随系统提供）", "—", "示例目标，仅供演示；请替换为本地规划目标"),
        ("两规", 1, "不低于", 97.0, "office01", "2026-05-01 09:30", "中期调整"),
    ]
    db.close_all()
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["plan"] = "两规"
    at.query_params["indicator"] = "C-WELFARE-08"
    at.switch_page("../pages/indicator.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "目标及修改记录" in [s.value for s in at.subheader]
    shown = "\n".join(frame.value.to_string() for frame in at.dataframe)
    assert "中期调整" in shown and "office01" in shown


def _texts(path: Path) -> list[tuple]:
    db.close_all()
    con = duckdb.connect(str(path), read_only=True)
    try:
        sql = "SELECT indicator_code, target_year, kind, value, target_text FROM target_revision ORDER BY id"
        return con.sql(sql).fetchall()
    finally:
        con.close()


def _edit_row(path: Path, code: str, year: int) -> int:
    current = target_editor.editor_frame(path, "lianggui")
    keys = list(zip(current.get_column("指标代码").to_list(), current.get_column("目标年份").to_list(), strict=True))
    return keys.index((code, year))


def test_a_changed_value_rewords_the_old_target_text(work_db: Path, accounts) -> None:
    row = _edit_row(work_db, "C-EDU-02", 2030)
    assert target_editor.editor_frame(work_db, "lianggui").row(row, named=True)["目标原文"] == (
        "示例：学前教育毛入园率达到96%以上"
    )
    at = signed_in("office01", accounts["office01"])
    at.switch_page(PAGE).run()
    at.session_state["targets_editor"] = {"edited_rows": {row: {"目标值": 97.0}}, "added_rows": [], "deleted_rows": []}
    at.text_input(key="targets_edit_reason").input("市政府常务会议调整").run()
    at.button(key="targets_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.success] == ["已保存：新增或修改目标 1 条，未变 0 条"]
    assert _texts(work_db) == [("C-EDU-02", 2030, "at_least", 97.0, "≥97%")]
    history = target_editor.plan_history(work_db, "lianggui")
    assert history.select("指标代码", "目标值", "目标原文").rows() == [("C-EDU-02", 97.0, "≥97%")]
    shown = target_editor.editor_frame(work_db, "lianggui").row(row, named=True)
    assert (shown["目标值"], shown["目标原文"]) == (97.0, "≥97%")


def test_the_office_s_own_wording_is_kept_with_the_new_value(work_db: Path) -> None:
    original = target_editor.editor_frame(work_db, "lianggui")
    row = _edit_row(work_db, "C-EDU-02", 2030)
    edited = original.with_columns(
        pl.when(pl.int_range(pl.len()) == row).then(pl.lit(97.0)).otherwise(pl.col("目标值")).alias("目标值"),
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit("学前教育毛入园率达到97%以上"))
        .otherwise(pl.col("目标原文"))
        .alias("目标原文"),
    )
    outcome = target_editor.save_edits(work_db, "lianggui", original, edited, actor="office01", reason="调整")
    assert outcome.message == "已保存：新增或修改目标 1 条，未变 0 条"
    assert _texts(work_db) == [("C-EDU-02", 2030, "at_least", 97.0, "学前教育毛入园率达到97%以上")]


def test_a_changed_kind_rewords_a_range_and_a_new_row_is_worded(work_db: Path) -> None:
    original = target_editor.editor_frame(work_db, "lianggui")
    row = _edit_row(work_db, "C-EDU-02", 2030)
    at_row = pl.int_range(pl.len()) == row
    edited = original.with_columns(
        pl.when(at_row).then(pl.lit("保持区间")).otherwise(pl.col("目标类型")).alias("目标类型"),
        pl.when(at_row).then(None).otherwise(pl.col("目标值")).alias("目标值"),
        pl.when(at_row).then(pl.lit(95.0)).otherwise(pl.col("区间下限")).alias("区间下限"),
        pl.when(at_row).then(pl.lit(99.0)).otherwise(pl.col("区间上限")).alias("区间上限"),
    )
    added = pl.DataFrame(
        {"指标代码": ["C-EDU-02"], "地区代码": ["370302"], "目标年份": [2030], "目标类型": ["不低于"]}
        | {"目标值": [98.0], "来源/文号": ["区政府文件"]}
    )
    edited = pl.concat([edited, added], how="diagonal_relaxed")
    outcome = target_editor.save_edits(work_db, "lianggui", original, edited, actor="office01", reason="调整")
    assert outcome.message == "已保存：新增或修改目标 2 条，未变 0 条"
    assert _texts(work_db) == [
        ("C-EDU-02", 2030, "band", None, "95%—99%"),
        ("C-EDU-02", 2030, "at_least", 98.0, "≥98%"),
    ]


def test_the_upload_preview_shows_empty_cells_and_downloads(work_db: Path, accounts, downloads) -> None:  # noqa: F811
    at = signed_in("office01", accounts["office01"])
    at.switch_page(PAGE).run()
    at.file_uploader[0].upload(SAMPLE.name, SAMPLE.read_bytes(), "text/csv").run()
    assert not at.exception, [e.value for e in at.exception]
    # every table of the preview leaves a missing value empty instead of writing "None"
    shown = [(f.proto.HasField("placeholder"), f.proto.placeholder) for f in at.dataframe[:3]]
    assert shown == [(True, ""), (True, ""), (True, "")]
    assert [b.proto.label for b in at.download_button][:3] == [
        "下载 规划目标识别结果.csv",
        "下载 规划目标导入问题.csv",
        "下载 牵头单位和责任单位识别结果.csv",
    ]
    lines = downloads(at, "规划目标识别结果.csv").decode("utf-8-sig").splitlines()
    assert lines[:2] == [
        "工作表,行,列,指标,指标代码,规划,地区代码,目标年份,原文,解析类型,解析值,单位,允许偏差,区间下限,区间上限,来源/文号,结果,说明",
        "lianggui_targets,2,D,适龄妇女宫颈癌人群筛查率,W-HEALTH-03,两规,全部地区,2025,≥55%,不低于,55.0,%,,,,"
        '淄妇儿工委〔2022〕1号,可导入,""',
    ]
    assert lines[-1] == (
        "lianggui_targets,11,E,妇女人均预期寿命（及人均健康预期寿命）,W-HEALTH-01,两规,全部地区,2030,逐步提高,提高,,,,,,,可导入,"
        '""'
    )


def test_the_target_uploader_names_only_the_types_it_takes(work_db: Path, accounts) -> None:
    at = signed_in("office01", accounts["office01"])
    at.switch_page(PAGE).run()
    assert at.get("file_uploader")[0].proto.type == [".xlsx", ".xls", ".csv"]
    notes = [h.proto.body for h in at.get("html") if ".st-key-targets_file" in h.proto.body]
    assert notes == [
        '<style>.st-key-targets_file [data-testid="stFileUploaderDropzoneInstructions"]::after'
        '{content:"单个文件不超过 10 MB · 支持 XLSX、XLS、CSV";}</style>'
    ]


def test_new_wording_alone_is_saved(work_db: Path) -> None:
    original = target_editor.editor_frame(work_db, "lianggui")
    row = _edit_row(work_db, "C-EDU-02", 2030)
    edited = original.with_columns(
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit("学前教育毛入园率达到96%以上"))
        .otherwise(pl.col("目标原文"))
        .alias("目标原文")
    )
    outcome = target_editor.save_edits(work_db, "lianggui", original, edited, actor="office01", reason="删去示例字样")
    assert outcome.message == "已保存：新增或修改目标 1 条，未变 0 条"
    assert _texts(work_db) == [("C-EDU-02", 2030, "at_least", 96.0, "学前教育毛入园率达到96%以上")]


def test_findings_summary_counts_what_the_table_lists() -> None:
    from dashboard.views import targets as target_editor
    from etl.core.records import SEVERITY_ERROR, SEVERITY_WARNING, Finding

    found = [
        Finding("目标.xlsx", "Sheet1", 3, "E", "bad_target", SEVERITY_ERROR, "无法识别"),
        Finding("目标.xlsx", "Sheet1", 4, "E", "vague", SEVERITY_WARNING, "提醒"),
        Finding("目标.xlsx", "Sheet1", 5, "E", "vague", SEVERITY_WARNING, "提醒"),
    ]
    assert target_editor.findings_summary(found) == (
        "发现 3 个问题（错误 1 个、提醒 2 个）：有错误的格不导入，其余照常导入。"
    )
    assert target_editor.findings_summary(found[1:]) == "发现 2 个问题（错误 0 个、提醒 2 个）：提醒不影响导入。"
