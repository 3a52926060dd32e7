"""Checks on an uploaded return before any reader touches it: size, type, and a safe xlsx.

An xlsx is a zip of XML parts, so a hostile one can be a zip bomb (tiny file, gigabytes when
unpacked), pull data from other workbooks (external links, data connections), carry macros, or
hold formulas whose cached result is not what the cell would compute now. The reader only ever
takes cached values and never follows links or runs macros; this module refuses what should not
be read at all and turns formula cells into findings, so a person sees which values came from a
formula. Nothing here evaluates anything.

Everything is reported as `Finding`s (Chinese, naming file, sheet and cell): errors refuse the
file, warnings are shown with the load.
"""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from etl.core import settings
from etl.core.records import SEVERITY_ERROR, SEVERITY_WARNING, Finding
from etl.returns.readers import MAX_CELLS

ALLOWED_SUFFIXES = (".xlsx", ".xls", ".csv", ".txt")
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam", ".xlsb")

# Zip-bomb guard, on the sizes the archive declares and then on what it really unpacks to.
MAX_ENTRIES = 2_000
MAX_PART_BYTES = 100 * 1024 * 1024  # one unpacked part (a sheet's XML)
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # the whole unpacked workbook
# ... and never more than this multiple of the upload limit: real workbooks unpack to 3–8× their
# size, and the reader's memory grows with the unpacked size, not the uploaded one.
UNPACKED_FACTOR = 10
MAX_RATIO = 200  # unpacked ÷ packed, for parts over RATIO_FLOOR; real sheets stay well below
RATIO_FLOOR = 1024 * 1024
MAX_FORMULA_FINDINGS = 200  # then one summary finding, so a sheet of sums stays readable

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_VBA = "_VBA_PROJECT".encode("utf-16-le")  # storage name of macros in an .xls
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_CELL_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def upload_limit_bytes() -> int:
    """The configured upload size limit in bytes (FUER_UPLOAD_MAX_MB)."""
    return int(float(settings.get("upload_max_mb")) * 1024 * 1024)


def upload_limit_mb() -> int:
    """The limit in whole megabytes, as st.file_uploader(max_upload_size=…) wants it."""
    return max(1, int(float(settings.get("upload_max_mb"))))


@dataclass
class SafetyReport:
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity == SEVERITY_ERROR for f in self.findings)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == SEVERITY_ERROR]


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def safe_file_name(name: str) -> str:
    """The uploaded name without any directory part, fit to be a file name here."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = re.sub(r"[\x00-\x1f\x7f/]", "", base).strip().lstrip(".")
    return base[:120] or "上传文件"


def _too_large(name: str, size: int, limit: int) -> Finding:
    return Finding(
        name,
        "",
        None,
        None,
        "too_large",
        SEVERITY_ERROR,
        f"文件“{name}”大小为 {_size(size)}，超过上传上限 {_size(limit)}，未读取。请删去无关的工作表或图片后再上传。",
    )


def inspect_bytes(name: str, data: bytes, *, max_bytes: int | None = None) -> SafetyReport:
    """Everything wrong with an upload before it is read; `max_bytes` None = the setting."""
    name = safe_file_name(name)
    report = SafetyReport()

    def refuse(rule: str, message: str) -> SafetyReport:
        report.findings.append(Finding(name, "", None, None, rule, SEVERITY_ERROR, f"文件“{name}”{message}"))
        return report

    limit = upload_limit_bytes() if max_bytes is None else max_bytes
    if len(data) > limit:
        report.findings.append(_too_large(name, len(data), limit))
        return report
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in MACRO_SUFFIXES:
        return refuse(
            "macro_file",
            f"是含宏或二进制格式的工作簿（{suffix}），为安全起见不接受；"
            "请在 Excel 中另存为“Excel 工作簿（.xlsx）”后再上传。",
        )
    if suffix not in ALLOWED_SUFFIXES:
        return refuse(
            "file_type", f"的类型 {suffix or '（无扩展名）'} 不受支持，请上传 {'、'.join(ALLOWED_SUFFIXES)} 文件。"
        )
    if data.startswith(_ZIP_MAGIC):
        _inspect_xlsx(name, data, report, min(MAX_TOTAL_BYTES, UNPACKED_FACTOR * limit))
    elif data.startswith(_OLE_MAGIC) and _OLE_VBA in data:
        refuse("macro_file", "含宏（VBA 工程），为安全起见不接受；请删除宏或另存为 .xlsx 后再上传。")
    return report


def inspect_file(path: Path, *, max_bytes: int | None = None) -> SafetyReport:
    """`inspect_bytes` for a file on disk; an oversized file is refused without reading it."""
    path = Path(path)
    limit = upload_limit_bytes() if max_bytes is None else max_bytes
    size = path.stat().st_size
    if size > limit:
        return SafetyReport([_too_large(safe_file_name(path.name), size, limit)])
    return inspect_bytes(path.name, path.read_bytes(), max_bytes=limit)


# --- xlsx ------------------------------------------------------------------------------------


class _Refused(Exception):
    """The workbook is not read: `message` says why, after the file's name."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule, self.message = rule, message


def _inspect_xlsx(name: str, data: bytes, report: SafetyReport, max_total: int = MAX_TOTAL_BYTES) -> None:
    try:
        parts = _xlsx_parts(data, max_total)
    except _Refused as why:
        report.findings.append(Finding(name, "", None, None, why.rule, SEVERITY_ERROR, f"文件“{name}”{why.message}"))
        return
    _report_formulas(name, parts, report)


def _xlsx_parts(data: bytes, max_total: int) -> dict[str, bytes]:
    """The workbook's XML parts, once its sizes, contents and every part are checked (_Refused)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise _Refused(
            "bad_zip", f"不是完好的 Excel 工作簿（压缩包损坏：{exc}），请用 Excel 打开后另存再上传。"
        ) from None
    with zf:
        _check_sizes(infos, max_total)
        _check_contents({i.filename.lower() for i in infos})
        return _unpacked(zf, infos)


def _check_sizes(infos: list[zipfile.ZipInfo], max_total: int) -> None:
    """Refuse zip bombs on the sizes the archive declares: too many parts, a foreign compression,
    a part or a total too large, a suspicious ratio."""
    if len(infos) > MAX_ENTRIES:
        raise _Refused("zip_bomb", f"包含 {len(infos)} 个部件，远多于正常工作簿，疑似恶意文件，未读取。")
    total = 0
    for info in infos:
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Refused("zip_method", f"使用了 Excel 不使用的压缩方式（部件 {info.filename}），未读取。")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        suspicious = info.file_size > MAX_PART_BYTES or (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO)
        if total > max_total and not suspicious:
            raise _Refused(
                "unpacked_too_large",
                f"解压后合计 {_size(total)}，超过上限 {_size(max_total)}"
                f"（上传上限的 {UNPACKED_FACTOR} 倍），数据量远超一份报表，未读取。"
                "请按年度或单位拆分后分别上传。",
            )
        if suspicious or total > max_total:
            raise _Refused(
                "zip_bomb",
                f"解压后体积异常（部件 {info.filename} 声明 {_size(info.file_size)}，"
                f"压缩比 {ratio:.0f}:1；全部部件合计 {_size(total)}），疑似“压缩炸弹”，未读取。",
            )


def _check_contents(lower: set[str]) -> None:
    """Refuse external links, data connections and macros, by the parts' (lower-cased) names."""
    if any(n.startswith("xl/externallinks/") for n in lower):
        raise _Refused(
            "external_link",
            "含外部链接（引用了其他工作簿的数据），为安全起见不读取。请在 Excel 中"
            "“数据 → 编辑链接 → 断开链接”，或把公式粘贴为数值，另存后再上传。",
        )
    if "xl/connections.xml" in lower or any(n.startswith("xl/querytables/") for n in lower):
        raise _Refused(
            "data_connection",
            "含外部数据连接（查询其他文件或数据库），为安全起见不读取。请删除数据连接、把数据粘贴为数值后再上传。",
        )
    if any(PurePosixPath(n).name == "vbaproject.bin" for n in lower):
        raise _Refused("macro_file", "含宏（VBA 工程），为安全起见不接受；请另存为“Excel 工作簿（.xlsx）”后再上传。")


def _unpacked(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> dict[str, bytes]:
    """Unpack every part within its declared size (zipfile stops there and checks the CRC), so
    a part that lies about its size is caught here rather than inside the reader; XML parts
    must not declare a DTD."""
    parts: dict[str, bytes] = {}
    for info in infos:
        try:
            with zf.open(info) as fh:
                content = fh.read(info.file_size + 1)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise _Refused("bad_zip", f"的部件 {info.filename} 无法解压（{exc}），文件损坏或被篡改，未读取。") from None
        if len(content) > info.file_size:
            raise _Refused("zip_bomb", f"的部件 {info.filename} 实际大小超过声明，疑似被篡改，未读取。")
        if info.filename.lower().endswith((".xml", ".rels")):
            if _DTD.search(content[:65536]):
                raise _Refused("xml_dtd", f"的部件 {info.filename} 含 XML 文档类型声明（工作簿中不应出现），未读取。")
            parts[info.filename] = content
    return parts


def _sheet_names(parts: dict[str, bytes]) -> dict[str, str]:
    """Part name of each worksheet → the sheet's name as Excel shows it."""
    try:
        wb = ElementTree.fromstring(parts["xl/workbook.xml"])
        rels = ElementTree.fromstring(parts["xl/_rels/workbook.xml.rels"])
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {}
    for rel in rels.iter(f"{_NS_PKG_REL}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[rel.get("Id")] = str(PurePosixPath(path))
    out = {}
    for sheet in wb.iter(f"{_NS_MAIN}sheet"):
        part = targets.get(sheet.get(f"{_NS_REL}id"))
        if part:
            out[part] = sheet.get("name", part)
    return out


def _report_formulas(name: str, parts: dict[str, bytes], report: SafetyReport) -> None:
    """One warning per formula cell: the cached result is read, the formula is not evaluated."""
    sheets = _sheet_names(parts)
    scan = _FormulaScan(name, report)
    for part, content in sorted(parts.items()):
        if not part.startswith("xl/worksheets/") or not part.endswith(".xml"):
            continue
        if not scan.sheet(sheets.get(part, PurePosixPath(part).stem), content):
            return
    if scan.formulas > MAX_FORMULA_FINDINGS:
        report.findings.append(
            Finding(
                name,
                "",
                None,
                None,
                "formula_cell",
                SEVERITY_WARNING,
                f"文件“{name}”共有 {scan.formulas} 个公式单元格，以上只列出前 "
                f"{MAX_FORMULA_FINDINGS} 个；所有公式都只读取保存的计算结果。",
            )
        )


class _FormulaScan:
    """Cells and formulas counted over a workbook's sheets, findings added as they are met."""

    def __init__(self, name: str, report: SafetyReport) -> None:
        self.name, self.report = name, report
        self.cells = 0
        self.formulas = 0

    def sheet(self, sheet: str, content: bytes) -> bool:
        """Scan one sheet's XML; False when the workbook must not be read (too many cells, bad XML)."""
        try:
            for _event, cell in ElementTree.iterparse(io.BytesIO(content)):
                if cell.tag != f"{_NS_MAIN}c":
                    continue
                self.cells += 1
                if self.cells > MAX_CELLS:
                    self._error(
                        sheet,
                        "too_many_cells",
                        f"文件“{self.name}”的单元格超过 {MAX_CELLS:,} 个（到工作表“{sheet}”为止），"
                        "远超一份报表的规模，未读取。请按年度或单位拆分后分别上传。",
                    )
                    return False
                formula = cell.find(f"{_NS_MAIN}f")
                if formula is not None:
                    self.formulas += 1
                    if self.formulas <= MAX_FORMULA_FINDINGS:
                        self._formula(sheet, cell, formula)
                cell.clear()
        except ElementTree.ParseError as exc:
            self._error(sheet, "bad_xml", f"文件“{self.name}”工作表“{sheet}”的内容无法解析（{exc}），未读取。")
            return False
        return True

    def _formula(self, sheet: str, cell: ElementTree.Element, formula: ElementTree.Element) -> None:
        ref = cell.get("r", "")
        m = _CELL_REF.match(ref)
        cached = cell.find(f"{_NS_MAIN}v")
        shown = (cached.text or "") if cached is not None else ""
        text = f"（={formula.text}）" if formula.text else ""
        self.report.findings.append(
            Finding(
                self.name,
                sheet,
                int(m.group(2)) if m else None,
                m.group(1) if m else None,
                "formula_cell",
                SEVERITY_WARNING,
                f"{self.name} 工作表“{sheet}”{ref}单元格是公式{text}：只读取文件中保存的计算结果"
                f"“{shown}”，不重新计算；请核对，最好将公式粘贴为数值后再上传。",
            )
        )

    def _error(self, sheet: str, rule: str, message: str) -> None:
        self.report.findings.append(Finding(self.name, sheet, None, None, rule, SEVERITY_ERROR, message))


@contextmanager
def staged_upload(name: str, data: bytes) -> Iterator[Path]:
    """The uploaded bytes as a file under its own (cleaned) name in a private temporary folder.

    The loader names findings after the file, so the file keeps the name the unit gave it.
    The folder is removed on exit, so no upload lingers on the server.
    """
    folder = Path(tempfile.mkdtemp(prefix="fuer-upload-"))
    try:
        path = folder / safe_file_name(name)
        path.write_bytes(data)
        yield path
    finally:
        shutil.rmtree(folder, ignore_errors=True)
