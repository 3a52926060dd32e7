"""Write one member unit's sample return (示例数据) in one of three real template layouts.

- `long`: one sheet, header row 指标代码 | 指标名称 | 地区代码 | 地区名称 | 年份 | 数值 | 计量单位 | 备注.
- `wide_by_district`: one sheet per year, as offices circulate them: title, 填报单位 line,
  header 序号 | 指标名称 | 计量单位 | <districts…>, a 甲/乙/丙/1/2… column-number row, domain
  section rows (一、妇女与健康), 其中：城镇 / 农村 breakdown rows, and a signature footer.
- `wide_by_year`: one sheet per district: title, 地区：<name>, header 指标名称 | 计量单位 | 2020年 ….

Empty cells are gaps the unit did not fill in.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import xlsxwriter

from etl.core.records import TOTAL
from etl.sample.model import RURAL, URBAN, District, IndicatorInfo

SAMPLE = "示例数据"
LONG_HEADER = ["指标代码", "指标名称", "地区代码", "地区名称", "年份", "数值", "计量单位", "备注"]
_NUMERALS = "一二三四五六七八九十"

Values = dict[tuple[str, str, int, str], float | None]


def _section_label(i: int) -> str:
    if i < 10:
        return _NUMERALS[i]
    tens, ones = divmod(i + 1, 10)
    return ("" if tens == 1 else _NUMERALS[tens - 1]) + "十" + (_NUMERALS[ones - 1] if ones else "")


class _Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.header = book.add_format(
            {"bold": True, "border": 1, "align": "center", "valign": "vcenter", "text_wrap": True}
        )
        self.cell = book.add_format({"border": 1})
        self.section = book.add_format({"bold": True, "border": 1})
        self._numbers: dict[int, object] = {}

    def number(self, decimals: int):
        if decimals not in self._numbers:
            pattern = "0" if decimals <= 0 else "0." + "0" * decimals
            self._numbers[decimals] = self.book.add_format({"border": 1, "num_format": pattern})
        return self._numbers[decimals]


def _put(ws, row: int, col: int, value: float | None, fmt: _Formats, decimals: int) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt.cell)
    else:
        ws.write_number(row, col, value, fmt.number(decimals))


def _long(
    book,
    fmt: _Formats,
    indicators: list[IndicatorInfo],
    districts: list[District],
    years: tuple[int, ...],
    values: Values,
) -> None:
    ws = book.add_worksheet(SAMPLE)
    ws.write_row(0, 0, LONG_HEADER, fmt.header)
    ws.freeze_panes(1, 0)
    r = 1
    for ind in indicators:
        for d in districts:
            for y in years:
                ws.write_string(r, 0, ind.code, fmt.cell)
                ws.write_string(r, 1, ind.name, fmt.cell)
                ws.write_string(r, 2, d.code, fmt.cell)  # a code is an identifier: keep it text
                ws.write_string(r, 3, d.name, fmt.cell)
                ws.write_number(r, 4, y, fmt.cell)
                _put(ws, r, 5, values.get((ind.code, d.code, y, TOTAL)), fmt, ind.decimals)
                ws.write_string(r, 6, ind.unit, fmt.cell)
                ws.write_string(r, 7, SAMPLE, fmt.cell)
                r += 1
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 36)
    ws.set_column(2, 7, 11)


def _wide_by_district(
    book,
    fmt: _Formats,
    unit_name: str,
    indicators: list[IndicatorInfo],
    districts: list[District],
    years: tuple[int, ...],
    values: Values,
) -> None:
    width = 3 + len(districts)
    domains: list[str] = []
    for ind in indicators:
        if ind.domain not in domains:
            domains.append(ind.domain)
    for y in years:
        ws = book.add_worksheet(f"{y}年")
        ws.merge_range(
            0, 0, 0, width - 1, f"{SAMPLE} ｜ {unit_name}妇女儿童发展规划监测指标数据填报表（{y}年度）", fmt.title
        )
        ws.merge_range(1, 0, 1, width - 1, f"填报单位（盖章）：{unit_name}　　统计年度：{y}年")
        ws.write_row(2, 0, ["序号", "指标名称", "计量单位", *[d.name for d in districts]], fmt.header)
        ws.write_row(3, 0, ["甲", "乙", "丙", *range(1, len(districts) + 1)], fmt.header)
        r, seq = 4, 0
        for i, domain in enumerate(domains):
            ws.write_blank(r, 0, None, fmt.cell)
            ws.write_string(r, 1, f"{_section_label(i)}、{domain}", fmt.section)
            r += 1
            for ind in (x for x in indicators if x.domain == domain):
                seq += 1
                lines: list[tuple[str, int | None, str]] = [(TOTAL, seq, ind.name)]
                lines += [
                    (b, None, ("其中：" if j == 0 else "") + b)
                    for j, b in enumerate(b for b in (URBAN, RURAL) if b in ind.breakdowns)
                ]
                for breakdown, number, label in lines:
                    ws.write(r, 0, number, fmt.cell)  # typed as a number, as people do
                    ws.write_string(r, 1, label, fmt.cell)
                    ws.write_string(r, 2, ind.unit, fmt.cell)
                    for c, d in enumerate(districts):
                        _put(ws, r, 3 + c, values.get((ind.code, d.code, y, breakdown)), fmt, ind.decimals)
                    r += 1
        ws.merge_range(
            r + 1,
            0,
            r + 1,
            width - 1,
            f"单位负责人：示例　　统计负责人：示例　　填表人：示例　　报出日期：{y + 1}年3月31日",
        )
        ws.set_column(0, 0, 6)
        ws.set_column(1, 1, 36)
        ws.set_column(2, 2, 10)
        ws.set_column(3, width - 1, 9)
        ws.freeze_panes(4, 3)


def _wide_by_year(
    book,
    fmt: _Formats,
    unit_name: str,
    indicators: list[IndicatorInfo],
    districts: list[District],
    years: tuple[int, ...],
    values: Values,
) -> None:
    width = 2 + len(years)
    for d in districts:
        ws = book.add_worksheet(d.name[:31])
        ws.merge_range(
            0,
            0,
            0,
            width - 1,
            f"{SAMPLE} ｜ {unit_name}妇女儿童发展规划监测指标数据（{years[0]}—{years[-1]}年）",
            fmt.title,
        )
        ws.write_string(1, 0, f"地区：{d.name}")
        ws.write_row(2, 0, ["指标名称", "计量单位", *[f"{y}年" for y in years]], fmt.header)
        r = 3
        for ind in indicators:
            lines = [(TOTAL, ind.name)]
            lines += [
                (b, ("其中：" if j == 0 else "") + b)
                for j, b in enumerate(b for b in (URBAN, RURAL) if b in ind.breakdowns)
            ]
            for breakdown, label in lines:
                ws.write_string(r, 0, label, fmt.cell)
                ws.write_string(r, 1, ind.unit, fmt.cell)
                for c, y in enumerate(years):
                    _put(ws, r, 2 + c, values.get((ind.code, d.code, y, breakdown)), fmt, ind.decimals)
                r += 1
        ws.set_column(0, 0, 40)
        ws.set_column(1, width - 1, 10)
        ws.freeze_panes(3, 1)


def write_return(
    path: Path,
    unit_name: str,
    layout: str,
    indicators: list[IndicatorInfo],
    districts: list[District],
    years: tuple[int, ...],
    values: Values,
    created: datetime,
) -> Path:
    """One xlsx return for one unit; byte-stable for the same inputs and `created`."""
    book = xlsxwriter.Workbook(str(path))
    book.set_properties(
        {
            "title": f"{SAMPLE}：{unit_name}妇女儿童发展规划监测指标数据",
            "author": SAMPLE,
            "comments": "示例数据，非真实统计数据",
            "created": created,
        }
    )
    fmt = _Formats(book)
    if layout == "long":
        _long(book, fmt, indicators, districts, years, values)
    elif layout == "wide_by_district":
        _wide_by_district(book, fmt, unit_name, indicators, districts, years, values)
    elif layout == "wide_by_year":
        _wide_by_year(book, fmt, unit_name, indicators, districts, years, values)
    else:
        raise ValueError(f"未知的报表版式：{layout}")
    book.close()
    return path
