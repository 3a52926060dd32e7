"""What the replica load test and the replica tests do, through the proxy, with st_client.

- `accounts`: a users file with one member-unit account (教育局), the briefing open without
  sign-in ([access] public_briefing), as an office running a wall display would set it.
- `returns`: disjoint member-unit returns for one year (CSV, long layout), each value known in
  advance, so a test can tell a lost value from a duplicated one.
- `view` / `upload`: one briefing session; one clerk signing in on the upload page, uploading a
  return, confirming it and reading back its submission number.
- `landed`: what the database holds for those returns afterwards (a plain read-only query).
- `recent_loads`: the 数据 page's list of loads as one replica shows it.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import st_client  # noqa: E402

UNIT, UNIT_CODE, USER = "教育局", "education", "edu01"
YEAR = 2025
_LOADED = re.compile(r"已载入（提交编号 (\d+)）")


@dataclass(frozen=True)
class Return:
    name: str  # file name, unique per return
    values: dict[tuple[str, str], float]  # (indicator code, region code) → value, year YEAR

    def csv(self) -> bytes:
        lines = ["指标代码,地区代码,年份,数值"]
        lines += [f"{ind},{reg},{YEAR},{value:g}" for (ind, reg), value in sorted(self.values.items())]
        return ("\n".join(lines) + "\n").encode("utf-8")


def accounts(folder: Path) -> tuple[Path, dict[str, str]]:
    """A users file (one 教育局 clerk, office account for the 数据 page) with the briefing public."""
    from etl.workflow import users

    path = folder / "users.toml"
    passwords = {USER: "Pw-" + secrets.token_urlsafe(16), "office01": "Pw-" + secrets.token_urlsafe(16)}
    users.set_user(path, USER, role="unit", unit=UNIT, name="测试教育局", password=passwords[USER])
    users.set_user(path, "office01", role="office", unit=None, name="测试工委办", password=passwords["office01"])
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"public_briefing = false", "public_briefing = true", text, count=1), encoding="utf-8")
    return path, passwords


def returns(db_path: Path, count: int) -> list[Return]:
    """`count` returns of 教育局 for YEAR, no two sharing a value: every `count`-th row of its
    template, each value equal to the region's value of the year before (so no plausibility
    warning asks for a second look)."""
    previous = _previous_values(db_path)
    keys = sorted(previous)
    out = []
    for i in range(count):
        part = {k: previous[k] for k in keys[i::count]}
        out.append(Return(f"教育局_{YEAR}_第{i + 1:02d}批.csv", part))
    if any(not r.values for r in out):
        raise ValueError(f"{UNIT} 的指标不够分成 {count} 份报表")
    return out


def _previous_values(db_path: Path) -> dict[tuple[str, str], float]:
    """(indicator, district) → the 合计 value of YEAR − 1 of the indicators the unit leads."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        frame = con.sql(
            """SELECT o.indicator_code, o.region_code, o.value
               FROM observation_current o
               JOIN region r ON r.code = o.region_code
               JOIN indicator_unit u ON u.indicator_code = o.indicator_code
               WHERE o.year = $y AND o.breakdown = '合计' AND r.level = 'county'
                 AND u.unit_code = $unit AND u.role = 'lead' AND o.value IS NOT NULL""",
            params={"y": YEAR - 1, "unit": UNIT_CODE},
        ).pl()
    finally:
        con.close()
    return {(i, r): float(v) for i, r, v in frame.iter_rows()}


def landed(db_path: Path, batch: list[Return]) -> dict[str, int]:
    """How the returns' values stand in the database: expected, found once with the right
    value, missing, duplicated (more than one current row or revision), wrong value."""
    import duckdb

    wanted = {k: v for r in batch for k, v in r.values.items()}
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.sql(
            """SELECT indicator_code, region_code, value FROM observation
               WHERE year = $y AND breakdown = '合计'""",
            params={"y": YEAR},
        ).fetchall()
        files = con.sql("SELECT file_name FROM submission").fetchall()
    finally:
        con.close()
    seen: dict[tuple[str, str], list[float]] = {}
    for ind, reg, value in rows:
        if (ind, reg) in wanted:
            seen.setdefault((ind, reg), []).append(value)
    names = [f for (f,) in files]
    return {
        "expected": len(wanted),
        "once": sum(1 for k, v in wanted.items() if seen.get(k) == [v]),
        "missing": sum(1 for k in wanted if k not in seen),
        "duplicated": sum(1 for k in wanted if len(seen.get(k, [])) > 1),
        "wrong": sum(1 for k, v in wanted.items() if len(seen.get(k, [])) == 1 and seen[k] != [v]),
        "submissions": sum(1 for r in batch if names.count(r.name) == 1),
        "submissions_duplicated": sum(1 for r in batch if names.count(r.name) > 1),
    }


def upstream_of(access_log: Path, route: str) -> str | None:
    """The replica (host:port) nginx last sent `route`'s requests to, from its access log."""
    found = None
    for line in access_log.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.endswith(f" route={route}"):
            found = re.search(r"upstream=(\S+)", line).group(1)  # type: ignore[union-attr]
    return found


def route_to(url: str, access_log: Path, port: int, tries: int = 64) -> str:
    """A route cookie value that nginx's hash sends to the replica on `port`."""
    for _ in range(tries):
        route = secrets.token_hex(16)
        session = st_client.Session(url)
        session.set_cookie("fuer_route", route)
        session._get("_stcore/health")
        if upstream_of(access_log, route) == f"127.0.0.1:{port}":
            return route
    raise LookupError(f"no route to port {port} in {tries} tries")


def session_via(url: str, route: str | None = None) -> st_client.Session:
    """A new tab through the proxy; with `route`, pinned to the replica that route hashes to."""
    session = st_client.Session(url)
    if route:
        session.set_cookie("fuer_route", route)
    return session


async def view(url: str, query: str = "") -> st_client.RunResult:
    """One briefing session opened through `url`; the websocket stays open until closed."""
    session = st_client.Session(url)
    try:
        return await session.open("", query)
    finally:
        await session.close()


async def sign_in(session: st_client.Session, user: str, password: str, page: str) -> None:
    await session.open(page)
    session.fill("用户名", user)
    session.fill("密码", password)
    await session.press("登录")


async def upload(url: str, password: str, item: Return, route: str | None = None) -> int:
    """A clerk signs in on the upload page, uploads `item`, confirms; its submission number."""
    session = session_via(url, route)
    try:
        await sign_in(session, USER, password, "upload")
        await session.upload("选择填好的报表", item.name, item.csv())
        texts = session.texts()
        if any(t.startswith("无法载入") for t in texts):
            raise st_client.ProtocolError(f"{item.name}: {texts}")
        ack = [e for e in session.of_kind("checkbox") if e.proto.label.startswith("我已核对")]
        if ack:
            await session.tick(ack[0].proto.label)
        await session.press("确认载入")
        for text in session.texts():
            found = _LOADED.search(text)
            if found:
                return int(found.group(1))
        raise st_client.ProtocolError(f"{item.name} 未载入：{session.texts()}")
    finally:
        await session.close()


async def recent_loads(url: str, password: str) -> list[str]:
    """The file names in the 数据 page's 最近的载入 table, as the replica behind `url` shows them."""
    session = st_client.Session(url)
    try:
        await sign_in(session, "office01", password, "data")
        tables = session.tables()
        for table in tables:
            if "文件" in table.column_names:
                return [str(x) for x in table.column("文件").to_pylist()]
        return []
    finally:
        await session.close()


def run(coro):  # noqa: ANN001, ANN201 - any coroutine, its result
    """asyncio.run(coro) in a thread of its own: callers may already run an event loop in this
    thread (pytest with Playwright's sync API does), where asyncio.run refuses to start."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
