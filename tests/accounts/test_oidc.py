"""Single sign-on by OpenID Connect against a real provider on the loopback (tests/oidc_provider.py)."""

import logging
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

from oidc_provider import Provider


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _provider_answer(authorize_url: str) -> str:
    """The browser at the provider (the person signs in there): where it is sent back."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(authorize_url, timeout=10)
    except urllib.error.HTTPError as redirect:
        return redirect.headers["Location"]
    raise AssertionError("the provider did not send the browser back")


def _sign_in(client, next_page="/mon-compte/"):
    start = client.get(f"/connexion/oidc/?next={next_page}")
    assert start.status_code == 302
    back = urlsplit(_provider_answer(start["Location"]))
    return start, client.get(f"{back.path}?{back.query}")


def _code(authority) -> str:
    return f"{authority.kind}-{authority.territory}"


@pytest.fixture
def provider(users):
    with Provider() as running:
        trusted = _code(users["ars"].membership.authority)
        with pytest.MonkeyPatch.context() as patch:
            overrides = {
                **running.settings(),
                "CPOM_OIDC": {"enabled": True, "label": "le compte de l'ARS", "organisations": [trusted]},
                "AUTHENTICATION_BACKENDS": [*settings.AUTHENTICATION_BACKENDS, "cpom.accounts.oidc.CpomOidcBackend"],
            }
            for name, value in overrides.items():
                patch.setattr(settings, name, value, raising=False)
            yield running


def _vouch_for(provider, user, **claims):
    user.email = "agent.ars@example.invalid"
    user.save()
    provider.identity = {"sub": "agent-ars", "email": "AGENT.ars@example.invalid", "email_verified": True, **claims}


def test_an_agent_of_the_trusted_authority_signs_in_through_the_provider(client, users, provider):
    login = client.get("/connexion/?next=/mon-compte/").content.decode()
    assert "Se connecter avec le compte de l&#x27;ARS" in login
    _vouch_for(provider, users["ars"])
    start, back = _sign_in(client)
    asked = parse_qs(urlsplit(start["Location"]).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["scope"] == ["openid email"] and asked["nonce"]
    assert back.status_code == 302 and back["Location"] == "/mon-compte/"
    page = client.get("/mon-compte/").content.decode()
    assert "(ars)" in page
    assert provider.asked == ["/authorize", "/token", "/jwks", "/userinfo"]


def test_a_managing_body_s_member_is_not_opened_by_an_authority_s_provider(client, users, provider, caplog):
    _vouch_for(provider, users["asso"])
    with caplog.at_level(logging.WARNING, logger="cpom.security"):
        _, back = _sign_in(client)
    assert back["Location"] == "/connexion/"
    refused = client.get("/connexion/").content.decode()
    assert "n&#x27;a pas abouti : aucun compte cpom actif ne porte ce courriel" in refused
    assert client.get("/mon-compte/")["Location"].startswith("/connexion/")
    assert any(
        "agent.ars@example.invalid" in r.getMessage().lower() for r in caplog.records if r.name == "cpom.security"
    )


def test_an_unknown_address_makes_no_account(client, users, provider):
    provider.identity = {"sub": "inconnu", "email": "personne@example.invalid", "email_verified": True}
    accounts = get_user_model().objects.count()
    _, back = _sign_in(client)
    assert back["Location"] == "/connexion/" and get_user_model().objects.count() == accounts


def test_an_address_the_provider_has_not_verified_opens_nothing(client, users, provider):
    _vouch_for(provider, users["ars"], email_verified=False)
    _, back = _sign_in(client)
    assert back["Location"] == "/connexion/"
    assert client.get("/mon-compte/")["Location"].startswith("/connexion/")


def test_an_id_token_made_for_another_program_is_refused(client, users, provider):
    _vouch_for(provider, users["ars"])
    provider.audience = "un-autre-logiciel"
    _, back = _sign_in(client)
    assert back.status_code == 400
    assert client.get("/mon-compte/")["Location"].startswith("/connexion/")


def test_without_a_provider_there_is_no_button_and_no_door(client, db):
    assert "Se connecter avec" not in client.get("/connexion/").content.decode()
    assert client.get("/connexion/oidc/").status_code == 404
