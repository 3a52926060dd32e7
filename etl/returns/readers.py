"""Turn a return file (xlsx / xlsm / xls / csv) into sheets of raw text grids.

This module only gets cell texts out of files; it knows nothing of headers or indicators
(that is `etl.returns.header` and `etl.returns.layouts`). Every cell comes back as the text a person sees in
Excel, with its real row number and column position, so later stages can point at it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import fastexcel
import polars as pl

from etl.core.records import UnreadableFile
from etl.returns.frames import filled

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
CSV_SUFFIXES = (".csv", ".txt")  # .txt: Excel's "Unicode 文本" and "文本文件（制表符分隔）" exports
SUPPORTED = "、".join(EXCEL_SUFFIXES + CSV_SUFFIXES)

# Magic numbers: decide by content, not by name, because offices rename files freely
# (an .xls saved as .xlsx still opens in Excel, so it must open here too).
_ZIP_MAGIC = b"PK\x03\x04"  # xlsx / xlsm
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # xls (and password-protected xlsx)

# calamine reports formula errors as cell errors, not values; give them back as Excel shows
# them so a "#DIV/0!" in a value cell reaches validation instead of silently vanishing.
_EXCEL_ERRORS = {
    "Div0": "#DIV/0!",
    "NA": "#N/A",
    "Name": "#NAME?",
    "Null": "#NULL!",
    "Num": "#NUM!",
    "Ref": "#REF!",
    "Value": "#VALUE!",
    "GettingData": "#GETTING_DATA",
}
_ERROR_DETAIL = re.compile(r"Error\((\w+)\)")

_CSV_DELIMITERS = (",", "\t", ";")
_SNIFF_LINES = 50
# Excel's "Unicode 文本" export: UTF-16 LE with a byte-order mark, tab-separated.
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Past this many fields in a line, a CSV is split into lists (costing only the filled cells)
# rather than one column per field: a hostile line of a million commas must not become a
# million columns for every row.
_WIDE = 512
_LINE_ONLY = "\x1f"  # a separator for reading a CSV's whole lines: the unit separator, absent from text
# No return has anywhere near this many cells; a file that does is refused before it is
# turned into Python objects, so one upload cannot take the server's memory.
MAX_CELLS = 2_000_000


class Grid:
    """One sheet as text: only rows that hold something, each padded to the same width.

    `rows` holds (1-based row number as Excel shows it, cell texts from column A). Empty
    cells are "". Texts are kept exactly as written (no stripping, no normalisation).

    A grid read from a file keeps its cells as a polars frame (`frame`: the row number in
    "row", then one String column per sheet column, "c0" for A); `rows` turns only the rows
    asked for into Python tuples, so finding the header of a 200,000-row return costs a few
    rows, not the whole sheet. A grid built from `rows` gets its frame on first use.
    """

    __slots__ = ("_frame", "_rows", "file", "sheet")

    def __init__(
        self,
        file: str,
        sheet: str,
        rows: Sequence[tuple[int, tuple[str, ...]]] | None = None,
        *,
        frame: pl.DataFrame | None = None,
    ) -> None:
        self.file = file  # file name, for messages
        self.sheet = sheet
        self._rows = tuple(rows) if rows is not None else None
        self._frame = frame

    @property
    def rows(self) -> Sequence[tuple[int, tuple[str, ...]]]:
        if self._rows is None:
            return _FrameRows(self.frame)
        return self._rows

    @property
    def frame(self) -> pl.DataFrame:
        if self._frame is None:
            rows = self._rows or ()
            width = len(rows[0][1]) if rows else 0
            self._frame = pl.DataFrame(
                {
                    "row": pl.Series([n for n, _ in rows], dtype=pl.Int64),
                    **{cell_column(i): pl.Series([c[i] for _, c in rows], dtype=pl.String) for i in range(width)},
                }
            )
        return self._frame

    @property
    def width(self) -> int:
        return self.frame.width - 1 if self._rows is None else (len(self._rows[0][1]) if self._rows else 0)

    def __len__(self) -> int:
        return self.frame.height if self._rows is None else len(self._rows)


class _FrameRows(Sequence):
    """A grid frame's rows as (row number, cell tuple), made only for the rows asked for."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __len__(self) -> int:
        return self._frame.height

    def __getitem__(self, index):  # noqa: ANN001, ANN204 - int or slice, as a tuple does
        if isinstance(index, slice):
            start, stop, step = index.indices(self._frame.height)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return [(r[0], tuple(r[1:])) for r in self._frame.slice(start, max(0, stop - start)).iter_rows()]
        if index < 0:
            index += self._frame.height
        if not 0 <= index < self._frame.height:
            raise IndexError(index)
        r = self._frame.row(index)
        return (r[0], tuple(r[1:]))

    def __iter__(self) -> Iterator[tuple[int, tuple[str, ...]]]:
        for r in self._frame.iter_rows():
            yield (r[0], tuple(r[1:]))


def cell_column(index: int) -> str:
    """The grid frame's column for sheet column `index` (0 → "c0", column A)."""
    return f"c{index}"


@dataclass(frozen=True)
class SkippedSheet:
    """A sheet that was not read at all, and why (Chinese, for an info finding)."""

    sheet: str
    reason: str


@dataclass(frozen=True)
class Workbook:
    grids: tuple[Grid, ...]
    skipped: tuple[SkippedSheet, ...] = ()


def column_letter(index: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA" (Excel's column names)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def read_workbook(path: Path) -> Workbook:
    """Visible, non-empty sheets of a return as text grids, and which sheets were skipped
    (hidden or empty); raises UnreadableFile."""
    path = Path(path)
    name = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"无法打开文件“{name}”：{exc.strerror or exc}") from exc
    if not data or data.isspace():  # (`data.strip()` would copy a whole file that ends in a line break)
        raise UnreadableFile(f"文件“{name}”是空文件（{len(data)} 字节），没有可读取的内容。")

    suffix = path.suffix.lower()
    is_excel_bytes = data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC)
    if suffix in EXCEL_SUFFIXES:
        if not is_excel_bytes:
            raise UnreadableFile(
                f"文件“{name}”的扩展名是 {path.suffix}，但内容不是 Excel 工作簿"
                f"（{_describe_content(data)}）。请用 Excel 打开后另存为 .xlsx 再上传。"
            )
        workbook = _read_excel(data, name)
    elif suffix in CSV_SUFFIXES:
        # A workbook saved under a .csv name: its content is unambiguous, so read it as one.
        workbook = _read_excel(data, name) if is_excel_bytes else _read_csv(data, path)
    else:
        raise UnreadableFile(f"文件“{name}”的类型 {path.suffix or '（无扩展名）'} 不受支持，请上传 {SUPPORTED} 文件。")

    if not workbook.grids:
        why = "；".join(f"“{s.sheet}”{s.reason}" for s in workbook.skipped) or "没有工作表"
        raise UnreadableFile(f"文件“{name}”中没有含数据的可见工作表（{why}）。")
    return workbook


def _describe_content(data: bytes) -> str:
    """A short Chinese guess at what a mis-named file really is, for the error message."""
    head = data[:16]
    if head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8\xff") or head[:4] == b"GIF8":
        return "看起来是图片"
    if head.startswith(b"%PDF"):
        return "看起来是 PDF 文档"
    if b"\x00" not in data[:4096]:
        return "看起来是文本文件"
    return "无法识别的二进制内容"


# --- Excel -------------------------------------------------------------------------------


def _read_excel(data: bytes, name: str) -> Workbook:
    try:
        reader = fastexcel.read_excel(data)
        sheet_names = reader.sheet_names
    except fastexcel.FastExcelError as exc:
        raise UnreadableFile(
            f"无法读取 Excel 文件“{name}”：文件可能已损坏、设置了打开密码或不是工作簿（{_first_line(exc)}）。"
        ) from exc

    grids: list[Grid] = []
    skipped: list[SkippedSheet] = []
    total_cells = 0
    for sheet_name in sheet_names:
        try:
            # header_row=None + skip_rows=0: no header, and keep leading empty rows so row
            # numbers stay those Excel shows. dtypes="string" makes fastexcel render numbers
            # the way Excel's General format does (2024, not 2024.0; 95.2, not 95.19999…).
            sheet = reader.load_sheet(sheet_name, header_row=None, skip_rows=0, dtypes="string")
            if sheet.visible != "visible":
                skipped.append(SkippedSheet(sheet_name, "是隐藏工作表，未读取"))
                continue
            batch, errors = sheet.to_arrow_with_errors()
            # The loaded range starts at the first used column; absolute_index puts each
            # column back where Excel shows it.
            absolute = [c.absolute_index for c in sheet.selected_columns]
        except fastexcel.FastExcelError as exc:
            raise UnreadableFile(f"无法读取文件“{name}”的工作表“{sheet_name}”：{_first_line(exc)}") from exc

        columns = [_as_text(col, batch.num_rows) for col in batch.columns]
        patches: dict[int, tuple[list[int], list[str]]] = {}
        for err in errors.errors if errors else ():
            row, col = err.position
            match = _ERROR_DETAIL.search(err.detail)
            if match and col < len(columns) and row < batch.num_rows:
                at, texts = patches.setdefault(col, ([], []))
                at.append(row)
                texts.append(_EXCEL_ERRORS.get(match.group(1), f"#{match.group(1)}"))
        for col, (at, texts) in patches.items():
            columns[col] = columns[col].scatter(at, texts)
        width = (max(absolute) + 1) if absolute else 0
        total_cells += batch.num_rows * width
        if total_cells > MAX_CELLS:
            raise UnreadableFile(_too_many_cells(name, total_cells))
        by_index = dict(zip(absolute, columns, strict=True))
        frame = pl.DataFrame(
            [
                pl.Series("row", range(1, batch.num_rows + 1), dtype=pl.Int64),
                *(
                    by_index[i].fill_null("").alias(cell_column(i))
                    if i in by_index
                    else pl.repeat("", batch.num_rows, dtype=pl.String, eager=True).alias(cell_column(i))
                    for i in range(width)
                ),
            ]
        )
        grid = Grid(name, sheet_name, frame=_compact(frame))
        if len(grid):
            grids.append(grid)
        else:
            skipped.append(SkippedSheet(sheet_name, "是空工作表"))
    return Workbook(tuple(grids), tuple(skipped))


def _as_text(column: object, n: int) -> pl.Series:
    """A fastexcel column as a String series (an all-empty column comes as type null)."""
    series = pl.Series(column)
    if series.dtype != pl.String:
        series = series.cast(pl.String) if series.len() == n else pl.Series([None] * n, dtype=pl.String)
    return series


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


# --- CSV ---------------------------------------------------------------------------------


def _read_csv(data: bytes, path: Path) -> Workbook:
    name = path.name
    utf8: bytes | None = None  # the text as UTF-8 bytes, when the file already is that
    if data.startswith(_UTF16_BOMS):
        text = _decode_utf16(data, name)
    elif b"\x00" in data:
        raise UnreadableFile(f"文件“{name}”不是文本表格（{_describe_content(data)}），无法按 CSV 读取。")
    else:
        frame = _split_plain_utf8(data.removeprefix(codecs.BOM_UTF8), name)
        if frame is not None:
            return _csv_workbook(frame, path)
        text, is_utf8 = _decode(data, name)
        if is_utf8:
            utf8 = data.removeprefix(codecs.BOM_UTF8)
    delimiter = _sniff_delimiter(_head_lines(text, _SNIFF_LINES))
    frame = _split_plain(text, utf8, delimiter, name)
    if frame is None:
        rows = _csv_rows(text, delimiter, name)
        frame = _cells_frame(
            pl.Series([n for n, _ in rows], dtype=pl.Int64), pl.Series([r for _, r in rows], dtype=pl.List(pl.String))
        )
    return _csv_workbook(frame, path)


def _csv_workbook(frame: pl.DataFrame, path: Path) -> Workbook:
    # Excel names the single sheet of a CSV after the file; do the same so messages match.
    grid = Grid(path.name, path.stem, frame=frame)
    if not len(grid):
        return Workbook((), (SkippedSheet(path.stem, "没有任何内容"),))
    return Workbook((grid,))


def _split_plain(text: str, utf8: bytes | None, delimiter: str, name: str) -> pl.DataFrame | None:
    """The grid frame of a CSV without quotes, split by polars; None when the csv module must
    read it (quotes, a lone carriage return, or a line long enough to hold an oversized cell).

    Without quotes a CSV record is one line and its cells are the text between delimiters,
    exactly what the csv module gives, so only the splitting is faster. `utf8` is the text's
    UTF-8 bytes when the file holds them (else the text is encoded).
    """
    if '"' in text or text.count("\r") != text.count("\r\n") or _LINE_ONLY in text or "\x00" in text:
        return None
    return _split_lines(utf8 if utf8 is not None else text.encode("utf-8"), delimiter, name)


def _split_plain_utf8(body: bytes, name: str) -> pl.DataFrame | None:
    """`_split_plain` straight from a file's bytes (without its BOM), for the usual return: UTF-8
    without quotes. None when it is not that; the caller then decodes the text and reads it the
    general way, which also names what is wrong.

    Decoding a large file into a Python string only to look for quotes costs more than the
    split itself. In UTF-8 every ASCII byte is that character and never part of another, so the
    same tests run on the bytes; polars checks that the bytes are UTF-8 as it splits the lines
    (Python's decoder and polars' both refuse anything the standard does not allow)."""
    lone_cr = b"\r" in body and body.count(b"\r") != body.count(b"\r\n")
    if b'"' in body or lone_cr or _LINE_ONLY.encode() in body:
        return None
    head = _utf8_head_lines(body, _SNIFF_LINES)
    if head is None:
        return None
    try:
        return _split_lines(body, _sniff_delimiter(head), name)
    except pl.exceptions.ComputeError:  # not UTF-8 after all
        return None


def _split_lines(utf8: bytes, delimiter: str, name: str) -> pl.DataFrame | None:
    """The grid frame of the UTF-8 text of a CSV without quotes (see `_split_plain`)."""
    # polars' CSV reader with a separator the text lacks gives the lines (a blank one as null,
    # no record after a final line break, CR LF as one break, as the csv module reads them),
    # with far less memory than splitting a Python string
    lines = pl.read_csv(
        io.BytesIO(utf8),
        has_header=False,
        separator=_LINE_ONLY,
        quote_char=None,
        schema={"line": pl.String},
    )["line"]
    lines = _no_null(lines)
    if lines.len() and (lines.str.len_chars().max() or 0) > csv.field_size_limit():
        return None
    fields = lines.str.count_matches(delimiter, literal=True) + 1
    # the csv module reads a blank line as a record without cells
    totals = pl.select(pl.when(lines == "").then(0).otherwise(fields).cum_sum()).to_series()
    if totals.len() and totals[-1] > MAX_CELLS:
        raise UnreadableFile(_too_many_cells(name, int(totals.filter(totals > MAX_CELLS)[0])))
    rows = pl.Series("row", range(1, lines.len() + 1), dtype=pl.Int64)
    width = int(fields.max() or 0)
    if width > _WIDE:
        return _cells_frame(rows, lines.str.split(delimiter))
    split = lines.to_frame().select(pl.col("line").str.split_exact(delimiter, max(width - 1, 0))).unnest("line")
    frame = pl.DataFrame([rows, *(_no_null(split.to_series(i)).alias(cell_column(i)) for i in range(split.width))])
    return _compact(frame)


def _no_null(column: pl.Series) -> pl.Series:
    """Missing cells as "" (without copying a column that has none)."""
    return column.fill_null("") if column.null_count() else column


def _cells_frame(rows: pl.Series, cells: pl.Series) -> pl.DataFrame:
    """The grid frame from each record's number and its list of cells."""
    last = pl.select(
        cells.list.eval(pl.when(filled(pl.element())).then(pl.int_range(pl.len())).otherwise(None)).list.max()
    ).to_series()
    keep = last.is_not_null()
    width = int(last.max() or 0) + 1 if keep.any() else 0
    kept = cells.filter(keep)
    return pl.DataFrame(
        [
            rows.filter(keep).alias("row"),
            *(kept.list.get(i, null_on_oob=True).fill_null("").alias(cell_column(i)) for i in range(width)),
        ]
    )


def _csv_rows(text: str, delimiter: str, name: str) -> list[tuple[int, list[str]]]:
    """Records with their numbers (blank lines included, as Excel numbers rows of a CSV).

    Every way a line can fail to be read is an UnreadableFile naming the line: a cell over
    csv.field_size_limit, and a quote that is never closed (which would otherwise swallow the
    rest of the file into one cell without a word).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    cells = 0
    start = 1  # the line the current record starts on
    try:
        for n, row in enumerate(reader, start=1):
            rows.append((n, row))
            cells += len(row)
            if cells > MAX_CELLS:
                raise UnreadableFile(_too_many_cells(name, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        detail = str(exc)
        if "field larger than field limit" in detail:
            why = f"有一个单元格超过 {csv.field_size_limit():,} 个字符，不是正常的报表内容"
        elif "unexpected end of data" in detail:
            why = '的引号（"）没有闭合，其后的内容会被并进同一个单元格'
        elif "expected after" in detail:
            return _csv_rows_lenient(text, delimiter, name)
        else:
            why = f"格式异常（{detail}）"
        raise UnreadableFile(
            f"文件“{name}”不是有效的 CSV：第 {start} 行{why}，整个文件未载入。请检查该行后另存再上传。",
            row=start,
        ) from exc
    return rows


def _csv_rows_lenient(text: str, delimiter: str, name: str) -> list[tuple[int, list[str]]]:
    """Text after a closing quote (1,"2"x) is kept as Excel keeps it; only that is lenient."""
    rows = []
    cells = 0
    for n, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        rows.append((n, row))
        cells += len(row)
        if cells > MAX_CELLS:
            raise UnreadableFile(_too_many_cells(name, cells))
    return rows


def _too_many_cells(name: str, cells: int) -> str:
    return (
        f"文件“{name}”的单元格超过 {MAX_CELLS:,} 个（已数到 {cells:,} 个），远超一份报表的规模，"
        "未读取。请按年度或单位拆分后分别上传。"
    )


def _decode_utf16(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-16")  # the BOM says which byte order
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"文件“{name}”是 UTF-16 编码的文本，但第 {exc.start + 1} 个字节处编码有误，无法读取。"
            "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”。"
        ) from exc


def _decode(data: bytes, name: str) -> tuple[str, bool]:
    """Strict UTF-8 (BOM optional), else strict GB18030; never a lossy decode (mojibake).
    (text, whether it was UTF-8)"""
    try:
        return data.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), False
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"文件“{name}”的编码无法识别（既不是 UTF-8，也不是 GB18030/GBK，"
            f"第 {exc.start + 1} 个字节处出错）。请在 Excel 中另存为“CSV UTF-8（逗号分隔）”。"
        ) from exc


def _head_lines(text: str, n: int) -> list[str]:
    """The first `n` lines of `text` that are not blank (as `str.splitlines` splits them),
    without splitting the whole of a large file."""
    size = 1 << 16
    while True:
        lines = text[:size].splitlines()
        if size < len(text):
            lines.pop()  # may be cut short
        kept = [line for line in lines if line.strip()]
        if len(kept) >= n or size >= len(text):
            return kept[:n]
        size *= 4


def _utf8_head_lines(body: bytes, n: int) -> list[str] | None:
    """`_head_lines` of UTF-8 bytes, decoding only as much as it takes; None when that much is
    not UTF-8."""
    size = 1 << 16
    while True:
        try:
            # incremental: a character cut at the end of the slice is not an error
            head = codecs.getincrementaldecoder("utf-8")().decode(body[:size], final=size >= len(body))
        except UnicodeDecodeError:
            return None
        lines = head.splitlines()
        if size < len(body):
            lines.pop()  # may be cut short
        kept = [line for line in lines if line.strip()]
        if len(kept) >= n or size >= len(body):
            return kept[:n]
        size *= 4


def _sniff_delimiter(lines: list[str]) -> str:
    """Pick the delimiter that splits most of the sample `lines` into the same number of fields.

    csv.Sniffer guesses wrongly on Chinese title lines and on "1,234" inside quotes; counting
    consistent field counts per candidate is simpler and predictable.
    """
    best, best_score = ",", (0, 0)
    for delimiter in _CSV_DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delimiter) if len(r) > 1]
        except csv.Error:  # an oversized cell: the real read names the line
            continue
        if not counts:
            continue
        modal = max(set(counts), key=lambda c: (counts.count(c), c))
        score = (counts.count(modal), modal)
        if score > best_score:
            best, best_score = delimiter, score
    return best


# --- shared ------------------------------------------------------------------------------


def _compact(frame: pl.DataFrame) -> pl.DataFrame:
    """Drop rows with nothing but white space, and the empty columns right of the last filled cell."""
    columns = frame.columns[1:]
    if not columns:
        return frame.clear()
    flags = frame.select(filled(pl.col(c)).alias(c) for c in columns)
    keep = flags.select(pl.any_horizontal(pl.all())).to_series()
    every = keep.all()
    used = (flags if every else flags.filter(keep)).select(pl.all().any()).row(0)
    width = max((i + 1 for i, used_here in enumerate(used) if used_here), default=0)
    return (frame if every else frame.filter(keep)).select(["row", *columns[:width]])
