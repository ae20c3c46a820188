"""Renders a layout.Document as a Word file: A4, real headings and lists, grid tables, page number in the footer.

Every text goes through :func:`cpom.core.text.clean_text` on its way in: lxml refuses control characters, and a text
stored before they were refused at the door must not make the document impossible to produce."""

from io import BytesIO
from xml.sax.saxutils import escape, quoteattr

from docx import Document as new_word_document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor

from cpom.core.formatting import label
from cpom.core.text import clean_text

from .layout import Banner, Bullet, Document, Heading, Image, PageBreak, Signature, Table, TableOfContents, Text

MARGIN = Cm(2)
USABLE_WIDTH = Cm(21) - 2 * MARGIN
GREY = RGBColor(0x59, 0x59, 0x59)
RED = RGBColor(0xB3, 0x26, 0x1E)


# Paragraph and table styles by their ids in python-docx's default template: looking a style up by its name scans
# every style of the document each time, which made a contract of fifty pages take seconds.
STYLE_IDS = {"Title": "Title", "List Bullet": "ListBullet", "Table Grid": "TableGrid"}
STYLE_IDS.update({f"Heading {n}": f"Heading{n}" for n in range(1, 10)})
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _styled(word, style: str):
    paragraph = word.add_paragraph()
    paragraph._p.get_or_add_pPr().style = STYLE_IDS[style]
    return paragraph


def to_docx(document: Document) -> bytes:
    word = new_word_document()
    assert all(word.styles[name].style_id == style_id for name, style_id in STYLE_IDS.items())
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
            _styled(word, "Title" if block.level == 0 else f"Heading {block.level}").add_run(clean_text(block.text))
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
        case Image():
            _image(word, block)


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
    # The text-path shape type, as Word writes it beside its own watermarks.
    '<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:formulas>'
    '<v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/><v:f eqn="sum 0 0 @2"/>'
    '<v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/><v:f eqn="if @0 21600 @1"/><v:f eqn="if @0 0 @2"/>'
    '<v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/><v:f eqn="mid @7 @8"/>'
    '<v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/></v:formulas>'
    '<v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800" '
    'o:connectangles="270,180,90,0"/><v:textpath on="t" fitshape="t"/>'
    '<v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/></v:handles>'
    '<o:lock v:ext="edit" text="t" shapetype="t"/></v:shapetype>'
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


def _image(word, block: Image) -> None:
    paragraph = word.add_paragraph()
    paragraph.paragraph_format.keep_with_next = True
    picture = paragraph.add_run().add_picture(BytesIO(block.png), width=Cm(block.width_cm))
    # The alternative text a screen reader says, in the drawing's properties (wp:docPr), as Word stores it.
    picture._inline.docPr.set("descr", clean_text(block.caption))
    if block.caption:
        caption = word.add_paragraph().add_run(clean_text(block.caption))
        caption.italic, caption.font.size, caption.font.color.rgb = True, Pt(9), GREY


def _bullet(word, block: Bullet) -> None:
    paragraph = _styled(word, "List Bullet")
    paragraph.add_run(clean_text(block.text))
    if block.detail:
        paragraph.add_run().add_break()
        detail = paragraph.add_run(clean_text(block.detail))
        detail.italic, detail.font.size, detail.font.color.rgb = True, Pt(9), GREY


def _cell(text: str, width: int, bold: bool = False) -> str:
    lines = clean_text(text).split("\n")
    style = "<w:rPr><w:b/></w:rPr>" if bold else ""
    runs = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr><w:p><w:r>{style}{runs}</w:r></w:p></w:tc>'


def _table(word, block: Table) -> None:
    """A grid table written as XML at once (python-docx's cell by cell API costs a lookup per cell), its header
    row repeated at the top of every page it runs on."""
    total = sum(block.widths)
    widths = [int(Emu(USABLE_WIDTH).twips * weight / total) for weight in block.widths]
    header = "".join(_cell(text, width, bold=True) for text, width in zip(block.header, widths, strict=True))
    rows = "".join(
        "<w:tr>" + "".join(_cell(text, width) for text, width in zip(values, widths, strict=True)) + "</w:tr>"
        for values in block.rows
    )
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)
    table = parse_xml(
        f'<w:tbl xmlns:w="{W}"><w:tblPr><w:tblStyle w:val="{STYLE_IDS["Table Grid"]}"/><w:tblW w:w="0" w:type="auto"/>'
        f'<w:tblLayout w:type="fixed"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
        f'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
        f"<w:tr><w:trPr><w:tblHeader/></w:trPr>{header}</w:tr>{rows}</w:tbl>"
    )
    body = word.element.body
    if body.sectPr is not None:
        body.sectPr.addprevious(table)
    else:
        body.append(table)
    word.add_paragraph()
