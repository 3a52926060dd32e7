"""`python -m etl indicator add|edit|list|history`: the office's local indicators from the
command line (the same records as the 规划目标 page)."""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from etl.core import settings, store

ORIGIN = "命令行"


def register_cli(subparsers: Any) -> None:
    p = subparsers.add_parser("indicator", help="工委办的本地指标：新增、修改、列出、修改记录（指标目录中的指标只读）")
    sub = p.add_subparsers(dest="indicator_command", metavar="子命令", required=True)
    a = sub.add_parser("add", help="新增本地指标（代码 L-OFFICE-nnn 自动给出，不再改变）")
    a.add_argument("--name", required=True, help="指标名称")
    a.add_argument("--unit", default="", help="计量单位（%%、‰、1/10万、个……；定性指标留空）")
    a.add_argument("--decimals", type=int, default=1, help="小数位数（默认 1）")
    a.add_argument("--domain", required=True, help="所属领域（指标目录中的领域，如 妇女与健康）")
    _common(a)
    a.add_argument("--target-2025", help="两规 2025 年目标（如 ≥90%%、40%%—50%%、逐步提高）")
    a.add_argument("--target-2030", help="两规 2030 年目标；不写则为“目标待设定”")
    a.add_argument("--target-source", help="目标的来源/文号（数值目标必填）")
    a.set_defaults(handler=cmd_add)
    e = sub.add_parser("edit", help="修改本地指标（只写要改的项）")
    e.add_argument("code", help="指标代码，如 L-OFFICE-001")
    e.add_argument("--name")
    e.add_argument("--unit")
    e.add_argument("--decimals", type=int)
    e.add_argument("--domain")
    _common(e)
    e.set_defaults(handler=cmd_edit)
    ls = sub.add_parser("list", help="列出工委办添加的本地指标")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=cmd_list)
    h = sub.add_parser("history", help="本地指标的修改记录（修改人、时间、原因）")
    h.add_argument("code")
    h.set_defaults(handler=cmd_history)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--direction", help="指标方向：正向、逆向、无")
    p.add_argument("--definition", help="统计口径")
    p.add_argument("--data-source", help="数据来源")
    p.add_argument("--lead", help="牵头单位（成员单位名称）")
    p.add_argument("--shared", help="责任单位（多个用、分隔；“无”为清空）")
    p.add_argument("--reason", required=True, help="新增或修改的原因")
    p.add_argument("--by", help="记录为修改人的姓名（默认：命令行的系统用户）")


def _db(console: Any) -> Path | None:
    db = settings.db_path()
    if not db.exists() and not settings.database_url():
        console.print(f"[red]数据库 {db} 不存在，请先运行 python -m etl build[/]")
        return None
    return db


def _units(con: duckdb.DuckDBPyConnection, args: argparse.Namespace, base: Any) -> tuple[str | None, tuple]:
    from etl.workflow import duties

    duty = duties.from_texts(
        con, duties.Duty("", base.lead_unit, base.shared_units), lead=args.lead, shared=args.shared
    )
    return duty.lead_unit, duty.shared_units


def cmd_add(args: argparse.Namespace, console: Any) -> int:
    from etl.catalogue import local
    from etl.returns.load import default_actor
    from etl.targets.text import TargetTextError

    db = _db(console)
    if db is None:
        return 2
    try:
        direction = local.parse_direction(args.direction)
        con = store.open_snapshot(db)
        try:
            empty = local.LocalIndicator("", None, 0, "")
            lead, shared = _units(con, args, empty)
        finally:
            con.close()
        ind = local.LocalIndicator(
            name=args.name,
            unit=args.unit,
            decimals=args.decimals,
            domain=args.domain,
            direction=direction,
            definition=args.definition,
            data_source=args.data_source,
            lead_unit=lead,
            shared_units=shared,
        )
        result = local.save(
            db,
            ind,
            actor=args.by or default_actor(),
            reason=args.reason,
            targets=local.target_changes(
                {2025: args.target_2025, 2030: args.target_2030},
                direction=direction,
                source=args.target_source,
                origin=ORIGIN,
            ),
            origin=ORIGIN,
        )
    except (ValueError, TargetTextError) as exc:
        console.print(f"[red]{exc}[/]")
        return 1
    console.print(f"已新增本地指标 {result.code} {ind.name}（两规）")
    return 0


def cmd_edit(args: argparse.Namespace, console: Any) -> int:
    from etl.catalogue import local
    from etl.returns.load import default_actor

    db = _db(console)
    if db is None:
        return 2
    con = store.open_snapshot(db)
    try:
        before = local.current(con, args.code)
        if before is None:
            console.print(f"[red]“{args.code}”不是工委办添加的本地指标；指标目录中的指标只读，不能修改[/]")
            return 1
        lead, shared = _units(con, args, before)
        changes = {
            k: v
            for k, v in {
                "name": args.name,
                "unit": args.unit,
                "decimals": args.decimals,
                "domain": args.domain,
                "definition": args.definition,
                "data_source": args.data_source,
            }.items()
            if v is not None
        }
        if args.direction is not None:
            changes["direction"] = local.parse_direction(args.direction)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        return 1
    finally:
        con.close()
    wanted = replace(before, **changes, lead_unit=lead, shared_units=shared)
    try:
        result = local.save(db, wanted, actor=args.by or default_actor(), reason=args.reason, origin=ORIGIN)
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        return 1
    console.print(f"{result.code}：" + ("已保存修改" if result.changed else "没有改动"))
    return 0


def cmd_list(args: argparse.Namespace, console: Any) -> int:
    from etl.catalogue import local

    db = _db(console)
    if db is None:
        return 2
    con = store.open_snapshot(db)
    try:
        codes = sorted(local.local_codes(con))
        rows = con.sql(
            "SELECT indicator_code, indicator_name, unit, domain, lead_unit, other_units FROM indicator_catalogue"
            " WHERE list_contains($codes, indicator_code) ORDER BY indicator_code",
            params={"codes": codes},
        ).pl()
    finally:
        con.close()
    if args.json:
        print(json.dumps(rows.to_dicts(), ensure_ascii=False, indent=2))
    elif rows.height == 0:
        console.print("还没有工委办添加的本地指标。")
    else:
        for r in rows.iter_rows(named=True):
            print(
                f"{r['indicator_code']}\t{r['indicator_name']}\t{r['unit'] or '—'}\t{r['domain']}"
                f"\t牵头：{r['lead_unit'] or '—'}\t责任：{r['other_units'] or '—'}"
            )
    return 0


def cmd_history(args: argparse.Namespace, console: Any) -> int:
    from etl.catalogue import local

    db = _db(console)
    if db is None:
        return 2
    frame = store.snapshot_query(db, local.HISTORY_SQL, {"code": args.code})
    if frame.height == 0:
        console.print(f"[red]“{args.code}”没有修改记录（不是工委办添加的本地指标）[/]")
        return 1
    for r in frame.with_columns(pl.col("changed_at").dt.strftime("%Y-%m-%d %H:%M")).iter_rows(named=True):
        print(
            f"版本{r['revision']}\t{'新增' if r['action'] == 'add' else '修改'}\t{r['name']}\t{r['unit'] or '—'}"
            f"\t{r['actor']}\t{r['changed_at']}\t{r['reason']}"
        )
    return 0
