"""Member-unit duties edited by the office: after an indicator moves from one unit to another
the templates, completeness and timeliness follow; districts and a deadline narrow what is owed;
every change is kept; only the office may edit (AppTest with role checks)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
from conftest import both_stores
from streamlit.testing.v1 import AppTest

from dashboard import engine
from dashboard.queries import db
from dashboard.views import duties as duty_editor
from dashboard.views import returns as returns_view
from etl.__main__ import main as etl_main
from etl.core.migrations import SchemaOutdated
from etl.returns.template import write_template
from etl.workflow import duties

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
PAGE = "../pages/targets.py"
CODE = "W-HEALTH-03"  # 适龄妇女宫颈癌人群筛查率, led by 卫生健康委 in the catalogue


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


def template_rows(path: Path, unit: str, tmp: Path) -> list[tuple[str, str]]:
    """(indicator code, region code) of every row of the unit's 2024 template."""
    db.close_all()
    out = tmp / f"{unit}.xlsx"
    con = duckdb.connect(str(path), read_only=True)
    try:
        write_template(con, unit, 2024, "370300", out)
    finally:
        con.close()
    ws = openpyxl.load_workbook(out)["填报表"]
    return [(r[0].value, r[5].value) for r in ws.iter_rows(min_row=4) if r[5].value]


def owed(path: Path) -> list[tuple]:
    """unit, expected, received, deadline for 2024 under the engine's completeness rule."""
    db.close_all()
    result = engine.run(path, "两规", 2024)
    return (
        result.completeness_by_unit.filter(pl.col("year") == 2024, pl.col("unit_code").is_in(["health", "education"]))
        .select("unit_code", "expected", "received", "deadline")
        .rows()
    )


def test_reassigning_an_indicator_moves_template_and_completeness(work_db: Path, accounts, tmp_path: Path) -> None:
    # before: 卫生健康委 owes it (the city's own figure and 8 districts), 教育局 does not
    assert sum(1 for c, _ in template_rows(work_db, "health", tmp_path) if c == CODE) == 9
    assert sum(1 for c, _ in template_rows(work_db, "education", tmp_path) if c == CODE) == 0
    assert owed(work_db) == [
        ("education", 136, 136, date(2025, 3, 31)),
        ("health", 304, 304, date(2025, 3, 31)),
    ]

    # leaders and member units cannot open the editor at all
    for name in ("lead01", "edu01"):
        at = signed_in(name, accounts[name])
        with pytest.raises(ValueError):  # the page is not registered for their roles
            at.switch_page(PAGE)

    # the office moves it to 教育局 in the 成员单位分工 table, with a reason
    row = duty_editor.duty_frame(work_db).get_column("指标代码").to_list().index(CODE)
    at = signed_in("office01", accounts["office01"])
    at.switch_page(PAGE).run()
    edit = {"edited_rows": {row: {"牵头单位": "教育局"}}, "added_rows": [], "deleted_rows": []}
    at.session_state["duties_editor"] = edit
    at.button(key="duties_save").click().run()
    assert [e.value for e in at.error] == ["请填写修改原因"]
    at.session_state["duties_editor"] = edit
    at.text_input(key="duties_reason").input("市政府分工调整").run()
    at.button(key="duties_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.success] == ["已保存：修改分工 1 项"]

    # after: 教育局's template has it, 卫生健康委's does not; 8 expected values moved with it
    assert sum(1 for c, _ in template_rows(work_db, "education", tmp_path) if c == CODE) == 9
    assert sum(1 for c, _ in template_rows(work_db, "health", tmp_path) if c == CODE) == 0
    assert owed(work_db) == [
        ("education", 144, 144, date(2025, 3, 31)),
        ("health", 296, 296, date(2025, 3, 31)),
    ]
    # the indicator page shows the new units and the change
    page = signed_in("office01", accounts["office01"])
    page.query_params["plan"] = "两规"
    page.query_params["indicator"] = CODE
    page.switch_page("../pages/indicator.py").run()
    assert not page.exception, [e.value for e in page.exception]
    assert page.title[0].value == "指标详情 · 适龄妇女宫颈癌人群筛查率"
    assert "成员单位分工及修改记录" in [s.value for s in page.subheader]
    assert any("**牵头单位**：教育局" in m.value for m in page.markdown)
    history = duty_editor.history_table(work_db, CODE)
    assert history.select("版本", "牵头单位", "修改人", "原因", "出处").rows() == [
        (0, "卫生健康委", "随系统提供", "指标目录随系统提供的分工", "指标目录"),
        (1, "教育局", "测试office01（office01）", "市政府分工调整", "在线编辑"),
    ]


@both_stores
def test_districts_and_deadline_narrow_what_is_owed_and_when(work_db: Path, tmp_path: Path) -> None:
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        duty = duties.from_texts(
            con, duties.current(con)[CODE], districts="张店区、淄川区", deadline="2月28日", origin="测试"
        )
    finally:
        con.close()
    assert (duty.lead_unit, duty.districts, duty.deadline) == ("health", ("370303", "370302"), "02-28")
    result = duties.save(work_db, [duty], actor="office01", reason="只在两个区开展", when=datetime(2026, 5, 1, 9, 0))
    assert len(result.added) == 1
    # the template asks for the city's own figure and the two districts only
    assert [r for c, r in template_rows(work_db, "health", tmp_path) if c == CODE] == ["370300", "370302", "370303"]
    # completeness: 304 − 6 = 298 values owed by 卫生健康委 in 2024, 2 of them due on 2025-02-28
    assert owed(work_db) == [
        ("education", 136, 136, date(2025, 3, 31)),
        ("health", 2, 2, date(2025, 2, 28)),
        ("health", 296, 296, date(2025, 3, 31)),
    ]
    # the unit's return is due on its earliest deadline; the reminder says so
    db.close_all()
    assert returns_view.unit_deadlines(work_db, 2024)["health"] == date(2025, 2, 28)
    assert returns_view.unit_deadlines(work_db, 2024)["education"] == date(2025, 3, 31)
    status = returns_view.return_status(work_db, 2024, today=date(2026, 1, 1))
    health = status.filter(pl.col("unit_code") == "health").row(0, named=True)
    assert (health["deadline"], health["expected"]) == (date(2025, 2, 28), 298)


def test_bad_duties_are_refused_and_change_nothing(work_db: Path) -> None:
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        base = duties.current(con)[CODE]
        for kwargs, why in (
            ({"lead": "不存在的局"}, "牵头单位“不存在的局”不在成员单位名录中"),
            ({"shared": "妇联、火星局"}, "责任单位“火星局”不在成员单位名录中"),
            ({"districts": "火星区"}, "区县“火星区”不是本地区的区县"),
            ({"deadline": "13-45"}, "截止日“13-45”无法识别"),
        ):
            with pytest.raises(ValueError, match=why):
                duties.from_texts(con, base, **kwargs)
    finally:
        con.close()
    mtime = work_db.stat().st_mtime_ns
    result = duties.save(work_db, [duties.Duty("NO-SUCH", "health")], actor="office01", reason="试试")
    assert [why for _, why in result.refused] == ["指标“NO-SUCH”不在指标目录中"]
    with pytest.raises(duties.DutyError, match="修改原因"):
        duties.save(work_db, [duties.Duty(CODE, "education")], actor="office01", reason=" ")
    assert work_db.stat().st_mtime_ns == mtime


def test_cli_sets_lists_and_shows_history(work_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        etl_main(["duty", "set", CODE, "--lead", "教育局", "--shared", "卫健委", "--reason", "调整", "--by", "o1"]) == 0
    )
    assert etl_main(["duty", "set", CODE, "--lead", "教育局", "--shared", "卫健委", "--reason", "再来"]) == 0
    assert etl_main(["duty", "set", CODE, "--deadline", "13-45", "--reason", "x"]) == 1
    capsys.readouterr()
    assert etl_main(["duty", "list", "--unit", "教育局"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"{CODE}\t适龄妇女宫颈癌人群筛查率\t教育局\t卫生健康委\t全部\t默认" in lines
    assert etl_main(["duty", "history", CODE]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:3] for line in out] == [
        ["版本0", "牵头：卫生健康委", "责任：—"],
        ["版本1", "牵头：教育局", "责任：卫生健康委"],
    ]


def test_a_version_4_database_gains_the_duty_tables_on_its_next_write(work_db: Path) -> None:
    con = duckdb.connect(str(work_db))
    con.execute(
        "DROP VIEW duty_current; DROP TABLE duty_revision; DROP SEQUENCE duty_revision_id_seq;"
        " DROP TABLE local_indicator_revision; DROP SEQUENCE local_indicator_revision_id_seq;"
        " DELETE FROM schema_version WHERE version >= 5"
    )
    con.close()
    with pytest.raises(SchemaOutdated, match="python -m etl migrate"):
        owed(work_db)
    db.close_all()
    duties.save(work_db, [duties.Duty(CODE, "education")], actor="office01", reason="调整")
    assert db.scalar(work_db, "SELECT max(version) FROM schema_version") == 7
    assert owed(work_db)[0] == ("education", 144, 144, date(2025, 3, 31))
