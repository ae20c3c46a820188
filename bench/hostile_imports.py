"""Hostile and awkward import files: how long they hold a worker and how much memory they take.

    .venv/bin/python bench/hostile_imports.py [--fec-megabytes 200]

1. A small workbook whose sheet declares two million empty rows (a few hundred kilobytes zipped).
2. A small workbook whose shared-strings table holds three and a half million strings.
3. A valid FEC of about 200 MB, with and without one lone carriage return inside a label, then with one line
   missing a field near the end.

Each file goes through the reader a person's upload goes through (trial balance for the workbooks, FEC for the
FEC), in a fresh process, so that the peak memory (ru_maxrss) is that file's alone. Each figure is printed as
``bench: NAME VALUE UNIT``; the outcome (read or refused, and the first words of the refusal) is printed beside.
"""

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fec_import import YEAR, generate_fec  # noqa: E402 - the realistic FEC generator of the FEC bench

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Balance" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>compte</t></is></c><c r="B1" t="inlineStr"><is><t>libelle</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>debit</t></is></c><c r="D1" t="inlineStr"><is><t>credit</t></is></c></row>'
)


def workbook(sheet_rows: bytes, shared_strings: bytes = b"") -> bytes:
    """An .xlsx from the raw XML of its first sheet's rows and of its shared-strings items."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", ROOT_RELS)
        package.writestr("xl/workbook.xml", WORKBOOK)
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        package.writestr(
            "xl/worksheets/sheet1.xml",
            b"<worksheet " + MAIN.encode() + b"><sheetData>" + sheet_rows + b"</sheetData></worksheet>",
        )
        package.writestr("xl/sharedStrings.xml", b"<sst " + MAIN.encode() + b">" + shared_strings + b"</sst>")
    return out.getvalue()


def empty_rows_workbook(rows: int = 2_000_000) -> bytes:
    return workbook(HEADER_ROW.encode() + b"".join(b'<row r="%d"/>' % n for n in range(2, rows + 2)))


def shared_strings_workbook(strings: int = 3_500_000) -> bytes:
    """Just under cpom's bound on the unzipped size (64 MB), so that the count of strings is what refuses it."""
    return workbook(HEADER_ROW.encode(), b"<si><t>x</t></si>" * strings)


# --- One file through its reader, in a fresh process ---------------------------------------------------------------


def run_reader(kind: str, path: Path) -> None:
    import django

    django.setup()
    from cpom.core.importing import DataImportError
    from cpom.finance.accounting import services as imports
    from cpom.finance.accounting.fec import FiscalYear

    started = time.perf_counter()
    try:
        balance = imports.read(path.read_bytes(), path.name, kind, FiscalYear.calendar(YEAR))
        outcome = f"lu : {len(balance.accounts)} comptes"
    except DataImportError as refusal:
        outcome = "refusé : " + str(refusal).replace("\n", " ")[:160]
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"outcome: {outcome}", flush=True)
    print(f"run: {wall:.3f} {peak:.0f}", flush=True)


def measure(name: str, kind: str, path: Path) -> None:
    output = subprocess.run(
        [sys.executable, __file__, "--read", kind, str(path)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    outcome = next(line[9:] for line in output.splitlines() if line.startswith("outcome: "))
    wall, peak = next(line[5:] for line in output.splitlines() if line.startswith("run: ")).split()
    print(f"{name} ({path.stat().st_size / 1e3:.0f} Ko) : {outcome}", flush=True)
    print(f"bench: {name}_wall {wall} s")
    print(f"bench: {name}_peak_memory {peak} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fec-megabytes", type=int, default=200, help="0: the workbooks only")
    parser.add_argument("--read", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cpom.config.settings")
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("CPOM_VAR_DIR", folder)
        if args.read:
            return run_reader(args.read[0], Path(args.read[1]))
        folder = Path(folder)
        rows = folder / "balance-deux-millions-de-lignes.xlsx"
        rows.write_bytes(empty_rows_workbook())
        measure("workbook_empty_rows", "balance générale", rows)
        strings = folder / "balance-chaines-partagees.xlsx"
        strings.write_bytes(shared_strings_workbook())
        measure("workbook_shared_strings", "balance générale", strings)
        if not args.fec_megabytes:
            return None
        fec = folder / f"999000107FEC{YEAR}1231.txt"
        generate_fec(fec, args.fec_megabytes * 1_000_000 // 160)  # about 160 bytes a line
        measure("fec_valid", "FEC", fec)
        content = fec.read_bytes()
        middle = content.index(b"|Banque|", len(content) // 2)
        fec.write_bytes(content[:middle] + b"|Ban\rque|" + content[middle + len(b"|Banque|") :])
        measure("fec_lone_carriage_return", "FEC", fec)
        end = content.rindex(b"\n", 0, len(content) - 1000)
        fec.write_bytes(content[: content.rindex(b"|", 0, end)] + content[end:])
        measure("fec_short_line_near_the_end", "FEC", fec)
    return None


if __name__ == "__main__":
    main()
