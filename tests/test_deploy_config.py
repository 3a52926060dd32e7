"""The shipped .streamlit/config.toml: loopback only, the server-side upload limit equal to the
upload setting's default, XSRF on, no error details in the browser."""

from __future__ import annotations

import tomllib
from pathlib import Path

from etl.core import settings

CONFIG = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"


def test_server_binds_loopback_and_keeps_xsrf() -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["server"]["address"] == "127.0.0.1"
    assert config["server"]["enableXsrfProtection"] is True


def test_server_upload_limit_equals_the_setting() -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == 10
    assert settings.SETTINGS["upload_max_mb"].default == "10"


def test_no_error_details_reach_the_browser() -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"


def test_sessions_do_not_watch_the_source_files() -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["server"]["fileWatcherType"] == "none"


def test_no_full_garbage_collection_after_every_run() -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["runner"]["postScriptGC"] is False
