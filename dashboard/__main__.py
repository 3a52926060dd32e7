"""Command line: python -m dashboard progress --plan 两纲 --year 2024 [-o progress.csv].

Writes the engine's full per-item table (dashboard.engine.ITEM_COLUMNS: stable codes and
names, status code and label, baseline, latest value, target, τ, ρ, trend, growth ratio,
flags) as UTF-8 CSV with a byte-order mark, so Excel opens it with the Chinese intact.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from dashboard import db, engine, exports, labels, options, publication, report_year


def _parser() -> argparse.ArgumentParser:
    from etl import settings

    p = argparse.ArgumentParser(prog="python -m dashboard", description="妇儿规划监测看板 计算命令")
    sub = p.add_subparsers(dest="command", required=True)
    pr = sub.add_parser("progress", help="计算规划目标进度，输出逐项明细 CSV")
    pr.add_argument("--plan", required=True, help=engine.PLAN_ALIASES_HELP)
    pr.add_argument("--year", help="报告年份，如 2024（默认：应报数值报齐达到 report_year_threshold 的最近年份）")
    pr.add_argument("--region", help="地区代码（该地区及所辖地区；默认全部地区）")
    pr.add_argument("--label-set", default="default", help="标签集（default、midterm、evaluation 或配置中的其他名称）")
    pr.add_argument("--db", help=f"数据库文件（默认 {settings.SETTINGS['db_path'].default}，环境变量 FUER_DB）")
    pr.add_argument(
        "--basis",
        choices=list(publication.BASES),
        help="数据口径：reviewed 仅已审核数据，all 含待审核数据（默认按设置 publication_rule）",
    )
    pr.add_argument("-o", "--output", type=Path, help="输出 CSV 文件（默认写到标准输出）")
    return p


def _progress(args: argparse.Namespace) -> int:
    from etl import settings

    db_path = Path(args.db) if args.db else settings.db_path()
    if not db_path.is_file():
        print(f"错误：找不到数据库文件 {db_path}（先运行 python -m etl build）", file=sys.stderr)
        return 2
    try:
        basis = publication.resolve_basis(args.basis)
        if args.year is None:
            home = args.region or options.home_region(db_path) or settings.region_code()
            year = report_year.default_report_year(db_path, home, basis)
            if year is None:
                print("错误：数据库中没有可用的数值，无法确定默认报告年份；请用 --year 指定", file=sys.stderr)
                return 2
        else:
            try:
                year = int(str(args.year).strip().removesuffix("年"))
            except ValueError:
                print(f"错误：报告年份“{args.year}”不是年份（应为如 2024 的四位数字）", file=sys.stderr)
                return 2
        result = engine.run(db_path, args.plan, year, region=args.region, label_set=args.label_set, basis=basis)
    except (engine.EngineError, labels.LabelConfigError, publication.PublicationError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    finally:
        db.close_all()
    data = exports.csv_bytes(result.items)
    if args.output is None:
        sys.stdout.buffer.write(data)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_bytes(data)
        summary = engine.result_summary(result)
        print(
            f"已写入 {args.output}：{result.plan.name} {result.report_year} 年，"
            f"{summary['indicators']} 项指标 × {summary['regions']} 个地区，共 {result.items.height} 行；"
            f"{result.basis_caption}",
            file=sys.stderr,
        )
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "progress":
        return _progress(args)
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
