"""数据 page: load history, rejected rows and every table, as data and as the page shows them."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

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
    assert newest["数据性质"] == ""  # a real load is not 示例数据
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
