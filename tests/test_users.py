"""Users and sign-in: argon2 hashes only (no password anywhere in the repo or the database),
the add / reset commands, failed sign-in backoff and session expiry."""

from __future__ import annotations

import argparse
import io
import re
import secrets
import subprocess
from pathlib import Path

import argon2
import pytest
from rich.console import Console

from dashboard.auth import sessions as auth
from etl.returns.load import submit_file
from etl.workflow import approval, users

REPO = Path(__file__).resolve().parents[1]
# a real argon2 hash, not the word "$argon2" in code that checks for one
HASH = re.compile(rb"\$argon2id?\$v=\d+\$m=\d+")


def new_password() -> str:
    # made up at run time, so finding it anywhere means this run's code wrote it there
    return "Pw-" + secrets.token_urlsafe(18)


def run_cli(argv: list[str], stdin: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    users.register_cli(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    code = args.handler(args, Console(file=out, width=200))
    return code, out.getvalue()


@pytest.mark.production_hash
def test_add_user_stores_only_an_argon2_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "users.toml"
    pw = new_password()
    code, out = run_cli(
        [
            "user",
            "--users-file",
            str(path),
            "add",
            "health01",
            "--role",
            "unit",
            "--unit",
            "卫健委",
            "--name",
            "卫健委 李明",
            "--password-stdin",
        ],
        pw + "\n",
        monkeypatch,
    )
    assert code == 0, out
    assert f"已保存用户 health01（成员单位，卫生健康委）到 {path}" in out
    text = path.read_bytes()
    assert pw.encode() not in text and HASH.search(text)
    assert path.stat().st_mode & 0o077 == 0  # readable by its owner only

    user = users.load_users(path).users["health01"]
    assert (user.role, user.unit_code, user.display_name) == ("unit", "health", "卫健委 李明")
    params = argon2.extract_parameters(user.password_hash)
    assert params.type is argon2.Type.ID and params.memory_cost >= 19 * 1024 and params.time_cost >= 2
    assert argon2.PasswordHasher().verify(user.password_hash, pw)


def test_reset_keeps_the_offices_comments_and_other_users(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "users.toml"
    path.write_text((REPO / "data/config/users.example.toml").read_text(encoding="utf-8"), encoding="utf-8")
    first, second = new_password(), new_password()
    assert (
        run_cli(["user", "--users-file", str(path), "passwd", "health01", "--password-stdin"], first, monkeypatch)[0]
        == 0
    )
    assert (
        run_cli(["user", "--users-file", str(path), "passwd", "health01", "--password-stdin"], second, monkeypatch)[0]
        == 0
    )
    text = path.read_text(encoding="utf-8")
    assert "# 角色：office = 妇儿工委办" in text and 'email = "liming@example.org"' in text
    assert text.count("password_hash") == 1
    config = users.load_users(path)
    assert set(config.users) == {"office01", "health01", "leader01"}
    assert auth.sign_in(config, "health01", second, session_id="s").user is not None
    assert auth.sign_in(config, "health01", first, session_id="s").user is None


def test_weak_passwords_and_unknown_units_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "users.toml"
    code, out = run_cli(
        ["user", "--users-file", str(path), "add", "a1", "--role", "office", "--password-stdin"], "short\n", monkeypatch
    )
    assert code == 2 and "至少需要" in out and not path.exists()
    code, out = run_cli(
        ["user", "--users-file", str(path), "add", "u1", "--role", "unit", "--unit", "外星局", "--password-stdin"],
        new_password(),
        monkeypatch,
    )
    assert code == 2 and "未知成员单位" in out


def test_sign_in_checks_the_hash_and_never_says_which_part_was_wrong(tmp_path: Path) -> None:
    path = tmp_path / "users.toml"
    pw = new_password()
    users.set_user(path, "office01", role="office", name="工委办 王芳", password=pw)
    config = users.load_users(path)
    ok = auth.sign_in(config, " office01 ", pw, session_id="s1")
    assert ok.user is not None and ok.user.role == "office" and ok.user.actor == "工委办 王芳（office01）"
    wrong = auth.sign_in(config, "office01", pw + "x", session_id="s1")
    nobody = auth.sign_in(config, "nobody", pw, session_id="s1")
    assert wrong.user is None and nobody.user is None and wrong.message == nobody.message == "用户名或密码不正确。"


def test_a_damaged_hash_in_the_users_file_refuses_sign_in_without_an_error(tmp_path: Path) -> None:
    path = tmp_path / "users.toml"
    path.write_text(
        '[users.office01]\nrole = "office"\nname = "工委办 王芳"\npassword_hash = "$argon2id$damaged"\n',
        encoding="utf-8",
    )
    result = auth.sign_in(users.load_users(path), "office01", "Pw-anything-at-all", session_id="s-damaged")
    assert result.user is None and result.message == "用户名或密码不正确。"
    assert users.password_matches("$argon2id$damaged", "Pw-anything-at-all") is False


def test_failed_sign_ins_back_off_per_user_and_session() -> None:
    now = [1000.0]
    t = auth.SignInThrottle(
        free=3, base=2.0, max_wait=30.0, user_limit=16, window=900.0, user_delay=5.0, clock=lambda: now[0]
    )
    for _ in range(3):
        assert t.wait_seconds("u", "s1") == 0
        t.failed("u", "s1")
    assert t.wait_seconds("u", "s1") == 2.0  # 4th attempt: 2 s
    t.failed("u", "s1")
    assert t.wait_seconds("u", "s1") == 4.0  # then 4 s, 8 s … up to max_wait
    for _ in range(10):
        t.failed("u", "s1")
    assert t.wait_seconds("u", "s1") == 30.0
    assert t.wait_seconds("u", "s2") == 0  # another browser session starts afresh …
    t.failed("U ", "s2")
    t.failed("u", "s2")
    # … but past the user's cap (16 in 15 minutes) every session waits a short, fixed delay
    assert t.wait_seconds("u", "s3") == 5.0
    now[0] += 5
    assert t.wait_seconds("u", "s3") == 0
    now[0] += 901
    t.succeeded("u", "s1")
    assert t.wait_seconds("u", "s1") == 0


def test_an_attack_never_locks_the_real_user_out_for_long() -> None:
    """A guesser hammering from fresh sessions for an hour: the real user, in a session of their
    own, never has to wait more than the short per-user delay."""
    now = [0.0]
    t = auth.SignInThrottle(clock=lambda: now[0])
    longest = 0.0
    for second in range(3600):
        now[0] = float(second)
        attacker = f"attacker-{second}"
        if t.wait_seconds("office01", attacker) == 0:
            t.failed("office01", attacker)
        longest = max(longest, t.wait_seconds("office01", "real-user"))
    assert longest == 5.0


def test_the_wait_message_never_says_zero_seconds(tmp_path: Path) -> None:
    now = [100.0]
    t = auth.SignInThrottle(free=1, base=2.0, clock=lambda: now[0])
    path = tmp_path / "users.toml"
    users.set_user(path, "office01", role="office", password=new_password())
    config = users.load_users(path)
    auth.sign_in(config, "office01", "wrong-password", session_id="s", throttle=t)
    now[0] += 1.9  # 0.1 s left
    blocked = auth.sign_in(config, "office01", "wrong-password", session_id="s", throttle=t)
    assert blocked.message == "登录失败次数过多，请 1 秒后再试。"


def test_a_throttled_user_is_refused_even_with_the_right_password(tmp_path: Path) -> None:
    path = tmp_path / "users.toml"
    pw = new_password()
    users.set_user(path, "office01", role="office", password=pw)
    config = users.load_users(path)
    throttle = auth.SignInThrottle(free=2, base=30.0)
    for _ in range(2):
        assert auth.sign_in(config, "office01", "wrong-password", session_id="s", throttle=throttle).user is None
    blocked = auth.sign_in(config, "office01", pw, session_id="s", throttle=throttle)
    assert blocked.user is None and "秒后再试" in blocked.message and blocked.wait > 0


def test_sessions_expire_after_idle_time_and_maximum_age() -> None:
    s = auth.SignedIn("u", started=0.0, last_seen=0.0)
    assert s.expiry_reason(100.0, max_age=3600, idle=600) is None
    assert "分钟没有操作" in s.expiry_reason(700.0, max_age=3600, idle=600)
    s.last_seen = 3500.0
    assert "重新登录" in s.expiry_reason(3700.0, max_age=3600, idle=600)


def test_no_password_in_the_database_or_the_repository(
    work_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A whole round (sign in, upload as that user, approve) leaves no password or hash behind."""
    path = tmp_path / "users.toml"
    pw = new_password()
    users.set_user(path, "edu01", role="unit", unit="教育局", name="教育局 张三", password=pw)
    user = auth.sign_in(users.load_users(path), "edu01", pw, session_id="s").user
    f = tmp_path / "教育局.csv"
    f.write_text("指标代码,地区代码,年份,数值\nC-EDU-02,370303,2024,97.5\n", encoding="utf-8")
    assert submit_file(work_db, f, unit=user.unit_code, enforce_unit=True, actor=user.actor).accepted == 1
    approval.approve(work_db, "education", 2024, actor=user.actor)

    data = work_db.read_bytes()
    assert pw.encode() not in data and pw.encode("utf-16-le") not in data and not HASH.search(data)
    assert "教育局 张三（edu01）".encode() in data  # the actor is recorded, so the search looked at the right file

    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    files = [REPO / p for p in tracked.decode().split("\0") if p]
    assert files
    for p in files:
        if p.is_file():
            content = p.read_bytes()
            assert pw.encode() not in content and not HASH.search(content), p
    # the real users file can never be committed by accident
    ignored = subprocess.run(["git", "check-ignore", "-q", "data/config/users.toml"], cwd=REPO)
    assert ignored.returncode == 0
    example = (REPO / "data/config/users.example.toml").read_text(encoding="utf-8")
    assert "password_hash" not in re.sub(r"(?m)^#.*$", "", example)
