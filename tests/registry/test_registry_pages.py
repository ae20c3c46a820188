"""Registry screens: who may create and edit, and bad input that saves nothing."""

from html import unescape

import pytest
from django.urls import reverse

from cpom.registry.identifiers import finess_with_key
from cpom.registry.models import Authority, Contact, Establishment, ManagingBody


def _establishment_post(**overrides):
    ars = Authority.objects.get(kind="ARS", territory="52")
    data = {
        "finess": finess_with_key("44000999"),
        "name": "SAMSAH Les Voiles",
        "managing_body": ManagingBody.objects.get(name__startswith="Association").pk,
        "category": "SAMSAH",
        "sector": "PH",
        "audience": "adults",
        "authorised_places": "25",
        "installed_places": "20",
        "opening_days": "251",
        "department": "44",
        "city": "Nantes",
        "funders": [ars.pk],
    }
    data.update(overrides)
    return data


def test_the_association_creates_an_establishment(client_for):
    response = client_for("asso").post(reverse("registry:establishment_create"), _establishment_post(), follow=True)
    assert "SAMSAH Les Voiles" in response.content.decode()
    created = Establishment.objects.get(finess=finess_with_key("44000999"))
    assert created.managing_body.name == "Association Les Chemins de Loire"


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"finess": "440009990"}, "sa clé de contrôle (dernier chiffre) ne correspond pas"),
        ({"finess": "44000"}, "doit comporter 9 caractères"),
        (
            {"finess": finess_with_key("49000999")},
            "ne commence pas par 44, le code FINESS du département Loire-Atlantique",
        ),
        ({"authorised_places": "-3"}, "Le nombre de places ne peut pas être négatif."),
        ({"installed_places": "-1"}, "Le nombre de places ne peut pas être négatif."),
        ({"installed_places": "30"}, "Les places installées (30) ne peuvent pas dépasser les places autorisées (25)."),
        ({"opening_days": "400"}, "Une année compte au plus 366 jours d&#x27;ouverture."),
        ({"sector": "PA"}, "La catégorie SAMSAH relève du secteur PH."),
        ({"finess": "440005015"}, "Un établissement porte déjà ce numéro FINESS."),
    ],
)
def test_bad_establishment_input_gets_a_french_message_and_saves_nothing(client_for, overrides, message):
    before = Establishment.objects.count()
    response = client_for("asso").post(reverse("registry:establishment_create"), _establishment_post(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Establishment.objects.count() == before


def test_a_funder_must_cover_the_departement(client_for):
    cd49 = Authority.objects.get(kind="CD", territory="49")
    response = client_for("asso").post(reverse("registry:establishment_create"), _establishment_post(funders=[cd49.pk]))
    assert (
        "Conseil départemental de Maine-et-Loire n&#x27;a pas compétence pour le département 44."
        in response.content.decode()
    )
    assert not Establishment.objects.filter(name="SAMSAH Les Voiles").exists()


def test_a_managing_body_cannot_create_for_another(client_for):
    ehpad_body = ManagingBody.objects.get(name__startswith="EHPAD")
    response = client_for("asso").post(
        reverse("registry:establishment_create"), _establishment_post(managing_body=ehpad_body.pk)
    )
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Establishment.objects.filter(name="SAMSAH Les Voiles").exists()


def test_authorities_and_read_only_users_cannot_create_establishments(client_for, users):
    assert client_for("ars").get(reverse("registry:establishment_create")).status_code == 403
    users["asso"].membership.role = "read"
    users["asso"].membership.save()
    assert client_for("asso").post(reverse("registry:establishment_create"), _establishment_post()).status_code == 403
    assert not Establishment.objects.filter(name="SAMSAH Les Voiles").exists()


def test_an_authority_sees_but_cannot_edit_an_establishment(client_for):
    site = Establishment.objects.get(name="MAS Les Hauts de Sèvre")
    client = client_for("ars")
    page = client.get(site.get_absolute_url()).content.decode()
    assert "40 installées sur 40 autorisées" in page and "Modifier" not in page
    assert (
        client.post(reverse("registry:establishment_update", kwargs={"finess": site.finess}), {"name": "x"}).status_code
        == 403
    )
    site.refresh_from_db()
    assert site.name == "MAS Les Hauts de Sèvre"


def test_the_association_edits_its_establishment(client_for):
    site = Establishment.objects.get(name="MAS Les Hauts de Sèvre")
    data = _establishment_post(
        finess=site.finess,
        name="MAS Les Hauts de Sèvre",
        category="MAS",
        installed_places="38",
        authorised_places="40",
        opening_days="365",
        version=site.version,
    )
    client_for("asso").post(reverse("registry:establishment_update", kwargs={"finess": site.finess}), data)
    site.refresh_from_db()
    assert site.installed_places == 38


def test_contact_history_survives_a_change_of_person(client_for):
    body = ManagingBody.objects.get(name__startswith="Association")
    client = client_for("asso")
    page = client.get(body.get_absolute_url()).content.decode()
    assert "Hervé Dupuis" in page and "jusqu'au 31/08/2021" in page
    response = client.post(
        reverse("registry:managing_body_contact_create", kwargs={"managing_body_id": body.pk}),
        {
            "first_name": "Léa",
            "last_name": "Bernard",
            "role": "Directrice qualité",
            "start_date": "2026-01-05",
            "end_date": "2025-01-01",
        },
    )
    assert "La fin de fonction ne peut pas précéder sa prise." in response.content.decode()
    assert not Contact.objects.filter(last_name="Bernard").exists()


def test_only_the_platform_creates_authorities_and_managing_bodies(client_for):
    assert client_for("ars").get(reverse("registry:authority_create")).status_code == 403
    assert client_for("asso").get(reverse("registry:managing_body_create")).status_code == 403
    response = client_for("admin").post(
        reverse("registry:authority_create"), {"kind": "CD", "territory": "985", "name": "CD fictif"}
    )
    assert "« 985 » n&#x27;est pas un code de département." in response.content.decode()
    response = client_for("admin").post(
        reverse("registry:authority_create"),
        {"kind": "CD", "territory": "85", "name": "Conseil départemental de la Vendée"},
        follow=True,
    )
    assert Authority.objects.filter(territory="85", kind="CD").exists()
    assert "Conseil départemental de la Vendée" in response.content.decode()


def test_establishment_search_filters_as_you_type(client_for):
    response = client_for("ars").get(reverse("registry:establishments"), {"q": "sessad"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "SESSAD Estuaire" in body and "MAS Les Hauts" not in body
    assert "<html" not in body  # htmx gets the table only


def _managing_body_post(body, **changes):
    data = {
        "name": body.name,
        "legal_status": body.legal_status,
        "siren": body.siren,
        "legal_finess": body.legal_finess,
        "street": body.street,
        "postal_code": body.postal_code,
        "city": body.city,
        "version": body.version,
    }
    return {**data, **changes}


def test_the_legal_finess_is_checked_and_held_once(client_for):
    body = ManagingBody.objects.get(name="Association Les Chemins de Loire")
    other = ManagingBody.objects.get(name__startswith="EHPAD")
    url = reverse("registry:managing_body_update", kwargs={"managing_body_id": body.pk})
    before = body.legal_finess
    wrong_key = body.legal_finess[:8] + str((int(body.legal_finess[8]) + 1) % 10)
    page = client_for("asso").post(url, _managing_body_post(body, legal_finess=wrong_key)).content.decode()
    assert f"Le numéro FINESS « {wrong_key} » est invalide" in unescape(page)
    page = client_for("asso").post(url, _managing_body_post(body, legal_finess=other.legal_finess)).content.decode()
    assert "Un organisme gestionnaire porte déjà ce FINESS juridique." in unescape(page)
    body.refresh_from_db()
    assert body.legal_finess == before
    new = finess_with_key("44000999")
    client_for("asso").post(url, _managing_body_post(body, legal_finess=new))
    body.refresh_from_db()
    assert body.legal_finess == new
