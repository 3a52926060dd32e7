"""`python -m etl load-places`: load place files through the one atomic write path and print
what happened to each."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import duckdb

from etl.core import settings
from etl.core.records import SEVERITY_ERROR, SEVERITY_INFO
from etl.places.load import load_places
from etl.places.vocabulary import KINDS, normalise_coord_system
from etl.returns.load import FileReport


def register_cli(subparsers: Any) -> argparse.ArgumentParser:
    """Add `load-places` to the `python -m etl` sub-commands; run it with `cmd_load_places`."""
    p = subparsers.add_parser("load-places", help="载入美丽庭院、儿童友好社区/儿童之家或村和社区数表格（xlsx/xls/csv）")
    p.add_argument("files", nargs="+", type=Path, metavar="文件", help="场所表格文件，可一次给多个")
    p.add_argument(
        "--kind",
        choices=KINDS,
        help="courtyard（美丽庭院）、child_friendly（儿童友好社区/儿童之家）、"
        "community_count（村和社区数）；不填则按表头判断",
    )
    p.add_argument(
        "--coord-system", dest="coord_system", help="文件未注明坐标系时使用：WGS-84（GPS，默认）或 GCJ-02（高德/腾讯）"
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出每个文件的结果")
    return p


def cmd_load_places(args: argparse.Namespace, console: Any) -> int:
    """`python -m etl load-places …`: same atomic path and summary as `load`."""
    import json

    from etl.core.store import publish

    missing = [str(f) for f in args.files if not Path(f).is_file()]
    if missing:
        console.print(f"[red]找不到文件：{'、'.join(missing)}[/]")
        return 2
    try:
        normalise_coord_system(args.coord_system)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    db = settings.db_path()
    if not db.exists():
        console.print(f"[red]数据库 {db} 不存在，请先运行 python -m etl build[/]")
        return 2

    def change(con: duckdb.DuckDBPyConnection) -> tuple[list[FileReport], bool]:
        out = load_places(con, args.files, args.kind, args.coord_system)
        return out, any(r.status == "loaded" for r in out)

    reports = publish(db, change)
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        _print_summary(console, reports)
    return 1 if any(r.status == "failed" for r in reports) else 0


_STATUS_ZH = {"loaded": "已载入", "unchanged": "未变（重复文件）", "failed": "失败"}


def _print_summary(console: Any, reports: list[FileReport]) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="载入结果")
    for col in ("文件", "状态", "载入", "替换", "拒绝"):
        table.add_column(col)
    for r in reports:
        table.add_row(r.file, _STATUS_ZH[r.status], str(r.accepted), str(r.revisions), str(r.rejected))
    console.print(table)
    for r in reports:
        for f in r.findings:
            if f.severity != SEVERITY_INFO:
                colour = "red" if f.severity == SEVERITY_ERROR else "yellow"
                console.print(f"[{colour}]{escape(f.message)}[/]", highlight=False)
        if r.status == "failed":
            console.print(f"[red]{escape(r.message)}[/]", highlight=False)
