"""Drill-down from a region to one of the regions below it (Streamlit-facing).

The view's region is the sidebar's 地区 widget (key view_region, mirrored to the link), so
going down sets that widget's value in a callback, before the widget is drawn again.
"""

from __future__ import annotations

import streamlit as st

REGION_KEY = "view_region"


def drill_down(targets: dict[str, str], *, key: str, label: str = "查看下级地区") -> None:
    """A choice of `targets` (code → name); picking one makes it the view's region."""
    if not targets:
        return

    def go() -> None:
        code = st.session_state.get(key)
        if code:
            st.session_state[REGION_KEY] = code
            st.session_state[key] = None

    st.selectbox(
        label,
        list(targets),
        index=None,
        format_func=lambda c: targets[c],
        key=key,
        placeholder="选择后进入该地区的页面，查看其所辖各地区排名",
        on_change=go,
    )
