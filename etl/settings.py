"""Every setting of the product in one place: name, environment variable, default, help.

Settings are read from the environment (the CLI flags set the same variables). A test checks
that each one is documented in README.md, so nothing configurable stays hidden.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            "db_path",
            "FUER_DB",
            str(DATA_DIR / "build" / "fuer.duckdb"),
            "DuckDB 数据库文件路径（命令行 --db 同义）",
        ),
        Setting(
            "region",
            "FUER_REGION",
            "370300",
            "默认地区的行政区划代码（需有 data/regions/<代码>/）",
        ),
        Setting(
            "sample_dir",
            "FUER_SAMPLE_DIR",
            str(DATA_DIR / "build" / "samples"),
            "示例数据（各成员单位示例报表）的生成目录",
        ),
    )
}


def get(name: str) -> str:
    """Current value of a setting; unknown names are an error, never a silent default."""
    if name not in SETTINGS:
        raise KeyError(f"未知设置：{name}（可用：{', '.join(SETTINGS)}）")
    s = SETTINGS[name]
    return os.environ.get(s.env) or s.default


def db_path() -> Path:
    return Path(get("db_path"))


def region_code() -> str:
    return get("region")
