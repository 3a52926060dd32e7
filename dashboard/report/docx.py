"""The 中期评估 report as a Word document (python-docx), in Chinese official-document style.

A4; cover without a page number, the text numbered from 1 (“— 1 —”), the annex on landscape
pages; headings 黑体, body 仿宋 (Word uses the fonts of the office's PC; the PDF renderer maps
them to the installed Noto CJK fonts, see report_pdf); table header rows repeat on every page;
when the report holds sample data every page's header says so.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterable

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from dashboard.report.content import Block, Figure, Heading, Paragraph, Report, Table

HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(14)  # 四号
TABLE_SIZE = Pt(9)  # 小五
HEADING_SIZES = {1: Pt(16), 2: Pt(15), 3: Pt(14)}
RED = RGBColor(0xC0, 0x00, 0x00)
TABLE_TEXT = "表格文字"
CAPTION = "表题"


def _fonts(target, east_asia: str, size: Pt | None = None, bold: bool | None = None) -> None:
    """Set the Latin and East Asian font of a style or run (theme fonts removed so they apply)."""
    target.font.name = LATIN_FONT
    if size is not None:
        target.font.size = size
    if bold is not None:
        target.font.bold = bold
    r_pr = target.element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asia)


# columns read as text (left-aligned); every other column is numbers or short codes (centred)
TEXT_COLUMNS = frozenset({"指标", "项目", "领域", "纲要", "目标来源", "牵头单位"})


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    _fonts(normal, BODY_FONT, BODY_SIZE)
    # Chinese text: renderers pick the simplified-Chinese glyphs of a CJK font family
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "zh-CN")
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal.element.get_or_add_rPr().append(lang)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(26)
    pf.space_after = Pt(0)
    pf.space_before = Pt(0)
    for level, size in HEADING_SIZES.items():
        style = doc.styles[f"Heading {level}"]
        _fonts(style, HEADING_FONT, size, bold=False)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
        style.paragraph_format.space_before = Pt(10 if level == 1 else 6)
        style.paragraph_format.space_after = Pt(4)
        style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        style.paragraph_format.line_spacing = Pt(28)
        style.paragraph_format.first_line_indent = Pt(28)
        style.paragraph_format.keep_with_next = True
    table_text = doc.styles.add_style(TABLE_TEXT, 1)
    table_text.base_style = normal
    _fonts(table_text, BODY_FONT, TABLE_SIZE)
    table_text.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    table_text.paragraph_format.first_line_indent = Pt(0)
    caption = doc.styles.add_style(CAPTION, 1)
    caption.base_style = normal
    _fonts(caption, HEADING_FONT, Pt(10.5))
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.space_before = Pt(6)
    caption.paragraph_format.space_after = Pt(3)
    caption.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    caption.paragraph_format.keep_with_next = True


def _a4(section, landscape: bool = False) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    # GB/T 9704 margins for the text; the wide annex gets narrower ones
    if landscape:
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin = section.right_margin = Mm(15)
    else:
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance = Mm(15)
    section.footer_distance = Mm(20)


def _page_number(paragraph) -> None:
    """“— N —”, the page number as a field so every page shows its own."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(" —")


def _restart_numbering(section) -> None:
    pg = OxmlElement("w:pgNumType")
    pg.set(qn("w:start"), "1")
    section._sectPr.append(pg)


def _mark(paragraph, text: str) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(text)
    run.font.color.rgb = RED
    run.font.bold = True
    run.font.size = Pt(10.5)


def _cover(doc, report: Report) -> None:
    def line(text: str, size: Pt, font: str = BODY_FONT, bold: bool = False, space: float = 0) -> None:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_before = Pt(space)
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        run = p.add_run(text)
        _fonts(run, font, size, bold)

    line(report.title, Pt(22), HEADING_FONT, space=150)
    for i, name in enumerate(report.plan_full_name.replace("》《", "》\n《").splitlines()):
        line(name, Pt(14), space=12 if i == 0 else 0)
    info = [
        f"评估地区：{report.region_name}（{report.region_code}）",
        f"评估规划：{report.plan_name}",
        f"评估年份：{report.report_year}年",
        f"编制单位：{report.org or '【待填写】'}",
        f"编制日期：{report.made_on.year}年{report.made_on.month}月{report.made_on.day}日",
    ]
    for i, text in enumerate(info):
        line(text, Pt(16), space=80 if i == 0 else 8)
    if report.sample_mark:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_before = Pt(40)
        run = p.add_run(f"本报告含{report.sample_mark}")
        _fonts(run, HEADING_FONT, Pt(14), bold=True)
        run.font.color.rgb = RED


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _no_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _table(doc, block: Table, width_cm: float) -> None:
    # style by id on the XML: python-docx looks a style name up anew on every call (slow for big tables)
    text_style = doc.styles[TABLE_TEXT].style_id
    doc.add_paragraph(block.caption, style=CAPTION)
    table = doc.add_table(rows=1, cols=len(block.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    total = sum(block.widths)
    widths = [Cm(width_cm * w / total) for w in block.widths]
    for col, w in zip(table.columns, widths, strict=True):
        col.width = w
    head = table.rows[0]
    _repeat_header(head)
    for cell, name, w in zip(head.cells, block.columns, widths, strict=True):
        cell.width = w
        p = cell.paragraphs[0]
        p._p.style = text_style
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(name)
        _fonts(run, HEADING_FONT)
        _shade(cell, "E7E6E6")
    if block.rows:
        # The first body row through the API; each later row is a copy of its XML with new text:
        # python-docx rebuilds the whole cell grid for every row's cells (quadratic in rows).
        row = table.add_row()
        _no_split(row)
        for cell, name in zip(row.cells, block.columns, strict=True):  # add_row sets widths
            p = cell.paragraphs[0]
            p._p.style = text_style
            if name not in TEXT_COLUMNS:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.add_run()
        template = copy.deepcopy(row._tr)
        rows = [row._tr] + [copy.deepcopy(template) for _ in block.rows[1:]]
        for tr, values in zip(rows, block.rows, strict=True):
            if tr is not row._tr:
                table._tbl.append(tr)
            for tc, value in zip(tr.tc_lst, values, strict=True):
                tc.p_lst[0].r_lst[0].text = value
    if block.note:
        p = doc.add_paragraph(f"注：{block.note}", style=TABLE_TEXT)
        p.paragraph_format.space_after = Pt(6)
    else:
        doc.add_paragraph(style=TABLE_TEXT)


def _figure(doc, block: Figure, width_cm: float) -> None:
    if block.png is None:
        p = doc.add_paragraph(f"（{block.caption}：{block.missing}）", style=TABLE_TEXT)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    p.paragraph_format.keep_with_next = True
    p.add_run().add_picture(io.BytesIO(block.png), width=Cm(min(width_cm, 13.0)))
    doc.add_paragraph(block.caption, style=CAPTION).paragraph_format.keep_with_next = False


def _blocks(doc, blocks: Iterable[Block], width_cm: float) -> None:
    for block in blocks:
        if isinstance(block, Heading):
            doc.add_heading(block.text, level=block.level)
        elif isinstance(block, Paragraph):
            p = doc.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(28)
            run = p.add_run(block.text)
            if block.placeholder:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
                run.font.bold = True
        elif isinstance(block, Table):
            _table(doc, block, width_cm)
        elif isinstance(block, Figure):
            _figure(doc, block, width_cm)
        else:  # pragma: no cover - the Block union is closed
            raise TypeError(block)


def document_bytes(report: Report) -> bytes:
    """The report as .docx bytes."""
    doc = Document()
    _styles(doc)
    props = doc.core_properties
    props.title = report.title
    props.author = report.org or "妇儿规划监测看板"
    props.comments = report.sample_mark

    cover = doc.sections[0]
    _a4(cover)
    if report.sample_mark:
        _mark(cover.header.paragraphs[0], report.sample_mark)
    cover.footer.paragraphs[0].text = ""
    _cover(doc, report)

    body = doc.add_section(WD_SECTION.NEW_PAGE)
    _a4(body)
    _restart_numbering(body)
    body.footer.is_linked_to_previous = False
    _page_number(body.footer.paragraphs[0])
    text_width = (210 - 28 - 26) / 10
    _blocks(doc, report.body, text_width)

    if report.annex:
        annex = doc.add_section(WD_SECTION.NEW_PAGE)
        # a new section copies the last one's settings: drop the restart so numbering continues
        for restart in annex._sectPr.findall(qn("w:pgNumType")):
            annex._sectPr.remove(restart)
        _a4(annex, landscape=True)
        _blocks(doc, report.annex, (297 - 30) / 10)

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
