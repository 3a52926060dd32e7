"""Builders that write small member-unit returns (指标数据填报表) into a test's tmp_path.

Each builder reproduces one real-world layout or decoration, with the trap that a naive
reader falls into (a title row that looks like data, a merged year cell whose text is only in
its first column, a 2021—2030 plan period in the title …). Nothing binary is committed:
every file is written here with xlsxwriter, xlwt or the csv module.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
import xlwt

from etl.returns.readers import Grid

Cell = object  # str, int, float or None (empty)
Row = list[Cell]


@dataclass
class SheetSpec:
    """Rows of one sheet, written from cell (start_row, start_col), 0-based."""

    rows: list[Row]
    start_row: int = 0
    start_col: int = 0
    # (first_row, first_col, last_row, last_col), 0-based absolute; the text is whatever the
    # rows hold in the first cell, the other cells of the range must be None in `rows`.
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: bool = False


def write_xlsx(path: Path, sheets: dict[str, SheetSpec]) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    for name, spec in sheets.items():
        ws = wb.add_worksheet(name)
        merged_first = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in spec.merges}
        for r, row in enumerate(spec.rows):
            for c, value in enumerate(row):
                rr, cc = spec.start_row + r, spec.start_col + c
                if (rr, cc) in merged_first:
                    r1, c1 = merged_first[(rr, cc)]
                    ws.merge_range(rr, cc, r1, c1, value if value is not None else "")
                elif value is not None:
                    ws.write(rr, cc, value)
        if spec.hidden:
            ws.hide()
    wb.close()
    return path


def write_xls(path: Path, sheets: dict[str, SheetSpec]) -> Path:
    wb = xlwt.Workbook(encoding="utf-8")
    for name, spec in sheets.items():
        ws = wb.add_sheet(name)
        merged_first = {(r0, c0): (r1, c1) for r0, c0, r1, c1 in spec.merges}
        for r, row in enumerate(spec.rows):
            for c, value in enumerate(row):
                rr, cc = spec.start_row + r, spec.start_col + c
                if (rr, cc) in merged_first:
                    r1, c1 = merged_first[(rr, cc)]
                    ws.write_merge(rr, r1, cc, c1, value if value is not None else "")
                elif value is not None:
                    ws.write(rr, cc, value)
        if spec.hidden:
            ws.visibility = 1
    wb.save(str(path))
    return path


def write_rows(path: Path, sheets: dict[str, SheetSpec]) -> Path:
    """Write by suffix: .xlsx → xlsxwriter, .xls → xlwt."""
    if path.suffix == ".xls":
        return write_xls(path, sheets)
    return write_xlsx(path, sheets)


# --- 1. long template --------------------------------------------------------------------

LONG_HEADER: Row = ["指标代码", "指标名称", "地区代码", "地区名称", "年份", "数值", "计量单位", "备注"]
LONG_ROWS: list[Row] = [
    ["W-HEALTH-01", "孕产妇死亡率", "370303", "张店区", 2024, 8.5, "1/10万", None],
    ["W-HEALTH-02", "宫颈癌筛查率", "370303", "张店区", 2024, 95.2, "%", "含农村"],
    [None, "妇女平均预期寿命", None, "淄川区", "2024年", "—", "岁", None],
    ["W-EDU-01", "女性高中毛入学率", "370302", "淄川区", 2024, None, "%", "未填"],
    ["W-EDU-02", "女性专业技术人员", "370302", "淄川区", 2024, "1,234", "人", None],
]


def long_template(tmp_path: Path, suffix: str = ".xlsx") -> Path:
    """Header in row 1; codes beside names; one empty value (row 5) must give nothing."""
    path = tmp_path / f"long{suffix}"
    return write_rows(path, {"Sheet1": SheetSpec([LONG_HEADER, *LONG_ROWS])})


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def long_csv(tmp_path: Path, encoding: str = "utf-8-sig", delimiter: str = ",") -> Path:
    """The long template as CSV: UTF-8 with/without BOM or GB18030; , ; or tab.

    "1,234" is quoted by the csv writer when the delimiter is a comma: a naive split on
    commas would shift every later column of that row.
    """
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for row in [LONG_HEADER, *LONG_ROWS]:
        writer.writerow(["" if v is None else v for v in row])
    path = tmp_path / f"long_{encoding.replace('-', '')}_{_DELIMITER_NAMES[delimiter]}.csv"
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def long_vertical_merges(tmp_path: Path) -> Path:
    """Indicator merged over its district rows, district merged over its years: the text of
    a merged cell is only in the first row, the rows below look empty."""
    rows: list[Row] = [
        ["指标名称", "地区", "年份", "数值"],
        ["孕产妇死亡率", "张店区", 2023, 9.0],
        [None, None, 2024, 8.5],
        [None, "淄川区", 2023, 10.1],
        [None, None, 2024, 9.8],
        ["婴儿死亡率", "张店区", 2024, 2.1],
    ]
    merges = [(1, 0, 4, 0), (1, 1, 2, 1), (3, 1, 4, 1)]
    return write_xlsx(tmp_path / "long_merged.xlsx", {"数据": SheetSpec(rows, merges=merges)})


def long_breakdown_column(tmp_path: Path) -> Path:
    """A long table with a 城乡 column: the breakdown is a column, 合计 means no breakdown."""
    rows: list[Row] = [
        ["指标名称", "地区名称", "年份", "城乡", "数值"],
        ["孕产妇死亡率", "张店区", 2024, "城镇", 7.0],
        ["孕产妇死亡率", "张店区", 2024, "农村", 10.2],
        ["孕产妇死亡率", "张店区", 2024, "合计", 8.5],
    ]
    return write_xlsx(tmp_path / "long_breakdown.xlsx", {"Sheet1": SheetSpec(rows)})


# --- 2. decorations around a statistical form (wide by district) --------------------------


def decorated_form(tmp_path: Path) -> Path:
    """A 统计报表 with everything offices put around the table, starting at column B.

    Traps: 批准文号 〔2023〕 and 有效期至 2026年 and 报出日期 2025年 and the plan period
    2021—2030年 are all years that are NOT the report year (统计年度：2024); the 甲/乙/1/2 row
    looks like data; 全市 is the whole city's own figure (read as region 全市); section rows
    have a 序号 but no values; a note row sits in the indicator column with text under a
    district.
    """
    rows: list[Row] = [
        ["表    号：FE-01", None, None, "制表机关：淄博市妇儿工委办"],
        ["批准文号：淄妇儿〔2023〕3号", None, None, "有效期至：2026年12月"],
        ["张店区妇女发展规划（2021—2030年）监测指标统计表"],
        ["填报单位（盖章）：张店区卫生健康局", None, None, "统计年度：2024"],
        [],
        ["序号", "指标名称", "计量单位", "张店区", "淄川区", "全市", None, "备注"],
        ["甲", "乙", "丙", 1, 2, 3, None, "丁"],
        ["一", "健康", None, None, None, None],  # a section only by its 序号 "一"
        [1, "孕产妇死亡率", "1/10万", 8.5, 9.1, 8.8],
        [2, "宫颈癌筛查率", "%", 95.2, "—", 94, None, "淄川区数据暂缺"],
        [],
        [None, "（二）妇女与教育"],
        [3, "女性高中毛入学率", "%", 98, None, 97],
        [None, "妇女与经济"],
        [4, "女性就业人员占比", "%", 45.1, 44.8, 45],
        ["注：1. 本表由卫健委填报；2. 全市数据由市统计局提供。"],
        # A note typed in the indicator column with a remark under 张店区: not an indicator.
        [None, "说明：张店区为快报数。", None, "（快报）"],
        ["单位负责人：张三", None, "统计负责人：李四", None, "填表人：王五"],
        ["报出日期：2025年3月5日", None, "联系电话：0533-1234567"],
    ]
    return write_xlsx(tmp_path / "decorated.xlsx", {"妇女发展": SheetSpec(rows, start_row=0, start_col=1)})


# --- 3. wide by year (indicators × years, one district) -----------------------------------


def wide_by_year(tmp_path: Path, region_in: str = "title") -> Path:
    """Years as "２０２０年" (full-width), "2021年" and the number 2022; a "2025年目标值"
    column that carries a year but is not a reported value. region_in: "title" | "column" |
    "none"."""
    title: list[Row] = [["张店区妇女发展规划指标监测表"]]
    if region_in == "title":
        title.append(["地区：张店区", None, "计量单位：%"])
    else:
        title.append(["计量单位：%"])
    header: Row = ["指 标 名 称", "２０２０年", "2021年", 2022, "2025年目标值", "备注"]
    data: list[Row] = [
        ["宫颈癌筛查率", 90.1, 92.3, 95.2, 95, None],
        ["乳腺癌筛查率", 88, "/", "暂无数据", 90, "2021年未统计"],
    ]
    merges: list[tuple[int, int, int, int]] = []
    if region_in == "column":
        header = ["地区", *header]
        data = [["张店区", *data[0]], [None, *data[1]]]
        merges = [(3, 0, 4, 0)]
    rows = [*title, [], header, *data]
    return write_xlsx(tmp_path / f"wide_year_{region_in}.xlsx", {"张店区": SheetSpec(rows, merges=merges)})


# --- 4. wide by district (indicators × districts, one year) -------------------------------


def wide_by_district(tmp_path: Path, year_in: str = "title") -> Path:
    """Districts as columns, then 全市 (the city's own figure) and 比上年增减 (not a value).

    year_in: "title" → "（2024年）" in the title next to the plan period 2021—2030年;
    "column" → a 年份 column; "none" → only the plan period, which is not a year.
    """
    if year_in == "title":
        title = "淄博市妇女发展规划（2021—2030年）监测指标（2024年）"
    else:
        title = "淄博市妇女发展规划（2021—2030年）监测指标"
    header: Row = ["指标名称", "计量单位", "张店区", "淄川区", "博山区", "全市", "比上年增减", "备注"]
    data: list[Row] = [
        ["孕产妇死亡率", "1/10万", 8.5, 9.1, 10.0, 9.2, "-0.4", None],
        ["宫颈癌筛查率", "%", 95.2, "-", 93.1, 94.0, "+1.1", "淄川区未报"],
    ]
    if year_in == "column":
        header.insert(1, "年份")
        data = [[r[0], "2024年", *r[1:]] for r in data]
    rows: list[Row] = [[title], header, *data]
    return write_xlsx(tmp_path / f"wide_district_{year_in}.xlsx", {"2024": SheetSpec(rows)})


# --- 5. two-level headers -----------------------------------------------------------------


def two_level_years(tmp_path: Path) -> Path:
    """Years merged over 城镇 | 农村 | 合计; 指标名称 and 计量单位 merged down two rows.

    calamine gives "2023年" only in C3 and "2024年" only in F3: without carrying the text
    right across the merged span, D/E and G/H would have no year.
    """
    rows: list[Row] = [
        ["地区：淄川区"],
        [],
        ["指标名称", "计量单位", "2023年", None, None, "2024年", None, None],
        [None, None, "城镇", "农村", "合计", "城镇", "农村", "合计"],
        ["孕产妇死亡率", "1/10万", 8.0, 11.0, 9.5, 7.5, 10.5, 9.0],
        ["住院分娩率", "%", 99.9, 99.5, 99.7, 100, 99.8, None],
    ]
    merges = [(2, 0, 3, 0), (2, 1, 3, 1), (2, 2, 2, 4), (2, 5, 2, 7)]
    return write_xlsx(tmp_path / "two_level_years.xlsx", {"城乡": SheetSpec(rows, merges=merges)})


def two_level_districts(tmp_path: Path, suffix: str = ".xls") -> Path:
    """Districts merged over 女 | 男 | 合计, with 指标名称 in the LOWER header row (the
    upper row has only the districts); 全市 at the right is the city's own figure. Written as .xls
    by default, the format many offices still use."""
    rows: list[Row] = [
        ["统计年度：2024"],
        [None, None, "张店区", None, None, "淄川区", None, None, "全市", None, None],
        ["指标名称", "计量单位", "女", "男", "合计", "女", "男", "合计", "女", "男", "合计"],
        ["高中阶段毛入学率", "%", 98.1, 97.5, 97.8, 96.0, 95.2, 95.6, 97.0, 96.3, 96.6],
    ]
    merges = [(1, 2, 1, 4), (1, 5, 1, 7), (1, 8, 1, 10)]
    return write_rows(tmp_path / f"two_level_districts{suffix}", {"性别": SheetSpec(rows, merges=merges)})


def breakdown_columns(tmp_path: Path) -> Path:
    """One district and year in the title, columns 城镇 | 农村 | 合计 only."""
    rows: list[Row] = [
        ["地区：博山区", None, "统计年度：2024"],
        ["指标名称", "城镇", "农村", "合计"],
        ["孕产妇死亡率", 8.0, 12.0, 9.6],
    ]
    return write_xlsx(tmp_path / "breakdown_columns.xlsx", {"Sheet1": SheetSpec(rows)})


# --- 6. breakdown rows --------------------------------------------------------------------


def breakdown_rows(tmp_path: Path) -> Path:
    """其中：城镇 / indented 农村 / 其中：女 / 男 rows under their indicator; one indicator
    has no total of its own; a breakdown row right after a section title has no indicator."""
    rows: list[Row] = [
        ["2024年度妇女儿童发展指标统计表"],
        ["指标名称", "计量单位", "张店区", "淄川区"],
        ["孕产妇死亡率", "1/10万", 8.5, 9.1],
        ["其中：城镇", None, 7.0, 8.0],
        ["    农村", None, 10.2, 11.0],
        ["九年义务教育巩固率", "%"],
        ["其中：女", None, 99.1, 98.9],
        ["　　男", None, 99.0, 98.7],
        ["二、儿童与教育"],
        ["其中：城镇", None, 1, 2],
    ]
    return write_xlsx(tmp_path / "breakdown_rows.xlsx", {"Sheet1": SheetSpec(rows)})


def breakdown_column_merged(tmp_path: Path) -> Path:
    """Wide by year with a 类别 column; the indicator is merged down over its 城镇/农村 rows."""
    rows: list[Row] = [
        ["区县：周村区"],
        ["指标名称", "类别", "2023年", "2024年"],
        ["孕产妇死亡率", "合计", 9.0, 8.5],
        [None, "城镇", 8.0, 7.5],
        [None, "农村", 10.0, 9.5],
    ]
    return write_xlsx(tmp_path / "breakdown_column.xlsx", {"Sheet1": SheetSpec(rows, merges=[(2, 0, 4, 0)])})


# --- 7. several sheets --------------------------------------------------------------------

INSTRUCTIONS: list[Row] = [
    ["填报说明"],
    ["1. 请按指标名称填写数值，不要修改表头。"],
    ["2. 数据暂缺的请填“—”。"],
    ["指标名称", "请填写指标的规范名称，与指标目录一致。"],
]


def multi_sheet(tmp_path: Path) -> Path:
    """填报说明 first (no table), a long sheet, a wide-by-year sheet, a hidden sheet holding an
    old copy that must not be loaded, and an empty sheet."""
    long_rows: list[Row] = [LONG_HEADER, LONG_ROWS[0]]
    year_rows: list[Row] = [["地区：张店区"], ["指标名称", "2023年", "2024年"], ["儿童之家覆盖率", 90, 95]]
    old_rows: list[Row] = [LONG_HEADER, ["W-HEALTH-01", "孕产妇死亡率", "370303", "张店区", 2024, 99]]
    return write_xlsx(
        tmp_path / "multi.xlsx",
        {
            "填报说明": SheetSpec(INSTRUCTIONS),
            "妇女": SheetSpec(long_rows),
            "儿童": SheetSpec(year_rows),
            "旧数据": SheetSpec(old_rows, hidden=True),
            "空表": SheetSpec([]),
        },
    )


def instructions_only(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "instructions.xlsx", {"填报说明": SheetSpec(INSTRUCTIONS)})


# --- 8. reader-level fixtures -------------------------------------------------------------


def numbers_sheet(tmp_path: Path, suffix: str = ".xlsx") -> Path:
    """Numbers as Excel stores them (floats), starting at C3 so positions must be kept."""
    rows: list[Row] = [
        ["年份", "整数", "小数", "计算误差", "文本数字", "大数"],
        [2024, 12, 95.2, 95.19999999999999, "2024.0", 1234567.5],
        ["  空格 ", "０５", None, 0.1 + 0.2, "—", None],
    ]
    return write_rows(tmp_path / f"numbers{suffix}", {"数": SheetSpec(rows, start_row=2, start_col=2)})


def formulas_xlsx(tmp_path: Path) -> Path:
    """Formulas with cached results (what Excel shows) and an error result."""
    path = tmp_path / "formulas.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("公式")
    ws.write_row(0, 0, ["a", "b", "和", "比"])
    ws.write_row(1, 0, [1.5, 2])
    ws.write_formula(1, 2, "=A2+B2", None, 3.5)
    ws.write_formula(1, 3, "=A2/0", None, "#DIV/0!")
    wb.close()
    return path


def hidden_and_empty(tmp_path: Path) -> Path:
    return write_xlsx(
        tmp_path / "hidden.xlsx",
        {
            "可见": SheetSpec([["指标名称", "数值"], ["x", 1]]),
            "隐藏": SheetSpec([["secret"]], hidden=True),
            "空": SheetSpec([]),
        },
    )


def only_hidden(tmp_path: Path) -> Path:
    return write_xlsx(
        tmp_path / "only_hidden.xlsx",
        {
            "空": SheetSpec([]),
            "隐藏": SheetSpec([["指标名称", "数值"], ["x", 1]], hidden=True),
        },
    )


def big_csv(tmp_path: Path, n_rows: int = 5000) -> Path:
    lines = [",".join(LONG_HEADER[:6])]
    for i in range(n_rows):
        lines.append(f"W-{i:05d},指标{i},370303,张店区,2024,{i * 0.1:.1f}")
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def bad_files(tmp_path: Path) -> dict[str, Path]:
    """Files that are not tables at all, keyed by what is wrong with them."""
    files = {
        "zero_byte": (tmp_path / "empty.xlsx", b""),
        "zero_byte_csv": (tmp_path / "empty.csv", b""),
        "text_as_xlsx": (tmp_path / "notes.xlsx", "这是一个文本文件，不是表格。\n".encode()),
        "image_as_xlsx": (tmp_path / "photo.xlsx", PNG_BYTES),
        "image_as_csv": (tmp_path / "photo.csv", PNG_BYTES),
        "unsupported": (tmp_path / "data.json", "指标名称,数值\nx,1\n".encode()),
        "not_a_workbook_zip": (tmp_path / "archive.xlsx", _zip_with("readme.txt", "hi")),
        "utf16_csv": (tmp_path / "utf16.csv", "指标名称\t数值\n".encode("utf-16")),
        # 0x80 is neither valid UTF-8 nor a GB18030 lead byte.
        "bad_encoding_csv": (tmp_path / "bad_bytes.csv", b"a,\x80\xff\n"),
    }
    for path, data in files.values():
        path.write_bytes(data)
    return {k: p for k, (p, _) in files.items()}


def _zip_with(name: str, text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, text)
    return buf.getvalue()


def truncated_xlsx(tmp_path: Path) -> Path:
    """A real workbook cut off half-way (an interrupted download)."""
    good = long_template(tmp_path)
    path = tmp_path / "truncated.xlsx"
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def xlsx_named_csv(tmp_path: Path) -> Path:
    """A workbook saved with a .csv name: its content decides, it is read as a workbook."""
    good = long_template(tmp_path)
    path = tmp_path / "really_xlsx.csv"
    path.write_bytes(good.read_bytes())
    return path


def grid(rows: list[list[str]], sheet: str = "S", first_row: int = 1) -> Grid:
    """An in-memory grid (rows numbered from first_row) for rule tests that need no file."""
    width = max((len(r) for r in rows), default=0)
    return Grid(
        "t.xlsx", sheet, tuple((first_row + i, tuple(r) + ("",) * (width - len(r))) for i, r in enumerate(rows))
    )
