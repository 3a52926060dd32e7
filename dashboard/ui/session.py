"""The database this browser session reads, as the entry script resolved it."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_DB_PATH_KEY = "fuer_db_path"


def set_db_path(db_path: Path) -> None:
    """Remember the database the entry script resolved (and built), for the pages."""
    st.session_state[_DB_PATH_KEY] = str(db_path)


def db_path() -> Path:
    """The database path the entry script resolved; falls back to the setting."""
    if _DB_PATH_KEY in st.session_state:
        return Path(st.session_state[_DB_PATH_KEY])
    from etl.core import settings

    return settings.db_path()
