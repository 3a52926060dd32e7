"""The committed indicator catalogue (data/) against the national reference files.

The reference CSVs ship in data/reference/ with their sources, so every test here runs in a fresh
clone, the byte-for-byte rebuild included.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import shutil
from pathlib import Path

import polars as pl
import pytest

from etl.catalogue import rules as R
from etl.catalogue.generate import build_catalogue_files
from etl.catalogue.load import (
    FILES,
    SAMPLE_TARGETS_FILE,
    Catalogue,
    CatalogueError,
    check_catalogue,
    load_catalogue,
    load_sample_targets,
    shared_names,
    split_list,
    unit_indicators,
)

DATA = Path(__file__).resolve().parents[1] / "data"
REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"

WOMEN = "women_outline_2021_2030.csv"
CHILDREN = "children_outline_2021_2030.csv"
FYP = ("national_14th_fyp_targets_women.csv", "national_14th_fyp_targets_children.csv")
MINISTRY = "ministry_targets_2030.csv"


def _ref(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8-sig", newline="") as f:
        return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(f)]


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return load_catalogue(DATA)


@pytest.fixture(scope="module")
def samples() -> pl.DataFrame:
    return load_sample_targets(DATA)


def _ind(cat: Catalogue, code: str) -> dict:
    rows = cat.indicators.filter(pl.col("code") == code).to_dicts()
    assert len(rows) == 1, code
    return rows[0]


def _target(cat: Catalogue, plan: str, code: str) -> dict:
    rows = cat.targets.filter((pl.col("plan_code") == plan) & (pl.col("indicator_code") == code)).to_dicts()
    assert len(rows) == 1, (plan, code)
    return rows[0]


# --- layout and types ------------------------------------------------------------------------


def test_columns_and_dtypes(cat: Catalogue) -> None:
    for key, (_, columns) in FILES.items():
        assert tuple(getattr(cat, key).columns) == columns, key
    ind = cat.indicators.schema
    assert ind["code"] == pl.String and ind["decimals"] == pl.Int64
    assert ind["plausible_min"] == pl.Float64 and ind["plausible_max"] == pl.Float64
    tgt = cat.targets.schema
    assert tgt["target_year"] == pl.Int64 and tgt["value"] == pl.Float64
    assert tgt["verified"] == pl.Boolean and tgt["region_code"] == pl.String
    assert cat.plans.schema["base_year"] == pl.Int64
    nv = cat.national_values.schema
    assert nv["year"] == pl.Int64 and nv["value"] == pl.Float64
    assert nv["indicator_code"] == pl.String


def test_codes_stay_text(cat: Catalogue) -> None:
    # region 100000 (全国) must not become the integer 100000
    national = cat.targets.filter(pl.col("region_code").is_not_null())
    assert set(national["region_code"]) == {"100000"}
    assert set(national["indicator_code"]) == {"C-ENV-05a", "C-HEALTH-01-F1"}


def test_loader_rejects_bad_number(tmp_path: Path) -> None:
    for rel, _ in FILES.values():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(DATA / rel, tmp_path / rel)
    path = tmp_path / "national" / "values.csv"
    text = path.read_text(encoding="utf-8").replace(",2020,16.9,", ",2020,16.9‰,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match="value"):
        load_catalogue(tmp_path)


# --- indicators ------------------------------------------------------------------------------


def test_every_outline_row_is_an_indicator(cat: Catalogue) -> None:
    names = dict(cat.indicators.select("code", "name").iter_rows())
    outlines = dict(cat.indicators.select("code", "outline").iter_rows())
    for file, outline in ((WOMEN, "women"), (CHILDREN, "children")):
        rows = _ref(file)
        assert rows
        for r in rows:
            assert names.get(r["code"]) == r["name_zh"], r["code"]
            assert outlines[r["code"]] == outline


def test_children_row_types_are_derived(cat: Catalogue) -> None:
    types = dict(cat.indicators.select("code", "row_type").iter_rows())
    for r in _ref(CHILDREN):
        if r["verification"] == "monitoring only":
            assert types[r["code"]] == "monitoring_indicator"
        elif re.search(r"\d[a-z]$", r["code"]):
            assert types[r["code"]] == "sub_indicator"
        else:
            assert types[r["code"]] == "main_goal"
    for r in _ref(WOMEN):
        assert types[r["code"]] == r["row_type"]


def test_local_indicators(cat: Catalogue) -> None:
    courtyard = _ind(cat, "L-COURTYARD-01")
    assert (courtyard["name"], courtyard["outline"], courtyard["row_type"]) == (
        "美丽庭院创建率",
        "local",
        "local",
    )
    assert courtyard["domain"] == "妇女与家庭建设" and courtyard["lead_unit"] == "women_federation"
    child = _ind(cat, "L-CHILD-01")
    assert child["name"] == "儿童友好社区覆盖率" and child["domain"] == "儿童与环境"
    assert child["lead_unit"] in ("women_children_office", "development_reform")
    assert "牵头" in child["notes"]
    home = _ind(cat, "C-WELFARE-08")
    assert home["lead_unit"] == "women_federation"
    assert "civil_affairs" in split_list(home["other_units"])


def test_decimals_and_direction_worked_examples(cat: Catalogue) -> None:
    mmr = _ind(cat, "W-HEALTH-02")  # 孕产妇死亡率, 1/10万, at_most 12
    assert (mmr["direction"], mmr["decimals"]) == ("down", 1)
    assert _ind(cat, "C-HEALTH-03")["decimals"] == 1  # ‰
    assert _ind(cat, "W-HEALTH-01")["decimals"] == 2  # 岁 (80.88)
    assert _ind(cat, "W-HEALTH-01")["direction"] == "up"  # increase
    assert _ind(cat, "C-EDU-02")["decimals"] == 1  # % with one-decimal values
    assert _ind(cat, "C-EDU-02a")["decimals"] == 2  # % but published as 84.74
    assert _ind(cat, "C-ENV-05a")["decimals"] == 0  # a count of cities (93)
    assert _ind(cat, "C-HEALTH-01a")["decimals"] == 2  # per 1000 children (0.64, target 1.12)
    # no outline kind: the measure decides where unambiguous
    assert _ind(cat, "W-HEALTH-M3")["direction"] == "up"  # 产前筛查率
    assert _ind(cat, "W-HEALTH-02a")["direction"] == "down"  # qualitative, but a 死亡率
    assert _ind(cat, "W-EDU-10a")["direction"] == "down"  # 文盲率
    assert _ind(cat, "W-EDU-04a")["direction"] is None  # girls' share: no better direction
    assert _ind(cat, "W-HEALTH-07")["direction"] is None  # mixed goal, no unit
    assert _ind(cat, "C-ENV-03a")["direction"] is None  # activity count


def test_direction_follows_target_kind(cat: Catalogue) -> None:
    expected = {"at_least": "up", "increase": "up", "at_most": "down", "decrease": "down"}
    for code, kind, direction in cat.indicators.select("code", "target_kind", "direction").iter_rows():
        if kind in expected:
            assert direction == expected[kind], code


def test_plausible_ranges(cat: Catalogue) -> None:
    # only gross ratios set bounds of their own; every other indicator takes its unit's (etl.core.bounds)
    own = {
        row["code"]: (row["plausible_min"], row["plausible_max"])
        for row in cat.indicators.iter_rows(named=True)
        if row["plausible_min"] is not None or row["plausible_max"] is not None
    }
    assert set(own.values()) == {(0.0, 150.0)}
    names = {row["code"]: row["name"] for row in cat.indicators.iter_rows(named=True)}
    assert all("毛入" in names[code] for code in own), own


def test_breakdowns(cat: Catalogue) -> None:
    for code in ("W-HEALTH-02", "C-HEALTH-03", "C-HEALTH-04", "C-HEALTH-05"):
        assert _ind(cat, code)["breakdowns"] == "城镇|农村"
    allowed = {"城镇|农村", "女|男", None}
    assert set(cat.indicators["breakdowns"].unique().to_list()) <= allowed


def test_unit_codes_exist(cat: Catalogue) -> None:
    units = set(cat.units["code"])
    for code, lead, others in cat.indicators.select("code", "lead_unit", "other_units").iter_rows():
        for unit in split_list(lead) + split_list(others):
            assert unit in units, (code, unit)


def test_indicators_with_national_data_have_a_lead(cat: Catalogue) -> None:
    with_values = set(cat.national_values["indicator_code"])
    no_lead = cat.indicators.filter(pl.col("lead_unit").is_null())
    assert not with_values & set(no_lead["code"])
    for note in no_lead["notes"]:
        assert R.NO_LEAD_NOTE in note


def test_unit_indicators_roles(cat: Catalogue) -> None:
    ui = unit_indicators(cat)
    assert ui.columns == ["indicator_code", "unit_code", "role"]
    rows = {(c, u): r for c, u, r in ui.iter_rows()}
    # 卫生健康委/统计局
    assert rows[("W-HEALTH-01", "health")] == "lead"
    assert rows[("W-HEALTH-01", "statistics")] == "shared"
    # 教育/卫生健康委（疾控）
    assert rows[("C-HEALTH-13", "education")] == "lead"
    assert rows[("C-HEALTH-13", "health")] == "shared"
    # 发展改革委（会同妇儿工委办、住建）
    assert rows[("C-ENV-05", "development_reform")] == "lead"
    assert rows[("C-ENV-05", "women_children_office")] == "shared"
    assert rows[("C-ENV-05", "housing")] == "shared"
    assert ui.filter(pl.col("role") == "lead")["indicator_code"].is_unique().all()


def test_units_are_local_and_unambiguous(cat: Catalogue) -> None:
    labels: list[str] = []
    for code, name, aliases in cat.units.iter_rows():
        assert re.fullmatch(r"[a-z][a-z_]*", code)
        # no 市/县 prefix (市场监管局 is a name, not a prefix)
        assert not name.startswith(("市", "县")) or name.startswith("市场"), name
        labels += [name, *split_list(aliases)]
    assert len(labels) == len(set(labels))
    lookup = {label: code for code, name, aliases in cat.units.iter_rows() for label in [name, *split_list(aliases)]}
    assert lookup["卫健委"] == lookup["卫生健康委员会"] == "health"
    assert lookup["教育部"] == "education"
    assert lookup["人社部"] == "hrss"
    assert cat.units.height >= 30


# --- targets ---------------------------------------------------------------------------------


def _same(a: str, b: float) -> bool:
    return bool(a) and abs(float(a) - b) < 1e-9


def test_every_valued_target_traces_to_the_reference(cat: Catalogue) -> None:
    outline = {r["code"]: r for r in _ref(WOMEN) + _ref(CHILDREN)}
    ministry = _ref(MINISTRY)
    fyp = []
    for name in FYP:
        for r in _ref(name):
            fyp.append(
                {
                    "name": r["indicator_name_zh"],
                    "linked": r.get("linked_code") or r.get("related_outline_code") or "",
                    "value": r.get("target_2025") or r.get("target_value") or "",
                    "year": r.get("target_year") or "2025",
                }
            )
    names = dict(cat.indicators.select("code", "name").iter_rows())
    valued = cat.targets.filter(pl.col("value").is_not_null())
    assert valued.height > 40
    for t in valued.iter_rows(named=True):
        code, value = t["indicator_code"], t["value"]
        if t["plan_code"] == "liangang":
            in_outline = code in outline and _same(outline[code]["target_value"], value)
            in_ministry = any(
                (m["code"] == code or (not m["code"] and m["name_zh"] == names[code]))
                and _same(m["target_value"], value)
                for m in ministry
            )
            assert in_outline or in_ministry, code
            assert t["target_year"] == 2030
        else:
            assert t["plan_code"] == "fyp14", code
            assert t["target_year"] == 2025
            assert any(
                f["year"] == "2025"
                and _same(f["value"], value)
                and (
                    f["linked"] == code
                    or (f["linked"] and code.startswith(f["linked"] + "-F"))
                    or f["name"] == names[code]
                )
                for f in fyp
            ), code


def test_liangang_targets_follow_the_outlines(cat: Catalogue) -> None:
    ministry_codes = {m["code"] for m in _ref(MINISTRY) if m["code"]}
    for r in _ref(WOMEN) + _ref(CHILDREN):
        if r["target_kind"] not in R.ALLOWED_KINDS:
            continue
        t = _target(cat, "liangang", r["code"])
        assert t["target_year"] == 2030 and t["region_code"] is None
        if r["code"] in ministry_codes:
            continue
        assert t["kind"] == r["target_kind"]
        assert t["source"] == R.OUTLINE_TITLES["women" if r["code"][0] == "W" else "children"]
        if r["target_value"]:
            assert t["value"] == float(r["target_value"]) and t["verified"]
        else:
            assert t["value"] is None
            if r["target_kind"] in ("at_least", "at_most", "band"):
                assert not t["verified"]  # 目标待设定
    mmr = _target(cat, "liangang", "W-HEALTH-02")
    assert (mmr["kind"], mmr["value"], mmr["verified"]) == ("at_most", 12.0, True)
    assert mmr["source"] == "《中国妇女发展纲要（2021—2030年）》"
    pending = _target(cat, "liangang", "W-EDU-04")
    assert (pending["value"], pending["verified"]) == (None, False)


def test_ministry_targets_are_labelled_as_such(cat: Catalogue) -> None:
    rows = _ref(MINISTRY)
    for r in rows:
        code = r["code"] or R.MINISTRY_NEW_INDICATORS[r["name_zh"]][0]
        t = _target(cat, "liangang", code)
        assert t["value"] == float(r["target_value"])
        assert t["source"] == r["plan"] and "卫生健康委" in t["source"]
        assert t["note"] == "卫生健康委实施方案目标，非纲要原文"
        assert "纲要（2021—2030年）》" not in t["source"]
        assert "[" not in t["target_text"]
    new = _ind(cat, "C-HEALTH-M1")
    assert new["name"] == "孕前优生健康检查目标人群覆盖率" and new["outline"] == "children"
    # the outline's own words are never relabelled as the ministry's, nor the reverse
    outline_valued = cat.targets.filter(
        (pl.col("plan_code") == "liangang") & pl.col("source").str.starts_with("《中国")
    )
    assert not (outline_valued["note"] == R.MINISTRY_NOTE).any()
    ministry_sourced = cat.targets.filter(pl.col("note") == R.MINISTRY_NOTE)
    assert ministry_sourced.height == len(rows)
    assert ministry_sourced["source"].str.contains("实施方案").all()


def test_fyp14_targets(cat: Catalogue) -> None:
    fyp = cat.targets.filter(pl.col("plan_code") == "fyp14")
    assert set(fyp["target_year"]) == {2025}
    # same measure → a target of the outline indicator
    assert _target(cat, "fyp14", "W-HEALTH-02")["value"] == 14.5
    assert _target(cat, "fyp14", "C-HEALTH-03")["value"] == 3.1
    # a different measure → a new fyp indicator, never a target of the outline indicator
    assert fyp.filter(pl.col("indicator_code") == "W-HEALTH-01").is_empty()
    life = _ind(cat, "W-HEALTH-01-F1")
    assert (life["name"], life["row_type"], life["outline"], life["domain"]) == (
        "人均预期寿命",
        "fyp_indicator",
        "women",
        "妇女与健康",
    )
    assert _target(cat, "fyp14", "W-HEALTH-01-F1")["value"] == 78.3
    treat = _ind(cat, "W-HEALTH-03-F1")
    assert treat["name"] == "宫颈癌及癌前病变患者治疗率"
    assert _target(cat, "fyp14", "W-HEALTH-03")["value"] == 50  # 筛查率 2025
    # 学前教育毛入园率 appears twice with the same target: one row, both sources
    pre = _target(cat, "fyp14", "C-EDU-02")
    assert pre["value"] == 90
    assert "公共服务规划" in pre["source"] and "学前教育发展提升行动计划" in pre["source"]
    assert len(split_list(pre["source_url"])) == 2
    # 2035 and 2023 rows stay out of the targets and are mentioned in notes
    assert "2035年目标" in _ind(cat, "C-ENV-05")["notes"]
    assert "2023年目标" in _ind(cat, "C-HEALTH-13")["notes"]
    for row in fyp.iter_rows(named=True):
        if row["indicator_code"] not in {"W-HEALTH-02", "C-HEALTH-03"}:
            continue
        assert row["source"] and row["verified"]


def test_fyp_indicator_codes(cat: Catalogue) -> None:
    new = cat.indicators.filter(pl.col("row_type") == "fyp_indicator")
    assert new.height >= 10
    codes = set(cat.indicators["code"])
    for code in new["code"]:
        parent = code.rsplit("-F", 1)[0]
        assert re.fullmatch(r"[WC]-FYP-\d+", code) or parent in codes, code
        assert not cat.targets.filter(pl.col("indicator_code") == code).is_empty(), code


def test_no_lianggui_targets_outside_samples(cat: Catalogue, samples: pl.DataFrame) -> None:
    lianggui = cat.targets.filter(pl.col("plan_code") == "lianggui")
    assert lianggui.filter(pl.col("value").is_not_null()).is_empty()
    assert set(cat.targets["plan_code"]) <= {"liangang", "fyp14"}


def test_sample_targets_are_flagged(samples: pl.DataFrame, cat: Catalogue) -> None:
    assert {"L-COURTYARD-01", "L-CHILD-01", "C-WELFARE-08"} <= set(samples["indicator_code"])
    assert samples.height == 80 and samples["indicator_code"].n_unique() == 80
    for row in samples.iter_rows(named=True):
        assert row["plan_code"] == "lianggui" and row["region_code"] is None
        assert row["target_year"] == 2030
        assert row["source"] == "示例目标（非官方，仅供演示）"
        assert row["target_text"].startswith("示例：") and "示例" in row["note"]
        assert row["verified"] is False
        assert (row["value"] is None) == (row["kind"] == "increase")
    # only numeric indicators (with a unit) get a sample target
    units = dict(cat.indicators.select("code", "unit").iter_rows())
    assert all(units[c] for c in samples["indicator_code"])


def test_sample_targets_at_least_as_ambitious_as_the_outline(samples: pl.DataFrame, cat: Catalogue) -> None:
    outline = cat.targets.filter(
        (pl.col("plan_code") == "liangang") & pl.col("value").is_not_null() & pl.col("region_code").is_null()
    )
    mine = dict(samples.select("indicator_code", "value").iter_rows())
    for code, kind, value in outline.select("indicator_code", "kind", "value").iter_rows():
        if code in mine:
            assert (mine[code] >= value) if kind == "at_least" else (mine[code] <= value), code
    # worked examples: 孕产妇死亡率 12 → 10 /10万, 婴儿死亡率 5.0 → 3.8 ‰, 小学生近视率 38 → 35 %
    assert (mine["W-HEALTH-02"], mine["C-HEALTH-04"], mine["C-HEALTH-13"]) == (10.0, 3.8, 35.0)


# --- aliases and names -----------------------------------------------------------------------


def test_aliases(cat: Catalogue) -> None:
    alias = dict(cat.aliases.select("alias", "indicator_code").iter_rows())
    assert alias["学前三年毛入园率"] == "C-EDU-02"
    assert alias["三年毛入园率"] == "C-EDU-02"
    assert alias["九年义务教育巩固率"] == "C-EDU-03"
    assert alias["高中阶段教育毛入学率"] == "C-EDU-05"
    assert cat.aliases["note"].is_not_null().all()
    assert cat.aliases["alias"].is_unique().all()
    # unit variants are the normaliser's job, not aliases
    assert not any("（1/10万）" in a or "(%)" in a for a in alias)


def test_shared_names_are_documented(cat: Catalogue) -> None:
    shared = {n: (c, d) for n, c, d in shared_names(cat).iter_rows()}
    assert shared["九年义务教育巩固率"] == ("C-EDU-03|W-EDU-04", "C-EDU-03")
    assert shared["婚前医学检查率"] == ("C-HEALTH-06b|W-HEALTH-M2", None)
    assert shared["产前筛查率"][1] is None
    for name, (codes, _) in shared.items():
        outlines = cat.indicators.filter(pl.col("code").is_in(codes.split("|")))["outline"]
        assert outlines.is_unique().all(), name  # an outline hint tells them apart
        for code in codes.split("|"):
            assert "同名" in (_ind(cat, code)["notes"] or ""), code


# --- national values -------------------------------------------------------------------------


def test_national_values_copy_every_cell(cat: Catalogue) -> None:
    got = {
        (c, y): (v, n)
        for c, y, v, n in cat.national_values.select("indicator_code", "year", "value", "note").iter_rows()
    }
    expected = {}
    for r in _ref(WOMEN) + _ref(CHILDREN):
        for year in range(2020, 2025):
            cell = r[f"national_{year}"]
            if cell:
                expected[(r["code"], year)] = (float(cell), r["notes"] or None)
    assert got == expected
    assert "derived" in got[("C-HEALTH-03", 2020)][1]
    text = (DATA / "national" / "values.csv").read_text(encoding="utf-8")
    assert "%" not in "".join(line.split(",")[2] for line in text.splitlines()[1:])
    assert ",2020,4.10," in text  # as published


# --- check_catalogue and reproducibility -----------------------------------------------------


def test_committed_catalogue_has_no_problems(cat: Catalogue, samples: pl.DataFrame) -> None:
    assert check_catalogue(cat, samples) == []


def test_check_catalogue_finds_broken_fixture(cat: Catalogue) -> None:
    ind = cat.indicators.with_columns(
        pl.when(pl.col("code") == "W-HEALTH-02")
        .then(pl.lit("no_such_unit"))
        .otherwise(pl.col("lead_unit"))
        .alias("lead_unit")
    )
    ind = pl.concat([ind, ind.filter(pl.col("code") == "C-EDU-02")])  # duplicate code
    bad_target = cat.targets.head(1).with_columns(
        pl.lit("C-HEALTH-05").alias("indicator_code"),
        pl.lit("lianggui").alias("plan_code"),
        pl.lit(6.0).alias("value"),
        pl.lit(None, dtype=pl.String).alias("source"),
    )
    unknown = cat.targets.head(1).with_columns(
        pl.lit("X-NONE-01").alias("indicator_code"),
        pl.lit("nope").alias("plan_code"),
        pl.lit("roughly").alias("kind"),
    )
    aliases = pl.concat(
        [
            cat.aliases,
            pl.DataFrame({"alias": ["婴儿死亡率"], "indicator_code": ["C-HEALTH-05"], "note": ["错"]}),
        ]
    )
    broken = dataclasses.replace(
        cat,
        indicators=ind,
        targets=pl.concat([cat.targets, bad_target, unknown]),
        aliases=aliases,
    )
    problems = "\n".join(check_catalogue(broken))
    assert "no_such_unit 不在成员单位表中" in problems
    assert "指标代码重复：C-EDU-02" in problems
    assert "有目标值但没有来源" in problems
    assert "X-NONE-01 不在指标表中" in problems
    assert "规划代码 nope 不在规划表中" in problems
    assert "目标类型不在允许范围内" in problems
    assert "别名“婴儿死亡率”与指标 C-HEALTH-04 的名称冲突" in problems


def test_check_catalogue_rejects_unlabelled_samples(cat: Catalogue, samples: pl.DataFrame) -> None:
    forged = samples.with_columns(pl.lit("某市规划").alias("source"), pl.lit(True).alias("verified"))
    problems = "\n".join(check_catalogue(cat, forged))
    assert "示例目标" in problems and "已核实" in problems


def test_rebuild_reproduces_committed_files(tmp_path: Path) -> None:
    build_catalogue_files(REFERENCE, tmp_path)
    rels = [rel for rel, _ in FILES.values()] + [SAMPLE_TARGETS_FILE]
    for rel in rels:
        assert (tmp_path / rel).read_bytes() == (DATA / rel).read_bytes(), rel
