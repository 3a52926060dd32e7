"""Every page on the 山东 province build (16 cities, 136 counties) at province, city and county
level, as Streamlit runs it (AppTest). The province is built once per session
(conftest.province_db); the numbers are the province sample's, read off by hand once.

Each view compares the level below the sidebar's region — the province its 16 cities, 淄博市
its 8 counties, 张店区 its neighbours in 淄博市 — and a city shown in the province view links
down to the view of its own counties.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.queries import db

pytestmark = pytest.mark.province
APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"
PROVINCE, ZIBO, ZHANGDIAN = "370000", "370300", "370303"
LEVELS = {"province": PROVINCE, "city": ZIBO, "county": ZHANGDIAN}
PAGES = ["briefing", "overview", "indicator", "districts", "units", "midterm", "maps"]
TOP_CITIES = [
    (1, "青岛市", "95.2%"),
    (2, "东营市", "95.2%"),
    (3, "德州市", "95.2%"),
    (4, "滨州市", "95.2%"),
    (5, "菏泽市", "95.2%"),
    (6, "济宁市", "94.4%"),
]
ZIBO_COUNTIES = [
    (1, "临淄区", "95.2%"),
    (2, "桓台县", "95.2%"),
    (3, "张店区", "92.9%"),
    (4, "淄川区", "91.3%"),
    (5, "博山区", "90.5%"),
    (6, "周村区", "89.7%"),
    (7, "沂源县", "89.7%"),
    (8, "高青县", "88.9%"),
]


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    db.close_all()


def open_page(db_path: Path, monkeypatch: pytest.MonkeyPatch, page: str, **params: str) -> AppTest:
    monkeypatch.setenv("FUER_DB", str(db_path))
    at = AppTest.from_file(str(APP), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(f"../pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table(at: AppTest, first_column: str) -> pd.DataFrame:
    """The first table whose first column is `first_column` (or, failing that, has it second)."""
    frames = [d.value for d in at.dataframe]
    for frame in frames:
        if list(frame.columns)[:1] == [first_column]:
            return frame
    return next(f for f in frames if list(f.columns)[1:2] == [first_column])


def rows(frame: pd.DataFrame, *columns: str) -> list[tuple]:
    out = []
    for values in frame[list(columns)].itertuples(index=False):
        out.append(
            tuple(None if pd.isna(v) else (int(v) if isinstance(v, float) and v.is_integer() else v) for v in values)
        )
    return out


@pytest.mark.parametrize("level", list(LEVELS))
@pytest.mark.parametrize("page", PAGES)
def test_every_page_opens_at_every_level(province_db: Path, monkeypatch, page: str, level: str) -> None:
    at = open_page(province_db, monkeypatch, page, region=LEVELS[level])
    assert at.title, "the page drew its title"
    if page != "overview" and page != "maps":
        assert at.selectbox(key="view_region").value == LEVELS[level]


def test_briefing_ranks_cities_then_a_citys_counties(province_db: Path, monkeypatch) -> None:
    at = open_page(province_db, monkeypatch, "briefing")
    assert at.title[0].value == "领导驾驶舱 · 山东省"
    ranking = table(at, "排名")
    assert len(ranking) == 16 and rows(ranking, "排名", "市", "达标率")[:6] == TOP_CITIES
    assert rows(ranking, "排名", "市", "达标率")[-1] == (16, "泰安市", "88.9%")
    at = open_page(province_db, monkeypatch, "briefing", region=ZIBO)
    assert rows(table(at, "排名"), "排名", "区县", "达标率") == ZIBO_COUNTIES


def test_districts_page_at_each_level_and_down_from_the_province(province_db: Path, monkeypatch) -> None:
    at = open_page(province_db, monkeypatch, "districts")
    assert at.title[0].value == "区县对比 · 山东省"
    assert [s.value for s in at.subheader] == ["各市 × 指标状态", "市成绩单", "市、全省与全国对比"]
    assert rows(table(at, "排名"), "排名", "市", "达标率")[:6] == TOP_CITIES
    heat = table(at, "指标代码")
    assert list(heat.columns)[5:8] == ["济南市", "青岛市", "淄博市"] and len(heat.columns) == 5 + 16
    at.selectbox(key="districts_pick").select(ZIBO).run()
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["达标率"], metrics["排名"]) == ("91.3%", "14/16")
    assert rows(table(at, "地区"), "地区", "达标率", "达标", "达标率分母") == [
        ("淄博市", "77.8%", 7, 9),  # 妇女与健康, the city's own items
        ("山东省", "88.9%", 8, 9),  # the province's own items, not its cities' pooled
        ("全国", "75.0%", 3, 4),
    ]

    # the province view goes down to 淄博市: its counties are compared, against the city
    at.selectbox(key="districts_drill").select(ZIBO).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "区县对比 · 淄博市" and at.query_params["region"] == ZIBO
    assert [s.value for s in at.subheader] == ["各区县 × 指标状态", "区县成绩单", "区县、全市与全国对比"]
    assert rows(table(at, "排名"), "排名", "区县", "达标率") == ZIBO_COUNTIES
    assert at.selectbox(key="districts_pick").options == [
        "淄川区",
        "张店区",
        "博山区",
        "临淄区",
        "周村区",
        "桓台县",
        "高青县",
        "沂源县",
    ]

    at = open_page(province_db, monkeypatch, "districts", region=ZHANGDIAN)
    assert at.title[0].value == "区县对比 · 淄博市"  # a county among its neighbours
    metrics = {m.label: m.value for m in at.metric}
    assert (metrics["达标率"], metrics["排名"]) == ("92.9%", "3/8")
    assert rows(table(at, "地区"), "地区", "达标率")[:2] == [("张店区", "88.9%"), ("淄博市", "77.8%")]


def test_indicator_page_ranks_the_level_below_by_own_values(province_db: Path, monkeypatch) -> None:
    at = open_page(province_db, monkeypatch, "indicator", indicator="W-HEALTH-02")
    assert "山东省及所辖各市" in [s.value for s in at.subheader]
    ranked = rows(table(at, "地区"), "排名", "地区", "最新值")
    assert len(ranked) == 17
    # 孕产妇死亡率: lower is better; the province's own 11.7 heads the table unranked
    assert ranked[:4] == [(None, "山东省", 11.7), (1, "德州市", 10.4), (2, "青岛市", 11.0), (3, "滨州市", 11.1)]
    assert ranked[-1] == (16, "泰安市", 13.2)
    at.selectbox(key="indicator_drill").select(ZIBO).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "淄博市及所辖各区县" in [s.value for s in at.subheader]
    assert rows(table(at, "地区"), "排名", "地区", "最新值")[:3] == [
        (None, "淄博市", 12.1),
        (1, "临淄区", 9.9),
        (2, "张店区", 10.0),
    ]
    at = open_page(province_db, monkeypatch, "indicator", indicator="W-HEALTH-02", region=ZHANGDIAN)
    assert {m.label: m.value for m in at.metric}["张店区 状态"] == "✔ 达标"
    assert rows(table(at, "地区"), "地区")[:2] == [("淄博市",), ("临淄区",)]


def test_midterm_ranks_the_level_below_with_a_pooled_total(province_db: Path, monkeypatch) -> None:
    at = open_page(province_db, monkeypatch, "midterm")
    assert at.title[0].value == "中期评估 · 山东省"
    below = table(at, "排名")
    assert len(below) == 17 and rows(below, "排名", "市", "达标率")[:3] == TOP_CITIES[:3]
    assert rows(below, "排名", "市", "达标率", "达标率分母")[-1] == (
        None,
        "合计（汇总）",
        "93.6%",
        2016,
    )
    at.selectbox(key="midterm_drill").select(ZIBO).run()
    assert at.title[0].value == "中期评估 · 淄博市"
    assert "淄博市各区县评估汇总" in [s.value for s in at.subheader]
    below = rows(table(at, "排名"), "排名", "区县", "达标率", "达标率分母")
    assert [r[:3] for r in below[:-1]] == ZIBO_COUNTIES
    assert below[-1] == (None, "合计（汇总）", "91.7%", 1008)

    at = open_page(province_db, monkeypatch, "midterm", region=ZHANGDIAN)
    assert at.title[0].value == "中期评估 · 张店区"
    assert any(
        c.value.startswith(
            "张店区在淄博市8个区县中排名第3。合计（汇总）行：所辖8个区县合计（汇总，按指标×区县计，单位：项次）。"
            "按达标率排名，并列时依次比较达标率分母、退步或未向好项数、行政区划代码。"
        )
        for c in at.caption
    )


def test_units_and_maps_cover_every_county(province_db: Path, monkeypatch) -> None:
    for region, counties in ((PROVINCE, 136), (ZIBO, 8), (ZHANGDIAN, 1)):
        at = open_page(province_db, monkeypatch, "units", region=region, unit="health")
        assert len(table(at, "区县")) == counties
        assert {m.label: m.value for m in at.metric}["应报数值"] == str(counties * 38 * 5)
    at = open_page(province_db, monkeypatch, "maps")
    assert at.get("deck_gl_json_chart"), "the map is drawn"
    districts = table(at, "区县")
    assert len(districts) == 137 and districts["区县"].iloc[-1] == "山东省合计"
    at = open_page(province_db, monkeypatch, "maps", theme="attainment", plan="liangang", year="2024")
    assert table(at, "区县")["区县"].iloc[-1] == "区县合计（汇总）"
