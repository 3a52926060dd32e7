"""The view a link describes (plan, year, region, label set, indicator, unit), from query params.

Pure: parse what a URL says against what the database offers, fall back to defaults for
anything unknown, and say so in a short Chinese notice — a bad link never raises.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

# query parameter names, stable because people share links
PARAMS = ("plan", "year", "region", "labels", "indicator", "unit", "basis")


@dataclass(frozen=True)
class ViewOptions:
    """What the database offers; the first plan/region/label set is the default."""

    plans: dict[str, str]  # code -> name (两纲 …)
    years: tuple[int, ...]  # years with data, ascending
    regions: dict[str, str]  # code -> name; the first is the default (the city)
    label_sets: dict[str, str]  # code -> name
    indicators: dict[str, str] = field(default_factory=dict)  # code -> name
    units: dict[str, str] = field(default_factory=dict)  # code -> name
    default_year: int | None = None  # latest year with data when None
    # which values count (dashboard.engine.publication): the bases this user may choose, default first
    bases: dict[str, str] = field(default_factory=lambda: {"all": "含待审核数据"})
    default_years: dict[str, int] = field(default_factory=dict)  # basis → default report year


@dataclass(frozen=True)
class ViewState:
    plan: str
    year: int
    region: str
    labels: str
    indicator: str | None = None
    unit: str | None = None
    basis: str | None = None

    def as_params(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items() if v is not None}


def _pick(raw: str | None, choices: Mapping[str, str], what: str, notices: list[str]) -> str | None:
    """A code, or a display name, from the choices; unknown → None plus a notice."""
    if raw is None or raw == "":
        return None
    if raw in choices:
        return raw
    by_name = {name: code for code, name in choices.items()}
    if raw in by_name:
        return by_name[raw]
    notices.append(f"链接中的{what}“{raw}”不存在，已改为默认{what}。")
    return None


def parse_view(params: Mapping[str, str], options: ViewOptions) -> tuple[ViewState, list[str]]:
    """The view a link asks for, with defaults for what is missing and notices for what is wrong."""
    notices: list[str] = []
    plan = _pick(params.get("plan"), options.plans, "规划", notices) or next(iter(options.plans))
    region = _pick(params.get("region"), options.regions, "地区", notices) or next(iter(options.regions))
    labels = _pick(params.get("labels"), options.label_sets, "标签方案", notices) or next(iter(options.label_sets))
    indicator = _pick(params.get("indicator"), options.indicators, "指标", notices)
    unit = _pick(params.get("unit"), options.units, "成员单位", notices)
    basis = _pick(params.get("basis"), options.bases, "数据口径", notices) or next(iter(options.bases))

    default_year = (
        options.default_years.get(basis) or options.default_year or (options.years[-1] if options.years else 2024)
    )
    year = default_year
    raw_year = params.get("year")
    if raw_year:
        try:
            year = int(raw_year)
        except ValueError:
            notices.append(f"链接中的年份“{raw_year}”无法识别，已改为{default_year}年。")
        else:
            if options.years and year not in options.years:
                notices.append(f"{year}年没有数据，已改为{default_year}年。")
                year = default_year
    return ViewState(plan, year, region, labels, indicator, unit, basis), notices
