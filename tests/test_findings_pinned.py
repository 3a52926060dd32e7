"""Every finding, count and accepted value of a load, pinned literally for the test fixtures.

Each case writes one return (the files in tests/fixtures/, the layouts of fixtures_returns, and
two files that hit every validation and layout rule at least once) and previews it against the
default database. findings_pinned.json holds, per case, the findings (rule, severity, place and
Chinese message, in order), the counts and every value the load would save, recorded once;
however loading is implemented, it must give exactly these.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable
from datetime import date
from pathlib import Path

import fixtures_returns as fx
import pytest

from etl.returns.load import FileReport, preview_file

FIXTURES = Path(__file__).parent / "fixtures"
PINNED = Path(__file__).with_name("findings_pinned.json")
TODAY = date(2026, 6, 1)

# One row per validation rule (and the ways a value is written), loaded into the 淄博 database
# on 2026-06-01: 2020–2024 are approved (locked) sample years, 2025 is open.
RULES_HEADER = ["指标代码", "指标名称", "地区代码", "地区名称", "年份", "数值", "计量单位", "分组", "备注"]
RULES_ROWS = [
    ["XX-UNKNOWN", "", "370303", "", "2025", "50", "", "", ""],
    ["W-HEALTH-M1/C-HEALTH-04", "", "370303", "", "2025", "50", "", "", ""],
    ["W-HEALTH-M1", "产后访视率", "370303", "", "2025", "96.5", "", "", ""],
    ["W-HEALTH-M1", "", "370303001000", "", "2025", "96.5", "", "", ""],
    ["W-HEALTH-M1", "", "", "全县", "2025", "96", "", "", ""],
    ["W-HEALTH-M1", "", "", "新城区", "2025", "96", "", "", ""],
    ["W-HEALTH-M1", "", "370302", "张店区", "2025", "96.5", "", "", ""],
    ["W-HEALTH-M1", "", "370303", "", "二〇二五", "96", "", "", ""],
    ["W-HEALTH-M1", "", "370303", "", "2035", "96", "", "", ""],
    ["W-HEALTH-M1", "", "370303", "", "2027", "96", "", "", ""],
    ["W-HEALTH-M1", "", "370303", "", "2025", "96", "", "山区", ""],
    ["W-HEALTH-M1", "", "370304", "", "2025", "—", "", "", ""],
    ["W-HEALTH-M1", "", "370304", "", "2025", "暂无数据", "", "", ""],
    ["W-HEALTH-M1", "", "370305", "", "2025", "abc", "", "", ""],
    ["W-HEALTH-M1", "", "370305", "", "2025", "1e309", "", "", ""],
    ["W-HEALTH-M1", "", "370305", "", "2025", "nan", "", "", ""],
    ["W-HEALTH-M1", "", "370306", "", "2025", "96", "‰", "", ""],
    ["W-HEALTH-M1", "", "370321", "", "2025", "96", "", "农村", ""],
    ["C-HEALTH-04", "", "370303", "", "2025", "-1", "", "", ""],
    ["W-HEALTH-M1", "", "370322", "", "2025", "101", "", "", ""],
    ["W-HEALTH-01-F1", "", "370303", "", "2025", "130", "", "", ""],
    ["W-HEALTH-01-F1", "", "370302", "", "2025", "-0", "", "", ""],
    ["", "产前筛查率", "370303", "", "2025", "95.5", "", "", "同一指标"],
    ["C-EDU-02", "", "370302", "", "2025", "0.95", "", "", ""],
    ["C-EDU-02", "学前教育毛入园率", "370303", "张店区", "2025年", "0.96", "", "", ""],
    ["C-HEALTH-04", "", "370304", "", "2025", "3.1", "", "", ""],
    ["C-HEALTH-04", "", "370304", "", "2025", "3.5", "", "", ""],
    ["C-HEALTH-04", "", "370305", "", "2025", "2.9", "", "", ""],
    ["C-HEALTH-04", "", "370305", "", "2025", "2.90", "", "", "重复"],
    ["C-HEALTH-04", "", "370306", "", "2024", "9.9", "", "", "改已审核的值"],
    ["C-HEALTH-04", "", "370305", "", "2024", "3.6", "", "", "与现值相同"],
    ["C-EDU-05", "", "370303", "", "2025", "92.1", "", "", "教育局的指标"],
    ["C-HEALTH-04", "", "370321", "", "2025", "40", "", "", ""],
    ["C-HEALTH-04", "", "370322", "", "2025", "3.0", "", "", ""],
    ["C-HEALTH-04", "", "370323", "", "2025", "3.2", "", "", ""],
    ["C-HEALTH-04", "", "370302", "", "2025", "3.1‰", "", "", ""],
    ["C-HEALTH-04", "", "370303", "", "2025", "2.5", "", "其中：城镇", ""],
    ["C-HEALTH-04", "", "370303", "", "2025", "4,1", "", "农村", ""],
    ["W-HEALTH-M1", "", "370323", "", "2025", "99.9", "", "", ""],
    ["W-HEALTH-M1", "", "370302", "", "2025", "0.953", "", "", ""],
    ["W-HEALTH-M1", "", "370322", "", "2025", "９６.５%", "", "", ""],
    ["W-HEALTH-M1", "", "370300", "", "2025", " 95.1 ", "", "", "全市"],
    ["", "宫颈癌筛查率", "", "张店区", "2025", "88", "%", "", ""],
    ["W-HEALTH-02", "", "370303", "", "2025", "15.7/10万", "", "", ""],
    ["W-HEALTH-02", "", "370302", "", "2025", "12", "1/10万", "城镇", ""],
    ["C-WELFARE-05", "", "370303", "", "2025", "1,234", "", "", ""],
    ["C-WELFARE-05", "", "370302", "", "2025", "1.2e19", "", "", ""],
    ["c-welfare-05", "", "370304", "", "2025.0", "3", "个", "", ""],
    ["C-WELFARE-05", "", "370305.0", "", "２０２５", "+4", "", "", ""],
    ["C-WELFARE-05", "", "370306", "", "2025", ".5", "", "", ""],
    ["C-WELFARE-05", "", "370321", "", "2025", "5.", "", "", ""],
    ["C-WELFARE-05", "", "370322", "", "2025", "1e2", "", "", ""],
    ["C-WELFARE-05", "", "370323", "", "2025", "1,23", "", "", ""],
    ["婴儿死亡率（‰）", "", "370300", "", "2025", "3.3", "", "", ""],
    ["1. 孕产妇系统管理率", "", "370301", "", "2025", "95", "", "", ""],
    ["W-HEALTH-M1", "", "", "博山", "2025", "95", "", "", ""],
]


def rules_csv(tmp_path: Path) -> Path:
    path = tmp_path / "规则大全.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([RULES_HEADER, *RULES_ROWS])
    return path


def rules_xlsx(tmp_path: Path) -> Path:
    """The same rows in a workbook, numbers typed as numbers where they are numbers."""

    def cell(text: str) -> object:
        try:
            number = float(text)
        except ValueError:
            return text
        return number if math.isfinite(number) and text.strip() == text else text

    rows = [RULES_HEADER, *([cell(c) if i == 5 else c for i, c in enumerate(r)] for r in RULES_ROWS)]
    return fx.write_xlsx(tmp_path / "规则大全.xlsx", {"填报表": fx.SheetSpec(rows)})


def layout_rules_xlsx(tmp_path: Path) -> Path:
    """Every row kind the layout reader recognises, skips or refuses, on two sheets."""
    form: list[fx.Row] = [
        ["2025年度妇女儿童发展统计监测表"],
        ["填报单位：卫生健康委", None, "统计年度：2025"],
        ["序号", "指标名称", "指标代码", "地区名称", "数值", "计量单位", "目标值", "核对", "备注"],
        ["甲", "乙", "丙", "丁", 1, 2, 3, 4, "戊"],
        [None, "一、妇女与健康"],
        [1, "孕产妇系统管理率", "W-HEALTH-M1", "张店区", 96.5, "%", 95, None, None],
        [None, None, None, "淄川区", 97.0],
        [2, "婴儿死亡率", None, "张店区", None, "‰"],
        [None, "其中：城镇", None, None, 2.1],
        [None, "农村", None, "张店区", 3.0],
        [None, "二、儿童与教育"],
        [None, "城镇", None, "张店区", 5],
        [None, None, None, "张店区", 7],
        ["序号", "指标名称", "指标代码", "地区名称", "数值"],
        [None, None, None, None, 8],
        [3, "学前教育毛入园率", "C-EDU-02", "全市", 90, "%", None, "已核", "快报"],
        [4, "妇女与健康"],
        ["注：本表数据截至2025年底"],
        ["填表人：张三", None, "联系电话：0533-1234567"],
    ]
    groups: list[fx.Row] = [
        ["地区：博山区", None, "统计年度：2025"],
        ["指标名称", "城镇", "农村", "合计"],
        ["婴儿死亡率", 3.0, 4.5, 3.9],
        ["农村", 4.4, None, None],
        ["孕产妇死亡率", 8.0, 12.0, 9.6],
    ]
    return fx.write_xlsx(
        tmp_path / "版式大全.xlsx",
        {"监测表": fx.SheetSpec(form, start_col=1), "分组": fx.SheetSpec(groups), "空": fx.SheetSpec([])},
    )


Builder = Callable[[Path], Path]


def _fixture(name: str) -> Builder:
    return lambda _tmp: FIXTURES / name


def _bad(case: str) -> Builder:
    return lambda tmp: fx.bad_files(tmp)[case]


BAD_FILES = (
    "zero_byte",
    "zero_byte_csv",
    "text_as_xlsx",
    "image_as_xlsx",
    "image_as_csv",
    "unsupported",
    "not_a_workbook_zip",
    "utf16_csv",
    "bad_encoding_csv",
)
FIXTURE_FILES = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".csv", ".txt"))

# case id → (writes the file, load options)
CASES: dict[str, tuple[Builder, dict[str, object]]] = {
    **{f"fixture:{n}:health": (_fixture(n), {"unit": "health"}) for n in FIXTURE_FILES},
    **{f"fixture:{n}:no-unit": (_fixture(n), {}) for n in FIXTURE_FILES},
    "rules.csv:no-unit": (rules_csv, {}),
    "rules.csv:health": (rules_csv, {"unit": "health"}),
    "rules.xlsx:no-unit": (rules_xlsx, {}),
    "layout_rules.xlsx:no-unit": (layout_rules_xlsx, {}),
    "layout_rules.xlsx:year-2024": (layout_rules_xlsx, {"year": "2024"}),
    "long_template.xlsx": (fx.long_template, {}),
    "long_template.xls": (lambda t: fx.long_template(t, ".xls"), {}),
    "long_csv:utf-8-sig,comma": (lambda t: fx.long_csv(t, "utf-8-sig", ","), {}),
    "long_csv:gb18030,semicolon": (lambda t: fx.long_csv(t, "gb18030", ";"), {}),
    "long_csv:utf-8,tab": (lambda t: fx.long_csv(t, "utf-8", "\t"), {}),
    "long_vertical_merges": (fx.long_vertical_merges, {}),
    "long_breakdown_column": (fx.long_breakdown_column, {}),
    "decorated_form": (fx.decorated_form, {}),
    "wide_by_year:title": (lambda t: fx.wide_by_year(t, "title"), {}),
    "wide_by_year:column": (lambda t: fx.wide_by_year(t, "column"), {}),
    "wide_by_year:none": (lambda t: fx.wide_by_year(t, "none"), {}),
    "wide_by_year:none,region": (lambda t: fx.wide_by_year(t, "none"), {"region": "张店区"}),
    "wide_by_district:title": (lambda t: fx.wide_by_district(t, "title"), {}),
    "wide_by_district:column": (lambda t: fx.wide_by_district(t, "column"), {}),
    "wide_by_district:none": (lambda t: fx.wide_by_district(t, "none"), {}),
    "wide_by_district:none,year": (lambda t: fx.wide_by_district(t, "none"), {"year": "2024"}),
    "wide_by_district:title,other-year": (lambda t: fx.wide_by_district(t, "title"), {"year": "2023"}),
    "two_level_years": (fx.two_level_years, {}),
    "two_level_districts.xls": (fx.two_level_districts, {}),
    "two_level_districts.xlsx": (lambda t: fx.two_level_districts(t, ".xlsx"), {}),
    "breakdown_columns": (fx.breakdown_columns, {}),
    "breakdown_rows": (fx.breakdown_rows, {}),
    "breakdown_column_merged": (fx.breakdown_column_merged, {}),
    "multi_sheet": (fx.multi_sheet, {}),
    "instructions_only": (fx.instructions_only, {}),
    "numbers_sheet": (fx.numbers_sheet, {}),
    "formulas_xlsx": (fx.formulas_xlsx, {}),
    "hidden_and_empty": (fx.hidden_and_empty, {}),
    "only_hidden": (fx.only_hidden, {}),
    "xlsx_named_csv": (fx.xlsx_named_csv, {}),
    "truncated_xlsx": (fx.truncated_xlsx, {}),
    "big_csv:120": (lambda t: fx.big_csv(t, 120), {}),
    **{f"bad_files:{case}": (_bad(case), {}) for case in BAD_FILES},
}


def summary(report: FileReport) -> dict[str, object]:
    """What a load says and would save, as plain JSON values."""
    return {
        "status": report.status,
        "accepted": report.accepted,
        "rejected": report.rejected,
        "missing": report.missing,
        "revisions": report.revisions,
        "changed": report.changed,
        "unit": report.unit,
        "message": report.message,
        "findings": [[f.sheet, f.row, f.column, f.rule, f.severity, f.message] for f in report.findings],
        "values": [
            [
                v["indicator_code"],
                v["region_code"],
                v["year"],
                v["breakdown"],
                v["value"],
                v["current"],
                v["last_year"],
                v["sheet"],
                v["row"],
                v["column"],
            ]
            for v in report.values
        ],
    }


def run_case(case: str, db: Path, tmp_path: Path) -> dict[str, object]:
    build, options = CASES[case]
    return summary(preview_file(db, build(tmp_path), today=TODAY, **options))


@pytest.fixture(scope="module")
def pinned() -> dict[str, dict[str, object]]:
    return json.loads(PINNED.read_text(encoding="utf-8"))


def test_every_case_is_pinned(pinned: dict[str, dict[str, object]]) -> None:
    assert sorted(pinned) == sorted(CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_findings_counts_and_values_are_as_pinned(
    case: str, pinned: dict[str, dict[str, object]], work_db: Path, tmp_path: Path
) -> None:
    got = run_case(case, work_db, tmp_path)
    want = pinned[case]
    assert got["findings"] == want["findings"]
    assert got == want
