"""Find the table header in a sheet grid and say what every column means.

A return's header is never at a fixed place: offices put a 表号/标题 block above it, number
the columns under it (甲 乙 1 2 …) and split it over two rows (years over 城镇|农村|合计).
This module finds the header row by its labels, works out the role of each column, and reads
the sheet-wide year / region / unit that the block above the header states. It does not read
data rows (that is `etl.returns.layouts`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from etl.core.records import TOTAL
from etl.returns.lookup import WHOLE_REGION_WORDS
from etl.returns.readers import Grid, column_letter

# How far down a sheet the header may start (counted in non-empty rows). Header blocks are
# a handful of rows; scanning further only invites a false match deep in the data.
MAX_HEADER_SCAN = 30


class Role(StrEnum):
    IND_CODE = "指标代码"
    IND_NAME = "指标名称"
    REG_CODE = "地区代码"
    REG_NAME = "地区名称"
    YEAR = "年份"
    VALUE = "数值"
    UNIT = "计量单位"
    NOTE = "备注"
    BREAKDOWN = "分组"
    SEQ = "序号"  # 序号 / 行次 / 栏次: numbering, never data
    TOTAL = "合计"  # 全市 / 合计 columns: not a district; 全市/全区/全县 are read as the home region
    OTHER = "其他"  # known non-value columns (目标值, 数据来源 …): not read


_ALIASES: dict[Role, tuple[str, ...]] = {
    Role.IND_CODE: ("指标代码", "指标编码", "指标编号"),
    Role.IND_NAME: (
        "指标名称",
        "指标",
        "指标名",
        "指标项",
        "指标项目",
        "监测指标",
        "监测指标名称",
        "主要指标",
        "统计指标",
        "指标内容",
    ),
    Role.REG_CODE: (
        "地区代码",
        "地区编码",
        "行政区划代码",
        "区划代码",
        "区县代码",
        "行政区代码",
        "统计用区划代码",
        "统计用区划代码和城乡划分代码",
    ),
    Role.REG_NAME: (
        "地区名称",
        "地区",
        "区县",
        "县区",
        "区县名称",
        "县区名称",
        "县",
        "县市区",
        "行政区划",
        "行政区划名称",
        "区域",
        "所属地区",
    ),
    Role.YEAR: ("年份", "年度", "统计年度", "数据年份", "报告年度", "年"),
    Role.VALUE: (
        "数值",
        "指标值",
        "数据",
        "值",
        "数据值",
        "填报值",
        "统计值",
        "实际值",
        "监测值",
        "完成值",
        "实际完成值",
        "本期值",
        "本年值",
        "指标数值",
        "监测数据",
    ),
    Role.UNIT: ("计量单位", "单位"),
    Role.NOTE: ("备注", "说明"),
    Role.BREAKDOWN: ("分组", "分类", "类别", "城乡", "性别", "分项"),
    Role.SEQ: ("序号", "序", "行次", "栏次", "代码", "编号"),
    Role.TOTAL: ("全市", "合计", "总计", "全区", "全县"),
    Role.OTHER: (
        "数据来源",
        "责任单位",
        "牵头单位",
        "填报单位",
        "统计口径",
        "指标解释",
        "指标说明",
        "领域",
        "指标属性",
        "属性",
        "目标",
        "目标值",
        "规划目标",
        "小数位数",
        "合理范围",
    ),
}
_ROLE_OF: dict[str, Role] = {alias: role for role, names in _ALIASES.items() for alias in names}
# 全市/全区/全县 columns hold the home region's own figure (a city's rate is not the sum of
# its districts'): read as a region column that validation resolves to the home region code.
# 合计/总计 stay unread: in a count table they may be a plain sum.

# Words that make a header cell a non-value column even when it carries a year
# ("2025年目标值", "2020年基期值"): such a column is context, not a reported value.
_CONTEXT_WORDS = re.compile(r"目标|基期|基数|达标|评估|进度|增长|同比|比上年|排名|说明|来源")
_YEAR_LABEL = re.compile(r"^((?:19|20)\d{2})(?:年度?)?(?:数据|数值|值)?(?:\(.*\))?$")
# A year inside a label, but not four digits out of a longer code (320200 is 无锡市).
_YEARISH = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
# A district label is a short name; a sentence (填报说明) or a long phrase is not one.
_MAX_REGION_LABEL = 15
_SENTENCE_PUNCT = re.compile(r"[，。；？！,;?!]")

# Breakdown labels → the breakdown they name; TOTAL ("合计") stands for "no breakdown".
_BREAKDOWNS: dict[str, str] = {
    "城镇": "城镇",
    "城镇地区": "城镇",
    "农村": "农村",
    "乡村": "农村",
    "农村地区": "农村",
    "女": "女",
    "女性": "女",
    "男": "男",
    "男性": "男",
    "合计": TOTAL,
    "小计": TOTAL,
    "总计": TOTAL,
}
_BREAKDOWN_PREFIX = re.compile(r"^(?:其中[:：]?|[-—–·•*>]+)")

_COLUMN_NUMBER = re.compile(r"^(?:[甲乙丙丁戊己庚辛壬癸]|\d{1,3})$")

# Rows under a table that are signatures, dates and contacts, matched on their first cell
# (NFKC, spaces removed). Place files share the rule.
FOOTER = re.compile(
    r"^(?:单位负责人|统计负责人|部门负责人|负责人|填表人|填报人|制表人|审核人|审核|"
    r"报出日期|填报日期|填表日期|联系电话|联系人|电话)"
)
# Notes under a table: "注：…", "说明1、…", or a 填表说明 block.
NOTE = re.compile(r"^(?:(?:注|说明|备注|填表说明|附注)\d*[:、.]|填表说明)")


_SPACES = re.compile(r"\s+")
_BRACKETED = re.compile(r"\(.*?\)|\[.*?\]|【.*?】")


# Cached: the same labels (district names, 合计, units) recur on every row of a return.
@lru_cache(maxsize=8192)
def label_key(text: str) -> str:
    """Header text as compared: NFKC (full-width → half-width), no spaces, no 必填 marks."""
    key = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    return key.strip("*:：")


def without_brackets(key: str) -> str:
    """Key without bracketed additions: "数值(%)" → "数值", "县(市、区)" → "县"."""
    return _BRACKETED.sub("", key)


@lru_cache(maxsize=8192)
def role_of(text: str) -> Role | None:
    key = label_key(text)
    if not key:
        return None
    return _ROLE_OF.get(key) or _ROLE_OF.get(without_brackets(key))


def year_of_label(text: str) -> str | None:
    """ "2024" / "2024年" / "２０２４年度" / "2024年(预计)" → "2024"; anything else → None."""
    match = _YEAR_LABEL.match(label_key(text))
    return match.group(1) if match else None


def breakdown_of_label(text: str) -> str | None:
    """The breakdown a row or sub-header label names: "其中：城镇" → "城镇", "  男" → "男",
    "合计" → TOTAL; None when the text is not a breakdown label at all."""
    key = _BREAKDOWN_PREFIX.sub("", label_key(text))
    return _BREAKDOWNS.get(key)


def is_breakdown_label(text: str) -> bool:
    return breakdown_of_label(text) is not None


@dataclass(frozen=True)
class ValueColumn:
    """A column whose cells are values, and what the header says about them."""

    index: int
    label: str  # header text as written (both header rows joined for two-level headers)
    year: str | None = None
    region: str | None = None
    breakdown: str | None = None

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass(frozen=True)
class IgnoredColumn:
    index: int
    label: str
    reason: str  # Chinese


@dataclass(frozen=True)
class TableHeader:
    """Where the table starts and what each column means."""

    kind: str  # "long" | "wide_by_year" | "wide_by_district" | "by_breakdown" (informative)
    header_positions: tuple[int, ...]  # positions in grid.rows of the header row(s)
    column_number_position: int | None  # the 甲/乙/1/2 row under the header, if any
    data_start: int  # position in grid.rows of the first row after the header
    labels: dict[Role, int]  # label columns: role → column index (first occurrence)
    value_columns: tuple[ValueColumn, ...]
    ignored: tuple[IgnoredColumn, ...] = ()

    @property
    def first_position(self) -> int:
        return self.header_positions[0]


def find_header(grid: Grid) -> TableHeader | None:
    """The first row (within MAX_HEADER_SCAN) that names an indicator column and at least
    one value-bearing column (数值, a year, a district, or a breakdown). None if there is none."""
    for pos in range(min(len(grid.rows), MAX_HEADER_SCAN)):
        cells = grid.rows[pos][1]
        roles = {i: role_of(c) for i, c in enumerate(cells) if c.strip()}
        if Role.IND_CODE not in roles.values() and Role.IND_NAME not in roles.values():
            continue
        header = _build_header(grid, pos, roles)
        if header is not None:
            return header
    return None


def _build_header(grid: Grid, pos: int, roles: dict[int, Role | None]) -> TableHeader | None:
    cells = grid.rows[pos][1]
    labels: dict[Role, int] = {}
    for i, role in roles.items():
        if role is not None and role not in labels:
            labels[role] = i
    candidates = [i for i, role in roles.items() if role is None or role is Role.TOTAL]

    # Two-level headers. (A) this row has years/districts (merged, so only the first cell of
    # each span is filled) and the row below says 城镇|农村|合计 under them. (B) this row has
    # the 城镇|农村|合计 labels and the years/districts are in the row above.
    positions: tuple[int, ...] = (pos,)
    columns: list[tuple[int, str, str | None, str | None]] = []  # index, label, group, breakdown
    below = grid.rows[pos + 1][1] if pos + 1 < len(grid.rows) else None
    above = grid.rows[pos - 1][1] if pos > 0 else None
    label_cols = set(labels.values()) - {labels.get(Role.TOTAL, -1)}
    sub_a = _breakdown_subrow(below, label_cols) if below is not None else None
    own = [i for i in candidates if is_breakdown_label(cells[i])]
    if sub_a:
        positions = (pos, pos + 1)
        groups = _fill_right(cells, sub_a, label_cols)
        columns = [(i, f"{groups[i]} {below[i].strip()}", groups[i], sub_a[i]) for i in sub_a]
    elif own and len(own) == len(candidates) and above is not None and _has_groups(above, own):
        positions = (pos - 1, pos)
        sub_b = {i: breakdown_of_label(cells[i]) or TOTAL for i in own}
        groups = _fill_right(above, sub_b, label_cols)
        columns = [(i, f"{groups[i]} {cells[i].strip()}", groups[i], sub_b[i]) for i in own]
    elif own and len(own) == len(candidates):
        # 指标名称 | 城镇 | 农村 | 合计 for one district and year stated above the table.
        columns = [(i, cells[i].strip(), None, breakdown_of_label(cells[i])) for i in own]
    else:
        columns = [(i, cells[i].strip(), cells[i].strip(), None) for i in candidates]

    value_cols, ignored, kind = _classify_columns(cells, labels, columns)
    if not value_cols:
        return None

    data_start = positions[-1] + 1
    column_number_position = None
    if data_start < len(grid.rows) and is_column_number_row(grid.rows[data_start][1]):
        column_number_position = data_start
        data_start += 1
    return TableHeader(
        kind=kind,
        header_positions=positions,
        column_number_position=column_number_position,
        data_start=data_start,
        labels={r: i for r, i in labels.items() if r is not Role.TOTAL},
        value_columns=tuple(value_cols),
        ignored=tuple(ignored),
    )


def _classify_columns(
    cells: tuple[str, ...],
    labels: dict[Role, int],
    columns: list[tuple[int, str, str | None, str | None]],
) -> tuple[list[ValueColumn], list[IgnoredColumn], str]:
    """Decide which candidate columns hold values, and what year/region each stands for."""
    ignored: list[IgnoredColumn] = []
    if Role.VALUE in labels:
        # Long template: one value column; anything unrecognised beside it is not read.
        idx = labels[Role.VALUE]
        for i, label, _, _ in columns:
            ignored.append(IgnoredColumn(i, label, "长表已有“数值”列，此列不读取"))
        return [ValueColumn(idx, cells[idx].strip())], ignored, "long"

    by_year: list[ValueColumn] = []
    by_region: list[ValueColumn] = []
    by_breakdown: list[ValueColumn] = []
    for i, label, group, breakdown in columns:
        bd = None if breakdown == TOTAL else breakdown
        if group is None:
            by_breakdown.append(ValueColumn(i, label, breakdown=bd))
            continue
        key = label_key(group)
        year = year_of_label(group)
        if not key:
            ignored.append(IgnoredColumn(i, label, "上层表头为空，无法确定年份或地区，未读取"))
        elif year is not None and not _CONTEXT_WORDS.search(key):
            by_year.append(ValueColumn(i, label, year=group.strip(), breakdown=bd))
        elif key in WHOLE_REGION_WORDS:
            by_region.append(ValueColumn(i, label, region=group.strip(), breakdown=bd))
        elif role_of(group) is Role.TOTAL:
            ignored.append(IgnoredColumn(i, label, "合计/总计列不作为某一地区的数据读取"))
        elif role_of(group) is not None:
            ignored.append(IgnoredColumn(i, label, "不是数值列，未读取"))
        elif _CONTEXT_WORDS.search(key):
            ignored.append(IgnoredColumn(i, label, "目标值、基期值等说明性列不是填报数值，未读取"))
        elif _YEARISH.search(key) or len(key) > _MAX_REGION_LABEL or _SENTENCE_PUNCT.search(key):
            ignored.append(IgnoredColumn(i, label, "无法识别的列（不像年份或地区），未读取"))
        else:
            by_region.append(ValueColumn(i, label, region=group.strip(), breakdown=bd))

    if by_breakdown:
        return by_breakdown, ignored, "by_breakdown"
    if by_year:
        # Indicators × years: other labels beside the years (a stray district, 目标值) are not
        # values of this table.
        ignored += [IgnoredColumn(c.index, c.label, "按年份排列的表中此列不是年份，未读取") for c in by_region]
        ignored.sort(key=lambda c: c.index)
        return by_year, ignored, "wide_by_year"
    return by_region, ignored, "wide_by_district"


def _breakdown_subrow(row: tuple[str, ...], label_cols: set[int]) -> dict[int, str] | None:
    """{column: breakdown} if `row` is a 城镇|农村|合计 sub-header row, else None."""
    found: dict[int, str] = {}
    for i, text in enumerate(row):
        if not text.strip() or i in label_cols:
            continue
        breakdown = breakdown_of_label(text)
        if breakdown is None:
            return None
        found[i] = breakdown
    return found if len(found) >= 2 else None


def _has_groups(row: tuple[str, ...], cols: list[int]) -> bool:
    """Is the row above a row of years/districts over the breakdown columns (and not a title
    line such as "地区：张店区" that happens to sit there)?"""
    texts = [row[i] for i in range(min(cols), max(cols) + 1) if row[i].strip()]
    return bool(texts) and all(_looks_like_group(t) for t in texts)


def _looks_like_group(text: str) -> bool:
    key = label_key(text)
    if year_of_label(text) is not None:
        return True
    return (
        role_of(text) in (None, Role.TOTAL)
        and len(key) <= _MAX_REGION_LABEL
        and ":" not in key
        and not _SENTENCE_PUNCT.search(key)
    )


def _fill_right(top: tuple[str, ...], sub: dict[int, str], label_cols: set[int]) -> dict[int, str]:
    """Group label over each sub-header column, carrying a merged cell's text rightwards
    (calamine fills only the first cell of a merged range)."""
    groups: dict[int, str] = {}
    current = ""
    for i in range(min(sub), max(sub) + 1):
        text = top[i].strip() if i < len(top) else ""
        if text:
            current = text
        if i in sub and i not in label_cols:
            groups[i] = current
    return groups


def is_column_number_row(cells: tuple[str, ...]) -> bool:
    """甲 | 乙 | 丙 | 1 | 2 | 3 under the header (statistical forms number their columns)."""
    texts = [label_key(c) for c in cells if c.strip()]
    if len(texts) < 2 or not all(_COLUMN_NUMBER.match(t) for t in texts):
        return False
    digits = [int(t) for t in texts if t.isdigit()]
    if len(digits) < len(texts):
        return True  # has 甲/乙/丙: never data
    return digits == list(range(digits[0], digits[0] + len(digits)))


# --- the block above the header ----------------------------------------------------------


@dataclass(frozen=True)
class SheetContext:
    """What the title / header block states for the whole sheet."""

    years: tuple[str, ...] = ()  # distinct candidates at the most explicit level found
    region: str | None = None
    unit: str | None = None


_YEAR = r"((?:19|20)\d{2})"
_YEAR_PATTERNS = (  # most explicit first
    re.compile(r"(?:统计年度|报告年度|数据年度|数据年份|年度|年份)\s*:?\s*" + _YEAR),
    re.compile(_YEAR + r"\s*年度"),
    re.compile(r"\(\s*" + _YEAR + r"\s*年?\s*\)"),
    re.compile(_YEAR + r"\s*年(?!\s*\d{1,2}\s*月)"),
)
# "2021—2030年" names a plan period, not the report year.
YEAR_RANGE = re.compile(r"(?:19|20)\d{2}\s*年?\s*[-—–~至到]+\s*(?:19|20)\d{2}\s*年?")
# Dates that are not the report year (有效期至 2026年, 报出日期 2025年3月): cut them out
# before looking for the year, but keep the rest of the line ("统计年度：2024 报出日期：…").
_NOT_YEAR = re.compile(r"(?:有效期至?|日期|报出|截止|时间|文号)[^0-9]{0,8}(?:19|20)\d{2}")
_REGION_LABELS = (
    "填报地区",
    "所属地区",
    "地区名称",
    "地区代码",
    "行政区划代码",
    "行政区划",
    "地区",
    "区县",
    "县区",
    "县(市、区)",
    "县(市区)",
    "区(县)",
)
_REGION_INLINE = re.compile("(?:" + "|".join(re.escape(x) for x in _REGION_LABELS) + r")\s*:\s*([^\s:]++)(?!\s*:)")
_UNIT_INLINE = re.compile(r"^(?:计量单位|单位)\s*[:：]\s*(\S+)")
_YEAR_CELL_LABELS = {"统计年度", "报告年度", "数据年度", "数据年份", "年度", "年份"}
_UNIT_CELL_LABELS = {"计量单位", "单位"}


def sheet_context(grid: Grid, header: TableHeader) -> SheetContext:
    """Year, district and unit stated in the rows above the header (title, 统计年度, 地区：…)."""
    block = grid.rows[: header.first_position]
    found_years: list[list[str]] = [[] for _ in _YEAR_PATTERNS]
    region = unit = None
    for _, cells in block:
        texts = [c.strip() for c in cells if c.strip()]
        norm = [unicodedata.normalize("NFKC", t) for t in texts]
        joined = " ".join(norm)
        # A label alone in a cell with its value in the next cell: "统计年度" | "2024".
        for i, key in enumerate(label_key(t) for t in texts):
            nxt = norm[i + 1] if i + 1 < len(norm) else ""
            if key in _YEAR_CELL_LABELS and (year := year_of_label(nxt)):
                found_years[0].append(year)
            plain_next = bool(nxt) and ":" not in nxt and role_of(nxt) is None
            if key in _REGION_LABELS and plain_next and region is None:
                region = texts[i + 1]
            if key in _UNIT_CELL_LABELS and plain_next and unit is None:
                unit = texts[i + 1]
        if region is None and (m := _REGION_INLINE.search(joined)):
            region = m.group(1)
        for t in texts:
            if unit is None and (m := _UNIT_INLINE.match(t)):
                unit = m.group(1)
        year_text = YEAR_RANGE.sub(" ", _NOT_YEAR.sub(" ", joined))
        for level, pattern in enumerate(_YEAR_PATTERNS):
            found_years[level] += pattern.findall(year_text)
    years: tuple[str, ...] = ()
    for level in found_years:
        if level:
            years = tuple(dict.fromkeys(level))
            break
    return SheetContext(years=years, region=region, unit=unit)
