"""Normalise and validate raw values → observations, findings and rejected rows.

Every rule yields a `Finding` (file, sheet, row, column, rule, severity, Chinese message);
nothing prints. Errors reject the row; warnings and info rows are loaded and shown.

A file's values are checked as one polars frame: indicator, district, name, year and
breakdown texts are resolved once per distinct text and joined back; numbers, units, bounds,
fractions and duplicates are expressions over the whole column. Which rule refuses which value
comes out as a frame, and only those values get a Python `Finding` with their message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from etl.core import bounds
from etl.core.numbers import parse_year, unit_key
from etl.core.records import (
    SEVERITY_ERROR,
    SEVERITY_INFO,
    SEVERITY_WARNING,
    TOTAL,
    Finding,
    Observation,
    RawValue,
)
from etl.core.text import squash
from etl.returns.frames import keep, look_up, map_distinct, rows_frame
from etl.returns.lookup import WHOLE_REGION_WORDS, IndicatorLookup, RegionLookup
from etl.returns.messages import Renderer
from etl.returns.plausibility import plausibility_frame
from etl.returns.values import parse_values
from etl.returns.walk import RAW_SCHEMA, raw_cells, raw_rows_frame

BREAKDOWN_WORDS = {
    "城镇": "城镇",
    "城市": "城镇",
    "农村": "农村",
    "乡村": "农村",
    "女": "女",
    "女性": "女",
    "男": "男",
    "男性": "男",
    "合计": TOTAL,
    "总计": TOTAL,
}

Key = tuple[str, str, int, str]  # indicator, region, year, breakdown
CURRENT_SCHEMA: dict[str, pl.DataType] = {
    "indicator_code": pl.String(),
    "region_code": pl.String(),
    "year": pl.Int64(),
    "breakdown": pl.String(),
    "value": pl.Float64(),
}
# A checked value ready to load, in the order values are saved.
OBSERVATION_SCHEMA: dict[str, pl.DataType] = {
    **CURRENT_SCHEMA,
    "sheet": pl.String(),
    "row": pl.Int64(),
    "column": pl.String(),
    "note": pl.String(),
    "raw_id": pl.Int64(),
}
REJECTED_SCHEMA: dict[str, pl.DataType] = {
    "sheet": pl.String(),
    "row": pl.Int64(),
    "column": pl.String(),
    "raw_id": pl.Int64(),
    "reason": pl.String(),
}


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name: str
    unit: str | None
    plausible_min: float | None
    plausible_max: float | None
    breakdowns: frozenset[str]


@dataclass
class Context:
    """What validation needs to know about the database it loads into."""

    indicators: IndicatorLookup
    regions: RegionLookup
    info: dict[str, IndicatorInfo]
    first_year: int
    last_year: int
    # observation_current values (CURRENT_SCHEMA); a load of several files adds each file's
    current: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=CURRENT_SCHEMA))
    # No value may be for a year after this one: a 2024 return cannot know 2030.
    latest_year: int = field(default_factory=lambda: date.today().year)
    # the region the dashboard is for (its parent is not loaded): not one of the districts
    home_regions: frozenset[str] = frozenset()

    @classmethod
    def from_frames(
        cls,
        indicators: pl.DataFrame,
        aliases: pl.DataFrame,
        regions: pl.DataFrame,
        years: tuple[int, int],
        current: dict[Key, float] | pl.DataFrame | None = None,
        today: date | None = None,
    ) -> Context:
        info = {
            r["code"]: IndicatorInfo(
                r["code"],
                r["name"],
                r["unit"],
                r["plausible_min"],
                r["plausible_max"],
                frozenset(b for b in (r["breakdowns"] or "").split("|") if b),
            )
            for r in indicators.iter_rows(named=True)
        }
        codes = set(regions["code"].to_list())
        home = (
            frozenset(c for c, p in regions.select("code", "parent_code").iter_rows() if p not in codes)
            if "parent_code" in regions.columns
            else frozenset()
        )
        return cls(
            IndicatorLookup(indicators, aliases),
            RegionLookup(regions),
            info,
            years[0],
            years[1],
            current_frame(current),
            (today or date.today()).year,
            home,
        )

    def catalogue(self) -> pl.DataFrame:
        """One row per indicator: code, name, unit, its bounds (low, high) and breakdowns."""
        rows = []
        for i in self.info.values():
            low, high = bounds.value_bounds(i.unit, i.plausible_min, i.plausible_max)
            rows.append((i.code, i.name, i.unit, low, high, sorted(i.breakdowns)))
        return rows_frame(
            rows,
            {
                "code": pl.String(),
                "name": pl.String(),
                "unit": pl.String(),
                "low": pl.Float64(),
                "high": pl.Float64(),
                "breakdowns": pl.List(pl.String()),
            },
        )


def current_frame(current: dict[Key, float] | pl.DataFrame | None) -> pl.DataFrame:
    """Current values as a CURRENT_SCHEMA frame (from a {key: value} dict or a frame)."""
    if current is None:
        return pl.DataFrame(schema=CURRENT_SCHEMA)
    if isinstance(current, pl.DataFrame):
        return current.select(pl.col(c).cast(t) for c, t in CURRENT_SCHEMA.items())
    return pl.DataFrame([(*k, v) for k, v in current.items()], schema=CURRENT_SCHEMA, orient="row")


@dataclass(frozen=True)
class Rejected:
    sheet: str
    row: int
    column: str
    raw_cells: tuple[str, ...]
    reason: str


@dataclass
class CheckResult:
    observations: list[Observation] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    missing: int = 0  # gaps written as —/无/暂无数据


@dataclass
class CheckedFrames:
    """A file's values checked: what loads, what is refused, and every finding in order."""

    observations: pl.DataFrame  # OBSERVATION_SCHEMA
    rejected: pl.DataFrame  # REJECTED_SCHEMA
    findings: list[Finding]
    missing: int


def check_values(values: list[RawValue], ctx: Context) -> CheckResult:
    """Normalise and validate one file's raw values against the catalogue and current data."""
    # falsy optional fields (None, "", ()) all mean "not given"
    frame = rows_frame(
        [
            (v.file, v.sheet, v.row, v.column, v.indicator, v.value, v.region, v.year, v.breakdown, v.unit,
             v.note or None, v.indicator_name or None, v.region_name or None, v.region_column or None, i)
            for i, v in enumerate(values)
        ],
        RAW_SCHEMA,
    )  # fmt: skip
    raw_rows = raw_rows_frame([(i, v.sheet, v.row, tuple(v.raw_cells)) for i, v in enumerate(values)])
    checked = check_frames(frame, raw_rows, ctx)
    cells = raw_cells(raw_rows)
    return CheckResult(
        [
            Observation(
                o["indicator_code"],
                o["region_code"],
                o["year"],
                o["breakdown"],
                o["value"],
                o["sheet"],
                o["row"],
                o["column"],
                o["note"],
            )  # fmt: skip
            for o in checked.observations.iter_rows(named=True)
        ],
        checked.findings,
        [
            Rejected(r["sheet"], r["row"], r["column"], tuple(cells.get(r["raw_id"]) or ()), r["reason"])
            for r in checked.rejected.iter_rows(named=True)
        ],
        checked.missing,
    )


# Per-value rules in the order they are tried; the first that applies decides.
_VALUE_RULES = (
    "unknown_indicator",
    "ambiguous_indicator",
    "indicator_name_mismatch",
    "region_code_too_fine",
    "whole_region_skipped",
    "unknown_region",
    "ambiguous_region",
    "region_name_mismatch",
    "bad_year",
    "year_out_of_plan",
    "future_year",
    "unknown_breakdown",
    "missing",
    "non_numeric",
)
# Per-indicator rules, for each indicator a value counts for (several when fanned out).
_CODE_RULES = ("unit_mismatch", "breakdown_not_allowed", "negative", "percent_over_100", "out_of_range")
# Every rule validation can raise, for the pages that name them.
RULES = (
    *(r for r in _VALUE_RULES if r != "missing"),
    *_CODE_RULES,
    "same_measure",
    "looks_like_fraction",
    "duplicate_conflict",
    "duplicate_same",
    "revision",
)
# Phases of a file's findings, in the order they are reported.
_PER_VALUE, _FRACTIONS, _DUPLICATES, _PLAUSIBILITY = range(4)


def check_frames(values: pl.DataFrame, raw_rows: pl.DataFrame, ctx: Context) -> CheckedFrames:
    """Normalise and validate one file's raw values (etl.returns.walk.RAW_SCHEMA; their source
    rows in `raw_rows`) against the catalogue and the current data."""
    v = _resolve(values.with_row_index("seq").with_columns(pl.col("seq").cast(pl.Int64)), ctx)
    decided = _first_failure(v, ctx)
    missing = decided.filter(pl.col("fail") == "missing").height
    # what the later rules need; the texts are gathered by seq (v's row number) when needed
    ok = keep(decided, pl.col("fail").is_null()).select(
        "seq", "ind_codes", "fan", "reg_codes", "year_int", "bd", "num_value", "num_unit", "unit_sq"
    )
    per_code = _per_code(ok, ctx)
    pairs = keep(per_code, pl.col("fail").is_null()).with_row_index("pair").with_columns(pl.col("pair").cast(pl.Int64))

    events = [
        decided.filter(pl.col("fail").is_not_null() & (pl.col("fail") != "missing")).select(
            pl.lit(_PER_VALUE).alias("phase"), pl.col("seq").alias("k1"), pl.lit(0).alias("k2"), "seq", "fail"
        ),
        per_code.filter(pl.col("fail").is_not_null()).select(
            pl.lit(_PER_VALUE).alias("phase"),
            pl.col("seq").alias("k1"),
            (pl.col("code_index") + 1).alias("k2"),
            "seq",
            "fail",
            "code",
        ),
        # one value counted for both outlines' indicators: said once, after its per-code refusals
        pairs.filter("fan")
        .unique("seq", keep="first", maintain_order=True)
        .select(
            pl.lit(_PER_VALUE).alias("phase"),
            pl.col("seq").alias("k1"),
            pl.lit(1_000_000).alias("k2"),
            "seq",
            pl.lit("same_measure").alias("fail"),
        ),
    ]
    fractions, pairs = _fractions(pairs, ctx)
    events.append(fractions)
    duplicates, observations = _duplicates(pairs, v, ctx)
    events.append(duplicates)
    events = pl.concat(events, how="diagonal_relaxed").sort("phase", "k1", "k2", maintain_order=True)

    findings: list[Finding] = []
    rejected: list[tuple] = []
    render = Renderer(ctx)
    by_seq = v.select(
        "seq", "file", "sheet", "row", "column", "indicator", "value", "region", "year", "breakdown", "unit",
        "indicator_name", "region_name", "region_column", "raw_id", "ind_codes", "reg_codes", "num_unit", "unit_sq",
        "num_error", "bd",
    )  # fmt: skip
    rows = events.join(by_seq, on="seq", how="left", maintain_order="left")
    for e in rows.iter_rows(named=True):
        rule, message, column = render.message(e)
        severity = _SEVERITY.get(rule, SEVERITY_ERROR)
        col = column or e["column"]
        text = f"{e['file']} 工作表“{e['sheet']}”第{e['row']}行{col}列：{message}"
        findings.append(Finding(e["file"], e["sheet"], e["row"], col, rule, severity, text))
        if severity == SEVERITY_ERROR:
            rejected.append((e["sheet"], e["row"], col, e["raw_id"], text))
    file = values["file"][0] if values.height else ""
    findings += plausibility_frame(file, observations, ctx)
    return CheckedFrames(
        observations.select(list(OBSERVATION_SCHEMA)),
        pl.DataFrame(rejected, schema=REJECTED_SCHEMA, orient="row"),
        findings,
        missing,
    )


_SEVERITY = {
    "whole_region_skipped": SEVERITY_INFO,
    "same_measure": SEVERITY_INFO,
    "duplicate_same": SEVERITY_INFO,
    "revision": SEVERITY_WARNING,
}


def _breakdown_word(text: str | None) -> str | None:
    if text is None:
        return TOTAL
    return BREAKDOWN_WORDS.get(squash(text).removeprefix("其中:").removeprefix("其中"))


def _resolve(v: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Each value's indicator, district, year and breakdown, resolved once per distinct text."""

    # each distinct (text, name) pair once: a return names its indicators and districts the same
    # way on every row
    def indicator(text: str | None, name: str | None) -> tuple[list[str], bool, bool]:
        m = ctx.indicators.resolve(text)
        agrees = not name or bool(set(ctx.indicators.resolve(name).codes) & set(m.codes))
        return list(m.codes), m.fan_out, agrees

    def region(text: str | None, name: str | None) -> tuple[list[str], bool, bool, bool]:
        codes = ctx.regions.resolve(text).codes
        agrees = not name or len(codes) != 1 or codes[0] in ctx.regions.resolve(name).codes
        too_fine = ctx.regions.long_code_reason(text) is not None
        return list(codes), too_fine, squash(text) in WHOLE_REGION_WORDS, agrees

    v = map_distinct(
        v,
        ["indicator", "indicator_name"],
        indicator,
        {"ind_codes": pl.List(pl.String()), "fan": pl.Boolean(), "name_agrees": pl.Boolean()},
    )
    v = map_distinct(
        v,
        ["region", "region_name"],
        region,
        {
            "reg_codes": pl.List(pl.String()),
            "too_fine": pl.Boolean(),
            "whole": pl.Boolean(),
            "region_agrees": pl.Boolean(),
        },
    )
    v = map_distinct(v, ["year"], parse_year, {"year_int": pl.Int64()})
    v = map_distinct(v, ["breakdown"], _breakdown_word, {"bd": pl.String()})
    v = map_distinct(v, ["unit"], lambda u: squash(u) or None, {"unit_sq": pl.String()})
    return v.hstack(parse_values(v["value"]))


def _first_failure(v: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """`fail`: the first per-value rule that stops the value (null: it goes on to the
    per-indicator checks)."""
    n_ind, n_reg = pl.col("ind_codes").list.len(), pl.col("reg_codes").list.len()
    year = pl.col("year_int")
    conditions = (
        n_ind == 0,
        (n_ind > 1) & ~pl.col("fan"),
        ~pl.col("name_agrees"),
        (n_reg == 0) & pl.col("too_fine"),
        (n_reg == 0) & pl.col("whole"),
        n_reg == 0,
        n_reg > 1,
        ~pl.col("region_agrees"),
        year.is_null(),
        (year < ctx.first_year) | (year > ctx.last_year),
        year > ctx.latest_year,
        pl.col("bd").is_null(),
        pl.col("num_missing"),
        pl.col("num_error").is_not_null(),
    )
    fail = pl.lit(None, dtype=pl.String)
    for rule, condition in reversed(list(zip(_VALUE_RULES, conditions, strict=True))):
        fail = pl.when(condition).then(pl.lit(rule)).otherwise(fail)
    return v.with_columns(fail.alias("fail"))


def _per_code(ok: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """One row per value × indicator it counts for, with `fail`, the first per-indicator rule
    that refuses it (null: it is an observation)."""
    if (ok["ind_codes"].list.len() == 1).all():
        # nothing fans out (the usual file): one indicator per value
        each = ok.with_columns(pl.col("ind_codes").list.first(), pl.lit(0, dtype=pl.Int64).alias("code_index"))
    else:
        each = ok.with_columns(pl.int_ranges(pl.col("ind_codes").list.len()).alias("code_index"))
        each = each.explode("ind_codes", "code_index").with_columns(pl.col("code_index").cast(pl.Int64))
    each = look_up(
        each.rename({"ind_codes": "code"}),
        ctx.catalogue().select("code", pl.col("unit").alias("ind_unit"), "low", "high", "breakdowns"),
        ["code"],
    ).with_columns(pl.coalesce("num_unit", "unit_sq").alias("cell_unit"))

    def units_differ(cell: str | None, unit: str | None) -> bool:
        return bool(cell and unit and unit_key(cell) != unit_key(unit))

    each = map_distinct(each, ["cell_unit", "ind_unit"], units_differ, {"unit_differs": pl.Boolean()})
    value, low, high = pl.col("num_value"), pl.col("low"), pl.col("high")
    conditions = (
        pl.col("unit_differs"),
        (pl.col("bd") != TOTAL) & ~pl.col("breakdowns").list.contains(pl.col("bd")),
        (value < 0) & (low >= 0),
        (pl.col("ind_unit") == "%").fill_null(False) & (value > 100) & (high <= 100),
        (value < low) | (value > high),
    )
    fail = pl.lit(None, dtype=pl.String)
    for rule, condition in reversed(list(zip(_CODE_RULES, conditions, strict=True))):
        fail = pl.when(condition).then(pl.lit(rule)).otherwise(fail)
    return each.select(
        "seq",
        "code",
        "code_index",
        "fan",
        pl.col("reg_codes").list.first().alias("region_code"),
        "year_int",
        "bd",
        "num_value",
        "ind_unit",
        fail.alias("fail"),
    )


def _fractions(pairs: pl.DataFrame, ctx: Context) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Percentages that all look like fractions (0.953 for 95.3%) are rejected, never stored:
    (their findings, the pairs left)."""
    value = pl.col("num_value")
    groups = (
        pairs.filter(pl.col("ind_unit") == "%")
        .group_by("code", maintain_order=True)
        .agg(
            pl.len().alias("n"), ((value > 0) & (value <= 1)).all().alias("all_small"), pl.col("pair").min().alias("k1")
        )
        .filter((pl.col("n") >= 2) & pl.col("all_small"))
    )
    bad = pairs.join(groups.select("code", "k1"), on="code", how="inner", maintain_order="left")
    events = bad.select(
        pl.lit(_FRACTIONS).alias("phase"),
        "k1",
        pl.col("pair").alias("k2"),
        "seq",
        pl.lit("looks_like_fraction").alias("fail"),
        "code",
        "num_value",
    )
    if not bad.height:  # the usual file: nothing to take out, and the join would copy every pair
        return events, pairs
    return events, pairs.join(bad.select("pair"), on="pair", how="anti", maintain_order="left")


_KEY = ["code", "region_code", "year_int", "bd"]


def _duplicates(pairs: pl.DataFrame, v: pl.DataFrame, ctx: Context) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The same indicator, district, year and breakdown more than once in a file: with different
    values all are refused, never one picked; with the same value it loads once. A value that
    differs from the current one is a revision. (findings, observations in file order)"""
    # most keys occur once: only the repeated ones are grouped
    repeated = pairs.select(_KEY).is_duplicated()
    twice = pairs.filter(repeated).join(v.select("seq", "row", "column", "value"), on="seq", maintain_order="left")
    groups = twice.group_by(_KEY, maintain_order=True).agg(
        pl.col("pair").min().alias("k1"),
        pl.col("num_value").n_unique().alias("n_values"),
        pl.format("第{}行{}列={}", "row", "column", "value").str.join("、").alias("cells"),
        pl.col("row").first().alias("first_row"),
    )
    g = twice.join(groups, on=_KEY, how="left", maintain_order="left")
    conflict = g.filter(pl.col("n_values") > 1).select(
        pl.lit(_DUPLICATES).alias("phase"),
        "k1",
        pl.col("pair").alias("k2"),
        "seq",
        pl.lit("duplicate_conflict").alias("fail"),
        "cells",
    )
    same = g.filter(pl.col("n_values") == 1)
    again = same.filter(pl.col("pair") != pl.col("k1")).select(
        pl.lit(_DUPLICATES).alias("phase"),
        "k1",
        pl.col("pair").alias("k2"),
        "seq",
        pl.lit("duplicate_same").alias("fail"),
        "first_row",
    )
    current = ctx.current.rename({"indicator_code": "code", "year": "year_int", "breakdown": "bd", "value": "old"})
    if repeated.any():
        kept = pl.concat(
            [
                pairs.filter(~repeated).with_columns(pl.col("pair").alias("k1")),
                same.filter(pl.col("pair") == pl.col("k1")).select(*pairs.columns, "k1"),
            ]
        ).sort("pair")
    else:
        kept = pairs.with_columns(pl.col("pair").alias("k1"))
    kept = look_up(kept, current, _KEY)
    revised = kept.filter(pl.col("old").is_not_null() & (pl.col("old") != pl.col("num_value"))).select(
        pl.lit(_DUPLICATES).alias("phase"),
        "k1",
        pl.lit(1_000_000_000, dtype=pl.Int64).alias("k2"),
        "seq",
        pl.lit("revision").alias("fail"),
        "old",
        "num_value",
    )
    observations = kept.select(
        pl.col("code").alias("indicator_code"),
        "region_code",
        pl.col("year_int").alias("year"),
        pl.col("bd").alias("breakdown"),
        pl.col("num_value").alias("value"),
    ).hstack(v.select(pl.col("sheet", "row", "column", "note", "raw_id").gather(kept["seq"])))
    return pl.concat([conflict, again, revised], how="diagonal_relaxed"), observations
