"""Pages on a publication basis (AppTest): on 仅已审核数据 a leader sees reviewed values only,
everywhere on the page; on 含待审核数据 every unreviewed value is marked, downloads included.

The default database's sample has 教育局 2020–2023 approved, 2024 not; the tests add an
unreviewed 2025 return of 教育局 (学前教育毛入园率, 张店区 96.6)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from long_returns import long_csv
from streamlit.testing.v1 import AppTest
from test_pages import downloads  # noqa: F401  (fixture)
from test_review_views import signed_in

from dashboard.queries import db
from etl.returns.load import submit_file

INDICATOR = {"indicator": "C-EDU-02", "region": "370303", "year": "2025"}


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    db.close_all()


@pytest.fixture
def pending_2025(work_db: Path, accounts: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """教育局 sends 张店区 2025 学前教育毛入园率 96.6; nobody reviews it."""
    f = long_csv(tmp_path / "教育局_2025.csv", [["C-EDU-02", "", "370303", "", "2025", "96.6", ""]])
    assert submit_file(work_db, f, unit="education", enforce_unit=True, actor="教育局（edu01）").accepted == 1
    return accounts


def _indicator_page(user: str, password: str, **params: str) -> AppTest:
    at = signed_in(user, password, **INDICATOR, **params)
    at.switch_page("../pages/indicator.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at: AppTest, columns: set[str]):
    return next(f.value for f in at.dataframe if columns <= set(f.value.columns))


def _csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_a_leader_sees_only_reviewed_revisions(pending_2025, downloads) -> None:  # noqa: F811
    at = _indicator_page("lead01", pending_2025["lead01"])
    revisions = _table(at, {"版本", "该年列出的版本数"})
    # 2025 (unreviewed upload) and 2024 (教育局 2024 not approved) are not a leader's values
    assert list(revisions["年份"]) == ["2023", "2022", "2021", "2020"]
    assert list(revisions["数值"]) == [93.9, 93.1, 93.0, 91.2]
    assert set(revisions["状态"]) == {"现行"} and set(revisions["审核状态"]) == {"已审核"}
    assert set(revisions["数据性质"]) == {"示例数据"}
    assert (
        "更正后的报表作为新版本载入，旧值保留；“现行”为目前计入的数值。"
        "仅列出已审核的数值（另有 2 个待审核或已撤回的版本未列出）。"
    ) in [c.value for c in at.caption]
    rows = _csv(downloads(at, "C-EDU-02_修订记录_张店区_2025.csv"))
    assert [r["年份"] for r in rows] == ["2023", "2022", "2021", "2020"]
    # the latest value a leader sees is the reviewed 2023 one, unmarked
    card = next(m for m in at.metric if m.label.startswith("最新值"))
    assert (card.label, card.value, card.delta) == ("最新值（2023年）", "93.9", "")


def test_the_office_on_all_values_sees_every_unreviewed_value_marked(pending_2025, downloads) -> None:  # noqa: F811
    at = _indicator_page("office01", pending_2025["office01"], basis="all")
    card = next(m for m in at.metric if m.label.startswith("最新值"))
    assert (card.label, card.value, card.delta) == ("最新值（2025年）", "96.6", "待审核")
    # the chart: 张店区's unreviewed 2024 and 2025 values are open markers, said so in the hover
    trace = next(t for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"] if t["name"] == "张店区")
    assert trace["x"] == [2020, 2021, 2022, 2023, 2024, 2025]
    assert trace["marker"]["symbol"] == ["circle"] * 4 + ["circle-open"] * 2
    assert trace["customdata"] == ["", "", "", "", "（待审核）", "（待审核）"]
    assert any(c.value.endswith("空心点为待审核数值。") for c in at.caption)

    revisions = _table(at, {"版本", "该年列出的版本数"})
    assert list(revisions["年份"])[:3] == ["2025", "2024", "2023"]
    assert list(revisions["数值"])[:3] == [96.6, 96.3, 93.9]
    assert list(revisions["状态"])[:3] == ["现行", "现行", "现行"]
    assert list(revisions["审核状态"])[:3] == ["待审核", "待审核", "已审核"]
    assert list(revisions["数据性质"])[:2] == ["报送数据", "示例数据"]
    rows = _csv(downloads(at, "C-EDU-02_修订记录_张店区_2025.csv"))
    assert [(r["年份"], r["数值"], r["审核状态"]) for r in rows[:2]] == [
        ("2025", "96.6", "待审核"),
        ("2024", "96.3", "待审核"),
    ]

    ranking = _table(at, {"排名", "地区"})
    states = dict(zip(ranking["地区"], ranking["最新值审核状态"], strict=True))
    assert states["张店区"] == "待审核"
    rows = _csv(downloads(at, "C-EDU-02_区县排名_淄博市_2025.csv"))
    zhangdian = next(r for r in rows if r["地区"] == "张店区")
    assert (zhangdian["最新值"], zhangdian["最新年份"], zhangdian["最新值审核状态"]) == ("96.6", "2025", "待审核")


# --- 总览 ------------------------------------------------------------------------------------------


@pytest.fixture
def resent_and_withdrawn(pending_2025: dict[str, str], work_db: Path, tmp_path: Path) -> dict[str, str]:
    """教育局 sends its 2025 return again; the office withdraws the first one (submission 22)."""
    from etl.workflow.approval import withdraw

    f = long_csv(tmp_path / "教育局_2025_更正.csv", [["C-EDU-02", "", "370303", "", "2025", "96.8", ""]])
    assert submit_file(work_db, f, unit="education", enforce_unit=True, actor="教育局（edu01）").accepted == 1
    withdraw(work_db, 22, actor="测试office01（office01）", reason="数据口径有误")
    return pending_2025


def test_a_leader_overview_counts_reviewed_values_and_no_withdrawn_file(resent_and_withdrawn) -> None:
    at = signed_in("lead01", resent_and_withdrawn["lead01"])
    at.switch_page("../pages/overview.py").run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["已载入文件"] == "22"
    assert metrics["现行数据"] == "9049"
    notes = [c.value for c in at.caption]
    assert (
        "数据口径：仅已审核数据（另有 172 个待审核数值未计入）；已载入文件 22 个，另有 1 个已撤回、不计入（共 23 个）。"
    ) in notes
    pivot = _table(at, {"成员单位", "合计"})
    # 教育局's 2024 sample and its 2025 upload are not reviewed: no 2025 column, 2024 counts 0
    assert list(pivot.columns) == ["成员单位", "2020年", "2021年", "2022年", "2023年", "2024年", "合计"]
    education = pivot[pivot["成员单位"] == "教育局"].iloc[0]
    assert list(education)[1:] == [171, 171, 170, 171, 0, 683]
    assert int(pivot["合计"].sum()) == 9049  # the 现行数据 card


def test_a_withdrawn_version_is_marked_and_a_leader_does_not_see_it(resent_and_withdrawn, downloads) -> None:  # noqa: F811
    at = _indicator_page("office01", resent_and_withdrawn["office01"], basis="all")
    revisions = _table(at, {"版本", "该年列出的版本数"})
    first_two = list(
        zip(
            revisions["年份"],
            revisions["数值"],
            revisions["版本"],
            revisions["状态"],
            revisions["审核状态"],
            strict=False,
        )
    )[:2]
    assert first_two == [("2025", 96.8, 2, "现行", "待审核"), ("2025", 96.6, 1, "已撤回", "已撤回（不计入）")]
    assert list(revisions["该年列出的版本数"])[:2] == [2, 2]
    rows = _csv(downloads(at, "C-EDU-02_修订记录_张店区_2025.csv"))
    assert [(r["数值"], r["状态"], r["审核状态"]) for r in rows[:2]] == [
        ("96.8", "现行", "待审核"),
        ("96.6", "已撤回", "已撤回（不计入）"),
    ]

    leader = _indicator_page("lead01", resent_and_withdrawn["lead01"])
    assert list(_table(leader, {"版本", "该年列出的版本数"})["年份"]) == ["2023", "2022", "2021", "2020"]
    assert any("另有 3 个待审核或已撤回的版本未列出" in c.value for c in leader.caption)
