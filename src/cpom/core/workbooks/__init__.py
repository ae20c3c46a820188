"""Excel workbooks (.xlsx), both ways and with no Django: an upload read within bounds the file cannot raise
(:mod:`.reading`), and an export whose texts are texts, never formulas (:mod:`.writing`)."""

from .reading import UNREADABLE, WorkbookRefused, check, first_sheet_rows
from .writing import append, sheet_title, write

__all__ = ["UNREADABLE", "WorkbookRefused", "append", "check", "first_sheet_rows", "sheet_title", "write"]
