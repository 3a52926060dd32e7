"""`python -m etl targets import|export`: the plan target table from the command line."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from etl.core import settings, store


def register_cli(subparsers: Any) -> None:
    t = subparsers.add_parser("targets", help="导入、导出本地规划目标表（主要目标附表格式）")
    sub = t.add_subparsers(dest="targets_command", metavar="子命令", required=True)
    i = sub.add_parser("import", help="导入目标表（xlsx/xls/csv）；每条改动记为一次修订")
    i.add_argument("file", type=Path)
    i.add_argument("--plan", help="表中没有“规划”列时所属规划（默认 两规）")
    i.add_argument("--region", help="表中没有“地区”列时的地区代码（默认：全部地区）")
    i.add_argument("--reason", help="修改原因（默认：导入目标表 文件名）")
    i.add_argument("--by", help="记录为修改人的姓名（默认：命令行的系统用户）")
    i.add_argument("--json", action="store_true", help="以 JSON 输出结果和问题")
    i.set_defaults(handler=cmd_import)
    e = sub.add_parser("export", help="导出当前目标（每行注明规划和地区），可原样导入")
    e.add_argument("--plan", help="只导出该规划（两纲、两规、十四五；默认全部）")
    e.add_argument("--region", help="只导出该地区代码的目标（默认全部）")
    e.add_argument("-o", "--output", required=True, type=Path, help="输出文件（.xlsx 或 .csv）")
    e.set_defaults(handler=cmd_export)


def cmd_import(args: argparse.Namespace, console: Any) -> int:
    from etl.core.records import SEVERITY_ERROR
    from etl.returns.load import default_actor
    from etl.targets.importer import import_plan_table

    if not args.file.is_file():
        console.print(f"[red]找不到文件：{args.file}[/]")
        return 2
    db = settings.db_path()
    if not db.exists():
        console.print(f"[red]数据库 {db} 不存在，请先运行 python -m etl build[/]")
        return 2
    try:
        report = import_plan_table(
            db, args.file, actor=args.by or default_actor(), reason=args.reason, plan=args.plan, region=args.region
        )
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    result = report.result
    added, unchanged = len(result.added), len(result.unchanged)
    duties_added = len(report.duty_result.added) if report.duty_result else 0
    if args.json:
        print(
            json.dumps(
                {
                    "added": added,
                    "unchanged": unchanged,
                    "duties_changed": duties_added,
                    "findings": [f.as_dict() for f in report.findings],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        console.print(
            f"{report.file}：新增或修改目标 {added} 条，未变 {unchanged} 条，"
            f"更新成员单位分工 {duties_added} 项，问题 {len(report.errors)} 个"
        )
        for f in report.findings:
            color = "red" if f.severity == SEVERITY_ERROR else "yellow"
            console.print(f"[{color}]{f.message}[/]", highlight=False)
    return 1 if report.errors else 0


def cmd_export(args: argparse.Namespace, console: Any) -> int:
    from etl.targets.importer import export_frame, write_export

    con = store.open_snapshot(settings.db_path())
    try:
        frame = export_frame(con, plan=args.plan, region=args.region)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    finally:
        con.close()
    write_export(frame, args.output)
    console.print(f"已导出 {args.output}（{frame.height} 行）")
    return 0
