"""Entry point: `streamlit run dashboard/app.py`.

Resolves and, if needed, builds the database, then hands over to the pages via st.navigation.
Paths come from this file's location so the app works from any working directory and under
AppTest.from_file.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# `streamlit run` puts dashboard/ on sys.path, not the repository root the packages live in.
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import streamlit as st  # noqa: E402

from dashboard.ui import page as ui  # noqa: E402
from dashboard.ui.session import set_db_path  # noqa: E402
from etl.build import ensure_database  # noqa: E402
from etl.core import settings  # noqa: E402

PAGES_DIR = REPO_ROOT / "pages"
ICON = Path(__file__).resolve().parent / "static" / "icon.png"

# A local image, not a Material icon: the browser would fetch a favicon from the internet.
st.set_page_config(page_title="妇儿规划监测看板", page_icon=str(ICON), layout="wide")

db_path = settings.db_path()
try:
    if not db_path.is_file():
        # only the first start builds; say so, since it takes a while
        with st.spinner("首次启动：正在根据 data/ 生成数据库，请稍候……"):
            ensure_database(db_path)
    else:
        ensure_database(db_path)  # a file older than the code is upgraded once, atomically
except Exception as exc:  # noqa: BLE001 - any build failure is shown to the user
    st.error(f"数据库 {ui.md_escape(db_path)} 无法使用：{ui.md_escape(exc)}")
    st.stop()

set_db_path(Path(db_path))

BRIEFING = st.Page(PAGES_DIR / "briefing.py", title="领导驾驶舱", icon=":material/monitoring:", default=True)
PAGES = [
    BRIEFING,
    st.Page(PAGES_DIR / "overview.py", title="总览", icon=":material/dashboard:"),
    st.Page(PAGES_DIR / "indicator.py", title="指标详情", icon=":material/query_stats:"),
    st.Page(PAGES_DIR / "districts.py", title="区县对比", icon=":material/compare:"),
    st.Page(PAGES_DIR / "units.py", title="成员单位", icon=":material/groups:"),
    st.Page(PAGES_DIR / "midterm.py", title="中期评估", icon=":material/assignment:"),
    st.Page(PAGES_DIR / "maps.py", title="地图", icon=":material/map:"),
]
# Role gating: with users configured, sign-in first; 数据填报 for units and the office,
# 审核 for the office. The pages check the role again themselves; without a users file the app
# stays read-only as before.
from dashboard.auth import gate as auth_ui  # noqa: E402

# the office may open the briefing to leaders without sign-in ([access] public_briefing)
PAGES = auth_ui.gate(
    PAGES,
    upload=st.Page(PAGES_DIR / "upload.py", title="数据填报", icon=":material/upload_file:"),
    review=st.Page(PAGES_DIR / "review.py", title="审核", icon=":material/fact_check:"),
    data=st.Page(PAGES_DIR / "data.py", title="数据", icon=":material/database:"),
    targets=st.Page(PAGES_DIR / "targets.py", title="规划目标", icon=":material/flag:"),
    public=[BRIEFING],
)
# Streamlit answers an unknown address with an English dialog; ours says it in Chinese. Its
# navigation calls this module-level function by name, so replacing it is enough.
import streamlit.commands.navigation as _st_navigation  # noqa: E402

_st_navigation.send_page_not_found = auth_ui.note_page_not_found
ui.chinese_widget_chrome()
page = auth_ui.navigate(PAGES)
try:
    page.run()
except Exception as exc:  # noqa: BLE001 - anything a page did not handle gets the app's own notice
    ui.unexpected_error(exc)
