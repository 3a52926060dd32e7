"""Figures and maps built once per data snapshot and view, then shared by every session.

A session of a cached page still rebuilt its plotly figures and pydeck map on every run, the
largest part of its server time. Built here once, a figure or map object is handed to
Streamlit as it is: st.plotly_chart and st.pydeck_chart only read it (to_dict / to_json), so
sessions can share one object without copying it. Nothing changes a shared object after it is
built: `figure` applies figures.tidy before storing, and `draw_plotly` does not tidy again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

from dashboard.queries import db
from dashboard.render import figures as _figures
from dashboard.ui import page as ui

T = TypeVar("T")


@st.cache_resource(show_spinner=False, max_entries=256)
def _shared(_build: Callable[[], Any], name: str, snapshot: str, key: tuple) -> Any:
    return _build()


def shared(name: str, key: tuple, build: Callable[[], T]) -> T:
    """`build()`, once per database snapshot, `name` and `key`, one object for all sessions.

    `build` is not hashed: `name` and `key` must say everything the object is made from (view
    state, region, widget values), as for ui.cached_view. The caller must not change the object.
    """
    return _shared(build, name, db.snapshot_id(ui.db_path()), key)


def figure(name: str, key: tuple, build: Callable[[], Any]) -> Any:
    """A shared plotly figure, tidied (figures.tidy) before it is stored."""
    return shared(name, key, lambda: _figures.tidy(build()))


def draw_plotly(fig: Any, key: str) -> None:
    """ui.plotly for a figure from `figure`: the same chart, without tidying it again."""
    st.plotly_chart(fig, key=key, config={"displaylogo": False}, theme=None)


def result_key(result: Any) -> tuple:
    """What an engine result was computed from (ProgressResult), for the keys above."""
    return (result.snapshot, result.plan.code, result.report_year, result.region, result.label_set, result.basis)
