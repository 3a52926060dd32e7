"""Two app replicas behind nginx (`python -m dashboard serve`'s launcher) on loopback: sign-in,
uploads through either replica, and a small load of viewers and uploads at once.

The sessions are bench/st_client.py's light protocol client, not browsers. nginx comes from the
Debian package; without it these tests skip, except on CI (`.ci/run` installs it).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.serve import proxy, replicas

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import replica_scenario as scenario  # noqa: E402
import st_client  # noqa: E402
from browser_support import free_port  # noqa: E402

pytestmark = pytest.mark.replicas


def test_proxy_config_is_sticky_and_carries_websockets(tmp_path: Path) -> None:
    text = proxy.render_config(tmp_path, [8601, 8602], listen="127.0.0.1:8501", body_mb=12)
    assert "server 127.0.0.1:8601 max_fails=3 fail_timeout=10s;" in text
    assert "server 127.0.0.1:8602 max_fails=3 fail_timeout=10s;" in text
    assert "hash $fuer_route consistent;" in text
    assert '""      "fuer_route=$request_id; Path=/; HttpOnly; SameSite=Lax";' in text
    assert "proxy_set_header Upgrade $http_upgrade;" in text
    assert "proxy_set_header Connection $connection_upgrade;" in text
    assert "proxy_set_header Host $http_host;" in text
    assert "listen 127.0.0.1:8501;" in text
    assert "client_max_body_size 12m;" in text
    assert f"pid {tmp_path.resolve()}/nginx.pid;" in text
    assert "{{" not in text.split("\n", 3)[3]  # every placeholder filled (the header names the syntax)


def _nginx_or_skip() -> None:
    try:
        proxy.find_nginx()
    except proxy.ProxyError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"副本测试无法运行（CI）：{exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def cluster(built_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[replicas.Cluster, dict]]:
    """Two replicas on a private copy of the default database, behind nginx on a free port."""
    _nginx_or_skip()
    folder = tmp_path_factory.mktemp("replicas")
    db_path = folder / "fuer.duckdb"
    shutil.copyfile(built_db, db_path)
    users_file, passwords = scenario.accounts(folder)
    env = {**os.environ, "FUER_DB": str(db_path), "FUER_USERS_FILE": str(users_file)}
    ports = [free_port(), free_port()]
    while ports[0] == ports[1]:
        ports[1] = free_port()
    running = replicas.start_cluster(
        2, listen=f"127.0.0.1:{free_port()}", replica_ports=ports, run_dir=folder / "serve", env=env
    )
    access_log = folder / "serve" / "nginx-access.log"
    routes = {port: scenario.route_to(running.url, access_log, port) for port in ports}
    try:
        yield running, {"db": db_path, "passwords": passwords, "routes": routes, "log": access_log}
    finally:
        running.stop()


def test_sign_in_through_the_proxy_holds_on_both_replicas(cluster) -> None:
    running, info = cluster
    first, second = (info["routes"][r.port] for r in running.replicas)

    async def scenario_run() -> tuple[list[str], list[str], list[str]]:
        tab = scenario.session_via(running.url, first)
        await scenario.sign_in(tab, scenario.USER, info["passwords"][scenario.USER], "upload")
        signed = tab.texts()
        token = tab.cookie("fuer_session")
        await tab.close()
        assert token, "登录后浏览器应保存会话 cookie"
        # a reload: the same browser, the same replica, no password
        again = scenario.session_via(running.url, first)
        again.set_cookie("fuer_session", token)
        await again.open("upload")
        reload_texts = again.texts()
        await again.close()
        # the same cookie through the other replica (a replica restarted, or the route changed)
        other = scenario.session_via(running.url, second)
        other.set_cookie("fuer_session", token)
        await other.open("upload")
        other_texts = other.texts()
        await other.close()
        # signing out on the first replica ends the session on the second too
        out = scenario.session_via(running.url, first)
        out.set_cookie("fuer_session", token)
        await out.open("upload")
        await out.press("退出登录")
        await out.close()
        replay = scenario.session_via(running.url, second)
        replay.set_cookie("fuer_session", token)
        await replay.open("upload")
        after = replay.texts()
        await replay.close()
        return signed, reload_texts, other_texts, after

    signed, reload_texts, other_texts, after = scenario.run(scenario_run())
    for texts in (signed, reload_texts, other_texts):
        assert "数据填报" in texts
        assert "登录" not in texts
        assert "填报单位：教育局。只能报送本单位牵头或负责的指标；其他单位的指标会被拒绝。" in texts
    assert "登录" in after and "数据填报" not in after
    assert scenario.upstream_of(info["log"], first) == f"127.0.0.1:{running.replicas[0].port}"
    assert scenario.upstream_of(info["log"], second) == f"127.0.0.1:{running.replicas[1].port}"


def test_a_wrong_password_through_the_proxy_is_refused(cluster) -> None:
    running, _ = cluster

    async def attempt() -> list[str]:
        tab = scenario.session_via(running.url)
        try:
            await scenario.sign_in(tab, scenario.USER, "not-the-password", "upload")
            return tab.texts()
        finally:
            await tab.close()

    texts = scenario.run(attempt())
    assert "登录" in texts
    assert "用户名或密码不正确。" in texts
    assert "数据填报" not in texts


def test_an_upload_through_either_replica_lands_once_and_both_show_it(cluster) -> None:
    running, info = cluster
    batch = scenario.returns(info["db"], 8)[:2]  # two disjoint returns of the eight-way split
    password = info["passwords"][scenario.USER]
    routes = [info["routes"][r.port] for r in running.replicas]

    async def both() -> list[int]:
        return list(
            await asyncio.gather(
                *(
                    scenario.upload(running.url, password, item, route)
                    for item, route in zip(batch, routes, strict=True)
                )
            )
        )

    ids = scenario.run(both())
    assert len(set(ids)) == 2
    counts = scenario.landed(info["db"], batch)
    assert counts["missing"] == 0 and counts["duplicated"] == 0 and counts["wrong"] == 0
    assert counts["once"] == counts["expected"] == sum(len(r.values) for r in batch)
    assert counts["submissions"] == 2 and counts["submissions_duplicated"] == 0
    # each replica, asked directly, lists both files once
    office = info["passwords"]["office01"]
    for replica in running.replicas:
        files = scenario.run(scenario.recent_loads(replica.url, office))
        assert sorted(f for f in files if f.startswith("教育局_")) == sorted(r.name for r in batch)


def test_viewers_and_uploads_at_once_lose_nothing(cluster) -> None:
    """A small run of bench/bench_replicas.py's load: correctness only, no timing."""
    running, info = cluster
    batch = scenario.returns(info["db"], 8)[4:6]
    password = info["passwords"][scenario.USER]

    async def load() -> tuple[list, list]:
        views = [scenario.view(running.url) for _ in range(4)]
        uploads = [scenario.upload(running.url, password, item) for item in batch]
        results = await asyncio.gather(*views, *uploads, return_exceptions=True)
        return results[:4], results[4:]

    views, uploads = scenario.run(load())
    assert [getattr(v, "status", v) for v in views] == ["ok"] * 4
    assert all(isinstance(i, int) for i in uploads), uploads
    counts = scenario.landed(info["db"], batch)
    assert (counts["once"], counts["missing"], counts["duplicated"], counts["wrong"]) == (
        sum(len(r.values) for r in batch),
        0,
        0,
        0,
    )
    assert counts["submissions"] == 2


def test_the_client_reads_the_briefing_through_the_proxy(cluster) -> None:
    running, _ = cluster

    async def one() -> st_client.Session:
        tab = scenario.session_via(running.url)
        await tab.open("")
        await tab.close()
        return tab

    tab = scenario.run(one())
    assert "领导驾驶舱 · 淄博市" in tab.texts()
    assert tab.cookie("fuer_route")


@pytest.mark.browser
def test_a_browser_signs_in_through_the_proxy_and_a_reload_keeps_it(cluster, chromium_browser) -> None:
    running, info = cluster
    context = chromium_browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        page = context.new_page()
        urls: list[str] = []
        page.on("request", lambda request: urls.append(request.url))
        page.goto(running.url + "upload")
        page.get_by_role("heading", name="登录").wait_for(timeout=90_000)
        page.get_by_label("用户名").fill(scenario.USER)
        page.get_by_label("密码").fill(info["passwords"][scenario.USER])
        page.get_by_role("button", name="登录").click()
        page.get_by_role("heading", name="数据填报").wait_for(timeout=90_000)
        page.reload()  # the same replica (route cookie), the same sign-in (session cookie)
        page.get_by_role("heading", name="数据填报").wait_for(timeout=90_000)
        assert page.get_by_role("heading", name="登录").count() == 0
        names = {c["name"] for c in context.cookies()}
        assert {"fuer_route", "fuer_session"} <= names
        from browser_support import leaving_requests

        assert leaving_requests(urls) == []
    finally:
        context.close()


def test_serve_check_writes_a_configuration_nginx_accepts(tmp_path: Path) -> None:
    _nginx_or_skip()
    from dashboard.__main__ import main

    assert main(["serve", "--check", "--replicas", "3", "--first-port", "8701", "--run-dir", str(tmp_path)]) == 0
    text = (tmp_path / "nginx.conf").read_text(encoding="utf-8")
    assert [line.strip() for line in text.splitlines() if line.strip().startswith("server 127.0.0.1:")] == [
        "server 127.0.0.1:8701 max_fails=3 fail_timeout=10s;",
        "server 127.0.0.1:8702 max_fails=3 fail_timeout=10s;",
        "server 127.0.0.1:8703 max_fails=3 fail_timeout=10s;",
    ]


def test_a_replica_that_dies_is_started_again(cluster) -> None:
    """Last in this file: it stops one of the shared cluster's replicas on purpose."""
    running, _ = cluster
    victim = running.replicas[1]
    victim.process.kill()
    victim.process.wait(timeout=10)
    # a replica is started again at most every RESTART_SECONDS (this test may run alone, early)
    time.sleep(max(0.0, victim.started + replicas.RESTART_SECONDS - time.monotonic()) + 0.1)
    assert running.keep_running() is None
    assert running.restarts == [victim.port]
    replicas.wait_healthy(victim.url, victim.process, 120, victim.log)

    async def one() -> list[str]:
        tab = st_client.Session(victim.url)
        await tab.open("")
        await tab.close()
        return tab.texts()

    assert "领导驾驶舱 · 淄博市" in scenario.run(one())
