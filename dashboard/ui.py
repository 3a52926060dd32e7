"""Streamlit-only helpers shared by the pages: snapshot-keyed caching, banners, downloads.

Computation stays in the Streamlit-free modules (overview, exports, db); this module only
wires their results into widgets.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

import polars as pl
import streamlit as st

from dashboard import db, exports
from dashboard.view_state import PARAMS, ViewOptions, ViewState, parse_view

T = TypeVar("T")

_DB_PATH_KEY = "fuer_db_path"


def set_db_path(db_path: Path) -> None:
    """Remember the database the entry script resolved (and built), for the pages."""
    st.session_state[_DB_PATH_KEY] = str(db_path)


def db_path() -> Path:
    """The database path the entry script resolved; falls back to the setting."""
    if _DB_PATH_KEY in st.session_state:
        return Path(st.session_state[_DB_PATH_KEY])
    from etl import settings

    return settings.db_path()


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_call(_fn: Callable[[Path], Any], fn_name: str, db_path: str, snapshot: str) -> Any:
    # `_fn` is not hashed (leading underscore); `fn_name` stands for it in the cache key and
    # `snapshot` makes a newly published database a cache miss, so new data shows at once.
    return _fn(Path(db_path))


def cached_frame(fn: Callable[[Path], T], db_path: Path) -> T:
    """`fn(db_path)`, cached per function and database snapshot (inode, mtime, size)."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    return _cached_call(fn, name, str(db_path), db.snapshot_id(db_path))


def sample_banner(counts: dict[str, Any]) -> None:
    """The 示例数据 notice, shown whenever generated sample returns are loaded."""
    if not counts.get("sample"):
        return
    st.info(
        f"示例数据：当前数据库中有 {counts.get('sample_submissions', 0)} 个示例数据文件、"
        f"{counts.get('sample_observations', 0)} 条现行数据为自动生成的演示数据，"
        "仅用于展示功能，不代表真实统计结果。",
        icon=":material/science:",
    )


def download_csv(frame: pl.DataFrame, file_name: str, *, key: str | None = None) -> None:
    """A download button for `frame` as Excel-friendly CSV (UTF-8 with BOM, no formulas)."""
    st.download_button(
        f"下载 {file_name}",
        data=exports.csv_bytes(frame),
        file_name=file_name,
        mime="text/csv",
        key=key or f"download-{file_name}",
        icon=":material/download:",
        # a download needs no rerun of the page
        on_click="ignore",
    )


def table_with_download(
    frame: pl.DataFrame,
    file_name: str,
    *,
    empty_text: str = "暂无数据。",
    height: Literal["auto", "content"] | int = "auto",
) -> None:
    """Show a table and its CSV download, or a short note when there is nothing to show.

    `height="content"` shows every row (for short summary tables); "auto" scrolls after ten.
    """
    if frame.height == 0:
        st.caption(empty_text)
        return
    # empty cells rather than the word "None" for missing values
    st.dataframe(frame, hide_index=True, placeholder="", height=height)
    download_csv(frame, file_name)


def view_sidebar(options: ViewOptions, *, fields: tuple[str, ...] = ("plan", "year", "region", "labels")) -> ViewState:
    """Sidebar widgets for the view, seeded from and mirrored to st.query_params.

    A copied link reopens the same view; a link with bad values opens the default view and
    says what was replaced, never raising.
    """
    state, notices = parse_view({k: st.query_params.get(k) for k in PARAMS}, options)
    choices: dict[str, tuple[str, list[Any], Callable[[Any], str]]] = {
        "plan": ("规划", list(options.plans), lambda c: options.plans[c]),
        "year": ("报告年份", list(options.years) or [state.year], lambda y: f"{y}年"),
        "region": ("地区", list(options.regions), lambda c: options.regions[c]),
        "labels": ("评价标签", list(options.label_sets), lambda c: options.label_sets[c]),
        "indicator": ("指标", list(options.indicators), lambda c: f"{c} {options.indicators[c]}"),
        "unit": ("成员单位", list(options.units), lambda c: options.units[c]),
    }
    picked: dict[str, Any] = {}
    with st.sidebar:
        for name in fields:
            label, values, fmt = choices[name]
            current = getattr(state, name)
            index = values.index(current) if current in values else 0
            picked[name] = st.selectbox(label, values, index=index, format_func=fmt, key=f"view_{name}")
    state = ViewState(**{**state.__dict__, **picked})
    for key, value in state.as_params().items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    for notice in notices:
        st.warning(notice, icon=":material/link_off:")
    return state
