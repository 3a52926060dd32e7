"""Shared fixtures: the embedded default database, built once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from browser_support import app_url, chromium_browser  # noqa: F401  (session fixtures for browser tests)

from etl.build import build_database


@pytest.fixture(autouse=True)
def _no_real_users_file(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read an office's real users file; the ones that need users write their own."""
    monkeypatch.setenv("FUER_USERS_FILE", str(tmp_path_factory.getbasetemp() / "no-users.toml"))


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database a new user gets (catalogue, 淄博, national values, 示例数据). Do not write to it."""
    d = tmp_path_factory.mktemp("default-db")
    build_database(d / "fuer.duckdb", sample_dir=d / "samples")
    return d / "fuer.duckdb"


@pytest.fixture
def work_db(built_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the default database that a test may load into; FUER_DB points at it."""
    path = tmp_path / "work.duckdb"
    shutil.copyfile(built_db, path)
    monkeypatch.setenv("FUER_DB", str(path))
    return path
