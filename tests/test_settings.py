"""Every setting is documented, and unknown settings are refused."""

from pathlib import Path

import pytest

from etl.core import settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(settings.SETTINGS))
def test_every_setting_is_in_the_readme(name: str) -> None:
    s = settings.SETTINGS[name]
    assert f"| {name} | `{s.env}` |" in README


def test_unknown_setting_is_an_error() -> None:
    with pytest.raises(KeyError, match="未知设置"):
        settings.get("no_such_setting")


def test_environment_overrides_default(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("FUER_DB", str(tmp_path / "a.duckdb"))
    assert settings.db_path() == tmp_path / "a.duckdb"
    monkeypatch.delenv("FUER_DB")
    assert settings.db_path().name == "fuer.duckdb"
