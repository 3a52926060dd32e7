"""Hostile uploads and links through the app (AppTest): each gets a Chinese message, no
exception reaches the page, and user-controlled text never renders as markdown (no link)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from long_returns import current_value, long_csv
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest
from test_upload_page import APP, HEADER, signed_in, texts, upload

from dashboard.queries import db
from dashboard.views import returns as returns_status
from etl.returns import bounded
from etl.returns.load import submit_file

FIXTURES = Path(__file__).parent / "fixtures"
STORED = "[点此查看详情](https:evil.example).csv"
REFLECTED = "[请点此重新登录](https://evil.example/login)"
# markdown that would render as a link: [text](target), or a bare URL GFM links by itself
LINK = re.compile(r"(?<!\\)\]\((?!\\)|(?<!\\)https?://")


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    db.close_all()


def plain(body: str) -> str:
    """What a reader sees of an escaped markdown body."""
    return re.sub(r"\\(.)", r"\1", body).replace("\u200b", "")


def rendered(at: AppTest) -> list[str]:
    """The markdown bodies of every notice, text and caption on the page."""
    kinds = (at.success, at.error, at.warning, at.info, at.markdown, at.caption)
    return [str(e.value) for kind in kinds for e in kind]


def no_link(at: AppTest) -> None:
    live = [body for body in rendered(at) if LINK.search(body)]
    assert live == []


def test_stored_file_name_is_shown_as_text_when_withdrawn(work_db: Path, accounts, tmp_path: Path) -> None:
    path = long_csv(tmp_path / STORED, [["C-EDU-02", "", "370303", "", "2024", "97.1", ""]])
    sub = submit_file(work_db, path, unit="education", actor="教育局（edu01）").submission_id
    office = signed_in("office01", accounts["office01"])
    office.switch_page("../pages/review.py").run()
    office.selectbox(key="review_year").select(2024).run()
    office.selectbox(key="review_unit").select("education").run()
    office.selectbox(key="review_withdraw_id").select(sub).run()
    office.text_input(key="review_withdraw_reason").input("[原因](https://evil.example/r)")
    office.button(key="review_withdraw").click().run()
    assert not office.exception, [e.value for e in office.exception]
    [notice] = [s.value for s in office.success]
    assert "\\[点此查看详情\\]\\(https\\:evil.example\\).csv" in notice
    no_link(office)


def test_reflected_url_parameter_is_shown_as_text() -> None:
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["region"] = REFLECTED
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value for w in at.warning]
    assert any("请点此重新登录" in w for w in warnings), rendered(at)
    assert any("\\[请点此重新登录\\]\\(https\\:\u200b//evil.example/login\\)" in w for w in warnings)
    no_link(at)


def test_hostile_file_name_in_upload_findings_is_text(work_db: Path, accounts) -> None:
    at = signed_in("edu01", accounts["edu01"])
    at.switch_page("../pages/upload.py").run()
    upload(at, STORED, HEADER)
    [error] = [e.value for e in at.error]
    assert error.startswith("无法载入：文件“\\[点此查看详情\\]") and "没有任何填写了数值的单元格" in error
    no_link(at)
    assert all("https:evil" not in b.label for b in at.get("download_button"))


@pytest.mark.parametrize(
    ("fixture", "says"),
    [
        ("cell_over_csv_field_limit.csv", "第 3 行有一个单元格超过 131,072 个字符"),
        ("unterminated_quote.csv", "第 3 行的引号"),
        ("value_1e309_overflows_to_inf.csv", None),
    ],
)
def test_hostile_upload_is_a_chinese_finding(work_db: Path, accounts, fixture: str, says: str | None) -> None:
    before = current_value(work_db, "W-HEALTH-M1", "370303", 2024)
    at = signed_in("edu01", accounts["edu01"])
    at.switch_page("../pages/upload.py").run()
    upload(at, fixture, (FIXTURES / fixture).read_text(encoding="utf-8"))
    if says:
        [error] = [e.value for e in at.error]
        assert says in plain(error)
    else:  # refused per cell: shown in the findings table
        assert "超出可表示的数值范围" in texts(at)
    assert current_value(work_db, "W-HEALTH-M1", "370303", 2024) == before


def test_upload_over_the_time_limit_is_refused_and_the_page_stays_up(
    work_db: Path, accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = signed_in("edu01", accounts["edu01"])
    at.switch_page("../pages/upload.py").run()
    monkeypatch.setattr(bounded, "SECONDS", 0.01)
    upload(at, "教育局_2024.csv", HEADER + "C-EDU-02,,370303,,2024,97.7,\n")
    [error] = [e.value for e in at.error]
    assert "处理时间超过 0.01 秒上限" in plain(error) and "未载入任何数值" in error
    assert [t.value for t in at.title] == ["数据填报"]


def test_unexpected_error_shows_the_apps_own_message(work_db: Path, accounts, monkeypatch: pytest.MonkeyPatch) -> None:
    at = signed_in("edu01", accounts["edu01"])

    def broken(*_args):
        raise RuntimeError("/srv/secret/path.py exploded")

    monkeypatch.setattr(returns_status, "unit_options", broken)
    monkeypatch.setitem(st_config._config_options["client.showErrorDetails"].__dict__, "value", "none")
    at.switch_page("../pages/upload.py").run()
    assert not at.exception
    [error] = [e.value for e in at.error]
    assert error.startswith("页面出现意外错误，未完成本次操作（错误编号 ")
    assert "/srv/secret" not in "\n".join(rendered(at))


def test_a_local_indicators_definition_is_shown_as_text(work_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The office writes a local indicator's 统计口径 and 数据来源; 指标详情 lists them as text."""
    from datetime import datetime

    from etl.catalogue import local

    added = local.save(
        work_db,
        local.LocalIndicator(
            "家庭教育指导服务站覆盖率",
            "%",
            1,
            "儿童与家庭",
            "up",
            definition=REFLECTED,
            data_source="见 https://evil.example/source",
        ),
        actor="office01",
        reason="本市规划新增",
        when=datetime(2026, 1, 2, 9, 0),
    )
    monkeypatch.setenv("FUER_DB", str(work_db))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["plan"] = "lianggui"
    at.query_params["indicator"] = added.code
    at.switch_page("../pages/indicator.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    meta = next(m.value for m in at.markdown if "统计口径" in m.value)
    assert plain(meta).splitlines()[0] == f"- **统计口径**：{REFLECTED}"
    no_link(at)
