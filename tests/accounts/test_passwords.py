"""Passwords: guessing is stopped, a person changes their own, a forgotten one is reset by email; the API is throttled."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from api_support import api_client
from factories import PASSWORD

NEW_PASSWORD = "Loire-estuaire-2031!"


def _log_in(client, username, password):
    return client.post("/connexion/", {"username": username, "password": password})


def _logged_in_as(client) -> str | None:
    from django.contrib.auth import get_user_model

    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id).username if user_id else None


def test_the_login_page_asks_for_the_identifier_and_offers_a_reset(client, db):
    body = client.get("/connexion/").content.decode()
    assert re.search(r'<label for="id_username" class="fr-label">\s*Identifiant\s*</label>', body)
    assert '<a class="fr-link" href="/mot-de-passe-oublie/">Mot de passe oublié ?</a>' in body


def test_thirty_wrong_passwords_then_the_right_one_is_refused(client, users):
    for _ in range(30):
        _log_in(client, "asso", "pas-le-bon")
    response = _log_in(client, "asso", PASSWORD)
    body = response.content.decode()
    assert response.status_code == 429
    assert "<h1>Connexion bloquée</h1>" in body
    assert "Trop de mots de passe erronés pour l'identifiant « asso » depuis cette adresse" in body
    assert "bloquée pendant 15 minutes" in body
    assert _logged_in_as(client) is None


def test_the_lock_holds_one_identifier_from_one_address_and_ends_after_the_cool_off(client, users):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, "asso", "pas-le-bon")
    assert _log_in(client, "asso", PASSWORD).status_code == 429
    assert _log_in(client, "ars", PASSWORD).status_code == 302  # another person at the same address
    client.logout()
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert _log_in(client, "asso", PASSWORD).status_code == 302
    assert _logged_in_as(client) == "asso"


def test_a_few_typing_mistakes_do_not_lock_anyone_out(client, users):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _log_in(client, "asso", "pas-le-bon")
    assert response.status_code == 200
    assert _log_in(client, "asso", PASSWORD).status_code == 302


def test_a_logged_in_person_changes_their_password_from_my_account(client_for, users):
    client = client_for("asso")
    assert 'href="/mon-compte/mot-de-passe/"' in client.get("/mon-compte/").content.decode()
    refused = client.post(
        "/mon-compte/mot-de-passe/",
        {
            "old_password": "pas-le-bon",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert "Votre ancien mot de passe est incorrect" in refused.content.decode()
    response = client.post(
        "/mon-compte/mot-de-passe/",
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        follow=True,
    )
    assert "<h1>Mot de passe changé</h1>" in response.content.decode()
    assert _logged_in_as(client) == "asso"  # the session that changed it stays open
    users["asso"].refresh_from_db()
    assert users["asso"].check_password(NEW_PASSWORD) and not users["asso"].check_password(PASSWORD)


def test_a_forgotten_password_is_reset_through_the_link_sent_by_email(client, users, mailoutbox):
    users["asso"].email = "direction@chemins-de-loire.example"
    users["asso"].save()
    assert 'href="/mot-de-passe-oublie/"' in client.get("/connexion/").content.decode()
    response = client.post("/mot-de-passe-oublie/", {"email": "direction@chemins-de-loire.example"}, follow=True)
    assert "<h1>Courriel envoyé</h1>" in response.content.decode()
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["direction@chemins-de-loire.example"]
    assert mail.subject == "Réinitialisation de votre mot de passe cpom"
    assert "votre compte cpom « asso »" in mail.body
    link = re.search(r"http://testserver(/mot-de-passe-oublie/[^/\s]+/[^/\s]+/)", mail.body).group(1)
    form_page = client.get(link, follow=True)
    assert "<h1>Nouveau mot de passe</h1>" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )
    assert "<h1>Mot de passe enregistré</h1>" in done.content.decode()
    assert _log_in(client, "asso", PASSWORD).status_code == 200
    assert _log_in(client, "asso", NEW_PASSWORD).status_code == 302
    used_again = client.get(link, follow=True).content.decode()
    assert "Ce lien n'est plus valable" in used_again


def test_an_unknown_email_gets_the_same_answer_and_no_mail(db, client, mailoutbox):
    response = client.post("/mot-de-passe-oublie/", {"email": "inconnu@example.fr"}, follow=True)
    assert "<h1>Courriel envoyé</h1>" in response.content.decode()
    assert mailoutbox == []


@pytest.fixture
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def test_the_api_answers_429_in_french_beyond_the_user_rate(users, fresh_throttles):
    limit = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["user"].split("/")[0])
    client = api_client(users["cd44"])
    statuses = [client.get("/api/v1/establishments/440005015/").status_code for _ in range(limit)]
    assert statuses == [200] * limit
    refused = client.get("/api/v1/establishments/440005015/")
    assert refused.status_code == 429
    assert re.fullmatch(r"Trop de requêtes sur l'API cpom : réessayez dans \d+ secondes?\.", refused.json()["detail"])
    assert int(refused["Retry-After"]) > 0


def test_a_demo_user_resets_a_forgotten_password_by_the_address_of_the_demo(client, users, mailoutbox):
    """The demo's accounts have an address, or « Mot de passe oublié ? » could reach nobody."""
    assert {u.username: u.email for u in users.values() if u.username != "admin"} == {
        "asso": "claire.martin@exemple.fr",
        "ehpad": "paul.lefevre@exemple.fr",
        "ars": "nadia.benali@exemple.fr",
        "cd44": "julien.moreau@exemple.fr",
        "cd49": "sophie.garnier@exemple.fr",
    }
    client.post("/mot-de-passe-oublie/", {"email": "paul.lefevre@exemple.fr"})
    assert [mail.to for mail in mailoutbox] == [["paul.lefevre@exemple.fr"]]
    assert "votre compte cpom « ehpad »" in mailoutbox[0].body


def test_behind_a_proxy_the_lock_holds_the_client_not_the_proxy(client, users, settings):
    """Every login arrives from the proxy's address: without reading what it adds, one attacker locks « asso » out."""
    settings.CPOM_PROXY_COUNT = 1
    attacker = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/connexion/", {"username": "asso", "password": "pas-le-bon"}, **attacker)
    # The attacker cannot pass for someone else by writing the header: the proxy's own entry is the one read.
    forged = {**attacker, "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.9"}
    assert client.post("/connexion/", {"username": "asso", "password": PASSWORD}, **forged).status_code == 429
    colleague = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert client.post("/connexion/", {"username": "asso", "password": PASSWORD}, **colleague).status_code == 302
