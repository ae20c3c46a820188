"""Renders a layout.Document as a Word file: A4, real headings and lists, grid tables, page number in the footer.

Every text goes through :func:`cpom.core.text.clean_text` on its way in: lxml refuses control characters, and a text
stored before they were refused at the door must not make the document impossible to produce."""

from io import BytesIO
from xml.sax.saxutils import quoteattr

from docx import Document as new_word_document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from cpom.core.formatting import label
from cpom.core.text import clean_text

from .layout import Banner, Bullet, Document, Heading, PageBreak, Signature, Table, TableOfContents, Text

MARGIN = Cm(2)
USABLE_WIDTH = Cm(21) - 2 * MARGIN
GREY = RGBColor(0x59, 0x59, 0x59)
RED = RGBColor(0xB3, 0x26, 0x1E)


def to_docx(document: Document) -> bytes:
    word = new_word_document()
    _set_up(word, document)
    for block in document.blocks:
        if isinstance(block, TableOfContents):
            _contents(word, document)
        else:
            _write(word, block)
    buffer = BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _write(word, block) -> None:
    match block:
        case Heading():
            word.add_heading(clean_text(block.text), block.level)
        case Text():
            paragraph = word.add_paragraph()
            if block.label:
                paragraph.add_run(clean_text(label(block.label)) + " ").bold = True
            paragraph.add_run(clean_text(block.text))
        case Bullet():
            _bullet(word, block)
        case Banner():
            run = word.add_paragraph().add_run(clean_text(block.text))
            run.bold, run.font.size, run.font.color.rgb = True, Pt(13), RED
        case Table():
            _table(word, block)
        case PageBreak():
            word.add_page_break()
        case Signature():
            _signature(word, block)


def _set_up(word, document: Document) -> None:
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = MARGIN
    properties = word.core_properties
    properties.title, properties.language, properties.author, properties.comments = (
        clean_text(document.title),
        "fr-FR",
        "CPOM",
        "",
    )
    # Word checks the spelling in French.
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "fr-FR")
    word.styles["Normal"].element.get_or_add_rPr().append(language)
    _footer(section.footer.paragraphs[0], document.footer, document.page_total)
    if document.fingerprint:
        line = section.footer.add_paragraph().add_run(clean_text(document.fingerprint_line))
        line.font.size, line.font.color.rgb = Pt(7), GREY
    if document.watermark:
        _watermark(section.header.paragraphs[0], document.watermark)


def _footer(paragraph, text: str, page_total: bool = False) -> None:
    paragraph.add_run(f"{clean_text(text)} – page ")
    _field(paragraph, "PAGE", "1")
    if page_total:
        paragraph.add_run(" sur ")
        _field(paragraph, "NUMPAGES", "1")
    for run in paragraph.runs:
        run.font.size, run.font.color.rgb = Pt(8), GREY


def _field(paragraph, instruction: str, placeholder: str) -> None:
    """Word replaces the placeholder by the field's value (the number of each page, of pages)."""
    number = paragraph.add_run(placeholder)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    number._r.addprevious(field)
    field.append(number._r)


WATERMARK = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
    "<w:pict>"
    '<v:shape id="cpom_watermark" o:spid="_x0000_s2049" type="#_x0000_t136" '
    'style="position:absolute;margin-left:0;margin-top:0;width:470pt;height:120pt;rotation:315;z-index:-251654144;'
    "mso-position-horizontal:center;mso-position-horizontal-relative:margin;"
    'mso-position-vertical:center;mso-position-vertical-relative:margin" fillcolor="#d0d0d0" stroked="f">'
    '<v:fill opacity=".5"/>'
    '<v:textpath style="font-family:&quot;Calibri&quot;;font-size:1pt" string={text}/>'
    "</v:shape></w:pict></w:r>"
)


def _watermark(paragraph, text: str) -> None:
    """A diagonal word across every page, drawn in the header as Word draws its own watermarks."""
    paragraph._p.append(parse_xml(WATERMARK.format(text=quoteattr(clean_text(text)))))


def _contents(word, document: Document) -> None:
    """A TOC field whose result is the written list of headings: Word refreshes it with the page numbers when
    asked (F9, or on opening: updateFields), and a reader who does not still has the list."""
    title = word.add_paragraph().add_run("Sommaire")
    title.bold, title.font.size = True, Pt(16)
    entries = document.contents() or [Heading("—", 1)]
    paragraphs = []
    for entry in entries:
        paragraph = word.add_paragraph()
        paragraph.paragraph_format.left_indent = Cm(0.8 * (entry.level - 1))
        paragraphs.append(paragraph)
    first, last = paragraphs[0], paragraphs[-1]
    first._p.append(_fld_char("begin"))
    instruction = OxmlElement("w:r")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = ' TOC \\o "1-2" \\h \\z \\u '
    instruction.append(text)
    first._p.append(instruction)
    first._p.append(_fld_char("separate"))
    for paragraph, entry in zip(paragraphs, entries, strict=True):
        paragraph.add_run(clean_text(entry.text))
    last._p.append(_fld_char("end"))
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    word.settings.element.append(update)


def _fld_char(kind: str):
    run = OxmlElement("w:r")
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run.append(char)
    return run


def _signature(word, block: Signature) -> None:
    paragraph = word.add_paragraph()
    paragraph.paragraph_format.keep_with_next = True
    paragraph.paragraph_format.space_before = Pt(18)
    role = paragraph.add_run(clean_text(block.role))
    role.italic, role.font.size, role.font.color.rgb = True, Pt(9), GREY
    for line in block.lines:
        run = paragraph.add_run()
        run.add_break(WD_BREAK.LINE)
        paragraph.add_run(clean_text(line)).bold = line == block.lines[0]
    space = word.add_paragraph()
    space.paragraph_format.keep_together = True
    space.add_run("Date et signature :")
    for _ in range(3):
        space.add_run().add_break(WD_BREAK.LINE)


def _bullet(word, block: Bullet) -> None:
    paragraph = word.add_paragraph(style="List Bullet")
    paragraph.add_run(clean_text(block.text))
    if block.detail:
        paragraph.add_run().add_break()
        detail = paragraph.add_run(clean_text(block.detail))
        detail.italic, detail.font.size, detail.font.color.rgb = True, Pt(9), GREY


def _table(word, block: Table) -> None:
    table = word.add_table(rows=1, cols=len(block.header))
    table.style, table.autofit = "Table Grid", False
    header = table.rows[0]
    # The header row is repeated at the top of every page the table runs on.
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, text in zip(header.cells, block.header, strict=True):
        cell.paragraphs[0].add_run(clean_text(text)).bold = True
    for values in block.rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = clean_text(text)
    total = sum(block.widths)
    for column, weight in zip(table.columns, block.widths, strict=True):
        for cell in column.cells:
            cell.width = int(USABLE_WIDTH * weight / total)
    word.add_paragraph()
