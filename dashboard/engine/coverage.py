"""Coverage of 美丽庭院 and 儿童友好社区 / 儿童之家 per district and year, 达标率 per district,
and the classes a map colours them by.

Plain functions over polars frames (no Streamlit), plus `load_place_data`, the one reader of
the place tables. Rules, stated once here and shown on the page:

- 美丽庭院覆盖率 = Σ 美丽庭院户数 ÷ Σ 农村户数 over a district's villages reported for the year;
  精品（示范）占比 = Σ 精品（示范）户数 ÷ Σ 美丽庭院户数 (villages that state it).
- A 儿童友好社区 or 儿童之家 counts in year Y when its status is 已命名 and it was named in or
  before Y (已撤销 and 创建中 never count). 儿童友好社区占比 = named 儿童友好社区 ÷ 城市社区数;
  儿童之家覆盖率 = villages and communities with a 儿童之家 ÷ (行政村数 + 社区数), as the outline
  counts 城乡社区（村）; denominators are the district's counts for year Y.
- 达标率 = achieved ÷ assessed indicators (the engine decides both).
- A zero or missing denominator gives null, shown as 无数据 — never 0 % or a division error.
Percentages are numbers 0–100, unrounded; rounding happens only in `district_table`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from dashboard.engine.pipeline import ProgressResult
from dashboard.queries import db

NO_DATA = "无数据"
SAMPLE_NOTE = "示例数据"

COURTYARD_THEME, CHILD_THEME, ATTAINMENT_THEME = "courtyard", "child", "attainment"
THEMES: dict[str, str] = {COURTYARD_THEME: "美丽庭院", CHILD_THEME: "儿童友好社区", ATTAINMENT_THEME: "达标率"}

CHILD_HOME, FRIENDLY = "儿童之家", "儿童友好社区"
NAMED = "已命名"
LEVELS: tuple[str, ...] = ("国家级", "省级", "市级", "县级")


# --- classes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassScheme:
    """Classes by stated breaks: class i holds breaks[i-1] ≤ v < breaks[i] (first: v < breaks[0],
    last: v ≥ breaks[-1]); null is its own class, 无数据."""

    breaks: tuple[float, ...]
    colours: tuple[str, ...]  # one per class, light to dark (or bad to good): district fills
    point_colours: tuple[str, ...] = ()  # one per class for points on top of the fills
    unit: str = "%"
    no_data_colour: str = "#d0d0d0"

    def __post_init__(self) -> None:
        n = len(self.breaks) + 1
        if list(self.breaks) != sorted(self.breaks) or len(self.colours) != n:
            raise ValueError("breaks must ascend and there must be one colour per class")
        if self.point_colours and len(self.point_colours) != n:
            raise ValueError("there must be one point colour per class")

    @property
    def labels(self) -> tuple[str, ...]:
        b, u = [f"{x:g}" for x in self.breaks], self.unit
        middle = [f"{lo}–{hi}{u}" for lo, hi in zip(b, b[1:], strict=False)]
        return (f"<{b[0]}{u}", *middle, f"≥{b[-1]}{u}")

    def index(self, value: float | None) -> int | None:
        """Class of one value; None for 无数据."""
        if value is None or value != value:  # NaN is no data too
            return None
        return sum(1 for b in self.breaks if value >= b)

    def label(self, value: float | None) -> str:
        i = self.index(value)
        return NO_DATA if i is None else self.labels[i]

    def colour(self, value: float | None) -> str:
        i = self.index(value)
        return self.no_data_colour if i is None else self.colours[i]

    def point_colour(self, value: float | None) -> str:
        """Points sit on fills of the same ramp, so they get a contrasting one where given."""
        i = self.index(value)
        if i is None:
            return self.no_data_colour
        return (self.point_colours or self.colours)[i]


# ColorBrewer YlGn (sequential) for coverage fills, RdYlGn (diverging) for 达标率 and for
# points drawn over coverage fills (a pale point on a pale fill would vanish).
_GREENS = ("#ffffcc", "#c2e699", "#78c679", "#238443")
_RED_TO_GREEN = ("#d7191c", "#fdae61", "#a6d96a", "#1a9641")
_POINTS = ("#d7301f", "#fc8d59", "#91cf60", "#1a9850")


@dataclass(frozen=True)
class Measure:
    key: str
    theme: str
    label: str  # 美丽庭院覆盖率
    numerator: str  # column of the by-district frame
    denominator: str
    numerator_label: str  # 美丽庭院户数
    denominator_label: str  # 农村户数
    count_word: str  # 户 / 个 / 项
    scheme: ClassScheme
    definition: str  # one Chinese sentence, shown under the map


# The class breaks: a small configuration, one line per measure. The 美丽庭院 and 达标率 breaks
# are fixed at 60/80/95 %; 儿童之家 uses the outline's 90 % goal; 儿童友好社区 and 精品 shares
# are far lower in practice, so their classes are spread where the values are.
MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure(
            "courtyard_coverage",
            COURTYARD_THEME,
            "美丽庭院覆盖率",
            "courtyard_households",
            "rural_households",
            "美丽庭院户数",
            "农村户数",
            "户",
            ClassScheme((60, 80, 95), _GREENS, _POINTS),
            "美丽庭院覆盖率 = 美丽庭院户数 ÷ 农村户数（区县内各村当年数据合计）。",
        ),
        Measure(
            "premium_share",
            COURTYARD_THEME,
            "精品（示范）户占比",
            "premium_households",
            "courtyard_households",
            "精品（示范）户数",
            "美丽庭院户数",
            "户",
            # villages are drawn over the fills in the same classes: contrasting point colours
            ClassScheme((10, 20, 30), _GREENS, _POINTS),
            "精品（示范）户占比 = 精品（示范）户数 ÷ 美丽庭院户数（只计填报了精品户数的村）。",
        ),
        Measure(
            "friendly_share",
            CHILD_THEME,
            "儿童友好社区占比",
            "friendly",
            "communities",
            "已命名儿童友好社区",
            "城市社区数",
            "个",
            ClassScheme((10, 20, 30), _GREENS),
            "儿童友好社区占比 = 当年及以前已命名（未撤销）的儿童友好社区数 ÷ 城市社区数。",
        ),
        Measure(
            "home_coverage",
            CHILD_THEME,
            "儿童之家覆盖率",
            "homes",
            "places",
            "建有儿童之家的村和社区",
            "行政村和社区数",
            "个",
            ClassScheme((60, 80, 90), _GREENS),
            "儿童之家覆盖率 = 当年及以前建成（未撤销）的儿童之家数 ÷（行政村数 + 社区数）。",
        ),
        Measure(
            "attainment",
            ATTAINMENT_THEME,
            "达标率",
            "achieved",
            "assessed",
            "达标指标数",
            "可评估指标数",
            "项",
            ClassScheme((60, 80, 95), _RED_TO_GREEN),
            "达标率 = 已达标指标数 ÷ 有数据且有数值或定性目标的指标数；无数据指标单列。",
        ),
    )
}
THEME_MEASURES: dict[str, tuple[str, ...]] = {
    theme: tuple(k for k, m in MEASURES.items() if m.theme == theme) for theme in THEMES
}


def percent(numerator: str, denominator: str) -> pl.Expr:
    """100 · numerator ÷ denominator, null when the denominator is 0 or missing."""
    num, den = pl.col(numerator), pl.col(denominator)
    return (
        pl.when(den.is_not_null() & (den > 0) & num.is_not_null())
        .then(100.0 * num.cast(pl.Float64) / den.cast(pl.Float64))
        .otherwise(None)
    )


def classify(frame: pl.DataFrame, scheme: ClassScheme, value: str = "value") -> pl.DataFrame:
    """Add class_index (null for 无数据), class_label and class_colour for column `value`."""
    values = frame[value].to_list()
    return frame.with_columns(
        pl.Series("class_index", [scheme.index(v) for v in values], dtype=pl.Int8),
        pl.Series("class_label", [scheme.label(v) for v in values], dtype=pl.String),
        pl.Series("class_colour", [scheme.colour(v) for v in values], dtype=pl.String),
    )


# --- 美丽庭院 ---------------------------------------------------------------------------------


def _base(districts: pl.DataFrame) -> pl.DataFrame:
    return districts.select("district_code", "district_name")


def courtyard_by_district(courtyard: pl.DataFrame, districts: pl.DataFrame, year: int) -> pl.DataFrame:
    """One row per district (every district, reported or not) for `year`.

    Columns: district_code, district_name, year, villages_reported, rural_households,
    courtyard_households, premium_households, premium_reported, coverage, premium_share.
    """
    rows = courtyard.filter(pl.col("year") == year)
    sums = rows.group_by("district_code").agg(
        pl.len().alias("villages_reported"),
        pl.col("rural_households").sum(),
        pl.col("courtyard_households").sum(),
        # 精品 share only over villages that state it, so a blank is not read as 0
        pl.col("premium_households").sum(),
        pl.col("premium_households").count().alias("premium_reported"),
        pl.col("courtyard_households")
        .filter(pl.col("premium_households").is_not_null())
        .sum()
        .alias("courtyard_with_premium"),
    )
    out = (
        _base(districts)
        .join(sums, on="district_code", how="left")
        .with_columns(
            pl.lit(year, dtype=pl.Int32).alias("year"),
            pl.col("villages_reported").fill_null(0),
            pl.when(pl.col("premium_reported") > 0)
            .then(pl.col("premium_households"))
            .otherwise(None)
            .alias("premium_households"),
        )
    )
    return out.with_columns(
        percent("courtyard_households", "rural_households").alias("coverage"),
        percent("premium_households", "courtyard_with_premium").alias("premium_share"),
    ).select(
        "district_code",
        "district_name",
        "year",
        "villages_reported",
        "rural_households",
        "courtyard_households",
        "premium_households",
        "premium_reported",
        "courtyard_with_premium",
        "coverage",
        "premium_share",
    )


def village_points(courtyard: pl.DataFrame, year: int, measure: Measure | None = None) -> pl.DataFrame:
    """Villages of `year` with coordinates: households, coverage and 精品 share (null where the
    denominator is 0 or the number was not stated), and `value` with its class for the measure
    on the map (美丽庭院覆盖率 by default), so points and districts speak of the same measure."""
    measure = measure or MEASURES["courtyard_coverage"]
    rows = courtyard.filter((pl.col("year") == year) & pl.col("lon").is_not_null() & pl.col("lat").is_not_null())
    rows = rows.with_columns(
        percent("courtyard_households", "rural_households").alias("coverage"),
        percent("premium_households", "courtyard_households").alias("premium_share"),
    )
    return classify(rows.with_columns(pl.col(_VALUE_COLUMN[measure.key]).alias("value")), measure.scheme)


# --- 儿童友好社区 / 儿童之家 --------------------------------------------------------------------


def named_by(child: pl.DataFrame, year: int) -> pl.DataFrame:
    """Places that count in `year`: status 已命名 and named in or before it."""
    return child.filter(
        (pl.col("status") == NAMED) & pl.col("year_named").is_not_null() & (pl.col("year_named") <= year)
    )


def child_by_district(child: pl.DataFrame, counts: pl.DataFrame, districts: pl.DataFrame, year: int) -> pl.DataFrame:
    """One row per district for `year`.

    Columns: district_code, district_name, year, villages, communities, places (村 + 社区),
    friendly (named 儿童友好社区), friendly_<level> per level and friendly_unstated,
    friendly_share, friendly_share_<level>, homes (named 儿童之家), home_coverage.
    """
    named = named_by(child, year)
    friendly = named.filter(pl.col("kind") == FRIENDLY)
    level_counts = friendly.group_by("district_code").agg(
        pl.len().alias("friendly"),
        *[(pl.col("level") == lvl).sum().alias(f"friendly_{lvl}") for lvl in LEVELS],
        pl.col("level").is_null().sum().alias("friendly_unstated"),
    )
    homes = named.filter(pl.col("kind") == CHILD_HOME).group_by("district_code").agg(pl.len().alias("homes"))
    denominators = counts.filter(pl.col("year") == year).select("district_code", "villages", "communities")
    count_cols = ["friendly", *[f"friendly_{lvl}" for lvl in LEVELS], "friendly_unstated", "homes"]
    out = (
        _base(districts)
        .join(denominators, on="district_code", how="left")
        .join(level_counts, on="district_code", how="left")
        .join(homes, on="district_code", how="left")
        .with_columns(pl.col(count_cols).fill_null(0).cast(pl.Int64), pl.lit(year, dtype=pl.Int32).alias("year"))
        # both counts are needed: an unknown number of villages is not zero villages
        .with_columns((pl.col("villages") + pl.col("communities")).alias("places"))
    )
    return out.with_columns(
        percent("friendly", "communities").alias("friendly_share"),
        *[percent(f"friendly_{lvl}", "communities").alias(f"friendly_share_{lvl}") for lvl in LEVELS],
        percent("homes", "places").alias("home_coverage"),
    ).select(
        "district_code",
        "district_name",
        "year",
        "villages",
        "communities",
        "places",
        *count_cols,
        "friendly_share",
        *[f"friendly_share_{lvl}" for lvl in LEVELS],
        "home_coverage",
    )


def community_points(child: pl.DataFrame, year: int, kind: str = FRIENDLY) -> pl.DataFrame:
    """Named places of one kind that count in `year` and have coordinates."""
    return named_by(child, year).filter(
        (pl.col("kind") == kind) & pl.col("lon").is_not_null() & pl.col("lat").is_not_null()
    )


# --- 达标率 -----------------------------------------------------------------------------------


def attainment_by_district(frame: pl.DataFrame, districts: pl.DataFrame | None = None) -> pl.DataFrame:
    """达标率 per district from counts: columns region_code, achieved, assessed (+ any other
    count columns, e.g. no_data, summed alongside). Several rows per district are added up.

    Returns district_code, [district_name,] achieved, assessed, …, attainment (null when
    nothing was assessed). With `districts`, every district appears (absent ones as 无数据).
    """
    counts = [c for c, dtype in frame.schema.items() if c != "region_code" and dtype.is_numeric()]
    sums = frame.group_by("region_code").agg(pl.col(counts).sum()).rename({"region_code": "district_code"})
    if districts is not None:
        sums = _base(districts).join(sums, on="district_code", how="left")
    else:
        sums = sums.sort("district_code")
    return sums.with_columns(percent("achieved", "assessed").alias("attainment"))


# --- one measure, the way maps and tables use it ---------------------------------------------

_VALUE_COLUMN = {
    "courtyard_coverage": "coverage",
    "premium_share": "premium_share",
    "friendly_share": "friendly_share",
    "home_coverage": "home_coverage",
    "attainment": "attainment",
}
# premium_share's denominator is the 美丽庭院 households of villages that state 精品 numbers
_DENOMINATOR_COLUMN = {"premium_share": "courtyard_with_premium"}


def measure_frame(by_district: pl.DataFrame, measure: Measure) -> pl.DataFrame:
    """district_code, district_name, numerator, denominator, value and class of one measure."""
    value = _VALUE_COLUMN[measure.key]
    den = _DENOMINATOR_COLUMN.get(measure.key, measure.denominator)
    frame = by_district.select(
        "district_code",
        "district_name",
        *(["year"] if "year" in by_district.columns else []),
        pl.col(measure.numerator).alias("numerator"),
        pl.col(den).alias("denominator"),
        pl.col(value).alias("value"),
    )
    return classify(frame, measure.scheme)


def with_total(by_district: pl.DataFrame, code: str, name: str) -> pl.DataFrame:
    """`by_district` plus one row for the whole region: counts summed, every rate recomputed
    from the sums (a ratio of sums, as an office computes the city figure; never a mean of
    district rates). A count that no district reported stays empty."""
    counts = [c for c, dtype in by_district.schema.items() if dtype.is_integer() and c != "year" and c not in _RATES]
    total = by_district.select(
        pl.lit(code).alias("district_code"),
        pl.lit(name).alias("district_name"),
        *(pl.when(pl.col(c).is_not_null().any()).then(pl.col(c).sum()).alias(c) for c in counts),
        *([pl.col("year").first()] if "year" in by_district.columns else []),
    ).with_columns(
        (percent(num, den).alias(rate) for rate, (num, den) in _RATES.items() if rate in by_district.columns)
    )
    return pl.concat([by_district, total.select(by_district.columns)], how="vertical_relaxed")


# rate column → (numerator, denominator) columns of the by-district frames
_RATES = {
    "coverage": ("courtyard_households", "rural_households"),
    "premium_share": ("premium_households", "courtyard_with_premium"),
    "friendly_share": ("friendly", "communities"),
    **{f"friendly_share_{lvl}": (f"friendly_{lvl}", "communities") for lvl in LEVELS},
    "home_coverage": ("homes", "places"),
    "attainment": ("achieved", "assessed"),
}


def district_table(by_district: pl.DataFrame, measure: Measure) -> pl.DataFrame:
    """The table beside the map: Chinese headers, percentages rounded to one decimal."""
    klass = measure_frame(by_district, measure).select("district_code", "class_label")
    frame = by_district.join(klass, on="district_code", how="left", maintain_order="left")

    def pct(col: str) -> pl.Expr:
        return pl.col(col).round(1)

    if measure.theme == COURTYARD_THEME:
        cols = {
            "coverage": pct("coverage").alias("美丽庭院覆盖率（%）"),
            "premium_share": pct("premium_share").alias("精品占比（%）"),
            "": [
                pl.col("villages_reported").alias("上报村数"),
                pl.col("rural_households").alias("农村户数"),
                pl.col("courtyard_households").alias("美丽庭院户数"),
                pl.col("premium_households").alias("精品（示范）户数"),
            ],
        }
    elif measure.theme == CHILD_THEME:
        levels = [pl.col(f"friendly_{lvl}").alias(f"其中{lvl}") for lvl in LEVELS if frame[f"friendly_{lvl}"].sum() > 0]
        cols = {
            "friendly_share": pct("friendly_share").alias("儿童友好社区占比（%）"),
            "home_coverage": pct("home_coverage").alias("儿童之家覆盖率（%）"),
            "": [
                pl.col("friendly").alias("儿童友好社区"),
                *levels,
                pl.col("homes").alias("儿童之家"),
                pl.col("villages").alias("行政村数"),
                pl.col("communities").alias("社区数"),
            ],
        }
    else:
        extra = [
            pl.col(c).alias(_EXTRA_COUNT_LABELS.get(c, c))
            for c in frame.columns
            if c not in ("district_code", "district_name", "achieved", "assessed", "attainment", "class_label")
        ]
        cols = {
            "attainment": pct("attainment").alias("达标率（%）"),
            # its numerator and denominator stand beside it (the briefing sends people here for them)
            "beside": [pl.col("achieved").alias("达标指标数"), pl.col("assessed").alias("可评估指标数")],
            "": extra,
        }
    # the measure on the map first, then the other measure of its theme (or 达标率's numerator and
    # denominator), then the map's class, then the counts: the side column shows about four
    # columns, and a number column cut at its edge shows as blank, so what matters comes first
    value = _VALUE_COLUMN[measure.key]
    others = [expr for key, expr in cols.items() if key not in ("", "beside", value)]
    return frame.select(
        pl.col("district_name").alias("区县"),
        cols[value],
        *others,
        *cols.get("beside", []),
        pl.col("class_label").alias("分级"),
        *cols[""],
    )


_EXTRA_COUNT_LABELS = {
    "no_data": "无数据指标数",
    "direction_only": "方向性目标指标数",
    "target_pending": "目标待设定指标数",
    "not_assessable": "无法评估指标数",
}


def district_history(by_year: list[pl.DataFrame], measure: Measure, district_code: str) -> pl.DataFrame:
    """One district's numerator, denominator, value and class per year (for the district panel)."""
    rows = [measure_frame(f, measure).filter(pl.col("district_code") == district_code) for f in by_year]
    if not rows:
        return pl.DataFrame()
    return pl.concat(rows, how="vertical_relaxed").select(
        pl.col("year").alias("年份"),
        pl.col("numerator").alias(measure.numerator_label),
        pl.col("denominator").alias(measure.denominator_label),
        pl.col("value").round(1).alias(f"{measure.label}（%）"),
        pl.col("class_label").alias("分级"),
    )


def class_counts(frame: pl.DataFrame, scheme: ClassScheme) -> dict[str, int]:
    """Districts per class label (in legend order, 无数据 last), for the legend."""
    counts = dict.fromkeys((*scheme.labels, NO_DATA), 0)
    for label in frame["class_label"].to_list():
        counts[label] += 1
    return counts


# --- reading the database --------------------------------------------------------------------


@dataclass(frozen=True)
class PlaceData:
    """Current place records of the region the database was built for."""

    region_code: str
    region_name: str
    districts: pl.DataFrame  # district_code, district_name, short_name
    courtyard: pl.DataFrame  # + is_sample, location_check (ok | outside | other | none)
    child: pl.DataFrame  # + is_sample, location_check
    counts: pl.DataFrame  # district_code, year, villages, communities, is_sample

    def years(self, theme: str) -> list[int]:
        """Years with data for a theme, ascending (达标率 follows the 美丽庭院/返回 years it is given)."""
        if theme == COURTYARD_THEME:
            source = self.courtyard["year"]
        elif theme == CHILD_THEME:
            source = self.counts["year"]
        else:
            return []
        return sorted(int(y) for y in source.unique().to_list() if y is not None)

    def is_sample(self, theme: str) -> bool:
        frames = {COURTYARD_THEME: [self.courtyard], CHILD_THEME: [self.child, self.counts]}.get(theme, [])
        return any(f.height and bool(f["is_sample"].any()) for f in frames)

    def by_district(self, theme: str, year: int) -> pl.DataFrame:
        if theme == COURTYARD_THEME:
            return courtyard_by_district(self.courtyard, self.districts, year)
        if theme == CHILD_THEME:
            return child_by_district(self.child, self.counts, self.districts, year)
        raise ValueError(f"{theme} is not computed from place records")


def region_of(db_path: Path) -> str:
    """The region the database was built for (build_info), else the configured default."""
    from etl.core import settings

    code = db.scalar(db_path, "SELECT value FROM build_info WHERE key = 'region'")
    return str(code) if code else settings.region_code()


def districts_of(db_path: Path, region_code: str) -> pl.DataFrame:
    """County-level districts under the region, a province's through its cities (the region
    itself when it is a county)."""
    frame = db.query(
        db_path,
        "WITH RECURSIVE below(code) AS (SELECT code FROM region WHERE code = $r "
        "UNION ALL SELECT r.code FROM region r JOIN below b ON r.parent_code = b.code) "
        "SELECT code AS district_code, name AS district_name, short_name FROM region "
        "WHERE level = 'county' AND code IN (SELECT code FROM below) ORDER BY code",
        {"r": region_code},
    )
    return frame


def location_checks(frame: pl.DataFrame, boundaries: dict[str, Any]) -> pl.Series:
    """Per row: ok (in or beside its district), outside (in no district), other (in another
    district) or none (no coordinates) — the same rule the ETL warns by. Vectorised per
    district: a province has some 20,000 points, too many to test one by one."""
    import numpy as np
    import shapely

    from etl.places.geometry import BORDER_TOLERANCE_DEG, DistrictShapes

    shapes = DistrictShapes(boundaries.get("features", [])).shapes
    for geom in shapes.values():
        shapely.prepare(geom)
    lon = frame.get_column("lon").cast(pl.Float64).to_numpy()
    lat = frame.get_column("lat").cast(pl.Float64).to_numpy()
    codes = frame.get_column("district_code").cast(pl.String).to_numpy()
    out = np.full(frame.height, "ok", dtype=object)
    located = ~(np.isnan(lon) | np.isnan(lat))
    out[~located] = "none"
    far: list[np.ndarray] = []
    for code, geom in shapes.items():
        rows = np.flatnonzero(located & (codes == code))
        if rows.size == 0:
            continue
        rows = rows[~shapely.contains_xy(geom, lon[rows], lat[rows])]
        if rows.size:
            near = shapely.distance(geom, shapely.points(lon[rows], lat[rows])) <= BORDER_TOLERANCE_DEG
            far.append(rows[~near])
    # a point away from its own district lies in another one, or in none
    stray = np.concatenate(far) if far else np.empty(0, dtype=np.int64)
    elsewhere = np.zeros(stray.size, dtype=bool)
    for geom in shapes.values():
        if stray.size:
            elsewhere |= shapely.contains_xy(geom, lon[stray], lat[stray])
    out[stray] = np.where(elsewhere, "other", "outside")
    return pl.Series("location_check", out.tolist(), dtype=pl.String)


def load_place_data(db_path: Path) -> PlaceData:
    """Current 美丽庭院, 儿童友好社区/儿童之家 and count records (latest submission per record)."""
    from etl.core import settings
    from etl.places.store import current_sql
    from etl.places.vocabulary import CHILD_FRIENDLY, COMMUNITY_COUNT, COURTYARD
    from etl.regions import geo

    region = region_of(db_path)
    name = db.scalar(db_path, "SELECT name FROM region WHERE code = $r", {"r": region}) or region
    districts = districts_of(db_path, region)
    courtyard = db.query(
        db_path,
        f"SELECT * EXCLUDE (submission_id) FROM ({current_sql(COURTYARD)}) "
        "ORDER BY district_code, village_code, village_name, year",
    )
    child = db.query(
        db_path,
        f"SELECT * EXCLUDE (submission_id) FROM ({current_sql(CHILD_FRIENDLY)}) "
        "ORDER BY district_code, kind, community_name",
    )
    counts = db.query(
        db_path, f"SELECT * EXCLUDE (submission_id) FROM ({current_sql(COMMUNITY_COUNT)}) ORDER BY district_code, year"
    )
    try:
        boundaries = geo.load_county_boundaries(settings.DATA_DIR, region)
    except geo.RegionError:
        boundaries = {"features": []}
    courtyard = courtyard.with_columns(location_checks(courtyard, boundaries))
    child = child.with_columns(location_checks(child, boundaries))
    return PlaceData(region, str(name), districts, courtyard, child, counts)


def misplaced(frame: pl.DataFrame) -> pl.DataFrame:
    """Rows whose point lies outside every district or in another one (reported, never dropped)."""
    return frame.filter(pl.col("location_check").is_in(["outside", "other"]))


def observation_years(db_path: Path) -> list[int]:
    """Years with current values in some district: the report years 达标率 can be asked for.
    Only choices — which year a view opens on is engine.report_year's rule (a year with a few
    early or unreviewed values is offered, never the default)."""
    from dashboard.engine import current

    counties = db.query(db_path, "SELECT code FROM region WHERE level = 'county'").get_column("code")
    values = current.observations(db_path).filter(pl.col("region_code").is_in(counties.implode()))
    return sorted(int(y) for y in values.get_column("year").unique().to_list())


def attainment_input(result: ProgressResult, counts: pl.DataFrame | None = None) -> pl.DataFrame:
    """region_code, achieved, assessed and the excluded counts (no_data, direction_only,
    target_pending) from the engine's per-region aggregate (or `counts`, rows of the same
    columns such as a ranking), renamed for the map."""
    frame = result.by_region if counts is None else counts
    return frame.select("region_code", *(pl.col(k).alias(v) for k, v in _ENGINE_COLUMNS.items()))


_ENGINE_COLUMNS = {
    "rate_numerator": "achieved",
    "rate_denominator": "assessed",
    "excluded_no_data": "no_data",
    "excluded_direction": "direction_only",
    "excluded_target_pending": "target_pending",
}


def coordinate_issues(data: PlaceData, theme: str, year: int) -> tuple[pl.DataFrame, int]:
    """(records of `year` whose point is outside every district or in another one, number of
    records without coordinates) — both are reported on the page, neither is dropped."""
    if theme == COURTYARD_THEME:
        rows = data.courtyard.filter(pl.col("year") == year)
    elif theme == CHILD_THEME:
        rows = named_by(data.child, year)
    else:
        return pl.DataFrame(), 0
    return misplaced(rows), rows.filter(pl.col("lon").is_null() | pl.col("lat").is_null()).height


_CHECK_LABELS = {"outside": "不在任何区县边界内", "other": "落在所填区县以外"}


def misplaced_table(frame: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """Misplaced records with Chinese headers, for the page and its CSV download."""
    name = "village_name" if "village_name" in frame.columns else "community_name"
    return frame.select(
        pl.col(name).alias("名称"),
        pl.col("district_code").replace_strict(names, default=pl.col("district_code")).alias("所填区县"),
        pl.col("lon").alias("经度（GCJ-02）"),
        pl.col("lat").alias("纬度（GCJ-02）"),
        pl.col("location_check").replace_strict(_CHECK_LABELS, default="").alias("问题"),
    ).unique(maintain_order=True)


def district_row(frame: pl.DataFrame, district_code: str) -> dict[str, Any] | None:
    """One district's row of a measure frame, or None."""
    hit = frame.filter(pl.col("district_code") == district_code)
    return hit.row(0, named=True) if hit.height else None
