"""The managing body fills its follow-up grid through the API as on the page: same rule, same audit, same lock
(ETag/If-Match), refusals as French problems that change nothing."""

from datetime import date

import pytest
from django.urls import reverse

from api_support import api_client
from api_writing import patch, pointed, problem
from cpom.access import Role
from cpom.audit.models import AuditEntry
from cpom.followup import services
from cpom.followup.models import CampaignStatus, GridEntry
from support import element, page_text, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(ehpad_contract, users):
    return services.open_campaign(ehpad_contract, users["ars"], {"year": 2025}, today=date(2025, 5, 5))


@pytest.fixture
def entry(campaign):
    return GridEntry.objects.get(campaign=campaign)


def _url(entry) -> str:
    return f"/api/v1/grid-entries/{entry.pk}/"


def _etag(client, entry) -> str:
    return client.get(_url(entry))["ETag"]


def test_the_managing_body_declares_a_value_and_the_page_shows_it(client_for, entry, users):
    client = api_client(users["ehpad"])
    read = client.get(_url(entry))
    assert read["ETag"] == f'"ligne-{entry.pk}-v{entry.version}"' == read.json()["etag"]
    assert read.json()["indicator_label"] == "Taux d'absentéisme"
    answer = patch(
        client, _url(entry), {"declared_value": "6,5", "comment": "Plan de prévention efficace."}, read["ETag"]
    )
    assert answer.status_code == 200
    assert answer.json()["declared_value"] == "6,5" and "déjà atteinte" in answer.json()["proposed_explanation"]
    assert answer["ETag"] == f'"ligne-{entry.pk}-v{entry.version + 1}"'
    page = client_for("ehpad").get(
        reverse(
            "followup:campaign", kwargs={"contract_id": entry.campaign.contract_id, "campaign_id": entry.campaign_id}
        )
    )
    assert text_of(element(page, "//*[@data-testid='value-2024']")) == "6,5\u00a0%"
    assert "Plan de prévention efficace." in page_text(page)
    audited = AuditEntry.objects.filter(action=f"Campagne 2025 : ligne « {entry} » renseignée").get()
    assert audited.user == users["ehpad"]


def test_the_lines_are_listed_by_campaign_for_the_parties_only(campaign, entry, users):
    listed = api_client(users["cd49"]).get(f"/api/v1/grid-entries/?campaign={campaign.pk}").json()["results"]
    assert [(line["id"], line["category_label"]) for line in listed] == [(entry.pk, entry.get_category_display())]
    assert api_client(users["cd44"]).get(f"/api/v1/grid-entries/?campaign={campaign.pk}").json()["results"] == []
    body = problem(api_client(users["cd44"]).get(_url(entry)), 404)
    assert body["title"] == "Introuvable"
    body = problem(api_client(users["cd49"]).get("/api/v1/grid-entries/?campaign=douze"), 400)
    assert [error["parameter"] for error in body["errors"]] == ["campaign"]
    assert body["detail"].startswith("Paramètre de requête refusé : campaign")


@pytest.mark.parametrize(
    ("username", "change", "reason"),
    [
        ("cd49", None, "La grille se renseigne par l'organisme gestionnaire ; l'autorité confirme les niveaux."),
        ("ehpad", "read_only", "Cette action demande le rôle « Contribution »."),
        ("ehpad", "submitted", "La campagne 2025 est « Transmise par l'organisme gestionnaire »"),
    ],
)
def test_those_the_page_refuses_get_a_403_and_nothing_changes(entry, users, username, change, reason):
    user = users[username]
    if change == "read_only":
        user.membership.role = Role.READ
        user.membership.save(update_fields=["role"])
    if change == "submitted":
        entry.campaign.status = CampaignStatus.SUBMITTED
        entry.campaign.save(update_fields=["status"])
    client = api_client(user)
    body = problem(patch(client, _url(entry), {"comment": "Écrit par l'API."}, _etag(client, entry)), 403)
    assert reason in body["detail"]
    assert GridEntry.objects.get(pk=entry.pk).comment == ""


def test_an_outsider_cannot_even_find_the_line(entry, users):
    client = api_client(users["cd44"])
    problem(patch(client, _url(entry), {"comment": "Intrus."}, f'"ligne-{entry.pk}-v{entry.version}"'), 404)
    assert GridEntry.objects.get(pk=entry.pk).comment == ""
    body = problem(patch(api_client(users["ehpad"]), "/api/v1/grid-entries/abc/", {"comment": "x"}, '"x"'), 404)
    assert body["detail"] == "Aucun point d'accès de l'API cpom à cette adresse."


@pytest.mark.parametrize(
    ("data", "pointer", "words"),
    [
        ({"declared_value": "environ 7"}, "#/declared_value", "Taux d'absentéisme"),
        ({"comment": "Bien\x00reçu"}, "#/comment", "Commentaires : caractère de contrôle refusé"),
        ({"current_situation": "Sonnerie\x07"}, "#/current_situation", "Situation actuelle : caractère de contrôle"),
        ({"declared_value": "1" * 101}, "#/declared_value", "Valeur déclarée : au plus 100 caractères."),
        ({"commentaire": "Oups"}, "#/commentaire", "Champ inconnu"),
        ({}, "#", "Envoyez au moins un des champs"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(entry, users, data, pointer, words):
    client = api_client(users["ehpad"])
    body = problem(patch(client, _url(entry), data, _etag(client, entry)), 400)
    assert words in pointed(body)[pointer]
    assert "rien n'a été enregistré" in body["detail"]
    stored = GridEntry.objects.get(pk=entry.pk)
    assert (stored.declared_value, stored.comment, stored.version) == ("", "", entry.version)


@pytest.mark.parametrize(
    ("sent", "words"), [(None, "demande l'en-tête « If-Match »"), ("*", "ne nomme aucune version")]
)
def test_a_write_without_a_version_in_if_match_is_refused_with_428(entry, users, sent, words):
    body = problem(patch(api_client(users["ehpad"]), _url(entry), {"comment": "Sans version."}, sent), 428)
    assert body["title"] == "En-tête If-Match requis" and words in body["detail"]
    assert GridEntry.objects.get(pk=entry.pk).comment == ""


@pytest.mark.parametrize("sent", ['"ligne-{pk}-v0"', '"ligne-999999-v{version}"', "ligne-{pk}-v{version}"])
def test_a_stale_or_foreign_etag_is_refused_with_412(entry, users, sent):
    header = sent.format(pk=entry.pk, version=entry.version)
    body = problem(patch(api_client(users["ehpad"]), _url(entry), {"comment": "Périmé."}, header), 412)
    assert body["title"] == "Version périmée" and "Rien n'a été enregistré." in body["detail"]
    assert GridEntry.objects.get(pk=entry.pk).comment == ""


def test_two_writes_from_the_same_read_one_wins_the_other_gets_412(entry, users):
    """Two processes of the integrator's software read the line, then both write: the second is based on a copy
    that the first changed."""
    client = api_client(users["ehpad"])
    seen = _etag(client, entry)
    assert patch(client, _url(entry), {"comment": "Le premier."}, seen).status_code == 200
    body = problem(patch(client, _url(entry), {"comment": "Le second."}, seen), 412)
    assert "Relisez-la (GET)" in body["detail"]
    assert GridEntry.objects.get(pk=entry.pk).comment == "Le premier."
    fresh = _etag(client, entry)
    assert patch(client, _url(entry), {"comment": "Le second, relu."}, fresh).json()["comment"] == "Le second, relu."


def test_a_write_landing_between_the_check_and_the_lock_wins_and_the_other_gets_412(entry, users, monkeypatch):
    """The race at its narrowest: the other write is saved after this one read its If-Match, before the service
    locked the line. The version is compared under the lock, so this one is refused."""
    client = api_client(users["ehpad"])
    seen = _etag(client, entry)
    save_entry = services.save_entry

    def the_other_one_first(*args, **kwargs):
        monkeypatch.setattr(services, "save_entry", save_entry)
        assert patch(client, _url(entry), {"comment": "L'autre processus."}, seen).status_code == 200
        return save_entry(*args, **kwargs)

    monkeypatch.setattr(services, "save_entry", the_other_one_first)
    problem(patch(client, _url(entry), {"comment": "Le mien."}, seen), 412)
    assert GridEntry.objects.get(pk=entry.pk).comment == "L'autre processus."


def test_the_schema_documents_if_match_and_the_locking_refusals(users):
    schema = api_client(users["ars"]).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/v1/grid-entries/{id}/"]["patch"]
    [if_match] = [p for p in operation["parameters"] if p["name"] == "If-Match"]
    assert if_match["in"] == "header" and if_match["required"] is True
    assert {"200", "400", "403", "412", "428"} <= set(operation["responses"])
    assert "ETag" in operation["responses"]["200"]["headers"]
