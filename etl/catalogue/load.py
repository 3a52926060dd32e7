"""Load and check the committed indicator catalogue (data/catalogue/, data/national/).

The CSV layout is described in docs/data-files.md. Every file is read with all columns as
text first and cast afterwards, so codes such as region 100000 never become numbers. Problems
found by `check_catalogue` are returned as Chinese sentences; nothing is printed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etl.catalogue.rules import (
    ALLOWED_DIRECTIONS,
    ALLOWED_KINDS,
    ALLOWED_OUTLINES,
    ALLOWED_ROW_TYPES,
    SAMPLE_SOURCE,
)

INDICATOR_COLUMNS: tuple[str, ...] = (
    "code",
    "outline",
    "domain",
    "name",
    "unit",
    "decimals",
    "direction",
    "target_kind",
    "row_type",
    "definition",
    "data_source",
    "breakdowns",
    "plausible_min",
    "plausible_max",
    "target_text",
    "source_urls",
    "verification",
    "notes",
    "lead_unit",
    "other_units",
)
UNIT_COLUMNS: tuple[str, ...] = ("code", "name", "aliases")
PLAN_COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "full_name",
    "scope",
    "base_year",
    "target_year",
)
TARGET_COLUMNS: tuple[str, ...] = (
    "plan_code",
    "indicator_code",
    "region_code",
    "target_year",
    "kind",
    "value",
    "band_low",
    "band_high",
    "tolerance",
    "target_text",
    "source",
    "source_url",
    "verified",
    "note",
)
ALIAS_COLUMNS: tuple[str, ...] = ("alias", "indicator_code", "note")
NATIONAL_VALUE_COLUMNS: tuple[str, ...] = (
    "indicator_code",
    "year",
    "value",
    "source_urls",
    "note",
)

# file (relative to data/) and its columns
FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "indicators": ("catalogue/indicators.csv", INDICATOR_COLUMNS),
    "units": ("catalogue/units.csv", UNIT_COLUMNS),
    "plans": ("catalogue/plans.csv", PLAN_COLUMNS),
    "targets": ("catalogue/targets.csv", TARGET_COLUMNS),
    "aliases": ("catalogue/aliases.csv", ALIAS_COLUMNS),
    "national_values": ("national/values.csv", NATIONAL_VALUE_COLUMNS),
}
SAMPLE_TARGETS_FILE = "samples/sample_targets.csv"

_INT_COLUMNS = {"decimals", "base_year", "target_year", "year"}
_FLOAT_COLUMNS = {"plausible_min", "plausible_max", "value", "band_low", "band_high", "tolerance"}
_BOOL_COLUMNS = {"verified"}
_BOOL_TEXT = {"true": True, "false": False}

LIST_SEPARATOR = "|"


class CatalogueError(ValueError):
    """A catalogue file cannot be read as documented (missing, wrong columns, bad numbers).

    The message is Chinese and names the file, column and value.
    """


@dataclass(frozen=True)
class Catalogue:
    indicators: pl.DataFrame
    units: pl.DataFrame
    plans: pl.DataFrame
    targets: pl.DataFrame
    aliases: pl.DataFrame
    national_values: pl.DataFrame


def _cast(df: pl.DataFrame, file: str) -> pl.DataFrame:
    """Text frame → typed frame; raises CatalogueError naming the first bad cell."""
    columns: list[pl.Series] = []
    for col in df.columns:
        s = df[col].str.strip_chars()
        if col in _INT_COLUMNS or col in _FLOAT_COLUMNS:
            dtype = pl.Int64 if col in _INT_COLUMNS else pl.Float64
            cast = s.cast(dtype, strict=False)
            bad = s.filter(s.is_not_null() & cast.is_null())
            if len(bad):
                kind = "整数" if dtype == pl.Int64 else "数值"
                raise CatalogueError(f"{file} 的 {col} 列有非{kind}内容：{bad[0]!r}")
            columns.append(cast)
        elif col in _BOOL_COLUMNS:
            low = s.str.to_lowercase()
            bad = low.filter(~low.is_in(list(_BOOL_TEXT)) | low.is_null())
            if len(bad):
                raise CatalogueError(f"{file} 的 {col} 列只能填 true 或 false：{bad[0]!r}")
            columns.append(low.replace_strict(_BOOL_TEXT, return_dtype=pl.Boolean))
        else:
            columns.append(s)
    return pl.DataFrame(columns)


def read_table(path: Path, columns: tuple[str, ...]) -> pl.DataFrame:
    """One catalogue CSV with exactly `columns`, typed; empty cells are null."""
    if not path.is_file():
        raise CatalogueError(f"找不到目录文件：{path}")
    df = pl.read_csv(path, infer_schema=False, encoding="utf8")
    if tuple(df.columns) != columns:
        raise CatalogueError(f"{path.name} 的列与说明不符：应为 {', '.join(columns)}；实为 {', '.join(df.columns)}")
    return _cast(df, path.name)


def load_catalogue(data_dir: Path) -> Catalogue:
    """Read the committed catalogue files under `data_dir` (the repository's data/)."""
    frames = {key: read_table(Path(data_dir) / rel, cols) for key, (rel, cols) in FILES.items()}
    return Catalogue(**frames)


def read_targets(path: Path) -> pl.DataFrame:
    """Any targets file (targets.csv layout), typed like `Catalogue.targets`."""
    return read_table(Path(path), TARGET_COLUMNS)


def load_sample_targets(data_dir: Path) -> pl.DataFrame:
    """data/samples/sample_targets.csv (示例目标), typed like `Catalogue.targets`."""
    return read_targets(Path(data_dir) / SAMPLE_TARGETS_FILE)


def split_list(cell: str | None) -> list[str]:
    """'a|b' → ['a', 'b']; empty or null → []."""
    if not cell:
        return []
    return [part.strip() for part in cell.split(LIST_SEPARATOR) if part.strip()]


def unit_indicators(cat: Catalogue) -> pl.DataFrame:
    """indicator_code, unit_code, role (lead 牵头 / shared 责任) from lead_unit and other_units.

    A unit named both as lead and among the other units is kept once, as lead.
    """
    rows: list[dict[str, str]] = []
    for code, lead, others in cat.indicators.select("code", "lead_unit", "other_units").iter_rows():
        seen: set[str] = set()
        for unit in split_list(lead):
            rows.append({"indicator_code": code, "unit_code": unit, "role": "lead"})
            seen.add(unit)
        for unit in split_list(others):
            if unit not in seen:
                rows.append({"indicator_code": code, "unit_code": unit, "role": "shared"})
                seen.add(unit)
    schema = {"indicator_code": pl.String, "unit_code": pl.String, "role": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")


def normalise_name(name: str) -> str:
    """Comparison form of an indicator name: NFKC (full-width → half-width), no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def shared_names(cat: Catalogue) -> pl.DataFrame:
    """Names carried by several indicators (across outlines), with the code a bare name means.

    Columns: name, codes ('|'-joined), default_code (from aliases.csv, null when a return must
    give the code or say 妇女/儿童).
    """
    by_name: dict[str, list[str]] = {}
    for code, name in cat.indicators.select("code", "name").iter_rows():
        by_name.setdefault(normalise_name(name), []).append(code)
    defaults = {normalise_name(a): c for a, c in cat.aliases.select("alias", "indicator_code").iter_rows()}
    rows = [
        {"name": n, "codes": LIST_SEPARATOR.join(sorted(codes)), "default_code": defaults.get(n)}
        for n, codes in sorted(by_name.items())
        if len(codes) > 1
    ]
    schema = {"name": pl.String, "codes": pl.String, "default_code": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row")


def _duplicates(values: list[str | None]) -> list[str]:
    seen: set[str] = set()
    dup: list[str] = []
    for v in values:
        if v is None:
            continue
        if v in seen and v not in dup:
            dup.append(v)
        seen.add(v)
    return dup


def _check_units(cat: Catalogue) -> list[str]:
    problems = [f"成员单位代码重复：{c}" for c in _duplicates(cat.units["code"].to_list())]
    owner: dict[str, str] = {}
    for code, name, aliases in cat.units.select("code", "name", "aliases").iter_rows():
        if not code or not re.fullmatch(r"[a-z][a-z0-9_]*", code):
            problems.append(f"成员单位代码须为小写英文字母、数字和下划线：{code!r}")
        if not name:
            problems.append(f"成员单位 {code} 没有名称")
            continue
        for label in [name, *split_list(aliases)]:
            other = owner.get(label)
            if other is not None and other != code:
                problems.append(f"成员单位名称或别名“{label}”同时属于 {other} 和 {code}")
            owner[label] = code
    return problems


def _check_indicators(cat: Catalogue) -> list[str]:
    ind = cat.indicators
    units = set(cat.units["code"].to_list())
    problems = [f"指标代码重复：{c}" for c in _duplicates(ind["code"].to_list())]
    for row in ind.iter_rows(named=True):
        code = row["code"]
        if not code:
            problems.append("有指标没有代码")
            continue
        if not row["name"]:
            problems.append(f"指标 {code} 没有名称")
        if not row["domain"]:
            problems.append(f"指标 {code} 没有领域")
        if row["outline"] not in ALLOWED_OUTLINES:
            problems.append(f"指标 {code} 的纲要类别不在允许范围内：{row['outline']!r}")
        if row["row_type"] not in ALLOWED_ROW_TYPES:
            problems.append(f"指标 {code} 的行类型不在允许范围内：{row['row_type']!r}")
        if row["target_kind"] is not None and row["target_kind"] not in ALLOWED_KINDS:
            problems.append(f"指标 {code} 的目标类型不在允许范围内：{row['target_kind']!r}")
        if row["direction"] is not None and row["direction"] not in ALLOWED_DIRECTIONS:
            problems.append(f"指标 {code} 的方向只能为 up、down 或空：{row['direction']!r}")
        if row["decimals"] is None or row["decimals"] < 0:
            problems.append(f"指标 {code} 的小数位数缺失或为负")
        lo, hi = row["plausible_min"], row["plausible_max"]
        if lo is not None and hi is not None and lo > hi:
            problems.append(f"指标 {code} 的合理范围下限大于上限")
        for role, cell in (("牵头单位", row["lead_unit"]), ("责任单位", row["other_units"])):
            for unit in split_list(cell):
                if unit not in units:
                    problems.append(f"指标 {code} 的{role}代码 {unit} 不在成员单位表中")
        if len(split_list(row["lead_unit"])) > 1:
            problems.append(f"指标 {code} 只能有一个牵头单位")
    # the same name twice within one outline cannot be told apart by an outline hint
    seen: dict[tuple[str, str], str] = {}
    for code, outline, name in ind.select("code", "outline", "name").iter_rows():
        if not name:
            continue
        key = (outline or "", normalise_name(name))
        if key in seen:
            problems.append(f"同一纲要内指标名称重复：“{name}”（{seen[key]}、{code}）")
        else:
            seen[key] = code
    # numeric national data needs someone to report it locally
    with_values = set(cat.national_values["indicator_code"].to_list())
    for code, lead in ind.select("code", "lead_unit").iter_rows():
        if code in with_values and not lead:
            problems.append(f"指标 {code} 有全国数值但没有牵头单位")
    return problems


def _check_targets(targets: pl.DataFrame, cat: Catalogue, label: str) -> list[str]:
    codes = set(cat.indicators["code"].to_list())
    plans = {p: (b, t) for p, b, t in cat.plans.select("code", "base_year", "target_year").iter_rows()}
    problems: list[str] = []
    seen: set[tuple[object, ...]] = set()
    for i, row in enumerate(targets.iter_rows(named=True), start=2):
        where = f"{label}第{i}行（{row['plan_code']} / {row['indicator_code']}）"
        if row["indicator_code"] not in codes:
            problems.append(f"{where}：指标代码 {row['indicator_code']} 不在指标表中")
        if row["plan_code"] not in plans:
            problems.append(f"{where}：规划代码 {row['plan_code']} 不在规划表中")
        elif row["target_year"] is not None:
            base, target = plans[row["plan_code"]]
            if not base < row["target_year"] <= target:
                problems.append(f"{where}：目标年份 {row['target_year']} 不在规划期内")
        if row["target_year"] is None:
            problems.append(f"{where}：缺少目标年份")
        if row["kind"] not in ALLOWED_KINDS:
            problems.append(f"{where}：目标类型不在允许范围内：{row['kind']!r}")
        has_number = any(row[c] is not None for c in ("value", "band_low", "band_high"))
        if has_number and not row["source"]:
            problems.append(f"{where}：有目标值但没有来源")
        region = row["region_code"]
        if region is not None and not re.fullmatch(r"\d{6,12}", region):
            problems.append(f"{where}：地区代码应为6位以上数字或留空：{region!r}")
        key = (row["plan_code"], row["indicator_code"], region, row["target_year"])
        if key in seen:
            problems.append(f"{where}：同一规划、指标、地区、年份的目标重复")
        seen.add(key)
    return problems


def _check_aliases(cat: Catalogue) -> list[str]:
    codes = set(cat.indicators["code"].to_list())
    name_owners: dict[str, set[str]] = {}
    for code, name in cat.indicators.select("code", "name").iter_rows():
        if name:
            name_owners.setdefault(normalise_name(name), set()).add(code)
    problems: list[str] = []
    seen: dict[str, str] = {}
    for alias, code in cat.aliases.select("alias", "indicator_code").iter_rows():
        if not alias:
            problems.append("别名表有空别名")
            continue
        if code not in codes:
            problems.append(f"别名“{alias}”指向的指标代码 {code} 不在指标表中")
        key = normalise_name(alias)
        if key in seen:
            problems.append(f"别名“{alias}”重复（{seen[key]}、{code}）")
        seen[key] = code
        owners = name_owners.get(key, set())
        if owners and code not in owners:
            problems.append(f"别名“{alias}”与指标 {'、'.join(sorted(owners))} 的名称冲突（指向 {code}）")
        elif owners == {code}:
            problems.append(f"别名“{alias}”与指标 {code} 自身名称相同，多余")
    return problems


def _check_national_values(cat: Catalogue) -> list[str]:
    codes = set(cat.indicators["code"].to_list())
    problems: list[str] = []
    seen: set[tuple[str, int]] = set()
    for code, year, value in cat.national_values.select("indicator_code", "year", "value").iter_rows():
        if code not in codes:
            problems.append(f"全国数值的指标代码 {code} 不在指标表中")
        if year is None or value is None:
            problems.append(f"全国数值 {code} 缺少年份或数值")
            continue
        if (code, year) in seen:
            problems.append(f"全国数值重复：{code} {year}年")
        seen.add((code, year))
    return problems


def check_catalogue(cat: Catalogue, sample_targets: pl.DataFrame | None = None) -> list[str]:
    """Every problem in the catalogue, in Chinese; an empty list means it is consistent.

    Checks codes (unique, known units, plans and indicators), allowed values (outline, row
    type, target kind, direction), targets (a value needs a source, one target per plan ×
    indicator × region × year), aliases (never another indicator's name) and national values.
    Indicators sharing a name across outlines are allowed (see `shared_names`).
    `sample_targets`, when given, must be 示例目标 of plan lianggui, unverified.
    """
    problems: list[str] = []
    problems += [f"规划代码重复：{c}" for c in _duplicates(cat.plans["code"].to_list())]
    problems += _check_units(cat)
    problems += _check_indicators(cat)
    problems += _check_targets(cat.targets, cat, "目标表")
    problems += _check_aliases(cat)
    problems += _check_national_values(cat)
    if sample_targets is not None:
        problems += _check_targets(sample_targets, cat, "示例目标表")
        for i, row in enumerate(sample_targets.iter_rows(named=True), start=2):
            where = f"示例目标表第{i}行（{row['indicator_code']}）"
            if "示例" not in (row["source"] or ""):
                problems.append(f"{where}：来源须注明“{SAMPLE_SOURCE}”")
            if row["verified"]:
                problems.append(f"{where}：示例目标不能标为已核实")
            if row["plan_code"] != "lianggui":
                problems.append(f"{where}：示例目标只用于两规（lianggui）")
    return problems
