"""Accounting files pushed through the API: the page's form, rule and confirmation service in one step; a refused
file or field is a French problem naming its line or field, and nothing is written."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from api_support import api_client
from api_writing import pointed, problem
from cpom.access import Role
from cpom.audit.models import AuditEntry
from cpom.indicators.models import DataValue, ImportBatch
from finance.accounting.test_import_pages import EHPAD, FEC, IME, YEAR
from support import element, rows_of, text_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/accounting-imports/"


def _send(user, content=FEC, name="ecritures.txt", **fields):
    data = {"kind": "FEC", "target": f"etablissement:{IME}", "year": YEAR, **fields}
    if content is not None:
        data["file"] = SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)
    return api_client(user).post(URL, data, format="multipart")


def _counts():
    return DataValue.objects.count(), ImportBatch.objects.count()


def test_the_managing_body_imports_a_fec_and_the_report_page_shows_it(client_for, users):
    answer = _send(users["asso"])
    assert answer.status_code == 201
    report = answer.json()
    assert {k: report[k] for k in ("file_name", "kind", "finess", "year", "lines", "accounts")} == {
        "file_name": "ecritures.txt",
        "kind": "FEC",
        "finess": IME,
        "year": YEAR,
        "lines": 6,
        "accounts": 7,
    }
    stored = DataValue.objects.get(establishment__finess=IME, year=YEAR, element="compte:411000")
    assert stored.value == Decimal("80000") and stored.batch_id == report["batch"]
    page = client_for("asso").get(reverse("finance:import_report", kwargs={"batch_id": report["batch"]}))
    assert text_of(element(page, '//dd[@data-testid="written"]')) == "7 comptes"
    assert ["735100", "−80\u00a0000,00\u00a0€"] in rows_of(page, '//table[@data-testid="report-balances"]')
    audited = AuditEntry.objects.get(action__startswith="Import FEC ecritures.txt : 7 soldes de comptes")
    assert audited.user == users["asso"]


def test_a_trial_balance_is_accepted_as_on_the_page(users):
    content = "Compte;Libellé;Débit;Crédit\n606100;Électricité;1 200,50;0\n735100;Dotation;0;1200,50\n"
    answer = _send(users["asso"], content.encode("cp1252"), "balance.csv", kind="balance générale")
    assert answer.status_code == 201 and (answer.json()["kind"], answer.json()["accounts"]) == ("balance générale", 2)


@pytest.mark.parametrize(
    ("change", "pointer", "words"),
    [
        ({"content": FEC.replace("|20260131|", "|20260231|", 1)}, "#/file", "ligne 4, colonne EcritureDate"),
        ({"content": FEC.replace("CompteNum", "Compte", 1)}, "#/file", "colonne inconnue « Compte » pour un FEC"),
        ({"content": b"PK\x03\x04 pas un classeur", "name": "balance.xlsx", "kind": "balance générale"}, "#/file", ""),
        ({"year": 1850}, "#/year", ""),
        ({"year": 2025}, "#/file", "hors de l'exercice (du 01/01/2025 au 31/12/2025)"),
        ({"content": None}, "#/file", "Choisissez le fichier à importer."),
        ({"target": f"etablissement:{EHPAD}"}, "#/target", "Sélectionnez un choix valide"),
        ({"kind": "PDF"}, "#/kind", "Sélectionnez un choix valide"),
        ({"exercice": "2026"}, "#/exercice", "Champ inconnu"),
    ],
)
def test_a_bad_file_or_field_names_its_place_and_nothing_is_written(users, change, pointer, words):
    before = _counts()
    body = problem(_send(users["asso"], **change), 400)
    assert words in pointed(body)[pointer] and pointed(body)[pointer], pointed(body)
    assert "rien n'a été enregistré" in body["detail"]
    assert _counts() == before


def test_a_file_over_the_bound_is_refused_naming_it(users, settings):
    settings.CPOM_MAX_UPLOAD_BYTES = 2**20
    before = _counts()
    body = problem(_send(users["asso"], FEC * 5000), 400)
    assert pointed(body)["#/file"] == (
        "Le fichier ecritures.txt dépasse 1 Mo : exportez un exercice ou un établissement à la fois."
    )
    assert _counts() == before


@pytest.mark.parametrize("who", ["ars", "read_only"])
def test_those_the_page_refuses_get_a_403_and_nothing_is_written(users, who):
    user = users["asso"] if who == "read_only" else users[who]
    if who == "read_only":
        user.membership.role = Role.READ
        user.membership.save(update_fields=["role"])
    before = _counts()
    body = problem(_send(user), 403)
    assert body["detail"].startswith("L'import des comptes est réservé à l'organisme gestionnaire")
    assert _counts() == before
