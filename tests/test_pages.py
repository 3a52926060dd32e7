"""The dashboard pages as Streamlit runs them (AppTest), on the embedded default database.

Every expected number is worked out here from engine.run (or from the by_region rows it
returns), not read back from the page's own helpers, so a page that shows a different number
than the engine fails. Downloads are read back as the bytes the browser would receive.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import fastexcel
import polars as pl
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MediaFileStorageError
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from dashboard import engine
from dashboard.queries import db
from dashboard.report import pdf as report_pdf
from etl.__main__ import main as etl_main

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
CITY, BOSHAN = "370300", "370304"
BOM = b"\xef\xbb\xbf"
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    db.close_all()


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Callable[[AppTest, str], bytes]:
    """The bytes behind a download button, from the media files AppTest gives the run; a
    deferred download (made when clicked) is made here, as a click would."""
    managers: list[MediaFileManager] = []

    class Recording(MediaFileManager):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            managers.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", Recording)

    def get(at: AppTest, file_name: str) -> bytes:
        button = next(b for b in at.download_button if b.proto.label == f"下载 {file_name}")
        for manager in reversed(managers):
            try:
                url = button.proto.url or manager.execute_deferred(button.proto.deferred_file_id)
                return bytes(manager._storage.get_file(url.rsplit("/", 1)[1]).content)
            except MediaFileStorageError:
                continue
        raise AssertionError(f"no stored file for {file_name}")

    return get


def open_page(db_path: Path, monkeypatch: pytest.MonkeyPatch, page: str, **params: str) -> AppTest:
    monkeypatch.setenv("FUER_DB", str(db_path))
    at = AppTest.from_file(str(APP), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"../pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(BOM)
    return list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"))))


def assert_no_live_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert NUMBER.match(cell) or not cell.startswith(FORMULA_START), cell


def counts(achieved: int, missed: int, better: int, level: int, pending: int) -> dict[str, int]:
    """The headline's status cards in label order (the sample has no 未向好, 无法评估 or 无数据 here)."""
    return {
        "✔ 达标": achieved,
        "✖ 未达标": missed,
        "↗ 向好": better,
        "→ 持平": level,
        "↘ 未向好": 0,
        "— 无数据": 0,
        "？ 无法评估": 0,
        "… 目标待设定": pending,
    }


# The headline of the embedded sample, read off the engine once and checked by hand: 161 两纲
# items for the city in 2024 (118 + 8 + 13 + 4 + 18), 达标率 118 ÷ 126 = 93.7 %; 博山区 113 ÷ 126.
EXPECTED: dict[tuple[str, int, str], tuple[str, dict[str, int]]] = {
    ("liangang", 2024, CITY): ("93.7%", counts(118, 8, 13, 4, 18)),
    ("liangang", 2024, BOSHAN): ("89.7%", counts(113, 13, 13, 4, 18)),
    ("liangang", 2022, BOSHAN): ("87.3%", counts(110, 16, 12, 5, 18)),
    ("fyp14", 2022, BOSHAN): ("60.7%", counts(17, 11, 0, 1, 0)),
}


def expected_headline(_db_path: Path, plan: str, year: int, region: str) -> tuple[str, dict[str, int]]:
    return EXPECTED[(plan, year, region)]


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]


def shown_headline(at: AppTest) -> tuple[str, dict[str, int]]:
    shown = metrics(at)
    return shown["达标率"], {k: int(v) for k, v in shown.items() if k not in ("达标率", "监测指标", "有数据")}


# --- 领导驾驶舱 ---------------------------------------------------------------------------------


def test_briefing_default_view_matches_the_engine(built_db: Path, monkeypatch, downloads) -> None:
    at = open_page(built_db, monkeypatch, "briefing")
    assert [t.value for t in at.title] == ["领导驾驶舱 · 淄博市"]
    assert shown_headline(at) == expected_headline(built_db, "liangang", 2024, CITY)
    assert metrics(at)["监测指标"] == str(
        engine.run(built_db, "liangang", 2024, CITY)
        .items.filter(pl.col("region_code") == CITY)["indicator_code"]
        .n_unique()
    )
    assert any(i.value.startswith("示例数据") for i in at.info)
    assert not at.warning
    assert dict(at.query_params) == {"plan": "liangang", "year": "2024", "region": CITY, "labels": "default"}

    ranking = csv_rows(downloads(at, "区县达标率排名_淄博市_2024.csv"))
    assert ranking[0][:3] == ["排名", "区县", "达标率"]
    expected = engine.run(built_db, "liangang", 2024, CITY).ranking
    assert [r[1] for r in ranking[1:]] == expected["region_name"].to_list()
    assert ranking[1][2] == f"{expected.item(0, 'attainment_rate'):.1f}%"
    assert_no_live_formula(ranking)
    fell = csv_rows(downloads(at, "较上年变差的指标_淄博市_2024.csv"))
    assert fell[0][:5] == ["指标", "地区", "上年状态", "本年状态", "变化"] and len(fell) > 1
    assert_no_live_formula(fell)


def test_briefing_switching_plan_year_region_changes_the_numbers(built_db: Path, monkeypatch) -> None:
    at = open_page(built_db, monkeypatch, "briefing")
    seen = [shown_headline(at)]
    at.selectbox(key="view_region").select(BOSHAN).run()
    assert [t.value for t in at.title] == ["领导驾驶舱 · 博山区"]
    assert shown_headline(at) == expected_headline(built_db, "liangang", 2024, BOSHAN)
    seen.append(shown_headline(at))
    at.selectbox(key="view_year").select(2022).run()
    assert shown_headline(at) == expected_headline(built_db, "liangang", 2022, BOSHAN)
    seen.append(shown_headline(at))
    at.selectbox(key="view_plan").select("fyp14").run()
    assert shown_headline(at) == expected_headline(built_db, "fyp14", 2022, BOSHAN)
    seen.append(shown_headline(at))
    assert len(set(map(repr, seen))) == 4, seen  # every switch changed what is shown
    assert at.query_params["plan"] == "fyp14" and at.query_params["year"] == "2022"
    assert at.query_params["region"] == BOSHAN


def test_big_screen_mode(built_db: Path, monkeypatch) -> None:
    at = open_page(built_db, monkeypatch, "briefing", screen="big", rotate="0")
    rate, counts = expected_headline(built_db, "liangang", 2024, CITY)
    # the wall leaves out the statuses nobody has; the cards shown still add up to 161
    assert shown_headline(at) == (rate, {label: n for label, n in counts.items() if n})
    assert sum(shown_headline(at)[1].values()) == 161
    assert at.button(key="leave_big_screen") is not None and not at.download_button
    assert chart_titles(at) == ["各区县达标率排名", "妇女与健康（1/15）"]
    at.run()  # the panel moves on to the next domain (the timer does this on the wall)
    assert chart_titles(at) == ["各区县达标率排名", "妇女与教育（2/15）"]
    at.button(key="leave_big_screen").click().run()
    assert "screen" not in at.query_params and at.button(key="enter_big_screen") is not None


@pytest.mark.parametrize("page", ["briefing", "indicator", "districts", "units", "midterm"])
def test_bad_link_opens_the_default_view_with_a_notice(built_db: Path, monkeypatch, page: str) -> None:
    at = open_page(
        built_db,
        monkeypatch,
        page,
        plan="xyz",
        year="abc",
        region="999999",
        indicator="NOPE",
        unit="nobody",
        screen="huge",
    )
    notices = " ".join(w.value for w in at.warning)
    for text in (
        "规划“xyz”不存在",
        "年份“abc”无法识别",
        "地区“999999”不存在",
        "指标“NOPE”不存在",
        "成员单位“nobody”不存在",
    ):
        assert text in notices, (text, notices)
    assert at.query_params["plan"] == "liangang" and at.query_params["region"] == CITY
    assert at.query_params["year"] == "2024"
    if page == "briefing":
        assert "显示模式“huge”无法识别" in notices
        assert shown_headline(at) == expected_headline(built_db, "liangang", 2024, CITY)


# --- 指标详情 -------------------------------------------------------------------------------------


def test_indicator_page_shows_status_why_and_revisions(work_db: Path, tmp_path: Path, monkeypatch, downloads) -> None:
    at = open_page(work_db, monkeypatch, "indicator", indicator="C-HEALTH-13", region=BOSHAN)
    assert [t.value for t in at.title] == ["指标详情 · 小学生近视率"]
    item = engine.run(work_db, "liangang", 2024, CITY).item("C-HEALTH-13", BOSHAN)
    shown = metrics(at)
    assert shown["博山区 状态"] == f"{item['status_symbol']} {item['status_label']}"
    # without users every value counts; 教育局 2024 is not approved, so the value is marked
    assert item["review_state"] == "pending"
    assert shown[f"最新值（{item['latest_year']}年）"] == f"{item['latest_value']:.1f}"
    assert next(m for m in at.metric if m.label.startswith("最新值")).delta == "待审核"
    assert shown["2030年目标"] == f"≤{item['target_value']:.1f}"
    assert any("《中国儿童发展纲要" in c.value for c in at.caption)  # the target's source
    why = csv_rows(downloads(at, "C-HEALTH-13_评价依据_博山区_2024.csv"))
    why_values = {row[0]: row[1] for row in why[1:]}
    assert why_values["进度 ρ"] == f"{item['rho'] * 100:.1f}%".replace("-", "\u2212")
    assert_no_live_formula(why)
    assert at.get("plotly_chart"), "the trend chart is drawn"

    # a corrected return adds a revision: the history keeps both, the status uses the new one
    correction = tmp_path / "教育局_2024_更正.csv"
    correction.write_text("指标名称,地区名称,年份,数值\n小学生近视率,博山区,2024,37.5\n", encoding="utf-8")
    assert etl_main(["load", str(correction)]) == 0
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert metrics(at)["最新值（2024年）"] == "37.5" and metrics(at)["博山区 状态"] == "✔ 达标"
    history = csv_rows(downloads(at, "C-HEALTH-13_修订记录_博山区_2024.csv"))
    rows_2024 = [r for r in history[1:] if r[0] == "2024"]
    assert [(r[2], r[4]) for r in rows_2024] == [("37.5", "现行"), (f"{item['latest_value']}", "已被替代")]


def test_indicator_not_in_plan_falls_back(built_db: Path, monkeypatch) -> None:
    # a 定性 goal: the sample 两规 targets cover the numeric indicators only
    at = open_page(built_db, monkeypatch, "indicator", plan="lianggui", indicator="C-HEALTH-01")
    assert any("不在当前规划中" in i.value for i in at.info)
    assert at.query_params["indicator"] != "C-HEALTH-01"
    at.selectbox(key="indicator_pick").select_index(1).run()
    assert at.query_params["indicator"] == at.selectbox(key="indicator_pick").value


# --- 区县对比 -------------------------------------------------------------------------------------


def test_districts_page_scorecard_and_heatmap(built_db: Path, monkeypatch, downloads) -> None:
    at = open_page(built_db, monkeypatch, "districts", region=BOSHAN)
    result = engine.run(built_db, "liangang", 2024, CITY)
    row = result.ranking.filter(pl.col("region_code") == BOSHAN).row(0, named=True)
    shown = metrics(at)
    assert shown["达标率"] == f"{row['attainment_rate']:.1f}%"
    assert shown["排名"] == f"{row['rank']}/{result.ranking.height}"
    assert at.get("plotly_chart"), "the heatmap is drawn"
    matrix = csv_rows(downloads(at, "区县指标状态_全部领域_两纲_2024.csv"))
    assert matrix[0][:5] == ["指标代码", "指标", "单位", "目标", "目标来源"]
    assert matrix[0][5:] == result.ranking.sort("region_code")["region_name"].to_list()
    assert_no_live_formula(matrix)

    at.selectbox(key="view_region").select("370303").run()
    other = result.ranking.filter(pl.col("region_code") == "370303").row(0, named=True)
    assert metrics(at)["排名"] == f"{other['rank']}/{result.ranking.height}"
    at.selectbox(key="view_year").select(2021).run()
    earlier = engine.run(built_db, "liangang", 2021, CITY).by_region.filter(pl.col("region_code") == "370303")
    assert metrics(at)["达标率"] == f"{earlier.item(0, 'attainment_rate'):.1f}%"


# --- 成员单位 -------------------------------------------------------------------------------------


def test_units_page_completeness_and_template(built_db: Path, monkeypatch, downloads) -> None:
    at = open_page(built_db, monkeypatch, "units", unit="health")
    assert [t.value for t in at.title] == ["成员单位 · 卫生健康委"]
    cells = engine.run(built_db, "liangang", 2024, CITY).completeness_cells.filter(pl.col("unit_code") == "health")
    shown = metrics(at)
    assert shown["应报数值"] == str(cells.height) and shown["已报"] == str(int(cells["received"].sum()))
    assert shown["缺报"] == str(cells.height - int(cells["received"].sum()))
    missing = csv_rows(downloads(at, "卫生健康委_缺报清单_淄博市_2024.csv"))
    assert len(missing) - 1 == cells.height - int(cells["received"].sum())

    template = downloads(at, "卫生健康委_2025年度指标数据填报表.xlsx")
    assert template[:2] == b"PK"
    sheet = (
        fastexcel.read_excel(template).load_sheet(0, header_row=2).to_polars().filter(pl.col("地区代码").is_not_null())
    )  # the two footer lines (note, signatures) have no region
    assert set(sheet["地区名称"]) == {
        "淄博市",
        "淄川区",
        "张店区",
        "博山区",
        "临淄区",
        "周村区",
        "桓台县",
        "高青县",
        "沂源县",
    }  # the city's own 全市 figure, then the districts
    assert set(sheet["年份"].cast(pl.String)) == {"2025"}

    at.selectbox(key="view_region").select(BOSHAN).run()
    boshan = cells.filter(pl.col("region_code") == BOSHAN)
    assert metrics(at)["应报数值"] == str(boshan.height)
    at.selectbox(key="view_unit").select("education").run()
    assert [t.value for t in at.title] == ["成员单位 · 教育局"] and at.query_params["unit"] == "education"


# --- 中期评估 -------------------------------------------------------------------------------------


def test_midterm_page_narrative_and_downloads(work_db: Path, monkeypatch, downloads) -> None:
    # a target source that starts like a formula must reach the spreadsheet as text
    con = duckdb.connect(str(work_db))
    con.execute(
        'UPDATE target SET source = \'=HYPERLINK("http://example.invalid","x")\' '
        "WHERE plan_code = 'liangang' AND indicator_code = 'C-HEALTH-13'"
    )
    con.execute("CHECKPOINT")
    con.close()

    at = open_page(work_db, monkeypatch, "midterm", region=BOSHAN)
    assert [t.value for t in at.title] == ["中期评估 · 博山区"]
    row = engine.run(work_db, "liangang", 2024, CITY).by_region.filter(pl.col("region_code") == BOSHAN)
    narrative = next(m.value for m in at.markdown if m.value.startswith("全区"))
    assert narrative.startswith(f"全区{row.item(0, 'n_items')}项指标中")
    assert (
        f"达标率{row.item(0, 'attainment_rate'):.1f}%（达到数值或定性目标的{row.item(0, 'rate_numerator')}项"
        f" ÷ 有数据且有数值或定性目标的{row.item(0, 'rate_denominator')}项）"
    ) in narrative

    table = csv_rows(downloads(at, "中期评估_博山区_2024.csv"))
    assert table[0][:9] == [
        "领域",
        "序号",
        "指标",
        "单位",
        "基期值（2020年）",
        "最新值",
        "最新值年份",
        "定性评定",
        "2025年目标",
    ]
    assert_no_live_formula(table)
    sources = [r[table[0].index("目标来源")] for r in table[1:] if r[2] == "小学生近视率"]
    assert sources == ['2030年：=HYPERLINK("http://example.invalid","x")']  # not at a cell's start
    # a 定性 goal's verdict is not a number: the value cells stay empty and 定性评定 says it
    head = table[0]
    judged = next(r for r in table[1:] if r[2] == "保障儿童权利的法律法规体系")
    shown = [judged[head.index(c)] for c in ("基期值（2020年）", "最新值", "最新值年份", "定性评定", "评估结论")]
    assert shown == ["", "", "2024", "已实现", "达标；2024年评定为已实现"]
    summary = csv_rows(downloads(at, "中期评估汇总_博山区_2024.csv"))
    assert summary[-1][:2] == ["合计", str(row.item(0, "n_items"))]

    workbook = downloads(at, "中期评估_博山区_2024.xlsx")
    names = fastexcel.read_excel(workbook).sheet_names
    assert names[0] == "汇总" and "儿童与健康" in names and len(names) == 16  # 汇总 and all 15 domains
    law = fastexcel.read_excel(workbook).load_sheet("儿童与法律保护", header_row=3).to_polars()
    judged_row = law.filter(pl.col("指标") == "保障儿童权利的法律法规体系")
    assert judged_row.select("基期值（2020年）", "最新值", "定性评定").row(0) == (None, None, "已实现")

    # the source shows at a cell's start in the per-domain districts table: neutralised there
    at.switch_page("../pages/districts.py").run()
    matrix = downloads(at, "区县指标状态_全部领域_两纲_2024.csv")
    assert "'=HYPERLINK" in matrix.decode("utf-8-sig")
    assert_no_live_formula(csv_rows(matrix))

    at.switch_page("../pages/midterm.py").run()
    at.selectbox(key="view_region").select(CITY).run()
    assert [t.value for t in at.title] == ["中期评估 · 淄博市"]
    city = engine.run(work_db, "liangang", 2024, CITY).by_region.filter(pl.col("region_code") == CITY)
    narrative = next(m.value for m in at.markdown if m.value.startswith("全市"))
    assert f"有数据且有数值或定性目标的{city.item(0, 'rate_denominator')}项" in narrative
    assert downloads(at, "中期评估_淄博市_2024.csv").startswith(BOM)


def test_midterm_page_offers_the_report(built_db: Path, monkeypatch) -> None:
    at = open_page(built_db, monkeypatch, "midterm", region=BOSHAN)
    labels = [b.proto.label for b in at.download_button]
    for name in (
        "中期评估报告_两纲_博山区_2024.docx",
        "中期评估报告_两纲_博山区_2024.pdf",
        "中期评估报告_两纲_各区县_淄博市_2024.zip",
    ):
        assert f"下载 {name}" in labels
    # without LibreOffice the page says how to get it, and the Word report stays
    monkeypatch.setattr(report_pdf, "renderer", lambda: None)
    at.run()
    labels = [b.proto.label for b in at.download_button]
    assert "下载 中期评估报告_两纲_博山区_2024.docx" in labels and not any(x.endswith(".pdf") for x in labels)
    assert any("apt-get install -y libreoffice-writer-nogui" in i.value for i in at.info)


def test_moving_to_another_page_keeps_the_chosen_view(built_db: Path, monkeypatch) -> None:
    # A browser's page links drop the query string and Streamlit drops the widgets' state:
    # the plan and year chosen on one page must still be the view on the next.
    at = open_page(built_db, monkeypatch, "briefing")
    at.selectbox(key="view_plan").select("fyp14").run()
    at.selectbox(key="view_year").select(2023).run()
    at.query_params.clear()  # what the page link does
    at.switch_page("../pages/districts.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert (at.selectbox(key="view_plan").value, at.selectbox(key="view_year").value) == ("fyp14", 2023)
    assert dict(at.query_params)["plan"] == "fyp14"
    # a link still wins over what the session chose before
    at.query_params["plan"] = "liangang"
    at.switch_page("../pages/briefing.py").run()
    assert at.selectbox(key="view_plan").value == "liangang"


def test_briefing_counts_add_up_to_the_totals_it_states(built_db: Path, monkeypatch, downloads) -> None:
    at = open_page(built_db, monkeypatch, "briefing")
    shown = metrics(at)
    # 116 outline indicators with a target row plus the 45 women's main goals the outline states
    # without a number (定性 or 目标待设定): every main goal is part of the 两纲 plan
    assert shown["监测指标"] == "161"
    statuses = {k: int(v) for k, v in shown.items() if k not in ("监测指标", "有数据", "达标率")}
    total_line = next(c.value for c in at.caption if c.value.startswith("以上各状态合计"))
    assert total_line.startswith(f"以上各状态合计 {sum(statuses.values())} 项")
    with_data, of_all = shown["有数据"].split("/")
    assert int(of_all) == sum(statuses.values()) == 161
    assert 0 < int(with_data) <= 161
    assert "✖ 未达标" in statuses and "？ 无法评估" in statuses and "→ 持平" in statuses
    # every domain of the two outlines is a row, and each row's label counts add up to its total
    table = csv_rows(downloads(at, "各领域状态_淄博市_2024.csv"))
    header, rows = table[0], table[1:]
    assert len(rows) == 15
    labels = [i for i, name in enumerate(header) if name[:1] in "✔✖↗→↘？—…"]
    total = header.index("合计")
    for row in rows:
        assert sum(int(row[i]) for i in labels) == int(row[total]), row
    assert sum(int(row[total]) for row in rows) == 161
