"""The API's refusals are problems (RFC 9457, application/problem+json), in French, with the address asked."""

import logging

from rest_framework.test import APIClient

from api_support import api_client
from cpom.api import views

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def _problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_KEYS and body["status"] == status
    return body


def test_an_anonymous_caller_is_told_how_to_authenticate(association_contract):
    response = APIClient().get(f"/api/v1/contracts/{association_contract.pk}/")
    body = _problem(response, 401)
    assert body["type"] == "urn:cpom:problem:not-authenticated" and body["title"] == "Authentification requise"
    assert "Authorization: Token" in body["detail"]
    assert body["instance"] == f"/api/v1/contracts/{association_contract.pk}/"
    assert response["WWW-Authenticate"] == "Token"


def test_a_revoked_token_is_refused_with_where_to_get_a_new_one(association_contract):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000")
    body = _problem(client.get("/api/v1/contracts/"), 401)
    assert "« Mon compte »" in body["detail"]


def test_another_organisation_s_contract_is_not_found_without_saying_it_exists(users, ehpad_contract):
    body = _problem(api_client(users["asso"]).get(f"/api/v1/contracts/{ehpad_contract.pk}/?x=1"), 404)
    assert body["title"] == "Introuvable"
    assert body["detail"] == "Aucune ressource à cette adresse parmi celles que votre organisation peut voir."
    assert body["instance"] == f"/api/v1/contracts/{ehpad_contract.pk}/?x=1"


def test_a_write_on_a_read_only_endpoint_names_the_method_and_keeps_allow(users):
    response = api_client(users["ars"]).delete("/api/v1/alerts/")
    body = _problem(response, 405)
    assert body["detail"] == "La méthode DELETE n'est pas permise à cette adresse."
    assert "GET" in response["Allow"]


def test_an_unknown_address_is_a_problem_and_a_missing_final_slash_is_named(users):
    client = api_client(users["ars"])
    assert (
        _problem(client.get("/api/v1/contrats/"), 404)["detail"] == "Aucun point d'accès de l'API cpom à cette adresse."
    )
    body = _problem(client.get("/api/v1/contracts"), 404)
    assert body["detail"].endswith("Les adresses de l'API finissent par « / » : /api/v1/contracts/")


def test_a_defect_answers_a_bare_500_problem_and_is_logged_with_its_traceback(users, monkeypatch, caplog):
    def broken(self):
        raise RuntimeError("secret interne")

    monkeypatch.setattr(views.AlertViewSet, "get_queryset", broken)
    with caplog.at_level(logging.ERROR, logger="cpom.api"):
        response = api_client(users["ars"]).get("/api/v1/alerts/")
    body = _problem(response, 500)
    assert "secret interne" not in response.content.decode()
    assert body["detail"] == "Une erreur interne est survenue ; elle a été consignée pour l'équipe cpom."
    (logged,) = [r for r in caplog.records if r.name == "cpom.api"]
    assert logged.exc_info and "secret interne" in str(logged.exc_info[1])
