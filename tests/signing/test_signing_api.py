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
    (data,) = client.get(f"/api/v1/contracts/{ehpad_contract.pk}/versions/").json()["results"]
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
    signatures = client.get(f"/api/v1/contracts/{ehpad_contract.pk}/signatures/").json()["results"]
    assert [(s["party_name"], s["signatory_name"], s["signed_on"], s["decision"]) for s in signatures] == [
        ("l'organisme gestionnaire EHPAD public Les Tilleuls", "Paul Lefèvre", "2023-12-01", "signed"),
        ("le Conseil départemental de Maine-et-Loire", "Sophie Garnier", "2023-12-05", "signed"),
        ("l'ARS Pays de la Loire", "Nadia Benali", "2023-12-08", "signed"),
    ]
    assert {s["version"] for s in signatures} == {version.pk}


@pytest.mark.parametrize("outsider", ["asso", "cd44"])
def test_an_outsider_gets_nothing(ehpad_contract, users, outsider):
    client = _client(users[outsider])
    for route in ("versions", "signatures", "life"):
        response = client.get(f"/api/v1/contracts/{ehpad_contract.pk}/{route}/")
        assert response.status_code == 404
        assert "Paul Lefèvre" not in response.content.decode()


def test_the_api_is_read_only(ehpad_contract, users):
    client = _client(users["ars"])
    for route in ("versions", "signatures", "life"):
        assert client.post(f"/api/v1/contracts/{ehpad_contract.pk}/{route}/", {}).status_code == 405
    # Refused, and nothing was written: the version is still the only one.
    assert [v["label"] for v in client.get(f"/api/v1/contracts/{ehpad_contract.pk}/versions/").json()["results"]] == [
        "Contrat initial"
    ]


def test_a_contract_not_sent_yet_has_no_version(association_contract, users):
    assert _client(users["asso"]).get(f"/api/v1/contracts/{association_contract.pk}/versions/").json()["results"] == []


def test_the_life_of_a_contract_amended_then_terminated(ehpad_contract, users):
    from datetime import date

    from amendment_steps import TODAY, agree_all, capacity_extension, seal
    from cpom.amendments import life
    from cpom.amendments import services as amendments
    from cpom.demo.clock import fixed_clock, moment

    ssiad = ehpad_contract.establishments.get(category="SSIAD")
    with fixed_clock(moment(TODAY)):
        amendment = agree_all(capacity_extension(ehpad_contract, users, ssiad), users)
        version = amendments.send_for_signature(amendment, users["ars"], amendment.version, today=TODAY)
    amendments.apply_signed(seal(version, users), users["ars"])
    client = _client(users["cd49"])
    data = client.get(f"/api/v1/contracts/{ehpad_contract.pk}/life/").json()
    (shown,) = data["amendments"]
    assert (shown["number"], shown["trigger_label"], shown["status"], shown["effective_date"]) == (
        1,
        "Extension de capacité",
        "applied",
        "2026-10-01",
    )
    assert [(c["kind"], c["old_value"], c["new_value"]) for c in shown["changes"]] == [
        ("places", "40", "45"),
        ("places", "38", "43"),
    ]
    assert shown["version_sent"] == version.pk
    assert (data["prorogations"], data["termination"], data["predecessor"], data["successor"]) == ([], None, None, None)
    termination = {
        "ground": "breach",
        "explanation": "Engagements non tenus.",
        "letter_sent_on": date(2026, 4, 1),
        "letter_presented_on": date(2026, 4, 3),
    }
    life.terminate(ehpad_contract, users["ehpad"], termination, today=date(2026, 4, 6))
    data = client.get(f"/api/v1/contracts/{ehpad_contract.pk}/life/").json()
    assert (data["termination"]["ground_label"], data["termination"]["ends_on"]) == (
        "Non-respect des engagements",
        "2026-10-03",
    )
    assert _client(users["asso"]).get(f"/api/v1/contracts/{ehpad_contract.pk}/life/").status_code == 404
