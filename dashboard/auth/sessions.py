"""Sign-in and permissions without Streamlit: passwords, failed-attempt backoff, session expiry.

The Streamlit glue (forms, st.login, session state) is in `dashboard.auth.gate`; everything that
decides something lives here as plain functions so it can be tested directly.

Roles (etl.workflow.users): 妇儿工委办 `office` may do everything; a 成员单位 `unit` uploads its own
indicators' returns and reads everything else; 领导 `leader` reads. The server-side rule that a
unit can only load its own indicators is enforced again in `etl.returns.load.load_file`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from etl.core import settings
from etl.workflow.users import ROLE_OFFICE, ROLE_UNIT, User, UsersConfig, hash_password, password_matches

# Which roles may open the pages that change data, and 数据 (every table, other units' raw rows,
# rejections and audit trail included). Other reading pages are open to every signed-in user.
PAGE_ROLES: dict[str, frozenset[str]] = {
    "upload": frozenset({ROLE_UNIT, ROLE_OFFICE}),
    "review": frozenset({ROLE_OFFICE}),
    "data": frozenset({ROLE_OFFICE}),
    "targets": frozenset({ROLE_OFFICE}),  # the office's own plan targets
}

_DUMMY_HASH: str | None = None  # verified against for unknown users, so timing does not tell


def may(user: User | None, page: str) -> bool:
    """Whether `user` may open one of the PAGE_ROLES pages."""
    return user is not None and user.role in PAGE_ROLES.get(page, frozenset())


def session_limits() -> tuple[float, float]:
    """(maximum session length, idle timeout) in seconds, from the settings."""
    return (float(settings.get("session_minutes")) * 60, float(settings.get("session_idle_minutes")) * 60)


@dataclass
class SignedIn:
    """One signed-in browser session (kept in the Streamlit session state)."""

    username: str
    started: float  # time.time() at sign-in
    last_seen: float

    def expiry_reason(self, now: float, *, max_age: float, idle: float) -> str | None:
        """Why this session has ended (Chinese), or None while it is valid."""
        if now - self.started > max_age:
            return f"登录已超过 {max_age / 3600:g} 小时，请重新登录。"
        if now - self.last_seen > idle:
            return f"已有 {idle / 60:g} 分钟没有操作，请重新登录。"
        return None


class SignInThrottle:
    """Short, capped delays after failed sign-ins; never a lockout of the real user.

    Per user name and browser session: the first `free` failures cost nothing, each further
    one doubles the wait (from `base` seconds up to `max_wait`). Across sessions: once a user
    name has `user_limit` failures within `window` seconds (someone guessing from many sessions),
    every attempt for it waits `user_delay` seconds after the previous failure. A guesser is
    slowed to one try per `user_delay`; the real user, in their own session, waits at most
    that long — never the whole window.
    """

    def __init__(
        self,
        *,
        free: int = 3,
        base: float = 2.0,
        max_wait: float = 30.0,
        user_limit: int = 20,
        window: float = 900.0,
        user_delay: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free, self.base, self.max_wait = free, base, max_wait
        self.user_limit, self.window, self.user_delay, self.clock = user_limit, window, user_delay, clock
        self._lock = threading.Lock()
        self._session: dict[tuple[str, str], tuple[int, float]] = {}  # → (failures, last failure)
        self._user: dict[str, deque[float]] = defaultdict(deque)

    @staticmethod
    def _name(username: str) -> str:
        return username.strip().lower()

    def wait_seconds(self, username: str, session_id: str) -> float:
        """Seconds before another attempt is allowed (0: now)."""
        now = self.clock()
        name = self._name(username)
        with self._lock:
            recent = self._user[name]
            while recent and now - recent[0] > self.window:
                recent.popleft()
            waits = [0.0]
            if len(recent) >= self.user_limit:
                waits.append(self.user_delay - (now - recent[-1]))
            failures, last = self._session.get((name, session_id), (0, 0.0))
            if failures >= self.free:
                delay = min(self.base * 2 ** (failures - self.free), self.max_wait)
                waits.append(delay - (now - last))
            return max(waits)

    def failed(self, username: str, session_id: str) -> None:
        now = self.clock()
        name = self._name(username)
        with self._lock:
            failures, _ = self._session.get((name, session_id), (0, 0.0))
            self._session[(name, session_id)] = (failures + 1, now)
            self._user[name].append(now)

    def succeeded(self, username: str, session_id: str) -> None:
        with self._lock:
            self._session.pop((self._name(username), session_id), None)


THROTTLE = SignInThrottle()  # one per app process: every session of the process shares it


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    message: str  # Chinese; empty on success
    wait: float = 0.0


def _verify(password_hash: str | None, password: str) -> bool:
    global _DUMMY_HASH
    if password_hash is None:
        if _DUMMY_HASH is None:
            _DUMMY_HASH = hash_password("not a password: equalises timing for unknown users")
        password_matches(_DUMMY_HASH, password)
        return False
    return password_matches(password_hash, password)


def sign_in(
    config: UsersConfig, username: str, password: str, *, session_id: str, throttle: SignInThrottle = THROTTLE
) -> SignInResult:
    """Check a user name and password; failures are throttled and never say which part was wrong."""
    username = username.strip()
    wait = throttle.wait_seconds(username, session_id)
    if wait > 0:
        # whole seconds, rounded up: "0 秒" would tell the user to retry when they may not
        return SignInResult(None, f"登录失败次数过多，请 {max(1, math.ceil(wait))} 秒后再试。", wait)
    user = config.users.get(username)
    if not password or not _verify(user.password_hash if user else None, password) or user is None:
        throttle.failed(username, session_id)
        return SignInResult(None, "用户名或密码不正确。")
    throttle.succeeded(username, session_id)
    return SignInResult(user, "")


def user_for_email(config: UsersConfig, email: str | None) -> User | None:
    """The configured user an OIDC identity (st.user.email) stands for, matched case-insensitively."""
    if not email:
        return None
    wanted = email.strip().lower()
    return next((u for u in config.users.values() if u.email and u.email.strip().lower() == wanted), None)


# --- a sign-in that survives a reload or a new tab ------------------------------------------------
# The browser keeps a short-lived token in a cookie: "v1.<user>.<started>.<issued>.<hmac>",
# signed with a server-side key (HMAC-SHA256). `started` bounds the session's whole length
# (session_minutes); `issued`, renewed on every page run, bounds idle time (session_idle_minutes).
# Signing out revokes every token of that user begun before it: in this process, and through a
# small file next to the users file (shared by every app process on the machine) in the others.

SESSION_COOKIE = "fuer_session"
_REVOKED: dict[str, float] = {}  # username → when they signed out


def session_secret(path: Path) -> bytes:
    """The server's token key, kept next to the users file (created once, owner-only)."""
    try:
        key = path.read_bytes()
        if len(key) >= 32:
            return key
    except FileNotFoundError:
        pass
    key = secrets.token_bytes(32)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


def _sign(secret: bytes, payload: str) -> str:
    return hmac.new(secret, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def session_token(secret: bytes, username: str, started: float, issued: float) -> str:
    """A signed token naming `username`, for the session cookie."""
    name = base64.urlsafe_b64encode(username.encode("utf-8")).decode("ascii").rstrip("=")
    payload = f"v1.{name}.{int(started)}.{int(issued)}"
    return f"{payload}.{_sign(secret, payload)}"


def read_session_token(
    secret: bytes, token: str | None, now: float, *, max_age: float, idle: float, revoked: Path | None = None
) -> tuple[str, float] | None:
    """(username, started) of a valid token; None when forged, malformed, expired or revoked
    (in this process, or in the revocation file `revoked`)."""
    parts = (token or "").split(".")
    if len(parts) != 5 or parts[0] != "v1":
        return None
    payload, signature = ".".join(parts[:4]), parts[4]
    if not hmac.compare_digest(_sign(secret, payload), signature):
        return None
    try:
        username = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)).decode("utf-8")
        started, issued = float(parts[2]), float(parts[3])
    except (ValueError, UnicodeDecodeError):
        return None
    if now - started > max_age or now - issued > idle or issued > now + 60:
        return None
    if started <= max(_REVOKED.get(username, -math.inf), revocations(revoked).get(username, -math.inf)):
        return None
    return username, started


def revoke_sessions(username: str, now: float, record: Path | None = None) -> None:
    """Signing out ends every session of `username` begun until now: in this app process and,
    with `record` (the revocation file every replica reads), in the other processes too."""
    _REVOKED[username] = max(now, _REVOKED.get(username, -math.inf))
    if record is None:
        return
    name = base64.urlsafe_b64encode(username.encode("utf-8")).decode("ascii")
    record.parent.mkdir(parents=True, exist_ok=True)
    # one short line per sign-out, appended: processes signing out at once never overwrite each other
    fd = os.open(record, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "a", encoding="ascii") as fh:
        fh.write(f"{name}\t{now:.3f}\n")


def revocations(record: Path | None) -> dict[str, float]:
    """username → latest sign-out in the revocation file (empty when there is none)."""
    if record is None:
        return {}
    try:
        lines = record.read_text(encoding="ascii", errors="replace").splitlines()
    except FileNotFoundError:
        return {}
    out: dict[str, float] = {}
    for line in lines:
        name, _, when = line.partition("\t")
        try:
            username = base64.urlsafe_b64decode(name).decode("utf-8")
            out[username] = max(float(when), out.get(username, -math.inf))
        except ValueError:  # a torn or foreign line: ignore it, never fail a sign-in check
            continue
    return out
