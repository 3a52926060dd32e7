"""Build the product's indicator catalogue (data/) from the national reference CSVs.

    python -m etl.catalogue.generate [REFERENCE_DIR] [DATA_DIR]

Reads data/reference/ (two outline files, two 十四五 files, the health commission's 2030
targets), applies the judgements in `etl.catalogue.rules`, checks the result with
`etl.catalogue.load.check_catalogue` and writes:

    data/catalogue/{indicators,units,plans,targets,aliases}.csv
    data/national/values.csv
    data/samples/sample_targets.csv

Output is deterministic (sorted rows, fixed columns, numbers as published), so re-running it
reproduces the committed files byte for byte. No target value is ever made up: values come
from the reference files, except the labelled 示例目标 in samples/.
"""

from __future__ import annotations

import csv
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from etl.catalogue import rules as R
from etl.catalogue.load import (
    ALIAS_COLUMNS,
    FILES,
    INDICATOR_COLUMNS,
    NATIONAL_VALUE_COLUMNS,
    PLAN_COLUMNS,
    SAMPLE_TARGETS_FILE,
    TARGET_COLUMNS,
    UNIT_COLUMNS,
    CatalogueError,
    check_catalogue,
    load_catalogue,
    load_sample_targets,
)

WOMEN_FILE = "women_outline_2021_2030.csv"
CHILDREN_FILE = "children_outline_2021_2030.csv"
FYP_FILES = {
    "women": "national_14th_fyp_targets_women.csv",
    "children": "national_14th_fyp_targets_children.csv",
}
MINISTRY_FILE = "ministry_targets_2030.csv"
VALUE_YEARS = (2020, 2021, 2022, 2023, 2024)
OUTLINE_ORDER = {"women": 0, "children": 1, "local": 2}
NUMERIC_KINDS = ("at_least", "at_most", "band")
NOTE_SEPARATOR = "；"

Row = dict[str, str]


# --- small helpers ---------------------------------------------------------------------------


def _read_reference(path: Path) -> list[Row]:
    if not path.is_file():
        raise CatalogueError(f"找不到参考文件：{path}")
    with path.open(encoding="utf-8-sig", newline="") as f:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def _urls(cell: str) -> list[str]:
    return [u.strip() for u in cell.split("|") if u.strip()]


def _number(text: str, where: str) -> str:
    """A published number, kept as written; raises if it is not one."""
    try:
        float(text)
    except ValueError as exc:
        raise CatalogueError(f"{where}：不是数字：{text!r}") from exc
    return text


def _decimals_of(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _join_notes(*parts: str) -> str:
    out: list[str] = []
    for p in parts:
        if p and p not in out:
            out.append(p)
    return NOTE_SEPARATOR.join(out)


def _natural(code: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", code))


def _doc_title(source: str) -> str:
    m = re.search(r"《[^》]+》", source)
    return m.group(0) if m else source


def _strip_bracket_remark(text: str) -> str:
    """'… [NHC implementation plan; …]' → '…' (the reference's English aside)."""
    return re.sub(r"\s*\[[^\]]*\]\s*$", "", text).strip()


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[Row]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for row in rows:
            extra = set(row) - set(columns)
            if extra:
                raise CatalogueError(f"{path.name}：多出的列 {sorted(extra)}")
            w.writerow([row.get(c, "") for c in columns])


# --- member units --------------------------------------------------------------------------


def _unit_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, name, aliases in R.UNITS:
        for label in (name, *aliases):
            if label in lookup and lookup[label] != code:
                raise CatalogueError(f"成员单位名称“{label}”重复：{lookup[label]}、{code}")
            lookup[label] = code
    return lookup


def _map_units(text: str, lookup: dict[str, str], where: str) -> tuple[list[str], bool]:
    """'教育/卫生健康委（疾控）' → (['education', 'health'], True): codes, qualifier dropped."""
    codes: list[str] = []
    dropped = False
    for token in (t.strip() for t in text.split("/") if t.strip()):
        names = [token]
        m = re.fullmatch(r"(.+?)[（(](.+)[）)]", token)
        if m:
            base, qualifier = m.group(1).strip(), m.group(2).strip()
            names = [base]
            if qualifier.startswith(R.JOINT_UNITS_PREFIX):
                names += [q.strip() for q in qualifier[len(R.JOINT_UNITS_PREFIX) :].split("、")]
            else:
                dropped = True
        for name in names:
            if name not in lookup:
                raise CatalogueError(f"{where}：无法对应成员单位“{name}”，请在 catalogue_rules.UNITS 中补充")
            if lookup[name] not in codes:
                codes.append(lookup[name])
    return codes, dropped


# --- the catalogue being built -------------------------------------------------------------


@dataclass
class _Indicator:
    code: str
    outline: str
    domain: str
    name: str
    unit: str
    row_type: str
    ref_kind: str = ""
    target_text: str = ""
    source_urls: list[str] = field(default_factory=list)
    verification: str = ""
    notes: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    others: list[str] = field(default_factory=list)
    values: dict[int, str] = field(default_factory=dict)
    value_note: str = ""  # the reference row's notes, copied to national values

    def row(self, **derived: str) -> Row:
        return {
            "code": self.code,
            "outline": self.outline,
            "domain": self.domain,
            "name": self.name,
            "unit": self.unit,
            "row_type": self.row_type,
            "target_text": self.target_text,
            "source_urls": "|".join(self.source_urls),
            "verification": self.verification,
            "notes": _join_notes(*self.notes),
            "lead_unit": "|".join(self.lead),
            "other_units": "|".join(self.others),
            **derived,
        }


@dataclass
class _Build:
    indicators: dict[str, _Indicator] = field(default_factory=dict)
    domains: list[str] = field(default_factory=list)
    # (plan, code) → target row
    targets: dict[tuple[str, str], Row] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=_unit_lookup)

    def add(self, ind: _Indicator) -> None:
        if ind.code in self.indicators:
            raise CatalogueError(f"指标代码重复：{ind.code}")
        self.indicators[ind.code] = ind
        if ind.domain not in self.domains:
            self.domains.append(ind.domain)

    def get(self, code: str, where: str) -> _Indicator:
        if code not in self.indicators:
            raise CatalogueError(f"{where}：指标代码 {code} 不存在")
        return self.indicators[code]


def _outline_rows(b: _Build, rows: list[Row], outline: str, file: str) -> None:
    for i, r in enumerate(rows, start=2):
        where = f"{file}第{i}行"
        code = r["code"]
        if "row_type" in r:
            row_type = r["row_type"]
        elif r["verification"] == R.MONITORING_VERIFICATION:
            row_type = "monitoring_indicator"
        elif re.search(r"\d[a-z]$", code):
            row_type = "sub_indicator"
        else:
            row_type = "main_goal"
        ind = _Indicator(
            code=code,
            outline=outline,
            domain=r["domain"],
            name=r["name_zh"],
            unit=r["unit"],
            row_type=row_type,
            ref_kind=r["target_kind"],
            target_text=r["target_text"],
            source_urls=_urls(r["source_urls"]),
            verification=r["verification"],
            notes=[r["notes"]],
            value_note=r["notes"],
        )
        if r["likely_lead_unit"]:
            codes, dropped = _map_units(r["likely_lead_unit"], b.units, where)
            ind.lead, ind.others = codes[:1], codes[1:]
            if dropped:
                ind.notes.append(f"牵头单位原文：{r['likely_lead_unit']}")
        for year in VALUE_YEARS:
            cell = r.get(f"national_{year}", "")
            if cell:
                ind.values[year] = _number(cell, f"{where} national_{year}")
        b.add(ind)
        _liangang_target(b, ind, r, where)


def _liangang_target(b: _Build, ind: _Indicator, r: Row, where: str) -> None:
    kind = r["target_kind"]
    if not kind and ind.row_type == "main_goal":
        # every main goal belongs to the plan: one without a measure is 定性 (the office judges
        # it); one with a measure but no verified number is 目标待设定, never a guessed number
        kind = _unread_goal_kind(ind)
    if not kind:
        return
    if kind not in R.ALLOWED_KINDS:
        raise CatalogueError(f"{where}：目标类型不在允许范围内：{kind!r}")
    if r["target_year"] not in ("2030", "") or (r["target_kind"] and r["target_year"] != "2030"):
        raise CatalogueError(f"{where}：两纲目标年份应为2030：{r['target_year']!r}")
    value = _number(r["target_value"], where) if r["target_value"] else ""
    verified = bool(value) or (kind not in NUMERIC_KINDS and r["verification"] in R.WORDING_VERIFIED)
    label = R.VERIFICATION_LABELS.get(r["verification"], r["verification"])
    pending = R.NUMBER_PENDING_NOTE if kind in NUMERIC_KINDS and not value else ""
    b.targets[("liangang", ind.code)] = {
        "plan_code": "liangang",
        "indicator_code": ind.code,
        "region_code": "",
        "target_year": "2030",
        "kind": kind,
        "value": value,
        "band_low": r.get("band_low", ""),
        "band_high": r.get("band_high", ""),
        "tolerance": "",
        "target_text": r["target_text"],
        "source": R.OUTLINE_TITLES[ind.outline],
        "source_url": ind.source_urls[0] if ind.source_urls else "",
        "verified": "true" if verified else "false",
        "note": _join_notes(f"核实：{label}", pending),
    }


def _unread_goal_kind(ind: _Indicator) -> str:
    """The kind of a main goal whose outline wording was not read: qualitative without a unit,
    otherwise a threshold in the measure's direction (a band when it has none), value pending."""
    if not ind.unit:
        return "qualitative"
    return {"up": "at_least", "down": "at_most"}.get(_direction(ind, ""), "band")


def _ministry_rows(b: _Build, rows: list[Row]) -> None:
    for i, r in enumerate(rows, start=2):
        where = f"{MINISTRY_FILE}第{i}行"
        code = r["code"]
        if not code:
            if r["name_zh"] not in R.MINISTRY_NEW_INDICATORS:
                raise CatalogueError(f"{where}：无代码的指标“{r['name_zh']}”未在规则表中")
            code, domain, lead = R.MINISTRY_NEW_INDICATORS[r["name_zh"]]
            b.add(
                _Indicator(
                    code=code,
                    outline=r["outline"],
                    domain=domain,
                    name=r["name_zh"],
                    unit=r["unit"],
                    row_type="monitoring_indicator",
                    source_urls=_urls(r["url"]),
                    verification=R.MINISTRY_VERIFICATION,
                    notes=[R.MINISTRY_NEW_INDICATOR_NOTE],
                    lead=[lead],
                )
            )
        ind = b.get(code, where)
        if ind.unit != r["unit"]:
            raise CatalogueError(f"{where}：单位与指标 {code} 不一致")
        old = b.targets.get(("liangang", code))
        if old is not None and old["value"]:
            raise CatalogueError(f"{where}：纲要已给出 {code} 的目标值，不应再用部门目标")
        urls = _urls(r["url"])
        b.targets[("liangang", code)] = {
            "plan_code": "liangang",
            "indicator_code": code,
            "region_code": "",
            "target_year": r["target_year"],
            "kind": r["target_kind"],
            "value": _number(r["target_value"], where),
            "band_low": "",
            "band_high": "",
            "tolerance": "",
            "target_text": _strip_bracket_remark(r["wording_read"]),
            "source": r["plan"],
            "source_url": urls[0] if urls else "",
            "verified": "true",
            "note": R.MINISTRY_NOTE,
        }
        ind.notes.append(R.MINISTRY_INDICATOR_NOTE)


@dataclass
class _FypRow:
    file: str
    order: int
    name: str
    linked: str
    unit: str
    kind: str
    value: str
    year: int
    text: str
    source: str
    urls: list[str]
    notes: str


def _fyp_rows(reference_dir: Path) -> list[_FypRow]:
    out: list[_FypRow] = []
    for file, fname in FYP_FILES.items():
        for i, r in enumerate(_read_reference(reference_dir / fname), start=2):
            where = f"{fname}第{i}行"
            if file == "women":  # no year / text columns; the file holds 2025 targets
                name, linked, value = r["indicator_name_zh"], r["linked_code"], r["target_2025"]
                year, text = R.FYP_TARGET_YEAR, ""
                source = f"{r['plan']}（{r['issuing_body']}）" if r["issuing_body"] else r["plan"]
            else:
                name, linked, value = (
                    r["indicator_name_zh"],
                    r["related_outline_code"],
                    r["target_value"],
                )
                year, text, source = int(r["target_year"]), r["target_text"], r["plan_name"]
            out.append(
                _FypRow(
                    file=file,
                    order=len(out),
                    name=name,
                    linked=linked,
                    unit=r["unit"],
                    kind=r["target_kind"],
                    value=_number(value, where) if value else "",
                    year=year,
                    text=text,
                    source=source,
                    urls=_urls(r["source_urls"]),
                    notes=r["notes"],
                )
            )
    return out


def _fyp_new_indicator(b: _Build, code: str, row: _FypRow) -> None:
    rule = R.FYP_NEW_INDICATORS.get(code)
    if rule is None:
        raise CatalogueError(f"新指标 {code} 未在 FYP_NEW_INDICATORS 中说明")
    pattern = rf"{re.escape(row.linked)}-F\d+" if row.linked else r"[WC]-FYP-\d+"
    if not re.fullmatch(pattern, code):
        raise CatalogueError(f"新指标代码 {code} 应形如 {pattern}")
    linked = b.get(row.linked, f"十四五“{row.name}”") if row.linked else None
    domain = rule.get("domain") or (linked.domain if linked else "")
    lead = [rule["lead"]] if rule.get("lead") else list(linked.lead if linked else [])
    others = [] if rule.get("lead") else list(linked.others if linked else [])
    b.add(
        _Indicator(
            code=code,
            outline=row.file,
            domain=domain or "",
            name=rule.get("name") or row.name,
            unit=row.unit,
            row_type="fyp_indicator",
            ref_kind=row.kind,
            target_text=row.text,
            source_urls=list(row.urls),
            verification=R.FYP_VERIFICATION,
            notes=[row.notes, R.FYP_INDICATOR_NOTE] + ([f"参考资料名称：{row.name}"] if rule.get("name") else []),
            lead=lead,
            others=others,
        )
    )


def _fyp_targets(b: _Build, rows: list[_FypRow]) -> None:
    contributions: dict[str, list[_FypRow]] = {}
    for row in rows:
        code = _fyp_indicator(b, row)
        if code is not None:
            contributions.setdefault(code, []).append(row)
    for code, rows_for in contributions.items():
        # the row linked to this indicator (or its parent) first, then file order
        rows_for.sort(key=lambda r: (0 if r.linked and code.split("-F")[0] == r.linked else 1, r.order))
        b.targets[("fyp14", code)] = _fyp_target(code, rows_for)


def _fyp_indicator(b: _Build, row: _FypRow) -> str | None:
    """The indicator a 十四五 row sets the 2025 target of, as FYP_DECISIONS judged it; None
    when the row only adds a note to its indicator."""
    key = (row.file, row.name)
    if key not in R.FYP_DECISIONS:
        raise CatalogueError(f"十四五“{row.name}”（{row.file}）未在 FYP_DECISIONS 中判定")
    action, code = R.FYP_DECISIONS[key]
    if action == "note":
        why = "非十四五2025年目标" if row.year != R.FYP_TARGET_YEAR else "与本指标的2025年目标表述不同，不另列"
        text = row.text or row.notes
        b.get(code, f"十四五“{row.name}”").notes.append(f"{row.source}{row.year}年目标（{why}，未列入目标表）：{text}")
        return None
    if row.year != R.FYP_TARGET_YEAR:
        raise CatalogueError(f"十四五“{row.name}”目标年份为{row.year}，只能作说明")
    if action == "new" and code not in b.indicators:
        _fyp_new_indicator(b, code, row)
    ind = b.get(code, f"十四五“{row.name}”")
    units_match = not row.unit or row.unit == ind.unit or (row.unit, ind.unit) in R.UNIT_EQUIVALENTS
    if not units_match:
        raise CatalogueError(f"十四五“{row.name}”的单位 {row.unit} 与 {code}（{ind.unit}）不同")
    return code


def _fyp_target(code: str, rows_for: list[_FypRow]) -> dict[str, str]:
    """One indicator's 十四五 target row from every source row that sets it (first one leads;
    all must agree)."""
    first = rows_for[0]
    for other in rows_for[1:]:
        same_value = (other.value == "" and first.value == "") or (
            other.value and first.value and float(other.value) == float(first.value)
        )
        if other.kind != first.kind or not same_value:
            raise CatalogueError(f"{code} 的十四五目标在两个来源中不一致：{first.name}、{other.name}")
    sources: list[str] = []
    titles: list[str] = []
    urls: list[str] = []
    for r in rows_for:
        if _doc_title(r.source) not in titles:
            titles.append(_doc_title(r.source))
            sources.append(r.source)
            if r.urls:
                urls.append(r.urls[0])
    unverified = [R.FYP_UNVERIFIED[r.name] for r in rows_for if r.name in R.FYP_UNVERIFIED]
    national = code in R.NATIONAL_TOTAL_TARGETS
    return {
        "plan_code": "fyp14",
        "indicator_code": code,
        "region_code": R.NATIONAL_REGION if national else "",
        "target_year": str(R.FYP_TARGET_YEAR),
        "kind": first.kind,
        "value": first.value,
        "band_low": "",
        "band_high": "",
        "tolerance": "",
        "target_text": next((r.text for r in rows_for if r.text), ""),
        "source": "|".join(sources),
        "source_url": "|".join(urls),
        "verified": "false" if unverified else "true",
        "note": _join_notes(
            " / ".join(dict.fromkeys(r.notes for r in rows_for if r.notes)),
            R.FYP_MERGED_NOTE if len(rows_for) > 1 else "",
            *unverified,
            R.NATIONAL_TOTAL_NOTE if national else "",
        ),
    }


def _local_indicators(b: _Build) -> None:
    for code, domain, name, unit, lead, others, note in R.LOCAL_INDICATORS:
        b.add(
            _Indicator(
                code=code,
                outline="local",
                domain=domain,
                name=name,
                unit=unit,
                row_type="local",
                verification=R.LOCAL_VERIFICATION,
                notes=[note],
                lead=[lead],
                others=list(others),
            )
        )


# --- derived attributes --------------------------------------------------------------------


def _primary_kind(b: _Build, ind: _Indicator) -> str:
    for plan in ("liangang", "fyp14"):
        t = b.targets.get((plan, ind.code))
        if t is not None:
            return t["kind"]
    return ind.ref_kind


def _direction(ind: _Indicator, kind: str) -> str:
    by_kind = R.DIRECTION_BY_KIND.get(kind, "")
    by_name = ""
    if ind.unit:
        by_name = next((d for part, d in R.DIRECTION_BY_NAME_PART if part in ind.name), "")
    if by_kind and by_name and by_kind != by_name:
        raise CatalogueError(f"指标 {ind.code} 的目标类型与名称所示方向矛盾")
    return R.DIRECTION_OVERRIDES.get(ind.code) or by_kind or by_name


def _decimals(b: _Build, ind: _Indicator) -> int:
    if ind.unit and ind.unit not in R.UNIT_DECIMALS:
        raise CatalogueError(f"指标 {ind.code} 的单位“{ind.unit}”未在 UNIT_DECIMALS 中")
    base = R.UNIT_DECIMALS.get(ind.unit, R.DEFAULT_DECIMALS)
    published = list(ind.values.values()) + [
        t["value"] for (_, code), t in b.targets.items() if code == ind.code and t["value"]
    ]
    return max([base] + [_decimals_of(v) for v in published])


def _plausible(ind: _Indicator) -> tuple[str, str]:
    # only an indicator's own bounds are written; the unit's come from etl.core.bounds when read
    if ind.unit == "%" and any(part in ind.name for part in R.GROSS_RATIO_NAME_PARTS):
        return _fmt(0.0), _fmt(R.GROSS_RATIO_MAX)
    return "", ""


def _indicator_rows(b: _Build) -> list[Row]:
    for code in list(R.BREAKDOWNS) + list(R.DEFINITIONS) + list(R.EXTRA_NOTES):
        b.get(code, "catalogue_rules")
    rows: list[Row] = []
    for ind in b.indicators.values():
        if ind.code in R.EXTRA_NOTES:
            ind.notes.append(R.EXTRA_NOTES[ind.code])
        if not ind.lead:
            if ind.values:
                raise CatalogueError(f"指标 {ind.code} 有全国数值但没有牵头单位")
            ind.notes.append(R.NO_LEAD_NOTE)
        kind = _primary_kind(b, ind)
        lo, hi = _plausible(ind)
        rows.append(
            ind.row(
                decimals=str(_decimals(b, ind)),
                direction=_direction(ind, kind),
                target_kind=kind,
                definition=R.DEFINITIONS.get(ind.code, ""),
                data_source="",
                breakdowns=R.BREAKDOWNS.get(ind.code, ""),
                plausible_min=lo,
                plausible_max=hi,
            )
        )
    return rows


def _sort_key(b: _Build) -> dict[str, int]:
    ordered = sorted(
        b.indicators.values(),
        key=lambda i: (OUTLINE_ORDER[i.outline], b.domains.index(i.domain), _natural(i.code)),
    )
    return {ind.code: n for n, ind in enumerate(ordered)}


# --- the other files -------------------------------------------------------------------------


def _unit_rows() -> list[Row]:
    return [{"code": code, "name": name, "aliases": "|".join(aliases)} for code, name, aliases in sorted(R.UNITS)]


def _plan_rows() -> list[Row]:
    return [dict(zip(PLAN_COLUMNS, (c, n, f, s, str(by), str(ty)), strict=True)) for c, n, f, s, by, ty in R.PLANS]


def _alias_rows(b: _Build, order: dict[str, int]) -> list[Row]:
    for _, code, _ in R.ALIASES:
        b.get(code, "catalogue_rules.ALIASES")
    rows = [{"alias": a, "indicator_code": c, "note": n} for a, c, n in R.ALIASES]
    return sorted(rows, key=lambda r: (order[r["indicator_code"]], r["alias"]))


def _national_rows(b: _Build, order: dict[str, int]) -> list[Row]:
    rows: list[Row] = []
    for ind in sorted(b.indicators.values(), key=lambda i: order[i.code]):
        for year, value in sorted(ind.values.items()):
            rows.append(
                {
                    "indicator_code": ind.code,
                    "year": str(year),
                    "value": value,
                    "source_urls": "|".join(ind.source_urls),
                    "note": ind.value_note,
                }
            )
    return rows


def _sample_rows() -> list[Row]:
    target_year = next(str(ty) for c, *_, ty in R.PLANS if c == "lianggui")
    return [
        {
            "plan_code": "lianggui",
            "indicator_code": code,
            "region_code": "",
            "target_year": target_year,
            "kind": kind,
            "value": value,
            "band_low": "",
            "band_high": "",
            "tolerance": "",
            "target_text": text,
            "source": R.SAMPLE_SOURCE,
            "source_url": "",
            "verified": "false",
            "note": R.SAMPLE_NOTE,
        }
        for code, kind, value, text in R.SAMPLE_TARGETS
    ]


# --- entry point -----------------------------------------------------------------------------


def build_catalogue_files(reference_dir: Path, data_dir: Path) -> None:
    """Rebuild data/catalogue/*, data/national/values.csv and data/samples/sample_targets.csv.

    Raises CatalogueError (Chinese message) when the reference files or the rules are
    inconsistent, or when the result fails `check_catalogue`; in that case nothing in
    `data_dir` is touched.
    """
    reference_dir, data_dir = Path(reference_dir), Path(data_dir)
    b = _Build()
    _outline_rows(b, _read_reference(reference_dir / WOMEN_FILE), "women", WOMEN_FILE)
    _outline_rows(b, _read_reference(reference_dir / CHILDREN_FILE), "children", CHILDREN_FILE)
    _ministry_rows(b, _read_reference(reference_dir / MINISTRY_FILE))
    _fyp_targets(b, _fyp_rows(reference_dir))
    _local_indicators(b)

    order = _sort_key(b)
    indicators = sorted(_indicator_rows(b), key=lambda r: order[r["code"]])
    plan_order = {p[0]: n for n, p in enumerate(R.PLANS)}
    targets = sorted(
        b.targets.values(),
        key=lambda t: (plan_order[t["plan_code"]], order[t["indicator_code"]], t["region_code"]),
    )
    outputs: dict[str, tuple[tuple[str, ...], list[Row]]] = {
        FILES["indicators"][0]: (INDICATOR_COLUMNS, indicators),
        FILES["units"][0]: (UNIT_COLUMNS, _unit_rows()),
        FILES["plans"][0]: (PLAN_COLUMNS, _plan_rows()),
        FILES["targets"][0]: (TARGET_COLUMNS, targets),
        FILES["aliases"][0]: (ALIAS_COLUMNS, _alias_rows(b, order)),
        FILES["national_values"][0]: (NATIONAL_VALUE_COLUMNS, _national_rows(b, order)),
        SAMPLE_TARGETS_FILE: (TARGET_COLUMNS, _sample_rows()),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for rel, (columns, rows) in outputs.items():
            _write_csv(Path(tmp) / rel, columns, rows)
        problems = check_catalogue(load_catalogue(Path(tmp)), load_sample_targets(Path(tmp)))
        if problems:
            raise CatalogueError("目录检查未通过：\n" + "\n".join(problems))
        for rel in outputs:
            (data_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(tmp) / rel, data_dir / rel)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(__file__).resolve().parents[2]
    reference = Path(args[0]) if args else root / "data" / "reference"
    data = Path(args[1]) if len(args) > 1 else root / "data"
    try:
        build_catalogue_files(reference, data)
    except CatalogueError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"已生成指标目录：{data}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
