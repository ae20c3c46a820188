"""Indicator data pushed through the API: the file import's all-or-nothing check, JSON rows or the same file,
each problem pointed at its row and field; only the establishments' managing body (or the platform) sends them."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from api_support import api_client
from api_writing import pointed, problem
from cpom.access import Role
from cpom.audit.models import AuditEntry
from cpom.indicators.models import DataValue, ImportBatch, IndicatorValue
from cpom.registry.models import Establishment
from support import page_text

pytestmark = pytest.mark.django_db

IME = "440005015"
URL = "/api/v1/indicator-data/"


def _row(**changes) -> dict:
    return {"finess": IME, "year": 2025, "element": "journees_realisees", "value": "12 345,5", **changes}


def _stored(year=2025, element="journees_realisees"):
    return (
        DataValue.objects.filter(establishment__finess=IME, year=year, element=element)
        .values_list("value", flat=True)
        .first()
    )


def _nothing_written(before):
    assert _stored() == before and not ImportBatch.objects.filter(kind="API (JSON)").exists()


def test_the_managing_body_sends_rows_and_the_indicator_page_shows_them(client_for, users):
    answer = api_client(users["asso"]).post(
        URL, {"rows": [_row(), _row(element="jours_ouverture", value=210)]}, format="json"
    )
    assert answer.status_code == 201
    assert {k: answer.json()[k] for k in ("source", "kind", "rows", "updated")} == {
        "source": "envoi par l'API",
        "kind": "API (JSON)",
        "rows": 2,
        "updated": 2,
    }
    assert float(_stored()) == 12345.5
    occupancy = IndicatorValue.objects.get(establishment__finess=IME, year=2025, indicator__code="i-25")
    panel = client_for("ars").get(
        reverse("indicators:detail", kwargs={"finess": IME, "indicator_id": occupancy.indicator_id, "year": 2025})
    )
    assert "journees_realisees 12\u00a0346\u00a0jours envoi par l'API, importé le" in page_text(panel)
    assert "envoi par l'API, importé le" in page_text(panel) and "(Claire Martin)" in page_text(panel)
    audited = AuditEntry.objects.get(action__startswith="Import API (JSON) envoi par l'API : 2 valeurs")
    assert audited.user == users["asso"] and "(0 nouvelle, 2 remplacées) pour 440005015 (2025)" in audited.action


def test_the_same_csv_file_is_accepted_as_multipart(users):
    csv = f"finess;annee;element;valeur\n{IME};2025;journees_realisees;9 000,5\n".encode()
    answer = api_client(users["asso"]).post(
        URL, {"file": SimpleUploadedFile("donnees.csv", csv, "text/csv")}, format="multipart"
    )
    assert answer.status_code == 201 and answer.json()["kind"] == "CSV long"
    assert float(_stored()) == 9000.5


@pytest.mark.parametrize(
    ("row", "pointer", "words"),
    [
        (_row(element="jours_feries"), "#/rows/1/element", "donnée inconnue « jours_feries »"),
        (_row(year=1850), "#/rows/1/year", "année invalide « 1850 »"),
        (_row(value="douze"), "#/rows/1/value", "valeur non numérique « douze »"),
        (_row(element="jours\x00ouverture"), "#/rows/1/element", "donnée inconnue"),
        (_row(finess="440000000"), "#/rows/1/finess", "établissement inconnu « 440000000 »"),
        ({"finess": IME, "year": 2025, "value": 3}, "#/rows/1/element", "champ absent"),
        ({**_row(), "annee": 2025}, "#/rows/1/annee", "champ inconnu"),
        (_row(), "#/rows/1/element", "doublon : 440005015, 2025, journees_realisees figure déjà #/rows/0"),
        ("ligne", "#/rows/1", "dictionnaire"),
    ],
)
def test_a_bad_row_names_its_row_and_field_and_nothing_is_written(users, row, pointer, words):
    before = _stored()
    answer = api_client(users["asso"]).post(URL, {"rows": [_row(value=1), row]}, format="json")
    body = problem(answer, 400)
    assert words in pointed(body)[pointer], pointed(body)
    assert "rien n'a été enregistré" in body["detail"]
    _nothing_written(before)


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"finess;annee;valeur\n440005015;2025;3\n", "donnees.csv", "colonne absente element"),
        (f"finess;annee;element;valeur\n{IME};1850;jours_ouverture;3\n".encode(), "d.csv", "ligne 2, colonne annee"),
        (b"\xff\xfe not utf-8", "donnees.csv", "pas encodé en UTF-8"),
        (b"PK\x03\x04 not a workbook", "modele.xlsx", ""),
    ],
)
def test_a_malformed_file_is_refused_whole_naming_its_line(users, content, name, words):
    before = _stored()
    answer = api_client(users["asso"]).post(URL, {"file": SimpleUploadedFile(name, content)}, format="multipart")
    body = problem(answer, 400)
    assert words in pointed(body)["#/file"] and pointed(body)["#/file"]
    assert _stored() == before and not ImportBatch.objects.filter(file_name=name).exists()


def test_a_body_without_rows_is_refused_naming_the_field(users):
    body = problem(api_client(users["asso"]).post(URL, {"lignes": [_row()]}, format="json"), 400)
    assert pointed(body)["#/rows"].startswith("Envoyez les lignes dans « rows »")
    body = problem(api_client(users["asso"]).post(URL, {"rows": [_row()], "lignes": []}, format="json"), 400)
    assert "Champ inconnu" in pointed(body)["#/lignes"]
    body = problem(api_client(users["asso"]).post(URL, {"rows": []}, format="json"), 400)
    assert pointed(body)["#/rows"] == "« rows » : aucune ligne de données."


def test_another_body_s_establishment_is_refused_and_nothing_is_written(users):
    other = Establishment.objects.filter(managing_body=users["ehpad"].membership.managing_body).first()
    before = _stored()
    body = problem(
        api_client(users["asso"]).post(URL, {"rows": [_row(), _row(finess=other.finess)]}, format="json"), 403
    )
    assert f"Hors de votre organisation (établissement) : {other.finess}" in body["detail"]
    _nothing_written(before)


@pytest.mark.parametrize("who", ["ars", "read_only"])
def test_authorities_and_read_only_members_send_no_data(users, who):
    user = users["asso"] if who == "read_only" else users[who]
    if who == "read_only":
        user.membership.role = Role.READ
        user.membership.save(update_fields=["role"])
    before = _stored()
    body = problem(api_client(user).post(URL, {"rows": [_row()]}, format="json"), 403)
    assert "réservé à l'organisme gestionnaire des établissements" in body["detail"]
    _nothing_written(before)


def test_head_office_rows_name_the_siren_of_the_managing_body(users):
    body = users["asso"].membership.managing_body
    rows = [{"siren": body.siren, "year": 2030, "element": "etp_siege", "value": 12.5}]
    answer = api_client(users["asso"]).post(URL, {"rows": rows}, format="json")
    assert answer.status_code == 201 and answer.json()["created"] == 1
    assert DataValue.objects.get(managing_body=body, year=2030, element="etp_siege").value == Decimal("12.5")
    other = users["ehpad"].membership.managing_body
    refused = api_client(users["asso"]).post(URL, {"rows": [{**rows[0], "siren": other.siren}]}, format="json")
    assert f"Hors de votre organisation (organisme gestionnaire) : {other.siren}" in problem(refused, 403)["detail"]


def test_when_every_import_slot_is_taken_the_file_waits_for_a_retry(users, settings):
    settings.CPOM_MAX_CONCURRENT_IMPORTS = 0
    csv = f"finess;annee;element;valeur\n{IME};2025;journees_realisees;9 000,5\n".encode()
    before = _stored()
    answer = api_client(users["asso"]).post(URL, {"file": SimpleUploadedFile("d.csv", csv)}, format="multipart")
    body = problem(answer, 503)
    assert body["title"] == "Service momentanément indisponible"
    assert body["detail"] == "Fichier d.csv : trop d'imports en cours, réessayez dans un instant."
    assert _stored() == before


def test_json_rows_beyond_the_body_bound_are_refused_with_what_to_do(users, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2**20
    before = _stored()
    rows = [_row(year=2000 + n % 20, value=n) for n in range(20_000)]
    body = problem(api_client(users["asso"]).post(URL, {"rows": rows}, format="json"), 413)
    assert body["title"] == "Requête trop volumineuse"
    assert body["detail"].startswith("Corps JSON de plus de 1,0 Mo : envoyez les lignes en plusieurs fois")
    _nothing_written(before)
