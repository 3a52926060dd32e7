"""Uploads are size-limited and hostile workbooks are refused before any reader opens them.

Every hostile file is built here (xlsxwriter and zipfile); nothing binary is committed.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import duckdb
import pytest
import xlsxwriter
from long_returns import LONG_HEADER

from etl.returns.load import preview_file, submit_file
from etl.returns.safety import (
    MAX_FORMULA_FINDINGS,
    inspect_bytes,
    inspect_file,
    safe_file_name,
    staged_upload,
    upload_limit_bytes,
    upload_limit_mb,
)


def workbook_bytes(
    rows: list[list[object]], *, formulas: dict[tuple[int, int], tuple[str, float]] | None = None, sheet: str = "填报表"
) -> bytes:
    """A small long-layout return; `formulas` maps (row, col) → (formula, cached result)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(sheet)
    ws.write_row(0, 0, LONG_HEADER)
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, row)
    for (r, c), (formula, value) in (formulas or {}).items():
        ws.write_formula(r, c, formula, None, value)
    wb.close()
    return buf.getvalue()


def with_parts(data: bytes, extra: dict[str, bytes]) -> bytes:
    """The workbook with extra zip parts added (an external link, a macro project …)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        for name, content in extra.items():
            dst.writestr(name, content)
    return out.getvalue()


def errors(report) -> list[str]:
    return [f.rule for f in report.findings if f.severity == "error"]


def test_size_limit_comes_from_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUER_UPLOAD_MAX_MB", "1")
    assert upload_limit_bytes() == 1024 * 1024 and upload_limit_mb() == 1
    big = b"\xef\xbb\xbf" + ("指标代码,地区代码,年份,数值\n" + "C-EDU-02,370303,2024,97.5\n" * 60_000).encode()
    report = inspect_bytes("教育局.csv", big)
    assert errors(report) == ["too_large"]
    assert "教育局.csv" in report.findings[0].message and "超过上传上限 1.0 MB" in report.findings[0].message
    assert inspect_bytes("教育局.csv", big[:500_000]).ok


def test_oversized_file_is_refused_by_the_load_and_nothing_changes(work_db: Path, tmp_path: Path) -> None:
    f = tmp_path / "大文件.csv"
    f.write_text("指标代码,地区代码,年份,数值\n" + "C-EDU-02,370303,2024,97.5\n" * 2000, encoding="utf-8")
    before = work_db.read_bytes()
    report = submit_file(work_db, f, unit="education", safety=True, max_bytes=10_000)
    assert report.status == "failed" and errors(report) == ["too_large"] and "大文件.csv" in report.message
    assert inspect_file(f, max_bytes=10_000).findings[0].rule == "too_large"
    assert work_db.read_bytes() == before


def test_formula_cells_are_findings_and_only_cached_values_are_read(work_db: Path, tmp_path: Path) -> None:
    data = workbook_bytes([["C-EDU-02", "", "370303", "", "2024", None, ""]], formulas={(1, 5): ("=90+7.5", 97.5)})
    report = inspect_bytes("教育局.xlsx", data)
    assert report.ok
    [f] = report.findings
    assert (f.rule, f.severity, f.sheet, f.row, f.column) == ("formula_cell", "warning", "填报表", 2, "F")
    assert "F2" in f.message and "=90+7.5" in f.message and "97.5" in f.message and "不重新计算" in f.message

    path = tmp_path / "教育局.xlsx"
    path.write_bytes(data)
    loaded = submit_file(work_db, path, unit="education", safety=True)
    assert loaded.accepted == 1 and "formula_cell" in [x.rule for x in loaded.findings]
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        assert con.sql(
            "SELECT value FROM observation_current WHERE indicator_code = 'C-EDU-02' AND year = 2024"
            " AND region_code = '370303'"
        ).fetchall() == [(97.5,)]
        assert con.sql(
            "SELECT count(*) FROM finding WHERE rule = 'formula_cell' AND submission_id = $s",
            params={"s": loaded.submission_id},
        ).fetchall() == [(1,)]
    finally:
        con.close()


def test_many_formula_cells_are_summarised() -> None:
    n = MAX_FORMULA_FINDINGS + 5
    rows = [["C-EDU-02", "", "370303", "", str(2000 + i), None, ""] for i in range(n)]
    data = workbook_bytes(rows, formulas={(i + 1, 5): ("=1+1", 2) for i in range(n)})
    report = inspect_bytes("many.xlsx", data)
    assert len(report.findings) == MAX_FORMULA_FINDINGS + 1
    assert f"共有 {n} 个公式单元格" in report.findings[-1].message


def test_external_links_are_refused(work_db: Path, tmp_path: Path) -> None:
    data = with_parts(
        workbook_bytes([["C-EDU-02", "", "370303", "", "2024", 97.5, ""]]),
        {
            "xl/externalLinks/externalLink1.xml": b'<?xml version="1.0"?><externalLink xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main"/>',
        },
    )
    report = inspect_bytes("带链接.xlsx", data)
    assert errors(report) == ["external_link"] and "外部链接" in report.findings[0].message
    path = tmp_path / "带链接.xlsx"
    path.write_bytes(data)
    before = work_db.read_bytes()
    loaded = submit_file(work_db, path, unit="education", safety=True)
    assert loaded.status == "failed" and "外部链接" in loaded.message
    assert work_db.read_bytes() == before


def test_zip_bomb_is_refused_before_unpacking() -> None:
    base = workbook_bytes([["C-EDU-02", "", "370303", "", "2024", 97.5, ""]])
    bomb = with_parts(base, {"xl/worksheets/sheet2.xml": b" " * (8 * 1024 * 1024)})  # ~8 KB packed
    report = inspect_bytes("炸弹.xlsx", bomb)
    assert errors(report) == ["zip_bomb"]
    assert "xl/worksheets/sheet2.xml" in report.findings[0].message and "压缩炸弹" in report.findings[0].message


def test_a_part_that_lies_about_its_size_is_refused() -> None:
    data = bytearray(
        with_parts(
            workbook_bytes([["C-EDU-02", "", "370303", "", "2024", 97.5, ""]]),
            {"xl/media/big.bin": bytes(range(256)) * 4096},
        )
    )  # 1 MB, incompressible-ish
    # claim 1000 bytes in both the local header and the central directory
    name = b"xl/media/big.bin"
    local = data.find(b"PK\x03\x04")
    while local != -1:
        name_len = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_len] == name:
            struct.pack_into("<I", data, local + 22, 1000)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_len] == name:
            struct.pack_into("<I", data, central + 24, 1000)
        central = data.find(b"PK\x01\x02", central + 4)
    report = inspect_bytes("篡改.xlsx", bytes(data))
    assert errors(report) == ["bad_zip"] and "xl/media/big.bin" in report.findings[0].message


def test_macro_workbooks_are_refused() -> None:
    data = workbook_bytes([["C-EDU-02", "", "370303", "", "2024", 97.5, ""]])
    assert errors(inspect_bytes("宏.xlsm", data)) == ["macro_file"]
    hidden = with_parts(data, {"xl/vbaProject.bin": b"\x00" * 64})
    assert errors(inspect_bytes("看似普通.xlsx", hidden)) == ["macro_file"]
    assert errors(inspect_bytes("脚本.exe", b"MZ\x90\x00")) == ["file_type"]


def test_data_connections_dtds_foreign_compression_and_broken_sheets_are_refused() -> None:
    data = workbook_bytes([["C-EDU-02", "", "370303", "", "2024", 97.5, ""]])
    connected = with_parts(data, {"xl/connections.xml": b'<?xml version="1.0"?><connections/>'})
    assert errors(inspect_bytes("连接.xlsx", connected)) == ["data_connection"]
    doctype = with_parts(data, {"xl/custom.xml": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'})
    report = inspect_bytes("实体.xlsx", doctype)
    assert errors(report) == ["xml_dtd"] and "xl/custom.xml" in report.findings[0].message
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_BZIP2) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
    report = inspect_bytes("压缩.xlsx", out.getvalue())
    assert errors(report) == ["zip_method"] and "压缩方式" in report.findings[0].message
    broken = with_parts(data, {"xl/worksheets/sheet9.xml": b"<worksheet><sheetData><row>"})
    report = inspect_bytes("损坏.xlsx", broken)
    assert errors(report) == ["bad_xml"] and report.findings[0].sheet == "sheet9"


def test_an_ordinary_template_passes(work_db: Path, tmp_path: Path) -> None:
    from etl.returns.template import write_template

    out = tmp_path / "模板.xlsx"
    con = duckdb.connect(str(work_db), read_only=True)
    try:
        write_template(con, "education", 2025, "370300", out)
    finally:
        con.close()
    report = inspect_file(out)
    assert report.ok and report.findings == []
    preview = preview_file(work_db, out, unit="education", enforce_unit=True, safety=True)
    # an untouched template holds no values: the preview says so instead of "载入0个数值"
    assert preview.status == "failed" and preview.dry_run and errors(preview) == ["no_values"]


def test_staged_upload_keeps_the_name_but_not_the_path_and_cleans_up() -> None:
    assert safe_file_name("../../etc/卫健委 2024.csv") == "卫健委 2024.csv"
    assert safe_file_name("C:\\Users\\x\\报表.xlsx") == "报表.xlsx"
    with staged_upload("../../报表.csv", b"a,b\n") as path:
        assert path.name == "报表.csv" and path.read_bytes() == b"a,b\n"
        folder = path.parent
    assert not folder.exists()


def test_unpacked_size_is_capped_at_a_multiple_of_the_upload_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    import etl.returns.safety

    data = workbook_bytes([["C-EDU-02", "学前教育毛入园率", "370303", "张店区", "2024", 97.0, ""]] * 2000)
    assert inspect_bytes("大.xlsx", data, max_bytes=len(data)).ok  # unpacks to less than 10× its size
    monkeypatch.setattr(etl.returns.safety, "UNPACKED_FACTOR", 2)
    report = inspect_bytes("大.xlsx", data, max_bytes=len(data))
    assert errors(report) == ["unpacked_too_large"]
    assert "上传上限的 2 倍" in report.findings[0].message


def test_cells_per_workbook_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    import etl.returns.safety

    monkeypatch.setattr(etl.returns.safety, "MAX_CELLS", 20)
    data = workbook_bytes([["C-EDU-02", "学前教育毛入园率", "370303", "张店区", "2024", 97.0, ""]] * 3)
    report = inspect_bytes("多.xlsx", data)
    assert [(f.rule, f.sheet, f.row, f.column) for f in report.errors] == [("too_many_cells", "填报表", None, None)]
    assert "单元格超过 20 个" in report.errors[0].message
