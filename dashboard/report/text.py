"""The sentences of the 中期评估 report. Every number is an argument: nothing is counted or
estimated here, so a test can trace each number in the text back to a table of the report.
"""

from __future__ import annotations

from collections.abc import Sequence

from dashboard.render import present

PLACEHOLDER = "【待填写：{what}。本节由工委办根据实际工作撰写，系统不自动生成内容。】"


def listed(counts: Sequence[tuple[str, int]]) -> str:
    """ "达标9项、无数据91项" — zero counts are left out."""
    return "、".join(f"{name}{n}项" for name, n in counts if n)


def counts_sentence(scope: str, n_items: int, label_counts: Sequence[tuple[str, int]]) -> str:
    if not n_items:
        return f"{scope}暂无纳入评估的指标。"
    return f"{scope}纳入评估的{n_items}项指标中，{listed(label_counts)}。"


def rate_sentence(rate: float | None, numerator: int, denominator: int, direction: int, pending: int) -> str:
    """达标率 with its numerator and denominator, and what it leaves out (nothing is left out silently)."""
    if denominator:
        text = (
            f"达标率为{present.percent(rate)}（达到数值或定性目标的{numerator}项 ÷ "
            f"有数据且有数值或定性目标的{denominator}项）"
        )
    else:
        text = "暂无有数据且有数值或定性目标的指标，达标率无法计算"
    extra = []
    if direction:
        extra.append(f"方向性目标（逐步提高/降低）{direction}项按较基期变化评价")
    if pending:
        extra.append(f"目标待设定{pending}项暂不评估")
    if extra:
        text += "；" + "，".join(extra) + "，均不计入达标率"
    return text + "。"


def coverage_sentence(
    with_data: int,
    n_items: int,
    coverage: float | None,
    no_data: int,
    no_data_share: float | None,
    year: int,
    other_blank: int = 0,
) -> str:
    """有数据 + 无数据 + other items without a value (目标待设定) = n_items."""
    if not n_items:
        return ""
    text = (
        f"截至{year}年，有数据的指标{with_data}项，数据覆盖率{present.percent(coverage)}；"
        f"无数据的指标{no_data}项，占{present.percent(no_data_share)}，这些指标暂无法评价"
    )
    if other_blank:
        text += f"；另有{other_blank}项目标待设定、暂无数值"
    return text + "。"


def spread_sentence(label: str, n: int, by_domain: Sequence[tuple[str, int]]) -> str:
    """Where the items of one label are: every item is attributed, so the parts add up to n."""
    parts = "、".join(f"{domain}{k}项" for domain, k in by_domain if k)
    return f"{label}的{n}项指标分布在：{parts}。"


def missing_domains_sentence(plan_name: str, n_domains: int, missing: Sequence[str]) -> str:
    if not missing:
        return f"两个纲要的{n_domains}个领域在{plan_name}目标表中均有指标。"
    return (
        f"两个纲要共{n_domains}个领域，其中{'、'.join(missing)}{len(missing)}个领域在{plan_name}目标表中"
        "暂无指标，本次未作评估（见第二部分）。"
    )


def national_sentence(n: int, better: int, worse: int, same: int, table_no: int) -> str:
    if not n:
        return "暂无可与全国数值比较的指标（需本地和全国均有数值且目标有明确的好坏方向）。"
    parts = listed([("好于全国", better), ("不及全国", worse), ("与全国持平", same)])
    return f"本地和全国均有数值、可比较的指标{n}项，其中{parts}（见表{table_no}）。"


def change_sentence(
    previous_year: int, changes: Sequence[tuple[str, int, int]], rate_then: float | None, rate_now: float | None
) -> str:
    """changes: (label, previous count, current count) for every label."""
    moved = [(label, now - then) for label, then, now in changes if now != then]
    if not moved:
        text = f"与{previous_year}年相比，各类评价的指标数没有变化"
    else:
        text = f"与{previous_year}年相比，" + "、".join(
            f"{label}{'增加' if d > 0 else '减少'}{abs(d)}项" for label, d in moved
        )
    if rate_then is not None and rate_now is not None:
        text += f"；达标率由{present.percent(rate_then)}变为{present.percent(rate_now)}"
    return text + "。"


def no_previous_sentence(base_year: int) -> str:
    return f"报告年份之前没有可比较的年份（规划基期为{base_year}年），不作较上年比较。"


def domain_sentence(
    domain: str,
    n_items: int,
    label_counts: Sequence[tuple[str, int]],
    with_data: int,
    rate: float | None,
    numerator: int,
    denominator: int,
) -> str:
    if not n_items:
        return ""
    text = f"{domain}领域纳入评估的指标{n_items}项：{listed(label_counts)}。有数据的指标{with_data}项"
    if denominator:
        text += f"，达标率{present.percent(rate)}（{numerator}项 ÷ {denominator}项）"
    return text + "。"


def domain_absent_sentence(domain: str, plan_name: str) -> str:
    return f"{plan_name}目标表中暂无{domain}领域的指标，本次未作评估；待补充本领域的指标和目标后纳入。"


def domain_all_missing_sentence(domain: str, n_items: int) -> str:
    return f"{domain}领域的{n_items}项指标均无数据，本次无法评价，请各牵头单位补报。"


def off_track_names_sentence(items: Sequence[tuple[str, str]]) -> str:
    """(indicator, label) of the items not on course."""
    if not items:
        return ""
    return "未达预期的指标：" + "；".join(f"{name}（{label}）" for name, label in items) + "。"


def problem_line(domain: str, entries: Sequence[tuple[str, str | None]]) -> str:
    """ "儿童与健康（2项）：小学生近视率（牵头单位：教育局）；…" — entries: (indicator, lead unit)."""
    listed_items = "；".join(f"{name}（牵头单位：{unit or '未注明'}）" for name, unit in entries)
    return f"{domain}（{len(entries)}项）：{listed_items}。"


def placeholder(what: str) -> str:
    return PLACEHOLDER.format(what=what)
