"""Word → PDF with LibreOffice headless (Debian libreoffice-writer-nogui), fonts embedded.

The Word file names the official fonts (黑体, 仿宋); a private fontconfig file maps them to the
installed Noto CJK fonts when the office's own fonts are not installed, so the PDF never shows
boxes. Each conversion uses its own LibreOffice profile, so conversions can run side by side.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

INSTALL_HELP = (
    "生成 PDF 需要 LibreOffice 和中文字体：sudo apt-get install -y libreoffice-writer-nogui fonts-noto-cjk"
    "（安装后刷新页面即可）。Word 版不受影响，可直接下载后在 WPS 或 Word 中另存为 PDF。"
)
TIMEOUT_SECONDS = 300

# official font → installed fallbacks, first found wins (a PC with the real fonts keeps them)
FONT_ALIASES: Mapping[str, tuple[str, ...]] = {
    "黑体": ("SimHei", "Noto Sans CJK SC"),
    "仿宋": ("FangSong", "Noto Serif CJK SC"),
    "仿宋_GB2312": ("FangSong_GB2312", "FangSong", "Noto Serif CJK SC"),
    "宋体": ("SimSun", "Noto Serif CJK SC"),
}


class PdfError(RuntimeError):
    """The PDF could not be made; the message (Chinese) says why and what to do."""


def renderer() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _fontconfig(directory: Path) -> Path:
    aliases = "".join(
        f'<alias binding="same"><family>{name}</family><prefer>'
        + "".join(f"<family>{f}</family>" for f in fallbacks)
        + "</prefer></alias>"
        for name, fallbacks in FONT_ALIASES.items()
    )
    path = directory / "fonts.conf"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"{aliases}</fontconfig>",
        encoding="utf-8",
    )
    return path


def convert(documents: Mapping[str, bytes]) -> dict[str, bytes]:
    """name → docx bytes in, name → PDF bytes out; one LibreOffice start for all of them."""
    program = renderer()
    if program is None:
        raise PdfError(INSTALL_HELP)
    if not documents:
        return {}
    with tempfile.TemporaryDirectory(prefix="fuer-pdf-") as tmp:
        work = Path(tmp)
        sources = []
        for i, data in enumerate(documents.values()):
            path = work / f"report{i}.docx"  # ASCII names: the command line never meets odd characters
            path.write_bytes(data)
            sources.append(path)
        env = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig(work)), "HOME": str(work)}
        command = [
            program,
            f"-env:UserInstallation=file://{work / 'profile'}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work / "out"),
            *map(str, sources),
        ]
        try:
            done = subprocess.run(command, env=env, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"LibreOffice 转换超过 {TIMEOUT_SECONDS} 秒未完成，请稍后重试或下载 Word 版。") from exc
        out: dict[str, bytes] = {}
        for name, source in zip(documents, sources, strict=True):
            pdf = work / "out" / (source.stem + ".pdf")
            if not pdf.is_file():
                detail = done.stderr.decode("utf-8", "replace").strip()[-300:]
                raise PdfError(f"LibreOffice 未能把“{name}”转换为 PDF（{detail or '无错误信息'}）；Word 版仍可下载。")
            out[name] = pdf.read_bytes()
        return out


def pdf_bytes(docx: bytes) -> bytes:
    """One document to PDF."""
    return convert({"报告": docx})["报告"]
