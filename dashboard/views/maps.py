"""地图 page: the link it opens on, and everything it shows for the widgets' choices.

The page reads widgets into a MapsChoice, calls `maps_page` once, and draws the result with
dashboard.render.deck; numbers come from dashboard.engine.coverage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from dashboard import engine
from dashboard.engine import ProgressResult, coverage, levels, publication, report_year
from dashboard.engine.coverage import (
    ATTAINMENT_THEME,
    CHILD_THEME,
    COURTYARD_THEME,
    MEASURES,
    THEME_MEASURES,
    THEMES,
    Measure,
    PlaceData,
    load_place_data,
)

# the page's vocabulary, so the page needs nothing from the engine
__all__ = [
    "ATTAINMENT_THEME",
    "CHILD_THEME",
    "COURTYARD_THEME",
    "MEASURES",
    "THEMES",
    "THEME_MEASURES",
    "load_place_data",
    "LABEL_SET",
]

# the label set the 达标率 theme's engine result is asked for: 达标率 counts status codes, which
# every label set shares, so the map asks for the one the briefing opens with and shares its result
LABEL_SET = "default"


@dataclass(frozen=True)
class MapsOptions:
    """What the widgets offer before anyone chooses: years per theme, the year each theme opens
    on, districts and plans, for one publication basis."""

    years: dict[str, list[int]]
    district_names: dict[str, str]
    plan_names: dict[str, str]
    default_years: dict[str, int | None] = field(default_factory=dict)
    basis: str = publication.ALL

    def year_for(self, theme: str, chosen: int | None) -> int | None:
        """The year a theme shows: the year the user chose (or a link named) when the theme has
        data for it, else the theme's default year — never silently its first year."""
        if chosen is not None and chosen in self.years.get(theme, []):
            return chosen
        return self.default_years.get(theme)


def default_year(years: list[int], preferred: int | None = None) -> int | None:
    """`preferred` when it is among `years`, else the latest of them (None without any)."""
    if preferred is not None and preferred in years:
        return preferred
    return years[-1] if years else None


def maps_options(data: PlaceData, db_path: Path, basis: str) -> MapsOptions:
    """Options for `basis` (publication.REVIEWED or ALL). Place themes open on their latest
    year; 达标率 opens on the default report year of the briefing (engine.report_year) on the
    same basis, so a few values sent early never move the map's year either."""
    plans = engine.plans(db_path)
    years = {
        coverage.COURTYARD_THEME: data.years(coverage.COURTYARD_THEME),
        coverage.CHILD_THEME: data.years(coverage.CHILD_THEME),
        coverage.ATTAINMENT_THEME: coverage.observation_years(db_path),
    }
    report = report_year.default_report_year(db_path, data.region_code, basis)
    return MapsOptions(
        years=years,
        district_names=dict(zip(data.districts["district_code"], data.districts["district_name"], strict=True)),
        plan_names=dict(zip(plans["code"], plans["name"], strict=True)),
        default_years={
            coverage.COURTYARD_THEME: default_year(years[coverage.COURTYARD_THEME]),
            coverage.CHILD_THEME: default_year(years[coverage.CHILD_THEME]),
            coverage.ATTAINMENT_THEME: default_year(years[coverage.ATTAINMENT_THEME], report),
        },
        basis=basis,
    )


@dataclass(frozen=True)
class MapsChoice:
    """The widgets' choices (a hashable cache key)."""

    theme: str
    measure: str
    year: int | None
    plan: str | None
    district: str | None
    show_homes: bool
    basis: str = publication.ALL  # which values 达标率 counts (engine.publication)


@dataclass(frozen=True)
class MapsPage:
    """Everything the page shows for one MapsChoice. `notice` replaces the map when set."""

    measure: Measure
    notice: str | None
    notice_icon: str
    sample_note: str | None
    districts: pl.DataFrame | None  # coverage.measure_frame: one row per district, classified
    villages: pl.DataFrame | None
    communities: pl.DataFrame | None
    homes: pl.DataFrame | None
    class_counts: dict[str, int]
    table: pl.DataFrame | None
    row: dict[str, Any] | None  # the chosen district's figures
    history: pl.DataFrame | None  # the chosen district over the theme's years
    misplaced: pl.DataFrame | None  # records whose coordinates need checking
    without_coordinates: int

    @property
    def point_layers(self) -> bool:
        return self.villages is not None or self.communities is not None


def maps_page(
    data: PlaceData, db_path: Path, options: MapsOptions, choice: MapsChoice, result: ProgressResult | None = None
) -> MapsPage:
    """The page for `choice`. The 达标率 theme reads `result`, the engine's result for the
    choice's plan, year and basis over the home region: the one the briefing shows, so both
    pages give a district the same 达标率 (the page shows the result's own 数据口径 and 示例
    notices, as every plan page does)."""
    measure = MEASURES[choice.measure]
    theme, year = choice.theme, choice.year
    empty = MapsPage(measure, None, ":material/info:", None, None, None, None, None, {}, None, None, None, None, 0)
    sample_note = None
    if theme == coverage.ATTAINMENT_THEME:
        if year is None or result is None:
            return _with(empty, notice="尚无区县指标数据，暂不能计算达标率。", notice_icon=":material/hourglass_empty:")
        by_district = coverage.attainment_by_district(coverage.attainment_input(result), data.districts)
    elif year is None:
        return _with(empty, notice=f"尚未载入{THEMES[theme]}数据。可用 python -m etl load-places 载入村、社区记录。")
    else:
        by_district = data.by_district(theme, year)
        if data.is_sample(theme):
            sample_note = "示例数据：本页的村、社区记录为程序生成的演示数据，仅用于展示功能，不代表真实统计结果。"

    districts = coverage.measure_frame(by_district, measure)
    villages = communities = homes = None
    if theme == coverage.COURTYARD_THEME:
        villages = coverage.village_points(data.courtyard, year, measure)
    if theme == coverage.CHILD_THEME:
        communities = coverage.community_points(data.child, year, coverage.FRIENDLY)
        homes = coverage.community_points(data.child, year, coverage.CHILD_HOME) if choice.show_homes else None
    # the whole region's row pools its districts' records; for 达标率 that is a count over
    # indicator × district, not the region's own 达标率, so it is labelled as a roll-up
    if theme == coverage.ATTAINMENT_THEME:
        total_name = levels.total_name("区县")
    else:
        total_name = f"{data.region_name}合计"
    table = coverage.district_table(coverage.with_total(by_district, data.region_code, total_name), measure)
    row = coverage.district_row(districts, choice.district) if choice.district else None
    history = None
    if row is not None and theme != coverage.ATTAINMENT_THEME:
        by_year = [data.by_district(theme, y) for y in options.years[theme]]
        history = coverage.district_history(by_year, measure, choice.district)
    misplaced, without = None, 0
    if theme != coverage.ATTAINMENT_THEME:
        wrong, without = coverage.coordinate_issues(data, theme, year)
        misplaced = coverage.misplaced_table(wrong, options.district_names) if wrong.height else None
    return MapsPage(
        measure,
        None,
        ":material/info:",
        sample_note,
        districts,
        villages,
        communities,
        homes,
        coverage.class_counts(districts, measure.scheme),
        table,
        row,
        history,
        misplaced,
        without,
    )


def _with(page: MapsPage, **changes: Any) -> MapsPage:
    from dataclasses import replace

    return replace(page, **changes)


def link_params(choice: MapsChoice, *, with_basis: bool = False) -> dict[str, str]:
    """The URL for what is on screen, so a copied link reopens it. The basis goes in only for
    those who may choose it (a basis nobody can change stays out of links, as on every page)."""
    params = {"theme": choice.theme, "measure": choice.measure}
    if choice.year is not None:
        params["year"] = str(choice.year)
    if choice.plan and choice.theme == coverage.ATTAINMENT_THEME:
        params["plan"] = choice.plan
    if choice.district:
        params["district"] = choice.district
    if with_basis and choice.theme == coverage.ATTAINMENT_THEME:
        params["basis"] = choice.basis
    return params


# --- view state in the URL --------------------------------------------------------------------


@dataclass(frozen=True)
class MapView:
    """What a shared link says about the map view (already checked). `year` is the year shown;
    `year_linked` says the link named it (a chosen year, carried when the theme changes)."""

    theme: str
    measure: str
    year: int | None
    district: str | None
    plan: str | None
    year_linked: bool = False
    basis: str | None = None


# names people and other pages use for the map themes (the data tables among them)
THEME_ALIASES: dict[str, str] = {
    "child_friendly": "child",
    "儿童友好": "child",
    "儿童之家": "child",
    "child_home": "child",
    "beautiful_courtyard": "courtyard",
    "美丽庭院覆盖率": "courtyard",
    "attainment_rate": "attainment",
}


def parse_view(
    params: dict[str, str],
    *,
    years: dict[str, list[int]],
    districts: list[str],
    plans: list[str],
    defaults: dict[str, int | None] | None = None,
    bases: list[str] | None = None,
) -> tuple[MapView, list[str]]:
    """Check `theme`, `measure`, `year`, `district`, `plan` and `basis` query parameters.

    Anything unknown falls back to the default (first theme and measure, the theme's default
    year from `defaults` — its latest year when not given —, no district, first plan, first
    basis) with a short Chinese notice; never an exception.
    """
    notices: list[str] = []
    # a link may name a theme by its key, its label on screen, or the name its data goes by
    by_label = {label: key for key, label in THEMES.items()} | THEME_ALIASES
    raw_theme = params.get("theme")
    theme = raw_theme if raw_theme in THEMES else by_label.get((raw_theme or "").strip(), "")
    if not theme:
        if raw_theme:
            notices.append(f"链接中的主题“{raw_theme}”无效，已显示默认主题。")
        theme = next(iter(THEMES))
    measures = THEME_MEASURES[theme]
    raw_measure = params.get("measure")
    measure = raw_measure if raw_measure in measures else measures[0]
    if raw_measure and raw_measure not in measures:
        known = raw_measure in MEASURES
        notices.append(f"链接中的指标“{raw_measure}”{'不属于该主题' if known else '无效'}，已显示默认指标。")
    options = years.get(theme, [])
    raw_year = params.get("year")
    year = default_year(options, (defaults or {}).get(theme))
    linked = False
    if raw_year:
        if raw_year.strip().isdigit() and int(raw_year) in options:
            year, linked = int(raw_year), True
        else:
            notices.append(
                f"链接中的年份“{raw_year}”无效或无数据，已显示{year}年。" if year else f"链接中的年份“{raw_year}”无效。"
            )
    raw_district = params.get("district")
    district = raw_district if raw_district in districts else None
    if raw_district and district is None:
        notices.append(f"链接中的区县代码“{raw_district}”不在本地区，已显示全部区县。")
    raw_plan = params.get("plan")
    plan = raw_plan if raw_plan in plans else (plans[0] if plans else None)
    if raw_plan and raw_plan not in plans:
        notices.append(f"链接中的规划“{raw_plan}”无效，已显示默认规划。")
    basis = None
    if bases:
        raw_basis = params.get("basis")
        basis = raw_basis if raw_basis in bases else bases[0]
        if raw_basis and raw_basis not in bases:
            notices.append(f"链接中的数据口径“{raw_basis}”不存在，已改为默认数据口径。")
    return MapView(theme, measure, year, district, plan, linked, basis), notices
