"""The benchmark's baseline: an app whose only page draws a small static table.

Same page configuration and st.navigation entry as dashboard/app.py, no database and no
engine, so `bench_pages.py` can report each page's time as a multiple of what Streamlit and
AppTest cost for the simplest page.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

st.set_page_config(page_title="基线", layout="wide")

TABLE = pl.DataFrame(
    {"区县": [f"区县{i}" for i in range(20)], "数值": [float(i) for i in range(20)], "年份": [2024] * 20}
)


def baseline() -> None:
    st.title("基线")
    st.dataframe(TABLE, hide_index=True)


st.navigation([st.Page(baseline, title="基线", url_path="baseline", default=True)]).run()
