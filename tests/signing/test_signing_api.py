"""The API's read-only versions and signatures of a contract, under the contract's visibility."""

import pytest
from rest_framework.test import APIClient

from cpom.signing import services


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_versions_and_signatures_of_a_signed_contract(ehpad_contract, users):
    version = services.current_version(ehpad_contract)
    client = _client(users["cd49"])
    (data,) = client.get(f"/api/contracts/{ehpad_contract.pk}/versions/").json()
    assert (data["number"], data["label"], data["status"], data["status_label"]) == (
        0,
        "Contrat initial",
        "sealed",
        "Signée par toutes les parties",
    )
    assert (data["content_sha256"], data["pdf_sha256"], data["effective_date"]) == (
        version.content_sha256,
        version.pdf_sha256,
        "2024-01-01",
    )
    signatures = client.get(f"/api/contracts/{ehpad_contract.pk}/signatures/").json()
    assert [(s["party_name"], s["signatory_name"], s["signed_on"], s["decision"]) for s in signatures] == [
        ("l'organisme gestionnaire EHPAD public Les Tilleuls", "Paul Lefèvre", "2023-12-01", "signed"),
        ("le Conseil départemental de Maine-et-Loire", "Sophie Garnier", "2023-12-05", "signed"),
        ("l'ARS Pays de la Loire", "Nadia Benali", "2023-12-08", "signed"),
    ]
    assert {s["version"] for s in signatures} == {version.pk}


@pytest.mark.parametrize("outsider", ["asso", "cd44"])
def test_an_outsider_gets_nothing(ehpad_contract, users, outsider):
    client = _client(users[outsider])
    for route in ("versions", "signatures"):
        response = client.get(f"/api/contracts/{ehpad_contract.pk}/{route}/")
        assert response.status_code == 404
        assert "Paul Lefèvre" not in response.content.decode()


def test_the_api_is_read_only(ehpad_contract, users):
    client = _client(users["ars"])
    for route in ("versions", "signatures"):
        assert client.post(f"/api/contracts/{ehpad_contract.pk}/{route}/", {}).status_code == 405
    assert client.get(f"/api/contracts/{ehpad_contract.pk}/versions/").status_code == 200


def test_a_contract_not_sent_yet_has_no_version(association_contract, users):
    assert _client(users["asso"]).get(f"/api/contracts/{association_contract.pk}/versions/").json() == []
