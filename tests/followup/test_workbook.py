"""The grid's Excel round trip on a real campaign: export, fill with openpyxl, preview, confirm, and the grid shows
it; every bad file refused with its cell named and nothing written; a stale preview refused (409)."""

import io
import zipfile
from io import BytesIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from cpom.audit.models import AuditEntry
from cpom.followup import services, sheet, workbook
from cpom.followup.grid import grid_for
from cpom.followup.models import GridEntry
from cpom.objectives.models import FollowUpIndicator, Target
from support import assert_stale, page_text, rows_of, with_bytes_replaced

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(followed):
    services.recompute(followed)
    return followed


def _columns(ws) -> dict[str, str]:
    found = {}
    for row in (sheet.GROUP_ROW, sheet.HEADER_ROW):
        for cell in ws[row]:
            if cell.value and cell.value not in found:
                found[cell.value] = cell.column_letter
    return found


def _rows_by_key(ws) -> dict[str, int]:
    key = _columns(ws)[sheet.KEY]
    return {
        ws[f"{key}{row}"].value: row for row in range(sheet.FIRST_LINE_ROW, ws.max_row + 1) if ws[f"{key}{row}"].value
    }


def _fill(content: bytes, edit) -> bytes:
    book = load_workbook(BytesIO(content))
    ws = book.active
    edit(ws, _columns(ws), _rows_by_key(ws))
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _declared_key(campaign) -> str:
    line = next(line for line in grid_for(campaign).lines if not line.computed)
    return workbook.line_key(line)


def _computed_key(campaign) -> str:
    return workbook.line_key(next(line for line in grid_for(campaign).lines if line.computed and line.category))


def _values(campaign):
    return sorted(
        GridEntry.objects.filter(campaign=campaign).values_list(
            "indicator_id", "category", "declared_value", "current_situation", "comment", "version"
        )
    )


def test_export_fill_import_and_the_grid_shows_it(campaign, users):
    declared, computed = _declared_key(campaign), _computed_key(campaign)

    def fill(ws, columns, rows):
        ws[f"{columns[sheet.SITUATION]}{rows[declared]}"] = "Oui"
        ws[f"{columns[sheet.DETAILS]}{rows[declared]}"] = "Adopté en conseil d'administration le 12 mars"
        ws[f"{columns[sheet.COMMENT]}{rows[computed]}"] = "Écart dû aux travaux de l'aile B"

    content = _fill(workbook.grid_workbook(campaign), fill)
    preview = workbook.preview_import(campaign, users["asso"], content, "grille.xlsx")
    assert {(c.column, c.old, c.new) for c in preview.changes} == {
        (sheet.SITUATION, "", "oui"),
        (sheet.DETAILS, "", "Adopté en conseil d'administration le 12 mars"),
        (sheet.COMMENT, "", "Écart dû aux travaux de l'aile B"),
    }
    assert GridEntry.objects.filter(campaign=campaign).exclude(comment="").count() == 0, "a preview writes nothing"
    assert workbook.confirm_import(campaign, users["asso"], preview.token) == 3
    grid = grid_for(campaign)
    lines = {workbook.line_key(line): line for line in grid.lines}
    assert lines[declared].value_of(2024).text == "oui"
    assert lines[declared].current_situation == "Adopté en conseil d'administration le 12 mars"
    assert lines[declared].assessment.level == "R", "the declared value meets its target « oui » at its due year"
    assert lines[computed].comment == "Écart dû aux travaux de l'aile B"
    audit = list(
        AuditEntry.objects.filter(action__startswith=f"Campagne {campaign.year} : ").values_list("action", flat=True)
    )
    assert f"Campagne {campaign.year} : grille importée du fichier grille.xlsx (3 cellules modifiées)" in audit
    assert sum("renseignée" in action for action in audit) == 2
    # Exported again, the file holds what was imported.
    ws = load_workbook(BytesIO(workbook.grid_workbook(campaign))).active
    columns, rows = _columns(ws), _rows_by_key(ws)
    assert ws[f"{columns[sheet.SITUATION]}{rows[declared]}"].value == "oui"
    assert ws[f"{columns[sheet.COMMENT]}{rows[computed]}"].value == "Écart dû aux travaux de l'aile B"


def test_the_exported_grid_has_the_merged_cells_the_protection_and_the_blocks(campaign):
    ws = load_workbook(BytesIO(workbook.grid_workbook(campaign))).active
    columns, rows = _columns(ws), _rows_by_key(ws)
    assert ws["A1"].value == "2 – Dialogue de gestion du CPOM" and ws["A2"].value == "Suivi du CPOM"
    merged = {str(r) for r in ws.merged_cells.ranges}
    last = sheet.FIRST_LINE_ROW + len(rows) - 1
    assert f"A{sheet.FIRST_LINE_ROW}:A{last}" in merged, "the one strategic objective spans every line"
    assert ws[f"A{sheet.FIRST_LINE_ROW}"].value == "1 Qualité"
    assert ws[f"B{sheet.FIRST_LINE_ROW}"].value == "1.1 Tenir"
    assert ws.protection.sheet and ws.print_title_rows == f"${sheet.GROUP_ROW}:${sheet.HEADER_ROW}"
    declared, computed = rows[_declared_key(campaign)], rows[_computed_key(campaign)]
    assert ws[f"{columns[sheet.SITUATION]}{declared}"].protection.locked is False
    assert ws[f"{columns[sheet.SITUATION]}{computed}"].protection.locked is True
    assert ws[f"{columns['2023']}{computed}"].protection.locked is True
    assert ws[f"{columns[sheet.COMMENT]}{computed}"].protection.locked is False
    assert ws.column_dimensions[columns[sheet.KEY]].hidden
    texts = {c.value for row in ws.iter_rows(min_row=last + 1) for c in row if c.value}
    authorities = {str(p.authority) for p in campaign.contract.parties.all() if p.authority_id}
    assert {"ELEMENTS CONCLUSIFS PARTAGES", "Signature :", "Etablissement", *authorities} <= texts
    # The engine's value of the reviewed year, as the grid holds it.
    line = next(line for line in grid_for(campaign).lines if workbook.line_key(line) == _computed_key(campaign))
    assert ws[f"{columns[sheet.SITUATION]}{computed}"].value == pytest.approx(
        float(line.value_of(2024).engine_value), abs=0.01
    )


def test_one_bad_cell_among_a_hundred_changes_nothing_and_is_named(campaign, users):
    objective = FollowUpIndicator.objects.filter(objective__contract=campaign.contract).first().objective
    for n in range(40):
        indicator = FollowUpIndicator.objects.create(
            objective=objective, label=f"Date de la réunion {n}", kind="moyens", value_type="date"
        )
        Target.objects.create(indicator=indicator, due_year=2, value="30/06/2024")
    services.recompute(campaign)
    before = _values(campaign)
    bad = {}

    def fill(ws, columns, rows):
        dated = [row for row in rows.values() if ws[f"{columns['Indicateurs']}{row}"].value.startswith("Date de")]
        for n, row in enumerate(rows.values()):
            ws[f"{columns[sheet.COMMENT]}{row}"] = f"Commentaire {n}"
            ws[f"{columns[sheet.DETAILS]}{row}"] = f"Précision {n}"
        for row in dated:
            ws[f"{columns[sheet.SITUATION]}{row}"] = "15/06/2024"
        bad["row"], bad["column"] = dated[20], columns[sheet.SITUATION]
        ws[f"{bad['column']}{bad['row']}"] = 42
        assert 2 * len(rows) + len(dated) > 100

    content = _fill(workbook.grid_workbook(campaign), fill)
    with pytest.raises(workbook.DataImportError) as refused:
        workbook.preview_import(campaign, users["asso"], content, "grille.xlsx")
    assert refused.value.problems == [
        f"feuille « Suivi du CPOM », ligne {bad['row']}, colonne {bad['column']} (Situation actuelle) : « 42 » n'est "
        "pas une date au format JJ/MM/AAAA."
    ]
    assert _values(campaign) == before


def test_a_computed_cell_edited_in_the_file_is_refused(campaign, users):
    computed = _computed_key(campaign)

    def edit(ws, columns, rows):
        ws[f"{columns['Cible']}{rows[computed]}"] = "10"
        ws[f"{columns[sheet.COMMENT]}{rows[computed]}"] = "Bien"

    content = _fill(workbook.grid_workbook(campaign), edit)
    with pytest.raises(workbook.DataImportError) as refused:
        workbook.preview_import(campaign, users["asso"], content, "grille.xlsx")
    [problem] = refused.value.problems
    assert "(Cible) : cellule calculée par cpom modifiée dans le fichier (« 10 » au lieu de « 50 »)" in problem


def test_a_grid_recomputed_since_the_export_still_imports(campaign, users):
    content = _fill(
        workbook.grid_workbook(campaign),
        lambda ws, columns, rows: ws.__setitem__(f"{columns[sheet.COMMENT]}{rows[_computed_key(campaign)]}", "Vu"),
    )
    Target.objects.filter(indicator__objective__contract=campaign.contract, value="50").update(value="60")
    preview = workbook.preview_import(campaign, users["asso"], content, "grille.xlsx")
    assert [c.new for c in preview.changes] == ["Vu"]


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (80 * 2**20) + b">")
    return out.getvalue()


def _bad_files(campaign, other):
    grid = workbook.grid_workbook(campaign)
    declared = _declared_key(campaign)
    exported = load_workbook(BytesIO(grid)).active
    row, key_column = _rows_by_key(exported)[declared], _columns(exported)[sheet.KEY]

    def edit(change):
        return _fill(grid, change)

    return {
        "pdf": (b"%PDF-1.7\n", "ce classeur Excel (.xlsx) est illisible ou endommagé"),
        "bombe": (_zip_bomb(), "une fois décompressé, ce classeur ferait 80 Mo, 64 Mo au plus"),
        "colonne": (
            edit(lambda ws, c, r: ws.delete_cols(column_index_from_string(c[sheet.COMMENT]))),
            "ligne 6 : colonne « Commentaires » absente",
        ),
        "clé": (
            edit(lambda ws, c, r: ws.__setitem__(f"{c[sheet.KEY]}{r[declared]}", "999999/EHPAD")),
            f"ligne {row}, colonne {key_column} (Clé de ligne (ne pas modifier)) : ligne inconnue « 999999/EHPAD »",
        ),
        "booléen": (
            edit(lambda ws, c, r: ws.__setitem__(f"{c[sheet.SITUATION]}{r[declared]}", 12)),
            "(Situation actuelle) : « 12 » : répondez par oui ou non.",
        ),
        "contrôle": (
            with_bytes_replaced(
                edit(lambda ws, c, r: ws.__setitem__(f"{c[sheet.COMMENT]}{r[declared]}", "bipBELL")),
                b"bipBELL",
                b"bip_x0007_",
            ),
            "(Commentaires) : caractère de contrôle invisible dans la cellule",
        ),
        "autre campagne": (workbook.grid_workbook(other), "ce classeur n'est pas la grille de la campagne 2025"),
    }


@pytest.fixture
def other(campaign):
    from cpom.followup.models import Campaign

    return Campaign.objects.create(
        contract=campaign.contract,
        year=2024,
        reviewed_year=2023,
        status=campaign.status,
        opened_on=campaign.opened_on,
        opened_by=campaign.opened_by,
        report_deadline=campaign.report_deadline,
    )


def test_each_bad_file_is_refused_in_french_on_the_page_naming_its_place(campaign, other, client_for):
    client = client_for("asso")
    url = reverse("followup:grid_import", args=[campaign.contract.pk, campaign.pk])
    before = _values(campaign)
    for name, (content, expected) in _bad_files(campaign, other).items():
        upload = io.BytesIO(content)
        upload.name = f"{name}.xlsx"
        response = client.post(url, {"file": upload})
        assert response.status_code == 400, name
        text = page_text(response)
        assert f"Fichier {name}.xlsx refusé, rien n'a été importé" in text, name
        assert expected in text, (name, text[-600:])
    assert _values(campaign) == before


def test_the_pages_download_preview_confirm_and_a_stale_preview_is_refused(campaign, client_for, users):
    client = client_for("asso")
    contract = campaign.contract
    download = client.get(reverse("followup:grid_download", args=[contract.pk, campaign.pk]))
    assert download["Content-Disposition"].endswith(f'suivi-{contract.reference}-2025.xlsx"')
    computed = _computed_key(campaign)
    content = _fill(
        download.content,
        lambda ws, columns, rows: ws.__setitem__(f"{columns[sheet.COMMENT]}{rows[computed]}", "Vu en comité"),
    )
    upload = io.BytesIO(content)
    upload.name = "grille.xlsx"
    preview = client.post(reverse("followup:grid_import", args=[contract.pk, campaign.pk]), {"file": upload})
    rows = rows_of(preview, "//table[@data-testid='grid-changes']/tbody")
    assert len(rows) == 1 and rows[0][2:] == ["Commentaires", "(vide)", "Vu en comité"]
    token = preview.context["preview"].token
    confirm = reverse("followup:grid_import_confirm", args=[contract.pk, campaign.pk])
    # Meanwhile the same line is changed on the page: the preview is stale.
    entry = GridEntry.objects.get(
        campaign=campaign, indicator_id=int(computed.split("/")[0]), category=computed.split("/")[1]
    )
    services.save_entry(campaign, users["asso"], entry.pk, {"comment": "Écrit sur la page"}, entry.version)
    assert_stale(client.post(confirm, {"token": token}))
    entry.refresh_from_db()
    assert entry.comment == "Écrit sur la page"
    # Imported again, it goes through.
    upload.seek(0)
    preview = client.post(reverse("followup:grid_import", args=[contract.pk, campaign.pk]), {"file": upload})
    done = client.post(confirm, {"token": preview.context["preview"].token}, follow=True)
    assert "Grille importée : 1 cellule enregistrée." in page_text(done)
    entry.refresh_from_db()
    assert entry.comment == "Vu en comité"


def test_only_the_managing_body_imports_and_outsiders_see_nothing(campaign, client_for):
    contract = campaign.contract
    ars = client_for("ars")
    assert ars.get(reverse("followup:grid_import", args=[contract.pk, campaign.pk])).status_code == 403
    assert ars.get(reverse("followup:grid_download", args=[contract.pk, campaign.pk])).status_code == 200
    outsider = client_for("ehpad")
    assert outsider.get(reverse("followup:grid_download", args=[contract.pk, campaign.pk])).status_code == 404


def test_the_commands_write_the_grid_and_import_it(campaign, tmp_path, capsys):
    path = tmp_path / "grille.xlsx"
    call_command("suivi", "grille", campaign.contract.reference, "--annee", "2025", "--sortie", str(path))
    computed = _computed_key(campaign)
    path.write_bytes(
        _fill(path.read_bytes(), lambda ws, c, r: ws.__setitem__(f"{c[sheet.COMMENT]}{r[computed]}", "Par la commande"))
    )
    out = io.StringIO()
    call_command("suivi", "importer-grille", str(path), "--utilisateur", "asso", stdout=out)
    assert "1 cellule(s) à changer" in out.getvalue() and "relancez avec --confirmer" in out.getvalue()
    assert not GridEntry.objects.filter(campaign=campaign, comment="Par la commande").exists()
    call_command("suivi", "importer-grille", str(path), "--utilisateur", "asso", "--confirmer", stdout=io.StringIO())
    assert GridEntry.objects.filter(campaign=campaign, comment="Par la commande").count() == 1
    with pytest.raises(CommandError, match="Seules les parties|autorité confirme"):
        call_command("suivi", "importer-grille", str(path), "--utilisateur", "ars", stdout=io.StringIO())


def test_the_sealed_workbook_is_written_from_the_signed_snapshot_alone(campaign, users):
    from cpom.followup.snapshot import grid_snapshot, sealed_kinds

    computed = _computed_key(campaign)
    entry = GridEntry.objects.get(
        campaign=campaign, indicator_id=int(computed.split("/")[0]), category=computed.split("/")[1]
    )
    services.save_entry(campaign, users["asso"], entry.pk, {"comment": "Tel que signé"}, entry.version)
    signed = grid_snapshot(grid_for(campaign))
    entry.refresh_from_db()
    services.save_entry(campaign, users["asso"], entry.pk, {"comment": "Écrit après"}, entry.version)
    [kind] = [k for k in sealed_kinds() if k.kind == "grille-xlsx"]
    name, content = kind.writer(signed)
    assert name == f"suivi-{campaign.contract.reference}-2025.xlsx"
    ws = load_workbook(BytesIO(content)).active
    assert ws[f"{_columns(ws)[sheet.COMMENT]}{_rows_by_key(ws)[computed]}"].value == "Tel que signé"
