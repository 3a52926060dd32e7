"""Signing out on one app process (replica) ends the session on the others: the shared
revocation file next to the users file."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.auth import sessions as auth

SECRET = b"k" * 32
LIMITS = {"max_age": 8 * 3600.0, "idle": 3600.0}


def test_a_sign_out_recorded_by_one_process_holds_in_another(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "_REVOKED", {})  # this process's memory, restored after the test
    record = tmp_path / "users.toml.revoked"
    token = auth.session_token(SECRET, "办公室01", 3_000_000, 3_000_000)
    other = auth.session_token(SECRET, "edu01", 3_000_000, 3_000_000)
    auth.revoke_sessions("办公室01", 3_000_010, record)
    monkeypatch.setattr(auth, "_REVOKED", {})  # another process: nothing revoked in its memory
    assert auth.read_session_token(SECRET, token, 3_000_020, **LIMITS, revoked=record) is None
    # without the file that process would not know
    assert auth.read_session_token(SECRET, token, 3_000_020, **LIMITS) == ("办公室01", 3_000_000.0)
    # a later sign-in of the same user, and other users, are not affected
    later = auth.session_token(SECRET, "办公室01", 3_000_030, 3_000_030)
    assert auth.read_session_token(SECRET, later, 3_000_040, **LIMITS, revoked=record) == ("办公室01", 3_000_030.0)
    assert auth.read_session_token(SECRET, other, 3_000_040, **LIMITS, revoked=record) == ("edu01", 3_000_000.0)
    assert record.stat().st_mode & 0o777 == 0o600


def test_the_revocation_file_keeps_the_latest_sign_out_and_skips_torn_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "_REVOKED", {})
    record = tmp_path / "users.toml.revoked"
    auth.revoke_sessions("edu01", 5_000_000, record)
    auth.revoke_sessions("edu01", 4_000_000, record)
    with record.open("a", encoding="ascii") as fh:
        fh.write("not base64 at all\tx\nZWR1MDE")  # a foreign line and a torn last line
    assert auth.revocations(record) == {"edu01": 5_000_000.0}
    assert auth.revocations(tmp_path / "missing") == {}
    assert auth.revocations(None) == {}
