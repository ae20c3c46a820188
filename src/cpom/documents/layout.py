"""A document as a list of blocks, written once and rendered both in Word (word.py) and in PDF (pdf.py)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 0 is the document's title


@dataclass(frozen=True)
class Text:
    """A paragraph; with a label, the label is written in bold before the text (« Pilotage : … »)."""

    text: str
    label: str = ""


@dataclass(frozen=True)
class Bullet:
    """An item of a list, with an optional line of details in smaller type."""

    text: str
    detail: str = ""


@dataclass(frozen=True)
class Banner:
    """A notice that must not be missed, such as « Fiche d'intention »."""

    text: str


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]
    widths: tuple[float, ...]  # relative widths of the columns


@dataclass(frozen=True)
class PageBreak:
    """The next block starts a new page (between two fiches of the annex)."""


@dataclass(frozen=True)
class TableOfContents:
    """The headings of levels 1 and 2 with their pages (Word: a TOC field beside the written list)."""


@dataclass(frozen=True)
class Signature:
    """A party's signature block: who signs (role), then the lines above the signature (« Pour … », title, name)."""

    role: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Image:
    """A PNG picture (a chart) drawn at ``width_cm``, its caption below: the caption says in words what the picture
    shows, for a reader who cannot see it (it is also the picture's alternative text in Word)."""

    png: bytes
    width_cm: float
    caption: str = ""

    @property
    def pixels(self) -> tuple[int, int]:
        """Width and height in pixels, read from the PNG's header (IHDR, right after the 8-byte signature)."""
        if self.png[:8] != b"\x89PNG\r\n\x1a\n" or self.png[12:16] != b"IHDR":
            raise ValueError("An Image block holds a PNG file.")
        return int.from_bytes(self.png[16:20], "big"), int.from_bytes(self.png[20:24], "big")

    @property
    def height_cm(self) -> float:
        width, height = self.pixels
        return self.width_cm * height / width


Block = Heading | Text | Bullet | Banner | Table | PageBreak | TableOfContents | Signature | Image


@dataclass
class Document:
    title: str
    footer: str  # printed at the bottom of every page, followed by the page number
    blocks: list[Block] = field(default_factory=list)
    watermark: str = ""  # printed across every page (« PROJET » on a draft)
    fingerprint: str = ""  # the content's SHA-256, printed in every page's footer
    page_total: bool = False  # « page X sur Y » rather than « page X »

    @property
    def fingerprint_line(self) -> str:
        return f"Empreinte SHA-256 : {self.fingerprint}" if self.fingerprint else ""

    def contents(self) -> list[Heading]:
        """The headings a table of contents lists."""
        return [b for b in self.blocks if isinstance(b, Heading) and b.level in (1, 2)]
