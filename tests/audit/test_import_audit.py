"""Every import is in the audit journal: who, when, which file, which establishment-year, and the values it
replaced (before) beside the ones it wrote (after), on screen and on the command line."""

import getpass
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from cpom.audit.models import AuditEntry
from cpom.finance.accounting import fec
from cpom.indicators.catalogues import load_elements
from cpom.indicators.models import DataValue, ImportBatch
from cpom.registry.models import Establishment

IME = "440005015"
HEADER = "|".join(fec.LEGAL_COLUMNS)
FEC = (
    "\n".join(
        [
            HEADER,
            "AC|Achats|1|20300115|606100|Électricité|||F1|20300115|EDF|1200,50|0,00|||20300120||EUR",
            "AC|Achats|1|20300115|401000|Fournisseurs|||F1|20300115|EDF|0,00|1200,50|||20300120||EUR",
        ]
    )
    + "\n"
)
NEW_BALANCES = {"compte:401000": "-1200.50", "compte:606100": "1200.50", "compte:129": "1200.50"}


@pytest.fixture
def ime(db):
    return Establishment.objects.get(finess=IME)


@pytest.fixture
def earlier_balances(ime):
    """What the establishment-year held before: two balances an earlier import wrote."""
    batch = ImportBatch.objects.create(file_name="ancien.txt", kind="FEC", rows=2)
    DataValue.objects.create(
        establishment=ime, year=2030, element="compte:606100", value=Decimal("999.99"), batch=batch
    )
    DataValue.objects.create(establishment=ime, year=2030, element="compte:6288", value=Decimal("12"), batch=batch)
    return batch


def _entry_of(batch: ImportBatch) -> AuditEntry:
    return AuditEntry.objects.get(object_type="indicators.importbatch", object_id=str(batch.pk))


def _amounts(balances: dict) -> dict:
    """The journal's amounts (JSON text) as numbers, with the replaced ones' « valeur »."""
    return {
        element: Decimal(value["valeur"] if isinstance(value, dict) else value) for element, value in balances.items()
    }


def test_an_import_on_screen_keeps_the_replaced_balances_and_says_who(
    client_for, users, settings, tmp_path, earlier_balances
):
    settings.VAR_DIR = tmp_path
    client = client_for("asso")
    client.post(
        reverse("finance:import_start"),
        {
            "kind": "FEC",
            "target": f"etablissement:{IME}",
            "year": 2030,
            "file": SimpleUploadedFile("ecritures-2030.txt", FEC.encode()),
        },
    )
    client.post(reverse("finance:import_confirm"))
    batch = ImportBatch.objects.get(file_name="ecritures-2030.txt")
    entry = _entry_of(batch)
    assert entry.user == users["asso"] and entry.organisation_label == "Association Les Chemins de Loire"
    assert entry.action == (
        "Import FEC ecritures-2030.txt : 3 soldes de comptes pour IME Les Grands Chênes (440005015), exercice 2030, "
        "2 soldes remplacés"
    )
    assert entry.before["etablissement"] == IME and entry.before["annee"] == 2030
    assert _amounts(entry.before["soldes"]) == {"compte:606100": Decimal("999.99"), "compte:6288": Decimal("12")}
    assert {v["import"] for v in entry.before["soldes"].values()} == {earlier_balances.pk}
    assert _amounts(entry.after["soldes"]) == {k: Decimal(v) for k, v in NEW_BALANCES.items()}
    assert (entry.after["fichier"], entry.after["type"], entry.after["par"]) == ("ecritures-2030.txt", "FEC", "asso")


def test_an_import_on_the_command_line_is_journaled_with_the_system_account(tmp_path, earlier_balances):
    path = tmp_path / "balance-2030.csv"
    path.write_text("compte;libelle;debit;credit\n606100;Électricité;300,00;0\n401000;Fournisseurs;0;300,00\n")
    call_command("finance", "importer-balance", str(path), "--finess", IME, "--annee", "2030", stdout=io.StringIO())
    entry = _entry_of(ImportBatch.objects.get(file_name="balance-2030.csv"))
    assert entry.user is None
    assert entry.after["par"] == f"ligne de commande (compte système {getpass.getuser()})"
    assert entry.action.startswith(
        "Import balance générale balance-2030.csv : 3 soldes de comptes pour IME Les Grands Chênes"
    )
    assert _amounts(entry.before["soldes"]) == {"compte:606100": Decimal("999.99"), "compte:6288": Decimal("12")}
    assert _amounts(entry.after["soldes"])["compte:606100"] == Decimal("300")


def test_a_first_import_has_nothing_before(tmp_path, ime):
    path = tmp_path / "fec-2031.txt"
    path.write_text(FEC.replace("2030", "2031"))
    call_command("finance", "importer-fec", str(path), "--finess", IME, "--annee", "2031", stdout=io.StringIO())
    entry = _entry_of(ImportBatch.objects.get(file_name="fec-2031.txt"))
    assert entry.before["soldes"] == {} and not entry.action.endswith("remplacés")


def test_an_indicator_data_import_keeps_the_values_it_replaced(tmp_path, ime):
    load_elements()
    first = tmp_path / "donnees.csv"
    first.write_text(f"finess;annee;element;valeur\n{IME};2030;jours_ouverture;200\n")
    call_command("indicateurs", "importer-donnees", str(first), stdout=io.StringIO())
    second = tmp_path / "donnees-corrigees.csv"
    second.write_text(
        f"finess;annee;element;valeur\n{IME};2030;jours_ouverture;210\n{IME};2030;journees_realisees;9000\n"
    )
    call_command("indicateurs", "importer-donnees", str(second), stdout=io.StringIO())
    earlier = ImportBatch.objects.get(file_name="donnees.csv")
    entry = _entry_of(ImportBatch.objects.get(file_name="donnees-corrigees.csv"))
    assert (
        entry.action
        == "Import CSV long donnees-corrigees.csv : 2 valeurs (1 nouvelle, 1 remplacée) pour 440005015 (2030)"
    )
    assert _amounts(entry.before["valeurs"]) == {f"{IME} 2030 jours_ouverture": Decimal("200")}
    assert entry.before["valeurs"][f"{IME} 2030 jours_ouverture"]["import"] == earlier.pk
    assert _amounts(entry.after["valeurs"]) == {
        f"{IME} 2030 jours_ouverture": Decimal("210"),
        f"{IME} 2030 journees_realisees": Decimal("9000"),
    }
    assert entry.after["porteurs"] == ["440005015 (2030)"] and entry.after["par"].startswith("ligne de commande")


def test_an_excel_template_import_is_journaled(tmp_path, ime):
    load_elements()
    workbook = Workbook()
    sheet = workbook.active
    for row in (
        ["FINESS", IME],
        ["Année", 2030],
        [],
        ["code", "libelle", "unite", "valeur"],
        ["jours_ouverture", "Jours", "jours", 205],
    ):
        sheet.append(row)
    path = tmp_path / "modele-440005015.xlsx"
    workbook.save(path)
    call_command("indicateurs", "importer-donnees", str(path), stdout=io.StringIO())
    entry = _entry_of(ImportBatch.objects.get(file_name="modele-440005015.xlsx"))
    assert entry.action.startswith("Import modèle Excel modele-440005015.xlsx : 1 valeur (1 nouvelle, 0 remplacée)")
    assert _amounts(entry.after["valeurs"]) == {f"{IME} 2030 jours_ouverture": Decimal("205")}
