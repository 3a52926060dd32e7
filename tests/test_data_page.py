"""数据 page: load history, rejected rows and every table, as data and as the page shows them."""

import csv
import io
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_pages import downloads  # noqa: F401  (fixture)

from dashboard.queries import db
from dashboard.views import data as data_tables
from etl.__main__ import main

APP = Path(__file__).resolve().parents[1] / "dashboard" / "app.py"


@pytest.fixture(autouse=True)
def _close():
    yield
    db.close_all()


def _load_bad_return(work_db: Path, tmp_path: Path) -> None:
    f = tmp_path / "教育局_2024.csv"
    f.write_text(
        "指标名称,地区名称,年份,数值\n学前教育毛入园率,张店区,2024,=1+1\n学前教育毛入园率,桓台县,2024,96.2\n",
        encoding="utf-8",
    )
    assert main(["load", str(f)]) == 0


def test_history_and_rejections(work_db, tmp_path) -> None:
    _load_bad_return(work_db, tmp_path)
    history = data_tables.submissions_table(work_db)
    newest = history.row(0, named=True)
    assert newest["文件"] == "教育局_2024.csv" and newest["载入数值"] == 1 and newest["拒绝数值"] == 1
    assert newest["数据性质"] == "报送数据"  # a real load is not 示例数据
    assert newest["状态"] == "有效"
    assert "示例数据" in history["数据性质"].to_list()
    rejected = data_tables.rejected_rows_table(work_db)
    assert rejected.height == 1
    assert "=1+1" in rejected["原始单元格"][0] and "不是数值" in rejected["原因"][0]


def test_every_table_downloadable_and_no_sql_from_users(built_db) -> None:
    names = data_tables.table_names(built_db)
    assert {"observation", "observation_current", "indicator_catalogue", "submission"} <= set(names)
    assert data_tables.table_frame(built_db, "region").height >= 9
    with pytest.raises(ValueError, match="没有表"):
        data_tables.table_frame(built_db, "region; DROP TABLE region")


def test_data_page_renders_history(work_db, tmp_path) -> None:
    _load_bad_return(work_db, tmp_path)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page("../pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("载入记录" in s.value for s in at.subheader)
    assert len(at.dataframe) >= 3


def test_data_page_opens_on_recent_loads_and_their_findings(work_db, tmp_path) -> None:
    _load_bad_return(work_db, tmp_path)
    recent = data_tables.recent_loads(work_db)
    newest = recent.row(0, named=True)
    assert newest["文件"] == "教育局_2024.csv" and newest["拒绝数值"] == 1 and recent.height == 10
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page("../pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.subheader[0].value == "最近的载入及检查结果"
    first, findings = at.dataframe[0].value, at.dataframe[1].value
    assert list(first["文件"])[0] == "教育局_2024.csv"
    # the rules in words, not codes: the formula cell refused, the other value a revision
    assert list(findings["规则"]) == ["不是数值", "修订已有数值"]


def test_every_table_has_chinese_headers_and_words_for_codes(built_db) -> None:
    for name in data_tables.table_names(built_db):
        frame = data_tables.table_frame(built_db, name)
        assert not [c for c in frame.columns if re.search("[A-Za-z]", c)], name
        assert len(set(frame.columns)) == len(frame.columns), name
        assert not re.search("[A-Za-z]", data_tables.table_label(name)), name
    approval = data_tables.table_frame(built_db, "approval")
    assert approval.columns == ["编号", "成员单位", "年份", "操作", "操作人", "操作时间", "原因"]
    first = approval.row(0, named=True)
    assert (first["成员单位"], first["年份"], first["操作"]) == ("民政局", 2020, "审核通过（锁定）")
    units = data_tables.table_frame(built_db, "indicator_unit")
    assert units.row(0) == ("W-HEALTH-01", "卫生健康委", "牵头单位")
    # stored codes shown in words, not only the headers
    plans = data_tables.table_frame(built_db, "plan")
    assert sorted(set(plans["范围"])) == ["国家", "本地"]
    checked = set(data_tables.table_frame(built_db, "indicator")["核实情况"].drop_nulls())
    assert {"十四五规划原文", "地方规划指标", "纲要原文（转载页）核对"} <= checked
    assert not {"fyp_plan", "local_indicator", "national_text"} & checked


def _withdrawn_return(work_db: Path, tmp_path: Path) -> None:
    from etl.workflow.approval import withdraw

    _load_bad_return(work_db, tmp_path)
    withdraw(work_db, 22, actor="测试office01（office01）", reason="数据口径有误")


def test_data_page_tells_a_withdrawn_load_from_a_live_one(work_db, tmp_path, downloads) -> None:  # noqa: F811
    _withdrawn_return(work_db, tmp_path)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    at.switch_page("../pages/data.py").run()
    assert not at.exception, [e.value for e in at.exception]
    withdrawn = r"已撤回（\d{4}-\d\d-\d\d \d\d:\d\d，测试office01（office01））"
    for table, file_name in ((at.dataframe[0].value, "最近的载入.csv"), (at.dataframe[2].value, "载入记录.csv")):
        rows = dict(zip(table["提交编号"], zip(table["状态"], table["数据性质"], strict=True), strict=True))
        assert re.fullmatch(withdrawn, rows[22][0]) and rows[22][1] == "报送数据"
        assert rows[21] == ("有效", "示例数据") and rows[1] == ("有效", "国家参考数据")
        downloaded = {
            r["提交编号"]: r for r in csv.DictReader(io.StringIO(downloads(at, file_name).decode("utf-8-sig")))
        }
        assert re.fullmatch(withdrawn, downloaded["22"]["状态"]) and downloaded["21"]["状态"] == "有效"
    # every table by its Chinese name, headers and words
    tables = at.selectbox(key="data_table")
    assert tables.value == "approval" and tables.options[:3] == [
        "审核操作记录",
        "审核记录（数值变更）",
        "数据库生成信息",
    ]
    shown = at.dataframe[-1].value
    assert list(shown.columns) == ["编号", "成员单位", "年份", "操作", "操作人", "操作时间", "原因"]
    assert list(shown["成员单位"])[0] == "民政局" and list(shown["操作"])[0] == "审核通过（锁定）"
    assert "下载 审核操作记录.csv" in [b.proto.label for b in at.download_button]
