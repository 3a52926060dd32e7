"""Build the database from `data/`: catalogue, targets, regions, national values, sample data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from etl.catalogue.load import TARGET_COLUMNS
from etl.core import migrations, settings
from etl.core.records import COUNTRY_CODE, TOTAL
from etl.core.store import insert_frame, publish, schema_version, upgrade, writer_lock
from etl.returns.load import FileReport, load_files

NATIONAL = (COUNTRY_CODE, "全国", "全国", "country", None)
NATIONAL_SOURCE = "国家统计局《中国妇女/儿童发展纲要》统计监测报告等（见 data/national/values.csv 各行来源）"


@dataclass
class BuildReport:
    db_path: Path
    indicators: int = 0
    targets: int = 0
    regions: int = 0
    national_values: int = 0
    sample_files: list[FileReport] = field(default_factory=list)


def _targets(frame: pl.DataFrame, is_sample: bool) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("region_code").replace("", None),
        pl.lit(is_sample).alias("is_sample"),
    ).select(*(c for c in TARGET_COLUMNS if c != "note"), "is_sample", "note")  # the target table's order


def region_frames(data_dir: Path, region: str | None = None) -> pl.DataFrame:
    """The tree of `region` (data/regions/<region>/regions.csv) plus 全国, codes as strings;
    every registered region when `region` is None or not registered.

    Only the built region's tree: a province registers its cities' directories too, and a city
    database that also held its province would no longer be the home region of its returns.
    """
    from etl.regions.geo import REGIONS_CSV, load_regions

    frames = [pl.DataFrame([NATIONAL], schema=["code", "name", "short_name", "level", "parent_code"], orient="row")]
    own = data_dir / "regions" / str(region) / REGIONS_CSV
    paths = [own] if region and own.exists() else sorted((data_dir / "regions").glob("*/regions.csv"))
    for d in paths:
        frames.append(load_regions(data_dir, d.parent.name).select(frames[0].columns))
    return pl.concat(frames, how="vertical_relaxed").unique("code", keep="first", maintain_order=True)


def load_reference(
    con: duckdb.DuckDBPyConnection, data_dir: Path, *, with_sample_targets: bool, region: str | None = None
) -> BuildReport:
    """Catalogue, targets, regions and national values into an empty schema."""
    from etl.catalogue.load import load_catalogue, unit_indicators

    cat = load_catalogue(data_dir)
    report = BuildReport(db_path=Path())
    insert_frame(con, "plan", cat.plans.select("code", "name", "full_name", "scope", "base_year", "target_year"))
    insert_frame(con, "member_unit", cat.units.select("code", "name", "aliases"))
    ind = cat.indicators.drop("lead_unit", "other_units")
    insert_frame(con, "indicator", ind)
    insert_frame(con, "indicator_unit", unit_indicators(cat).select("indicator_code", "unit_code", "role"))
    insert_frame(con, "indicator_alias", cat.aliases.select("alias", "indicator_code"))
    targets = [_targets(cat.targets, False)]
    sample_targets = data_dir / "samples" / "sample_targets.csv"
    if with_sample_targets and sample_targets.exists():
        from etl.catalogue.load import read_targets

        targets.append(_targets(read_targets(sample_targets), True))
    insert_frame(con, "target", pl.concat(targets))
    regions = region_frames(data_dir, region)
    insert_frame(con, "region", regions)

    values = cat.national_values
    sub_id = con.sql(
        "INSERT INTO submission (file_name, sha256, kind, loaded_at, status, rows_accepted, rows_rejected,"
        " is_sample, source) VALUES ('data/national/values.csv', 'reference', 'reference', $t, 'loaded',"
        " $n, 0, false, $s) RETURNING id",
        params={"t": datetime.now(), "n": values.height, "s": NATIONAL_SOURCE},
    ).fetchall()[0][0]
    obs = values.select(
        "indicator_code",
        pl.lit(COUNTRY_CODE).alias("region_code"),
        pl.col("year").cast(pl.Int32),
        pl.lit(TOTAL).alias("breakdown"),
        pl.col("value").cast(pl.Float64),
        pl.lit(1).alias("revision"),
        pl.lit(sub_id).alias("submission_id"),
        pl.concat_str([pl.col("source_urls"), pl.col("note")], separator="；", ignore_nulls=True).alias("source"),
    )
    insert_frame(con, "observation", obs)
    report.indicators, report.targets = cat.indicators.height, sum(t.height for t in targets)
    report.regions, report.national_values = regions.height, values.height
    return report


def _load_places(con: duckdb.DuckDBPyConnection, sample_dir: Path) -> list[FileReport]:
    """美丽庭院 and 儿童友好 sample records, through the same loader as office files.

    The generator draws its points inside the shipped boundaries, so they are GCJ-02 already.
    """
    from etl.places.load import load_places
    from etl.places.vocabulary import CHILD_FRIENDLY, COMMUNITY_COUNT, COURTYARD, GCJ02

    reports: list[FileReport] = []
    for kind in (COMMUNITY_COUNT, COURTYARD, CHILD_FRIENDLY):
        path = sample_dir / f"{kind}.csv"
        if path.exists():
            reports += load_places(con, [path], kind, GCJ02, is_sample=True)
    return reports


def build_database(
    db_path: Path | None = None,
    data_dir: Path = settings.DATA_DIR,
    *,
    region: str | None = None,
    with_samples: bool = True,
    sample_dir: Path | None = None,
) -> BuildReport:
    """Build a new database aside and publish it over `db_path` in one step."""
    db_path = Path(db_path or settings.db_path())
    region = region or settings.region_code()
    sample_dir = Path(sample_dir or settings.get("sample_dir")) / region
    sample_files: list[Path] = []
    if with_samples:
        from etl.sample.values import generate_samples

        sample_files = generate_samples(data_dir, region, sample_dir)

    def change(con: duckdb.DuckDBPyConnection) -> tuple[BuildReport, bool]:
        report = load_reference(con, data_dir, with_sample_targets=with_samples, region=region)
        returns = [
            p
            for p in sample_files
            if p.suffix in (".xlsx", ".xls", ".csv")
            and p.name not in ("courtyard.csv", "child_friendly.csv", "community_count.csv")
        ]
        for path in returns:
            report.sample_files += load_files(con, [path], unit=_unit_from_name(con, path), is_sample=True)
        if with_samples:
            _load_places(con, sample_dir)
            # sample returns are dated like a real annual return (before the 3-31 deadline of the
            # year after the last sample year), not with the build time, so timeliness is meaningful
            from etl.sample.values import YEARS

            con.execute(
                "UPDATE submission SET loaded_at = $t WHERE is_sample", {"t": datetime(YEARS[-1] + 1, 3, 20, 9, 0)}
            )
            _approve_samples(con)
        con.execute(
            "INSERT INTO build_info VALUES ('built_at', $t), ('region', $r), ('with_samples', $s)",
            {"t": datetime.now().isoformat(timespec="seconds"), "r": region, "s": str(with_samples)},
        )
        return report, True

    report = publish(db_path, change, fresh=True)
    report.db_path = db_path
    return report


SAMPLE_REVIEWER = "示例数据（自动审核）"


def _approve_samples(con: duckdb.DuckDBPyConnection) -> int:
    """The office has reviewed every sample return except one (etl.sample.values.PENDING_REVIEW), so
    under the publication rule that unit's values for that year show as 待审核."""
    from etl.sample.values import PENDING_REVIEW, YEARS
    from etl.workflow.approval import record_approvals

    rows = con.sql("""
        SELECT DISTINCT s.unit_code, o.year FROM submission s JOIN observation o ON o.submission_id = s.id
        WHERE s.is_sample AND s.kind = 'return' AND s.status = 'loaded' AND s.unit_code IS NOT NULL
        ORDER BY s.unit_code, o.year""").fetchall()
    returns = [(u, y) for u, y in rows if (u, y) != PENDING_REVIEW]
    return record_approvals(
        con,
        returns,
        actor=SAMPLE_REVIEWER,
        when=datetime(YEARS[-1] + 1, 4, 15, 10, 0),
        note="示例数据：构建时自动审核通过",
    )


def _unit_from_name(con: duckdb.DuckDBPyConnection, path: Path) -> str | None:
    """Sample files are named 示例数据_<单位>_…; the unit is taken from there."""
    parts = path.stem.split("_")
    return parts[1] if len(parts) > 2 else None


_checked: set[tuple[str, int, int]] = set()


def _ensure_postgres(db_path: Path) -> Path:
    """With PostgreSQL as the system of record: build it when nothing was ever published there,
    upgrade an older schema through the write path, and bring this process's snapshot up to date.
    Once per process and address; later the readers keep the snapshot current themselves."""
    from etl.core import pg, pgsnapshot

    seen = (str(db_path.resolve()), settings.database_url())
    if seen in _checked_postgres:
        return db_path
    have, published = pg.status()
    if not published:
        build_database(db_path)
    elif have != migrations.CURRENT:
        upgrade(db_path)
    pgsnapshot.refresh(db_path, force=True)
    _checked_postgres.add(seen)
    return db_path


_checked_postgres: set[tuple[str, str]] = set()


def ensure_database(db_path: Path | None = None) -> Path:
    """The app's start-up step: build the embedded default when no database exists yet, and
    bring an older one to the current schema version through the write path (atomically, so
    readers never see a half-upgraded file). Cheap once a file has been checked."""
    db_path = Path(db_path or settings.db_path())
    if settings.database_url():
        return _ensure_postgres(db_path)
    if not db_path.exists():
        # several app processes (replicas) may start on an empty machine at once: one builds, the
        # others wait and then find its database (a lock of its own: the build takes the writer lock)
        with writer_lock(db_path.with_name(db_path.name + ".first-build"), timeout=600.0):
            if not db_path.exists():
                build_database(db_path)
    st = db_path.stat()
    seen = (str(db_path.resolve()), st.st_ino, st.st_mtime_ns)
    if seen not in _checked:
        if schema_version(db_path) != migrations.CURRENT:
            upgrade(db_path)
            st = db_path.stat()
        _checked.add((str(db_path.resolve()), st.st_ino, st.st_mtime_ns))
    return db_path
