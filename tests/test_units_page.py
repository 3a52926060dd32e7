"""成员单位 for the people of a unit: their own unit first, and every owed indicator named."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import app_test as app_test_module
from test_pages import open_page
from test_upload_page import signed_in

from dashboard.queries import db


@pytest.fixture(autouse=True)
def _close():
    yield
    db.close_all()


def test_a_units_user_opens_on_their_own_unit(accounts) -> None:
    at = signed_in("edu01", accounts["edu01"])
    at.switch_page("../pages/units.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["成员单位 · 教育局"]
    assert at.query_params["unit"] == "education"


def test_indicators_owed_outside_the_chosen_plan_are_named(built_db: Path, monkeypatch) -> None:
    at = open_page(built_db, monkeypatch, "units", unit="health")
    owes = next(f.value for f in at.dataframe if "指标代码" in f.value.columns and "应报" in f.value.columns)
    names = dict(zip(owes["指标代码"], owes["指标"], strict=True))
    # owed by 卫生健康委 under the 十四五 plan and as a breakdown, not targets of 两纲
    assert names["C-FYP-1"] == "6个月内婴儿纯母乳喂养率"
    assert names["C-HEALTH-01-F1"] == "达到儿童友好医院建设要求的医疗机构数"
    assert all(names.values())


def test_units_and_upload_pages_hand_out_the_same_template(accounts, monkeypatch: pytest.MonkeyPatch) -> None:
    managers: list[MediaFileManager] = []

    class Recording(MediaFileManager):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            managers.append(self)

    monkeypatch.setattr(app_test_module, "MediaFileManager", Recording)

    def file_name(at, key: str) -> str:
        (button,) = [b for b in at.download_button if b.proto.id.endswith(key) or key in b.proto.id]
        file_id = button.proto.url.rsplit("/", 1)[1].split(".")[0]
        return next(
            m._storage.get_file(file_id).filename for m in reversed(managers) if file_id in m._storage._files_by_id
        )

    at = signed_in("edu01", accounts["edu01"])
    at.switch_page("../pages/upload.py").run()
    assert at.selectbox(key="upload_year").value == 2025  # last year: the return being worked on
    assert file_name(at, "upload_template") == "教育局_2025年度指标数据填报表.xlsx"
    at.switch_page("../pages/units.py").run()
    assert at.selectbox(key="units_template_year").value == 2025
    assert at.selectbox(key="units_template_year").options == [str(y) + "年度" for y in range(2026, 2019, -1)]
    assert file_name(at, "units_template") == "教育局_2025年度指标数据填报表.xlsx"
