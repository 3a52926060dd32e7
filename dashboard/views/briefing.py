"""领导驾驶舱 (briefing): headline numbers, status by domain, district ranking, what fell behind.

Pure functions of ProgressResults (no Streamlit, no database). Counting is delegated to
dashboard.engine.aggregate so the 达标率 here follows the one denominator rule of the engine.

Which items the headline counts ("basis", dashboard.engine.levels): the chosen region's own items
when it has any assessed item; otherwise a roll-up of the nearest level below with assessed
items, pooled as 项次 (indicator × region). A city office usually reports district returns
before it has city values of its own, and a headline of "0 of 0" would hide every district's
progress. The basis is always stated next to the numbers. A view ranks the level below the
chosen region: a province its cities, a city (also inside a province's result) its counties.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from dashboard.engine import ProgressResult, aggregate, levels
from dashboard.engine.progress import DIRECTION_KINDS, MEASURED_STATUSES
from dashboard.render import present

# Statuses ordered from best to worst, for "fell behind since last year": a larger number is
# further from the target. Unassessed statuses (无数据, 无法评估, 目标待设定) are not ranked —
# gaining or losing data is not progress.
STATUS_RANK: dict[str, int] = {
    "achieved": 0,
    "improving": 1,
    "on_track": 1,
    "stable": 2,
    "lagging": 2,
    "not_achieved": 3,
    "regressing": 3,
    "worsening": 3,
}
OWN_BASIS = levels.OWN_BASIS
# The year-on-year list: named apart from the status 退步 (moved away from the target since the
# base year), since it counts something else.
WORSE_THAN_LAST_YEAR = "较上年变差的指标"


@dataclass(frozen=True)
class Headline:
    """The briefing's headline numbers for one region."""

    region_code: str
    region_name: str
    region_level: str | None
    basis: str  # 本级指标（单位：项） or "所辖N个市合计（按指标×市计，单位：项次）"
    indicators: int  # indicators tracked (distinct indicator codes)
    districts: int  # regions pooled in a roll-up (0 for 本级)
    counts: dict[str, Any]  # one aggregate row (aggregate.AGGREGATE_COLUMNS)
    label_counts: tuple[tuple[present.LabelStyle, int], ...]
    rule_counts: tuple[tuple[str, int], ...]

    @property
    def is_rollup(self) -> bool:
        """The counts pool the regions below (the region has no assessed item of its own)."""
        return self.districts > 0

    @property
    def rate(self) -> float | None:
        return self.counts["attainment_rate"]

    @property
    def rate_text(self) -> str:
        return present.percent(self.rate) or "—"

    @property
    def unit_word(self) -> str:
        """项 for indicators, 项次 for indicator × district."""
        return "项次" if self.districts else "项"

    @property
    def coverage_text(self) -> str:
        """ "有数据 N / M": items with a value of all items counted."""
        return f"{int(self.counts['n_with_data'])}/{int(self.counts['n_items'])}"

    @property
    def rate_basis_text(self) -> str:
        """The 达标率 with what it stands on: "达标 9 ÷ 10 项"."""
        c = self.counts
        return f"达标 {int(c['rate_numerator'])} ÷ {int(c['rate_denominator'])} {self.unit_word}"

    @property
    def total_line(self) -> str:
        """The statement the status cards add up to."""
        return f"以上各状态合计 {int(self.counts['n_items'])} {self.unit_word}，统计口径：{self.basis}"


def region_row(result: ProgressResult, region: str) -> dict[str, Any] | None:
    rows = result.by_region.filter(pl.col("region_code") == region)
    return rows.row(0, named=True) if rows.height else None


def tree(result: ProgressResult) -> pl.DataFrame:
    """The regions of the result (code, level, parent_code …); a result made without them (by
    hand, in tests) is read as its region with the ranked districts below it."""
    if result.regions is not None:
        return result.regions
    codes = result.ranking.get_column("region_code").to_list()
    return pl.DataFrame(
        {
            "code": [result.region or "", *codes],
            "level": [None, *["county"] * len(codes)],
            "parent_code": [None, *[result.region or ""] * len(codes)],
        },
        schema={"code": pl.String, "level": pl.String, "parent_code": pl.String},
    )


def ranking_of(result: ProgressResult, region: str) -> pl.DataFrame:
    """The level below `region` ranked by 达标率 (levels.ranking): the engine's ranking for the
    result's own region, otherwise ranked here from the same aggregates (a city in a province's
    result ranks its counties)."""
    if result.region is None or region == result.region:
        return result.ranking
    if result.regions is None:  # a district of a hand-made result stands for itself
        return result.ranking.filter(pl.col("region_code") == region)
    codes = levels.ranked_level(result.regions, region, result.regions.get_column("code").to_list())
    return levels.ranking(result.by_region, result.items, result.regions, codes)


def districts_of(result: ProgressResult, region: str) -> list[str]:
    """The regions one level below `region` (or the region itself when nothing is below it),
    in ranking order."""
    return ranking_of(result, region).get_column("region_code").to_list()


def drill_targets(result: ProgressResult, region: str) -> dict[str, str]:
    """The ranked regions that have regions below them (a province view's cities), code → name,
    in ranking order: where a view can go down to."""
    t = tree(result)
    names = dict(result.by_region.select("region_code", "region_name").iter_rows())
    return {c: names.get(c, c) for c in districts_of(result, region) if c != region and levels.children(t, c)}


def level_word(result: ProgressResult, region: str) -> str:
    """市 or 区县: what the level below `region` is called."""
    return levels.level_word(tree(result), districts_of(result, region))


def basis_items(result: ProgressResult, region: str) -> tuple[pl.DataFrame, str, int]:
    """The 合计 items the headline counts, the basis text and the number of regions pooled."""
    b, items = levels.counted_items(result.items, tree(result), region)
    return items, b.text, b.rollup


def headline(result: ProgressResult, region: str) -> Headline:
    """Headline numbers for `region` (basis explained in the module docstring)."""
    items, basis, n_districts = basis_items(result, region)
    counts = aggregate.status_counts(items.with_columns(pl.lit(region).alias("_scope")), ["_scope"])
    row = counts.row(0, named=True) if counts.height else levels.empty_counts()
    name_row = result.by_region.filter(pl.col("region_code") == region)
    name = name_row.item(0, "region_name") if name_row.height else region
    level = name_row.item(0, "region_level") if name_row.height else None
    styles = present.label_styles(result.labels)
    return Headline(
        region_code=region,
        region_name=name,
        region_level=level,
        basis=basis,
        indicators=items.get_column("indicator_code").n_unique(),
        districts=n_districts,
        counts=row,
        label_counts=tuple(present.label_counts(row, styles)),
        rule_counts=tuple(present.rule_counts(row)),
    )


def _domain_status(result: ProgressResult, region: str) -> pl.DataFrame:
    """Status counts per domain on the headline basis (aggregate.status_counts rows), one row
    for every domain of the catalogue: a domain the plan has nothing in is a row of zeros."""
    items, _basis, _n = basis_items(result, region)
    counts = aggregate.status_counts(items, ["domain"]).with_columns(pl.col("domain").cast(pl.String))
    every = pl.DataFrame({"domain": domains(result)}, schema={"domain": pl.String})
    zeros = {c: 0 for c in aggregate.AGGREGATE_COLUMNS if c not in ("attainment_rate", "rate_note")}
    return (
        every.join(counts, on="domain", how="left", maintain_order="left")
        .with_columns(pl.col(list(zeros)).fill_null(0))
        .with_columns(pl.col("rate_note").fill_null("本规划在该领域没有指标"))
    )


def _label_rows(
    counts: pl.DataFrame, key: str, styles: Sequence[present.LabelStyle], names: Mapping[str, str] | None = None
) -> pl.DataFrame:
    """Long form of status-count rows: columns <key>, label, n (non-zero label counts only)."""
    rows = [
        {key: (names or {}).get(row[key], row[key]), "label": style.label, "n": n}
        for row in counts.iter_rows(named=True)
        for style, n in present.label_counts(row, styles)
        if n
    ]
    return pl.DataFrame(rows, schema={key: pl.String, "label": pl.String, "n": pl.Int64})


def domain_counts(result: ProgressResult, region: str, *, counts: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per domain: label counts on the headline basis — columns domain, label, n (long form)."""
    counts = _domain_status(result, region) if counts is None else counts
    return _label_rows(counts, "domain", present.label_styles(result.labels))


def domain_table(result: ProgressResult, region: str, *, counts: pl.DataFrame | None = None) -> pl.DataFrame:
    """The same counts as a table: 领域, one column per label, 达标率 and its denominator."""
    counts = _domain_status(result, region) if counts is None else counts
    styles = present.label_styles(result.labels)
    columns: dict[str, Any] = {"领域": lambda r: r["domain"]}
    for style in styles:
        columns[f"{style.symbol} {style.label}"] = lambda r, s=style: sum(int(r[f"n_{c}"]) for c in s.codes)
    columns["合计"] = lambda r: int(r["n_items"])
    columns["有数据"] = lambda r: f"{int(r['n_with_data'])} / {int(r['n_items'])}"
    columns["达标率"] = lambda r: (
        present.percent(r["attainment_rate"]) or ("本规划无此领域指标" if not r["n_items"] else "—")
    )
    columns["达标率分母"] = lambda r: int(r["rate_denominator"])
    schema = {k: pl.Int64 for k in columns if k not in ("领域", "达标率", "有数据")}
    return present.rows_table(counts.iter_rows(named=True), columns, schema)


def districts_in_order(result: ProgressResult, region: str) -> list[str]:
    """District names in code order (the order of the rotating panel's bars)."""
    names = dict(result.by_region.select("region_code", "region_name").iter_rows())
    return [names.get(c, c) for c in sorted(districts_of(result, region))]


def domains(result: ProgressResult) -> list[str]:
    """Every domain of the catalogue in catalogue order (the plan's own when the result does not
    carry the catalogue's)."""
    if result.domains:
        return list(result.domains)
    return present.totals(result.items).get_column("domain").unique(maintain_order=True).drop_nulls().to_list()


def wall_domains(result: ProgressResult, region: str) -> list[str]:
    """The domains the wall rotates through: those where some district has a value."""
    items = present.totals(result.items).filter(
        pl.col("region_code").is_in(districts_of(result, region)) & pl.col("latest_value").is_not_null()
    )
    with_data = set(items.get_column("domain").cast(pl.String).to_list())
    return [d for d in domains(result) if d in with_data]


def domain_panels(result: ProgressResult, region: str) -> dict[str, pl.DataFrame]:
    """Each domain's label counts per district (columns region_name, label, n) — the big
    screen's rotating panels, counted in one pass over the districts' items."""
    items = present.totals(result.items).filter(pl.col("region_code").is_in(districts_of(result, region)))
    counts = aggregate.status_counts(items, ["domain", "region_code"])
    styles = present.label_styles(result.labels)
    names = dict(result.by_region.select("region_code", "region_name").iter_rows())
    panels = {}
    for domain in wall_domains(result, region):
        one = counts.filter(pl.col("domain") == domain).rename({"region_code": "region_name"})
        panels[domain] = _label_rows(one, "region_name", styles, names)
    return panels


def ranking_table(result: ProgressResult, region: str) -> pl.DataFrame:
    """The level below `region` ranked by 达标率 (the engine's order and tie-break); a 口径
    column names every roll-up when some region has no assessed item of its own."""
    ranked = ranking_of(result, region)
    columns = {
        "排名": lambda r: r["rank"],
        level_word(result, region): lambda r: levels.shown_name(r["region_name"], r.get("rollup") or 0),
        "达标率": lambda r: present.percent(r["attainment_rate"]) or "—",
        "有数据": lambda r: f"{r['n_with_data']} / {r['n_items']}",
        "达标": lambda r: r["rate_numerator"],
        "达标率分母": lambda r: r["rate_denominator"],
        "退步或未向好": lambda r: r["n_backslide"],
        "无数据": lambda r: r["excluded_no_data"],
        "方向性目标": lambda r: r["excluded_direction"],
        "目标待设定": lambda r: r["excluded_target_pending"],
    }
    if "rollup" in ranked.columns and ranked.get_column("rollup").fill_null(0).sum() > 0:
        columns["口径"] = lambda r: "本级" if not r["rollup"] else r["basis"]
    text = {level_word(result, region), "达标率", "有数据", "口径"}
    schema = {k: pl.Int64 for k in columns if k not in text}
    return present.rows_table(ranked.iter_rows(named=True), columns, schema)


def ranking_bars(result: ProgressResult, region: str) -> pl.DataFrame:
    """region_name, value (达标率), text ("90.0%（9/10）") for charts.ranking_bar, worst first."""
    # worst first: charts.ranking_bar draws the first row at the bottom, so ties keep rank order
    ranked = ranking_of(result, region).reverse()
    return pl.DataFrame(
        {
            "region_name": [
                levels.shown_name(r["region_name"], r.get("rollup") or 0) for r in ranked.iter_rows(named=True)
            ],
            "value": ranked.get_column("attainment_rate").to_list(),
            "text": [
                f"{present.percent(rate) or '—'}（{num}/{den}）"
                for rate, num, den in ranked.select("attainment_rate", "rate_numerator", "rate_denominator").iter_rows()
            ],
        },
        schema={"region_name": pl.String, "value": pl.Float64, "text": pl.String},
    )


# --- fell behind since last year ---------------------------------------------------------------


def _moved_away(kind: str | None, now: float | None, before: float | None, row: dict[str, Any]) -> bool:
    """The value moved away from the target between the two years."""
    if now is None or before is None or now == before:
        return False
    if kind in ("at_least", "increase", "qualitative"):
        return now < before
    if kind in ("at_most", "decrease"):
        return now > before
    if kind == "band":
        low, high = row.get("target_band_low"), row.get("target_band_high")
        centre = (low + high) / 2 if low is not None and high is not None else row.get("target_value")
        return centre is not None and abs(now - centre) > abs(before - centre)
    return False


def fell_behind(current: ProgressResult, previous: ProgressResult | None, region: str) -> pl.DataFrame:
    """Indicators of `region` and its districts that fell behind or regressed since last year.

    fell behind: the computed status is worse than a year before (STATUS_RANK), e.g. 进度正常
    → 进度滞后, 已达标 → 退步 (得而复失); regressed: the status is the same and not achieved,
    but the latest value moved away from the target. Items without a status in both years
    are left out. Worst first, then catalogue order.
    """
    columns = ["指标", "地区", "上年状态", "本年状态", "变化", "上年值", "最新值", "目标", "目标来源"]
    if previous is None:
        return pl.DataFrame(schema={c: pl.String for c in columns})
    scope = set(districts_of(current, region)) | {region}
    now = present.totals(current.items).filter(pl.col("region_code").is_in(scope))
    before = present.totals(previous.items).select(
        "indicator_code",
        "region_code",
        pl.col("status").cast(pl.String).alias("prev_status"),
        pl.col("status_label").alias("prev_label"),
        pl.col("status_symbol").alias("prev_symbol"),
        pl.col("latest_value").alias("prev_value"),
        pl.col("latest_year").alias("prev_year"),
    )
    joined = now.join(before, on=["indicator_code", "region_code"], how="inner", maintain_order="left")
    picked: list[tuple[int, int, dict[str, Any], str]] = []
    for position, row in enumerate(joined.iter_rows(named=True)):
        change = _change_since_last_year(row)
        if change is not None:
            picked.append((-STATUS_RANK[str(row["status"])], position, row, change))
    picked.sort(key=lambda t: (t[0], t[1]))
    return _fell_behind_table([dict(r, _change=change) for _rank, _pos, r, change in picked])


def _change_since_last_year(row: dict[str, Any]) -> str | None:
    """How an item fell behind or regressed since last year, or None when it did neither."""
    status, prev = str(row["status"]), row["prev_status"]
    if status not in STATUS_RANK or prev not in STATUS_RANK:
        return None
    if STATUS_RANK[status] > STATUS_RANK[prev]:
        change = f"{present.rule_name(prev)} → {present.rule_name(status)}"
        if row["lost"] and prev == "achieved":
            change += "（得而复失）"
        return change
    if (
        status != "achieved"
        and status == prev
        and _moved_away(row["target_kind"], row["latest_value"], row["prev_value"], row)
    ):
        return f"仍{present.rule_name(status)}，数值较上年远离目标"
    return None


def _fell_behind_table(rows: list[dict[str, Any]]) -> pl.DataFrame:
    def prev_cell(r: dict[str, Any]) -> str:
        return f"{r['prev_symbol'] or ''} {r['prev_label'] or ''}".strip()

    return present.rows_table(
        rows,
        {
            "指标": lambda r: r["indicator_name"],
            "地区": lambda r: r["region_name"],
            "上年状态": prev_cell,
            "本年状态": present.status_cell,
            "变化": lambda r: r["_change"],
            "上年值": lambda r: present.value_with_year(
                r["prev_value"], r["prev_year"], r["decimals"], judged=present.is_judged(r)
            ),
            "最新值": lambda r: (
                (
                    present.value_with_year(
                        r["latest_value"], r["latest_year"], r["decimals"], judged=present.is_judged(r)
                    )
                    or ""
                )
                + present.pending_mark(r)
            ),
            "目标": present.target_text,
            "目标来源": present.target_source,
        },
    )


def progress_line(head: Headline) -> str:
    """On track and lagging always named (a leader's first question), whatever the label set,
    over the 达标率 denominator, whose parts add up to it: "**进度（达标率分母 10 项）：** 已达标
    9 项 · 进度正常 1 项 · 进度滞后 0 项 · 退步 0 项 · 未实现 0 项 · 无法评估 0 项（得而复失 1 项）"."""
    c, unit = head.counts, head.unit_word
    parts = [f"{present.STATUS_RULE_NAMES[code]} {int(c[f'n_{code}'] or 0)} {unit}" for code in MEASURED_STATUSES]
    # a direction target that cannot be assessed is 无法评估 too, but outside the denominator
    outside = sum(int(c[f"n_{code}"] or 0) for code in MEASURED_STATUSES) - int(c["rate_denominator"])
    if outside:
        parts[-1] += f"（其中方向性目标 {outside} {unit}，不计入分母）"
    lost = int(c["n_lost"] or 0)
    return (
        f"**进度（达标率分母 {int(c['rate_denominator'])} {unit}）：** "
        + " · ".join(parts)
        + (f"（得而复失 {lost} {unit}）" if lost else "")
    )


def watch_line(fell: pl.DataFrame, n: int, *, has_previous: bool = True) -> str:
    """The first `n` rows of fell_behind as one markdown line for the wall display."""
    if not has_previous:
        return f"**{WORSE_THAN_LAST_YEAR}**：没有上一年的数据可比较。"
    if fell.height == 0:
        return f"**{WORSE_THAN_LAST_YEAR}**：没有。"
    items = [f"{r['指标']}（{r['地区']}，{r['变化']}）" for r in fell.head(n).iter_rows(named=True)]
    more = f"；另有 {fell.height - n} 项" if fell.height > n else ""
    return f"**{WORSE_THAN_LAST_YEAR} {fell.height} 项**：" + "；".join(items) + more


def direction_note(result: ProgressResult) -> str:
    """Why direction targets are not in the 达标率 (shown under the headline)."""
    direction = present.totals(result.items).filter(pl.col("target_kind").is_in(DIRECTION_KINDS))
    n = direction.get_column("indicator_code").n_unique()
    return f"方向性目标（逐步提高/降低）按较基期变化评价，单列，不计入达标率分母（本规划共 {n} 项指标）。"


# --- the page's one call ---------------------------------------------------------------------


@dataclass(frozen=True)
class BriefingView:
    """Everything the 领导驾驶舱 draws for one region, plan, year and label set."""

    headline: Headline
    styles: tuple[present.LabelStyle, ...]
    domains: tuple[str, ...]  # every domain of the catalogue
    wall_domains: tuple[str, ...]  # the ones with data, which the wall rotates through
    domain_counts: pl.DataFrame  # domain, label, n
    domain_table: pl.DataFrame
    ranking_table: pl.DataFrame
    ranking_bars: pl.DataFrame
    fell_behind: pl.DataFrame
    has_previous: bool
    panels: dict[str, pl.DataFrame]  # domain → per-district label counts (the wall's rotation)
    district_names: tuple[str, ...]
    direction_note: str
    level_word: str = "区县"  # what the ranked level is called: 市 or 区县
    drill: dict[str, str] = field(default_factory=dict)  # ranked regions with regions below them


def view(current: ProgressResult, previous: ProgressResult | None, region: str) -> BriefingView:
    """The briefing for `region` (this year's result and, when there is one, last year's)."""
    doms = tuple(domains(current))
    counts = _domain_status(current, region)  # once for the chart and the table
    return BriefingView(
        headline=headline(current, region),
        styles=present.label_styles(current.labels),
        domains=doms,
        wall_domains=tuple(wall_domains(current, region)),
        domain_counts=domain_counts(current, region, counts=counts),
        domain_table=domain_table(current, region, counts=counts),
        ranking_table=ranking_table(current, region),
        ranking_bars=ranking_bars(current, region),
        fell_behind=fell_behind(current, previous, region),
        has_previous=previous is not None,
        panels=domain_panels(current, region),
        district_names=tuple(districts_in_order(current, region)),
        direction_note=direction_note(current),
        level_word=level_word(current, region),
        drill=drill_targets(current, region),
    )


# --- big-screen mode ------------------------------------------------------------------------

DEFAULT_ROTATE = 20  # seconds per domain on a wall display
ROTATE_RANGE = (5, 600)


@dataclass(frozen=True)
class Screen:
    big: bool
    rotate: int  # seconds per domain; 0 = no rotation


def parse_screen(params: dict[str, str | None]) -> tuple[Screen, list[str]]:
    """`screen=big` (wall display) and `rotate=<seconds>` (0 = off) from a link, never raising.

    Rotation is on by default in big-screen mode (a wall has nobody to click through the
    domains) and off otherwise.
    """
    notices: list[str] = []
    raw = (params.get("screen") or "").strip()
    big = raw == "big"
    if raw and not big:
        notices.append(f"链接中的显示模式“{raw}”无法识别（大屏请用 screen=big），已按普通模式显示。")
    rotate = DEFAULT_ROTATE if big else 0
    raw_rotate = (params.get("rotate") or "").strip()
    if raw_rotate:
        try:
            value = int(raw_rotate)
        except ValueError:
            value = -1
        low, high = ROTATE_RANGE
        if value == 0 or low <= value <= high:
            rotate = value
        else:
            notices.append(f"链接中的轮播间隔“{raw_rotate}”无效（应为 0 或 {low}—{high} 秒），已改为{rotate}秒。")
    return Screen(big, rotate), notices
