"""Command line.

python -m dashboard progress --plan 两纲 --year 2024 [-o progress.csv]
    writes the engine's full per-item table (dashboard.engine.ITEM_COLUMNS: stable codes and
    names, status code and label, baseline, latest value, target, τ, ρ, trend, growth ratio,
    flags) as UTF-8 CSV with a byte-order mark, so Excel opens it with the Chinese intact.
python -m dashboard report --plan 两纲 --year 2024 [--region CODE] [--format docx|pdf] -o FILE
    writes the 中期评估 report (dashboard.report.bundle); --all-districts writes a zip, one per district.
python -m dashboard serve --replicas 2 [--listen 127.0.0.1:8501] [--first-port 8601] [--check]
    runs N Streamlit processes behind nginx with sticky sessions (dashboard.serve) until Ctrl+C.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from dashboard import engine
from dashboard.engine import labels, publication, report_year
from dashboard.queries import db
from dashboard.render import exports
from dashboard.report import bundle as report
from dashboard.report import pdf as report_pdf
from dashboard.ui import options

BASIS_HELP = "数据口径：reviewed 仅已审核数据，all 含待审核数据（默认按设置 publication_rule）"


def _parser() -> argparse.ArgumentParser:
    from etl.core import cli_words, settings

    cli_words.use_chinese()
    p = argparse.ArgumentParser(prog="python -m dashboard", description="妇儿规划监测看板 计算命令")
    sub = p.add_subparsers(dest="command", metavar="子命令", required=True)
    pr = sub.add_parser("progress", help="计算规划目标进度，输出逐项明细 CSV")
    pr.add_argument("--plan", required=True, help=engine.PLAN_ALIASES_HELP)
    pr.add_argument("--year", help="报告年份，如 2024（默认：应报数值报齐达到 report_year_threshold 的最近年份）")
    pr.add_argument("--region", help="地区代码（该地区及所辖地区；默认全部地区）")
    pr.add_argument("--label-set", default="default", help="标签集（default、midterm、evaluation 或配置中的其他名称）")
    pr.add_argument("--db", help=f"数据库文件（默认 {settings.SETTINGS['db_path'].default}，环境变量 FUER_DB）")
    pr.add_argument(
        "--basis",
        choices=list(publication.BASES),
        help=BASIS_HELP,
    )
    pr.add_argument("-o", "--output", type=Path, help="输出 CSV 文件（默认写到标准输出）")

    rp = sub.add_parser("report", help="生成中期评估报告（Word 或 PDF；--all-districts 为各区县报告的 zip）")
    rp.add_argument("--plan", required=True, help=engine.PLAN_ALIASES_HELP)
    rp.add_argument("--year", required=True, help="报告年份，如 2024")
    rp.add_argument("--region", help=f"地区代码（默认设置 region，当前 {settings.region_code()}）")
    rp.add_argument("--all-districts", action="store_true", help="为每个区县各生成一份报告，打包为 zip")
    rp.add_argument("--format", choices=report.FORMATS, help="docx 或 pdf（默认按输出文件的扩展名，否则 docx）")
    rp.add_argument("--label-set", default="default", help="标签集（default、midterm、evaluation 或配置中的其他名称）")
    rp.add_argument("--org", help="编制单位（默认设置 report_org）")
    rp.add_argument("--basis", choices=list(publication.BASES), help=BASIS_HELP)
    rp.add_argument("--db", help=f"数据库文件（默认 {settings.SETTINGS['db_path'].default}，环境变量 FUER_DB）")
    rp.add_argument(
        "-o", "--output", type=Path, required=True, help="输出文件（.docx、.pdf，或 --all-districts 时 .zip）"
    )

    sv = sub.add_parser(
        "serve", help="启动多个看板进程（副本）和 nginx 反向代理（会话保持、WebSocket），按 Ctrl+C 停止"
    )
    sv.add_argument("--replicas", type=int, default=2, help="Streamlit 进程（副本）数，默认 2")
    sv.add_argument("--listen", default="127.0.0.1:8501", help="代理监听的 地址:端口（默认 127.0.0.1:8501，只对本机）")
    sv.add_argument(
        "--first-port", type=int, default=8601, help="第一个副本的端口，其余依次加一（副本只监听 127.0.0.1）"
    )
    sv.add_argument("--run-dir", type=Path, help="nginx 配置、日志和临时文件的目录（默认 data/build/serve）")
    sv.add_argument("--check", action="store_true", help="只写出 nginx 配置并检查（nginx -t），不启动")
    return p


def _serve(args: argparse.Namespace) -> int:
    from dashboard.serve import proxy, replicas

    run_dir = args.run_dir or replicas.DEFAULT_RUN_DIR
    ports = [args.first_port + i for i in range(max(args.replicas, 0))]
    try:
        if args.check:
            path = proxy.write_config(run_dir, ports, listen=args.listen)
            print(f"nginx 配置已写入并通过检查：{path}", file=sys.stderr)
            return 0
    except (proxy.ProxyError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    with replicas.stop_signals():
        try:
            cluster = replicas.start_cluster(args.replicas, listen=args.listen, replica_ports=ports, run_dir=run_dir)
        except (replicas.ServeError, proxy.ProxyError, ValueError) as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:  # stopped while starting: start_cluster has stopped what it started
            return 130
        print(
            f"已启动 {args.replicas} 个副本（端口 {'、'.join(map(str, ports))}），经 nginx 访问：{cluster.url}"
            f"；日志在 {run_dir}；按 Ctrl+C 停止",
            file=sys.stderr,
        )
        return replicas.serve(cluster)


def _year(text: str) -> int | None:
    try:
        return int(str(text).strip().removesuffix("年"))
    except ValueError:
        print(f"错误：报告年份“{text}”不是年份（应为如 2024 的四位数字）", file=sys.stderr)
        return None


def _report(args: argparse.Namespace) -> int:
    from etl.core import settings

    year = _year(args.year)
    if year is None:
        return 2
    db_path = Path(args.db) if args.db else settings.db_path()
    if not db_path.is_file():
        print(f"错误：找不到数据库文件 {db_path}（先运行 python -m etl build）", file=sys.stderr)
        return 2
    suffix = args.output.suffix.lower().lstrip(".")
    fmt = args.format or (suffix if suffix in report.FORMATS else "docx")
    org = settings.get("report_org") if args.org is None else args.org
    try:
        inputs = report.load_inputs(db_path, args.plan, year, args.label_set, basis=args.basis)
        if args.all_districts:
            if not inputs.districts():
                print("错误：数据库中没有区县，无法按区县生成报告", file=sys.stderr)
                return 2
            data = report.district_zip(inputs, fmt, org=org)
            what = f"{len(inputs.districts())} 个区县的报告（zip）"
        else:
            region = args.region or settings.region_code()
            if inputs.result.by_region.filter(pl.col("region_code") == region).height == 0:
                print(f"错误：数据库中没有地区代码 {region}", file=sys.stderr)
                return 2
            _, data = report.one(inputs, region, fmt, org=org)
            what = f"{inputs.region_name(region)}的报告"
    except (engine.EngineError, labels.LabelConfigError, report_pdf.PdfError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    finally:
        db.close_all()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(data)
    sample = "（含示例数据）" if inputs.result.sample_data else ""
    print(f"已写入 {args.output}：{inputs.result.plan.name} {year} 年{what}，{fmt}{sample}", file=sys.stderr)
    return 0


def _progress(args: argparse.Namespace) -> int:
    from etl.core import settings

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
        elif (year := _year(args.year)) is None:
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
    if args.command == "report":
        return _report(args)
    if args.command == "serve":
        return _serve(args)
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
