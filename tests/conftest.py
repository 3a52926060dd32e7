"""Shared fixtures: the embedded default database, built once per test session, and the same
database in PostgreSQL for the write-path tests that run against both stores (`both_stores`)."""

from __future__ import annotations

import atexit
import fcntl
import os
import secrets
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from browser_support import app_url, chromium_browser  # noqa: F401  (session fixtures for browser tests)

from etl.__main__ import main as etl_main
from etl.build import build_database
from etl.core import pgsnapshot, pgstore
from etl.core.store import writer_lock
from etl.workflow import users

# The write-path tests run once per store; the PostgreSQL runs carry the `postgres` marker, so
# `pytest -m postgres` runs exactly them.
STORES = ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
both_stores = pytest.mark.parametrize("store", STORES, indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Province builds take about a minute: on a developer's machine they run only when asked
    for (-m province); CI always runs them, so nothing is skipped there."""
    if "province" in (config.getoption("-m") or "") or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason="省级示例构建较慢：用 pytest -m province 运行")
    for item in items:
        if "province" in item.keywords:
            item.add_marker(skip)


def pytest_unconfigure(config: pytest.Config) -> None:
    """DuckDB's bindings list dozens of objects still alive at interpreter exit after a polars
    read (a fixed set, not a growing leak; `python -m etl` hides them the same way). The run's
    report is complete by now, so stderr is closed for the teardown only."""
    atexit.register(_quiet_exit)


def _quiet_exit() -> None:
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stderr.fileno())
    os.close(devnull)


@pytest.fixture(autouse=True)
def _no_real_users_file(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read an office's real users file (the ones that need users write their own),
    nor an office's PostgreSQL (the ones that need one get a throwaway database)."""
    monkeypatch.setenv("FUER_USERS_FILE", str(tmp_path_factory.getbasetemp() / "no-users.toml"))
    monkeypatch.delenv("FUER_DATABASE_URL", raising=False)


@pytest.fixture(scope="session", autouse=True)
def _components_scanned_once():
    """Every new AppTest scans each installed package for custom-component manifests (about
    0.3 s); the installed packages do not change during a run, so all AppTests share one scan."""
    from streamlit.components.v2.component_manager import BidiComponentManager
    from streamlit.testing.v1 import app_test

    shared = BidiComponentManager()
    shared.discover_and_register_components(start_file_watching=False)
    shared.discover_and_register_components = lambda **_: None  # type: ignore[method-assign]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app_test, "BidiComponentManager", lambda: shared)
        yield


@pytest.fixture(autouse=True)
def _quick_password_hashes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its production cost takes 0.16 s a hash, and tests make hundreds; they use the
    same algorithm at its lowest cost, except the ones marked `production_hash`, which check the
    cost the product uses."""
    if request.node.get_closest_marker("production_hash") is None:
        from argon2 import PasswordHasher

        monkeypatch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture(autouse=True)
def _no_sign_outs_from_other_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Signing out is remembered per process (sessions._REVOKED): one test's sign-out of edu01
    must not revoke the tokens another test makes for edu01."""
    from dashboard.auth import sessions

    monkeypatch.setattr(sessions, "_REVOKED", {})


@pytest.fixture(scope="session")
def pg_cluster():
    """A PostgreSQL cluster on loopback for the whole session, stopped at the end."""
    from pg_cluster import Cluster, find_bin

    where = find_bin()
    if where is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI 必须运行 PostgreSQL 存储的测试：.ci/run 应已安装 Debian 软件包 postgresql")
        pytest.skip("未安装 PostgreSQL（Debian 软件包 postgresql，需要 initdb 和 pg_ctl）：跳过 PostgreSQL 存储的测试")
    cluster = Cluster(where).start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_seed(pg_cluster, built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A PostgreSQL database holding the default database (built_db), used as a template."""
    url = pg_cluster.create_database()
    snapshot = tmp_path_factory.mktemp("pg-seed") / "seed.duckdb"
    os.environ["FUER_DATABASE_URL"] = url
    try:
        pgstore.import_file(snapshot, built_db)
    finally:
        del os.environ["FUER_DATABASE_URL"]
    return url.rsplit("/", 1)[1]


@pytest.fixture
def store(request: pytest.FixtureRequest) -> str:
    """Which store the test writes to: duckdb (the default) or postgres (with `both_stores`)."""
    return getattr(request, "param", "duckdb")


@pytest.fixture
def empty_store(store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """For tests that build their own database: nothing to do for DuckDB, an empty PostgreSQL
    database (FUER_DATABASE_URL) for postgres."""
    if store == "postgres":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database()
        request.addfinalizer(lambda: cluster.drop_database(url))
        monkeypatch.setenv("FUER_DATABASE_URL", url)
    return store


def _built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """`build(folder)` once per test run: under pytest-xdist every worker would build the same
    database, so the first builds it in the run's shared temporary folder while the others wait
    on a lock, then all read it."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # shared by the workers of this run
    folder = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "fuer.duckdb").exists():  # published last, so present only when complete
            folder.mkdir(exist_ok=True)
            build(folder)
    return folder / "fuer.duckdb"


def _build_default(d: Path) -> None:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("FUER_SAMPLE_DIR", str(d / "samples"))
        env.delenv("FUER_DATABASE_URL", raising=False)  # never a developer's own PostgreSQL
        env.setenv("FUER_DB", str(d / "fuer.duckdb"))  # `--db` sets it for the process: restored after
        assert etl_main(["--db", str(d / "fuer.duckdb"), "build"]) == 0


@pytest.fixture(scope="session")
def built_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database a new user gets (catalogue, 淄博, national values, 示例数据), built once per
    test run through the command line (`python -m etl build`). Do not write to it."""
    return _built_once(tmp_path_factory, "default-db", _build_default)


@pytest.fixture(scope="session")
def province_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 山东 province (16 cities, 136 counties) with its sample, built once per test run for
    the tests marked `province`. Do not write to it."""
    return _built_once(
        tmp_path_factory,
        "province-db",
        lambda d: build_database(d / "fuer.duckdb", region="370000", sample_dir=d / "samples"),
    )


@pytest.fixture
def work_db(
    built_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store: str, request: pytest.FixtureRequest
) -> Path:
    """A private copy of the default database that a test may load into; FUER_DB points at it.
    With the postgres store the copy is a PostgreSQL database (FUER_DATABASE_URL) and the path
    is this process's snapshot of it."""
    path = tmp_path / "work.duckdb"
    monkeypatch.setenv("FUER_DB", str(path))
    if store == "postgres":
        cluster = request.getfixturevalue("pg_cluster")
        url = cluster.create_database(template=request.getfixturevalue("pg_seed"))
        request.addfinalizer(lambda: cluster.drop_database(url))
        monkeypatch.setenv("FUER_DATABASE_URL", url)
        with writer_lock(path):
            pgsnapshot.sync(path)
    else:
        shutil.copyfile(built_db, path)
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
