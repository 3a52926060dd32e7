"""`python -m etl duty list|set|history`: member-unit duties from the command line (the same
records as the 规划目标 page's 成员单位分工 table)."""

from __future__ import annotations

import argparse
import json
from typing import Any

import polars as pl

from etl.core import settings, store

ORIGIN = "命令行"


def register_cli(subparsers: Any) -> None:
    p = subparsers.add_parser("duty", help="成员单位分工：哪个单位报送哪个指标、哪些区县、每年截止日")
    sub = p.add_subparsers(dest="duty_command", metavar="子命令", required=True)
    ls = sub.add_parser("list", help="列出现行分工")
    ls.add_argument("--unit", help="只列该成员单位牵头的指标")
    ls.add_argument("-o", "--output", help="写入 CSV 文件（Excel 可直接打开）")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)
    s = sub.add_parser("set", help="修改一个指标的分工（只写要改的项）")
    s.add_argument("indicator", help="指标代码")
    s.add_argument("--lead", help="牵头单位（报送数值的单位；“无”为清空）")
    s.add_argument("--shared", help="责任单位（多个用、分隔；“无”为清空）")
    s.add_argument("--districts", help="填报区县（名称或代码，用、分隔；“全部”为所有区县）")
    s.add_argument("--deadline", help="每年的报送截止日（次年 月-日，如 03-31；“默认”为按设置 return_deadline）")
    s.add_argument("--reason", required=True, help="修改原因")
    s.add_argument("--by", help="记录为修改人的姓名（默认：命令行的系统用户）")
    s.set_defaults(handler=cmd_set)
    h = sub.add_parser("history", help="一个指标的分工修改记录")
    h.add_argument("indicator")
    h.set_defaults(handler=cmd_history)


def cmd_list(args: argparse.Namespace, console: Any) -> int:
    from etl.workflow import duties

    con = store.open_snapshot(settings.db_path())
    try:
        unit = None
        if args.unit:
            unit = duties.UnitDirectory.of(con).resolve(args.unit)
            if unit is None:
                console.print(f"[red]成员单位“{args.unit}”不在名录中[/]")
                return 2
        frame = duties.duty_table(con, unit)
    finally:
        con.close()
    if args.output:
        frame.write_csv(args.output, include_bom=True)
        console.print(f"已导出 {args.output}（{frame.height} 行）")
    elif args.json:
        print(json.dumps(frame.to_dicts(), ensure_ascii=False, indent=2))
    else:
        for r in frame.iter_rows():
            print("\t".join(x or "—" for x in r))
    return 0


def cmd_set(args: argparse.Namespace, console: Any) -> int:
    from etl.returns.load import default_actor
    from etl.workflow import duties

    db = settings.db_path()
    if not db.exists() and not settings.database_url():
        console.print(f"[red]数据库 {db} 不存在，请先运行 python -m etl build[/]")
        return 2
    con = store.open_snapshot(db)
    try:
        base = duties.current(con).get(args.indicator)
        if base is None:
            console.print(f"[red]指标“{args.indicator}”不在指标目录中[/]")
            return 1
        duty = duties.from_texts(
            con,
            base,
            lead=args.lead,
            shared=args.shared,
            districts=args.districts,
            deadline=args.deadline,
            origin=ORIGIN,
        )
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        return 1
    finally:
        con.close()
    try:
        result = duties.save(db, [duty], actor=args.by or default_actor(), reason=args.reason)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        return 1
    if result.refused:
        console.print(f"[red]{result.refused[0][1]}[/]")
        return 1
    console.print(f"{args.indicator}：" + ("已保存分工" if result.added else "与现行分工相同，没有改动"))
    return 0


def cmd_history(args: argparse.Namespace, console: Any) -> int:
    from etl.workflow import duties

    frame = store.snapshot_query(settings.db_path(), duties.HISTORY_SQL, {"code": args.indicator})
    if frame.height == 0:
        console.print(f"{args.indicator}：分工没有修改过（按指标目录随系统提供）。")
        return 0
    for r in frame.with_columns(pl.col("changed_at").dt.strftime("%Y-%m-%d %H:%M")).iter_rows(named=True):
        print(
            f"版本{r['revision']}\t牵头：{r['lead_unit'] or '—'}\t责任：{r['shared_units'] or '—'}"
            f"\t区县：{r['districts'] or '全部'}\t截止日：{r['deadline'] or '默认'}"
            f"\t{r['actor']}\t{r['changed_at'] or '—'}\t{r['reason']}"
        )
    return 0
