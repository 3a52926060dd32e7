"""Shared fixtures: the embedded default database, built once per test session."""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

import pytest
from browser_support import app_url, chromium_browser  # noqa: F401  (session fixtures for browser tests)

from etl.build import build_database
from etl.workflow import users


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Province builds take about a minute: on a developer's machine they run only when asked
    for (-m province); CI always runs them, so nothing is skipped there."""
    if "province" in (config.getoption("-m") or "") or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason="省级示例构建较慢：用 pytest -m province 运行")
    for item in items:
        if "province" in item.keywords:
            item.add_marker(skip)


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


@pytest.fixture
def accounts(work_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An office user, an 教育局 user and a leader in a private users file; name → password."""
    path = tmp_path / "users.toml"
    monkeypatch.setenv("FUER_USERS_FILE", str(path))
    passwords = {}
    for name, role, unit in (("office01", "office", None), ("edu01", "unit", "教育局"), ("lead01", "leader", None)):
        passwords[name] = "Pw-" + secrets.token_urlsafe(16)
        users.set_user(path, name, role=role, unit=unit, name=f"测试{name}", password=passwords[name])
    return passwords
