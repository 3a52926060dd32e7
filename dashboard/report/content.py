"""The 中期评估 report as content blocks (headings, paragraphs, tables, figures), built from
ProgressResults and independent of the file format (report_docx writes them to Word).

Layout of the hand-in report: cover · 一、总体情况 · 二、主要指标完成情况 (per outline, per domain:
paragraph, table, chart) · 三、存在的问题 · 四、下一步工作建议 (placeholders only) · 附表.
Every number in a paragraph is also in a table of the same part (report_text takes them as
arguments); every domain of the catalogue gets a section, with or without indicators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from dashboard.engine import ProgressResult, aggregate
from dashboard.render import present
from dashboard.report import charts as report_charts
from dashboard.report import text as report_text
from dashboard.views import midterm

OUTLINE_TITLES = {"women": "妇女发展纲要", "children": "儿童发展纲要"}
CN_NUMBERS = "一二三四五六七八九十"
# statuses that are not on course (the labels holding them get their spread over domains)
OFF_TRACK = frozenset(present.OFF_TRACK)
# better direction of a target kind, for the comparison with national values
HIGHER_IS_BETTER = {"at_least": True, "increase": True, "at_most": False, "decrease": False}


@dataclass(frozen=True)
class Heading:
    level: int  # 1 一、 · 2 （一） · 3 1.
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str
    placeholder: bool = False


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # relative column widths
    note: str = ""


@dataclass(frozen=True)
class Figure:
    caption: str
    png: bytes | None
    missing: str = ""  # why there is no image


Block = Heading | Paragraph | Table | Figure


@dataclass(frozen=True)
class Report:
    title: str
    region_code: str
    region_name: str
    plan_name: str
    plan_full_name: str
    report_year: int
    org: str
    made_on: date
    sample_data: bool
    sample_targets: bool
    body: tuple[Block, ...]
    annex: tuple[Block, ...] = field(default=())  # printed landscape

    @property
    def sample_mark(self) -> str:
        parts = ["示例数据"] if self.sample_data else []
        if self.sample_targets:
            parts.append("示例目标")
        return "、".join(parts) + "，仅供演示，不得作为正式材料上报" if parts else ""


def cell(value: Any) -> str:
    """A table cell as printed: rounded numbers without a trailing ".0", empty for missing."""
    if value is None:
        return ""
    if isinstance(value, float):
        text = repr(value)
        text = text[:-2] if text.endswith(".0") else text
        return present.MINUS + text[1:] if text.startswith("-") else text
    return str(value)


class _Numbering:
    """表N / 图N in order of appearance."""

    def __init__(self) -> None:
        self.tables = 0
        self.figures = 0

    def table(self) -> int:
        self.tables += 1
        return self.tables

    def figure(self) -> int:
        self.figures += 1
        return self.figures


def _counts(items: pl.DataFrame) -> dict[str, Any]:
    """One aggregate row (status counts, 达标率, its denominator) over `items` (合计 rows)."""
    counted = aggregate.status_counts(items.with_columns(pl.lit("all").alias("_all")), ["_all"])
    if counted.height:
        return counted.row(0, named=True)
    return {c: 0 for c in aggregate.AGGREGATE_COLUMNS} | {"attainment_rate": None}


def _with_data(items: pl.DataFrame) -> int:
    return items.filter(pl.col("latest_value").is_not_null()).height


def _pending_without_value(items: pl.DataFrame) -> int:
    """目标待设定 items without a value: neither 有数据 nor 无数据 (a status of its own)."""
    return items.filter((pl.col("status").cast(pl.String) != "no_data") & pl.col("latest_value").is_null()).height


def _share(part: int, whole: int) -> float | None:
    return None if not whole else part / whole * 100.0


def _label_of(styles: Sequence[present.LabelStyle]) -> dict[str, present.LabelStyle]:
    return {code: s for s in styles for code in s.codes}


def _overview(
    items: pl.DataFrame,
    previous: pl.DataFrame | None,
    national: pl.DataFrame,
    domains: Sequence[tuple[str, str]],
    styles: Sequence[present.LabelStyle],
    scope: str,
    result: ProgressResult,
    numbering: _Numbering,
) -> list[Block]:
    """一、总体情况: counts and 达标率, coverage, domains, national comparison, change since last year."""
    now = _counts(items)
    return [
        Heading(1, "一、总体情况"),
        *_overview_paragraphs(items, now, styles, scope, result),
        *_summary_table(items, now, previous, styles, result, numbering),
        *_domain_table(items, now, domains, result, numbering),
        *_national_comparison(items, national, _label_of(styles), numbering),
    ]


def _overview_paragraphs(
    items: pl.DataFrame,
    now: dict[str, Any],
    styles: Sequence[present.LabelStyle],
    scope: str,
    result: ProgressResult,
) -> list[Block]:
    """How many indicators got which label, the 达标率 and coverage; where the off-track ones are."""
    n = items.height
    with_data = _with_data(items)
    no_data = int(now["n_no_data"])
    label_counts = [(s.label, k) for s, k in present.label_counts(now, styles)]
    text = report_text.counts_sentence(scope, n, label_counts) + report_text.rate_sentence(
        now["attainment_rate"],
        int(now["rate_numerator"]),
        int(now["rate_denominator"]),
        int(now["excluded_direction"]),
        int(now["excluded_target_pending"]),
    )
    text += report_text.coverage_sentence(
        with_data,
        n,
        _share(with_data, n),
        no_data,
        _share(no_data, n),
        result.report_year,
        _pending_without_value(items),
    )
    blocks: list[Block] = [Paragraph(text)]
    spread = []
    for style in styles:
        if not OFF_TRACK.intersection(style.codes):
            continue
        mine = items.filter(pl.col("status").cast(pl.String).is_in(style.codes))
        if not mine.height:
            continue
        per_domain = (
            mine.group_by("domain", maintain_order=True).len().sort("len", descending=True, maintain_order=True)
        )
        spread.append(
            report_text.spread_sentence(style.label, mine.height, [(str(d), int(k)) for d, k in per_domain.iter_rows()])
        )
    lost = int(now["n_lost"])
    off_trend = midterm.off_trend(items)
    if lost:
        spread.append(f"曾经达标、现未达标（得而复失）的指标{lost}项。")
    if off_trend:
        spread.append(f"按当前趋势，尚未达标的指标中有{off_trend}项预计到{result.plan.target_year}年难以达标。")
    if spread:
        blocks.append(Paragraph("".join(spread)))
    return blocks


def _summary_table(
    items: pl.DataFrame,
    now: dict[str, Any],
    previous: pl.DataFrame | None,
    styles: Sequence[present.LabelStyle],
    result: ProgressResult,
    numbering: _Numbering,
) -> list[Block]:
    """表: the counts this year beside last year's, and the sentence on what changed."""
    year = result.report_year
    label_counts = [(s.label, k) for s, k in present.label_counts(now, styles)]
    then = _counts(previous) if previous is not None else None
    then_labels = dict((s.label, k) for s, k in present.label_counts(then, styles)) if then else {}
    rows = [
        _summary_row(name, value_now, value_then, delta, compared=then is not None)
        for name, value_now, value_then, delta in _summary_entries(
            items, now, previous, then, label_counts, then_labels, result.plan.target_year
        )
    ]
    t1 = numbering.table()
    columns = ("项目", f"{year}年") + ((f"{year - 1}年", "增减") if then is not None else ())
    blocks: list[Block] = [
        Table(f"表{t1} 主要指标评价情况汇总", columns, tuple(rows), (3.2, 1.2, 1.2, 1.0)[: len(columns)])
    ]
    if previous is not None and then is not None:
        changes = [(label, then_labels.get(label, 0), k) for label, k in label_counts]
        blocks.append(
            Paragraph(
                report_text.change_sentence(
                    year - 1, changes, then["attainment_rate"], now["attainment_rate"]
                ).removesuffix("。")
                + f"（见表{t1}）。"
            )
        )
    else:
        blocks.append(Paragraph(report_text.no_previous_sentence(result.plan.base_year)))
    return blocks


def _summary_entries(
    items: pl.DataFrame,
    now: dict[str, Any],
    previous: pl.DataFrame | None,
    then: dict[str, Any] | None,
    label_counts: list[tuple[str, int]],
    then_labels: dict[str, int],
    target_year: int,
) -> list[tuple[str, Any, Any, bool]]:
    """(项目, this year, last year or None, whether to show the change) per summary row."""
    n = items.height
    with_data = _with_data(items)
    no_data = int(now["n_no_data"])
    prev_with = _with_data(previous) if previous is not None else None

    def last(key: str) -> int | None:
        return int(then[key]) if then else None

    return [
        ("纳入评估的指标", n, previous.height if previous is not None else None, True),
        *((f"其中：{label}", k, then_labels.get(label), True) for label, k in label_counts),
        ("达标率分子（达到数值或定性目标）", int(now["rate_numerator"]), last("rate_numerator"), True),
        ("达标率分母（有数据且有数值或定性目标）", int(now["rate_denominator"]), last("rate_denominator"), True),
        (
            "达标率",
            present.percent(now["attainment_rate"]) or "无法计算",
            (present.percent(then["attainment_rate"]) or "无法计算") if then else None,
            False,
        ),
        ("方向性目标（不计入达标率）", int(now["excluded_direction"]), last("excluded_direction"), True),
        ("目标待设定（不计入达标率）", int(now["excluded_target_pending"]), last("excluded_target_pending"), True),
        ("有数据的指标", with_data, prev_with, True),
        (
            "数据覆盖率",
            present.percent(_share(with_data, n)),
            present.percent(_share(prev_with, previous.height))
            if previous is not None and prev_with is not None
            else None,
            False,
        ),
        ("无数据的指标", no_data, last("n_no_data"), True),
        (
            "无数据占比",
            present.percent(_share(no_data, n)),
            present.percent(_share(int(then["n_no_data"]), previous.height)) if then and previous is not None else None,
            False,
        ),
        (
            "无数值的其他指标（目标待设定等）",
            _pending_without_value(items),
            _pending_without_value(previous) if previous is not None else None,
            True,
        ),
        ("得而复失", int(now["n_lost"]), last("n_lost"), True),
        (
            f"按趋势预计{target_year}年难以达标",
            midterm.off_trend(items),
            midterm.off_trend(previous) if previous is not None else None,
            True,
        ),
    ]


def _summary_row(name: str, value_now: Any, value_then: Any, delta: bool, *, compared: bool) -> tuple[str, ...]:
    """(项目, 今年) or, beside last year, (项目, 今年, 去年, 增减)."""
    if not compared:
        return (name, cell(value_now))
    diff = ""
    if delta and isinstance(value_now, int) and isinstance(value_then, int):
        d = value_now - value_then
        diff = f"+{d}" if d > 0 else (f"{present.MINUS}{-d}" if d < 0 else "0")
    return (name, cell(value_now), cell(value_then), diff)


def _domain_row(outline: str, domain: str, items: pl.DataFrame, counts: dict[str, Any]) -> tuple[str, ...]:
    return (
        outline,
        domain,
        cell(items.height),
        cell(_with_data(items)),
        cell(int(counts["rate_numerator"])),
        cell(int(counts["rate_denominator"])),
        present.percent(counts["attainment_rate"]) or "—",
    )


def _domain_table(
    items: pl.DataFrame,
    now: dict[str, Any],
    domains: Sequence[tuple[str, str]],
    result: ProgressResult,
    numbering: _Numbering,
) -> list[Block]:
    """表: every domain of the catalogue, with or without indicators, and the 合计 row."""
    domain_rows = []
    for outline, domain in domains:
        mine = items.filter(pl.col("domain") == domain)
        domain_rows.append(_domain_row(OUTLINE_TITLES.get(outline, outline), domain, mine, _counts(mine)))
    others = items.filter(~pl.col("domain").is_in([d for _, d in domains]))
    if others.height:  # local indicators outside the outlines' domains still count
        domain_rows.append(_domain_row("其他", "其他指标", others, _counts(others)))
    domain_rows.append(_domain_row("合计", "", items, now))
    missing = [d for _, d in domains if items.filter(pl.col("domain") == d).height == 0]
    t2 = numbering.table()
    return [
        Paragraph(
            report_text.missing_domains_sentence(result.plan.name, len(domains), missing) + f"各领域情况见表{t2}。"
        ),
        Table(
            f"表{t2} 各领域指标情况",
            ("纲要", "领域", "纳入评估", "有数据", "达标", "达标率分母", "达标率"),
            tuple(domain_rows),
            (1.6, 2.0, 1.0, 1.0, 0.8, 1.1, 1.0),
        ),
    ]


def _national_comparison(
    items: pl.DataFrame,
    national: pl.DataFrame,
    by_label: dict[str, present.LabelStyle],
    numbering: _Numbering,
) -> list[Block]:
    """表: the latest local values beside the national ones, better or worse by the target's direction."""
    compared = _national_rows(items, national, by_label)
    t3 = numbering.table() if compared else 0
    verdicts = [r[-1] for r in compared]
    blocks: list[Block] = [
        Paragraph(
            report_text.national_sentence(
                len(compared), verdicts.count("好于全国"), verdicts.count("不及全国"), verdicts.count("与全国持平"), t3
            )
        )
    ]
    if compared:
        blocks.append(
            Table(
                f"表{t3} 与全国数值比较",
                ("指标", "单位", "本地最新值", "全国最新值", "比较"),
                tuple(compared),
                (3.4, 0.9, 1.4, 1.4, 1.1),
                note="比较按目标方向判断好坏（目标为“以上/提高”的数值高为好，“以下/降低”的数值低为好）；"
                "全国数值来自国家统计监测，均注明年份。",
            )
        )
    return blocks


def _national_rows(
    items: pl.DataFrame, national: pl.DataFrame, by_label: dict[str, present.LabelStyle]
) -> list[tuple[str, ...]]:
    if not national.height:
        return []
    theirs = {r["indicator_code"]: r for r in national.iter_rows(named=True) if r["latest_value"] is not None}
    rows = []
    for r in items.iter_rows(named=True):
        other = theirs.get(r["indicator_code"])
        better = HIGHER_IS_BETTER.get(r["target_kind"] or "")
        if other is None or r["latest_value"] is None or better is None:
            continue
        d = r["decimals"]
        mine_v, theirs_v = present.rounded(r["latest_value"], d), present.rounded(other["latest_value"], d)
        if mine_v == theirs_v:
            verdict = "与全国持平"
        elif (mine_v > theirs_v) == better:
            verdict = "好于全国"
        else:
            verdict = "不及全国"
        rows.append(
            (
                str(r["indicator_name"]),
                r["unit"] or "",
                f"{present.number(r['latest_value'], d)}（{r['latest_year']}年）",
                f"{present.number(other['latest_value'], d)}（{other['latest_year']}年）",
                verdict,
            )
        )
    return rows


def _domain_table_rows(domain_table: pl.DataFrame, years: Sequence[int]) -> tuple[tuple[str, ...], ...]:
    rows = []
    for r in domain_table.iter_rows(named=True):
        latest = cell(r["最新值"]) or r["定性评定"] or ""
        if latest:
            latest += f"（{r['最新值年份']}）"
        rows.append(
            (
                cell(r["序号"]),
                r["指标"],
                r["单位"] or "",
                cell(r[_baseline_column(domain_table)]),
                latest,
                *(r[f"{y}年目标"] or "" for y in years),
                r["评价状态"],
            )
        )
    return tuple(rows)


def _baseline_column(table: pl.DataFrame) -> str:
    return next(c for c in table.columns if c.startswith("基期值"))


def _domains_part(
    items: pl.DataFrame,
    m: midterm.Midterm,
    domains: Sequence[tuple[str, str]],
    styles: Sequence[present.LabelStyle],
    result: ProgressResult,
    numbering: _Numbering,
    charts: bool,
) -> list[Block]:
    """二、主要指标完成情况: per outline, per domain a paragraph, a table and a chart."""
    blocks: list[Block] = [Heading(1, "二、主要指标完成情况")]
    outlines = [o for o in OUTLINE_TITLES if any(out == o for out, _ in domains)]
    years = m.target_years
    for i, outline in enumerate(outlines):
        names = [d for out, d in domains if out == outline]
        blocks.append(Heading(2, f"（{CN_NUMBERS[i]}）{OUTLINE_TITLES[outline]}"))
        mine = items.filter(pl.col("domain").is_in(names))
        c = _counts(mine)
        with_items = sum(1 for d in names if mine.filter(pl.col("domain") == d).height)
        text = (
            f"{OUTLINE_TITLES[outline]}共{len(names)}个领域，其中{with_items}个领域有纳入评估的指标。"
            + report_text.counts_sentence(
                "本纲要", mine.height, [(s.label, k) for s, k in present.label_counts(c, styles)]
            )
        )
        text += report_text.rate_sentence(
            c["attainment_rate"],
            int(c["rate_numerator"]),
            int(c["rate_denominator"]),
            int(c["excluded_direction"]),
            int(c["excluded_target_pending"]),
        )
        blocks.append(Paragraph(text))
        for j, domain in enumerate(names, start=1):
            blocks.append(Heading(3, f"{j}. {domain}"))
            blocks.extend(
                _domain_section(
                    domain, items.filter(pl.col("domain") == domain), m, styles, result, numbering, charts, years
                )
            )
    return blocks


def _domain_section(
    domain: str,
    mine: pl.DataFrame,
    m: midterm.Midterm,
    styles: Sequence[present.LabelStyle],
    result: ProgressResult,
    numbering: _Numbering,
    charts: bool,
    years: Sequence[int],
) -> list[Block]:
    if not mine.height:
        return [Paragraph(report_text.domain_absent_sentence(domain, result.plan.name))]
    c = _counts(mine)
    counts = present.label_counts(c, styles)
    with_data = _with_data(mine)
    blocks: list[Block] = []
    if not with_data:
        blocks.append(Paragraph(report_text.domain_all_missing_sentence(domain, mine.height)))
    else:
        text = report_text.domain_sentence(
            domain,
            mine.height,
            [(s.label, k) for s, k in counts],
            with_data,
            c["attainment_rate"],
            int(c["rate_numerator"]),
            int(c["rate_denominator"]),
        )
        off = [
            (str(r["indicator_name"]), str(r["status_label"]))
            for r in mine.iter_rows(named=True)
            if str(r["status"]) in OFF_TRACK
        ]
        blocks.append(Paragraph(text + report_text.off_track_names_sentence(off)))
    table = m.by_domain.get(domain)
    if table is not None:
        t = numbering.table()
        columns = ("序号", "指标", "单位", "基期值", "最新值（年份）", *(f"{y}年目标" for y in years), "评价状态")
        widths = (0.5, 2.4, 0.9, 0.9, 1.6, *([1.2] * (len(years) - 1)), 2.0, 1.4)
        blocks.append(
            Table(
                f"表{t} {domain}主要指标完成情况",
                columns,
                _domain_table_rows(table, years),
                widths,
            )
        )
    if charts and with_data:  # a chart of nothing but 无数据 would say no more than the sentence
        f = numbering.figure()
        bars = [(s.label, k, s.colour) for s, k in counts if k]
        png = report_charts.status_bars(bars)
        blocks.append(Figure(f"图{f} {domain}指标评价情况", png, "" if png else report_charts.NO_FONT_HELP))
    return blocks


def _named(codes: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """A problem kind named by the computed statuses (计算状态) it holds, so its count is the
    sum of the counts the pages show under those names."""
    names = [present.rule_name(c).split("（")[0] for c in codes]
    return ("、".join(names[:-1]) + "或" + names[-1] if len(names) > 1 else names[0]), codes


PROBLEM_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    _named(("lagging", "not_achieved", "stable")),
    _named(("regressing", "worsening")),
    ("缺少数据（无数据或无法评估）", ("no_data", "not_assessable")),
    ("目标待设定", ("target_pending",)),
)


def _problems(items: pl.DataFrame, domains: Sequence[tuple[str, str]], result: ProgressResult) -> list[Block]:
    """三、存在的问题: each kind grouped by domain, every item with its lead unit."""
    blocks: list[Block] = [Heading(1, "三、存在的问题")]
    kinds: list[tuple[str, pl.DataFrame]] = [
        (name, items.filter(pl.col("status").cast(pl.String).is_in(codes))) for name, codes in PROBLEM_KINDS
    ]
    kinds.insert(2, ("得而复失（曾经达标、现未达标）", items.filter(pl.col("lost").fill_null(False))))
    order = [d for _, d in domains]
    for i, (name, part) in enumerate(kinds):
        blocks.append(Heading(2, f"（{CN_NUMBERS[i]}）{name}"))
        if not part.height:
            blocks.append(Paragraph(f"本次评估中没有{name.split('（')[0]}的指标。"))
            continue
        blocks.append(Paragraph(f"共{part.height}项，按领域列出如下："))
        present_domains = sorted(
            {str(d) for d in part.get_column("domain").to_list()},
            key=lambda d: order.index(d) if d in order else len(order),
        )
        for domain in present_domains:
            entries = [
                (str(r["indicator_name"]), r["lead_unit"] and str(r["lead_unit"]))
                for r in part.filter(pl.col("domain") == domain).iter_rows(named=True)
            ]
            blocks.append(Paragraph(report_text.problem_line(domain, entries)))
    missing = [d for d in order if items.filter(pl.col("domain") == d).height == 0]
    blocks.append(Heading(2, f"（{CN_NUMBERS[len(kinds)]}）领域缺少评估指标"))
    if missing:
        blocks.append(
            Paragraph(f"{'、'.join(missing)}在{result.plan.name}目标表中暂无指标，这些领域的进展无法用数据说明。")
        )
    else:
        blocks.append(Paragraph("各领域均有纳入评估的指标。"))
    return blocks


SUGGESTION_TOPICS: tuple[tuple[str, str], ...] = (
    ("针对进度滞后和退步指标的措施", "针对第三部分所列进度滞后、退步和得而复失指标，写明各牵头单位拟采取的措施"),
    ("补齐数据缺口", "写明无数据指标的补报安排、责任单位和时限"),
    ("完善目标设定", "写明目标待设定指标和缺少指标的领域如何补充目标"),
    ("其他工作安排", "写明后半期的其他重点工作"),
)


def _suggestions() -> list[Block]:
    """四、下一步工作建议: headings and marked placeholders only — policy is never invented."""
    blocks: list[Block] = [Heading(1, "四、下一步工作建议")]
    for i, (title, what) in enumerate(SUGGESTION_TOPICS):
        blocks.append(Heading(2, f"（{CN_NUMBERS[i]}）{title}"))
        blocks.append(Paragraph(report_text.placeholder(what), placeholder=True))
    return blocks


ANNEX_COLUMNS_FIXED = ("序号", "领域", "指标", "单位")


def annex_table(m: midterm.Midterm) -> Table:
    """附表1: every indicator of the evaluation table (midterm.evaluation), in its order."""
    base = _baseline_column(m.table)
    projection = next(c for c in m.table.columns if c.startswith("趋势预测"))
    targets = [f"{y}年目标" for y in m.target_years]
    columns = (
        *ANNEX_COLUMNS_FIXED,
        base,
        "最新值",
        "最新值年份",
        *targets,
        "评价状态",
        projection,
        "牵头单位",
        "目标来源",
    )
    rows = tuple(
        (
            cell(i),
            r["领域"],
            r["指标"],
            r["单位"] or "",
            cell(r[base]),
            cell(r["最新值"]) or r["定性评定"] or "",
            r["最新值年份"] or "",
            *(r[t] or "" for t in targets),
            r["评价状态"],
            cell(r[projection]),
            r["牵头单位"] or "",
            r["目标来源"] or "",
        )
        for i, r in enumerate(m.table.iter_rows(named=True), start=1)
    )
    # the plan's own target (last) is often a sentence for qualitative goals: give it room
    target_widths = [1.1] * (len(targets) - 1) + [2.0]
    widths = (0.45, 1.3, 2.4, 0.6, 0.9, 0.9, 0.7, *target_widths, 1.2, 0.9, 1.1, 2.8)
    return Table(
        f"附表1 {m.plan_name}主要指标监测评估表",
        columns,
        rows,
        widths,
        note=present.PRINT_ROUNDED_NOTE + "评价状态按本报告所用评价标签；目标来源注明各目标年份的出处。",
    )


def build(
    result: ProgressResult,
    region: str,
    *,
    domains: Sequence[tuple[str, str]],
    previous: ProgressResult | None = None,
    companions: Sequence[ProgressResult] = (),
    national: str = present.NATIONAL,
    org: str = "",
    made_on: date | None = None,
    charts: bool = True,
) -> Report:
    """The report of `region` from `result` (which may hold other regions too).

    domains: (outline, domain) of the catalogue in order — every one gets a section;
    previous: the result for the year before (same rule and label set), for 较上年;
    companions: results of plans with another target year (their targets become columns);
    national values are the result's items of region `national`, when it is in scope.
    """
    items = present.totals(result.items).filter(pl.col("region_code") == region)
    prev_items = (
        present.totals(previous.items).filter(pl.col("region_code") == region) if previous is not None else None
    )
    national_items = (
        present.totals(result.items).filter(pl.col("region_code") == national)
        if region != national
        else result.items.clear()
    )
    m = midterm.evaluation(result, region, companions)
    styles = present.label_styles(result.labels)
    region_rows = result.by_region.filter(pl.col("region_code") == region)
    level = region_rows.item(0, "region_level") if region_rows.height else None
    scope = present.scope_word(m.region_name, level)
    numbering = _Numbering()
    body = [
        *_overview(items, prev_items, national_items, domains, styles, scope, result, numbering),
        *_domains_part(items, m, domains, styles, result, numbering, charts),
        *_problems(items, domains, result),
        *_suggestions(),
    ]
    annex: list[Block] = [Heading(1, "附表"), annex_table(m)]
    return Report(
        title=f"{m.region_name}{result.plan.name}实施情况中期评估报告（初稿）",
        region_code=region,
        region_name=m.region_name,
        plan_name=result.plan.name,
        plan_full_name=result.plan.full_name,
        report_year=result.report_year,
        org=org,
        made_on=made_on or date.today(),
        sample_data=result.sample_data,
        sample_targets=result.sample_targets,
        body=tuple(body),
        annex=tuple(annex),
    )
