"""Every setting of the product in one place: name, environment variable, default, help.

Settings are read from the environment (the CLI flags set the same variables). A test checks
that each one is documented in README.md, so nothing configurable stays hidden.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
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
            "database_url",
            "FUER_DATABASE_URL",
            "",
            "可选：PostgreSQL 连接地址（postgresql://用户@主机:端口/库名）。设置后所有写入都进入 PostgreSQL（事务），"
            "FUER_DB 成为本进程从 PostgreSQL 生成的本地只读快照；留空则使用 DuckDB 单文件",
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
        Setting(
            "users_file",
            "FUER_USERS_FILE",
            str(DATA_DIR / "config" / "users.toml"),
            "用户配置文件（用户、角色、所属成员单位、密码哈希）；不存在时看板只读开放、不能填报和审核",
        ),
        Setting(
            "publication_rule",
            "FUER_PUBLICATION_RULE",
            "auto",
            "领导视图（驾驶舱、区县对比、中期评估、达标率地图、进度命令、下载）计入哪些数值："
            "auto 为配置了用户后仅计已审核数值、未配置用户（只读演示）时计入全部；"
            "reviewed 始终仅计已审核；all 始终计入全部并标注待审核",
        ),
        Setting(
            "report_year_threshold",
            "FUER_REPORT_YEAR_THRESHOLD",
            "80",
            "默认报告年份：应报数值（按上述口径）报齐达到该百分比的最近年份；少数单位提前报送的数值不会改变默认年份",
        ),
        Setting(
            "outlier_ratio",
            "FUER_OUTLIER_RATIO",
            "2",
            "预检提醒：数值与上年之比超过该倍数（或低于其倒数）时提醒核对",
        ),
        Setting(
            "outlier_z",
            "FUER_OUTLIER_Z",
            "3.5",
            "预检提醒：数值在各区县中的修正 z 分数（0.6745×(数值−中位数)÷绝对中位差）绝对值超过该值时提醒核对",
        ),
        Setting(
            "bounds_edge_pct",
            "FUER_BOUNDS_EDGE_PCT",
            "0.5",
            "预检提醒：数值距合理范围上限（或不为 0 的下限）不超过范围宽度的该百分比、"
            "而上年数值（或各区县中位数）不在边缘时提醒核对",
        ),
        Setting("upload_max_mb", "FUER_UPLOAD_MAX_MB", "10", "上传报表的大小上限（MB）"),
        Setting("session_minutes", "FUER_SESSION_MINUTES", "480", "登录后最长多少分钟需重新登录"),
        Setting("session_idle_minutes", "FUER_SESSION_IDLE_MINUTES", "60", "无操作多少分钟后需重新登录"),
        Setting(
            "return_deadline",
            "FUER_RETURN_DEADLINE",
            "03-31",
            "年度报表的报送截止日（次年的 月-日），用于计算报送及时率",
        ),
        Setting(
            "map_tile_url",
            "FUER_MAP_TILE_URL",
            "",
            "可选底图瓦片地址模板（含 {z}/{x}/{y}，如天地图须带本单位密钥）；留空则不加载底图、不发出任何外部请求",
        ),
        Setting(
            "map_tile_datum",
            "FUER_MAP_TILE_DATUM",
            "WGS-84",
            "底图瓦片坐标系：WGS-84（天地图/CGCS2000，会换算到 GCJ-02 与边界对齐）或 GCJ-02（高德）",
        ),
        Setting(
            "report_org",
            "FUER_REPORT_ORG",
            "",
            "中期评估报告封面和评估表上的编制单位（如 某市妇女儿童工作委员会办公室）；留空则留出待填写的位置",
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


def database_url() -> str:
    """The PostgreSQL system of record, or "" for the embedded DuckDB file."""
    return get("database_url").strip()


def region_code() -> str:
    return get("region")
