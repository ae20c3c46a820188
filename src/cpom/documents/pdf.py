"""Renders a layout.Document as an A4 PDF with reportlab's platypus and the standard Helvetica fonts.

Those fonts are encoded in WinAnsi, which holds every French character (é è à ç œ « » €) and the
non-breaking space; every text is cleaned of control characters (as in Word, so that both documents say the same)
and escaped, since a Paragraph reads its text as markup."""

from io import BytesIO
from xml.sax.saxutils import escape

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Image as PdfImage
from reportlab.platypus import PageBreak as PdfPageBreak
from reportlab.platypus import Table as PdfTable

from cpom.core.formatting import label
from cpom.core.text import clean_text

from .layout import Banner, Bullet, Document, Heading, Image, PageBreak, Signature, Table, TableOfContents, Text

# Compressed streams are written as they are, not re-encoded in ASCII85 (a text form of the 1990s' mail gateways):
# the files are smaller and a long contract is written a fifth faster (reportlab's C accelerators are not installed).
rl_config.useA85 = 0

MARGIN = 2 * cm
USABLE_WIDTH = A4[0] - 2 * MARGIN
BLUE = colors.HexColor("#000091")
GREY = colors.HexColor("#595959")
RED = colors.HexColor("#B3261E")

BODY = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=13, spaceAfter=4)
HEADINGS = [  # by level, 0 being the document's title
    ParagraphStyle("title", BODY, fontName="Helvetica-Bold", fontSize=18, leading=22, spaceAfter=12, keepWithNext=1),
    ParagraphStyle(
        "h1",
        BODY,
        fontName="Helvetica-Bold",
        fontSize=15,
        leading=19,
        textColor=BLUE,
        spaceBefore=14,
        spaceAfter=6,
        keepWithNext=1,
    ),
    ParagraphStyle(
        "h2",
        BODY,
        fontName="Helvetica-Bold",
        fontSize=13,
        leading=16,
        textColor=BLUE,
        spaceBefore=10,
        spaceAfter=4,
        keepWithNext=1,
    ),
    ParagraphStyle(
        "h3", BODY, fontName="Helvetica-Bold", fontSize=11, leading=14, spaceBefore=8, spaceAfter=3, keepWithNext=1
    ),
]
BULLET = ParagraphStyle("bullet", BODY, leftIndent=14, bulletIndent=4)
BANNER = ParagraphStyle(
    "banner",
    BODY,
    fontName="Helvetica-Bold",
    fontSize=12,
    leading=15,
    textColor=RED,
    backColor=colors.HexColor("#FDECEA"),
    borderColor=RED,
    borderWidth=1,
    borderPadding=6,
    spaceBefore=8,
    spaceAfter=14,
)
CELL = ParagraphStyle("cell", BODY, fontSize=9, leading=11, spaceAfter=0)
HEADER_CELL = ParagraphStyle("header_cell", CELL, fontName="Helvetica-Bold")
CELL_PADDING = 6  # reportlab's default left and right padding of a cell
TABLE_STYLE = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), CELL.fontName, CELL.fontSize, CELL.leading),
        ("FONT", (0, 0), (-1, 0), HEADER_CELL.fontName, HEADER_CELL.fontSize, HEADER_CELL.leading),
        ("GRID", (0, 0), (-1, -1), 0.5, GREY),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8EDF7")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)


TOC_NUMBER_WIDTH = 1.2 * cm
TOC_LEVELS = [
    ParagraphStyle("toc1", BODY, fontName="Helvetica-Bold", leftIndent=0, firstLineIndent=0, spaceBefore=4),
    ParagraphStyle("toc2", BODY, fontSize=9.5, leftIndent=14, firstLineIndent=0, spaceAfter=1),
]
CAPTION = ParagraphStyle("caption", BODY, fontName="Helvetica-Oblique", fontSize=8.5, textColor=GREY, spaceAfter=8)
SIGNATURE_ROLE = ParagraphStyle("signature_role", BODY, fontSize=8.5, textColor=GREY, spaceBefore=14)
SIGNATURE_LINE = ParagraphStyle("signature_line", BODY, spaceAfter=1)


class ContractTemplate(SimpleDocTemplate):
    """Notes the page each heading of the table of contents falls on, and bookmarks it."""

    def __init__(self, *args, pages: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.heading_pages = pages

    def afterFlowable(self, flowable):
        key = getattr(flowable, "toc_key", None)
        if key is not None:
            self.heading_pages[key] = self.page
            self.canv.bookmarkPage(key)


class PageNumberOf(Flowable):
    """The page a heading falls on, in the table of contents. The contents come before the headings, so the number
    is a form XObject drawn here and written at the end, when every page is known: one pass instead of the two or
    three reportlab's TableOfContents needs (it lays the whole document out again until the numbers settle)."""

    def __init__(self, key: str, width: float):
        super().__init__()
        self.key, self.width, self.height = key, width, 11

    def wrap(self, available_width, available_height):
        return self.width, self.height

    def draw(self):
        self.canv.doForm(_form_name(self.key))


def _form_name(key: str) -> str:
    return f"cpom_page_of_{key}"


def _page_canvas(document: Document, pages: dict[str, int]):
    """A canvas that holds its pages until the end, so each one can say « page X sur Y » and carry the watermark,
    and the table of contents gets its page numbers."""

    class PageCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for page in self._pages:
                self.__dict__.update(page)
                _decorate(self, document, total)
                super().showPage()
            for key, number in pages.items():
                self.beginForm(_form_name(key))
                self.setFont("Helvetica", 9.5)
                self.drawRightString(TOC_NUMBER_WIDTH, 2, str(number))
                self.endForm()
            super().save()

    return PageCanvas


def _decorate(canvas, document: Document, total: int | None) -> None:
    canvas.saveState()
    if document.watermark:
        canvas.setFont("Helvetica-Bold", 110)
        canvas.setFillColor(colors.Color(0.75, 0.75, 0.75, alpha=0.35))
        canvas.translate(A4[0] / 2, A4[1] / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, -35, clean_text(document.watermark))
        canvas.restoreState()
        canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(GREY)
    page = f"page {canvas.getPageNumber()}" + (f" sur {total}" if total else "")
    canvas.drawString(MARGIN, 1.2 * cm, f"{clean_text(document.footer)} – {page}")
    if document.fingerprint:
        canvas.setFont("Helvetica", 7)
        canvas.drawString(MARGIN, 0.8 * cm, clean_text(document.fingerprint_line))
    canvas.restoreState()


def to_pdf(document: Document) -> bytes:
    if document.page_total or document.watermark or any(isinstance(b, TableOfContents) for b in document.blocks):
        return _contract_pdf(document)
    buffer = BytesIO()
    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=clean_text(document.title),
        author="CPOM",
        lang="fr-FR",
    )

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, 1.2 * cm, f"{clean_text(document.footer)} – page {doc.page}")
        canvas.restoreState()

    template.build([_flowable(block) for block in document.blocks], onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _contract_pdf(document: Document) -> bytes:
    """A long document: its table of contents, « page X sur Y », the watermark and the fingerprint on every page."""
    buffer = BytesIO()
    pages: dict[str, int] = {}
    template = ContractTemplate(
        buffer,
        pages=pages,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=clean_text(document.title),
        author="CPOM",
        lang="fr-FR",
    )
    flowables = []
    headings = {id(block): f"h{n}" for n, block in enumerate(document.contents())}
    for block in document.blocks:
        if isinstance(block, TableOfContents):
            flowables += [Paragraph("Sommaire", HEADINGS[0]), _contents(document, headings)]
            continue
        flowable = _flowable(block)
        if id(block) in headings:
            flowable.toc_key = headings[id(block)]
        flowables.append(flowable)
    template.build(flowables, canvasmaker=_page_canvas(document, pages))
    return buffer.getvalue()


def _contents(document: Document, headings: dict[int, str]) -> PdfTable:
    rows = [
        [
            Paragraph(markup(block.text), TOC_LEVELS[block.level - 1]),
            PageNumberOf(headings[id(block)], TOC_NUMBER_WIDTH),
        ]
        for block in document.contents()
    ]
    return PdfTable(
        rows or [["", ""]],
        colWidths=[USABLE_WIDTH - TOC_NUMBER_WIDTH - 12, TOC_NUMBER_WIDTH + 12],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LINEBELOW", (0, 0), (-1, -1), 0.25, GREY)]),
        hAlign="LEFT",
    )


def markup(text: str) -> str:
    """Plain text made safe for a Paragraph: control characters out, &, < and > escaped, line breaks kept."""
    return escape(clean_text(text)).replace("\n", "<br/>")


def _flowable(block):
    match block:
        case Heading():
            return Paragraph(markup(block.text), HEADINGS[block.level])
        case Text():
            prefix = f"<b>{markup(label(block.label))}</b> " if block.label else ""
            return Paragraph(prefix + markup(block.text), BODY)
        case Bullet():
            detail = (
                f'<br/><font size="8.5" color="#595959"><i>{markup(block.detail)}</i></font>' if block.detail else ""
            )
            return Paragraph(markup(block.text) + detail, BULLET, bulletText="–")
        case Banner():
            return Paragraph(markup(block.text), BANNER)
        case Table():
            return _table(block)
        case PageBreak():
            return PdfPageBreak()
        case Signature():
            lines = [Paragraph(markup(block.role), SIGNATURE_ROLE)]
            lines += [
                Paragraph(f"<b>{markup(line)}</b>" if n == 0 else markup(line), SIGNATURE_LINE)
                for n, line in enumerate(block.lines)
            ]
            return KeepTogether([*lines, Paragraph("Date et signature :", SIGNATURE_LINE), Spacer(1, 1.6 * cm)])
        case Image():
            picture = PdfImage(BytesIO(block.png), width=block.width_cm * cm, height=block.height_cm * cm)
            picture.hAlign = "LEFT"
            caption = [Paragraph(markup(block.caption), CAPTION)] if block.caption else []
            return KeepTogether([picture, *caption])


def _table(block: Table) -> PdfTable:
    total = sum(block.widths)
    widths = [USABLE_WIDTH * weight / total for weight in block.widths]
    rows = [[_cell(text, width, HEADER_CELL) for text, width in zip(block.header, widths, strict=True)]]
    rows += [[_cell(text, width, CELL) for text, width in zip(values, widths, strict=True)] for values in block.rows]
    return PdfTable(rows, colWidths=widths, repeatRows=1, style=TABLE_STYLE, hAlign="LEFT", spaceAfter=0.3 * cm)


def _cell(text: str, width: float, style: ParagraphStyle):
    """A cell's text: a plain string when it holds on one line (reportlab draws it at once), a Paragraph that wraps
    otherwise (laid out word by word, the cost of most of a long document)."""
    text = clean_text(text)
    if "\n" not in text and stringWidth(text, style.fontName, style.fontSize) <= width - 2 * CELL_PADDING:
        return text
    return Paragraph(markup(text), style)
