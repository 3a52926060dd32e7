"""One word, one count on the 中期评估 page, whichever label set names the statuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_pages import open_page

from dashboard.queries import db

CITY = "370300"


@pytest.fixture(autouse=True)
def _close():
    yield
    db.close_all()


def test_midterm_label_set_and_the_computed_status_sentence_do_not_share_a_word(built_db: Path, monkeypatch) -> None:
    at = open_page(built_db, monkeypatch, "midterm", region=CITY, year="2023", labels="midterm")
    caption = at.caption[0].value
    assert caption.endswith("评价标签：提前实现／基本符合或快于预期／滞后")  # no pointer to the set in use
    narrative = next(m.value for m in at.markdown if m.value.startswith("全市"))
    # the label 滞后 counts five statuses; the sentence after it counts two computed statuses
    assert "、滞后10项" in narrative
    assert "计算状态为“进度滞后”或“退步”的指标2项，分布在儿童与健康（2项）。" in narrative
    assert "进度滞后或退步的指标" not in narrative

    default = open_page(built_db, monkeypatch, "midterm", region=CITY, year="2023")
    assert default.caption[0].value.endswith(
        "评价标签：达标／未达标（年度监测）（侧栏“评价标签”可换用中期评估常用的“提前实现／基本符合或快于预期／滞后”）"
    )
