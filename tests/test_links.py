"""Words and links: a signed session token (reload / new tab), the unit's name in the sidebar,
link parameters that accept what the pages show."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_upload_page import signed_in

from dashboard.auth import sessions as auth
from dashboard.queries import db
from dashboard.views import maps

SECRET = b"k" * 32
LIMITS = {"max_age": 8 * 3600.0, "idle": 3600.0}


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    db.close_all()


def test_session_token_round_trip_and_refusals() -> None:
    token = auth.session_token(SECRET, "edu01", 1_000_000, 1_000_100)
    assert auth.read_session_token(SECRET, token, 1_000_200, **LIMITS) == ("edu01", 1_000_000.0)
    # another key, a changed user name, a malformed value
    assert auth.read_session_token(b"x" * 32, token, 1_000_200, **LIMITS) is None
    forged = token.replace(token.split(".")[1], "b2ZmaWNlMDE")  # "office01"
    assert auth.read_session_token(SECRET, forged, 1_000_200, **LIMITS) is None
    assert auth.read_session_token(SECRET, "v1.x.y", 1_000_200, **LIMITS) is None
    assert auth.read_session_token(SECRET, None, 1_000_200, **LIMITS) is None
    # idle for more than an hour; signed in for more than eight hours
    assert auth.read_session_token(SECRET, token, 1_000_100 + 3601, **LIMITS) is None
    late = auth.session_token(SECRET, "edu01", 1_000_000, 1_000_000 + 8 * 3600)
    assert auth.read_session_token(SECRET, late, 1_000_000 + 8 * 3600 + 1, **LIMITS) is None


def test_signing_out_revokes_earlier_tokens() -> None:
    token = auth.session_token(SECRET, "lead99", 2_000_000, 2_000_000)
    auth.revoke_sessions("lead99", 2_000_010)
    assert auth.read_session_token(SECRET, token, 2_000_020, **LIMITS) is None
    again = auth.session_token(SECRET, "lead99", 2_000_030, 2_000_030)
    assert auth.read_session_token(SECRET, again, 2_000_040, **LIMITS) == ("lead99", 2_000_030.0)


def test_session_key_is_created_once_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "users.toml.session-key"
    key = auth.session_secret(path)
    assert len(key) == 32 and auth.session_secret(path) == key
    assert path.stat().st_mode & 0o777 == 0o600


def test_sidebar_names_the_unit_not_its_code(work_db: Path, accounts) -> None:
    at = signed_in("edu01", accounts["edu01"])
    captions = [c.value for c in at.sidebar.caption]
    assert any("教育局" in c for c in captions) and not any("education" in c for c in captions)


def test_map_link_accepts_the_theme_names_people_use() -> None:
    args = {
        "years": {"courtyard": [2024], "child": [2024], "attainment": [2024]},
        "districts": [],
        "plans": ["liangang"],
    }
    for name in ("child_friendly", "儿童友好社区", "child"):
        view, notices = maps.parse_view({"theme": name}, **args)
        assert view.theme == "child" and notices == [], name
    view, notices = maps.parse_view({"theme": "playground"}, **args)
    assert view.theme == "courtyard" and notices == ["链接中的主题“playground”无效，已显示默认主题。"]
