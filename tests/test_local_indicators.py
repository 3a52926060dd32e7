"""Local indicators the office adds: a stable L-OFFICE code, history (never overwritten), the
national catalogue read-only, and the indicator flowing like a catalogue one through the
template, a return loaded by name and by code, the engine, the report and the progress CSV."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
from conftest import both_stores

from dashboard import engine
from dashboard.__main__ import main as dashboard_main
from dashboard.queries import db
from dashboard.report import bundle
from etl.__main__ import main as etl_main
from etl.catalogue import local
from etl.returns.load import submit_file
from etl.returns.template import write_template
from etl.targets.revisions import TargetChange

WHEN = datetime(2026, 5, 1, 9, 30)
NAME = "婚姻家庭纠纷调解成功率"


def _q(path: Path, sql: str) -> list[tuple]:
    db.close_all()
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def _mediation(**changes: object) -> local.LocalIndicator:
    base = local.LocalIndicator(
        name=NAME,
        unit="%",
        decimals=1,
        domain="妇女与家庭建设",
        direction="up",
        definition="调解成功件数 ÷ 受理件数 × 100",
        data_source="司法局人民调解统计",
        lead_unit="justice",
        shared_units=("women_federation",),
    )
    return local.LocalIndicator(**{**base.__dict__, **changes})


TARGET = TargetChange(
    "lianggui", "", None, 2030, kind="at_least", value=95.0, target_text="95%以上", source="淄妇儿工委〔2022〕1号"
)


@both_stores
def test_add_gives_a_stable_code_and_every_change_is_kept(work_db: Path) -> None:
    first = local.save(work_db, _mediation(), actor="office01", reason="本市规划新增", targets=[TARGET], when=WHEN)
    second = local.save(
        work_db,
        local.LocalIndicator("家庭教育指导服务站覆盖率", "%", 1, "儿童与家庭", "up"),
        actor="office01",
        reason="本市规划新增",
        when=WHEN,
    )
    assert (first.code, second.code) == ("L-OFFICE-001", "L-OFFICE-002")
    later = datetime(2027, 1, 2, 8, 0)
    edited = local.save(
        work_db,
        _mediation(code="L-OFFICE-001", definition="调解成功件数 ÷ 调解件数 × 100", lead_unit="civil_affairs"),
        actor="office02",
        reason="口径调整",
        when=later,
    )
    assert (edited.code, edited.added, edited.changed) == ("L-OFFICE-001", False, True)
    assert _q(
        work_db,
        "SELECT indicator_code, action, definition, actor, changed_at, reason"
        " FROM local_indicator_revision ORDER BY id",
    ) == [
        ("L-OFFICE-001", "add", "调解成功件数 ÷ 受理件数 × 100", "office01", WHEN, "本市规划新增"),
        ("L-OFFICE-002", "add", None, "office01", WHEN, "本市规划新增"),
        ("L-OFFICE-001", "edit", "调解成功件数 ÷ 调解件数 × 100", "office02", later, "口径调整"),
    ]
    # the indicator is one more catalogue row, with its units; its place in 两规 is set
    assert _q(
        work_db,
        "SELECT indicator_code, outline, domain, indicator_name, unit, decimals, direction, lead_unit, other_units"
        " FROM indicator_catalogue WHERE indicator_code LIKE 'L-OFFICE-%' ORDER BY 1",
    ) == [
        ("L-OFFICE-001", "local", "妇女与家庭建设", NAME, "%", 1, "up", "民政局", "妇联"),
        ("L-OFFICE-002", "local", "儿童与家庭", "家庭教育指导服务站覆盖率", "%", 1, "up", None, None),
    ]
    assert _q(
        work_db,
        "SELECT indicator_code, kind, value, source, target_label FROM target_current"
        " WHERE indicator_code LIKE 'L-OFFICE-%' ORDER BY 1",
    ) == [
        ("L-OFFICE-001", "at_least", 95.0, "淄妇儿工委〔2022〕1号", None),
        ("L-OFFICE-002", "at_least", None, None, "目标待设定"),
    ]
    # the duty change is kept too: no 'shipped' version for an indicator the office added
    assert _q(work_db, "SELECT indicator_code, action, lead_unit, actor FROM duty_revision ORDER BY id") == [
        ("L-OFFICE-001", "set", "justice", "office01"),
        ("L-OFFICE-001", "set", "civil_affairs", "office02"),
    ]


def test_catalogue_rows_are_read_only_and_bad_input_changes_nothing(work_db: Path) -> None:
    mtime = work_db.stat().st_mtime_ns
    cases = [
        (_mediation(code="W-HEALTH-01"), "指标目录中的指标只读"),
        (_mediation(name="孕产妇死亡率"), "已被指标 W-HEALTH-02 使用"),
        (_mediation(domain="不存在的领域"), "领域“不存在的领域”不在指标目录的领域中"),
        (_mediation(lead_unit="nobody"), "牵头单位“nobody”不在成员单位名录中"),
        (_mediation(decimals=9), "小数位数应为 0—4 的整数"),
        (_mediation(name="[点此查看](https://evil.example)"), "指标名称不能含有"),
        (_mediation(unit="**%**"), "计量单位不能含有"),
    ]
    for ind, why in cases:
        with pytest.raises(local.LocalIndicatorError, match=why):
            local.save(work_db, ind, actor="office01", reason="试试")
    with pytest.raises(local.LocalIndicatorError, match="数值目标必须注明来源/文号"):
        local.save(
            work_db,
            _mediation(),
            actor="office01",
            reason="试试",
            targets=[TargetChange("lianggui", "", None, 2030, kind="at_least", value=95.0)],
        )
    assert work_db.stat().st_mtime_ns == mtime


RETURN = "{key},地区代码,年份,数值\n{v},370302,{y},{a}\n{v},370303,{y},{b}\n{v},370304,{y},{c}\n{v},370305,{y},{d}\n"


def test_a_local_indicator_flows_like_a_catalogue_one(work_db: Path, tmp_path: Path) -> None:
    code = local.save(work_db, _mediation(), actor="office01", reason="本市规划新增", targets=[TARGET]).code

    # the lead unit's template asks for it: the city's own figure, then every district
    out = tmp_path / "司法局.xlsx"
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        write_template(con, "justice", 2024, "370300", out)
    finally:
        con.close()
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(out)["填报表"].iter_rows(min_row=4)]
    mine = [r for r in rows if r[0] == code]
    assert [(r[1], r[2], r[5]) for r in mine][:2] == [(NAME, "%", "370300"), (NAME, "%", "370302")]
    assert len(mine) == 9

    # a return names it by name (2020) and by code (2024); the unit may send it
    by_name = tmp_path / "2020.csv"
    by_name.write_text(RETURN.format(key="指标名称", v=NAME, y=2020, a=80, b=85, c=90, d=90), encoding="utf-8")
    by_code = tmp_path / "2024.csv"
    by_code.write_text(RETURN.format(key="指标代码", v=code, y=2024, a=92, b=86, c=96, d=88), encoding="utf-8")
    for path in (by_name, by_code):
        report = submit_file(work_db, path, unit="justice", actor="justice01", enforce_unit=True)
        assert (report.status, report.accepted, [f.rule for f in report.findings if f.severity == "error"]) == (
            "loaded",
            4,
            [],
        )

    # the engine: target ≥95, B = 2020, τ = 0.4 in 2024
    #   370302 80 → 92: ρ = 12 / 15 = 0.8       → on_track
    #   370303 85 → 86: ρ = 1 / 10 = 0.1        → lagging
    #   370304 90 → 96                           → achieved
    #   370305 90 → 88: ρ = −2 / 5 = −0.4       → regressing
    #   370300 (the city's own figure) none      → no_data
    result = engine.run(work_db, "两规", 2024)
    items = (
        result.items.filter(pl.col("indicator_code") == code, pl.col("breakdown") == "合计")
        .filter(pl.col("region_code").is_in(["370300", "370302", "370303", "370304", "370305"]))
        .sort("region_code")
    )
    assert items.select("region_code", pl.col("status").cast(pl.String), "lead_unit", "domain").rows() == [
        ("370300", "no_data", "司法局", "妇女与家庭建设"),
        ("370302", "on_track", "司法局", "妇女与家庭建设"),
        ("370303", "lagging", "司法局", "妇女与家庭建设"),
        ("370304", "achieved", "司法局", "妇女与家庭建设"),
        ("370305", "regressing", "司法局", "妇女与家庭建设"),
    ]
    # completeness: the lead unit owes it for every district, four of eight in for 2024
    owed = result.completeness_cells.filter(pl.col("indicator_code") == code, pl.col("year") == 2024)
    assert (owed.height, int(owed.get_column("received").sum()), set(owed.get_column("unit_code"))) == (
        8,
        4,
        {"justice"},
    )

    # the report's annex lists it in its domain, with its lead unit and target source
    inputs = bundle.load_inputs(work_db, "两规", 2024)
    report = bundle.build(inputs, "370302", charts=False)
    annex = next(b for b in report.annex if getattr(b, "columns", None))
    row = next(r for r in annex.rows if r[2] == NAME)
    assert (row[1], row[-2], row[-1]) == ("妇女与家庭建设", "司法局", "2030年：淄妇儿工委〔2022〕1号")

    # the progress download carries it like any other indicator
    csv = tmp_path / "progress.csv"
    assert dashboard_main(["progress", "--plan", "两规", "--year", "2024", "-o", str(csv)]) == 0
    frame = pl.read_csv(csv, infer_schema=False).filter(pl.col("indicator_code") == code)
    assert frame.filter(pl.col("region_code") == "370304").get_column("status").to_list() == ["achieved"]


def test_cli_adds_edits_and_lists(work_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["indicator", "add", "--name", NAME, "--unit", "%", "--domain", "妇女与家庭建设", "--direction", "正向"]
    args += ["--lead", "司法局", "--target-2030", "保持在90%至95%", "--target-source", "淄妇儿工委〔2022〕1号"]
    assert etl_main([*args, "--reason", "本市规划新增", "--by", "office01"]) == 0
    assert etl_main(["indicator", "edit", "L-OFFICE-001", "--decimals", "2", "--reason", "精度", "--by", "o2"]) == 0
    assert etl_main(["indicator", "edit", "W-HEALTH-01", "--decimals", "2", "--reason", "x"]) == 1
    capsys.readouterr()
    assert etl_main(["indicator", "list"]) == 0
    assert capsys.readouterr().out == f"L-OFFICE-001\t{NAME}\t%\t妇女与家庭建设\t牵头：司法局\t责任：—\n"
    assert _q(
        work_db,
        "SELECT kind, band_low, band_high, target_text FROM target_current WHERE indicator_code = 'L-OFFICE-001'",
    ) == [("band", 90.0, 95.0, "保持在90%至95%")]
    assert _q(work_db, "SELECT decimals FROM indicator WHERE code = 'L-OFFICE-001'") == [(2,)]


def test_office_adds_and_edits_a_local_indicator_in_the_app(work_db: Path, accounts) -> None:
    from streamlit.testing.v1 import AppTest

    app = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
    at = AppTest.from_file(str(app), default_timeout=120).run()
    at.text_input(key="signin_username").input("office01")
    at.text_input(key="signin_password").input(accounts["office01"])
    at.button(key="signin_submit").click().run()
    at.switch_page("../pages/targets.py").run()
    assert not at.exception, [e.value for e in at.exception]
    at.text_input(key="local_name_new").input(NAME)
    at.selectbox(key="local_domain_new").select("妇女与家庭建设")
    at.selectbox(key="local_lead_new").select("司法局")
    at.multiselect(key="local_shared_new").select("妇联")
    at.text_input(key="local_target_2030").input("保持在90%至95%")
    at.text_input(key="local_target_source").input("淄妇儿工委〔2022〕1号")
    at.button(key="local_submit_new").click().run()
    assert [e.value for e in at.error] == ["请填写新增或修改的原因"]
    # form values count only on submit: fill the form again, with a reason this time
    at.text_input(key="local_name_new").input(NAME)
    at.selectbox(key="local_domain_new").select("妇女与家庭建设")
    at.selectbox(key="local_lead_new").select("司法局")
    at.multiselect(key="local_shared_new").select("妇联")
    at.text_input(key="local_target_2030").input("保持在90%至95%")
    at.text_input(key="local_target_source").input("淄妇儿工委〔2022〕1号")
    at.text_input(key="local_reason_new").input("本市规划新增")
    at.button(key="local_submit_new").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == []
    assert [e.value for e in at.success] == [f"已新增本地指标 L-OFFICE-001 {NAME}（两规）；已设定两规目标"]
    assert _q(
        work_db,
        "SELECT indicator_code, actor, reason, origin FROM local_indicator_revision",
    ) == [("L-OFFICE-001", "测试office01（office01）", "本市规划新增", "在线编辑")]
    assert _q(
        work_db, "SELECT lead_unit, other_units FROM indicator_catalogue WHERE indicator_code = 'L-OFFICE-001'"
    ) == [("司法局", "妇联")]
    # edit: pick it, change the 口径; the history shows both versions
    at.selectbox(key="local_pick").select("L-OFFICE-001").run()
    assert at.text_input(key="local_name_L-OFFICE-001").value == NAME
    at.text_area(key="local_definition_L-OFFICE-001").input("调解成功件数 ÷ 受理件数 × 100")
    at.text_input(key="local_reason_L-OFFICE-001").input("补充口径")
    at.button(key="local_submit_L-OFFICE-001").click().run()
    assert [e.value for e in at.success] == ["L-OFFICE-001：已保存修改"]
    assert _q(work_db, "SELECT action, definition FROM local_indicator_revision ORDER BY id") == [
        ("add", None),
        ("edit", "调解成功件数 ÷ 受理件数 × 100"),
    ]
    # its indicator page: the plan's target in its own wording, its units, its history
    at.query_params["plan"] = "两规"
    at.query_params["indicator"] = "L-OFFICE-001"
    at.switch_page("../pages/indicator.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == f"指标详情 · {NAME}"
    assert at.metric[2].value == "90.0–95.0"
    assert {"目标及修改记录", "成员单位分工及修改记录", "本地指标修改记录"} <= {s.value for s in at.subheader}
    assert any("**牵头单位**：司法局" in m.value for m in at.markdown)
