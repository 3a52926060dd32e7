"""The app as Streamlit runs it (AppTest), against the small fixture database."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_fixtures import build_fixture_db
from streamlit.testing.v1 import AppTest
from test_dashboard_data import HEADLINE

from dashboard.queries import db

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"

# metric label on the page -> key of headline_counts / FixtureDb.headline
METRIC_KEYS = {
    "监测指标": "indicators",
    "地区": "regions",
    "成员单位": "units",
    "现行数据": "observations",
    "已载入文件": "submissions",
}


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    db.close_all()


def run_app(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("FUER_DB", str(db_path))
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    if at.exception or at.error:
        return at  # the app stopped before any page (e.g. no database)
    # 领导驾驶舱 is the default page; these tests are about 总览
    return at.switch_page("../pages/overview.py").run()


def test_overview_renders_fixture_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fx = build_fixture_db(tmp_path / "fuer.duckdb")
    at = run_app(fx.path, monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]

    assert any("总览" in t.value for t in at.title)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {label: str(HEADLINE[key]) for label, key in METRIC_KEYS.items()}

    # the sample data notice, because the fixture's unit return is marked 示例数据
    assert any(i.value.startswith("示例数据") for i in at.info)

    # one CSV download per table, named after what it holds
    labels = {b.proto.label for b in at.download_button}
    assert {"下载 指标目录.csv", "下载 地区.csv"} <= labels
    assert len(at.download_button) == len(at.dataframe)
    assert len(at.dataframe) == 4


def test_no_sample_notice_for_real_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fx = build_fixture_db(tmp_path / "fuer.duckdb", sample=False)
    at = run_app(fx.path, monkeypatch)
    assert not at.exception
    assert not any("示例数据" in i.value for i in at.info)


def test_missing_database_shows_chinese_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # under a regular file, so the database can neither be found nor built
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    at = run_app(blocker / "fuer.duckdb", monkeypatch)
    assert not at.exception, [e.value for e in at.exception]
    assert at.error
    assert "数据库" in at.error[0].value
    assert not at.metric


def test_first_start_builds_the_embedded_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new user's first start: no database yet, the app builds it from data/ and shows it."""
    monkeypatch.setenv("FUER_SAMPLE_DIR", str(tmp_path / "samples"))
    at = AppTest.from_file(str(APP), default_timeout=120)
    monkeypatch.setenv("FUER_DB", str(tmp_path / "new.duckdb"))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert (tmp_path / "new.duckdb").is_file()
    at.switch_page("../pages/overview.py").run()
    shown = {m.label: m.value for m in at.metric}
    catalogue = (APP.parents[1] / "data" / "catalogue" / "indicators.csv").read_text(encoding="utf-8")
    assert shown["监测指标"] == str(len(catalogue.splitlines()) - 1)
    assert any("示例数据" in i.value for i in at.info)
