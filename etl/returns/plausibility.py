"""Warnings for values that pass entry but look like mistakes. They never refuse a value: the
clerk sees them in the preview and confirms.

The rules (thresholds are settings, see etl.core.settings and README):
- jump from last year: value ÷ last year's value (same indicator, district, breakdown) above
  `outlier_ratio` or below its inverse;
- far from the other districts: modified z-score 0.6745·(x − median) ÷ MAD over the same
  indicator, year and breakdown in every district (this file's values and the current ones)
  above `outlier_z` in magnitude; needs at least 4 districts and a non-zero MAD
  (Iglewicz & Hoaglin, the score DHIS2's outlier detection also offers);
- a percentage written as a fraction: a % value in (0, 1] whose reference (last year, else the
  districts' median) is at least FRACTION_SCALE times larger (0.953 against 94.1);
- the edge of its bounds (etl.core.bounds.value_bounds): within `bounds_edge_pct` % of the span from
  the upper bound, or from a lower bound other than 0, when its reference is not at the edge
  too (or there is no reference).
"""

from __future__ import annotations

import statistics

import polars as pl

from etl.core import settings
from etl.core.records import SEVERITY_WARNING, Finding
from etl.returns.frames import look_up

Key = tuple[str, str, int, str]
# the rule codes of the warnings below: a value that may be wrong (as opposed to a remark on the file)
RULES = ("jump_from_last_year", "far_from_districts", "looks_like_fraction", "at_bound_edge")
MIN_PEERS = 4  # fewer districts than this give no meaningful spread
FRACTION_SCALE = 20  # a reference this many times the value: the value is on a 0–1 scale, not 0–100


def thresholds() -> tuple[float, float, float]:
    """(outlier_ratio, outlier_z, bounds_edge_pct) from the settings."""
    return (
        float(settings.get("outlier_ratio")),
        float(settings.get("outlier_z")),
        float(settings.get("bounds_edge_pct")),
    )


def modified_z(x: float, values: list[float]) -> float | None:
    """Iglewicz–Hoaglin modified z-score of `x` among `values`; None when MAD is 0."""
    med = statistics.median(values)
    mad = statistics.median(abs(v - med) for v in values)
    if mad == 0:
        return None
    return 0.6745 * (x - med) / mad


def _fmt(x: float) -> str:
    return f"{x:g}"


def _median(values: pl.Expr, n: pl.Expr) -> pl.Expr:
    """statistics.median of a sorted list column, with its very arithmetic ((a + b) / 2)."""
    mid = n // 2
    upper = values.list.get(mid, null_on_oob=True)
    return pl.when(n % 2 == 1).then(upper).otherwise((values.list.get(mid - 1, null_on_oob=True) + upper) / 2)


def _spread(mine: pl.DataFrame, current: pl.DataFrame, home: list[str]) -> pl.DataFrame:
    """Per indicator, year and breakdown of `mine`: how many districts have a value (this
    file's over the current ones), their median and their median absolute deviation."""
    key = ["indicator_code", "year", "breakdown"]
    mine = mine.filter(~pl.col("region_code").is_in(home)).select(*key, "region_code", "value")
    theirs = (
        current.filter(~pl.col("region_code").is_in(home))
        .join(mine.select(key).unique(), on=key, how="semi")
        .join(mine, on=[*key, "region_code"], how="anti")
        .select(mine.columns)
    )
    values = pl.concat([theirs, mine])
    stats = (
        values.group_by(key)
        .agg(pl.col("value").sort().alias("values"))
        .with_columns(pl.col("values").list.len().alias("n"))
        .with_columns(_median(pl.col("values"), pl.col("n")).alias("median"))
    )
    # each group's sorted values are at hand: no join of every value back to its group's median
    deviations = (pl.col("values") - pl.col("median")).list.eval(pl.element().abs().sort())
    return stats.select(*key, "n", "median", _median(deviations, pl.col("n")).alias("mad"))


def plausibility_frame(file: str, observations: pl.DataFrame, ctx) -> list[Finding]:  # noqa: ANN001 - validate.Context
    """One warning per suspicious value of `observations` (rules in the module docstring), in
    their order.

    `observations` has indicator_code, region_code, year, breakdown, value, sheet, row, column;
    `ctx` (etl.returns.validate.Context) gives the catalogue, the values already in the
    database (`current`) and the home regions, which are left out of the district spread.
    """
    if observations.is_empty():
        return []
    ratio_limit, z_limit, edge_pct = thresholds()
    key = ["indicator_code", "year", "breakdown"]
    last = ctx.current.select(
        "indicator_code", "region_code", (pl.col("year") + 1).alias("year"), "breakdown", pl.col("value").alias("last")
    )
    obs = observations.select("indicator_code", "region_code", "year", "breakdown", "value", "sheet", "row", "column")
    catalogue = ctx.catalogue().select(pl.col("code").alias("indicator_code"), "name", "unit", "low", "high")
    obs = look_up(obs, catalogue, ["indicator_code"])
    obs = look_up(obs, last, ["indicator_code", "region_code", "year", "breakdown"])
    obs = look_up(obs, _spread(observations, ctx.current, sorted(ctx.home_regions)), key)
    x, last, low, high = pl.col("value"), pl.col("last"), pl.col("low"), pl.col("high")
    median = pl.when(pl.col("n") >= MIN_PEERS).then(pl.col("median"))
    reference = pl.coalesce(last, median)
    margin = (high - low) * edge_pct / 100

    def at_edge(v: pl.Expr) -> pl.Expr:
        # a zero lower bound is where rates and counts naturally sit (no deaths this year)
        return (v >= high - margin) | ((low != 0) & (v <= low + margin))

    fraction = (pl.col("unit") == "%").fill_null(False) & (x > 0) & (x <= 1) & (reference >= FRACTION_SCALE * x)
    ratio = x / last
    rising = last.is_not_null() & (last > 0) & (x > 0)
    jump = pl.when(rising).then((ratio > ratio_limit) | (ratio < 1 / ratio_limit))
    jump = jump.otherwise(last.is_not_null() & ((last == 0) != (x == 0)))
    z = 0.6745 * (x - median) / pl.col("mad")
    far = median.is_not_null() & (pl.col("mad") != 0) & (z.abs() > z_limit)
    edge = at_edge(x) & (reference.is_null() | ~at_edge(reference))
    flagged = obs.with_columns(
        fraction.fill_null(False).alias("fraction"),
        (~fraction.fill_null(False) & jump.fill_null(False)).alias("jump"),
        (~fraction.fill_null(False) & far.fill_null(False)).alias("far"),
        (~fraction.fill_null(False) & edge.fill_null(False)).alias("edge"),
        median.alias("median"),
        reference.alias("reference"),
    ).filter(pl.any_horizontal("fraction", "jump", "far", "edge"))

    out: list[Finding] = []
    for o in flagged.iter_rows(named=True):
        where = f"{file} 工作表“{o['sheet']}”第{o['row']}行{o['column']}列"
        for rule, message in _messages(o, ratio_limit, z_limit):
            text = f"{where}：{message}（提醒，不影响载入）"
            out.append(Finding(file, o["sheet"], o["row"], o["column"], rule, SEVERITY_WARNING, text))
    return out


def _messages(o: dict, ratio_limit: float, z_limit: float) -> list[tuple[str, str]]:
    """The warnings of one flagged value, in the order the rules are tried."""
    name, unit, value, last = o["name"], o["unit"] or "", o["value"], o["last"]
    if o["fraction"]:
        basis = f"（参考值 {_fmt(o['reference'])}%）"
        return [
            (
                "looks_like_fraction",
                f"“{name}”数值 {_fmt(value)} 像是写成了小数的百分数{basis}；如为 {_fmt(value * 100)}%，请改为 "
                f"{_fmt(value * 100)}",
            )
        ]
    out = []
    if o["jump"] and last > 0 and value > 0:
        ratio = value / last
        out.append(
            (
                "jump_from_last_year",
                f"“{name}”由上年 {_fmt(last)}{unit} 变为 {_fmt(value)}{unit}（{ratio:.2f} 倍），"
                f"超出上年数值的 1/{_fmt(ratio_limit)}—{_fmt(ratio_limit)} 倍，请核对",
            )
        )
    elif o["jump"]:
        out.append(("jump_from_last_year", f"“{name}”由上年 {_fmt(last)}{unit} 变为 {_fmt(value)}{unit}，请核对"))
    if o["far"]:
        z = 0.6745 * (value - o["median"]) / o["mad"]
        out.append(
            (
                "far_from_districts",
                f"“{name}”数值 {_fmt(value)}{unit} 与各区县（中位数 {_fmt(o['median'])}{unit}）相差很大"
                f"（修正 z 分数 {z:.1f}，阈值 ±{_fmt(z_limit)}），请核对",
            )
        )
    if o["edge"]:
        out.append(
            (
                "at_bound_edge",
                f"“{name}”数值 {_fmt(value)}{unit} 处于合理范围（{_fmt(o['low'])}—{_fmt(o['high'])}）的边缘，请核对",
            )
        )
    return out
