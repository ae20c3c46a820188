"""The grid's workbook without the database: its layout as the authority's grid, and the reading of a filled file."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from cpom.core.importing import DataImportError
from cpom.followup import sheet
from cpom.followup.sheet import SheetGrid, SheetLine, read_grid, write_grid
from support import with_bytes_replaced

pytestmark = pytest.mark.pure


def _line(n: int, **changes) -> SheetLine:
    values = {
        "key": f"L{n}",
        "strategic": "1 Prestations" if n < 3 else "2 Qualité",
        "operational": "1.1 Activité" if n < 2 else f"1.{n} Objectif",
        "due_offset": 2,
        "level": "EC",
        "indicator": f"Indicateur {n}",
        "category": "EHPAD",
        "situation": Decimal("96.1"),
        "situation_is_input": False,
        "target": "95",
        "details": "",
        "comment": "",
        "baseline": Decimal("91.5"),
        "values": {2024: Decimal("93.2"), 2025: Decimal("96.1")},
        "unit": "%",
    }
    return SheetLine(**{**values, **changes})


def _grid(lines=None) -> SheetGrid:
    lines = lines or [
        _line(0),
        _line(1),
        _line(2, situation=None, situation_is_input=True, indicator="Date de l'évaluation", target="30/06/2026"),
        _line(3),
    ]
    return SheetGrid(
        identity="campagne 7",
        title="CPOM-PDL-2024-049-07 – campagne 2026 (exercice 2025)",
        years=[2024, 2025],
        lines=lines,
        conclusions="Les parties constatent…",
        signatures=[("Etablissement", ""), ("ARS des Pays de la Loire", "")],
    )


def _normalise(key, text):
    if key == "L2":
        try:
            return date.fromisoformat("-".join(reversed(text.split("/")))).strftime("%d/%m/%Y")
        except ValueError:
            raise ValueError(f"« {text} » n'est pas une date au format JJ/MM/AAAA.") from None
    return text


def _filled(content: bytes, edit) -> bytes:
    workbook = load_workbook(BytesIO(content))
    edit(workbook.active)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def _column(label: str, ws) -> str:
    for cell in list(ws[sheet.HEADER_ROW]) + list(ws[sheet.GROUP_ROW]):
        if cell.value == label:
            return cell.column_letter
    raise AssertionError(label)


def test_the_workbook_is_laid_out_like_the_authoritys_grid():
    ws = load_workbook(BytesIO(write_grid(_grid()))).active
    assert ws.title == "Suivi du CPOM"
    assert ws["A2"].value == "Suivi du CPOM"
    assert [ws.cell(sheet.HEADER_ROW, c).value for c in range(3, 11)] == [
        "N",
        "N+1",
        "N+2",
        "N+3",
        "N+4",
        "R",
        "NR",
        "EC",
    ]
    assert ws["C5"].value == "Echéance" and ws["H5"].value == "Niveau de réalisation"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"C5:G5", "H5:J5", "A7:A9", "B8:B8"} - {"B8:B8"} <= merged  # strategic 1 spans its three lines
    assert "B7:B7" not in merged and "A10:A10" not in merged
    assert ws.print_title_rows == "$5:$6"
    assert ws.protection.sheet is True
    situation, comment = _column("Situation actuelle", ws), _column("Commentaires", ws)
    assert ws[f"{situation}9"].protection.locked is False  # the declared indicator
    assert ws[f"{situation}7"].protection.locked is True  # the engine's value
    assert ws[f"{comment}7"].protection.locked is False
    assert ws[f"{_column(sheet.DETAILS, ws)}7"].protection.locked is False
    assert ws[f"{_column('Indicateurs', ws)}7"].protection.locked is True
    assert ws[f"{_column('EC', ws)}7"].value == "X" and ws[f"{_column('N+2', ws)}7"].value == "X"
    assert ws[f"{_column('2025', ws)}7"].value == pytest.approx(96.1)
    key = _column(sheet.KEY, ws)
    assert ws.column_dimensions[key].hidden is True and ws[f"{key}7"].value == "L0"
    texts = [c.value for row in ws.iter_rows(min_row=11) for c in row if c.value]
    assert texts[:2] == ["ELEMENTS CONCLUSIFS PARTAGES", "Les parties constatent…"]
    assert {"Signature :", "Etablissement", "ARS des Pays de la Loire"} <= set(texts)


def test_filled_inputs_are_read_back_by_their_key():
    content = write_grid(_grid())

    def fill(ws):
        ws[f"{_column('Situation actuelle', ws)}9"] = date(2026, 5, 12)
        ws[f"{_column('Commentaires', ws)}10"] = "Écart expliqué par les travaux"

    read = read_grid(_filled(content, fill), "grille.xlsx", _grid().lines, _normalise)
    assert sheet.identity_of(content, "grille.xlsx") == "campagne 7"
    by_key = {line.key: line for line in read}
    assert by_key["L2"].situation == "12/05/2026" and by_key["L2"].row == 9
    assert by_key["L3"].comment == "Écart expliqué par les travaux"
    assert by_key["L0"].situation == "" and by_key["L0"].comment == ""


def test_a_grid_recomputed_since_the_export_is_not_an_edit():
    content = write_grid(_grid())
    today = [_line(0, values={2024: Decimal("93.2"), 2025: Decimal("97")}), *_grid().lines[1:]]
    assert len(read_grid(content, "grille.xlsx", today, _normalise)) == 4


def _problems(content, expected=None) -> list[str]:
    with pytest.raises(DataImportError) as refused:
        read_grid(content, "grille.xlsx", expected or _grid().lines, _normalise)
    return refused.value.problems


def test_a_computed_cell_edited_is_named():
    content = _filled(write_grid(_grid()), lambda ws: ws.__setitem__(f"{_column('Cible', ws)}8", "80"))
    [problem] = _problems(content)
    assert problem.startswith("feuille « Suivi du CPOM », ligne 8, colonne O (Cible) : cellule calculée par cpom")
    assert "« 80 » au lieu de « 95 »" in problem


def test_each_bad_cell_is_named_and_nothing_is_read():
    def spoil(ws):
        ws[f"{_column('Situation actuelle', ws)}9"] = 12
        ws[f"{_column('Commentaires', ws)}7"] = "bipBELL"
        ws[f"{_column(sheet.KEY, ws)}10"] = "L99"

    # openpyxl refuses to write a control character: the file gets it the way Excel stores one.
    problems = _problems(with_bytes_replaced(_filled(write_grid(_grid()), spoil), b"bipBELL", b"bip_x0007_"))
    assert problems == [
        "feuille « Suivi du CPOM », ligne 7, colonne P (Commentaires) : caractère de contrôle invisible dans la "
        "cellule : retapez le texte",
        "feuille « Suivi du CPOM », ligne 9, colonne M (Situation actuelle) : « 12 » n'est pas une date au format "
        "JJ/MM/AAAA.",
        "feuille « Suivi du CPOM », ligne 10, colonne T (Clé de ligne (ne pas modifier)) : ligne inconnue « L99 » : "
        "elle n'est pas dans la grille de cette campagne",
    ]


def test_a_missing_column_and_a_file_that_is_no_workbook():
    content = _filled(write_grid(_grid()), lambda ws: ws.delete_cols(16))
    assert _problems(content) == [
        "feuille « Suivi du CPOM », ligne 6 : colonne « Commentaires » absente : ne supprimez aucune colonne de la "
        "grille"
    ]
    [problem] = _problems(b"finess;annee\n")
    assert problem.startswith("ce classeur Excel (.xlsx) est illisible ou endommagé")
