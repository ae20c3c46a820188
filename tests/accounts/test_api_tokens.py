"""API tokens (« Mon compte »): kept as a digest, shown once, expiring, revocable, and refused with the reason."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cpom.accounts.models import ApiToken
from cpom.accounts.services import create_token, revoke_token
from cpom.core.api_tokens import digest_of

CONTRACTS = "/api/v1/contracts/"


def _calling(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def _refusal(client) -> str:
    response = client.get(CONTRACTS)
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
    return response.json()["detail"]


def _created_secret(page: str) -> str:
    return page.split('data-testid="api-token">')[1].split("<")[0]


def test_the_secret_is_shown_once_and_only_its_digest_is_kept(client_for, users):
    client = client_for("cd44")
    page = client.post(reverse("accounts:my_account"), {"label": "Infocentre", "days": "90"}).content.decode()
    secret = _created_secret(page)
    token = ApiToken.objects.get(user=users["cd44"])
    assert token.digest == digest_of(secret) and secret not in (token.prefix, token.digest)
    assert secret.startswith(token.prefix)
    assert (token.expires_at - token.created_at) == timedelta(days=90)
    again = client.get(reverse("accounts:my_account")).content.decode()
    assert secret not in again and f"{token.prefix}…" in again and "Infocentre" in again
    assert _calling(secret).get(CONTRACTS).json()["results"][0]["reference"] == "CPOM-PDL-2027-044-01"


def test_a_revoked_token_stops_at_once_and_says_so(client_for, users):
    token, secret = create_token(users["cd44"], label="Ancien tableur", days=30)
    other, other_secret = create_token(users["cd44"], label="Logiciel comptable", days=30)
    page = client_for("cd44").post(reverse("accounts:token_revoke", args=[token.pk]), follow=True).content.decode()
    assert "Le jeton « Ancien tableur » est révoqué" in page and "révoqué le" in page
    assert _refusal(_calling(secret)) == "Ce jeton d'API a été révoqué : créez-en un nouveau depuis « Mon compte »."
    # the other program goes on
    assert [c["reference"] for c in _calling(other_secret).get(CONTRACTS).json()["results"]] == ["CPOM-PDL-2027-044-01"]


def test_nobody_revokes_another_person_s_token(client_for, users):
    token, secret = create_token(users["cd44"], label="Infocentre", days=30)
    response = client_for("ars").post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert [c["reference"] for c in _calling(secret).get(CONTRACTS).json()["results"]] == ["CPOM-PDL-2027-044-01"]
    with pytest.raises(PermissionError):
        revoke_token(users["ars"], token)


def test_an_expired_token_says_when_it_expired(users):
    token, secret = create_token(users["cd44"], label="Essai", days=30)
    past = timezone.now() - timedelta(days=40)
    ApiToken.objects.filter(pk=token.pk).update(created_at=past, expires_at=past + timedelta(days=30))
    expired = timezone.localtime(past + timedelta(days=30)).strftime("%d/%m/%Y")
    assert (
        _refusal(_calling(secret))
        == f"Ce jeton d'API a expiré le {expired} : créez-en un nouveau depuis « Mon compte »."
    )


def test_a_deactivated_person_s_token_is_refused(users):
    _, secret = create_token(users["cd44"], label="Infocentre", days=30)
    users["cd44"].is_active = False
    users["cd44"].save()
    assert _refusal(_calling(secret)) == "Le compte de ce jeton d'API est désactivé."


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Token 0000", "Jeton d'API inconnu"),
        ("Token cpom_" + "x" * 43, "Jeton d'API inconnu"),
        ("Token deux morceaux", "En-tête « Authorization » mal formé"),
        ("Token", "En-tête « Authorization » mal formé"),
    ],
)
def test_a_malformed_or_unknown_token_is_refused_in_french(db, header, reason):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert _refusal(client).startswith(reason)


def test_the_last_use_is_written_at_most_once_a_minute(users, client_for):
    token, secret = create_token(users["cd44"], label="Infocentre", days=30)
    client = _calling(secret)
    client.get("/api/v1/establishments/440005015/")
    token.refresh_from_db()
    first = token.last_used_at
    page = client_for("cd44").get(reverse("accounts:my_account")).content.decode()
    assert timezone.localtime(first).strftime("%d/%m/%Y %H:%M") in page and "jamais" not in page
    client.get("/api/v1/establishments/440005015/")
    token.refresh_from_db()
    assert token.last_used_at == first


@override_settings(CPOM_API_TOKEN_MAX_DAYS=60)
def test_no_lifetime_beyond_the_authority_s_ceiling(client_for, users):
    client = client_for("cd44")
    page = client.get(reverse("accounts:my_account")).content.decode()
    assert "1 mois" in page and "60 jours" in page and "1 an" not in page
    refused = client.post(reverse("accounts:my_account"), {"label": "Infocentre", "days": "365"}).content.decode()
    assert "Sélectionnez un choix valide" in refused and 'data-testid="api-token"' not in refused
    assert not ApiToken.objects.filter(user=users["cd44"]).exists()


def test_a_token_without_a_name_is_refused_and_none_is_made(client_for, users):
    page = client_for("cd44").post(reverse("accounts:my_account"), {"label": "  ", "days": "30"}).content.decode()
    assert "Ce champ est obligatoire" in page
    assert not ApiToken.objects.filter(user=users["cd44"]).exists()


def test_the_database_refuses_a_token_that_expires_before_it_is_made(users):
    token, _ = create_token(users["cd44"], label="Infocentre", days=30)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at - timedelta(seconds=1))
