"""Renders a layout.Document as a Word file: A4, real headings and lists, grid tables, page number in the footer.

Every text goes through :func:`cpom.core.text.clean_text` on its way in: lxml refuses control characters, and a text
stored before they were refused at the door must not make the document impossible to produce."""

from io import BytesIO

from docx import Document as new_word_document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from cpom.core.formatting import label
from cpom.core.text import clean_text

from .layout import Banner, Bullet, Document, Heading, PageBreak, Table, Text

MARGIN = Cm(2)
USABLE_WIDTH = Cm(21) - 2 * MARGIN
GREY = RGBColor(0x59, 0x59, 0x59)
RED = RGBColor(0xB3, 0x26, 0x1E)


def to_docx(document: Document) -> bytes:
    word = new_word_document()
    _set_up(word, document)
    for block in document.blocks:
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
    _footer(section.footer.paragraphs[0], document.footer)


def _footer(paragraph, text: str) -> None:
    paragraph.add_run(f"{clean_text(text)} – page ")
    number = paragraph.add_run("1")
    for run in paragraph.runs:
        run.font.size, run.font.color.rgb = Pt(8), GREY
    # Word replaces the placeholder by the number of each page.
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number._r.addprevious(field)
    field.append(number._r)


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
