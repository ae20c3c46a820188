"""Reading the first sheet of an uploaded Excel workbook (.xlsx) without letting the file decide the cost.

An .xlsx is a zip of XML parts, and openpyxl trusts them: a few hundred kilobytes can declare two million
rows, a sheet sixteen thousand columns wide, or a table of millions of shared strings loaded before the first
row is read. So, before openpyxl parses anything, the zip's directory is read (the sizes it declares bound what
zipfile will ever inflate) and each part's XML is counted cheaply (rows, cells, shared strings, the sheet's
declared dimension); a workbook beyond the bounds is refused with what to do about it. Reading then asks
openpyxl for at most the bounded rows and columns, so that a row numbered a million or a cell in column XFD
costs nothing either. No Django here: the callers turn :class:`WorkbookRefused` into their own import error.
"""

import io
import re
import zipfile
from collections.abc import Iterator

from openpyxl import load_workbook

from cpom.core.numbers import grouped

# A trial balance has a few thousand accounts, the indicator template a few hundred elements: the bounds leave
# a wide margin above real files and keep the worst accepted workbook to a few seconds of reading.
MAX_ROWS = 100_000
MAX_COLUMNS = 50  # wider columns are not read (their cells still count)
MAX_CELLS = 1_000_000
MAX_SHARED_STRINGS = 500_000
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_PARTS = 1_000

# What may follow an element's name in its start tag; a namespace prefix (« <x:row ») is counted apart.
_NAME_ENDS = (b" ", b">", b"/", b"\t", b"\n", b"\r")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\s[^>]*?\bref=[\"']([^\"']*)[\"']")
_LAST_ROW = re.compile(rb"[A-Za-z]{1,3}([0-9]{1,9})$")


class WorkbookRefused(Exception):
    """Why a workbook is not read, in French, without the file's name (the caller names it)."""


UNREADABLE = "ce classeur Excel (.xlsx) est illisible ou endommagé"


def _count(number: int) -> str:
    return grouped(number, 0)


def _members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    if len(members) > MAX_PARTS:
        raise WorkbookRefused(
            f"ce classeur contient {_count(len(members))} fichiers internes, {_count(MAX_PARTS)} au plus"
        )
    declared = sum(member.file_size for member in members)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookRefused(
            f"une fois décompressé, ce classeur ferait {_count(round(declared / 2**20))} Mo, "
            f"{MAX_UNCOMPRESSED_BYTES // 2**20} Mo au plus : enregistrez les seules données à importer, "
            "sans mise en forme ni feuilles annexes"
        )
    return members


def _declared_rows(xml: bytes) -> int:
    """The last row a sheet's ``<dimension ref="A1:E2000001"/>`` declares (0 when absent)."""
    found = _DIMENSION.search(xml, 0, 4096)
    last = _LAST_ROW.search(found.group(1)) if found else None
    return int(last.group(1)) if last else 0


def _too_many(what: str, found: int, bound: int) -> WorkbookRefused:
    return WorkbookRefused(
        f"ce classeur compte {_count(found)} {what}, {_count(bound)} au plus : enregistrez les seules données à importer "
        "dans un nouveau classeur, sans lignes vides mises en forme en dessous"
    )


def _occurrences(name: bytes, xml: bytes) -> int:
    """Start tags of the element ``name`` in a part: bytes.count in C, no copy, no object per match."""
    found = sum(xml.count(b"<" + name + end) for end in _NAME_ENDS)
    if b":" + name in xml:
        found += sum(1 for _ in re.finditer(rb"<[\w.-]+:" + name + rb"[\s/>]", xml))
    return found


COUNTED = (
    (b"row", "lignes", MAX_ROWS),
    (b"c", "cellules", MAX_CELLS),
    (b"si", "textes différents", MAX_SHARED_STRINGS),
)


def check(content: bytes) -> None:
    """Refuses, before any parsing, a workbook whose parts or counts exceed the bounds."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        totals = dict.fromkeys((name for name, _, _ in COUNTED), 0)
        for member in _members(archive):
            if not member.filename.endswith(".xml"):
                continue
            xml = archive.read(member)
            declared = _declared_rows(xml)
            if declared > MAX_ROWS:
                raise _too_many("lignes déclarées", declared, MAX_ROWS)
            for name, what, bound in COUNTED:
                totals[name] += _occurrences(name, xml)
                if totals[name] > bound:
                    raise _too_many(what, totals[name], bound)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError):
        raise WorkbookRefused(UNREADABLE) from None


def first_sheet_rows(content: bytes) -> Iterator[list]:
    """The values of the first sheet, row by row (row 1 first, gaps as empty rows), at most MAX_COLUMNS wide.

    Raises WorkbookRefused before reading when :func:`check` refuses, and while reading when the sheet turns
    out unreadable or longer than MAX_ROWS (row numbers far below the data, which no count can see).
    """
    check(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - a damaged workbook fails inside openpyxl in many ways (zip, XML, styles)
        raise WorkbookRefused(UNREADABLE) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the declared dimension is the file's word: only the cells themselves count
        for number, row in enumerate(
            sheet.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True), start=1
        ):
            if number > MAX_ROWS:
                raise _too_many("lignes au moins", number, MAX_ROWS)
            yield list(row)
    except WorkbookRefused:
        raise
    except Exception:  # noqa: BLE001 - see above: the sheet's XML is parsed only now
        raise WorkbookRefused(UNREADABLE) from None
    finally:
        workbook.close()
